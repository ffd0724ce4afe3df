"""The lean per-request paths give what Scrapy's components give (govcrawl/fetch/lean.py,
the gzip fast path and the Retry-After check in limits.py, the link reader's cache)."""

from __future__ import annotations

import asyncio
import gzip
import logging
import zlib

import pytest
from parsel import Selector
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import (
    MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware,
)
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.referer import RefererMiddleware
from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware
from scrapy.utils.gz import gunzip
from scrapy.utils.test import get_crawler

from govcrawl.cms import links
from govcrawl.config import Config
from govcrawl.fetch.lean import MetaRefreshMiddleware, SpiderOutputMiddleware
from govcrawl.fetch.limits import (
    BoundedCompressionMiddleware,
    RetryAfterMiddleware,
    gunzip_whole,
)
from govcrawl.fetch.quiet import PER_RESPONSE_LOGGERS, QuietNetworkErrors

PAGE = ("<html><body>" + "政府信息公开工作年度报告 " * 400 + "</body></html>").encode()


def _settings(**extra: object) -> dict[str, object]:
    return {**Config().scrapy_settings(), **extra}


# -- gzip -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        gzip.compress(PAGE),
        gzip.compress(b""),
        gzip.compress(PAGE) + gzip.compress(b"second member"),  # two members
        gzip.compress(PAGE)[:-30],  # truncated
        gzip.compress(PAGE) + b"trailing garbage",
        gzip.compress(PAGE)[:-8] + b"\0\0\0\0" + gzip.compress(PAGE)[-4:],  # bad CRC
        gzip.compress(PAGE)[:-4] + (100).to_bytes(4, "little"),  # says it holds 100 B
        gzip.compress(b"\0" * 200_000),  # past the bound below
    ],
    ids=["whole", "empty", "two-members", "truncated", "garbage", "bad-crc", "lying-size",
         "bomb"],
)
def test_gzip_fast_path_gives_what_scrapy_gives(body: bytes) -> None:
    def scrapys(max_size: int) -> bytes | str:
        try:
            return gunzip(body, max_size=max_size)
        except ValueError as exc:  # past the bound
            return type(exc).__name__

    def ours(max_size: int) -> bytes | str:
        try:
            return BoundedCompressionMiddleware._decode(body, b"gzip", max_size)
        except ValueError as exc:
            return type(exc).__name__

    for max_size in (0, 10**7, 100_000):
        assert ours(max_size) == scrapys(max_size), max_size


def test_gzip_fast_path_only_takes_whole_intact_bodies() -> None:
    assert gunzip_whole(gzip.compress(PAGE), 0) == PAGE
    assert gunzip_whole(gzip.compress(PAGE), len(PAGE)) == PAGE
    assert gunzip_whole(gzip.compress(PAGE), len(PAGE) - 1) is None  # past the bound
    assert gunzip_whole(gzip.compress(PAGE)[:-30], 0) is None
    assert gunzip_whole(gzip.compress(PAGE) + gzip.compress(b"x"), 0) is None
    assert gunzip_whole(zlib.compress(PAGE), 0) is None  # deflate, not gzip


def test_a_gzip_bomb_is_still_a_decompression_bomb() -> None:
    from govcrawl.fetch.limits import DecompressionBomb

    crawler = get_crawler(settings_dict=_settings(GOVCRAWL_MAX_INFLATED_SIZE=100_000))
    mw = BoundedCompressionMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1/a.html")
    bomb = gzip.compress(b"\0" * 1_000_000)
    response = HtmlResponse(
        request.url, body=bomb, headers={"Content-Encoding": "gzip"}, request=request
    )
    with pytest.raises(DecompressionBomb):
        mw.process_response(request, response)
    page = HtmlResponse(
        request.url, body=gzip.compress(PAGE), headers={"Content-Encoding": "gzip"},
        request=request,
    )
    assert mw.process_response(request, page).body == PAGE


