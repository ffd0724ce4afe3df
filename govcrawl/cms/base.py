"""The base of every region spider: walk the report columns (or, without one,
the sitemap and the 信息公开 landing page), follow the links that may be annual
reports and their attachments, hand every fetched page (or failure) on as an item.

CMS families (``generic``, ``trs``, ``hanweb``) subclass it to say how their
columns paginate, which links are articles and where the article body lives; a
region spider is a few lines on a family. Callbacks are pure functions of the
response and the spider's crawl budget: items or requests out.

Pages that need a browser go through Chromium (scrapy-playwright): columns of a
region with ``render = "browser"``, column pages that turn out to be empty
shells filled by script, and walled pages of a region with ``walls = "browser"``
(retried once).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import re
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from govcrawl.clock import utcnow
from govcrawl.cms import links
from govcrawl.cms.failures import challenge_of, classify
from govcrawl.cms.sitemaps import read_sitemap
from govcrawl.discovery import link_is_candidate, parse_date
from govcrawl.extract.decode import decode_body
from govcrawl.fetch.browser import browser_meta
from govcrawl.fetch.revalidate import Pending, Revalidator
from govcrawl.items import ColumnMemory, FetchedPage, FetchFailed, ListingVisited
from govcrawl.raw import headers_from_scrapy
from govcrawl.regions import Region, RegionsError, load_registry
from govcrawl.urls import BadURL, host_of, normalise_url, url_hash

_HTML_TYPES = ("text/html", "application/xhtml", "text/plain")
_BINARY_TYPES = (
    "application/pdf",
    "application/msword",
    "application/vnd.",
    "application/x-",
    "application/octet-stream",
    "application/wps",
)
#: A column page with no records but these in its scripts is a shell filled by script.
_SHELL_HINTS = re.compile(
    r"fetch\(|XMLHttpRequest|axios|\$\.(?:ajax|get|post|getJSON)\(|ng-app|v-cloak|id=['\"]app['\"]",
    re.I,
)
#: Links on a landing page that lead on to report columns (followed within the depth limit).
_NAV_RE = re.compile(r"信息公开|政务公开|公开年报|年度报告|工作年报")
#: A landing-page link to the report column itself.
_COLUMN_TITLE = re.compile(r"年报|年度报告")
#: Sitemap URLs worth fetching when a region has no column (report-ish paths, attachments).
_REPORTISH_PATH = re.compile(r"nb|ndbg|nianbao|年报|年度报告|gongzuobaogao", re.I)
WALL_STATUSES = [403, 412, 429, 521]
_WALL_MAX_BYTES = 60_000
_FILE_LINK = re.compile(rb"\.(?:pdf|docx?|xlsx?|wps|et)\b", re.I)


class GovSpider(scrapy.Spider):
    """Crawl one region's reports (a CMS family subclasses this)."""

    cms: ClassVar[str] = "generic"
    #: CSS selector of the article body on this CMS, handed to the extractor.
    content_container: ClassVar[str | None] = None
    #: Container of the record list on column pages (None: the whole page).
    list_container: ClassVar[str | None] = None

    region: Region
    max_column_pages: int = 200
    page_budget: int = 5000
    max_depth: int = 3
    max_query_variants: int = 30
    max_url_depth: int = 12  # path segments; deeper URLs are generated traps
    max_attachments: int = 10
    max_url_length: int = sys.maxsize  # Scrapy's URLLENGTH_LIMIT

    def __init__(self, *args: Any, region: Region | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if region is not None:
            self.region = region
        self._requested = 0
        self._query_variants: Counter[str] = Counter()
        #: normalised URL -> (ETag, Last-Modified) from the last successful fetch
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        #: normalised URL -> what the column page listed when last read (by this version)
        self.columns: dict[str, ColumnMemory] = {}
        #: URL hashes a resumed run already recorded
        self.done: set[str] = set()
        #: budget or trap guard -> (why, the first new URL it refused, how many it refused)
        self.refused: dict[str, tuple[str, str | None, int]] = {}
        self._asked: set[str] = set()  # normalised URLs requested (a refused one is no loss)
        self._hosts: tuple[Region, frozenset[str]] | None = None
        self._column_version: tuple[Region, str] | None = None
        #: a re-crawl's conditional requests, outside Scrapy's request path
        self.revalidator: Revalidator | None = None

    @property
    def hosts(self) -> frozenset[str]:
        """The region's hosts (``Region.hosts`` parses its URLs on each call)."""
        cached = getattr(self, "_hosts", None)
        if cached is None or cached[0] is not self.region:
            cached = self._hosts = (self.region, frozenset(self.region.hosts))
        return cached[1]

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
            raise RegionsError(f"region {region.slug!r} has no portal to crawl")
        spider.allowed_domains = list(region.hosts)  # type: ignore[attr-defined]  # read by Offsite
        settings = crawler.settings
        spider.max_column_pages = settings.getint("GOVCRAWL_MAX_COLUMN_PAGES", 200)
        spider.page_budget = settings.getint("GOVCRAWL_MAX_PAGES", 5000)
        spider.max_depth = settings.getint("GOVCRAWL_MAX_DEPTH", 3)
        spider.max_query_variants = settings.getint("GOVCRAWL_MAX_QUERY_VARIANTS", 30)
        spider.max_url_length = settings.getint("URLLENGTH_LIMIT") or sys.maxsize
        if Revalidator.usable(settings) and region.render != "browser":
            spider.revalidator = Revalidator(crawler)
        return spider

    # -- requests -------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        await self.load_history()
        if self.region.report_columns:
            for url in self.region.report_columns:
                request = self.column_request(url, page=1)
                if request is not None:
                    yield request
            return
        # No column configured: the sitemap, and the landing page reached from home.
        portal = self.region.portal or ""
        for request in (
            self.request(
                portal.rstrip("/") + "/sitemap.xml",
                self.parse_sitemap,
                meta={"govcrawl_optional": True},
            ),
            self.request(
                portal, self.parse_landing, meta={"govcrawl_listing": True}, cb_kwargs={"depth": 0}
            ),
        ):
            if request is not None:
                yield request

    async def load_history(self) -> None:
        """What earlier runs know: the validators of known documents (for conditional
        requests, unless --force) and, when resuming a killed run, what it already did."""
        settings = getattr(self, "settings", None)
        if settings is None or not settings.get("GOVCRAWL_DB"):
            return
        db_url: str = settings.get("GOVCRAWL_DB")
        from govcrawl.pipelines import store_for  # the crawl's one store and writer thread

        store, writer = store_for(db_url)
        loop = asyncio.get_running_loop()
        if not settings.getbool("GOVCRAWL_FORCE"):
            self.validators = await loop.run_in_executor(writer, store.validators, self.region.slug)
            self.columns = await loop.run_in_executor(
                writer, store.column_memory, self.region.slug, self.column_version
            )
        run_id = settings.getint("GOVCRAWL_RUN_ID")
        if run_id and settings.getbool("GOVCRAWL_RESUME"):
            self.done = await loop.run_in_executor(writer, store.done_in_run, run_id)

    def request(self, url: str, callback: Any, **kwargs: Any) -> scrapy.Request | None:
        """A request within the crawl's budget (None when the budget or a trap guard
        says stop). Every request of the spider is made here (`kwargs`: ``make_request``'s)."""
        if not self._admit(url):
            return None
        return self.make_request(url, callback, **kwargs)

    def make_request(
        self,
        url: str,
        callback: Any,
        *,
        meta: dict[str, Any] | None = None,
        cb_kwargs: dict[str, Any] | None = None,
        browser: bool = False,
        dont_filter: bool = False,
        **kwargs: Any,
    ) -> scrapy.Request:
        """The Scrapy request for `url`, the budget and guards passed (``request``)."""
        meta = dict(meta or {})
        if browser:
            meta.update(browser_meta())
        request_cls = kwargs.pop("request_cls", scrapy.Request)
        request: scrapy.Request = request_cls(
            url,
            callback=callback,
            errback=self.on_error,
            meta=meta,
            cb_kwargs=cb_kwargs or {},
            dont_filter=dont_filter,
            **kwargs,
        )
        return request

    def _admit(self, url: str) -> bool:
        """Whether the crawl's budget and trap guards let the spider ask for `url`
        (counted as asked when they do)."""
        if self._requested >= self.page_budget:
            self.refuse(
                "page_budget",
                url,
                f"page budget of {self.page_budget} requests per region reached "
                "(GOVCRAWL_MAX_PAGES)",
            )
            return False
        try:
            parts = urlsplit(url)
        except ValueError:
            self._inc("skipped/bad_url")
            return False
        if parts.path.count("/") > self.max_url_depth:
            self.refuse("url_depth", url, f"more than {self.max_url_depth} path segments")
            return False
        if parts.query:
            key = f"{parts.netloc}{parts.path}"
            self._query_variants[key] += 1
            if self._query_variants[key] > self.max_query_variants:
                self.refuse(
                    "query_trap",
                    url,
                    f"more than {self.max_query_variants} query strings on {parts.path} "
                    "(a calendar or search trap; GOVCRAWL_MAX_QUERY_VARIANTS)",
                )
                return False
        self._requested += 1
        self._asked.add(_key(url))
        return True

    def column_request(
        self, url: str, page: int, *, browser: bool = False
    ) -> scrapy.Request | None:
        browser = browser or self.region.render == "browser"
        meta: dict[str, Any] = {"govcrawl_listing": True, "govcrawl_page": page}
        memory = None if browser else self.columns.get(_key(url))
        # asked conditionally when remembered: a 304 replays what it listed
        headers = _conditional(memory.etag, memory.last_modified) if memory else {}
        if headers:
            meta["handle_httpstatus_list"] = [304]
        return self.request(url, self.parse_column, meta=meta, headers=headers, browser=browser)

    @property
    def column_version(self) -> str:
        """What reads this region's column pages: the link reader's version, the spider
        class and the region's settings. A column page remembered by another version is
        read afresh (a new reader, or an edited regions file, may find other links)."""
        cached = self._column_version
        if cached is None or cached[0] is not self.region:
            key = f"{links.READER_VERSION}|{type(self).__module__}.{type(self).__qualname__}|"
            digest = hashlib.sha256((key + repr(self.region)).encode()).hexdigest()[:16]
            cached = self._column_version = (self.region, digest)
        return cached[1]

    def document_request(
        self,
        url: str,
        title: str,
        listed: date | None,
        parent_url: str | None = None,
        *,
        linked_from: Response,
        key: str | None = None,
    ) -> scrapy.Request | Literal["revalidating"] | None:
        """The request for a document linked from the page `linked_from` (`key`: its
        normalised URL, when known). A known document is asked for with its validators;
        the revalidator takes it when it can ("revalidating": the Scrapy request is made
        only if the answer is not a 304)."""
        if key is None:
            key = _key(url)
        if self.done and url_hash(key) in self.done:
            self._inc("resumed/already_done")
            return None
        meta: dict[str, Any] = {}
        headers = _conditional(*self.validators.get(key, (None, None)))
        cb_kwargs = {"listing_title": title, "listing_date": listed, "parent_url": parent_url}
        if headers:
            meta["handle_httpstatus_list"] = [304]
            revalidator = self.revalidator
            site = (
                revalidator.site_for(url)
                if revalidator is not None and len(url) <= self.max_url_length
                else None
            )
            if site is not None and revalidator is not None:
                if not self._admit(url):
                    return None
                referrer = revalidator.referrer(linked_from, url)
                if referrer is not None:
                    headers["Referer"] = referrer
                build = functools.partial(
                    self.make_request,
                    url,
                    self.parse_document,
                    cb_kwargs=cb_kwargs,
                    meta=meta,
                    headers=headers,
                )
                revalidator.enqueue(site, Pending(url, headers, parent_url, build))
                return "revalidating"
        return self.request(
            url, self.parse_document, cb_kwargs=cb_kwargs, meta=meta, headers=headers
        )

    def retry_in_browser(self, request: scrapy.Request, why: str) -> scrapy.Request | None:
        """The same request once more, through Chromium."""
        self._inc(f"browser_retries/{why}")
        meta = {k: v for k, v in request.meta.items() if not k.startswith(("download_", "retry"))}
        meta["handle_httpstatus_list"] = WALL_STATUSES
        return self.request(
            request.url,
            request.callback,
            meta=meta,
            cb_kwargs=dict(request.cb_kwargs),
            browser=True,
            dont_filter=True,
        )

    # -- column pages ---------------------------------------------------------
    def parse_column(self, response: Response) -> Iterator[Any]:
        """A report column's page: the records it lists, then its other pages. A page
        that answers 304, or the very body it had, is not read again: what it listed
        last time is followed (``ColumnMemory``)."""
        key = _key(_first_url(response.request) or response.url)
        memory = self.columns.get(key)
        if response.status == 304:
            if memory is None:  # (validators are sent only with a memory of the page)
                yield self._failure(
                    response.request, "http_error", "304 to an unconditional request",
                    status=304, is_listing=True,
                )
                return
        elif memory is None or not self._same_column(response, memory):
            yield from self.read_column(response)
            return
        self._inc("column_pages_unchanged")
        remember = None
        if response.status == 200:  # the same body: its validators may be new ones
            etag = _header(response.headers, b"ETag")
            modified = _header(response.headers, b"Last-Modified")
            if (etag, modified) != (memory.etag, memory.last_modified):
                remember = dataclasses.replace(memory, etag=etag, last_modified=modified)
                self.columns[key] = remember
        yield from self.follow_records(response, memory.records, remember=remember)
        yield from self.follow_pages(response, memory.pages)

    @staticmethod
    def _same_column(response: Response, memory: ColumnMemory) -> bool:
        return response.url == memory.url and _digest(response.body) == memory.digest

    def read_column(self, response: Response) -> Iterator[Any]:
        """A column page read afresh: its records, and its other pages."""
        page = self.readable(response, is_listing=True)
        if isinstance(page, FetchFailed):
            yield page
            return
        scope = page.css(self.list_container) if self.list_container else None
        root = scope[0] if scope else page.selector
        records = list(self.article_links(page, root))
        if not records and self.looks_like_shell(page):
            retry = self.retry_in_browser(page.request, "shell") if page.request else None
            if retry is not None:
                yield retry
                return
        pages = list(dict.fromkeys(self.pagination_urls(page)))
        remember = None
        if records and page.status == 200 and not page.meta.get("playwright"):
            remember = ColumnMemory(
                url=page.url,
                digest=_digest(page.body),
                records=records,
                pages=pages,
                etag=_header(page.headers, b"ETag"),
                last_modified=_header(page.headers, b"Last-Modified"),
                version=self.column_version,
            )
        yield from self.follow_records(page, records, remember=remember)
        yield from self.follow_pages(page, pages)

    def follow_pages(self, response: Response, pages: Iterable[str]) -> Iterator[Any]:
        """Requests for the column's other pages that a column page links."""
        number = int(response.meta.get("govcrawl_page", 1))
        browser = bool(response.meta.get("playwright"))
        for next_url in pages:
            if host_of(next_url) not in self.hosts:
                continue
            if _key(next_url) in self._asked:
                # every page of a TRS column names every other: asked already (Scrapy's
                # duplicate filter would drop it, after a Request, middlewares and a signal)
                continue
            if number >= self.max_column_pages:
                self.refuse(
                    "column_pages",
                    next_url,
                    f"column page limit of {self.max_column_pages} pages reached "
                    "(endless pagination? GOVCRAWL_MAX_COLUMN_PAGES)",
                )
                continue
            request = self.column_request(next_url, number + 1, browser=browser)
            if request is not None:
                yield request

    def follow_records(
        self,
        response: Response,
        records: Iterable[tuple[str, str, date | None]],
        *,
        script_records: bool = False,
        remember: ColumnMemory | None = None,
    ) -> Iterator[Any]:
        """Requests for the records that may be reports, and the ListingVisited item."""
        skipped: Counter[str] = Counter()
        seen: set[str] = set()
        followed = article_links = 0
        for url, title, listed in records:
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
            if host_of(url) not in self.hosts:
                skipped["offsite"] += 1
                continue
            if not link_is_candidate(title, url):
                skipped["not_report_title"] += 1
                continue
            request = self.document_request(url, title, listed, key=key, linked_from=response)
            if request is not None:
                followed += 1
            if isinstance(request, scrapy.Request):
                yield request
        yield ListingVisited(
            region_slug=self.region.slug,
            url=_first_url(response.request) or response.url,
            status=response.status,
            fetched_at=utcnow(),
            article_links=article_links,
            followed=followed,
            skipped=dict(skipped),
            bytes=len(response.body),
            elapsed_ms=self._elapsed(response.request),
            script_records=script_records,
            remember=remember,
        )

    def article_links(
        self, response: TextResponse, root: Selector
    ) -> Iterator[tuple[str, str, date | None]]:
        """(absolute URL, title, date listed) of each record on a column page."""
        column_dir = response.url.rsplit("/", 1)[0] + "/"
        for url, text, anchor in links.anchors(response.url, root):
            title = links.clean(anchor.attrib.get("title") or text)
            if not title or self.is_pagination_link(url, text) or links.is_directory(url):
                continue
            listed_match = links.DATE_RE.search(links.row_text(anchor))
            if (
                self.is_article_url(url)
                or links.attachment_kind(url)
                or listed_match
                or (url.startswith(column_dir) and len(title) >= 6)
            ):
                listed = parse_date(listed_match.group(0)) if listed_match else None
                yield url, title, listed

    def is_article_url(self, url: str) -> bool:
        """Does the URL have this CMS's article shape? (Families override.)"""
        return False

    def is_pagination_link(self, url: str, text: str) -> bool:
        return (
            text.lower() in links.NEXT_TEXTS
            or text in links.PAGER_TEXTS
            or text.isdigit()
            or bool(links.PAGE_LINK_RE.search(urlsplit(url).path))
        )

    def pagination_urls(self, response: TextResponse) -> Iterable[str]:
        """The column's other pages (generic: 下一页 / index_N.html links in the column)."""
        column_dir = response.url.rsplit("/", 1)[0] + "/"
        for url, text, _ in links.anchors(response.url, response.selector):
            if url.startswith(column_dir) and self.is_pagination_link(url, text):
                yield url

    def looks_like_shell(self, response: TextResponse) -> bool:
        """An empty column filled by script (worth rendering in a browser)?"""
        if self.region.render == "never" or response.meta.get("playwright"):
            return False
        scripts = " ".join(response.xpath("//script/text() | //script/@src").getall())
        return bool(_SHELL_HINTS.search(scripts) or _SHELL_HINTS.search(response.text[:20000]))

    # -- discovery without a column ---------------------------------------------
    def parse_sitemap(self, response: Response, depth: int = 0) -> Iterator[Any]:
        pages, children = read_sitemap(response.body)
        if depth < 2:
            for child in children[:50]:
                if host_of(child) in self.hosts:
                    request = self.request(
                        child,
                        self.parse_sitemap,
                        cb_kwargs={"depth": depth + 1},
                        meta={"govcrawl_optional": True},
                    )
                    if request is not None:
                        yield request
        for url, lastmod in pages:
            if host_of(url) not in self.hosts:
                continue
            reportish = _REPORTISH_PATH.search(urlsplit(url).path)
            follow: scrapy.Request | str | None = None
            if reportish and links.is_directory(url):
                follow = self.column_request(url, 1)  # a report column: read its list
            elif reportish or links.attachment_kind(url):
                follow = self.document_request(url, "", lastmod, linked_from=response)
            if isinstance(follow, scrapy.Request):
                yield follow

    def parse_landing(self, response: Response, depth: int = 0) -> Iterator[Any]:
        """A home or 信息公开 landing page: follow report links, columns and landings."""
        page = self.readable(response, is_listing=True)
        if isinstance(page, FetchFailed):
            yield page
            return
        records: list[tuple[str, str, date | None]] = []
        for url, text, anchor in links.anchors(page.url, page.selector):
            title = links.clean(anchor.attrib.get("title") or text)
            if not title or host_of(url) not in self.hosts:
                continue
            if links.is_directory(url) and _COLUMN_TITLE.search(title):
                request = self.column_request(url, 1)  # the 年报 column itself
                if request is not None:
                    yield request
            elif link_is_candidate(title, url) and not links.is_directory(url):
                listed = links.DATE_RE.search(links.row_text(anchor))
                records.append((url, title, parse_date(listed.group(0)) if listed else None))
            elif _NAV_RE.search(title) and depth >= self.max_depth:
                self.refuse(
                    "depth",
                    url,
                    f"link depth limit of {self.max_depth} hops from the home page reached "
                    "(GOVCRAWL_MAX_DEPTH)",
                )
            elif _NAV_RE.search(title):
                request = self.request(
                    url,
                    self.parse_landing,
                    cb_kwargs={"depth": depth + 1},
                    meta={"govcrawl_listing": True},
                )
                if request is not None:
                    yield request
        yield from self.follow_records(page, records)

    # -- documents ------------------------------------------------------------
    def parse_document(
        self,
        response: Response,
        listing_title: str | None = None,
        listing_date: date | None = None,
        parent_url: str | None = None,
    ) -> Iterator[Any]:
        request = response.request
        if response.status == 304:  # unchanged since the last fetch: nothing to extract
            sent = request.headers if request is not None else {}
            yield FetchedPage(
                region_slug=self.region.slug,
                url=normalise_url(_first_url(request) or response.url),
                final_url=response.url,
                status=304,
                body=b"",
                fetched_at=utcnow(),
                etag=_header(response.headers, b"ETag") or _header(sent, b"If-None-Match"),
                last_modified=_header(response.headers, b"Last-Modified")
                or _header(sent, b"If-Modified-Since"),
                elapsed_ms=self._elapsed(request),
                parent_url=parent_url,
            )
            return
        ctype = _header(response.headers, b"Content-Type")
        kind = self.kind_of(response)
        if kind is None:
            yield self._failure(
                request,
                "unsupported_type",
                f"neither a page nor a report file (Content-Type {ctype})",
                status=response.status,
            )
            return
        status = response.status
        attachments: list[str] = []
        if kind == "html":
            # Here only to retry a wall in the browser (the extractor rejects walls anyway);
            # walls are small pages or error statuses: no need to scan every report for one.
            could_be_wall = status != 200 or (
                self.region.walls == "browser" and len(response.body) <= _WALL_MAX_BYTES
            )
            wall = challenge_of(response.body, ctype, status) if could_be_wall else None
            if (
                wall
                and self.region.walls == "browser"
                and request is not None
                and not request.meta.get("playwright")
            ):
                retry = self.retry_in_browser(request, wall)
                if retry is not None:
                    yield retry
                    return
            if wall and status != 200:  # still walled after the browser
                yield self._failure(
                    request, "challenge", f"{wall} wall (HTTP {status})", status=status
                )
                return
            if status != 200 and request is not None and request.meta.get("playwright"):
                status = 200  # the browser got past the wall: its page is the page
            page_url = _first_url(request) or response.url
            for url, title in self.attachment_links(response)[: self.max_attachments]:
                attachments.append(normalise_url(url))
                follow = self.document_request(
                    url,
                    title or listing_title or "",
                    listing_date,
                    parent_url=normalise_url(page_url),
                    linked_from=response,
                )
                if isinstance(follow, scrapy.Request):
                    yield follow
        headers = response.headers
        yield FetchedPage(
            region_slug=self.region.slug,
            url=normalise_url(_first_url(request) or response.url),
            final_url=response.url,
            status=status,
            body=response.body,
            fetched_at=utcnow(),
            content_type=ctype,
            etag=_header(headers, b"ETag"),
            last_modified=_header(headers, b"Last-Modified"),
            elapsed_ms=self._elapsed(request),
            container=self.content_container,
            listing_title=listing_title,
            listing_date=listing_date,
            kind=kind,
            attachments=attachments,
            parent_url=parent_url,
            headers=headers_from_scrapy(headers),
            request_headers=headers_from_scrapy(request.headers) if request is not None else [],
            method=request.method if request is not None else "GET",
        )

    def kind_of(self, response: Response) -> str | None:
        """html, pdf, doc, docx, xls or xlsx (None: something else)."""
        ctype = (_header(response.headers, b"Content-Type") or "").lower()
        by_url = links.attachment_kind(response.url)
        head = response.body[:8]
        if head.startswith(b"%PDF"):
            return "pdf"
        if head.startswith((b"\xd0\xcf\x11\xe0", b"PK\x03\x04")):
            return by_url or ("xls" if "excel" in ctype else "doc" if head[0] == 0xD0 else "docx")
        if ctype.startswith(_HTML_TYPES) or (
            not ctype and response.body[:1024].lstrip()[:1] == b"<"
        ):
            return "html"
        if ctype.startswith(_BINARY_TYPES) and by_url:
            return by_url
        return None

    def attachment_links(self, response: Response) -> list[tuple[str, str]]:
        """(URL, link text) of report files linked from an article (its 附件)."""
        if not isinstance(response, TextResponse) or not _FILE_LINK.search(response.body):
            return []  # parse the page only when it names a report file at all
        page = self._decoded(response)
        out: dict[str, str] = {}
        for url, text, anchor in links.anchors(page.url, page.selector):
            if links.attachment_kind(url) and host_of(url) in self.hosts:
                out.setdefault(url, links.file_title(url, anchor.attrib.get("title") or text))
        return list(out.items())

    # -- failures -------------------------------------------------------------
    def on_error(self, failure: Failure) -> Iterator[Any]:
        request: scrapy.Request | None = getattr(failure, "request", None)
        exc = failure.value
        if isinstance(exc, HttpError):
            request = exc.response.request or request
        if request is None:
            return
        outcome, error, status = classify(exc)
        if request.meta.get("govcrawl_optional") and outcome in ("http_error", "robots"):
            self._inc(f"optional_missing/{outcome}")
            return  # a portal without sitemap.xml is no failure
        if (
            outcome == "challenge"
            and self.region.walls == "browser"
            and not request.meta.get("playwright")
        ):
            retry = self.retry_in_browser(request, error.split()[0])
            if retry is not None:
                yield retry
                return
        is_listing = bool(request.meta.get("govcrawl_listing"))
        self.logger.warning("%s %s: %s", outcome, request.url, error)
        yield self._failure(request, outcome, error, status=status, is_listing=is_listing)

    def readable(
        self, response: Response, *, is_listing: bool = False
    ) -> TextResponse | FetchFailed:
        """The response decoded as the extractor reads pages (a GBK page labelled
        utf-8 must not turn link titles into mojibake), or why it cannot be read."""
        if self.kind_of(response) != "html" or not isinstance(response, TextResponse):
            return self._failure(
                response.request,
                "unsupported_type",
                "not an HTML page",
                status=response.status,
                is_listing=is_listing,
            )
        return self._decoded(response)

    @staticmethod
    def _decoded(response: TextResponse) -> TextResponse:
        _, encoding = decode_body(response.body, _header(response.headers, b"Content-Type"))
        if encoding != response.encoding:
            return response.replace(encoding=encoding)
        return response

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

    def refuse(self, guard: str, url: str, why: str) -> None:
        """A link not followed because a crawl budget or trap guard said stop."""
        self._inc(f"skipped/{guard}")
        first, first_url, count = self.refused.get(guard, (why, None, 0))
        if first_url is None and _key(url) not in self._asked:
            first_url = url
        self.refused[guard] = (first, first_url, count + 1)

    def budget_failures(self) -> list[FetchFailed]:
        """One ``budget_exhausted`` fetch per guard that refused links in this crawl: the
        first URL it refused that was not fetched anyway, why, and how many links it
        refused (a guard that only refused links already requested lost nothing)."""
        return [
            FetchFailed(
                region_slug=self.region.slug,
                url=url,
                outcome="budget_exhausted",
                error=f"{why}: {count} link(s) not followed, this the first",
                fetched_at=utcnow(),
                is_listing=guard in ("column_pages", "depth"),
            )
            for guard, (why, url, count) in sorted(self.refused.items())
            if url is not None
        ]

    def _inc(self, key: str) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(f"govcrawl/{key}")

    @staticmethod
    def _elapsed(request: scrapy.Request | None) -> int | None:
        latency = request.meta.get("download_latency") if request is not None else None
        return None if latency is None else int(latency * 1000)


def _key(url: str) -> str:
    try:
        return normalise_url(url)
    except BadURL:
        return url


def _conditional(etag: str | None, modified: str | None) -> dict[str, str]:
    """The headers of a conditional GET with a page's last validators (none: {})."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    return headers


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _first_url(request: scrapy.Request | None) -> str | None:
    """The URL the spider asked for (before any redirect): the document's identity."""
    if request is None:
        return None
    redirects = request.meta.get("redirect_urls")
    return str(redirects[0]) if redirects else request.url


def _header(headers: Any, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None
