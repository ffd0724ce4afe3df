"""What the local portal replicas serve: a declarative spec of sites, columns and pages.

Four government portals (two TRS WCM sites, two generic CMSs) and one offsite 范文
aggregator, modelled on the real sites the samples come from (``SITES``, the
"classic" family), and seven replicas of the portals most jurisdictions actually run
(``FAMILY_SITES``): Hanweb/大汉 with its ``dataproxy.jsp`` record lists (浙江省), a
script-rendered column (宜春市), an old GBK table site (万载县), reports published as
attachments (淮安市) or as a bare list of PDFs (洪泽区), a TRS portal behind anti-bot
walls with soft 404s (邯郸市), and a portal with no report column configured, only a
sitemap, an 信息公开 landing page and crawler traps (吉林市). Every link is declared
here with what it is (report or not, year, jurisdiction, kind, special case), so tests
can assert a crawl against :func:`column_links` rather than a hand-kept list.

Bodies come from ``govcrawl/demo/data/`` (see :mod:`govcrawl.demo.markup`): the
cleaned sample texts, and replica content derived from them for the other years
(each such file starts with a ``# 复制站内容（replica content）`` note); attachments
from ``govcrawl/demo/data/files/`` (real captures and generated files, see its README).
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

from govcrawl.demo.markup import Document
from govcrawl.demo.texts import short_text

CMS = Literal[
    "trs",
    "qingzhen",
    "longtan",
    "farm",  # the classic sites
    "hanweb",
    "ucap",
    "oldgbk",
    "trsfile",
    "filelist",
    "trsxxgk",
    "jlportal",  # the families
]
Pagination = Literal["trs", "numbered", "query", "none", "jpage", "api", "static"]
Special = Literal[
    "spam",
    "url-variant",
    "mirror",
    "404",
    "500",
    "offsite",
    "robots",
    # the family sites:
    "wall-412",  # HTTP 412 with a 瑞数 $_ts body, always: never yields
    "wall-521",  # 加速乐: HTTP 521 + a script setting __jsl_clearance_s; yields to a browser
    "wall-cookie",  # HTTP 200, a tiny script setting C3VK then reloading; yields to a browser
    "soft404",  # HTTP 200 with a full site page saying 页面不存在
    "charset-mismatch",  # GBK bytes, but the HTTP header says charset=utf-8
    "wrapper",  # an HTML page that only wraps the report attachment
    "attachment",  # the report itself, as a file linked from a wrapper page
    "annex",  # a report's 附表 (statistics table) as a spreadsheet
    "scanned",  # a PDF whose pages are images: no text layer
    "trap",  # an endless link chain (calendar months, search result pages)
    "sitemap-only",  # reachable only through /sitemap.xml
    "landing-only",  # linked only from the 信息公开 landing page, not from the column
]
HrefStyle = Literal["relative", "root", "absolute"]
Kind = Literal["html", "pdf", "doc", "docx", "xls", "xlsx"]
Wall = Literal["412", "521", "cookie"]
Family = Literal["classic", "hanweb", "script", "gbk", "attachment", "wall", "discovery"]
FAMILY_NAMES: tuple[Family, ...] = (
    "classic",
    "hanweb",
    "script",
    "gbk",
    "attachment",
    "wall",
    "discovery",
)
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Attachment:
    """A file linked from a detail page (附件)."""

    title: str  # the link text: the file name as the page shows it
    path: str
    kind: Kind
    file: str  # name under data/files/
    is_report: bool
    report_year: int | None
    special: Special | None = "attachment"


@dataclass(frozen=True)
class Article:
    """A detail page on a site."""

    key: str
    title: str
    path: str
    published: datetime  # as the page states it (China Standard Time)
    source: str  # 来源
    body: str | None  # data file name without .txt; None for a page that errors
    is_report: bool
    report_year: int | None
    jurisdiction: str  # administrative division code the page belongs to
    status: int = 200  # 500: the server fails on this page
    mirror_paths: tuple[str, ...] = ()  # further paths serving the same bytes
    hits: int | None = None  # 点击量 (derived from the key if not given)
    publisher: str | None = None  # 发布单位 line, where the site shows one
    spam: bool = False  # the body carries injected gambling spam (kept on purpose)
    # --- used by the family sites ---
    kind: Kind = "html"
    file: str | None = None  # kind != html: the file under data/files/ served at `path`
    attachments: tuple[Attachment, ...] = ()
    wall: Wall | None = None
    header_charset: str | None = None  # a charset the HTTP header claims against the bytes
    text: str | None = None  # inline markup body (short generated pages) instead of `body`
    index_no: str = ""  # 索引号

    @property
    def clicks(self) -> int:
        if self.hits is not None:
            return self.hits
        return 300 + int(hashlib.sha1(self.key.encode()).hexdigest(), 16) % 9000


@dataclass(frozen=True)
class Link:
    """One entry of a column listing."""

    title: str  # the full title (TRS lists truncate the text, keep it in title=)
    listed: date  # the date printed beside the link
    article: str | None = None  # key of an Article on the same site
    path: str | None = None  # target path when it is not the article's own path
    query: str = ""
    fragment: str = ""
    href: HrefStyle = "relative"
    target_site: str | None = None  # another site (offsite link)
    special: Special | None = None
    # For links without an article (404, offsite, robots): what the title says.
    is_report: bool = False
    report_year: int | None = None
    jurisdiction: str | None = None
    kind: Kind = "html"


@dataclass(frozen=True)
class Site:
    key: str
    region: str | None  # registry slug; None for a site that is not a government portal
    name: str  # site name, e.g. 扎兰屯市人民政府
    short: str  # 走进XX
    domain: str  # the real portal's host, printed in the footer
    cms: CMS
    pagination: Pagination
    column_path: str  # the report column's first page
    column_name: str
    container: str  # CSS selector of the article body container
    list_selector: str  # CSS selector of one column list entry
    sponsor: str  # 主办
    undertaker: str  # 承办
    site_code: str  # 网站标识码
    icp: str
    police: str  # 公网安备
    related: tuple[tuple[str, str], ...]  # 相关链接 (name, URL)
    articles: tuple[Article, ...] = ()
    pages: tuple[tuple[Link, ...], ...] = ()
    slogan: str = ""
    hotline: str = ""
    extra_paths: tuple[str, ...] = field(default=())  # column aliases served (e.g. index.html)
    # --- used by the family sites ---
    family: Family = "classic"
    encoding: str = "utf-8"  # of every HTML page
    portal_url: str = ""  # the real portal
    column_id: str = ""  # Hanweb columnid / the JSON API's columnId
    unit_id: str = ""  # Hanweb unitid
    web_id: str = ""  # Hanweb webid
    # Links outside the column: (page path, links) for a home page, an 信息公开 landing
    # page or /sitemap.xml.
    extra_links: tuple[tuple[str, tuple[Link, ...]], ...] = ()

    def article(self, key: str) -> Article:
        for art in self.articles:
            if art.key == key:
                return art
        raise KeyError(f"site {self.key!r} has no article {key!r}")

    def page_path(self, index: int) -> str:
        """Path (with query) of the column's page `index` (0-based)."""
        if self.pagination == "jpage":  # the records come from POSTs, 45 at a time
            first = index * JPAGE_GROUP + 1
            return (
                f"{DATAPROXY}?startrecord={first}&endrecord={first + JPAGE_GROUP - 1}"
                f"&perpage={JPAGE_PER_PAGE}"
            )
        if self.pagination == "api":  # the records come from a JSON API
            return f"{LIST_API}?columnId={self.column_id}&page={index + 1}"
        if index == 0:
            return self.column_path
        directory, _, name = self.column_path.rpartition("/")
        ext = "." + name.rsplit(".", 1)[1] if "." in name else ".html"
        if self.pagination in ("trs", "static"):  # index.html, index_1.html, ...
            return f"{directory}/index_{index}{ext}"
        if self.pagination == "numbered":  # 1 2 3: index.html, index_2.html, ...
            return f"{directory}/index_{index + 1}{ext}"
        if self.pagination == "query":
            return f"{self.column_path}?page={index + 1}"
        raise ValueError(f"site {self.key!r} has no pagination")

    def page_paths(self) -> list[str]:
        return [self.page_path(i) for i in range(len(self.pages))]


@dataclass(frozen=True)
class ColumnLink:
    """A column link resolved: where it points and what the crawler should make of it."""

    site: str  # the site whose column lists it
    page: str  # path of the column page carrying it
    target_site: str  # the site the link points to
    path: str  # absolute path on target_site, with query if any
    fragment: str
    title: str
    is_report: bool
    report_year: int | None
    published: date  # as the detail page states it (else the listing date)
    jurisdiction: str | None  # None: not a document of any jurisdiction
    special: Special | None
    status: int  # what the server answers
    kind: Kind = "html"


DATAPROXY = "/module/web/jpage/dataproxy.jsp"
JPAGE_PER_PAGE = 15
JPAGE_GROUP = 45  # records per dataproxy request (three pages of 15)
LIST_API = "/api/column/list"


