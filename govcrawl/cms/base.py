"""The base of every region spider: walk the report columns, follow the links
that may be annual reports, hand every fetched page (or failure) on as an item.

CMS families (``generic``, ``trs``) subclass it to say how their columns
paginate, which links are articles and where the article body lives; a region
spider is a few lines on a family. Callbacks are pure: response in, items or
requests out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_error
from twisted.python.failure import Failure

from govcrawl.clock import utcnow
from govcrawl.discovery import link_is_candidate, parse_date
from govcrawl.extract.decode import decode_body
from govcrawl.extract.flags import is_challenge
from govcrawl.fetch.safety import BlockedDestination
from govcrawl.items import FetchedPage, FetchFailed, ListingVisited
from govcrawl.regions import Region, RegionsError, load_registry
from govcrawl.urls import BadURL, host_of, normalise_url

_DATE_RE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")
_NEXT_TEXTS = {"下一页", "下页", "后一页", "next", ">", "»", "›"}
_PAGER_TEXTS = {"上一页", "首页", "尾页", "末页"}
_PAGE_LINK_RE = re.compile(r"(^|/)(index|list|default)[_-]\d+\.(s?html?|jsp|php)$", re.I)
_HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")
_TIMEOUTS = (twisted_error.TimeoutError, twisted_error.TCPTimedOutError, DownloadTimeoutError)
_DNS_ERRORS = (twisted_error.DNSLookupError, CannotResolveHostError)
_CONNECTION_ERRORS = (
    twisted_error.ConnectionRefusedError,
    twisted_error.ConnectError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    ResponseDataLossError,
)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class GovSpider(scrapy.Spider):
    """Crawl one region's report columns (a CMS family subclasses this)."""

    cms: ClassVar[str] = "generic"
    #: CSS selector of the article body on this CMS, handed to the extractor.
    content_container: ClassVar[str | None] = None
    #: Container of the record list on column pages (None: the whole page).
    list_container: ClassVar[str | None] = None

    region: Region
    max_column_pages: int = 200

    def __init__(self, *args: Any, region: Region | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if region is not None:
            self.region = region

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> GovSpider:
        region = kwargs.get("region")
        if region is None:
            # `scrapy crawl SLUG`: the region comes from the registry by name.
            registry = load_registry(crawler.settings.get("GOVCRAWL_REGIONS_FILE"))
            try:
                region = registry.get(kwargs.get("name") or cls.name)
            except KeyError as exc:
                raise RegionsError(str(exc)) from exc
            kwargs["region"] = region
        kwargs.setdefault("name", region.slug)
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, GovSpider)
        if not region.crawlable:
            raise RegionsError(f"region {region.slug!r} has no portal/report_columns to crawl")
        spider.allowed_domains = list(region.hosts)  # type: ignore[attr-defined]  # read by Offsite
        spider.max_column_pages = crawler.settings.getint("GOVCRAWL_MAX_COLUMN_PAGES", 200)
        return spider

    # -- requests -------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for url in self.region.report_columns:
            yield self.column_request(url, page=1)

    def column_request(self, url: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_column,
            errback=self.on_error,
            meta={"govcrawl_listing": True, "govcrawl_page": page},
        )

    def document_request(self, url: str, title: str, listed: date | None) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_document,
            errback=self.on_error,
            cb_kwargs={"listing_title": title, "listing_date": listed},
        )

    # -- column pages ---------------------------------------------------------
    def parse_column(self, response: Response) -> Iterator[Any]:
        if not self._is_html(response) or not isinstance(response, TextResponse):
            yield self._failure(
                response.request,
                "unsupported_type",
                "column page is not HTML",
                status=response.status,
                is_listing=True,
            )
            return
        # Read the column as the extractor reads pages: a wrong charset header (a GBK
        # page labelled utf-8) must not turn the link titles into mojibake.
        _, encoding = decode_body(response.body, _header(response.headers, b"Content-Type"))
        if isinstance(response, TextResponse) and encoding != response.encoding:
            response = response.replace(encoding=encoding)
        skipped: Counter[str] = Counter()
        seen: set[str] = set()
        followed = 0
        article_links = 0
        scope = response.css(self.list_container) if self.list_container else None
        root = scope[0] if scope else response.selector
        for url, title, listed in self.article_links(response, root):
            article_links += 1
            try:
                key = normalise_url(url)
            except BadURL:
                skipped["bad_url"] += 1
                continue
            if key in seen:
                skipped["duplicate_link"] += 1
                continue
            seen.add(key)
            if host_of(url) not in self.region.hosts:
                skipped["offsite"] += 1
                continue
            if not link_is_candidate(title, url):
                skipped["not_report_title"] += 1
                continue
            followed += 1
            yield self.document_request(url, title, listed)
        page = int(response.meta.get("govcrawl_page", 1))
        if page < self.max_column_pages:
            for next_url in dict.fromkeys(self.pagination_urls(response)):
                if host_of(next_url) in self.region.hosts:
                    yield self.column_request(next_url, page + 1)
        yield ListingVisited(
            region_slug=self.region.slug,
            url=response.url,
            status=response.status,
            fetched_at=utcnow(),
            article_links=article_links,
            followed=followed,
            skipped=dict(skipped),
            bytes=len(response.body),
            elapsed_ms=self._elapsed(response.request),
        )

    def article_links(
        self, response: Response, root: Selector
    ) -> Iterator[tuple[str, str, date | None]]:
        """(absolute URL, title, date listed) of each record on a column page."""
        column_dir = response.url.rsplit("/", 1)[0] + "/"
        for url, text, anchor in _anchors(response.url, root):
            title = _clean(anchor.attrib.get("title") or text)
            if not title or self.is_pagination_link(url, text) or _is_directory(url):
                continue
            listed_match = _DATE_RE.search(self._row_text(anchor))
            if (
                self.is_article_url(url)
                or listed_match
                or (url.startswith(column_dir) and len(title) >= 6)
            ):
                listed = parse_date(listed_match.group(0)) if listed_match else None
                yield url, title, listed

    @staticmethod
    def _row_text(anchor: Selector) -> str:
        row = anchor.xpath("ancestor::*[self::li or self::tr or self::dd or self::dl][1]")
        if not row:
            return ""
        return _clean(" ".join(row[0].css("::text").getall()))[:300]

    def is_article_url(self, url: str) -> bool:
        """Does the URL have this CMS's article shape? (Families override.)"""
        return False

    def is_pagination_link(self, url: str, text: str) -> bool:
        return (
            text.lower() in _NEXT_TEXTS
            or text in _PAGER_TEXTS
            or text.isdigit()
            or bool(_PAGE_LINK_RE.search(urlsplit(url).path))
        )

    def pagination_urls(self, response: Response) -> Iterable[str]:
        """The column's other pages (generic: 下一页 / index_N.html links in the column)."""
        assert isinstance(response, TextResponse)
        column_dir = response.url.rsplit("/", 1)[0] + "/"
        for url, text, _ in _anchors(response.url, response.selector):
            if url.startswith(column_dir) and self.is_pagination_link(url, text):
                yield url

    # -- documents ------------------------------------------------------------
    def parse_document(
        self, response: Response, listing_title: str | None = None, listing_date: date | None = None
    ) -> Iterator[Any]:
        if not self._is_html(response):
            ctype = _header(response.headers, b"Content-Type") or "unknown"
            yield self._failure(
                response.request,
                "unsupported_type",
                f"not an HTML page (Content-Type {ctype}); attachments come later",
                status=response.status,
            )
            return
        headers = response.headers
        yield FetchedPage(
            region_slug=self.region.slug,
            url=normalise_url(_first_url(response.request) or response.url),
            final_url=response.url,
            status=response.status,
            body=response.body,
            fetched_at=utcnow(),
            content_type=_header(headers, b"Content-Type"),
            etag=_header(headers, b"ETag"),
            last_modified=_header(headers, b"Last-Modified"),
            elapsed_ms=self._elapsed(response.request),
            container=self.content_container,
            listing_title=listing_title,
            listing_date=listing_date,
        )

    # -- failures -------------------------------------------------------------
    def on_error(self, failure: Failure) -> Iterator[FetchFailed]:
        request: scrapy.Request | None = getattr(failure, "request", None)
        outcome, error, status = self.classify_failure(failure.value)
        if isinstance(failure.value, HttpError):
            request = failure.value.response.request or request
        if request is None:
            return
        is_listing = bool(request.meta.get("govcrawl_listing"))
        self.logger.warning("%s %s: %s", outcome, request.url, error)
        yield self._failure(request, outcome, error, status=status, is_listing=is_listing)

    def classify_failure(self, exc: BaseException | None) -> tuple[str, str, int | None]:
        """(outcome, error message, HTTP status) of a failed request."""
        if isinstance(exc, HttpError):
            response = exc.response
            if self._is_challenge(response):
                return (
                    "challenge",
                    f"HTTP {response.status}: anti-bot challenge page",
                    response.status,
                )
            return "http_error", f"HTTP {response.status}", response.status
        if isinstance(exc, BlockedDestination):
            return "blocked", str(exc), None
        if isinstance(exc, scrapy.exceptions.IgnoreRequest):
            message = str(exc) or "request ignored"
            lowered = message.lower()
            outcome = (
                "robots"
                if "robots" in lowered
                else "offsite"
                if "offsite" in lowered
                else "ignored"
            )
            return outcome, f"not fetched: {message}", None
        if isinstance(exc, _TIMEOUTS):
            return "timeout", f"timed out: {exc}", None
        if isinstance(exc, _DNS_ERRORS):
            return "dns_error", str(exc), None
        if isinstance(exc, _CONNECTION_ERRORS):
            return "connection_error", str(exc) or type(exc).__name__, None
        return "error", f"{type(exc).__name__}: {exc}", None

    def _failure(
        self,
        request: scrapy.Request | None,
        outcome: str,
        error: str,
        *,
        status: int | None = None,
        is_listing: bool = False,
    ) -> FetchFailed:
        url = _first_url(request) or ""
        if request is not None and url != request.url:
            error = f"{error} (after redirect to {request.url})"
        return FetchFailed(
            region_slug=self.region.slug,
            url=url,
            outcome=outcome,
            error=error,
            fetched_at=utcnow(),
            status=status,
            elapsed_ms=self._elapsed(request),
            is_listing=is_listing,
        )

    @staticmethod
    def _is_challenge(response: Response) -> bool:
        html, _ = decode_body(response.body[:65536], _header(response.headers, b"Content-Type"))
        return is_challenge(html, "", response.status)

    @staticmethod
    def _elapsed(request: scrapy.Request | None) -> int | None:
        latency = request.meta.get("download_latency") if request is not None else None
        return None if latency is None else int(latency * 1000)

    @staticmethod
    def _is_html(response: Response) -> bool:
        ctype = (_header(response.headers, b"Content-Type") or "").lower()
        if not ctype:
            return response.body[:1024].lstrip()[:1] == b"<"
        return ctype.startswith(_HTML_TYPES)


def _anchors(base_url: str, root: Selector) -> Iterator[tuple[str, str, Selector]]:
    """(absolute URL without fragment, link text, element) of each followable link."""
    for anchor in root.css("a[href]"):
        href = (anchor.attrib.get("href") or "").strip()
        if href and not href.lower().startswith(_SKIP_SCHEMES):
            text = _clean(" ".join(anchor.css("::text").getall()))
            yield urljoin(base_url, href).split("#", 1)[0], text, anchor


def _first_url(request: scrapy.Request | None) -> str | None:
    """The URL the spider asked for (before any redirect): the document's identity."""
    if request is None:
        return None
    redirects = request.meta.get("redirect_urls")
    return str(redirects[0]) if redirects else request.url


def _is_directory(url: str) -> bool:
    """A link to a directory or its index page is a column, not an article."""
    try:
        return normalise_url(url).split("?", 1)[0].endswith("/")
    except BadURL:
        return False


def _header(headers: Any, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None
