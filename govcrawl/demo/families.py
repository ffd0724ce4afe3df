"""Pages and request-time behaviour of the family replicas (see ``sites.FAMILY_SITES``).

:func:`render_family` renders a family site once (like ``render.render_site`` does for
the classic ones): path -> :class:`~govcrawl.demo.render.Page`. :func:`dynamic_handler`
answers what a fixed table of pages cannot: the Hanweb ``dataproxy.jsp`` POSTs, the
JSON list API, the anti-bot walls (they depend on the request's cookies), the endless
calendar and search pages and the sitemap/robots files that name the bound address.

The chrome follows the real captures in ``shared/realpages`` (10_ Hanweb, 20_-22_ UCAP,
30_/32_/33_ 邯郸 TRS, 70_/71_/74_ walls), trimmed to keep every page light.
"""

from __future__ import annotations

import calendar
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from html import escape
from importlib import resources
from urllib.parse import parse_qsl, quote

from govcrawl.demo import render, scripts
from govcrawl.demo.markup import Flavour, to_html
from govcrawl.demo.render import CST, HTML, NGINX_405, Page
from govcrawl.demo.sites import (
    CALENDAR,
    CONTENT_TYPES,
    DATAPROXY,
    JPAGE_GROUP,
    JPAGE_PER_PAGE,
    LIST_API,
    SEARCH,
    Article,
    Attachment,
    Link,
    Site,
    document_of,
    href,
)

XML = "text/xml;charset=UTF-8"
JSON = "application/json;charset=UTF-8"
TEXT = "text/plain; charset=utf-8"
_ASSET_DATE = datetime(2021, 3, 1, 9, 0, tzinfo=CST)


def _e(text: str) -> str:
    return escape(text, quote=True)


def _cst(dt: datetime) -> datetime:
    return dt.replace(tzinfo=CST) if dt.tzinfo is None else dt


def _file(name: str) -> bytes:
    return resources.files("govcrawl.demo").joinpath("data", "files", name).read_bytes()


def _latest(s: Site) -> datetime:
    return max((_cst(a.published) for a in s.articles), default=_ASSET_DATE)


def _desc(art: Article) -> str:
    doc = document_of(art)
    first = next((p for p in doc.paragraphs if len(p) > 30), doc.paragraphs[0])
    return first[:120]


def content_disposition(filename: str, ascii_name: str, inline: bool = False) -> str:
    """``attachment; filename="szfgs2024.pdf"; filename*=UTF-8''%E6%B7%AE...`` (RFC 6266/5987)."""
    kind = "inline" if inline else "attachment"
    if filename.isascii():
        return f'{kind}; filename="{filename}"'
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_page(
    att_kind: str, data_file: str, path: str, title: str, when: datetime, inline: bool = False
) -> Page:
    name = path.rsplit("/", 1)[1]
    shown = title if "." in title[-6:] else f"{title}.{att_kind}"
    return Page(
        200,
        _file(data_file),
        CONTENT_TYPES[att_kind],
        _cst(when),
        (
            (
                "Content-Disposition",
                content_disposition(shown if not inline else name, name, inline),
            ),
        ),
    )


@dataclass(frozen=True)
class Request:
    """What a dynamic handler sees of a request."""

    method: str
    path: str  # unquoted, without the query
    query: str  # raw
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def params(self) -> dict[str, str]:
        """Query parameters, then urlencoded form fields (first value wins)."""
        out: dict[str, str] = {}
        pairs = parse_qsl(self.query, keep_blank_values=True)
        ctype = self.header("Content-Type") or ""
        if self.body and "application/x-www-form-urlencoded" in ctype:
            pairs += parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        for key, value in pairs:
            out.setdefault(key, value)
        return out

    def cookie(self, name: str) -> str | None:
        for part in (self.header("Cookie") or "").split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value
        return None


Handler = Callable[[Request], Page | None]


def _html(
    s: Site,
    text: str,
    modified: datetime | None,
    status: int = 200,
    content_type: str | None = None,
) -> Page:
    if s.encoding == "utf-8":
        return Page(status, text.encode("utf-8"), content_type or HTML, modified)
    # the old GBK site: the charset is only in the <meta>
    return Page(status, text.encode(s.encoding), content_type or "text/html", modified)


def _robots(extra: str = "") -> Page:
    text = "User-agent: *\nDisallow: /admin/\nDisallow: /manage/\n" + extra
    return Page(200, text.encode(), TEXT, _ASSET_DATE)


_CSS = (
    'body{margin:0;font:14px/1.6 "Microsoft YaHei",SimSun,sans-serif;color:#333}'
    "a{color:#333;text-decoration:none}ul{margin:0;padding:0;list-style:none}\n"
)


def _assets(*paths: str) -> dict[str, Page]:
    css = Page(200, _CSS.encode(), "text/css", _ASSET_DATE)
    png = Page(200, render._PNG, "image/png", _ASSET_DATE)
    out: dict[str, Page] = {}
    for path in paths:
        out[path] = css if path.endswith(".css") else png
    return out


def _js(text: str) -> Page:
    return Page(200, text.encode(), "application/javascript", _ASSET_DATE)


def _body(art: Article, flavour: Flavour) -> str:
    return to_html(document_of(art), flavour)


def _neighbours(s: Site, art: Article) -> tuple[Article | None, Article | None]:
    live = [a for a in s.articles if a.kind == "html" and a.status == 200]
    if art not in live:
        return None, None
    i = live.index(art)
    return (live[i - 1] if i > 0 else None), (live[i + 1] if i + 1 < len(live) else None)


# ======================================================================================
# 浙江省: Hanweb / 大汉 JCMS
# ======================================================================================


def _hw_head(s: Site, title: str, metas: list[tuple[str, str]], extra: str = "") -> str:
    meta_html = "".join(f'<meta name="{_e(k)}" content="{_e(v)}">\n' for k, v in metas)
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
        '<script language="javascript" src="/module/jslib/jquery/jquery.js"></script>\n'
        '<link href="/script/page.css" type="text/css" rel="stylesheet">\n'
        "<!--GS_0001_D7-->\n"
        '<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">\n'
        '<link rel="stylesheet" type="text/css" href="/images/3096/hanweb.css">\n'
        f"<title>{_e(title)}</title>\n{meta_html}{extra}</head>\n"
    )


def _hw_top(s: Site, column: str, column_url: str) -> str:
    return (
        '<body><div id="hiddenLocation" style="display:none;">'
        f'<span id="ss_webid">{s.web_id}</span><span id="col1_name">{_e(column)}</span>'
        f'<span id="col1_url">{_e(column_url)}</span></div>'
        '<div id="barrierfree_container">\n<!--顶部-->\n<div class="top_link"><p>'
        '<span style="float:left"><a href="http://www.gov.cn/" target="_blank">中国政府网</a>|'
        '<a href="http://www.zjzwfw.gov.cn/" target="_blank">浙江政务服务网</a></span>'
        '<span style="float:right;"><a href="javascript:zh_tran(\'s\');">简体</a>|'
        '<a href="javascript:zh_tran(\'t\');">繁体</a>|<a onclick="toggleToolBar();">无障碍浏览</a>'
        "</span></p></div>\n"
        '<div class="nav_logo"><div class="logo_search"><div class="logo"><a href="/">'
        f'<img src="/images/3096/logo.png" title="{_e(s.name)}"></a></div>'
        '<div class="search"><form id="search-form" action="/jsearchfront/search.do" '
        'target="_blank" method="get"><input id="webid" name="websiteid" type="hidden" '
        'value="330000000000000"><input type="text" class="input_text" id="q" name="q" '
        'value="请输入关键字"><input name="" type="image" src="/images/3096/search.png" '
        'class="inout_img"></form></div></div>\n'
        '<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/col/col1228996484/'
        'index.html">要闻动态</a></li><li class="on"><a href="/col/col1229019/index.html">'
        '政府信息公开</a></li><li><a href="/col/col1545735/index.html">政务服务</a></li>'
        '<li><a href="/col/col1229044/index.html">互动交流</a></li></ul></div></div>\n'
        '<!--当前位置-->\n<div class="position"><div class="position-txt w">'
        '<table cellspacing="0" cellpadding="0" border="0"><tbody><tr>'
        '<td style="width:30px; text-align:center;"><img src="/images/3096/pos.png"></td>'
        '<td>当前位置：</td><td><a href="/index.html">首页</a></td><td><table width="100%" '
        'cellspacing="0" cellpadding="0" border="0"><tbody><tr><td> &gt;<a href="/col/'
        'col1229019/index.html">政府信息公开</a></td>'
        f'<td> &gt;<a href="{_e(column_url)}">{_e(column)}</a></td></tr></tbody></table></td>'
        "</tr></tbody></table></div></div>\n"
    )