# -- meta refresh -----------------------------------------------------------------------------
def _refresh_mws() -> tuple[MetaRefreshMiddleware, ScrapyMetaRefreshMiddleware]:
    crawler = get_crawler(settings_dict=_settings())
    return MetaRefreshMiddleware.from_crawler(crawler), ScrapyMetaRefreshMiddleware.from_crawler(
        crawler
    )


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (PAGE, "utf-8"),
        (b'<html><head><META HTTP-EQUIV="Refresh" CONTENT="0; URL=/zwgk/">', "utf-8"),
        (b"<html><head><meta http-equiv='refresh' content='5;url=b.html'>" + PAGE, "utf-8"),
        ('<html><head><meta http-equiv="refresh" content="0;url=/x">'.encode("utf-16"), None),
        ("<p>refresh 刷新</p>".encode("gbk"), "gbk"),
    ],
    ids=["none", "upper-case", "delayed", "utf-16", "word-only"],
)
def test_meta_refresh_as_scrapy_reads_it(body: bytes, encoding: str | None) -> None:
    ours, scrapys = _refresh_mws()
    request = Request("http://127.0.0.1/col/index.html")
    headers = {"Content-Type": f"text/html; charset={encoding}"} if encoding else {}

    def response() -> HtmlResponse:
        return HtmlResponse(request.url, body=body, headers=headers, request=request)

    expected = scrapys.process_response(request, response())
    got = ours.process_response(request, response())
    assert type(got) is type(expected)
    if isinstance(expected, Request):
        assert isinstance(got, Request)
        assert got.url == expected.url
    else:
        assert isinstance(got, Response)
        assert got.body == expected.body


# -- spider output ----------------------------------------------------------------------------
def test_spider_output_sets_referer_drops_long_urls_and_marks_start_requests() -> None:
    crawler = get_crawler(settings_dict=_settings())
    ours = SpiderOutputMiddleware.from_crawler(crawler)
    referer = RefererMiddleware.from_crawler(crawler)
    response = HtmlResponse("http://127.0.0.1/col/index.html", body=b"<html></html>")
    short = Request("http://127.0.0.1/col/202301/t20230101_1.html")
    long = Request("http://127.0.0.1/" + "a" * 3000)
    item = {"an": "item"}
    out = list(ours.process_spider_output(response, [short, item, long]))
    assert out == [short, item]
    twin = referer.get_processed_request(Request(short.url), response)
    assert twin is not None
    assert short.headers.get("Referer") == twin.headers.get("Referer") == response.url.encode()
    assert crawler.stats is not None
    assert crawler.stats.get_value("urllength/request_ignored_count") == 1
    assert UrlLengthMiddleware.from_crawler(crawler).maxlength == ours.maxlength

    async def start() -> list[object]:
        async def gen():  # type: ignore[no-untyped-def]
            yield Request("http://127.0.0.1/col/index.html")
            yield Request("http://127.0.0.1/" + "b" * 3000)

        return [r async for r in ours.process_start(gen())]

    started = asyncio.run(start())
    assert len(started) == 1
    assert isinstance(started[0], Request)
    assert started[0].meta["is_start_request"] is True
    assert "Referer" not in started[0].headers


def test_crawl_settings_run_one_spider_middleware_pass() -> None:
    spider_mws = Config().scrapy_settings()["SPIDER_MIDDLEWARES"]
    assert spider_mws["govcrawl.fetch.lean.SpiderOutputMiddleware"] == 700
    for name in ("referer.RefererMiddleware", "urllength.UrlLengthMiddleware",
                 "start.StartSpiderMiddleware", "depth.DepthMiddleware"):
        assert spider_mws[f"scrapy.spidermiddlewares.{name}"] is None


# -- Retry-After ------------------------------------------------------------------------------
def test_retry_after_check_is_free_until_a_site_asks_to_wait() -> None:
    mw = RetryAfterMiddleware.from_crawler(get_crawler(settings_dict=_settings()))
    request = Request("http://127.0.0.1/a.html")
    assert mw.process_request(request) is None
    mw.not_before["127.0.0.2"] = 0.0  # another site, long past
    assert mw.process_request(request) is None
    mw.not_before["127.0.0.1"] = float("inf")
    waiting = mw.process_request(request)
    assert waiting is not None and asyncio.iscoroutine(waiting)
    waiting.close()


def test_retry_after_holds_the_requests_already_queued_for_the_site() -> None:
    import time
    from types import SimpleNamespace

    from scrapy.core.downloader import Slot

    crawler = get_crawler(settings_dict=_settings())
    slot, other = Slot(2, 0.5, 0.5), Slot(2, 0.5, 0.5)
    crawler.engine = SimpleNamespace(  # type: ignore[assignment]
        downloader=SimpleNamespace(slots={"127.0.0.1": slot, "127.0.0.2": other})
    )
    mw = RetryAfterMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1/a.html", meta={"download_slot": "127.0.0.1"})
    answer = Response(request.url, status=429, headers={"Retry-After": "3"}, request=request)
    before = time.monotonic()
    retry = mw.process_response(request, answer)
    assert isinstance(retry, Request) and retry.dont_filter
    # the slot's next download is at least 3 s away, whatever delay it draws
    assert slot.lastseen + slot.delay * (1 - slot.jitter) >= before + 3
    assert other.lastseen == 0


