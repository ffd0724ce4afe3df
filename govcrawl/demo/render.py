"""HTML of the replica sites: the chrome real government portals wrap around content.

Everything is rendered once when the server starts (absolute links need the bound
addresses) into :class:`Page` objects keyed by path. A detail page's bytes do not
depend on the path it is served at, so a mirror path serves identical bytes.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape

from govcrawl.demo.markup import load, to_html
from govcrawl.demo.sites import Article, Link, Site, href

HTML = "text/html; charset=utf-8"
CST = timezone(timedelta(hours=8))
_ASSET_DATE = datetime(2021, 3, 1, 9, 0, tzinfo=CST)
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@dataclass(frozen=True)
class Page:
    """One response the server can give."""

    status: int
    body: bytes
    content_type: str = HTML
    last_modified: datetime | None = None  # aware; None: no Last-Modified / ETag
    headers: tuple[tuple[str, str], ...] = ()  # further headers (Content-Disposition, Set-Cookie)


def _e(text: str) -> str:
    return escape(text, quote=True)


def _cst(dt: datetime) -> datetime:
    return dt.replace(tzinfo=CST) if dt.tzinfo is None else dt


# --- shared chrome -----------------------------------------------------------------

TRS_PAGER_JS = """
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount<=1){
		return;
	}
	var nCurrIndex = _nCurrIndex || 0;
	// 1 输出首页和上一页
	if(nCurrIndex == 0){
		document.write("<span>首页</span>&nbsp;<span>上一页</span>&nbsp;");
	}else if(nCurrIndex == 1){
		document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a>&nbsp;");
		document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">上一页</a>&nbsp;");
	}else{
		document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a>&nbsp;");
		document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex-1) + "." + _sPageExt
			+ "\\">上一页</a>&nbsp;");
	}
	// 2 输出下一页和尾页
	if(nCurrIndex == (_nPageCount-1)){
		document.write("<span>下一页</span>&nbsp;<span>尾页</span>");
	}else{
		document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex+1) + "." + _sPageExt
			+ "\\">下一页</a>&nbsp;");
		document.write("<a href=\\"" + _sPageName + "_" + (_nPageCount-1) + "." + _sPageExt
			+ "\\">尾页</a>");
	}
	document.write("&nbsp;共" + _nPageCount + "页");
}
"""


def _head(s: Site, title: str, metas: list[tuple[str, str]], extra: str = "") -> str:
    meta_html = "".join(f'<meta name="{_e(k)}" content="{_e(v)}">\n' for k, v in metas)
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{_e(title)}</title>\n{meta_html}"
        '<link rel="stylesheet" type="text/css" href="/images/common.css" />\n'
        '<script type="text/javascript" src="/js/jquery.min.js"></script>\n'
        '<script type="text/javascript" src="/js/common.js"></script>\n'
        f"{extra}</head>\n<body>\n"
    )


def _header(s: Site) -> str:
    slogan = f'<span class="slogan">{_e(s.slogan)}</span>' if s.slogan else ""
    return (
        '<div class="top-bar"><div class="wrap">\n'
        f'<div class="top-left">欢迎访问{_e(s.name)}门户网站！{slogan}</div>\n'
        '<div class="top-right"><a href="/member/login.html" class="login">登录</a><span>|</span>'
        '<a href="javascript:void(0);" id="barrier-free" onclick="aria.start()">无障碍</a>'
        '<span>|</span><a href="javascript:void(0);" class="elder-mode">适老版</a><span>|</span>'
        '<span class="mobile">请用手机扫码访问<span class="qr"><img src="/images/qrcode.png" '
        'alt="请用手机扫码访问" width="100" height="100"></span></span></div>\n'
        "</div></div>\n"
        '<div class="header"><div class="wrap">\n'
        f'<a href="/" class="logo"><img src="/images/logo.png" alt="{_e(s.name)}"></a>'
        f'<div class="site-name">{_e(s.name)}</div>\n'
        '<div class="search-box"><form action="/search/search.jsp" method="get" target="_blank">'
        '<input type="text" name="searchword" class="search-input" placeholder="请输入关键字">'
        '<input type="submit" class="search-btn" value="搜索"></form></div>\n'
        "</div></div>\n"
        '<div class="nav"><div class="wrap"><ul>\n'
        '<li><a href="/">首页</a></li>\n'
        '<li class="on"><a href="/zwgk/">政务公开</a></li>\n'
        '<li><a href="/zwfw/">政务服务</a></li>\n'
        '<li><a href="/hdjl/">互动交流</a></li>\n'
        f'<li><a href="/zjxx/">走进{_e(s.short)}</a></li>\n'
        "</ul></div></div>\n"
    )


def _breadcrumb(s: Site, column: bool) -> str:
    last = (
        f"<span>{_e(s.column_name)}</span>"
        if column
        else f'<a href="{_e(s.column_path)}">{_e(s.column_name)}</a>'
    )
    return (
        '<div class="location"><div class="wrap">您当前所在的位置：<a href="/">首页</a> &gt; '
        f'<a href="/zwgk/">政务公开</a> &gt; {last}</div></div>\n'
    )


def _footer(s: Site) -> str:
    police_code = s.police.split()[-1].rstrip("号")
    hotline = f"　监督热线：{_e(s.hotline)}" if s.hotline else ""
    return (
        '<div class="footer"><div class="wrap">\n'
        '<div class="footer-links"><a href="/zdzt/">站点地图</a> | '
        '<a href="/lxwm/">联系我们</a></div>\n'
        f"<p>主办：{_e(s.sponsor)}　承办单位：{_e(s.undertaker)}　"
        f"网站标识码：{_e(s.site_code)}</p>\n"
        '<p>网站备案号：<a href="https://beian.miit.gov.cn/" target="_blank">'
        f"{_e(s.icp)}</a>　"
        '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
        f'{police_code}" target="_blank"><img src="/images/gaba.png" alt="">{_e(s.police)}</a>'
        f"{hotline}</p>\n"
        f"<p>Copyright © 2024 {_e(s.domain)} All Rights Reserved</p>\n"
        '<div class="footer-badge"><a href="http://bszs.conac.cn/sitename?method=show&amp;id='
        f'{_e(s.site_code)}" target="_blank"><img src="/images/red.png" alt="党政机关"></a></div>\n'
        "</div></div>\n</body>\n</html>\n"
    )


def _related(s: Site) -> str:
    items = "".join(
        f'<li><a href="{_e(url)}" target="_blank">{_e(name)}</a></li>' for name, url in s.related
    )
    return f'<div class="related"><div class="related-title">相关链接</div><ul>{items}</ul></div>\n'


def _sidebar(s: Site) -> str:
    return (
        '<div class="side"><div class="side-title">政府信息公开</div><ul class="side-menu">'
        '<li><a href="/zwgk/xxgkzn/">政府信息公开指南</a></li>'
        '<li><a href="/zwgk/xxgkzd/">政府信息公开制度</a></li>'
        '<li><a href="/zwgk/fdzdgknr/">法定主动公开内容</a></li>'
        f'<li class="on"><a href="{_e(s.column_path)}">{_e(s.column_name)}</a></li>'
        "</ul></div>\n"
    )


# --- column pages --------------------------------------------------------------------


def _truncate(title: str, limit: int, tail: str) -> str:
    return title if len(title) <= limit else title[: limit - 1] + tail


def _list_html(s: Site, page_path: str, links: tuple[Link, ...], bases: Mapping[str, str]) -> str:
    rows: list[str] = []
    for link in links:
        url = _e(href(s, page_path, link, dict(bases)))
        title = _e(link.title)
        day = link.listed.isoformat()
        if s.cms == "trs":
            text = _e(_truncate(link.title, 24, "…"))
            rows.append(
                f'<li><a href="{url}" target="_blank" title="{title}">{text}</a>'
                f"<span>{day}</span></li>"
            )
        elif s.cms == "qingzhen":
            rows.append(
                f'<li><span class="date">{day}</span>'
                f'<a href="{url}" target="_blank">{title}</a></li>'
            )
        else:
            text = _e(_truncate(link.title, 26, "..."))
            rows.append(
                f'<tr><td class="list-icon">·</td><td class="list-title"><a href="{url}" '
                f'target="_blank" title="{title}">{text}</a></td>'
                f'<td class="list-date">[{day}]</td></tr>'
            )
    body = "\n".join(rows)
    if s.cms == "trs":
        return f'<ul class="list">\n{body}\n</ul>\n'
    if s.cms == "qingzhen":
        return f'<ul class="news-list">\n{body}\n</ul>\n'
    return (
        '<table class="list-table" width="100%" border="0" cellspacing="0" cellpadding="0">\n'
        f"{body}\n</table>\n"
    )


def _pager_html(s: Site, index: int) -> str:
    count = len(s.pages)
    if s.pagination == "trs":
        return (
            '<div class="page"><script type="text/javascript">'
            f'createPageHTML({count}, {index}, "index", "html");</script></div>\n'
        )
    if s.pagination == "numbered":

        def name(i: int) -> str:
            return s.page_path(i).rsplit("/", 1)[1]

        parts: list[str] = []
        if index == 0:
            parts += ['<span class="disabled">首页</span>', '<span class="disabled">上一页</span>']
        else:
            parts += [f'<a href="{name(0)}">首页</a>', f'<a href="{name(index - 1)}">上一页</a>']
        for i in range(count):
            parts.append(
                f'<span class="current">{i + 1}</span>'
                if i == index
                else f'<a href="{name(i)}">{i + 1}</a>'
            )
        if index == count - 1:
            parts += ['<span class="disabled">下一页</span>', '<span class="disabled">尾页</span>']
        else:
            parts += [
                f'<a href="{name(index + 1)}">下一页</a>',
                f'<a href="{name(count - 1)}">尾页</a>',
            ]
        parts.append(f"<span>共{count}页</span>")
        return '<div class="pagination">' + " ".join(parts) + "</div>\n"
    # query pagination, relative to the directory column
    total = sum(len(p) for p in s.pages)
    parts = [f"共{total}条记录　{index + 1}/{count}页　"]
    if index == 0:
        parts += ["首页 ", "上一页 "]
    else:
        prev = "index.html" if index == 1 else f"?page={index}"
        parts += ['<a href="index.html">首页</a> ', f'<a href="{prev}">上一页</a> ']
    if index == count - 1:
        parts += ["下一页 ", "尾页"]
    else:
        parts += [f'<a href="?page={index + 2}">下一页</a> ', f'<a href="?page={count}">尾页</a>']
    return '<div class="page">' + "".join(parts) + "</div>\n"


def column_page(s: Site, index: int, bases: Mapping[str, str]) -> str:
    page_path = s.page_path(index)
    extra = ""
    metas: list[tuple[str, str]] = [("keywords", f"{s.column_name},政府信息公开,{s.name}")]
    if s.cms == "trs":
        extra = f'<script type="text/javascript">{TRS_PAGER_JS}</script>\n'
        metas = [
            ("SiteName", s.name),
            ("SiteDomain", s.domain),
            ("SiteIDCode", s.site_code),
            ("ColumnName", s.column_name),
            ("ColumnType", s.column_name),
            ("ColumnKeywords", "政府信息公开年报"),
            ("ColumnDescription", f"{s.name}政府信息公开工作年度报告"),
        ]
    return (
        _head(s, f"{s.column_name}_{s.name}", metas, extra)
        + _header(s)
        + _breadcrumb(s, column=True)
        + '<div class="main"><div class="wrap">\n'
        + _sidebar(s)
        + '<div class="list-right"><div class="list-title"><span>'
        + _e(s.column_name)
        + "</span></div>\n"
        + _list_html(s, page_path, s.pages[index], bases)
        + _pager_html(s, index)
        + "</div>\n</div></div>\n"
        + _footer(s)
    )


# --- detail pages --------------------------------------------------------------------


def _neighbours(s: Site, art: Article) -> tuple[Article | None, Article | None]:
    live = [a for a in s.articles if a.status == 200]
    i = live.index(art)
    prev = live[i - 1] if i > 0 else None
    nxt = live[i + 1] if i + 1 < len(live) else None
    return prev, nxt


def _prev_next(s: Site, art: Article) -> str:
    prev, nxt = _neighbours(s, art)

    def one(label: str, a: Article | None) -> str:
        if a is None:
            return f"<p>{label}：没有了</p>"
        return f'<p>{label}：<a href="{_e(a.path)}" title="{_e(a.title)}">{_e(a.title)}</a></p>'

    return '<div class="prev-next">' + one("上一篇", prev) + one("下一篇", nxt) + "</div>\n"


def _font_tools() -> str:
    return (
        '字体：[<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
        '<a href="javascript:doZoom(14)">小</a>]'
    )


def _print_close() -> str:
    return (
        '<a href="javascript:window.print();">打印</a>　'
        '<a href="javascript:window.opener=null;window.close();">关闭窗口</a>'
    )


def detail_page(s: Site, art: Article) -> str:
    assert art.body is not None
    doc = load(art.body)
    published = art.published.strftime("%Y-%m-%d %H:%M")
    first = next((p for p in doc.paragraphs if len(p) > 30), doc.paragraphs[0])
    description = first[:120]
    if s.cms == "trs":
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
        publisher = f"发布单位：{_e(art.publisher)}　　" if art.publisher else ""
        info = (
            f'<div class="article-info">发布日期：{published}　　{publisher}'
            f'来源：{_e(art.source)}　　点击量：<span id="hits">{art.clicks}</span>　　'
            f"{_font_tools()}　　{_print_close()}</div>\n"
        )
        content = (
            f'<div class="article-title"><h1>{_e(art.title)}</h1></div>\n{info}'
            f'<div class="article-content" id="zoomcon">\n<div class="TRS_Editor">'
            f"{to_html(doc, 'trs')}</div>\n</div>\n"
        )
    elif s.cms == "qingzhen":
        metas = []  # this CMS writes no <meta> besides the charset
        info = (
            f'<div class="article-info"><span>发布时间：{art.published:%Y-%m-%d %H:%M:%S}</span>'
            f"<span>来源：{_e(art.source)}</span><span>浏览次数：{art.clicks}</span>"
            f"<span>{_font_tools()}</span><span>{_print_close()}</span></div>\n"
        )
        content = (
            f'<div class="article-title"><h1>{_e(art.title)}</h1></div>\n{info}'
            f'<div class="article-content">\n{to_html(doc, "qingzhen")}\n</div>\n'
            '<div class="article-share">分享到：<a href="javascript:void(0);" class="share-wx">'
            '微信</a> <a href="javascript:void(0);" class="share-wb">微博</a></div>\n'
        )
    else:
        metas = [("keywords", art.title), ("description", description)]
        info = (
            f'<div class="con_info">发布时间：{art.published:%Y年%m月%d日 %H:%M}　'
            f"来源：{_e(art.source)}　浏览次数：{art.clicks}　"
            f"【{_font_tools()}】【{_print_close()}】</div>\n"
        )
        content = (
            f'<div class="con_title">{_e(art.title)}</div>\n{info}'
            f'<div id="zoom">\n{to_html(doc, "longtan")}\n</div>\n'
        )
    return (
        _head(s, f"{art.title}_{s.name}", metas)
        + _header(s)
        + _breadcrumb(s, column=False)
        + '<div class="main"><div class="wrap"><div class="article">\n'
        + content
        + _prev_next(s, art)
        + _related(s)
        + "</div></div></div>\n"
        + _footer(s)
    )


def home_page(s: Site) -> str:
    return (
        _head(s, s.name, [("keywords", s.name), ("description", f"{s.name}门户网站")])
        + _header(s)
        + '<div class="main"><div class="wrap">\n'
        + '<div class="home-block"><div class="block-title">政务公开</div><ul>'
        + '<li><a href="/zwgk/xxgkzn/">政府信息公开指南</a></li>'
        + '<li><a href="/zwgk/fdzdgknr/">法定主动公开内容</a></li>'
        + f'<li><a href="{_e(s.column_path)}">{_e(s.column_name)}</a></li>'
        + "</ul></div>\n"
        + _related(s)
        + "</div></div>\n"
        + _footer(s)
    )


def search_page(s: Site) -> str:
    return (
        _head(s, f"站内检索_{s.name}", [])
        + _header(s)
        + '<div class="main"><div class="wrap"><div class="search-result">'
        + "<p>检索结果：共找到0条记录。</p></div></div></div>\n"
        + _footer(s)
    )


def not_found_page(s: Site) -> str:
    if s.cms == "farm":
        return NGINX_404
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>404 页面不存在</title>\n'
        '<link rel="stylesheet" type="text/css" href="/images/common.css" />\n</head>\n<body>\n'
        '<div class="error-page"><div class="error-code">404</div>'
        "<p>抱歉，您访问的页面不存在或已被删除！</p>"
        f'<p><a href="/">返回{_e(s.name)}首页</a></p></div>\n</body>\n</html>\n'
    )


NGINX_404 = (
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
NGINX_500 = (
    "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n"
    "<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
NGINX_405 = (
    "<html>\r\n<head><title>405 Not Allowed</title></head>\r\n<body>\r\n"
    "<center><h1>405 Not Allowed</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
ROBOTS = "User-agent: *\nDisallow: /search/\n"


# --- the 范文 aggregator ---------------------------------------------------------------


def _farm_chrome_top(s: Site, title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}-{_e(s.name)}</title>\n"
        f'<meta name="keywords" content="{_e(title)},工作计划范文,政府信息公开">\n'
        '<link rel="stylesheet" href="/static/css/style.css">\n'
        '<script src="/static/js/main.js"></script>\n</head>\n<body>\n'
        f'<div class="header"><a href="/" class="logo">{_e(s.name)}</a><ul class="nav">'
        '<li><a href="/">首页</a></li><li><a href="/gongzuozongjie/">工作总结</a></li>'
        '<li><a href="/gongzuojihua/">工作计划</a></li><li><a href="/xindetihui/">心得体会</a></li>'
        '<li><a href="/fanwendaquan/">范文大全</a></li></ul></div>\n'
    )


def _farm_footer(s: Site) -> str:
    return (
        '<div class="footer"><p>本站部分文章来自网络，仅供学习参考，如有侵权请联系删除。</p>'
        f"<p>Copyright © 2023 {_e(s.domain)} 版权所有</p></div>\n</body>\n</html>\n"
    )


def farm_page(s: Site, art: Article) -> str:
    assert art.body is not None
    doc = load(art.body)
    paragraphs = doc.paragraphs
    title, byline = paragraphs[0], paragraphs[1].replace(": ", "：").replace(":", "：")
    rest = "\n".join(f"<p>{_e(p)}</p>" for p in paragraphs[2:])
    return (
        _farm_chrome_top(s, title)
        + f'<div class="main"><div class="article"><h1>{_e(title)}</h1>\n'
        + f'<div class="art-info"><span>{_e(byline)}</span><span>时间：'
        + f"{art.published:%Y-%m-%d}</span></div>\n"
        + '<div class="ad-slot">广告位招租</div>\n'
        + f'<div class="article-body">\n{rest}\n</div>\n'
        + '<div class="art-tips">下载本文档 需要积分 5 分 | 复制全文请升级会员</div>\n'
        + "</div></div>\n"
        + _farm_footer(s)
    )


def farm_home(s: Site) -> str:
    items = "".join(f'<li><a href="{_e(a.path)}">{_e(a.title)}</a></li>' for a in s.articles)
    return (
        _farm_chrome_top(s, "范文大全")
        + f'<div class="main"><ul class="art-list">{items}</ul></div>\n'
        + _farm_footer(s)
    )


# --- assets ----------------------------------------------------------------------------

_CSS = (
    'body{margin:0;font:14px/1.6 "Microsoft YaHei",SimSun,sans-serif;color:#333}'
    ".wrap{width:1200px;margin:0 auto}.top-bar{background:#f5f5f5;height:36px}"
    ".nav{background:#b5121b}.nav li{float:left;list-style:none}.nav a{color:#fff}"
    ".list li{line-height:36px;border-bottom:1px dashed #ddd}.list li span{float:right}"
    ".footer{background:#eee;text-align:center;padding:20px 0}\n"
)
_JS = (
    "/* site common scripts */\nfunction doZoom(size){var el=document.getElementById('zoomcon')"
    "||document.getElementById('zoom');if(el){el.style.fontSize=size+'px';}}\n"
)
_JQUERY = "/*! jQuery v1.12.4 | (c) jQuery Foundation | jquery.org/license (replica stub) */\n"


def assets() -> dict[str, Page]:
    css = Page(200, _CSS.encode(), "text/css", _ASSET_DATE)
    png = Page(200, _PNG, "image/png", _ASSET_DATE)
    return {
        "/images/common.css": css,
        "/js/jquery.min.js": Page(200, _JQUERY.encode(), "application/javascript", _ASSET_DATE),
        "/js/common.js": Page(200, _JS.encode(), "application/javascript", _ASSET_DATE),
        "/images/logo.png": png,
        "/images/qrcode.png": png,
        "/images/gaba.png": png,
        "/images/red.png": png,
        "/static/css/style.css": css,
        "/static/js/main.js": Page(200, _JS.encode(), "application/javascript", _ASSET_DATE),
    }


# --- a whole site ------------------------------------------------------------------------


def _html(status: int, text: str, modified: datetime | None) -> Page:
    return Page(status, text.encode("utf-8"), HTML, modified)


def render_site(s: Site, bases: Mapping[str, str]) -> tuple[dict[str, Page], Page]:
    """All pages of a site keyed by path (or path?query), and its 404 page."""
    if s.family != "classic" and s.cms != "farm":
        from govcrawl.demo.families import render_family

        return render_family(s, bases)
    routes: dict[str, Page] = dict(assets())
    routes["/robots.txt"] = Page(200, ROBOTS.encode(), "text/plain; charset=utf-8", _ASSET_DATE)
    latest = max((_cst(a.published) for a in s.articles), default=_ASSET_DATE)
    not_found = _html(404, not_found_page(s), None)
    if s.cms == "farm":
        home = _html(200, farm_home(s), latest)
        routes["/"] = routes["/index.html"] = routes[s.column_path] = home
        for art in s.articles:
            routes[art.path] = _html(200, farm_page(s, art), _cst(art.published))
        return routes, not_found
    home = _html(200, home_page(s), latest)
    routes["/"] = routes["/index.html"] = home
    for index in range(len(s.pages)):
        listed = max(
            _cst(datetime.combine(link.listed, datetime.min.time())) for link in s.pages[index]
        )
        page = _html(200, column_page(s, index, bases), max(listed, latest))
        routes[s.page_path(index)] = page
        if index == 0:
            for alias in s.extra_paths:
                routes[alias] = page
    for art in s.articles:
        if art.status != 200 or art.body is None:
            page = Page(art.status, NGINX_500.encode(), HTML, None)
        else:
            page = _html(200, detail_page(s, art), _cst(art.published))
        for path in (art.path, *art.mirror_paths):
            routes[path] = page
    routes["/search/"] = _html(200, search_page(s), None)
    return routes, not_found