def _hw_footer(s: Site) -> str:
    police_code = s.police.split()[-1].rstrip("号")
    return (
        '<div class="footer"><table border="0" cellpadding="0" cellspacing="0" width="1200" '
        'style=" margin:0 auto;"><tbody><tr><td align="center" valign="middle" width="170">'
        '<a href="http://bszs.conac.cn/sitename?method=show&amp;id=6E7CB5B74E9C6470E053022E1AAC'
        '62CE" target="_blank"><img src="/images/3096/red.png"></a></td><td align="center">'
        '<p><a href="/col/col1229021/index.html">网站地图</a> 丨 <a href="/col/col1229022/'
        'index.html">联系我们</a> 丨 <a href="/col/col1229023/index.html">使用帮助</a></p>'
        f"<p>主办单位：{_e(s.sponsor)}　承办单位：{_e(s.undertaker)}</p>"
        f'<p>备案号：<a target="_blank" href="http://beian.miit.gov.cn/">{_e(s.icp)}</a> '
        f"网站标识码：{_e(s.site_code)} "
        '<a target="_blank" href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
        f'{police_code}"><img src="/images/3096/gaba.png">{_e(s.police)}</a></p></td>'
        '<td align="center" valign="middle" width="170"><img src="/images/3096/ewm.png" '
        'height="115"></td></tr></tbody></table></div>\n</div>\n'
        '<a href="http://www.hanweb.com" style="display:none">Produced By 大汉网络 '
        "大汉版通发布系统</a>\n"
        '<script language="javascript" src="/script/web_front.js"></script>\n</body></html>\n'
    )


def hanweb_params(s: Site) -> str:
    """The jpage ``ajaxParam`` object literal, as the column page writes it."""
    return (
        f"{{col:1,appid:1,webid:{s.web_id},path:'/',columnid:{s.column_id},"
        f"sourceContentType:1,unitid:'{s.unit_id}',webname:'{s.name}',permissiontype:0}}"
    )


def hanweb_column(s: Site) -> str:
    script = (
        '<script type="text/javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js">'
        '</script>\n<script type="text/javascript">\n$(document).ready(function(){\n'
        f"\t$('#{s.unit_id}').jpage({{\n"
        "\t\tdataStore: null,\n"
        "\t\tdataBefore: '<ul class=\"lm-list\">',\n"
        "\t\tdataAfter: '</ul>',\n"
        f"\t\tproxyUrl: '{DATAPROXY}',\n"
        f"\t\tperPage: {JPAGE_PER_PAGE},\n"
        f"\t\tgroupSize: {JPAGE_GROUP // JPAGE_PER_PAGE},\n"
        "\t\tshowMode: 'full',\n"
        "\t\tbarPosition: 'bottom',\n"
        f"\t\tajaxParam: {hanweb_params(s)}\n"
        "\t});\n});\n</script>\n"
    )
    metas = [
        ("SiteName", s.name),
        ("SiteDomain", s.domain),
        ("SiteIDCode", s.site_code),
        ("ColumnName", s.column_name),
        ("ColumnType", ""),
        ("ColumnDescription", f"{s.name}政府信息公开工作年度报告"),
        ("ColumnKeywords", "政府信息公开年报"),
    ]
    return (
        _hw_head(s, f"{s.column_name} {s.name}", metas)
        + _hw_top(s, s.column_name, s.column_path)
        + '<div class="lm-con bt-box-1200"><div class="lm-left"><div class="lm-left-title">'
        '政府信息公开</div><ul><li><a href="/col/col1229020/index.html">政府信息公开指南</a>'
        '</li><li><a href="/col/col1229025/index.html">政府信息公开制度</a></li>'
        f'<li class="on"><a href="{_e(s.column_path)}">{_e(s.column_name)}</a></li>'
        '<li><a href="/col/col1229026/index.html">法定主动公开内容</a></li></ul></div>\n'
        '<div class="lm-right"><div class="lm-title"><span>'
        + _e(s.column_name)
        + f'</span></div>\n<div class="lm-box"><div id="{s.unit_id}"></div>\n'
        + script
        + "</div></div></div>\n"
        + _hw_footer(s)
    )


def hanweb_record(art: Article) -> str:
    text = art.title if len(art.title) <= 32 else art.title[:31] + "..."
    return (
        f'<li><a href="{_e(art.path)}" title="{_e(art.title)}" target="_blank">{_e(text)}</a>'
        f"<span>{art.published:%Y-%m-%d}</span></li>"
    )


def hanweb_datastore(s: Site, start: int, end: int, perpage: int, records: list[Article]) -> str:
    chosen = records[max(start, 1) - 1 : max(end, 0)]
    nextgroup = (
        f'<a href="{DATAPROXY}?page=1&amp;webid={s.web_id}&amp;path=/&amp;columnid={s.column_id}'
        f'&amp;unitid={s.unit_id}&amp;webname={s.name}&amp;permissiontype=0"></a>'
    )
    rows = "\n".join(f"<record><![CDATA[\n{hanweb_record(a)}\n]]></record>" for a in chosen)
    total = len(records)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
        f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n{rows}\n</recordset>\n"
        f"<totalrecord>{total}</totalrecord>\n"
        f"<totalpage>{math.ceil(total / max(perpage, 1)) if total else 0}</totalpage>\n"
        "</datastore>\n"
    )


def hanweb_article(s: Site, art: Article) -> str:
    published = art.published.strftime("%Y-%m-%d %H:%M")
    metas = [
        ("Maketime", art.published.strftime("%Y-%m-%d %H:%M:%S")),
        ("SiteName", s.name),
        ("SiteDomain", s.domain),
        ("SiteIDCode", s.site_code),
        ("Image", ""),
        ("ColumnName", s.column_name),
        ("ColumnType", ""),
        ("ArticleTitle", art.title),
        ("PubDate", published),
        ("author", ""),
        ("description", _desc(art)),
        ("keywords", "政府信息公开 年度报告" if art.is_report else "政务公开"),
        ("contentSource", art.source),
        ("url", f"http://{s.domain}{art.path}"),
        ("category", ""),
        ("language", "中文"),
        ("guid", f"{art.published.year}{art.path.rsplit('_', 1)[1].split('.')[0]}"),
        ("effectiveTime", "0"),
        ("level", "0"),
    ]
    return (
        _hw_head(s, art.title, metas)
        + _hw_top(s, s.column_name, s.column_path)
        + '<div class="height20"></div>\n<div class="wz-con bt-box-1200"><div class="con">\n'
        f'<p class="con-title"> <!--<$[标题]>begin-->{_e(art.title)}<!--<$[标题]>end--></p>\n'
        '<div style="height:3px; background-color:#dbdbdb;"></div>\n'
        '<div class="small-title clearfix">'
        f"<span>发布日期：{art.published:%Y-%m-%d}</span>"
        f'<span>浏览次数：<span id="ss_hits">{art.clicks}</span></span>'
        f"<span>信息来源：<!--<$[信息来源]>begin-->{_e(art.source)}<!--<$[信息来源]>end--></span>"
        '</div>\n<div style="clear: both;"></div>\n'
        '<div class="main-txt" id="zoom">\n<!--<$[信息内容]>begin--><!--ZJEG_RSS.content.begin-->'
        '<meta name="ContentStart">'
        + _body(art, "longtan")
        + '<meta name="ContentEnd"><!--ZJEG_RSS.content.end--><!--<$[信息内容]>end-->\n</div>\n'
        '<div class="main-word" style="clear: both;margin-top:30px;"><div class="main-word-right">'
        '<span class="printer" onclick="javascrpit:window.print()">打印</span>'
        '<span class="close" onclick="javascrpit:window.close()">关闭</span></div></div>\n'
        '</div></div>\n<div class="height60"></div>\n' + _hw_footer(s)
    )


def hanweb_home(s: Site) -> str:
    return (
        _hw_head(
            s, s.name, [("SiteName", s.name), ("SiteDomain", s.domain), ("SiteIDCode", s.site_code)]
        )
        + _hw_top(s, "首页", "/")
        + '<div class="bt-box-1200"><div class="home-block"><div class="block-title">政府信息公开'
        '</div><ul><li><a href="/col/col1229020/index.html">政府信息公开指南</a></li>'
        f'<li><a href="{_e(s.column_path)}">{_e(s.column_name)}</a></li></ul></div></div>\n'
        + _hw_footer(s)
    )