# -- links ------------------------------------------------------------------------------------
def test_anchors_read_once_per_page_give_the_same_links() -> None:
    html = (
        "<ul><li><a href='./202301/t1.html' title='t'>2022年 <b>年度</b>报告</a>"
        "<span>2023-01-05</span></li>"
        "<li><a href='index_1.html'>2</a></li><li><a href='javascript:;'>x</a></li>"
        "<li><a href='http://[broken'>y</a></li></ul>"
    )
    page = Selector(text=html)
    base = "http://127.0.0.1/col/index.html"
    first = list(links.anchors(base, page))
    again = list(links.anchors(base, page))
    assert again == first
    assert [(u, t) for u, t, _ in first] == [
        ("http://127.0.0.1/col/202301/t1.html", "2022年 年度 报告"),
        ("http://127.0.0.1/col/index_1.html", "2"),
    ]
    assert links.row_text(first[0][2]) == "2022年 年度 报告 2023-01-05"
    other = list(links.anchors("http://127.0.0.2/col/index.html", page))
    assert other[0][0] == "http://127.0.0.2/col/202301/t1.html"
    fresh = Selector(text=html.replace("t1.html", "t2.html"))
    assert next(iter(links.anchors(base, fresh)))[0].endswith("t2.html")


# -- logging ----------------------------------------------------------------------------------
def test_per_response_debug_lines_are_dropped_at_the_logger() -> None:
    QuietNetworkErrors.from_crawler(get_crawler(settings_dict=_settings(LOG_LEVEL="WARNING")))
    for name in PER_RESPONSE_LOGGERS:
        assert not logging.getLogger(name).isEnabledFor(logging.DEBUG)
    QuietNetworkErrors.from_crawler(get_crawler(settings_dict=_settings(LOG_LEVEL="DEBUG")))
    for name in PER_RESPONSE_LOGGERS:
        assert logging.getLogger(name).isEnabledFor(logging.DEBUG)


# -- host encoding ----------------------------------------------------------------------------
def test_host_encoding_is_cached_with_scrapys_fallbacks() -> None:
    from scrapy.core.downloader._idna_patch import _install_twisted_idna_fallbacks
    from twisted.internet import endpoints

    from govcrawl.fetch.browser import cache_host_encoding

    _install_twisted_idna_fallbacks()  # as Scrapy's HTTP/1.1 handler does, before ours
    cache_host_encoding()
    cache_host_encoding()  # once only
    encode = endpoints._idnaBytes  # type: ignore[attr-defined]
    assert hasattr(encode, "cache_info")
    assert not hasattr(encode.__wrapped__, "cache_info")
    assert encode("www.Example.gov.cn") == "www.Example.gov.cn".encode("idna")
    assert encode("政府.cn") == "政府.cn".encode("idna")
    assert encode("under_score.gov.cn") == b"under_score.gov.cn"  # Scrapy's fallback
    with pytest.raises(UnicodeError):
        encode("bad host:80")


def test_the_responses_held_behind_extraction_are_bounded_per_process() -> None:
    """Scrapy bounds the responses a crawler holds while their items are processed (5 MB
    each); the crawlers of one process (a run of many regions) share one bound instead."""
    from govcrawl.config import MIN_CRAWLER_ACTIVE_BYTES, PROCESS_ACTIVE_BYTES, Config

    config = Config()
    one = config.scrapy_settings()["SCRAPER_SLOT_MAX_ACTIVE_SIZE"]
    twenty = config.scrapy_settings(crawlers=20)["SCRAPER_SLOT_MAX_ACTIVE_SIZE"]
    assert one == PROCESS_ACTIVE_BYTES
    assert 20 * twenty <= PROCESS_ACTIVE_BYTES
    assert config.scrapy_settings(crawlers=500)["SCRAPER_SLOT_MAX_ACTIVE_SIZE"] == (
        MIN_CRAWLER_ACTIVE_BYTES
    )
