"""Scrapy components that do the same work as Scrapy's own in fewer steps per request.

The crawler's reactor thread is the bottleneck of a crawl (reactor and database writer
share one GIL), and a nightly re-crawl must cost a tenth of the first crawl; every
middleware layer costs each request a coroutine or an asynchronous generator or two.

* ``SpiderOutputMiddleware``: one pass over a callback's output for what Scrapy spreads
  over five spider middlewares: the ``Referer`` header (``RefererMiddleware``, the same
  policies and settings), the URL length limit (``UrlLengthMiddleware``:
  ``URLLENGTH_LIMIT``, its log line and stat) and ``is_start_request`` on start requests
  (``StartSpiderMiddleware``). ``DepthMiddleware`` (``meta["depth"]`` and the
  ``request_depth_max`` stat, which nothing here reads: the spider keeps its own link
  depth) and ``MetaCopyDetectionMiddleware`` (a developer warning) are not run.
* ``MetaRefreshMiddleware``: Scrapy's, which decodes every HTML body and scans its head
  for ``<meta http-equiv="refresh">``; here a body whose first bytes do not spell
  ``refresh`` at all is passed on undecoded (the answer would be "no refresh").
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import (
    MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware,
)
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.referer import RefererMiddleware

logger = logging.getLogger(__name__)

#: Scrapy reads a meta refresh from the first 4,096 characters of the decoded body; in an
#: ASCII-compatible encoding a character is at most 4 bytes, and the ASCII letters of
#: "refresh" are themselves.
_REFRESH_SCAN = 4 * 4096


def may_have_meta_refresh(body: bytes) -> bool:
    """False when Scrapy's meta-refresh check cannot find one in `body`: the first
    characters it reads do not contain "refresh" (in any letter case). A body with a NUL
    byte there may be UTF-16 or UTF-32, where the letters are not ASCII bytes: True."""
    head = body[:_REFRESH_SCAN]
    return b"\0" in head or b"refresh" in head.lower()  # (a case-blind regex: 10x slower)


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, without decoding pages that have none."""

    def process_response(  # type: ignore[override]  # no spider argument (deprecated)
        self, request: Request, response: Response
    ) -> Request | Response:
        if isinstance(response, HtmlResponse) and not may_have_meta_refresh(response.body):
            return response
        result: Request | Response = super().process_response(request, response)
        return result


class SpiderOutputMiddleware(RefererMiddleware):
    """Referer, URL length limit and start-request mark in one spider middleware."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.referer = crawler.settings.getbool("REFERER_ENABLED")
        self.maxlength = crawler.settings.getint("URLLENGTH_LIMIT")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpiderOutputMiddleware:
        settings = crawler.settings
        if not settings.getbool("REFERER_ENABLED") and not settings.getint("URLLENGTH_LIMIT"):
            raise NotConfigured
        return cls(crawler)

    def _too_long(self, request: Request) -> bool:
        if not self.maxlength or len(request.url) <= self.maxlength:
            return False
        logger.info(
            "Ignoring link (url length > %(maxlength)d): %(url)s ",
            {"maxlength": self.maxlength, "url": request.url},
            extra={"spider": self.crawler.spider},
        )
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("urllength/request_ignored_count")
        return True

    def get_processed_request(
        self, request: Request, response: Response | None
    ) -> Request | None:
        if self._too_long(request):
            return None
        if response is None:  # a start request
            request.meta.setdefault("is_start_request", True)
            return request
        if self.referer:
            referrer = self.policy(response, request).referrer(response.url, request.url)
            if referrer is not None:
                request.headers.setdefault("Referer", referrer)
        return request

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for o in start:
            if not isinstance(o, Request) or self.get_processed_request(o, None) is not None:
                yield o

    def process_spider_output(  # type: ignore[override]
        self, response: Response | None, result: Iterable[Any]
    ) -> Iterable[Any]:
        for o in result:
            if not isinstance(o, Request) or self.get_processed_request(o, response) is not None:
                yield o

    async def process_spider_output_async(  # type: ignore[override]
        self, response: Response | None, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for o in result:
            if not isinstance(o, Request) or self.get_processed_request(o, response) is not None:
                yield o