def _dt(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def _d(text: str) -> date:
    return datetime.strptime(text, "%Y-%m-%d").date()


FARM_PATH = "/gongzuojihua/20230612/58213.html"
FARM_TITLE = "政府信息公开年度工作计划范文(18篇)"

# --- 扎兰屯市 (TRS WCM) ---------------------------------------------------------------
_Z = "/zwgk/zfxxgknb/"
ZHALANTUN = Site(
    key="zhalantun",
    region="zhalantun",
    name="扎兰屯市人民政府",
    short="扎兰屯",
    domain="www.zhalantun.gov.cn",
    cms="trs",
    pagination="trs",
    column_path=_Z + "index.html",
    column_name="政府信息公开年报",
    container="div.TRS_Editor",
    list_selector="ul.list li",
    sponsor="扎兰屯市人民政府办公室",
    undertaker="扎兰屯市政务服务与数据管理局",
    site_code="1507830002",
    icp="蒙ICP备2022001701号-1",
    police="蒙公网安备 15078302000121号",
    hotline="0470-3306171",
    related=(
        ("中国政府网", "http://www.gov.cn/"),
        ("内蒙古自治区人民政府", "http://www.nmg.gov.cn/"),
        ("呼伦贝尔市人民政府", "http://www.hlbe.gov.cn/"),
    ),
    articles=(
        # Replica content (derived from the 成吉思汗镇 sample): data/zhalantun-2022.txt.
        Article(
            "z2022",
            "扎兰屯市2022年政府信息公开工作年度报告",
            _Z + "202301/t20230119_3512876.html",
            _dt("2023-01-19 09:45"),
            "扎兰屯市人民政府办公室",
            "zhalantun-2022",
            True,
            2022,
            "150783",
        ),
        # Replica content: an ordinary notice, not a report.
        Article(
            "znotice",
            "关于做好2022年政府信息公开年度报告编制工作的通知",
            _Z + "202212/t20221202_3489011.html",
            _dt("2022-12-02 16:10"),
            "扎兰屯市人民政府办公室",
            "zhalantun-2022-notice",
            False,
            None,
            "150783",
        ),
        # Replica content: 工作要点, not a report.
        Article(
            "zpoints",
            "扎兰屯市2022年政务公开工作要点",
            _Z + "202204/t20220415_3412205.html",
            _dt("2022-04-15 11:20"),
            "扎兰屯市人民政府办公室",
            "zhalantun-2022-points",
            False,
            None,
            "150783",
        ),
        # The sample, cleaned; the injected gambling spam is kept on purpose.
        Article(
            "cjsh2021",
            "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告",
            _Z + "202201/t20220127_3381234.html",
            _dt("2022-01-27 10:30"),
            "成吉思汗镇",
            "chengjisihan-2021",
            True,
            2021,
            "150783103",
            spam=True,
        ),
        # Replica content (derived): data/zhalantun-2021.txt.
        Article(
            "z2021",
            "扎兰屯市2021年政府信息公开工作年度报告",
            _Z + "202201/t20220121_3378456.html",
            _dt("2022-01-21 15:05"),
            "扎兰屯市人民政府办公室",
            "zhalantun-2021",
            True,
            2021,
            "150783",
        ),
        # Replica content (derived, 2019 report format): data/zhalantun-2020.txt; also
        # published under the 法定主动公开内容 column (same bytes).
        Article(
            "z2020",
            "扎兰屯市2020年政府信息公开工作年度报告",
            _Z + "202101/t20210129_2998765.html",
            _dt("2021-01-29 17:20"),
            "扎兰屯市人民政府办公室",
            "zhalantun-2020",
            True,
            2020,
            "150783",
            mirror_paths=("/zwgk/fdzdgknr/zfxxgknb/202101/t20210129_2998765.html",),
        ),
    ),
    pages=(
        (
            Link("扎兰屯市2022年政府信息公开工作年度报告", _d("2023-01-19"), "z2022"),
            Link("关于做好2022年政府信息公开年度报告编制工作的通知", _d("2022-12-02"), "znotice"),
            Link("扎兰屯市2022年政务公开工作要点", _d("2022-04-15"), "zpoints"),
            Link(
                "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告",
                _d("2022-01-27"),
                "cjsh2021",
                special="spam",
            ),
        ),
        (
            # The same report again, spelled as an absolute URL with tracking and fragment.
            Link(
                "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告",
                _d("2022-01-27"),
                "cjsh2021",
                href="absolute",
                query="utm_source=wechat",
                fragment="content",
                special="url-variant",
            ),
            Link("扎兰屯市2021年政府信息公开工作年度报告", _d("2022-01-21"), "z2021"),
            Link(
                FARM_TITLE,
                _d("2021-11-08"),
                href="absolute",
                target_site="contentfarm",
                path=FARM_PATH,
                special="offsite",
            ),
            Link(
                "政府信息公开年报检索",
                _d("2021-06-01"),
                href="root",
                path="/search/search.jsp",
                query="searchword=%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A&channelid=212345",
                special="robots",
            ),
        ),
        (
            Link("扎兰屯市2020年政府信息公开工作年度报告", _d("2021-01-29"), "z2020"),
            Link(
                "扎兰屯市2020年政府信息公开工作年度报告",
                _d("2021-01-29"),
                "z2020",
                path="/zwgk/fdzdgknr/zfxxgknb/202101/t20210129_2998765.html",
                special="mirror",
            ),
        ),
    ),
)

# --- 昆都仑区 (TRS WCM) ---------------------------------------------------------------
_K = "/xxgk/zfxxgknb/"
KUNDULUN = Site(
    key="kundulun",
    region="kundulun",
    name="昆都仑区人民政府",
    short="昆区",
    domain="www.kdl.gov.cn",
    cms="trs",
    pagination="trs",
    column_path=_K + "index.html",
    column_name="政府信息公开年报",
    container="div.TRS_Editor",
    list_selector="ul.list li",
    # Replica values for the footer identifiers.
    sponsor="包头市昆都仑区人民政府办公室",
    undertaker="昆都仑区大数据中心",
    site_code="1502030001",
    icp="蒙ICP备05002318号-1",
    police="蒙公网安备 15020302000118号",
    slogan="智慧昆都仑",
    related=(
        ("中国政府网", "http://www.gov.cn/"),
        ("内蒙古自治区人民政府", "http://www.nmg.gov.cn/"),
        ("包头市人民政府", "http://www.baotou.gov.cn/"),
    ),
    articles=(
        # The server answers 500 for this one (a broken page on the live site).
        Article(
            "k2015",
            "昆都仑区2015年政府信息公开工作年度报告",
            _K + "201603/t20160325_1520394.html",
            _dt("2016-03-25 10:00"),
            "昆区政府网",
            None,
            True,
            2015,
            "150203",
            status=500,
        ),
        # Replica content (derived from the 2013 sample): data/kundulun-2014.txt.
        Article(
            "k2014",
            "昆都仑区2014年政府信息公开工作年度报告",
            _K + "201503/t20150320_1203317.html",
            _dt("2015-03-20 10:12"),
            "昆区政府网",
            "kundulun-2014",
            True,
            2014,
            "150203",
            publisher="昆区政府管理员",
        ),
        # Replica content: 工作要点, not a report.
        Article(
            "kpoints",
            "昆都仑区2014年政务公开工作要点",
            _K + "201404/t20140410_1003852.html",
            _dt("2014-04-10 09:00"),
            "昆区政府网",
            "kundulun-2014-points",
            False,
            None,
            "150203",
            publisher="昆区政府管理员",
        ),
        # Replica content: 工作计划, not a report.
        Article(
            "kplan",
            "昆都仑区2014年政府信息公开工作计划",
            _K + "201402/t20140218_987612.html",
            _dt("2014-02-18 14:30"),
            "昆区政府网",
            "kundulun-2014-plan",
            False,
            None,
            "150203",
            publisher="昆区政府管理员",
        ),
        # The sample, cleaned (published 2014-01-30 10:55, 点击量 19578 as on the live page).
        Article(
            "k2013",
            "昆都仑区人民政府关于2013年度政府信息公开年度报告",
            _K + "201401/t20140130_975503.html",
            _dt("2014-01-30 10:55"),
            "昆区政府网",
            "kundulun-2013",
            True,
            2013,
            "150203",
            hits=19578,
            publisher="昆区政府管理员",
        ),
        # Replica content (derived from the 2013 sample): data/kundulun-2012.txt.
        Article(
            "k2012",
            "昆都仑区人民政府2012年度政府信息公开年度报告",
            _K + "201303/t20130308_702214.html",
            _dt("2013-03-08 15:40"),
            "昆区政府网",
            "kundulun-2012",
            True,
            2012,
            "150203",
            publisher="昆区政府管理员",
        ),
    ),
    pages=(
        (
            Link(
                "昆都仑区2015年政府信息公开工作年度报告", _d("2016-03-25"), "k2015", special="500"
            ),
            Link("昆都仑区2014年政府信息公开工作年度报告", _d("2015-03-20"), "k2014"),
            Link("昆都仑区2014年政务公开工作要点", _d("2014-04-10"), "kpoints"),
            Link("昆都仑区2014年政府信息公开工作计划", _d("2014-02-18"), "kplan"),
        ),
        (
            Link("昆都仑区人民政府关于2013年度政府信息公开年度报告", _d("2014-01-30"), "k2013"),
            Link("昆都仑区人民政府2012年度政府信息公开年度报告", _d("2013-03-08"), "k2012"),
        ),
    ),
)

# --- 清镇市 (generic CMS, numbered pagination) ----------------------------------------
_Q = "/zfxxgk/zfxxgknb/"
QINGZHEN = Site(
    key="qingzhen",
    region="qingzhen",
    name="清镇市人民政府",
    short="清镇",
    domain="www.gzqz.gov.cn",
    cms="qingzhen",
    pagination="numbered",
    column_path=_Q + "index.html",
    column_name="政府信息公开年报",
    container="div.article-content",
    list_selector="ul.news-list li",
    # Replica values for the footer identifiers.
    sponsor="清镇市人民政府办公室",
    undertaker="清镇市大数据发展管理局",
    site_code="5201810001",
    icp="黔ICP备05003842号-1",
    police="贵公网安备 52018102000105号",
    related=(
        ("中国政府网", "http://www.gov.cn/"),
        ("贵州省人民政府", "http://www.guizhou.gov.cn/"),
        ("贵阳市人民政府", "http://www.guiyang.gov.cn/"),
    ),
    articles=(
        # Replica content (derived from the 2013 sample): data/qingzhen-2014.txt.
        Article(
            "q2014",
            "清镇市2014年政府信息公开工作年度报告",
            _Q + "201503/content_48213.html",
            _dt("2015-03-18 16:20"),
            "清镇市人民政府办公室",
            "qingzhen-2014",
            True,
            2014,
            "520181",
        ),
        # Replica content: 工作要点, not a report.
        Article(
            "qpoints",
            "清镇市2014年政务公开工作要点",
            _Q + "201404/content_36120.html",
            _dt("2014-04-02 10:40"),
            "清镇市人民政府办公室",
            "qingzhen-2014-points",
            False,
            None,
            "520181",
        ),
        # The sample, cleaned (dates restored).
        Article(
            "q2013",
            "清镇市2013年政府信息公开年度报告",
            _Q + "201403/content_34877.html",
            _dt("2014-03-12 09:05"),
            "清镇市人民政府办公室",
            "qingzhen-2013",
            True,
            2013,
            "520181",
        ),
        # Replica content: a notice about compiling the reports, not a report.
        Article(
            "qnotice",
            "关于做好2013年政府信息公开年度报告编制工作的通知",
            _Q + "201401/content_31562.html",
            _dt("2014-01-08 15:30"),
            "清镇市人民政府办公室",
            "qingzhen-2013-notice",
            False,
            None,
            "520181",
        ),
        # Replica content (derived from the 2013 sample): data/qingzhen-2012.txt.
        Article(
            "q2012",
            "清镇市2012年政府信息公开年度报告",
            _Q + "201303/content_21934.html",
            _dt("2013-03-15 11:15"),
            "清镇市人民政府办公室",
            "qingzhen-2012",
            True,
            2012,
            "520181",
        ),
    ),
    pages=(
        (
            Link("清镇市2014年政府信息公开工作年度报告", _d("2015-03-18"), "q2014", href="root"),
            Link("清镇市2014年政务公开工作要点", _d("2014-04-02"), "qpoints", href="root"),
            Link("清镇市2013年政府信息公开年度报告", _d("2014-03-12"), "q2013", href="root"),
        ),
        (
            Link(
                FARM_TITLE,
                _d("2014-02-20"),
                href="absolute",
                target_site="contentfarm",
                path=FARM_PATH,
                special="offsite",
            ),
            Link(
                "关于做好2013年政府信息公开年度报告编制工作的通知",
                _d("2014-01-08"),
                "qnotice",
                href="root",
            ),
            Link("清镇市2012年政府信息公开年度报告", _d("2013-03-15"), "q2012", href="root"),
        ),
        (
            # A dead link: the page was removed when the site was rebuilt.
            Link(
                "清镇市2011年政府信息公开年度报告",
                _d("2012-03-20"),
                href="root",
                path=_Q + "201203/content_12045.html",
                special="404",
                is_report=True,
                report_year=2011,
                jurisdiction="520181",
            ),
        ),
    ),
)

# --- 龙潭区 (generic CMS, directory column, 下一页 by query) --------------------------
LONGTAN = Site(
    key="longtan",
    region="longtan",
    name="吉林市龙潭区人民政府",
    short="龙潭",
    domain="www.jllt.gov.cn",
    cms="longtan",
    pagination="query",
    column_path="/zwgk/zfxxgknb/",
    column_name="政府信息公开年报",
    container="#zoom",
    list_selector="table.list-table tr",
    # Replica values for the footer identifiers.
    sponsor="吉林市龙潭区人民政府办公室",
    undertaker="龙潭区政务服务和数字化建设管理局",
    site_code="2202030001",
    icp="吉ICP备11002913号-1",
    police="吉公网安备 22020302000045号",
    related=(
        ("中国政府网", "http://www.gov.cn/"),
        ("吉林省人民政府", "http://www.jl.gov.cn/"),
        ("吉林市人民政府", "http://www.jlcity.gov.cn/"),
    ),
    extra_paths=("/zwgk/zfxxgknb/index.html",),
    articles=(
        # Replica content (derived from the 乌拉街 sample): data/longtan-2014.txt.
        Article(
            "l2014",
            "龙潭区2014年政府信息公开工作年度报告",
            "/contents/2417/86531.html",
            _dt("2015-03-26 09:32"),
            "龙潭区人民政府办公室",
            "longtan-2014",
            True,
            2014,
            "220203",
        ),
        # Replica content: 工作要点, not a report.
        Article(
            "lpoints",
            "龙潭区2014年政务公开工作要点",
            "/contents/2417/79012.html",
            _dt("2014-03-28 14:05"),
            "龙潭区人民政府办公室",
            "longtan-2014-points",
            False,
            None,
            "220203",
        ),
        # Replica content (derived from the 乌拉街 sample): data/longtan-2013.txt.
        Article(
            "l2013",
            "龙潭区2013年政府信息公开工作年度报告",
            "/contents/2417/78566.html",
            _dt("2014-03-20 10:18"),
            "龙潭区人民政府办公室",
            "longtan-2013",
            True,
            2013,
            "220203",
        ),
        # Replica content: a notice, not a report.
        Article(
            "lnotice",
            "关于做好2013年度政府信息公开年度报告工作的通知",
            "/contents/2417/74390.html",
            _dt("2014-01-15 08:50"),
            "龙潭区人民政府办公室",
            "longtan-2013-notice",
            False,
            None,
            "220203",
        ),
        # The sample, cleaned: a town's report carried by its district's column.
        Article(
            "wulajie2012",
            "乌拉街2012年政务公开工作报告",
            "/contents/2417/61208.html",
            _dt("2013-03-06 13:20"),
            "乌拉街满族镇",
            "wulajie-2012",
            True,
            2012,
            "220203102",
        ),
    ),
    pages=(
        (
            Link("龙潭区2014年政府信息公开工作年度报告", _d("2015-03-26"), "l2014", href="root"),
            Link("龙潭区2014年政务公开工作要点", _d("2014-03-28"), "lpoints", href="root"),
            Link("龙潭区2013年政府信息公开工作年度报告", _d("2014-03-20"), "l2013", href="root"),
        ),
        (
            Link(
                "关于做好2013年度政府信息公开年度报告工作的通知",
                _d("2014-01-15"),
                "lnotice",
                href="root",
            ),
            Link("乌拉街2012年政务公开工作报告", _d("2013-03-06"), "wulajie2012", href="root"),
        ),
    ),
)

# --- the 范文 aggregator (not a government site) --------------------------------------
CONTENTFARM = Site(
    key="contentfarm",
    region=None,
    name="笔尘范文网",
    short="",
    domain="www.bichenfanwen.com",
    cms="farm",
    pagination="none",
    column_path="/gongzuojihua/",
    column_name="工作计划",
    container="div.article-body",
    list_selector="ul.art-list li",
    sponsor="",
    undertaker="",
    site_code="",
    icp="",
    police="",
    related=(),
    articles=(
        # The sample page as served by the aggregator: not a government document.
        Article(
            "farm",
            FARM_TITLE,
            FARM_PATH,
            _dt("2023-06-12 08:16"),
            "笔尘",
            "contentfarm-fanwen",
            False,
            None,
            "",
        ),
    ),
)

SITES: tuple[Site, ...] = (ZHALANTUN, KUNDULUN, QINGZHEN, LONGTAN, CONTENTFARM)
CRAWLABLE: tuple[str, ...] = ("zhalantun", "kundulun", "qingzhen", "longtan")


# ======================================================================================
# The families: replicas of the portals most jurisdictions actually run.
# ======================================================================================


@dataclass(frozen=True)
class RegionRow:
    """The registry row of a family site's jurisdiction, with the real portal's URLs."""

    slug: str
    code: str
    name: str
    level: str
    parent: str | None
    portal: str
    column: str | None  # the real report column URL; None: not configured (discovery)
    cms: str = "generic"
    render: str | None = None  # "browser": the column is an empty shell filled by a script
    walls: str | None = None  # "browser": walls on this portal yield to a real browser


def _hex(key: str) -> str:
    """A 32-hex manuscript id, as UCAP names its pages."""
    return hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()


def _short(kind: str, org: str, title: str, when: datetime, key: str) -> str:
    return short_text(kind, org, title, when.date(), key)


def _plain(
    key: str,
    title: str,
    path: str,
    when: str,
    source: str,
    code: str,
    kind: str = "news",
    **kw: Any,
) -> Article:
    """A non-report page with a short generated body."""
    published = _dt(when)
    return Article(
        key,
        title,
        path,
        published,
        source,
        None,
        False,
        None,
        code,
        text=_short(kind, source, title, published, key),
        **kw,
    )


# --- 浙江省 (Hanweb / 大汉 JCMS: the column page holds no records) ---------------------
_ZJ_COL = "1229019"
_ZJ_NEWS: tuple[tuple[str, str, str], ...] = (
    # (published, title, body kind) — non-report records of the column, newest first
    (
        "2024-06-14 16:30",
        "浙江省人民政府办公厅关于印发浙江省2024年政务公开工作要点的通知",
        "points",
    ),
    ("2024-05-30 10:05", "浙江省人民政府关于公布2023年度浙江省科学技术奖励的决定", "news"),
    (
        "2024-05-17 15:20",
        "浙江省人民政府办公厅关于进一步优化营商环境降低经营主体制度性交易成本的实施意见",
        "news",
    ),
    ("2024-05-08 09:40", "省政府召开全省安全生产工作电视电话会议", "news"),
    ("2024-04-26 17:00", "浙江省人民政府关于调整全省最低工资标准的通知", "notice"),
    ("2024-04-19 11:30", "省政府新闻办举行2024年一季度全省经济运行情况新闻发布会", "news"),
    ("2024-04-12 16:10", "浙江省人民政府办公厅关于加快推进低空经济发展的若干意见", "news"),
    ("2024-03-22 15:45", "浙江省人民政府关于2023年度省政府督查激励事项的通报", "news"),
    ("2024-02-28 10:20", "浙江省人民政府办公厅关于做好2024年春季农业生产工作的通知", "notice"),
    ("2024-01-29 18:00", "2024年浙江省人民政府工作报告", "news"),
    (
        "2023-12-20 16:40",
        "浙江省人民政府办公厅关于做好2023年度政府信息公开工作年度报告编制发布工作的通知",
        "notice",
    ),
    ("2023-12-08 10:15", "浙江省人民政府关于印发浙江省空气质量持续改善行动计划的通知", "notice"),
    ("2023-11-17 15:30", "浙江省人民政府办公厅关于推进海洋经济高质量发展的实施意见", "news"),
    ("2023-11-03 09:50", "省政府常务会议研究部署冬春火灾防控工作", "news"),
    (
        "2023-10-20 16:05",
        "浙江省人民政府关于公布第八批省级非物质文化遗产代表性项目名录的通知",
        "notice",
    ),
    (
        "2023-09-15 17:20",
        "浙江省人民政府办公厅关于印发浙江省促进民营经济高质量发展若干措施的通知",
        "notice",
    ),
    ("2023-08-25 10:30", "浙江省人民政府关于杭州亚运会和亚残运会筹办工作情况的报告", "news"),
    ("2023-07-28 15:10", "浙江省人民政府办公厅关于进一步加强耕地保护工作的意见", "news"),
    ("2023-07-18 11:00", "省政府新闻办举行2023年上半年全省经济运行情况新闻发布会", "news"),
    ("2023-06-30 16:25", "浙江省人民政府办公厅关于加强住房保障体系建设的实施意见", "news"),
    (
        "2023-05-26 15:00",
        "浙江省人民政府办公厅关于印发浙江省2023年政务公开工作要点的通知",
        "points",
    ),
    ("2023-04-28 10:40", "浙江省人民政府关于表彰2022年度浙江省劳动模范的决定", "news"),
    (
        "2023-03-31 16:50",
        "浙江省人民政府办公厅关于做好2023年高校毕业生等青年就业创业工作的通知",
        "notice",
    ),
    ("2023-03-10 15:35", "浙江省人民政府关于2022年度省政府督查激励事项的通报", "news"),
    (
        "2022-12-16 16:20",
        "浙江省人民政府办公厅关于做好2022年度政府信息公开工作年度报告编制发布工作的通知",
        "notice",
    ),
    ("2022-11-25 10:10", "浙江省人民政府关于印发浙江省碳达峰实施方案的通知", "notice"),
    ("2022-10-14 15:55", "浙江省人民政府办公厅关于加快推进数字政府建设的实施意见", "news"),
    ("2022-09-09 09:30", "省政府召开全省疫情防控工作视频会议", "news"),
    ("2022-08-12 17:10", "浙江省人民政府关于进一步加大稳经济一揽子政策措施力度的通知", "notice"),
    (
        "2022-06-17 16:00",
        "浙江省人民政府办公厅关于印发浙江省2022年政务公开工作要点的通知",
        "points",
    ),
    (
        "2022-05-20 10:45",
        "浙江省人民政府关于公布浙江省第五批历史文化名城（镇、村）名单的通知",
        "notice",
    ),
    ("2022-03-18 15:15", "浙江省人民政府关于2021年度省政府督查激励事项的通报", "news"),
    ("2022-03-04 16:35", "浙江省人民政府办公厅关于做好2022年春耕备耕工作的通知", "notice"),
    ("2022-01-25 18:30", "2022年浙江省人民政府工作报告", "news"),
    (
        "2021-12-17 16:15",
        "浙江省人民政府办公厅关于做好2021年度政府信息公开工作年度报告编制发布工作的通知",
        "notice",
    ),
    ("2021-10-22 10:25", "浙江省人民政府关于印发浙江省数字化改革总体方案的通知", "notice"),
    ("2021-08-20 15:40", "浙江省人民政府办公厅关于推进共同富裕示范区建设的若干意见", "news"),
    ("2021-07-26 11:15", "省政府新闻办举行全省防御台风“烟花”新闻发布会", "news"),
    (
        "2021-06-11 16:45",
        "浙江省人民政府办公厅关于印发浙江省2021年政务公开工作要点的通知",
        "points",
    ),
    (
        "2021-04-16 10:00",
        "浙江省人民政府关于表彰浙江省抗击新冠肺炎疫情先进个人和先进集体的决定",
        "news",
    ),
    ("2021-03-12 15:25", "浙江省人民政府关于2020年度省政府督查激励事项的通报", "news"),
    ("2021-02-05 16:55", "浙江省人民政府办公厅关于做好2021年春运工作的通知", "notice"),
    (
        "2020-12-18 16:30",
        "浙江省人民政府办公厅关于做好2020年度政府信息公开工作年度报告编制发布工作的通知",
        "notice",
    ),
    (
        "2020-06-05 15:50",
        "浙江省人民政府办公厅关于印发浙江省2020年政务公开工作要点的通知",
        "points",
    ),
    ("2020-03-06 10:35", "省政府召开全省复工复产工作视频会议", "news"),
    (
        "2020-02-14 17:45",
        "浙江省人民政府关于做好新冠肺炎疫情防控期间企业复工复产工作的通知",
        "notice",
    ),
)
_ZJ_REPORTS: tuple[tuple[str, str, str, int, str, str], ...] = (
    # (key, published, title, year, body, source)
    (
        "zj2022",
        "2023-01-18 16:20",
        "浙江省人民政府2022年政府信息公开工作年度报告",
        2022,
        "zhejiang-2022",
        "省政府办公厅",
    ),
    (
        "zjbgt2022",
        "2023-01-16 15:30",
        "浙江省人民政府办公厅2022年政府信息公开工作年度报告",
        2022,
        "zhejiang-office-2022",
        "省政府办公厅",
    ),
    (
        "zj2021",
        "2022-01-21 16:00",
        "浙江省人民政府2021年政府信息公开工作年度报告",
        2021,
        "zhejiang-2021",
        "省政府办公厅",
    ),
    (
        "zj2020",
        "2021-01-27 15:45",
        "浙江省人民政府2020年政府信息公开工作年度报告",
        2020,
        "zhejiang-2020",
        "省政府办公厅",
    ),
    (
        "zj2019",
        "2020-01-20 16:10",
        "浙江省人民政府2019年政府信息公开工作年度报告",
        2019,
        "zhejiang-2019",
        "省政府办公厅",
    ),
    (
        "zj2018",
        "2019-03-20 10:30",
        "浙江省人民政府2018年政府信息公开工作年度报告",
        2018,
        "zhejiang-2018",
        "省政府办公厅",
    ),
)


def _zj_path(when: datetime, serial: int) -> str:
    return f"/art/{when.year}/{when.month}/{when.day}/art_{_ZJ_COL}_{serial}.html"


def _zhejiang_articles() -> tuple[Article, ...]:
    arts: list[Article] = []
    for key, when, title, year, body, source in _ZJ_REPORTS:
        published = _dt(when)
        serial = (
            60012345
            if key == "zj2022"
            else 58000000 + (published - _dt("2018-01-01 00:00")).days * 97
        )
        arts.append(
            Article(
                key,
                title,
                _zj_path(published, serial),
                published,
                source,
                body,
                True,
                year,
                "330000",
            )
        )
    for i, (when, title, kind) in enumerate(_ZJ_NEWS):
        published = _dt(when)
        serial = 58000000 + (published - _dt("2018-01-01 00:00")).days * 97 + 11 + i
        source = "省政府办公厅" if "办公厅" in title or kind == "points" else "浙江省人民政府"
        arts.append(
            _plain(f"zjn{i}", title, _zj_path(published, serial), when, source, "330000", kind)
        )
    arts.sort(key=lambda a: a.published, reverse=True)
    return tuple(arts)


def _groups(links: list[Link], size: int) -> tuple[tuple[Link, ...], ...]:
    return tuple(tuple(links[i : i + size]) for i in range(0, len(links), size))


_ZJ_ARTICLES = _zhejiang_articles()
ZHEJIANG = Site(
    key="zhejiang",
    region="zhejiang",
    name="浙江省人民政府",
    short="浙江",
    domain="www.zj.gov.cn",
    cms="hanweb",
    pagination="jpage",
    column_path=f"/col/col{_ZJ_COL}/index.html",
    column_name="政府信息公开年报",
    container="#zoom",
    list_selector="li",  # of a dataproxy record
    sponsor="浙江省人民政府办公厅",
    undertaker="浙江省大数据发展管理局",
    # Replica values for the footer identifiers.
    site_code="3300000001",
    icp="浙ICP备05003420号",
    police="浙公网安备 33010002000092号",
    related=(
        ("中国政府网", "http://www.gov.cn/"),
        ("浙江政务服务网", "http://www.zjzwfw.gov.cn/"),
    ),
    articles=_ZJ_ARTICLES,
    pages=_groups(
        [Link(a.title, a.published.date(), a.key, href="root") for a in _ZJ_ARTICLES], JPAGE_GROUP
    ),
    family="hanweb",
    portal_url="http://www.zj.gov.cn/",
    column_id=_ZJ_COL,
    unit_id="5884",
    web_id="3096",
)

# --- 宜春市 (UCAP: the column is an empty shell filled from a JSON API) ----------------
_YC = "/ycsrmzf/zfxxgknb/"
_YC_ITEMS: tuple[tuple[str, str, str, int | None, str], ...] = (
    # (published, title, body: data file or "points"/"notice"/"news", report year, source)
    ("2024-04-12 09:30", "宜春市2024年政务公开工作要点", "points", None, "宜春市人民政府办公室"),
    (
        "2024-01-26 16:00",
        "宜春市人民政府2023年政府信息公开工作年度报告",
        "yichun-2023",
        2023,
        "宜春市人民政府办公室",
    ),
    (
        "2023-12-15 10:20",
        "关于做好2023年度政府信息公开工作年度报告编制工作的通知",
        "notice",
        None,
        "宜春市人民政府办公室",
    ),
    ("2023-04-20 15:10", "宜春市2023年政务公开工作要点", "points", None, "宜春市人民政府办公室"),
    (
        "2023-01-20 16:30",
        "宜春市人民政府2022年政府信息公开工作年度报告",
        "yichun-2022",
        2022,
        "宜春市人民政府办公室",
    ),
    (
        "2022-09-16 11:00",
        "宜春市人民政府办公室关于开展政府网站和政务新媒体检查的通知",
        "notice",
        None,
        "宜春市人民政府办公室",
    ),
    ("2022-04-15 10:05", "宜春市2022年政务公开工作要点", "points", None, "宜春市人民政府办公室"),
    (
        "2022-01-25 15:40",
        "宜春市人民政府2021年政府信息公开工作年度报告",
        "yichun-2021",
        2021,
        "宜春市人民政府办公室",
    ),
    ("2021-11-10 09:45", "宜春市政府信息公开指南", "news", None, "宜春市人民政府办公室"),
    (
        "2021-01-22 16:15",
        "宜春市人民政府2020年政府信息公开工作年度报告",
        "yichun-2020",
        2020,
        "宜春市人民政府办公室",
    ),
    ("2020-05-08 10:30", "宜春市2020年政务公开工作要点", "points", None, "宜春市人民政府办公室"),
    (
        "2020-03-27 15:20",
        "宜春市人民政府办公室关于印发宜春市政府信息公开申请办理工作规程的通知",
        "notice",
        None,
        "宜春市人民政府办公室",
    ),
    (
        "2020-02-21 16:40",
        "宜春市人民政府关于2019年度政府信息公开工作的情况通报",
        "news",
        None,
        "宜春市人民政府",
    ),
)


def _ucap_articles(
    prefix: str,
    directory: str,
    items: tuple[tuple[str, str, str, int | None, str], ...],
    code: str,
    index_org: str,
) -> tuple[Article, ...]:
    arts: list[Article] = []
    for i, (when, title, body, year, source) in enumerate(items):
        published = _dt(when)
        key = f"{prefix}{i}"
        path = f"{directory}{published:%Y%m}/{_hex(key)}.shtml"
        index_no = f"{index_org}/{published.year}-{(int(_hex(key)[:6], 16) % 90000) + 10000:07d}"
        if year is None:
            arts.append(_plain(key, title, path, when, source, code, body, index_no=index_no))
        else:
            arts.append(
                Article(
                    key, title, path, published, source, body, True, year, code, index_no=index_no
                )
            )
    return tuple(arts)


_YC_ARTICLES = _ucap_articles("yc", _YC, _YC_ITEMS, "360900", "014717475N")
YICHUN = Site(
    key="yichun",
    region="yichun",
    name="宜春市人民政府",
    short="宜春",
    domain="www.yichun.gov.cn",
    cms="ucap",
    pagination="api",
    column_path=_YC + "index.html",
    column_name="政府信息公开年报",
    container="div.article-content",
    list_selector="ul.xxgk-list li",
    sponsor="宜春市人民政府",
    undertaker="宜春市人民政府办公室",
    site_code="3609000002",
    icp="赣ICP备06000141号",
    police="赣公网安备 36090202000004号",
    related=(
        ("中国政府网", "http://www.gov.cn/"),
        ("江西省人民政府", "http://www.jiangxi.gov.cn/"),
    ),
    articles=_YC_ARTICLES,
    pages=_groups(
        [Link(a.title, a.published.date(), a.key, href="root") for a in _YC_ARTICLES], 10
    ),
    family="script",
    portal_url="https://www.yichun.gov.cn/",
    column_id="zfxxgknb",
)

# --- 万载县 (an old GBK site: table layout, charset only in the <meta>) -----------------
_WZ = "/wzxrmzf/zfxxgknb/"
_WZ_ITEMS: tuple[tuple[str, str, str, int | None, str], ...] = (
    (
        "2023-01-17 10:12",
        "万载县人民政府2022年政府信息公开工作年度报告",
        "wanzai-2022",
        2022,
        "万载县人民政府办公室",
    ),
    ("2022-05-10 09:20", "万载县2022年政务公开工作要点", "points", None, "万载县人民政府办公室"),
    (
        "2022-01-20 15:36",
        "万载县人民政府2021年政府信息公开工作年度报告",
        "wanzai-2021",
        2021,
        "万载县人民政府办公室",
    ),
    (
        "2021-12-08 16:05",
        "关于做好2021年度政府信息公开工作年度报告编制工作的通知",
        "notice",
        None,
        "万载县人民政府办公室",
    ),
    (
        "2021-01-26 11:48",
        "万载县人民政府2020年政府信息公开工作年度报告",
        "wanzai-2020",
        2020,
        "万载县人民政府办公室",
    ),
    (
        "2019-03-15 16:22",
        "万载县人民政府2018年政府信息公开工作年度报告",
        "wanzai-2018",
        2018,
        "万载县人民政府办公室",
    ),
)
_WZ_ARTICLES = tuple(
    replace(a, header_charset="utf-8") if a.key == "wz2" else a
    for a in _ucap_articles("wz", _WZ, _WZ_ITEMS, "360922", "014721392T")
)
_WZ_LINKS = [
    Link(
        a.title,
        a.published.date(),
        a.key,
        href="root",
        special="charset-mismatch" if a.header_charset else None,
    )
    for a in _WZ_ARTICLES
]
WANZAI = Site(
    key="wanzai",
    region="wanzai",
    name="万载县人民政府",
    short="万载",
    domain="www.wanzai.gov.cn",
    cms="oldgbk",
    pagination="numbered",
    column_path=_WZ + "index.shtml",
    column_name="政府信息公开年报",
    container="#UCAP-CONTENT",
    list_selector="table.list_table tr",
    sponsor="万载县人民政府",
    undertaker="万载县人民政府办公室",
    site_code="3609220011",
    icp="赣ICP备05004387号",
    police="赣公网安备 36092202000101号",
    related=(
        ("中国宜春", "https://www.yichun.gov.cn/"),
        ("江西省人民政府", "http://www.jiangxi.gov.cn/"),
    ),
    articles=_WZ_ARTICLES,
    pages=_groups(_WZ_LINKS, 4),
    family="gbk",
    encoding="gbk",
    portal_url="http://www.wanzai.gov.cn/",
)

# --- 淮安市 (TRS: the reports are attachments of near-empty pages) ---------------------
_HA = "/zwgk/zfxxgknb/"
_HA_ARTICLES: tuple[Article, ...] = (
    _plain(
        "ha-points",
        "淮安市2025年政务公开工作要点",
        _HA + "202504/t20250418_2339012.html",
        "2025-04-18 09:30",
        "淮安市人民政府办公室",
        "320800",
        "points",
    ),
    Article(
        "ha2024",
        "淮安市人民政府2024年政府信息公开工作年度报告",
        _HA + "202502/t20250226_2316045.html",
        _dt("2025-02-26 10:15"),
        "淮安市人民政府办公室",
        None,
        True,
        2024,
        "320800",
        attachments=(
            Attachment(
                "淮安市人民政府2024年政府信息公开工作年度报告.pdf",
                "/uploadfiles/202502/szfgs2024.pdf",
                "pdf",
                "huaian-szfgs2024.pdf",
                True,
                2024,
            ),
        ),
    ),
    Article(
        "ha2023",
        "淮安市人民政府2023年政府信息公开工作年度报告",
        _HA + "202402/t20240227_2175530.html",
        _dt("2024-02-27 16:40"),
        "淮安市人民政府办公室",
        None,
        True,
        2023,
        "320800",
        attachments=(
            Attachment(
                "淮安市人民政府2023年政府信息公开工作年度报告.docx",
                "/uploadfiles/202402/szfgs2023.docx",
                "docx",
                "huaian-szfgs2023.docx",
                True,
                2023,
            ),
            Attachment(
                "淮安市人民政府2023年政府信息公开工作年度报告附表.xlsx",
                "/uploadfiles/202402/szfgs2023fb.xlsx",
                "xlsx",
                "huaian-szfgs2023-fb.xlsx",
                True,
                2023,
                "annex",
            ),
        ),
    ),
    _plain(
        "ha-customs",
        "南昌海关2023年度拟录用公务员公示公告",
        _HA + "202305/t20230522_2031187.html",
        "2023-05-22 11:05",
        "南昌海关",
        "320800",
        "news",
        attachments=(
            Attachment(
                "南昌海关2023年度拟录用公务员公示公告.doc",
                "/uploadfiles/202305/P020230522_ncgs2023.doc",
                "doc",
                "nanchang-customs-2023-notice.doc",
                False,
                None,
            ),
        ),
    ),
    Article(
        "ha2022",
        "淮安市人民政府2022年政府信息公开工作年度报告",
        _HA + "202301/t20230130_1985462.html",
        _dt("2023-01-30 15:20"),
        "淮安市人民政府办公室",
        "huaian-2022",
        True,
        2022,
        "320800",
        attachments=(
            Attachment(
                "淮安市人民政府2022年政府信息公开工作年度报告统计表.xls",
                "/uploadfiles/202301/szfgs2022tjb.xls",
                "xls",
                "huaian-szfgs2022-tjb.xls",
                True,
                2022,
                "annex",
            ),
        ),
    ),
    _plain(
        "ha-notice",
        "关于做好2022年度政府信息公开工作年度报告编制发布工作的通知",
        _HA + "202212/t20221209_1952270.html",
        "2022-12-09 10:40",
        "淮安市人民政府办公室",
        "320800",
        "notice",
    ),
)
HUAIAN = Site(
    key="huaian",
    region="huaian",
    name="淮安市人民政府",
    short="淮安",
    domain="www.huaian.gov.cn",
    cms="trsfile",
    pagination="trs",
    column_path=_HA + "index.html",
    column_name="政府信息公开年报",
    container="div.TRS_Editor",
    list_selector="ul.list li",
    sponsor="淮安市人民政府办公室",
    undertaker="淮安市大数据管理局",
    # Replica values for the footer identifiers.
    site_code="3208000003",
    icp="苏ICP备05007089号",
    police="苏公网安备 32080202000178号",
    related=(
        ("中国政府网", "http://www.gov.cn/"),
        ("江苏省人民政府", "http://www.jiangsu.gov.cn/"),
    ),
    articles=_HA_ARTICLES,
    pages=(
        tuple(
            Link(
                a.title,
                a.published.date(),
                a.key,
                special="wrapper" if a.body is None and a.is_report else None,
            )
            for a in _HA_ARTICLES[:3]
        ),
        tuple(Link(a.title, a.published.date(), a.key) for a in _HA_ARTICLES[3:]),
    ),
    family="attachment",
    portal_url="http://www.huaian.gov.cn/",
)

# --- 洪泽区 (a column that is a bare list of PDFs) --------------------------------------
_HZ = "/hzqrmzf/zfxxgknb/"
_HZ_ARTICLES: tuple[Article, ...] = (
    Article(
        "hz2024",
        "淮安市洪泽区人民政府2024年政府信息公开工作年度报告",
        _HZ + "2025nb.pdf",
        _dt("2025-02-25 10:17"),
        "洪泽区人民政府办公室",
        None,
        True,
        2024,
        "320813",
        kind="pdf",
        file="hongze-2024nb.pdf",
    ),
    Article(
        "hz2023",
        "洪泽区人民政府2023年政府信息公开工作年度报告",
        _HZ + "2024nb.pdf",
        _dt("2024-02-26 14:56"),
        "洪泽区人民政府办公室",
        None,
        True,
        2023,
        "320813",
        kind="pdf",
        file="hongze-2023nb.pdf",
    ),
    Article(
        "hz2022",
        "洪泽区人民政府2022年政府信息公开工作年度报告",
        _HZ + "2023nb.pdf",
        _dt("2023-01-30 09:12"),
        "洪泽区人民政府办公室",
        None,
        True,
        2022,
        "320813",
        kind="pdf",
        file="hongze-2022nb-scan.pdf",
    ),
)
HONGZE = Site(
    key="hongze",
    region="hongze",
    name="淮安市洪泽区人民政府",
    short="洪泽",
    domain="www.hongze.gov.cn",
    cms="filelist",
    pagination="none",
    column_path=_HZ + "index.html",
    column_name="政府信息公开年报",
    container="",
    list_selector="ul.list li",
    sponsor="淮安市洪泽区人民政府办公室",
    undertaker="淮安市洪泽区大数据管理局",
    # Replica values for the footer identifiers.
    site_code="3208290001",
    icp="苏ICP备05007102号",
    police="苏公网安备 32082902000115号",
    related=(("淮安市人民政府", "http://www.huaian.gov.cn/"),),
    articles=_HZ_ARTICLES,
    pages=(
        tuple(
            Link(
                a.title,
                a.published.date(),
                a.key,
                href="root",
                kind="pdf",
                special="scanned" if a.key == "hz2022" else None,
            )
            for a in _HZ_ARTICLES
        ),
    ),
    family="attachment",
    portal_url="http://www.hongze.gov.cn/",
)

# --- 邯郸市 (TRS 信息公开平台 behind anti-bot walls, with soft 404s) --------------------
_HD = "/zfxxgknb/"
_HD_ARTICLES: tuple[Article, ...] = (
    _plain(
        "hd-points",
        "邯郸市2024年政务公开工作要点",
        _HD + "202404/t20240423_2001456.html",
        "2024-04-23 10:00",
        "邯郸市人民政府办公室",
        "130400",
        "points",
        index_no="000014348/2024-41523",
    ),
    Article(
        "hd2023",
        "邯郸市人民政府2023年政府信息公开工作年度报告",
        _HD + "202401/t20240129_1932580.html",
        _dt("2024-01-29 15:30"),
        "邯郸市人民政府办公室",
        "handan-2023",
        True,
        2023,
        "130400",
        index_no="000014348/2024-05126",
    ),
    _plain(
        "hd-notice",
        "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知",
        _HD + "202312/t20231212_1907735.html",
        "2023-12-12 16:20",
        "邯郸市人民政府办公室",
        "130400",
        "notice",
        index_no="000014348/2023-98811",
    ),
    Article(
        "hd2022",
        "邯郸市人民政府2022年政府信息公开工作年度报告",
        _HD + "202301/t20230130_1812406.html",
        _dt("2023-01-30 11:05"),
        "邯郸市人民政府办公室",
        "handan-2022",
        True,
        2022,
        "130400",
        wall="521",
        index_no="000014348/2023-04417",
    ),
    Article(
        "hdjy2022",
        "邯郸市教育局2022年政府信息公开工作年度报告",
        "/gszbm/auto23716/202301/t20230119_1805532.html",
        _dt("2023-01-19 09:40"),
        "邯郸市教育局",
        "handan-edu-2022",
        True,
        2022,
        "130400",
        wall="cookie",
        index_no="000014348/2023-03095",
    ),
    Article(
        "hd2021",
        "邯郸市人民政府2021年政府信息公开工作年度报告",
        _HD + "202201/t20220128_1623390.html",
        _dt("2022-01-28 16:15"),
        "邯郸市人民政府办公室",
        None,
        True,
        2021,
        "130400",
        status=412,
        wall="412",
    ),
    Article(
        "hd2018",
        "邯郸市人民政府2018年政府信息公开工作年度报告",
        _HD + "201903/t20190328_1052214.html",
        _dt("2019-03-28 10:50"),
        "邯郸市人民政府办公室",
        "handan-2018",
        True,
        2018,
        "130400",
        index_no="000014348/2019-12083",
    ),
)
_HD_SOFT404 = (
    Link(
        "邯郸市人民政府2020年政府信息公开工作年度报告",
        _d("2021-01-29"),
        path=_HD + "202101/t20210129_1386702.html",
        href="absolute",
        special="soft404",
        is_report=True,
        report_year=2020,
        jurisdiction="130400",
    ),
    Link(
        "邯郸市人民政府2019年政府信息公开工作年度报告",
        _d("2020-01-20"),
        path=_HD + "202001/t20200120_1201457.html",
        href="absolute",
        special="soft404",
        is_report=True,
        report_year=2019,
        jurisdiction="130400",
    ),
)
_HD_WALLS: dict[str, Special] = {"412": "wall-412", "521": "wall-521", "cookie": "wall-cookie"}


def _hd_link(a: Article) -> Link:
    return Link(
        a.title,
        a.published.date(),
        a.key,
        href="absolute",
        special=_HD_WALLS[a.wall] if a.wall else None,
    )


HANDAN = Site(
    key="handan",
    region="handan",
    name="邯郸市人民政府",
    short="邯郸",
    domain="hdzfxxgk.hd.gov.cn",
    cms="trsxxgk",
    pagination="static",
    column_path=_HD + "index.html",
    column_name="政府信息公开年报",
    container="div.TRS_Editor",
    list_selector="div.szbmtclb table tr",
    sponsor="邯郸市人民政府办公室",
    undertaker="邯郸市行政审批局",
    site_code="1304000009",
    icp="冀ICP备05029117号-1",
    police="冀公网安备 13042002000523号",
    related=(("中国政府网", "http://www.gov.cn/"), ("河北省人民政府", "http://www.hebei.gov.cn/")),
    articles=_HD_ARTICLES,
    pages=(
        tuple(_hd_link(a) for a in _HD_ARTICLES[:5]),
        (_hd_link(_HD_ARTICLES[5]), *_HD_SOFT404, _hd_link(_HD_ARTICLES[6])),
    ),
    family="wall",
    portal_url="http://hdzfxxgk.hd.gov.cn/",
)

# --- 吉林市 (no report column configured: a sitemap, a landing page, traps) -------------
_JL = "/zwgk/zfxxgknb/"
_JL_REPORTS: tuple[Article, ...] = (
    Article(
        "jl2023",
        "吉林市人民政府2023年政府信息公开工作年度报告",
        _JL + "202401/t20240130_1188243.html",
        _dt("2024-01-30 15:00"),
        "吉林市人民政府办公室",
        "jilinshi-2023",
        True,
        2023,
        "220200",
    ),
    Article(
        "jl2022",
        "吉林市人民政府2022年政府信息公开工作年度报告",
        _JL + "202301/t20230131_1090517.html",
        _dt("2023-01-31 16:30"),
        "吉林市人民政府办公室",
        "jilinshi-2022",
        True,
        2022,
        "220200",
    ),
    Article(
        "jl2021",
        "吉林市人民政府2021年政府信息公开工作年度报告",
        _JL + "202201/t20220128_987362.html",
        _dt("2022-01-28 14:20"),
        "吉林市人民政府办公室",
        "jilinshi-2021",
        True,
        2021,
        "220200",
    ),
    Article(
        "jl2020",
        "吉林市人民政府2020年政府信息公开工作年度报告",
        _JL + "202101/t20210129_871125.html",
        _dt("2021-01-29 10:40"),
        "吉林市人民政府办公室",
        "jilinshi-2020",
        True,
        2020,
        "220200",
    ),
    Article(
        "jl2019",
        "吉林市人民政府2019年政府信息公开工作年度报告",
        _JL + "202001/t20200121_760308.html",
        _dt("2020-01-21 09:55"),
        "吉林市人民政府办公室",
        "jilinshi-2019",
        True,
        2019,
        "220200",
    ),
)
_JL_OTHERS: tuple[Article, ...] = (
    _plain(
        "jl-points",
        "吉林市2024年政务公开工作要点",
        _JL + "202404/t20240419_1240076.html",
        "2024-04-19 10:10",
        "吉林市人民政府办公室",
        "220200",
        "points",
    ),
    _plain(
        "jl-notice",
        "关于做好2023年度政府信息公开工作年度报告编制工作的通知",
        _JL + "202312/t20231215_1167730.html",
        "2023-12-15 15:45",
        "吉林市人民政府办公室",
        "220200",
        "notice",
    ),
    _plain(
        "jl-n1",
        "吉林市召开2024年一季度经济运行调度会",
        "/xwzx/jlyw/202404/t20240412_1236615.html",
        "2024-04-12 17:20",
        "吉林市人民政府",
        "220200",
    ),
    _plain(
        "jl-n2",
        "吉林市启动第二十届中国·吉林国际雾凇冰雪节",
        "/xwzx/jlyw/202312/t20231222_1170204.html",
        "2023-12-22 18:05",
        "吉林市人民政府",
        "220200",
    ),
    _plain(
        "jl-n3",
        "市政府常务会议研究部署城市更新工作",
        "/xwzx/jlyw/202310/t20231027_1143358.html",
        "2023-10-27 16:40",
        "吉林市人民政府",
        "220200",
    ),
    _plain(
        "jl-n4",
        "吉林市全力做好防汛救灾和灾后重建工作",
        "/xwzx/jlyw/202308/t20230815_1118029.html",
        "2023-08-15 19:10",
        "吉林市人民政府",
        "220200",
    ),
    _plain(
        "jl-n5",
        "吉林市人民政府关于印发吉林市优化营商环境若干措施的通知",
        "/zwgk/zcwj/202305/t20230526_1079915.html",
        "2023-05-26 15:25",
        "吉林市人民政府",
        "220200",
        "notice",
    ),
    _plain(
        "jl-n6",
        "吉林市政府信息公开指南",
        "/zwgk/xxgkzn/202201/t20220110_979210.html",
        "2022-01-10 09:00",
        "吉林市人民政府办公室",
        "220200",
    ),
)
_JL_BY_KEY = {a.key: a for a in (*_JL_REPORTS, *_JL_OTHERS)}


def _jl(key: str, special: Special | None = None, href: HrefStyle = "root") -> Link:
    a = _JL_BY_KEY[key]
    return Link(a.title, a.published.date(), a.key, href=href, special=special)


CALENDAR = "/hdjl/rl/"
SEARCH = "/search/"
JILINSHI = Site(
    key="jilinshi",
    region="jilinshi",
    name="吉林市人民政府",
    short="吉林市",
    domain="www.jlcity.gov.cn",
    cms="jlportal",
    pagination="none",
    column_path=_JL,
    column_name="政府信息公开年报",
    container="div.TRS_Editor",
    list_selector="ul.list li",
    sponsor="吉林市人民政府办公室",
    undertaker="吉林市政务服务和数字化建设管理局",
    # Replica values for the footer identifiers.
    site_code="2202000001",
    icp="吉ICP备05002094号",
    police="吉公网安备 22020202000102号",
    related=(("中国政府网", "http://www.gov.cn/"), ("吉林省人民政府", "http://www.jl.gov.cn/")),
    articles=(*_JL_REPORTS, *_JL_OTHERS),
    pages=((_jl("jl-points"), _jl("jl2023"), _jl("jl-notice"), _jl("jl2022"), _jl("jl2021")),),
    extra_paths=(_JL + "index.html",),
    family="discovery",
    portal_url="http://www.jlcity.gov.cn/",
    extra_links=(
        (
            "/",
            (
                Link("政府信息公开", _d("2024-04-19"), path="/zwgk/", href="root"),
                Link(
                    "活动日历",
                    _d("2024-01-01"),
                    path=CALENDAR,
                    query="month=2024-01",
                    href="root",
                    special="trap",
                ),
                Link(
                    "年报",
                    _d("2024-01-01"),
                    path=SEARCH,
                    query="q=%E5%B9%B4%E6%8A%A5&page=1",
                    href="root",
                    special="trap",
                ),
                _jl("jl-n1"),
                _jl("jl-n2"),
                _jl("jl-n3"),
            ),
        ),
        (
            "/zwgk/",
            (
                Link("政府信息公开年报", _d("2024-04-19"), path=_JL, href="root"),
                _jl("jl-n6"),
                _jl("jl-n5"),
                _jl("jl2023"),
                _jl("jl2020", "landing-only"),
            ),
        ),
        (
            "/sitemap.xml",
            (
                Link("首页", _d("2024-04-19"), path="/", href="absolute"),
                Link("政府信息公开", _d("2024-04-19"), path="/zwgk/", href="absolute"),
                Link("政府信息公开年报", _d("2024-04-19"), path=_JL, href="absolute"),
                *(
                    _jl(k, href="absolute")
                    for k in (
                        "jl-n1",
                        "jl-n2",
                        "jl-n3",
                        "jl-n4",
                        "jl-n5",
                        "jl-n6",
                        "jl-points",
                        "jl2023",
                        "jl2022",
                    )
                ),
                _jl("jl2019", "sitemap-only", href="absolute"),
            ),
        ),
    ),
)

FAMILY_SITES: tuple[Site, ...] = (ZHEJIANG, YICHUN, WANZAI, HUAIAN, HONGZE, HANDAN, JILINSHI)
ALL_SITES: tuple[Site, ...] = SITES + FAMILY_SITES
FAMILIES: dict[str, tuple[str, ...]] = {
    "classic": CRAWLABLE,
    "hanweb": ("zhejiang",),
    "script": ("yichun",),
    "gbk": ("wanzai",),
    "attachment": ("huaian", "hongze"),
    "wall": ("handan",),
    "discovery": ("jilinshi",),
}
REGION_ROWS: dict[str, RegionRow] = {
    row.slug: row
    for row in (
        RegionRow(
            "zhejiang",
            "330000",
            "浙江省",
            "province",
            None,
            "http://www.zj.gov.cn/",
            "http://www.zj.gov.cn/col/col1229019/index.html",
            "hanweb",
        ),
        RegionRow(
            "yichun",
            "360900",
            "宜春市",
            "prefecture",
            "360000",
            "https://www.yichun.gov.cn/",
            "https://www.yichun.gov.cn/ycsrmzf/zfxxgknb/index.html",
            render="browser",
        ),
        RegionRow(
            "wanzai",
            "360922",
            "万载县",
            "county",
            "360900",
            "http://www.wanzai.gov.cn/",
            "http://www.wanzai.gov.cn/wzxrmzf/zfxxgknb/index.shtml",
        ),
        RegionRow(
            "huaian",
            "320800",
            "淮安市",
            "prefecture",
            "320000",
            "http://www.huaian.gov.cn/",
            "http://www.huaian.gov.cn/zwgk/zfxxgknb/index.html",
            "trs",
        ),
        RegionRow(
            "hongze",
            "320813",
            "洪泽区",
            "county",
            "320800",
            "http://www.hongze.gov.cn/",
            "http://www.hongze.gov.cn/hzqrmzf/zfxxgknb/index.html",
        ),
        RegionRow(
            "handan",
            "130400",
            "邯郸市",
            "prefecture",
            "130000",
            "http://hdzfxxgk.hd.gov.cn/",
            "http://hdzfxxgk.hd.gov.cn/zfxxgknb/index.html",
            "trs",
            walls="browser",
        ),
        RegionRow(
            "jilinshi",
            "220200",
            "吉林市",
            "prefecture",
            "220000",
            "http://www.jlcity.gov.cn/",
            None,
        ),
    )
}
# Jurisdiction-only rows the family regions need as parents (not in the shipped registry).
PARENT_ROWS: tuple[RegionRow, ...] = (
    RegionRow("jiangxi", "360000", "江西省", "province", None, "", None),
    RegionRow("jiangsu", "320000", "江苏省", "province", None, "", None),
    RegionRow("hebei", "130000", "河北省", "province", None, "", None),
)


def site(key: str) -> Site:
    for s in ALL_SITES:
        if s.key == key:
            return s
    raise KeyError(f"no demo site {key!r} (sites: {', '.join(s.key for s in ALL_SITES)})")


def family_keys(families: Iterable[str] | None = None) -> tuple[str, ...]:
    """The crawlable site keys of some families (names of FAMILIES, site keys, or "all"),
    in address order; None: the classic four."""
    if families is None:
        return CRAWLABLE
    wanted = set(families)
    unknown = wanted - set(FAMILIES) - {s.key for s in ALL_SITES if s.region} - {"all"}
    if unknown:
        raise KeyError(
            f"unknown demo families {sorted(unknown)} (families: {', '.join(FAMILIES)}, "
            "a site key, or all)"
        )
    keys = {k for name in wanted & set(FAMILIES) for k in FAMILIES[name]} | wanted
    return tuple(s.key for s in ALL_SITES if s.region and ("all" in wanted or s.key in keys))


def document_of(art: Article) -> Document:
    """The parsed body of an HTML article (a data file, or its inline text)."""
    from govcrawl.demo.markup import load, parse

    if art.body is not None:
        return load(art.body)
    if art.text is not None:
        return parse(art.text, art.key)
    raise ValueError(f"article {art.key!r} has no body")


def link_target(s: Site, link: Link) -> tuple[str, str]:
    """(target site key, absolute path with query) of a column link."""
    target = link.target_site or s.key
    if link.path is not None:
        path = link.path
    elif link.article is not None:
        path = s.article(link.article).path
    else:
        raise ValueError(f"link {link.title!r} on {s.key} has neither article nor path")
    return target, f"{path}?{link.query}" if link.query else path


def href(s: Site, page_path: str, link: Link, bases: dict[str, str]) -> str:
    """The href attribute as the column page writes it."""
    target, path = link_target(s, link)
    if link.href == "absolute":
        url = bases[target].rstrip("/") + path
    elif link.href == "root":
        url = path
    else:
        page_dir = page_path.split("?", 1)[0].rsplit("/", 1)[0] or "/"
        rel = posixpath.relpath(path, page_dir)
        url = rel if rel.startswith("../") else "./" + rel
    return f"{url}#{link.fragment}" if link.fragment else url


def _link_row(s: Site, page: str, link: Link) -> ColumnLink:
    target, path = link_target(s, link)
    if link.article is not None and link.target_site is None:
        art = s.article(link.article)
        status = art.status
        if status == 200 and art.wall == "521":
            status = 521  # what a plain HTTP client gets
        return ColumnLink(
            s.key,
            page,
            target,
            path,
            link.fragment,
            art.title,
            art.is_report,
            art.report_year,
            art.published.date() if art.status == 200 else link.listed,
            art.jurisdiction,
            link.special,
            status,
            art.kind,
        )
    status = 404 if link.special == "404" else 200
    return ColumnLink(
        s.key,
        page,
        target,
        path,
        link.fragment,
        link.title,
        link.is_report,
        link.report_year,
        link.listed,
        link.jurisdiction,
        link.special,
        status,
        link.kind,
    )


def _attachment_rows(s: Site, link: Link) -> list[ColumnLink]:
    if link.article is None or link.target_site is not None:
        return []
    art = s.article(link.article)
    return [
        ColumnLink(
            s.key,
            art.path,
            s.key,
            att.path,
            "",
            att.title,
            att.is_report,
            att.report_year,
            art.published.date(),
            art.jurisdiction,
            att.special,
            200,
            att.kind,
        )
        for att in art.attachments
    ]


def column_links(
    site_key: str | None = None, families: Iterable[str] | None = None
) -> list[ColumnLink]:
    """Every link of every column page (of one site, or of all), resolved.

    Without arguments: the classic sites (``SITES``). ``families``: the sites of those
    families (see :func:`family_keys`; "all" for every site). For a family site the
    rows also cover the links outside the column (home page, 信息公开 landing page,
    ``/sitemap.xml``: ``page`` is where the link is) and the attachments of detail pages
    (``page`` is the detail page), each after the link to its page.
    """
    if site_key is not None:
        chosen: tuple[Site, ...] = (site(site_key),)
    elif families is not None:
        keys = family_keys(families)
        chosen = tuple(s for s in ALL_SITES if s.key in keys)
        if "all" in set(families):
            chosen = ALL_SITES
    else:
        chosen = SITES
    out: list[ColumnLink] = []
    for s in chosen:
        for index, links in enumerate(s.pages):
            for link in links:
                out.append(_link_row(s, s.page_path(index), link))
                out += _attachment_rows(s, link)
        for page, links in s.extra_links:
            for link in links:
                out.append(_link_row(s, page, link))
    return out