def render_hanweb(s: Site, bases: Mapping[str, str]) -> dict[str, Page]:
    latest = _latest(s)
    routes: dict[str, Page] = {
        "/": _html(s, hanweb_home(s), latest),
        "/index.html": _html(s, hanweb_home(s), latest),
        s.column_path: _html(s, hanweb_column(s), latest),
        "/module/jslib/jquery/jquery.js": _js(scripts.JQUERY),
        "/module/jslib/jquery/jpage/jquery.page.min.js": _js(scripts.JPAGE),
        "/script/web_front.js": _js("/* web_front */\n"),
        "/robots.txt": _robots("Disallow: /jsearchfront/\n"),
        **_assets(
            "/script/page.css",
            "/images/3096/hanweb.css",
            "/images/3096/logo.png",
            "/images/3096/search.png",
            "/images/3096/pos.png",
            "/images/3096/red.png",
            "/images/3096/gaba.png",
            "/images/3096/ewm.png",
        ),
    }
    for art in s.articles:
        routes[art.path] = _html(s, hanweb_article(s, art), _cst(art.published))
    return routes


def hanweb_handler(s: Site) -> Handler:
    records = [a for group in s.pages for a in (s.article(lk.article or "") for lk in group)]

    def handle(req: Request) -> Page | None:
        if req.path != DATAPROXY:
            return None
        if req.method != "POST":
            return Page(405, NGINX_405.encode(), HTML)
        params = req.params()

        def number(key: str, default: int) -> int:
            value = params.get(key, "")
            return int(value) if value.isdigit() else default

        perpage = number("perpage", JPAGE_PER_PAGE)
        start = number("startrecord", 1)
        end = number("endrecord", start + perpage * 3 - 1)
        ok = params.get("columnid") == s.column_id and params.get("unitid") == s.unit_id
        text = hanweb_datastore(s, start, end, perpage, records if ok else [])
        return Page(200, text.encode("utf-8"), XML, None)

    return handle


# ======================================================================================
# 宜春市: UCAP, the column is a shell filled from a JSON API
# ======================================================================================


def _ucap_head(s: Site, title: str, metas: list[tuple[str, str]], extra: str = "") -> str:
    meta_html = "".join(f'<meta name="{_e(k)}" content="{_e(v)}">\n' for k, v in metas)
    return (
        "<!DOCTYPE html>\n<html><head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=10,chrome=1">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0, '
        'maximum-scale=1.0, user-scalable=0">\n'
        f"{meta_html}<title>\n\t\t\t{_e(title)} |\n\t\t\t中国宜春\n\t\t</title>\n"
        '<link rel="stylesheet" type="text/css" href="/default/xhtml/bmxxgk/css/xxgk.css">\n'
        '<link rel="stylesheet" type="text/css" href="/default/xhtml/bmxxgk/css/content.css">\n'
        f"{extra}</head>\n"
    )


def _ucap_header(s: Site) -> str:
    return (
        '<body class="xxgk-body-bg">\n<!-- header S -->\n<div class="xxgk-header">'
        '<div class="xxgk-container"><div class="xxgk-logo">'
        '<img src="/default/xhtml/bmxxgk/images/xxgk_emblems.png" alt="">'
        '<a href="/ycsrmzf/index.shtml" target="_blank"><h1 id="bm-name">宜春市人民政府</h1></a>'
        '<p><a href="javascript:void(0)" onclick="aria.start()">网站无障碍</a>'
        '<a class="oldFixedStart" href="javascript:void(0)" onclick="aria.oldFixedStart()">关怀版'
        '</a></p></div><div class="xxgk-title"><img src="/default/xhtml/bmxxgk/images/'
        'xxgk_title.png" alt=""></div></div></div>\n<!-- header E -->\n'
    )


def _ucap_crumb(s: Site, last: str) -> str:
    return (
        '<div class="xxgk-crumb"><div class="xxgk-container"><h2>\n您当前所在位置：\n'
        '<a href="/ycsrmzf/index.shtml" target="_self">首页</a>&gt;<a href="/ycsrmzf/zwgk/'
        'zwgk.shtml" target="_self">政务公开</a>&gt;<a href="/ycsrmzf/xxgk/redirect_firstChannel'
        '.shtml" target="_self">信息公开</a>&gt;'
        f'<a href="{_e(s.column_path)}" target="_self"><span>{_e(last)}</span></a>\n'
        "</h2></div></div>\n"
    )


def _ucap_footer(s: Site) -> str:
    police_code = s.police.split()[-1].rstrip("号")
    return (
        '<!--footer Start-->\n<div class="footer"><div class="footer_txt"><div class="container">'
        '<div class="footer_copyright"><p><a class="tit" href="/ycsrmzf/wzdt/wzdt.shtml" '
        'target="_blank">网站地图</a> | <a class="tit" href="/ycsrmzf/gywm/lxwm.shtml" '
        'target="_blank">联系我们</a></p>'
        f"<p>主办：{_e(s.sponsor)}　承办：{_e(s.undertaker)}</p>"
        "<p>技术支持：宜春市大数据发展管理局　版权所有：宜春市人民政府 </p>"
        f'<p><a href="https://beian.miit.gov.cn/" target="_blank">{_e(s.icp)}</a>　'
        f"政府网站标识码：{_e(s.site_code)} "
        '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
        f'{police_code}" target="_blank"><img src="/default/xhtml/images/batb.png" alt="">'
        f"{_e(s.police)}</a></p></div></div></div></div>\n<!--footer End-->\n</body></html>\n"
    )


def ucap_shell(s: Site) -> str:
    metas = [
        ("SiteName", "中国宜春"),
        ("SiteDomain", s.domain),
        ("SiteIDCode", s.site_code),
        ("ColumnName", s.column_name),
        ("ColumnDescription", "宜春市人民政府政府信息公开工作年度报告"),
        ("ColumnKeywords", "政府信息公开年报"),
        ("ColumnType", s.column_name),
    ]
    ids = (
        '<script type="text/javascript">\n\t\t\tvar websiteId = "c57263c0c30f4028a76ff7c577eefd65",'
        '\n\t\t\t\twebsiteCode = "ycsrmzf",\n\t\t\t\twebsiteName = "中国宜春",\n'
        f'\t\t\t\tchannelCode = "{s.column_id}";\n\t\t</script>\n'
    )
    return (
        _ucap_head(s, s.column_name, metas, ids)
        + _ucap_header(s)
        + _ucap_crumb(s, s.column_name)
        + '<div class="xxgk-container"><div class="xxgk-main clearfix">'
        '<div class="xxgk-side"><h3>政府信息公开</h3><ul>'
        '<li><a href="/ycsrmzf/xxgkzn/xxgk_list.shtml">政府信息公开指南</a></li>'
        '<li><a href="/ycsrmzf/xxgkzd/xxgk_list.shtml">政府信息公开制度</a></li>'
        '<li><a href="/ycsrmzf/fdzdgknr/redirect_firstChannel.shtml">法定主动公开内容</a></li>'
        f'<li class="on"><a href="{_e(s.column_path)}">{_e(s.column_name)}</a></li></ul></div>\n'
        '<div class="xxgk-list-box"><div class="xxgk-list-title">'
        f"<span>{_e(s.column_name)}</span></div>\n"
        '<div id="app">加载中…</div>\n'
        f'<script type="text/javascript">{scripts.column_app(LIST_API, s.column_id, 10)}</script>\n'
        "</div></div></div>\n" + _ucap_footer(s)
    )


