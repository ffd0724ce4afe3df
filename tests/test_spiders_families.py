"""Frozen-page tests for the CMS families and behaviours of issue 3 (real URLs)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from scrapy import FormRequest, Request
from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from govcrawl.cms.hanweb import dataproxy_params, read_datastore
from govcrawl.cms.sitemaps import read_sitemap
from govcrawl.items import ListingVisited
from spiders.huaian import HuaianSpider
from spiders.jilinshi import JilinshiSpider
from spiders.wanzai import WanzaiSpider
from spiders.yichun import YichunSpider
from spiders.zhejiang import ZhejiangSpider
from tests.test_spiders import make_spider

FIXTURES = Path(__file__).parent / "fixtures" / "spiders"
ZJ_COLUMN = "http://www.zj.gov.cn/col/col1229019/index.html"
ZJ_PARAMS = {"col": "1", "appid": "1", "webid": "3096", "path": "/", "columnid": "1229019",
             "sourceContentType": "1", "unitid": "5884", "webname": "浙江省人民政府",
             "permissiontype": "0"}


def html(slug: str, name: str, url: str, ctype: str = "text/html; charset=utf-8",
         request: Request | None = None) -> HtmlResponse:
    return HtmlResponse(url=url, body=(FIXTURES / slug / name).read_bytes(),
                        headers={"Content-Type": ctype}, request=request or Request(url))


def test_hanweb_column_posts_to_dataproxy() -> None:
    spider = make_spider(ZhejiangSpider)
    page = html("zhejiang", "col_col1229019_index.html", ZJ_COLUMN)
    assert dataproxy_params(page.text) == ZJ_PARAMS
    out = list(spider.parse_column(page))
    (post,) = [r for r in out if isinstance(r, Request)]
    assert isinstance(post, FormRequest) and post.method == "POST"
    assert post.url == ("http://www.zj.gov.cn/module/web/jpage/dataproxy.jsp"
                        "?startrecord=1&endrecord=45&perpage=15")
    assert dict(pair.split("=", 1) for pair in post.body.decode().split("&"))["unitid"] == "5884"
    (listing,) = [i for i in out if isinstance(i, ListingVisited)]
    assert listing.script_records and listing.article_links == 0


def test_hanweb_dataproxy_records_and_last_slice() -> None:
    spider = make_spider(ZhejiangSpider)
    body = (FIXTURES / "zhejiang" / "dataproxy_46_90.xml").read_bytes()
    total, records = read_datastore(body)
    assert (total, len(records)) == (52, 7)
    url = "http://www.zj.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    response = XmlResponse(url=url, body=body, request=Request(url, method="POST"))
    out = list(spider.parse_dataproxy(response, endpoint=url.split("?")[0], params=ZJ_PARAMS, start=46))
    docs = [r for r in out if isinstance(r, Request)]
    assert [(r.url, r.cb_kwargs["listing_date"]) for r in docs] == [
        ("http://www.zj.gov.cn/art/2021/1/27/art_1229019_58108834.html", date(2021, 1, 27)),
        ("http://www.zj.gov.cn/art/2020/1/20/art_1229019_58072653.html", date(2020, 1, 20)),
        ("http://www.zj.gov.cn/art/2019/3/20/art_1229019_58042971.html", date(2019, 3, 20)),
    ]  # records 46-52: three reports; 46 + 45 > 52, so no further POST
    (listing,) = [i for i in out if isinstance(i, ListingVisited)]
    assert (listing.article_links, listing.followed, listing.skipped) == (7, 3, {"not_report_title": 4})


def test_gbk_column_without_charset_header_reads_clean_titles() -> None:
    spider = make_spider(WanzaiSpider)
    url = "http://www.wanzai.gov.cn/wzxrmzf/zfxxgknb/index.shtml"
    out = list(spider.parse_column(html("wanzai", "wzxrmzf_zfxxgknb_index.shtml", url, ctype="text/html")))
    docs = [r for r in out if isinstance(r, Request) and r.callback.__name__ == "parse_document"]
    assert [r.cb_kwargs["listing_title"] for r in docs] == [
        "万载县人民政府2022年政府信息公开工作年度报告",
        "万载县人民政府2021年政府信息公开工作年度报告",
    ]
    pages = [r.url for r in out if isinstance(r, Request) and r.callback.__name__ == "parse_column"]
    assert pages == ["http://www.wanzai.gov.cn/wzxrmzf/zfxxgknb/index_2.shtml"]


def test_script_rendered_shell_goes_to_chromium() -> None:
    spider = make_spider(YichunSpider)
    url = "https://www.yichun.gov.cn/ycsrmzf/zfxxgknb/index.html"
    assert spider.column_request(url, 1).meta["playwright"] is True  # region: render = "browser"
    spider.region = spider.region.__class__(**{**spider.region.__dict__, "render": "auto"})
    out = list(spider.parse_column(html("yichun", "ycsrmzf_zfxxgknb_index.html", url)))
    (retry,) = out  # an empty shell: the same page once more, through the browser
    assert (retry.url, retry.meta["playwright"], retry.dont_filter) == (url, True, True)


def test_wrapper_page_hands_on_its_attachments() -> None:
    spider = make_spider(HuaianSpider)
    url = "http://www.huaian.gov.cn/zwgk/zfxxgknb/202402/t20240227_2175530.html"
    out = list(spider.parse_document(html("huaian", "zwgk_zfxxgknb_202402_t20240227_2175530.html", url),
                                     listing_title="淮安市人民政府2023年政府信息公开工作年度报告"))
    requests = [r for r in out if isinstance(r, Request)]
    assert [(r.url, r.cb_kwargs["listing_title"], r.cb_kwargs["parent_url"]) for r in requests] == [
        ("http://www.huaian.gov.cn/uploadfiles/202402/szfgs2023.docx",
         "淮安市人民政府2023年政府信息公开工作年度报告", url),
        ("http://www.huaian.gov.cn/uploadfiles/202402/szfgs2023fb.xlsx",
         "淮安市人民政府2023年政府信息公开工作年度报告附表", url),
    ]
    (page,) = [i for i in out if not isinstance(i, Request)]
    assert page.attachments == [r.url for r in requests] and page.kind == "html"


def test_sitemap_and_landing_page_of_a_portal_without_column() -> None:
    body = (FIXTURES / "jilinshi" / "sitemap.xml").read_bytes()
    pages, children = read_sitemap(body)
    assert children == [] and len(pages) >= 10
    spider = make_spider(JilinshiSpider)
    sitemap = TextResponse(url="http://www.jlcity.gov.cn/sitemap.xml", body=body,
                           request=Request("http://www.jlcity.gov.cn/sitemap.xml"))
    out = [r for r in spider.parse_sitemap(sitemap) if isinstance(r, Request)]
    columns = [r.url for r in out if r.callback.__name__ == "parse_column"]
    docs = {r.url for r in out if r.callback.__name__ == "parse_document"}
    assert columns == ["http://www.jlcity.gov.cn/zwgk/zfxxgknb/"]
    assert "http://www.jlcity.gov.cn/zwgk/zfxxgknb/202001/t20200121_760308.html" in docs  # sitemap-only
    assert not any("/xwzx/" in url for url in docs)  # news pages are not fetched
    landing = list(spider.parse_landing(html("jilinshi", "zwgk_index.html", "http://www.jlcity.gov.cn/zwgk/"), depth=1))
    followed = {r.url for r in landing if isinstance(r, Request)}
    assert "http://www.jlcity.gov.cn/zwgk/zfxxgknb/202101/t20210129_871125.html" in followed  # landing-only
    assert "http://www.jlcity.gov.cn/zwgk/zfxxgknb/" in followed


def test_page_budget_and_query_trap_guard() -> None:
    spider = make_spider(JilinshiSpider)
    spider.max_query_variants = 3
    urls = [f"http://www.jlcity.gov.cn/hdjl/rl/?month=2024-{m:02d}" for m in range(1, 8)]
    made = [spider.request(u, spider.parse_landing) for u in urls]
    assert sum(r is not None for r in made) == 3
    spider.page_budget = spider._requested + 1
    assert spider.request("http://www.jlcity.gov.cn/a.html", spider.parse_landing) is not None
    assert spider.request("http://www.jlcity.gov.cn/b.html", spider.parse_landing) is None


def _handan(walls: str = "browser"):  # type: ignore[no-untyped-def]
    from spiders.handan import HandanSpider

    spider = make_spider(HandanSpider)
    if walls != spider.region.walls:
        spider.region = spider.region.__class__(**{**spider.region.__dict__, "walls": walls})
    return spider


def _http_error(status: int, name: str, url: str):  # type: ignore[no-untyped-def]
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure

    response = HtmlResponse(url=url, status=status, body=(FIXTURES / "handan" / name).read_bytes(),
                            headers={"Content-Type": "text/html"}, request=Request(url))
    return Failure(HttpError(response, "Ignoring non-200 response"))


def test_a_wall_that_yields_to_a_browser_is_retried_once_through_chromium() -> None:
    url = "http://hdzfxxgk.hd.gov.cn/zfxxgknb/202301/t20230130_1812406.html"
    (retry,) = list(_handan().on_error(_http_error(521, "jiasule_521.html", url)))
    assert (retry.url, retry.meta["playwright"], retry.dont_filter) == (url, True, True)
    assert 521 in retry.meta["handle_httpstatus_list"]
    # a region without walls = "browser" records the wall, with its kind
    (failed,) = list(_handan("record").on_error(_http_error(521, "jiasule_521.html", url)))
    assert (failed.outcome, failed.status, failed.error) == ("challenge", 521, "jiasule wall (HTTP 521)")


def test_cookie_redirect_page_served_with_200() -> None:
    url = "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202301/t20230119_1805532.html"
    (retry,) = list(_handan().parse_document(html("handan", "cookie_redirect.html", url)))
    assert isinstance(retry, Request) and retry.meta["playwright"]
    (page,) = list(_handan("record").parse_document(html("handan", "cookie_redirect.html", url)))
    from govcrawl.extract import PageInput, extract_page

    ex = extract_page(PageInput(url=url, body=page.body, status=200))
    assert ex.reject == "challenge" and not ex.is_annual_report


def test_soft_404_page_is_not_content() -> None:
    from govcrawl.extract import PageInput, extract_page

    url = "http://hdzfxxgk.hd.gov.cn/zfxxgknb/202101/t20210129_1386702.html"
    body = (FIXTURES / "handan" / "soft404.html").read_bytes()
    ex = extract_page(PageInput(url=url, body=body, status=200, listing_title="邯郸市人民政府2020年政府信息公开工作年度报告"))
    assert (ex.reject, ex.is_annual_report) == ("soft404", False)


def test_a_wall_slows_its_site_down() -> None:
    from types import SimpleNamespace

    from govcrawl.fetch.walls import WallBackoffMiddleware

    slot = SimpleNamespace(delay=0.1)
    crawler = SimpleNamespace(
        settings=SimpleNamespace(getfloat=lambda key, default: 7.5),
        engine=SimpleNamespace(downloader=SimpleNamespace(slots={"hdzfxxgk.hd.gov.cn": slot})),
        stats=None,
    )
    middleware = WallBackoffMiddleware(crawler)  # type: ignore[arg-type]
    request = Request("http://hdzfxxgk.hd.gov.cn/a.html", meta={"download_slot": "hdzfxxgk.hd.gov.cn"})
    ok = HtmlResponse(url=request.url, status=200, body=b"<html></html>")
    middleware.process_response(request, ok)
    assert slot.delay == 0.1
    walled = HtmlResponse(url=request.url, status=412, body=b"<html></html>")
    assert middleware.process_response(request, walled) is walled
    assert slot.delay == 7.5


def test_generated_deep_urls_are_cut() -> None:
    spider = make_spider(JilinshiSpider)
    deep = "http://www.jlcity.gov.cn/" + "a/" * 20 + "x.html"
    assert spider.request(deep, spider.parse_landing) is None
