"""What the local portal replicas serve: a declarative spec of sites, columns and pages.

Four government portals (two TRS WCM sites, two generic CMSs) and one offsite 范文
aggregator, modelled on the real sites the samples come from. Every column link is
declared here with what it is (report or not, year, jurisdiction, special case), so
tests can assert a crawl against :func:`column_links` rather than a hand-kept list.

Bodies come from ``govcrawl/demo/data/`` (see :mod:`govcrawl.demo.markup`): the
cleaned sample texts, and replica content derived from them for the other years
(each such file starts with a ``# 复制站内容（replica content）`` note).
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

CMS = Literal["trs", "qingzhen", "longtan", "farm"]
Pagination = Literal["trs", "numbered", "query", "none"]
Special = Literal["spam", "url-variant", "mirror", "404", "500", "offsite", "robots"]
HrefStyle = Literal["relative", "root", "absolute"]


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

    def article(self, key: str) -> Article:
        for art in self.articles:
            if art.key == key:
                return art
        raise KeyError(f"site {self.key!r} has no article {key!r}")

    def page_path(self, index: int) -> str:
        """Path (with query) of the column's page `index` (0-based)."""
        if index == 0:
            return self.column_path
        directory = self.column_path.rsplit("/", 1)[0] + "/"
        if self.pagination == "trs":  # createPageHTML: index.html, index_1.html, ...
            return f"{directory}index_{index}.html"
        if self.pagination == "numbered":  # 1 2 3: index.html, index_2.html, ...
            return f"{directory}index_{index + 1}.html"
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


def site(key: str) -> Site:
    for s in SITES:
        if s.key == key:
            return s
    raise KeyError(f"no demo site {key!r} (sites: {', '.join(s.key for s in SITES)})")


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


def column_links(site_key: str | None = None) -> list[ColumnLink]:
    """Every link of every column page (of one site, or of all), resolved."""
    out: list[ColumnLink] = []
    for s in SITES:
        if site_key is not None and s.key != site_key:
            continue
        for index, links in enumerate(s.pages):
            for link in links:
                target, path = link_target(s, link)
                if link.article is not None and link.target_site is None:
                    art = s.article(link.article)
                    out.append(
                        ColumnLink(
                            s.key,
                            s.page_path(index),
                            target,
                            path,
                            link.fragment,
                            art.title,
                            art.is_report,
                            art.report_year,
                            art.published.date() if art.status == 200 else link.listed,
                            art.jurisdiction,
                            link.special,
                            art.status,
                        )
                    )
                else:
                    status = 404 if link.special == "404" else 200
                    out.append(
                        ColumnLink(
                            s.key,
                            s.page_path(index),
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
                        )
                    )
    return out