def ucap_article(s: Site, art: Article) -> str:
    metas = [
        ("SiteName", "中国宜春"),
        ("SiteDomain", s.domain),
        ("SiteIDCode", s.site_code),
        ("ColumnName", s.column_name),
        ("ColumnDescription", "宜春市人民政府政府信息公开工作年度报告"),
        ("ColumnKeywords", "政府信息公开年报"),
        ("ColumnType", s.column_name),
        ("ArticleTitle", art.title),
        ("PubDate", art.published.strftime("%Y-%m-%d %H:%M:%S")),
        ("ContentSource", art.source),
        ("Keywords", ""),
        ("Description", ""),
        ("others", f"页面生成时间 {art.published:%Y-%m-%d %H:%M:%S}"),
        (
            "template,templategroup,version",
            "511e77b8c311468d925ace8e52d05e96,e701fffef07f4178a568fd15b9b05ad5,2.1",
        ),
    ]
    manuscript = art.path.rsplit("/", 1)[1].split(".")[0]
    ids = (
        '<script type="text/javascript">\n\t\t\tvar websiteId = "c57263c0c30f4028a76ff7c577eefd65",'
        '\n\t\t\t\twebsiteCode = "ycsrmzf",\n\t\t\t\twebsiteName = "中国宜春",\n'
        f'\t\t\t\tmanuscriptId = "{manuscript}";\n\t\t</script>\n'
    )

    def meta(cls: str, label: str, value: str) -> str:
        return (
            f'<dd class="addWidth {cls}"><label><font>{label}</font></label>'
            f'<div class="display-block">{_e(value)}</div></dd>'
        )

    return (
        _ucap_head(s, art.title, metas, ids)
        + _ucap_header(s)
        + _ucap_crumb(s, s.column_name)
        + '<div class="xxgk-container"><div class="xxgk-detail clearfix">\n'
        '<div class="meta-main"><div class="meta-data"><dl class="clearfix">'
        + meta("IndexNo", "索 引 号：", art.index_no)
        + meta("ReleaseMechanism", "发布机构：", art.source)
        + meta("scrq", "发文日期：", f"{art.published:%Y-%m-%d}")
        + meta("gkfs", "公开方式：", "主动公开")
        + meta("gkfw", "公开范围：", "面向全社会")
        + meta("fl", "分类：", s.column_name)
        + "</dl></div></div>\n"
        f'<h1 class="article-title"><ucaptitle>{_e(art.title)}</ucaptitle></h1>\n'
        '<div class="article-attr clearfix">'
        f'<span class="llcs">访问量：<b id="view">{art.clicks}</b></span>'
        '<span class="article-icon fontsize"><i class="print" onclick="javascript:window.print();">'
        '</i><i class="l" id="f-add"></i><i class="s" id="f-dec" title="字体小"></i></span></div>\n'
        '<div class="article-content article-content-body" id="zoomcon">\n<ucapcontent>'
        + _body(art, "qingzhen")
        + "</ucapcontent>\n"
        '<div class="fj-a" style="display: none;"><p>附件：</p></div>\n</div>\n'
        '<dl class="article-ewm"><dt id="div_div"><div id="qr_container">扫一扫在手机打开当前页'
        "</div></dt></dl>\n"
        '<div class="article-extended clearfix"><div class="article-btn">'
        '<span class="gotop">【<a href="javascript:scrollTo(0,0);">返回顶部</a>】</span>'
        '<span class="close">【<a onclick="javascript:window.close()">关闭本页</a>】</span></div>'
        "</div>\n</div></div>\n" + _ucap_footer(s)
    )


def ucap_home(s: Site) -> str:
    return (
        _ucap_head(
            s,
            "首页",
            [("SiteName", "中国宜春"), ("SiteDomain", s.domain), ("SiteIDCode", s.site_code)],
        )
        + _ucap_header(s)
        + '<div class="xxgk-container"><ul class="home-links">'
        '<li><a href="/ycsrmzf/xxgkzn/xxgk_list.shtml">政府信息公开指南</a></li>'
        f'<li><a href="{_e(s.column_path)}">{_e(s.column_name)}</a></li></ul></div>\n'
        + _ucap_footer(s)
    )


def render_ucap(s: Site, bases: Mapping[str, str]) -> dict[str, Page]:
    latest = _latest(s)
    home = _html(s, ucap_home(s), latest)
    routes: dict[str, Page] = {
        "/": home,
        "/ycsrmzf/index.shtml": home,
        s.column_path: _html(s, ucap_shell(s), latest),
        "/robots.txt": _robots("Disallow: /search4/\n"),
        **_assets(
            "/default/xhtml/bmxxgk/css/xxgk.css",
            "/default/xhtml/bmxxgk/css/content.css",
            "/default/xhtml/bmxxgk/images/xxgk_emblems.png",
            "/default/xhtml/bmxxgk/images/xxgk_title.png",
            "/default/xhtml/images/batb.png",
        ),
    }
    for art in s.articles:
        routes[art.path] = _html(s, ucap_article(s, art), _cst(art.published))
    return routes


def api_handler(s: Site, page_size: int = 10) -> Handler:
    items = [a for group in s.pages for a in (s.article(lk.article or "") for lk in group)]

    def handle(req: Request) -> Page | None:
        if req.path != LIST_API:
            return None
        if req.method not in ("GET", "HEAD"):
            return Page(405, NGINX_405.encode(), HTML)
        params = req.params()
        page_text = params.get("page", "1")
        page = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
        chosen = items if params.get("columnId") == s.column_id else []
        window = chosen[(page - 1) * page_size : page * page_size]
        data = {
            "total": len(chosen),
            "pageSize": page_size,
            "page": page,
            "list": [
                {"title": a.title, "url": a.path, "publishTime": f"{a.published:%Y-%m-%d}"}
                for a in window
            ],
        }
        return Page(200, json.dumps(data, ensure_ascii=False).encode("utf-8"), JSON, None)

    return handle


# ======================================================================================
# 万载县: an old GBK site with nested tables
# ======================================================================================


def _gbk_head(s: Site, title: str, metas: list[tuple[str, str]]) -> str:
    meta_html = "".join(f'<meta name="{_e(k)}" content="{_e(v)}">\n' for k, v in metas)
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<html>\n<head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">\n'
        f"<title>{_e(title)}</title>\n{meta_html}"
        '<link href="/wzxrmzf/images/style.css" rel="stylesheet" type="text/css">\n'
        '<script language="javascript" src="/wzxrmzf/images/common.js"></script>\n'
        "</head>\n"
    )


def _gbk_top(s: Site) -> str:
    nav = "".join(
        f'<td align="center" class="nav"><a href="{url}">{name}</a></td>'
        for name, url in (
            ("网站首页", "/wzxrmzf/index.shtml"),
            ("新闻中心", "/wzxrmzf/xwzx/list.shtml"),
            ("县政府", "/wzxrmzf/xzf/list.shtml"),
            ("政务公开", "/wzxrmzf/zwgk/list.shtml"),
            ("政务服务", "/wzxrmzf/zwfw/list.shtml"),
            ("政民互动", "/wzxrmzf/zmhd/list.shtml"),
            ("魅力万载", "/wzxrmzf/mlwz/list.shtml"),
        )
    )
    return (
        '<body topmargin="0" leftmargin="0" marginwidth="0" marginheight="0">\n'
        '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">'
        '<tr><td height="30" class="top_bar">欢迎访问万载县人民政府网站　'
        '<a href="javascript:void(0)" onclick="SetHome(this)">设为首页</a> | '
        '<a href="javascript:void(0)" onclick="AddFavorite()">加入收藏</a></td></tr>'
        '<tr><td><img src="/wzxrmzf/images/top_banner.jpg" width="1000" height="150" '
        f'alt="{_e(s.name)}"></td></tr></table>\n'
        '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" '
        f'bgcolor="#1F5FA8"><tr height="36">{nav}</tr></table>\n'
    )


def _gbk_footer(s: Site) -> str:
    return (
        '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" '
        'class="bottom"><tr><td align="center" height="100">'
        '<a href="/wzxrmzf/wzdt/list.shtml">网站地图</a> | <a href="/wzxrmzf/lxwm/list.shtml">'
        "联系我们</a><br>\n"
        f"主办：{_e(s.sponsor)}　承办：{_e(s.undertaker)}　网站标识码：{_e(s.site_code)}<br>\n"
        f'<a href="https://beian.miit.gov.cn/" target="_blank">{_e(s.icp)}</a>　{_e(s.police)}'
        "<br>\n建议使用1024×768分辨率浏览本站</td></tr></table>\n</body>\n</html>\n"
    )


def _gbk_side(s: Site) -> str:
    items = "".join(
        f'<tr><td height="30" class="left_menu">·<a href="{url}">{name}</a></td></tr>'
        for name, url in (
            ("政府信息公开指南", "/wzxrmzf/xxgkzn/list.shtml"),
            ("政府信息公开制度", "/wzxrmzf/xxgkzd/list.shtml"),
            ("法定主动公开内容", "/wzxrmzf/fdzdgknr/list.shtml"),
            (s.column_name, s.column_path),
        )
    )
    return (
        '<td width="220" valign="top"><table width="100%" border="0" cellspacing="0" '
        'cellpadding="0"><tr><td height="36" class="left_title">政府信息公开</td></tr>'
        f"{items}</table></td>\n"
    )


