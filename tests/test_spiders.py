"""Frozen-page tests: each region spider on saved pages of its portal (real URLs)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from govcrawl.cms import GovSpider
from govcrawl.cms.trs import trs_page_urls
from govcrawl.config import Config
from govcrawl.extract import PageInput, extract_page
from govcrawl.items import FetchedPage, ListingVisited
from govcrawl.regions import builtin_registry
from spiders.kundulun import KundulunSpider
from spiders.longtan import LongtanSpider
from spiders.qingzhen import QingzhenSpider
from spiders.zhalantun import ZhalantunSpider

FIXTURES = Path(__file__).parent / "fixtures" / "spiders"


def make_spider(cls: type[GovSpider]) -> GovSpider:
    crawler = get_crawler(cls, Config().scrapy_settings())
    spider = cls.from_crawler(crawler)
    return spider


def response(slug: str, name: str, url: str, request: Request | None = None) -> HtmlResponse:
    body = (FIXTURES / slug / name).read_bytes()
    request = request or Request(url)
    return HtmlResponse(
        url=url, body=body, request=request, headers={"Content-Type": "text/html; charset=utf-8"}
    )


def split(results: list[object]) -> tuple[list[Request], list[Request], ListingVisited]:
    requests = [r for r in results if isinstance(r, Request)]
    docs = [r for r in requests if r.callback.__name__ == "parse_document"]
    pages = [r for r in requests if r.callback.__name__ == "parse_column"]
    (listing,) = [r for r in results if isinstance(r, ListingVisited)]
    return docs, pages, listing


def test_spiders_are_thin_and_named_by_slug() -> None:
    registry = builtin_registry()
    for cls in (ZhalantunSpider, KundulunSpider, QingzhenSpider, LongtanSpider):
        spider = make_spider(cls)
        assert spider.region == registry.get(cls.name)
        assert spider.allowed_domains == [registry.get(cls.name).portal.split("/")[2]]


def test_zhalantun_trs_column_page_two() -> None:
    spider = make_spider(ZhalantunSpider)
    url = "http://www.zhalantun.gov.cn/zwgk/zfxxgknb/index_1.html"
    docs, pages, listing = split(
        list(spider.parse_column(response("zhalantun", "zwgk_zfxxgknb_index_1.html", url)))
    )
    assert [(r.url, r.cb_kwargs["listing_title"], r.cb_kwargs["listing_date"]) for r in docs] == [
        (
            "http://www.zhalantun.gov.cn/zwgk/zfxxgknb/202201/t20220127_3381234.html?utm_source=wechat",
            "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告",
            date(2022, 1, 27),
        ),
        (
            "http://www.zhalantun.gov.cn/zwgk/zfxxgknb/202201/t20220121_3378456.html",
            "扎兰屯市2021年政府信息公开工作年度报告",
            date(2022, 1, 21),
        ),
        (
            "http://www.zhalantun.gov.cn/search/search.jsp?searchword=%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A&channelid=212345",
            "政府信息公开年报检索",
            date(2021, 6, 1),
        ),
    ]
    # pagination comes only from the createPageHTML(3, 1, "index", "html") script
    assert [r.url for r in pages] == [
        "http://www.zhalantun.gov.cn/zwgk/zfxxgknb/index.html",
        "http://www.zhalantun.gov.cn/zwgk/zfxxgknb/index_1.html",
        "http://www.zhalantun.gov.cn/zwgk/zfxxgknb/index_2.html",
    ]
    assert (listing.article_links, listing.followed, listing.skipped) == (4, 3, {"offsite": 1})


def test_zhalantun_trs_detail_page_extracts_the_report() -> None:
    spider = make_spider(ZhalantunSpider)
    url = "http://www.zhalantun.gov.cn/zwgk/zfxxgknb/202201/t20220127_3381234.html"
    (item,) = list(
        spider.parse_document(
            response("zhalantun", "zwgk_zfxxgknb_202201_t20220127_3381234.html", url),
            listing_title="扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告",
        )
    )
    assert isinstance(item, FetchedPage)
    assert (item.url, item.container, item.region_slug) == (url, "div.TRS_Editor", "zhalantun")
    ex = extract_page(
        PageInput(
            url=item.url,
            body=item.body,
            content_type=item.content_type,
            container=item.container,
            status=200,
        )
    )
    assert ex.title == "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告"
    assert (ex.report_year, ex.published_at, ex.is_annual_report) == (2021, date(2022, 1, 27), True)
    assert ex.flags == ["spam_injection"]
    assert ex.text.startswith("根据《中华人民共和国政府信息公开条例》")
    assert "网站标识码" not in ex.text and "您当前所在的位置" not in ex.text
    assert len(ex.tables) >= 3


def test_kundulun_trs_first_column_page() -> None:
    spider = make_spider(KundulunSpider)
    url = "http://www.kdl.gov.cn/xxgk/zfxxgknb/index.html"
    docs, pages, listing = split(
        list(spider.parse_column(response("kundulun", "xxgk_zfxxgknb_index.html", url)))
    )
    assert [r.url.rsplit("/", 2)[-2:] for r in docs] == [
        ["201603", "t20160325_1520394.html"],
        ["201503", "t20150320_1203317.html"],
    ]
    assert [r.url for r in pages] == [url, "http://www.kdl.gov.cn/xxgk/zfxxgknb/index_1.html"]
    assert listing.skipped == {"not_report_title": 2}
    page = response(
        "kundulun",
        "xxgk_zfxxgknb_201401_t20140130_975503.html",
        "http://www.kdl.gov.cn/xxgk/zfxxgknb/201401/t20140130_975503.html",
    )
    ex = extract_page(
        PageInput(url=page.url, body=page.body, container="div.TRS_Editor", status=200)
    )
    assert ex.title == "昆都仑区人民政府关于2013年度政府信息公开年度报告"
    assert (ex.report_year, ex.published_at) == (2013, date(2014, 1, 30))


def test_qingzhen_generic_column_follows_next_page_links() -> None:
    spider = make_spider(QingzhenSpider)
    url = "http://www.gzqz.gov.cn/zfxxgk/zfxxgknb/index.html"
    docs, pages, listing = split(
        list(spider.parse_column(response("qingzhen", "zfxxgk_zfxxgknb_index.html", url)))
    )
    assert [r.url for r in docs] == [
        "http://www.gzqz.gov.cn/zfxxgk/zfxxgknb/201503/content_48213.html",
        "http://www.gzqz.gov.cn/zfxxgk/zfxxgknb/201403/content_34877.html",
    ]
    assert {r.url for r in pages} == {
        "http://www.gzqz.gov.cn/zfxxgk/zfxxgknb/index_2.html",
        "http://www.gzqz.gov.cn/zfxxgk/zfxxgknb/index_3.html",
    }
    assert listing.skipped == {"not_report_title": 1}
    page = response("qingzhen", "zfxxgk_zfxxgknb_201403_content_34877.html", docs[1].url)
    ex = extract_page(PageInput(url=page.url, body=page.body, status=200))
    assert ex.title == "清镇市2013年政府信息公开年度报告"
    assert (ex.report_year, ex.published_at) == (2013, date(2014, 3, 12))
    assert "2013年1月1日至2013年12月31日" in ex.text


def test_longtan_generic_column_and_town_report() -> None:
    spider = make_spider(LongtanSpider)
    url = "http://www.jllt.gov.cn/zwgk/zfxxgknb/"
    docs, pages, listing = split(
        list(spider.parse_column(response("longtan", "zwgk_zfxxgknb_index.html", url)))
    )
    assert [r.url for r in docs] == [
        "http://www.jllt.gov.cn/contents/2417/86531.html",
        "http://www.jllt.gov.cn/contents/2417/78566.html",
    ]
    assert [r.url for r in pages] == ["http://www.jllt.gov.cn/zwgk/zfxxgknb/?page=2"]
    page = response(
        "longtan", "contents_2417_61208.html", "http://www.jllt.gov.cn/contents/2417/61208.html"
    )
    ex = extract_page(PageInput(url=page.url, body=page.body, status=200))
    assert ex.title == "乌拉街2012年政务公开工作报告"
    assert (ex.report_year, ex.published_at, ex.is_annual_report) == (2012, date(2013, 3, 6), True)
    town = builtin_registry().jurisdiction_for(spider.region, ex.title, ex.agency)
    assert town.code == "220203102"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('createPageHTML(3, 0, "index", "html");', ["index.html", "index_1.html", "index_2.html"]),
        ("createPageHTML('page_div', 2, 1, 'index', 'shtml');", ["index.shtml", "index_1.shtml"]),
        (
            'var countPage = 2; var currentPage = 0; createPageHTML(countPage, currentPage, "index", "htm");',
            ["index.htm", "index_1.htm"],
        ),
        ('createPageHTML(1, 0, "index", "html");', []),
        ("document.write('no pager');", []),
    ],
)
def test_trs_pager_script_forms(script: str, expected: list[str]) -> None:
    base = "http://www.x.gov.cn/col/"
    assert trs_page_urls(base + "index.html", script) == [base + name for name in expected]