def _gbk_crumb(s: Site, last: str) -> str:
    return (
        '<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td height="32" '
        'class="dqwz">您当前的位置：<a href="/wzxrmzf/index.shtml">网站首页</a> &gt; '
        '<a href="/wzxrmzf/zwgk/list.shtml">政务公开</a> &gt; '
        f'<a href="{_e(s.column_path)}">{_e(last)}</a></td></tr></table>\n'
    )


def gbk_column(s: Site, index: int) -> str:
    page_path = s.page_path(index)
    rows = "\n".join(
        f'<tr><td width="20" align="center"><img src="/wzxrmzf/images/dot.gif"></td>'
        f'<td height="30"><a href="{_e(href(s, page_path, link, {}))}" target="_blank" '
        f'title="{_e(link.title)}">{_e(link.title)}</a></td>'
        f'<td width="100" align="right">[{link.listed.isoformat()}]</td></tr>'
        for link in s.pages[index]
    )
    count = len(s.pages)
    total = sum(len(p) for p in s.pages)

    def name(i: int) -> str:
        return s.page_path(i).rsplit("/", 1)[1]

    parts = [f"共{total}条记录　第{index + 1}/{count}页　"]
    parts.append("首页 " if index == 0 else f'<a href="{name(0)}">首页</a> ')
    parts.append("上一页 " if index == 0 else f'<a href="{name(index - 1)}">上一页</a> ')
    parts.append("下一页 " if index == count - 1 else f'<a href="{name(index + 1)}">下一页</a> ')
    parts.append("尾页" if index == count - 1 else f'<a href="{name(count - 1)}">尾页</a>')
    return (
        _gbk_head(
            s, f"{s.column_name}-{s.name}", [("SiteName", s.name), ("SiteIDCode", s.site_code)]
        )
        + _gbk_top(s)
        + '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">'
        "<tr>\n"
        + _gbk_side(s)
        + '<td width="10"></td><td valign="top">\n'
        + _gbk_crumb(s, s.column_name)
        + '<table width="100%" border="0" cellspacing="0" cellpadding="0" class="list_table">\n'
        + rows
        + "\n</table>\n"
        + '<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td height="40" '
        'align="center" class="page">'
        + "".join(parts)
        + "</td></tr></table>\n"
        + "</td></tr></table>\n"
        + _gbk_footer(s)
    )


def gbk_article(s: Site, art: Article) -> str:
    metas = [
        ("SiteName", s.name),
        ("SiteDomain", s.domain),
        ("SiteIDCode", s.site_code),
        ("ColumnName", s.column_name),
        ("ArticleTitle", art.title),
        ("PubDate", art.published.strftime("%Y-%m-%d %H:%M")),
        ("ContentSource", art.source),
    ]
    return (
        _gbk_head(s, f"{art.title}-{s.name}", metas)
        + _gbk_top(s)
        + '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" '
        'bgcolor="#FFFFFF"><tr><td valign="top">\n'
        + _gbk_crumb(s, s.column_name)
        + '<table width="960" border="0" align="center" cellpadding="0" cellspacing="0">\n'
        f'<tr><td height="60" align="center" class="title">{_e(art.title)}</td></tr>\n'
        '<tr><td height="30" align="center" class="info">'
        f"发布时间：{art.published:%Y-%m-%d %H:%M:%S}　来源：{_e(art.source)}　"
        f'浏览次数：<span id="view">{art.clicks}</span>　【字体：<a href="javascript:doZoom(16)">'
        '大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】'
        "</td></tr>\n"
        '<tr><td height="1" bgcolor="#CCCCCC"></td></tr>\n'
        '<tr><td class="b12c" id="UCAP-CONTENT">\n' + _body(art, "longtan") + "\n</td></tr>\n"
        '<tr><td align="right" height="40">【<a href="javascript:window.print()">打印本页</a>】'
        '【<a href="javascript:window.close()">关闭窗口</a>】</td></tr>\n</table>\n'
        "</td></tr></table>\n" + _gbk_footer(s)
    )


def gbk_home(s: Site) -> str:
    return (
        _gbk_head(s, s.name, [("SiteName", s.name), ("SiteIDCode", s.site_code)])
        + _gbk_top(s)
        + '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr>'
        + _gbk_side(s)
        + '<td valign="top"><table width="100%"><tr><td class="block_title">政务公开</td></tr>'
        f'<tr><td>·<a href="{_e(s.column_path)}">{_e(s.column_name)}</a></td></tr></table></td>'
        "</tr></table>\n" + _gbk_footer(s)
    )


def gbk_not_found(s: Site) -> str:
    return (
        _gbk_head(s, "404 页面不存在", [])
        + '<body><table width="600" align="center"><tr><td align="center" height="300">'
        "对不起，您访问的页面不存在或已被删除！<br>"
        '<a href="/wzxrmzf/index.shtml">返回首页</a></td></tr></table></body></html>\n'
    )


def render_gbk(s: Site, bases: Mapping[str, str]) -> dict[str, Page]:
    latest = _latest(s)
    home = _html(s, gbk_home(s), latest)
    routes: dict[str, Page] = {
        "/": home,
        "/wzxrmzf/index.shtml": home,
        "/robots.txt": _robots(),
        "/wzxrmzf/images/common.js": _js(render._JS),
        **_assets(
            "/wzxrmzf/images/style.css", "/wzxrmzf/images/top_banner.jpg", "/wzxrmzf/images/dot.gif"
        ),
    }
    for index in range(len(s.pages)):
        routes[s.page_path(index)] = _html(s, gbk_column(s, index), latest)
    for art in s.articles:
        page = _html(s, gbk_article(s, art), _cst(art.published))
        if art.header_charset:
            page = replace(page, content_type=f"text/html; charset={art.header_charset}")
        routes[art.path] = page
    return routes


# ======================================================================================
# 淮安市 and 吉林市: TRS detail pages (淮安: reports as attachments); 洪泽区: a PDF list
# ======================================================================================


def _attachment_html(atts: tuple[Attachment, ...]) -> str:
    if not atts:
        return ""
    links = "<br>".join(
        f'<a href="{_e(a.path)}" target="_blank" title="{_e(a.title)}">{_e(a.title)}</a>'
        for a in atts
    )
    return f'<p style="text-indent: 2em;">附件：{links}</p>'


def trs_article(s: Site, art: Article, prev_next: bool = True) -> str:
    """A TRS WCM detail page (the classic chrome); the body may only wrap attachments."""
    published = art.published.strftime("%Y-%m-%d %H:%M")
    has_body = art.body is not None or art.text is not None
    description = _desc(art) if has_body else art.title
    metas = [
        ("SiteName", s.name),
        ("SiteDomain", s.domain),
        ("SiteIDCode", s.site_code),
        ("ColumnName", s.column_name),
        ("ColumnType", s.column_name),
        ("ArticleTitle", art.title),
        ("PubDate", published),
        ("ContentSource", art.source),
        ("keywords", "政府信息公开,年度报告" if art.is_report else "政务公开"),
        ("description", description),
    ]
    body = to_html(document_of(art), "trs") if has_body else ""
    info = (
        f'<div class="article-info">发布日期：{published}　　来源：{_e(art.source)}　　'
        f'点击量：<span id="hits">{art.clicks}</span>　　{render._font_tools()}　　'
        f"{render._print_close()}</div>\n"
    )
    content = (
        f'<div class="article-title"><h1>{_e(art.title)}</h1></div>\n{info}'
        f'<div class="article-content" id="zoomcon">\n<div class="TRS_Editor">{body}'
        f"{_attachment_html(art.attachments)}</div>\n</div>\n"
    )
    prev, nxt = _neighbours(s, art)

    def one(label: str, a: Article | None) -> str:
        if a is None:
            return f"<p>{label}：没有了</p>"
        return f'<p>{label}：<a href="{_e(a.path)}" title="{_e(a.title)}">{_e(a.title)}</a></p>'

    pager = '<div class="prev-next">' + one("上一篇", prev) + one("下一篇", nxt) + "</div>\n"
    return (
        render._head(s, f"{art.title}_{s.name}", metas)
        + render._header(s)
        + render._breadcrumb(s, column=False)
        + '<div class="main"><div class="wrap"><div class="article">\n'
        + content
        + (pager if prev_next else "")
        + render._related(s)
        + "</div></div></div>\n"
        + render._footer(s)
    )


def render_trsfile(s: Site, bases: Mapping[str, str]) -> dict[str, Page]:
    latest = _latest(s)
    trs = replace(s, cms="trs")
    home = _html(s, render.home_page(s), latest)
    routes: dict[str, Page] = {
        **render.assets(),
        "/": home,
        "/index.html": home,
        "/robots.txt": _robots("Disallow: /search/\n"),
        "/search/": _html(s, render.search_page(s), None),
    }
    for index in range(len(s.pages)):
        routes[s.page_path(index)] = _html(s, render.column_page(trs, index, bases), latest)
    for art in s.articles:
        routes[art.path] = _html(s, trs_article(s, art), _cst(art.published))
        for att in art.attachments:
            routes[att.path] = file_page(att.kind, att.file, att.path, att.title, art.published)
    return routes


def render_filelist(s: Site, bases: Mapping[str, str]) -> dict[str, Page]:
    latest = _latest(s)
    listing = replace(s, cms="qingzhen", pagination="numbered")
    home = _html(s, render.home_page(s), latest)
    routes: dict[str, Page] = {
        **render.assets(),
        "/": home,
        "/index.html": home,
        "/robots.txt": _robots(),
        s.column_path: _html(s, render.column_page(listing, 0, bases), latest),
    }
    for art in s.articles:
        assert art.file is not None
        routes[art.path] = file_page(
            art.kind, art.file, art.path, art.title, art.published, inline=True
        )
    return routes


# ======================================================================================
# 邯郸市: the TRS 信息公开 platform, walls and soft 404s
# ======================================================================================


def _hd_head(s: Site, title: str, metas: list[tuple[str, str]]) -> str:
    meta_html = "".join(f'    <meta name="{_e(k)}" content="{_e(v)}">\n' for k, v in metas)
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<html lang="zh">\n'
        '<head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
        '    <meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">\n'
        f"{meta_html}    <title>{_e(title)}</title>\n"
        '    <link rel="stylesheet" type="text/css" href="/images/xxgkbase.css">\n'
        '    <link rel="stylesheet" href="/images/new_xxgkindex.css">\n'
        '    <link href="http://www.gov.cn/govweb/xhtml/favicon.ico" rel="shortcut icon" '
        'type="image/x-icon">\n</head>\n'
    )


def _hd_top() -> str:
    return (
        "<body>\n"
        '<div class="f_w clearfix" style="background: url(/images/body_bg.jpg) no-repeat;'
        'padding-bottom: 20px;">\n    <div class="w">\n        <div class="header_szf">\n'
        '            <div class="logo"> <a href="http://www.hd.gov.cn/"> '
        '<img src="/images/logo1.png"> </a> </div>\n'
        '            <div class="lj"> <img src="/images/icon_sjb.png"> '
        '<a href="http://www.gov.cn/" target="_blank">中国政府网站</a>｜ '
        '<a href="http://www.hebei.gov.cn/" target="_blank">河北省政府网站</a> </div>\n'
        "        </div>\n    </div>\n</div>\n<!-- 导航 -->\n"
        '<div class="sx-navs">\n    <ul class="sx-list">\n'
        '        <li><a href="http://www.hd.gov.cn/" target="_blank">首页</a></li>\n'
        '        <li><a href="/">信息公开</a></li>\n    </ul>\n</div>\n'
    )


def _hd_footer(s: Site) -> str:
    police_code = s.police.split()[-1].rstrip("号")
    return (
        '<div class="footer_bg">\n    <div class="footer">\n        <ul>\n'
        '            <li> <a href="http://hd.gov.cn/">返回首页</a>| </li>\n'
        '            <li> <a href="http://hd.gov.cn/wzsm/" target="_blank">网站声明</a>| </li>\n'
        '            <li> <a href="http://hd.gov.cn/lxwm/" target="_blank">联系我们</a>| </li>\n'
        '            <li> <a href="http://hd.gov.cn/wzdt/" target="_blank">网站地图</a> </li>\n'
        "        </ul>\n"
        f'        <p>邯郸市人民政府 <a href="http://www.beian.miit.gov.cn/">{_e(s.icp)}</a> </p>\n'
        '        <p><a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
        f'{police_code}" target="_blank">{_e(s.police)}</a></p>\n'
        f"        <p>网站标识码 {_e(s.site_code)} </p>\n"
        f"        <p>主办单位： {_e(s.sponsor)} </p>\n    </div>\n</div>\n</body></html>\n"
    )


def _hd_search() -> str:
    return (
        '        <div class="sx-c1-left1">\n            <div class="ss1">\n'
        '                <form method="post" name="trssearchform" id="trssearchform" '
        'action="http://www.hd.gov.cn/govsearch/simp_gov_list.jsp">\n'
        '                    <input type="text" name="sword" id="sword" placeholder='
        '"请输入搜索内容...">\n'
        '                    <input type="hidden" name="channelid" value="258715">\n'
        '                    <span id="searchBtn" onclick="return executeSearch();">搜索</span>'
        '&nbsp;&nbsp;<a class="advanceSearch1" href="/gjjs/" target="_blank">高级搜索</a>\n'
        "                </form>\n            </div>\n        </div>\n"
    )


def handan_column(s: Site, index: int, bases: Mapping[str, str]) -> str:
    metas = [
        ("SiteName", s.name),
        ("SiteDomain", "www.hd.gov.cn"),
        ("SiteIDCode", s.site_code),
        ("ColumnName", s.column_name),
        ("ColumnDescription", "邯郸市人民政府网信息公开平台政府信息公开年报栏目"),
        ("ColumnKeywords", "邯郸，信息公开，年报"),
        ("ColumnType", "信息公开，年报"),
    ]
    page_path = s.page_path(index)
    rows = "".join(
        "                        <tr>\n"
        '                            <td height="35"><a href="'
        f'{_e(href(s, page_path, link, dict(bases)))}"'
        f' title="{_e(link.title)}">\n                                {_e(link.title)}\n'
        "                            </a></td>\n"
        f'                            <td height="35">{_e(_index_no(s, link))}</td>\n'
        f'                            <td height="35">{_e(_publisher(s, link))}</td>\n'
        f'                            <td height="35">{link.listed.isoformat()}</td>\n'
        "                        </tr>\n"
        for link in s.pages[index]
    )
    count = len(s.pages)
    base = bases[s.key].rstrip("/")
    directory = s.column_path.rsplit("/", 1)[0]

    def url(i: int) -> str:
        return f"{base}{directory}/" + ("index.html" if i == 0 else f"index_{i}.html")

    parts = [f'<a href="{url(0)}" target="_self">首页</a>']
    parts.append(
        '<span class="bg">上一页</span>'
        if index == 0
        else f'<a href="{url(index - 1)}" target="_self">上一页</a>'
    )
    for i in range(count):
        parts.append(
            f'<span class="now">{i + 1}</span>'
            if i == index
            else f'<a href="{url(i)}" target="_self" class="pnum">{i + 1}</a>'
        )
    parts.append(
        '<span class="bg">下一页</span>'
        if index == count - 1
        else f'<a href="{url(index + 1)}" target="_self">下一页</a>'
    )
    parts.append(f'<a href="{url(count - 1)}" target="_self">尾页</a>')
    total = sum(len(p) for p in s.pages)
    pager = (
        '                            <div class="page">\n'
        '                                <script language="javascript">\n'
        f"                                    var countnum= {total};\n"
        f"                                    var currentPage={index};\n"
        f"                                    var countPage={count}\n"
        "         </script>" + "&nbsp;&nbsp;".join(parts) + "</div>\n"
    )
    return (
        _hd_head(s, "邯郸市政府信息公开", metas)
        + _hd_top()
        + '<div class="sx-width">\n    <div class="sx-cot1 clearFix">\n'
        + _hd_search()
        + '        <div class="sx-c2-right1">\n'
        '            <div class="sx-c1-title clearFix"> <img src="/images/sx-blue.jpg" alt="">\n'
        f"                <h1>{_e(s.column_name)}</h1>\n"
        '                <div class="sx-more1"><a href="/" title="首页" class="CurrChnlCls">首页'
        f'</a>-&gt;<a href="{_e(s.column_path)}" title="{_e(s.column_name)}" '
        f'class="CurrChnlCls">{_e(s.column_name)}</a></div>\n            </div>\n'
        '            <ul class="sx-c1-list list1" style="display:block;">\n'
        '                <div class="szbmtclb fl clearfix" style="width:100%;">\n'
        "                    <table>\n                        <tbody><tr>\n"
        '                            <th width="47%" height="35">名称</th>\n'
        '                            <th width="21%" height="35">索引号</th>\n'
        '                            <th width="19%" height="35">发布机构</th>\n'
        '                            <th width="12%" height="35">发布日期</th>\n'
        "                        </tr>\n" + rows + "                        </tbody></table>\n"
        '                    <div class="news-list"><div class="clear"></div>\n'
        '                        <div class="page_box">\n'
        + pager
        + "                        </div>\n                    </div>\n"
        "                </div>\n            </ul>\n        </div>\n    </div>\n</div>\n"
        + _hd_footer(s)
    )


def _index_no(s: Site, link: Link) -> str:
    if link.article is not None:
        art = s.article(link.article)
        if art.index_no:
            return art.index_no
    return f"000014348/{link.listed.year}-{link.listed:%m%d}1"


def _publisher(s: Site, link: Link) -> str:
    return s.article(link.article).source if link.article else s.sponsor


def handan_article(s: Site, art: Article) -> str:
    metas = [
        ("SiteName", s.name),
        ("SiteDomain", "www.hd.gov.cn"),
        ("SiteIDCode", s.site_code),
        ("ColumnName", "部门信息公开" if art.path.startswith("/gszbm/") else s.column_name),
        ("ColumnDescription", "邯郸市人民政府网信息公开平台发布邯郸市政府信息公开相关信息"),
        ("ColumnKeywords", "邯郸，信息公开，年报"),
        ("ColumnType", "政策文件，信息公开"),
        ("ArticleTitle", art.title),
        ("PubDate", f"{art.published:%Y年%m月%d日}"),
        ("ContentSource", art.source),
    ]
    return (
        _hd_head(s, art.title, metas)
        + _hd_top()
        + '<div class="bggggg"></div>\n<div class="container content" style=" margin-top:0px;">\n'
        '    <div class="top cf">\n        <div class="top-l fl">\n'
        f"            <p><strong>索引号</strong>：{_e(art.index_no)}</p>\n"
        f"            <p><strong>发布机构</strong>：{_e(art.source)}</p>\n"
        f"            <p><strong>名称</strong>：{_e(art.title)}</p>\n"
        "            <p><strong>文号</strong>：无</p>\n        </div>\n"
        '        <div class="top-r fr">\n'
        "            <p><strong>主题分类</strong>：综合政务</p>\n"
        f"            <p><strong>发布日期</strong>：{art.published:%Y年%m月%d日}</p>\n"
        '            <p style="height: 40px;"></p>\n        </div>\n'
        '        <div style="clear: both;"></div>\n    </div>\n'
        f'    <div class="xxgk_title"><h1>{_e(art.title)}</h1></div>\n'
        '    <div class="xxgk_content" id="zoom"><div class="TRS_Editor">'
        + _body(art, "trs")
        + "</div></div>\n"
        '    <div class="xxgk_print"><a href="javascript:window.print()">【打印本页】</a>'
        '<a href="javascript:window.close()">【关闭窗口】</a></div>\n'
        "</div>\n" + _hd_footer(s)
    )


def handan_soft404(s: Site, variant: int) -> str:
    if variant == 0:
        title, words = "页面不存在 - 邯郸市人民政府", "页面不存在"
    else:
        title, words = "邯郸市政府信息公开", "您访问的页面不存在"
    return (
        _hd_head(s, title, [("SiteName", s.name), ("SiteIDCode", s.site_code)])
        + _hd_top()
        + '<div class="sx-width">\n    <div class="error-box" style="text-align:center;'
        'padding:80px 0;">\n'
        '        <img src="/images/404.png" alt="">\n'
        f"        <h2>{words}</h2>\n"
        "        <p>抱歉，您要查看的信息可能已被删除、更名或暂时不可用。</p>\n"
        '        <p><a href="/">返回首页</a>　<a href="javascript:history.go(-1)">返回上一页</a>'
        "</p>\n    </div>\n</div>\n" + _hd_footer(s)
    )


def handan_home(s: Site) -> str:
    return (
        _hd_head(s, "邯郸市政府信息公开", [("SiteName", s.name), ("SiteIDCode", s.site_code)])
        + _hd_top()
        + '<div class="sx-width">\n    <div class="sx-cot1 clearFix">\n'
        + _hd_search()
        + '        <div class="sx-c1-right"><ul class="sx-uls">\n'
        '            <li><div class="su-l2"><a href="/xxgkzn/">政府信息公开指南</a></div></li>\n'
        '            <li><div class="su-l2"><a href="/xxgkzd/">政府信息公开制度</a></div></li>\n'
        f'            <li><div class="su-l2"><a href="{_e(s.column_path)}">'
        f"{_e(s.column_name)}</a></div></li>\n"
        "        </ul></div>\n    </div>\n</div>\n" + _hd_footer(s)
    )


def _ruishu_412() -> bytes:
    return _file("ruishu5-412.html")


def render_trsxxgk(s: Site, bases: Mapping[str, str]) -> dict[str, Page]:
    latest = _latest(s)
    home = _html(s, handan_home(s), latest)
    routes: dict[str, Page] = {
        "/": home,
        "/index.html": home,
        "/robots.txt": _robots(),
        **_assets(
            "/images/xxgkbase.css",
            "/images/new_xxgkindex.css",
            "/images/body_bg.jpg",
            "/images/logo1.png",
            "/images/icon_sjb.png",
            "/images/sx-blue.jpg",
            "/images/404.png",
        ),
    }
    for index in range(len(s.pages)):
        routes[s.page_path(index)] = _html(s, handan_column(s, index, bases), latest)
    ruishu = Page(
        412,
        _ruishu_412(),
        "text/html",
        None,
        (
            (
                "Set-Cookie",
                "FSSBBIl1UgzbN7N80S=v1Dw5yq2H0fGqgzAXnyJ8A; Path=/; expires=Tue, 19 Jan "
                "2038 03:14:07 GMT; HttpOnly",
            ),
        ),
    )
    for art in s.articles:
        if art.wall == "412":
            routes[art.path] = ruishu
        else:
            routes[art.path] = _html(s, handan_article(s, art), _cst(art.published))
    soft = 0
    for group in s.pages:
        for link in group:
            if link.special == "soft404" and link.path:
                routes[link.path] = _html(s, handan_soft404(s, soft % 2), None)
                soft += 1
    return routes


def walls_handler(s: Site) -> Handler:
    walled = {a.path: a.wall for a in s.articles if a.wall in ("521", "cookie")}

    def handle(req: Request) -> Page | None:
        wall = walled.get(req.path)
        target = req.path + (f"?{req.query}" if req.query else "")
        if wall == "521" and req.cookie(scripts.JSL_COOKIE) != scripts.JSL_VALUE:
            return Page(
                521,
                scripts.jsl_challenge().encode(),
                "text/html",
                None,
                (("Set-Cookie", scripts.JSLUID), ("Cache-Control", "no-cache, no-store")),
            )
        if wall == "cookie" and req.cookie(scripts.C3VK_COOKIE) != scripts.C3VK_VALUE:
            return Page(
                200,
                scripts.c3vk_challenge(target).encode(),
                "text/html",
                None,
                (("Cache-Control", "no-cache"),),
            )
        return None  # no wall, or the right cookie: the page itself

    return handle


# ======================================================================================
# 吉林市: a portal with no report column configured (landing page, sitemap, traps)
# ======================================================================================


def _jl_list(s: Site, links: tuple[Link, ...], page_path: str, bases: Mapping[str, str]) -> str:
    return "".join(
        f'<li><a href="{_e(href(s, page_path, lk, dict(bases)))}" target="_blank" '
        f'title="{_e(lk.title)}">{_e(lk.title)}</a><span>{lk.listed.isoformat()}</span></li>'
        for lk in links
    )


def _jl_page(s: Site, title: str, main: str) -> str:
    return (
        render._head(
            s,
            f"{title}_{s.name}",
            [("SiteName", s.name), ("SiteDomain", s.domain), ("SiteIDCode", s.site_code)],
        )
        + render._header(s)
        + '<div class="main"><div class="wrap">\n'
        + main
        + "</div></div>\n"
        + render._footer(s)
    )


def _extra(s: Site, page: str) -> tuple[Link, ...]:
    return next(links for path, links in s.extra_links if path == page)


def jilin_home(s: Site, bases: Mapping[str, str]) -> str:
    links = _extra(s, "/")
    nav, news = links[:3], links[3:]
    return _jl_page(
        s,
        "首页",
        '<div class="home-block"><div class="block-title">快速通道</div><ul class="quick">'
        + "".join(
            f'<li><a href="{_e(href(s, "/", lk, dict(bases)))}">{_e(lk.title)}</a></li>'
            for lk in nav
        )
        + '</ul><p class="hot-search">热门搜索：<a href="'
        + _e(href(s, "/", nav[2], dict(bases)))
        + '">年报</a></p></div>\n'
        '<div class="home-block"><div class="block-title">吉林要闻</div><ul class="list">'
        + _jl_list(s, news, "/", bases)
        + "</ul></div>\n",
    )


def jilin_landing(s: Site, bases: Mapping[str, str]) -> str:
    links = _extra(s, "/zwgk/")
    return _jl_page(
        s,
        "政府信息公开",
        '<div class="xxgk-nav"><div class="block-title">政府信息公开</div><ul>'
        '<li><a href="/zwgk/xxgkzn/">政府信息公开指南</a></li>'
        '<li><a href="/zwgk/xxgkzd/">政府信息公开制度</a></li>'
        '<li><a href="/zwgk/fdzdgknr/">法定主动公开内容</a></li>'
        + f'<li><a href="{_e(links[0].path or "")}">{_e(links[0].title)}</a></li></ul></div>\n'
        '<div class="xxgk-block"><div class="block-title">最新公开</div><ul class="list">'
        + _jl_list(s, links[1:3], "/zwgk/", bases)
        + '</ul></div>\n<div class="xxgk-block"><div class="block-title">政府信息公开年报</div>'
        '<ul class="list">'
        + _jl_list(s, links[3:], "/zwgk/", bases)
        + f'</ul><a class="more" href="{_e(links[0].path or "")}">更多&gt;&gt;</a></div>\n',
    )


def jilin_column(s: Site, bases: Mapping[str, str]) -> str:
    return _jl_page(
        s,
        s.column_name,
        render._sidebar(s)
        + '<div class="list-right"><div class="list-title"><span>'
        + _e(s.column_name)
        + '</span></div>\n<ul class="list">\n'
        + _jl_list(s, s.pages[0], s.column_path, bases)
        + "\n</ul>\n</div>\n",
    )


def jilin_sitemap(s: Site, bases: Mapping[str, str]) -> str:
    base = bases[s.key].rstrip("/")
    rows = []
    for lk in _extra(s, "/sitemap.xml"):
        path = lk.path or s.article(lk.article or "").path
        freq = "daily" if lk.article is None else "monthly"
        rows.append(
            f"  <url>\n    <loc>{_e(base + path)}</loc>\n    <lastmod>{lk.listed.isoformat()}"
            f"</lastmod>\n    <changefreq>{freq}</changefreq>\n  </url>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(rows)
        + "\n</urlset>\n"
    )


def _month(text: str) -> tuple[int, int] | None:
    year, _, month = text.partition("-")
    if len(year) == 4 and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
        return int(year), int(month)
    return None


def jilin_calendar(s: Site, year: int, month: int) -> str:
    prev = (year - 1, 12) if month == 1 else (year, month - 1)
    nxt = (year + 1, 1) if month == 12 else (year, month + 1)
    weeks = calendar.Calendar(firstweekday=0).monthdayscalendar(year, month)
    cells = "".join(
        "<tr>"
        + "".join(
            "<td></td>"
            if day == 0
            else (
                f'<td class="has-event"><span>{day}</span><em>政务公开日活动</em></td>'
                if day in (10, 20)
                else f"<td><span>{day}</span></td>"
            )
            for day in week
        )
        + "</tr>"
        for week in weeks
    )
    return _jl_page(
        s,
        f"活动日历 {year}年{month}月",
        f'<div class="calendar"><div class="calendar-title"><a href="?month={prev[0]:04d}-'
        f'{prev[1]:02d}">&lt; 上月</a><span>{year}年{month}月</span>'
        f'<a href="?month={nxt[0]:04d}-{nxt[1]:02d}">下月 &gt;</a></div>'
        '<table class="calendar-table"><tr><th>一</th><th>二</th><th>三</th><th>四</th>'
        f"<th>五</th><th>六</th><th>日</th></tr>{cells}</table></div>\n",
    )


def _hidden(s: Site) -> set[str]:
    """Keys of the articles linked from one place only (sitemap-only, landing-only)."""
    return {
        lk.article
        for _, links in s.extra_links
        for lk in links
        if lk.article and lk.special in ("sitemap-only", "landing-only")
    }


def jilin_search(s: Site, query: str, page: int) -> str:
    hidden = _hidden(s)
    pool = [a for a in s.articles if a.key not in hidden]
    results = "".join(
        f'<li><a href="{_e(a.path)}" target="_blank">{_e(a.title)}</a>'
        f"<p>……{_e(query)}……{_e(a.source)}</p><span>{a.published:%Y-%m-%d}</span></li>"
        for a in (pool[(page * 10 + i) % len(pool)] for i in range(10))
    )
    prev = f'<a href="?q={quote(query)}&amp;page={page - 1}">上一页</a> ' if page > 1 else ""
    return _jl_page(
        s,
        f"{query} - 站内搜索",
        f'<div class="search-result"><p>搜索“{_e(query)}”，找到相关结果约{137 + page * 10}条，'
        f"当前第{page}页</p><ul>{results}</ul>"
        f'<div class="page">{prev}<span class="current">{page}</span> '
        f'<a href="?q={quote(query)}&amp;page={page + 1}">下一页</a></div></div>\n',
    )


def render_jlportal(s: Site, bases: Mapping[str, str]) -> dict[str, Page]:
    latest = _latest(s)
    home = _html(s, jilin_home(s, bases), latest)
    column = _html(s, jilin_column(s, bases), latest)
    routes: dict[str, Page] = {
        **render.assets(),
        "/": home,
        "/index.html": home,
        "/zwgk/": _html(s, jilin_landing(s, bases), latest),
        s.column_path: column,
        "/sitemap.xml": Page(200, jilin_sitemap(s, bases).encode(), "application/xml", latest),
        "/robots.txt": _robots(f"Disallow: /api/\n\nSitemap: {bases[s.key]}sitemap.xml\n"),
    }
    for alias in s.extra_paths:
        routes[alias] = column
    for art in s.articles:  # no 上一篇/下一篇 on this portal: they would leak the hidden ones
        routes[art.path] = _html(s, trs_article(s, art, prev_next=False), _cst(art.published))
    return routes


def jilin_handler(s: Site) -> Handler:
    def handle(req: Request) -> Page | None:
        if req.method not in ("GET", "HEAD"):
            return None
        params = req.params()
        if req.path in (CALENDAR, CALENDAR + "index.html"):
            month = _month(params.get("month", "2024-01"))
            if month is None:
                return None  # the 404 page
            return _html(s, jilin_calendar(s, *month), None)
        if req.path in (SEARCH, SEARCH + "index.html"):
            text = params.get("page", "1")
            page = int(text) if text.isdigit() and int(text) > 0 else 1
            return _html(s, jilin_search(s, params.get("q", "") or "年报", page), None)
        return None

    return handle


# ======================================================================================


_RENDERERS: dict[str, Callable[[Site, Mapping[str, str]], dict[str, Page]]] = {
    "hanweb": render_hanweb,
    "ucap": render_ucap,
    "oldgbk": render_gbk,
    "trsfile": render_trsfile,
    "filelist": render_filelist,
    "trsxxgk": render_trsxxgk,
    "jlportal": render_jlportal,
}


def not_found_page(s: Site) -> Page:
    if s.cms == "oldgbk":
        return _html(s, gbk_not_found(s), None, status=404)
    return Page(404, render.not_found_page(s).encode("utf-8"), HTML, None)


def render_family(s: Site, bases: Mapping[str, str]) -> tuple[dict[str, Page], Page]:
    """All fixed pages of a family site keyed by path, and its 404 page."""
    return _RENDERERS[s.cms](s, bases), not_found_page(s)


def dynamic_handler(s: Site, bases: Mapping[str, str]) -> Handler | None:
    """What answers a family site's requests before its fixed pages (None: nothing)."""
    if s.cms == "hanweb":
        return hanweb_handler(s)
    if s.cms == "ucap":
        return api_handler(s)
    if s.cms == "trsxxgk":
        return walls_handler(s)
    if s.cms == "jlportal":
        return jilin_handler(s)
    return None
