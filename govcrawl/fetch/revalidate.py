"""A re-crawl's conditional requests for known documents, outside Scrapy's request path.

A nightly re-crawl is mostly 304s: every known document gets ``If-None-Match`` /
``If-Modified-Since`` and nearly all answer "not modified". Through Scrapy each one costs
the crawler's reactor about 2.5 ms (scheduler, downloader slot, a dozen middlewares, the
Twisted HTTP client, signals, the callback); a nightly run then costs a third of the
first crawl. Here such a request is one line of HTTP on a kept-alive connection per site:

* **Only the clean case.** A ``304 Not Modified`` is recorded as Scrapy's would be (a
  ``FetchedPage`` with status 304, handed to the store pipeline's batch of 304s: outcome
  ``unchanged`` or ``not_report``). Any other answer (200, a redirect, an error status, a
  wall, a timeout, a refused connection) is not read: the Scrapy request for the page (made
  only then, with the same headers: a column page's known documents are queued here as
  ``Pending`` revalidations, not as requests) goes to Scrapy's scheduler and takes the usual
  path (retries, walls, redirects, extraction). A site that
  answers anything but 304 twice is revalidated through Scrapy for the rest of the run
  (a wall or a dead server is not asked twice for each page).
* **The same rules.** The site's robots.txt as Scrapy's robots middleware read it (a
  site whose robots.txt is not read yet, or a disallowed URL, goes to Scrapy, which
  decides); the address guard (``refusal``) on the resolved address; Scrapy's download
  slot of the site: a revalidation waits for a free transfer slot and for the slot's
  delay, takes the slot while it is in flight and moves ``lastseen``, so Scrapy's own
  requests and these together keep the site's concurrency and delay.
* **Not used** with a proxy configured, for a request meant for the browser, or when
  ``GOVCRAWL_LEAN_REVALIDATE`` is off.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit
from urllib.request import getproxies  # (the proxy settings only: nothing is sent)

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider

from govcrawl.clock import utcnow
from govcrawl.fetch.limits import RobotsTxtMiddleware
from govcrawl.fetch.safety import refusal, resolve
from govcrawl.items import FetchedPage
from govcrawl.urls import normalise_url

if TYPE_CHECKING:
    from govcrawl.pipelines import StorePipeline

logger = logging.getLogger(__name__)
_C = TypeVar("_C")

#: A site that answers this many revalidations with anything but a 304 goes to Scrapy.
MAX_MISSES = 2
#: Seconds a revalidation may take at most (then Scrapy fetches the page).
TIMEOUT = 30.0
#: Longest status line and headers read from a site.
MAX_HEAD = 64 * 1024
#: How often a revalidation waiting for a busy download slot looks again (seconds).
SLOT_POLL = 0.02


def _insecure_context() -> ssl.SSLContext:
    """Scrapy's default: TLS without certificate checks (many portals' certificates are
    expired or self-signed; the content is checked, not the channel)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class Pending:
    """One revalidation: what is sent, and how to make the Scrapy request that takes its
    place when the answer is not a 304 (made only then: most never need one)."""

    __slots__ = ("build", "headers", "parent_url", "url")

    def __init__(
        self,
        url: str,
        headers: dict[str, str],
        parent_url: str | None,
        build: Callable[[], scrapy.Request],
    ) -> None:
        self.url = url
        self.headers = headers  # If-None-Match, If-Modified-Since, Referer
        self.parent_url = parent_url
        self.build = build


class _NoMeta:
    """A request without meta, for the referrer policy of a column page's links."""

    def __init__(self) -> None:
        self.meta: dict[str, Any] = {}


@dataclass
class _Site:
    """One site's revalidations: a queue, one kept-alive connection, and its misses."""

    scheme: str
    host: str
    port: int
    queue: deque[Pending] = field(default_factory=deque)
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    misses: int = 0
    running: bool = False

    @property
    def netloc_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class _Miss(Exception):
    """Not a clean 304: Scrapy fetches the page."""


class _NotHere(Exception):
    """A page Scrapy must fetch for a reason of its own, not the site's answer: robots.txt
    not read yet, or the URL disallowed (Scrapy's robots middleware records it)."""


class Revalidator:
    """The conditional requests of one crawler's known documents (see the module)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.allow_loopback = settings.getbool("GOVCRAWL_ALLOW_LOOPBACK")
        self.user_agent = settings.get("USER_AGENT")
        self.robots_agent = settings.get("ROBOTSTXT_USER_AGENT") or self.user_agent
        self.obey_robots = settings.getbool("ROBOTSTXT_OBEY")
        self.timeout = min(TIMEOUT, settings.getfloat("DOWNLOAD_TIMEOUT", TIMEOUT))
        self.sites: dict[tuple[str, str, int], _Site] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self._ssl: ssl.SSLContext | None = None
        self._robots: RobotsTxtMiddleware | None = None
        self._store: StorePipeline | None = None
        self._referer: Any = None  # the spider's referer middleware (or False: none)
        self._policy: tuple[Any, Any] | None = None  # (column page, its referrer policy)
        self.revalidated = 0  # 304s recorded here
        crawler.signals.connect(self._idle, signal=signals.spider_idle)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def usable(cls, settings: Any) -> bool:
        """Whether this crawl revalidates known documents here (no proxy: every request
        would have to go through it)."""
        return settings.getbool("GOVCRAWL_LEAN_REVALIDATE", True) and not any(
            scheme in ("http", "https") for scheme in getproxies()
        )

    def site_for(self, url: str) -> _Site | None:
        """The site that would revalidate `url`, or None when Scrapy must fetch it."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return None
        key = (parts.scheme, parts.hostname, port)
        site = self.sites.get(key)
        if site is None:
            site = self.sites[key] = _Site(parts.scheme, parts.hostname, port)
        if site.misses >= MAX_MISSES:
            return None
        return site

    def enqueue(self, site: _Site, pending: Pending) -> None:
        site.queue.append(pending)
        if not site.running:
            site.running = True
            task = asyncio.ensure_future(self._drain(site))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    def referrer(self, listing: scrapy.http.Response, url: str) -> str | None:
        """The Referer Scrapy's referer middleware would send to `url` from the column
        page `listing` (None: it sends none, or the spider runs without it)."""
        if self._referer is None:
            from govcrawl.fetch.lean import SpiderOutputMiddleware

            engine = self.crawler.engine
            middlewares = engine.scraper.spidermw.middlewares if engine is not None else ()
            found = _first_of(SpiderOutputMiddleware, middlewares)
            self._referer = found if found is not None and found.referer else False
        if self._referer is False:
            return None
        if self._policy is None or self._policy[0] is not listing:
            self._policy = (listing, self._referer.policy(listing, cast(scrapy.Request, _NoMeta())))
        referrer: str | None = self._policy[1].referrer(listing.url, url)
        return referrer

    # -- the spider stays open while revalidations are pending ---------------------------
    def _idle(self) -> None:
        if any(site.running for site in self.sites.values()):
            raise DontCloseSpider

    def _closed(self) -> None:
        for site in self.sites.values():
            site.close()
        if self.crawler.stats is not None and self.revalidated:
            self.crawler.stats.set_value("govcrawl/revalidated_304", self.revalidated)

    # -- one site ------------------------------------------------------------------------
    async def _drain(self, site: _Site) -> None:
        try:
            while site.queue:
                pending = site.queue.popleft()
                try:
                    await self._one(site, pending)
                except _NotHere:
                    self._to_scrapy(pending)
                except Exception as exc:  # never lose the page: Scrapy fetches it
                    if not isinstance(exc, _Miss):
                        logger.debug("revalidation of %s failed: %r", pending.url, exc)
                    site.close()
                    site.misses += 1
                    self._to_scrapy(pending)
                    if site.misses >= MAX_MISSES:
                        while site.queue:
                            self._to_scrapy(site.queue.popleft())
        finally:
            site.running = False
            site.close()

    def _to_scrapy(self, pending: Pending) -> None:
        engine = self.crawler.engine
        if engine is not None:
            engine.crawl(pending.build())

    async def _one(self, site: _Site, pending: Pending) -> None:
        if not self._robots_allow(pending.url):
            raise _NotHere(pending.url)
        slot = await self._take_slot(site, pending)
        marker = object()
        slot.transferring.add(marker)
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout):
                head = await self._exchange(site, pending)
        finally:
            slot.transferring.discard(marker)
            engine = self.crawler.engine
            if slot.queue and engine is not None:
                engine.downloader._process_queue(slot)  # Scrapy's queued requests may go now
        self._not_modified(pending, head, int(1000 * (time.monotonic() - started)))

    def _robots_allow(self, url: str) -> bool:
        if not self.obey_robots:
            return True
        middleware = self._robots_middleware()
        if middleware is None:
            return False
        netloc = urlsplit(url).netloc
        parser = middleware._parsers.get(netloc)
        if parser is None and netloc in middleware._parsers:
            return True  # robots.txt could not be read: Scrapy allows everything then
        if parser is None or not hasattr(parser, "allowed"):
            return False  # not asked or not read yet
        return bool(parser.allowed(url, self.robots_agent))

    def _robots_middleware(self) -> RobotsTxtMiddleware | None:
        if self._robots is None and self.crawler.engine is not None:
            middlewares = self.crawler.engine.downloader.middleware.middlewares
            self._robots = _first_of(RobotsTxtMiddleware, middlewares)
        return self._robots

    async def _take_slot(self, site: _Site, pending: Pending) -> Any:
        """Scrapy's download slot of the site, once it has a free transfer slot, its
        delay since the last request has passed, and no request of Scrapy's waits."""
        engine = self.crawler.engine
        assert engine is not None
        downloader = engine.downloader
        while True:
            slot = downloader.slots.get(site.host)  # Scrapy's slot key: the host name
            if slot is None:
                _, slot = downloader._get_slot(pending.build())
            now = time.monotonic()
            wait = slot.lastseen + slot.download_delay() - now
            if wait <= 0 and slot.free_transfer_slots() > 0 and not slot.queue:
                slot.lastseen = now
                return slot
            await asyncio.sleep(max(wait, SLOT_POLL))

    async def _exchange(self, site: _Site, pending: Pending) -> dict[str, str]:
        """Send the request on the site's connection; the headers of a 304 (else _Miss)."""
        if site.writer is None or site.writer.is_closing():
            addresses = await resolve(site.host, site.port)
            for address in addresses:
                why = refusal(address, self.allow_loopback)
                if why is not None:
                    raise _Miss(why)  # Scrapy's guard refuses it and records why
            if site.scheme == "https" and self._ssl is None:
                self._ssl = _insecure_context()
            site.reader, site.writer = await asyncio.open_connection(
                addresses[0] if addresses else site.host,
                site.port,
                ssl=self._ssl if site.scheme == "https" else None,
                server_hostname=site.host if site.scheme == "https" else None,
                limit=MAX_HEAD,
            )
        assert site.reader is not None and site.writer is not None
        site.writer.write(self._request_bytes(site, pending))
        await site.writer.drain()
        raw = await site.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or parts[1] != "304":
            raise _Miss(lines[0][:80])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        length = headers.get("content-length", "0")
        if (
            headers.get("connection", "").lower() == "close"
            or parts[0] == "HTTP/1.0"
            or "transfer-encoding" in headers
            or length not in ("", "0")
        ):
            site.close()  # no body may follow a 304; one that says otherwise is not reused
        return headers

    def _request_bytes(self, site: _Site, pending: Pending) -> bytes:
        parts = urlsplit(pending.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [
            f"GET {target} HTTP/1.1",
            f"Host: {site.netloc_header}",
            f"User-Agent: {self.user_agent}",
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language: zh-CN,zh;q=0.9,en;q=0.5",
            "Accept-Encoding: gzip, deflate",
        ]
        for name in ("Referer", "If-None-Match", "If-Modified-Since"):
            value = pending.headers.get(name)
            if value:
                lines.append(f"{name}: {value}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _not_modified(self, pending: Pending, head: dict[str, str], ms: int) -> None:
        """The 304, as the spider's callback would have yielded it."""
        region = getattr(self.crawler.spider, "region", None)
        page = FetchedPage(
            region_slug=region.slug if region is not None else "",
            url=normalise_url(pending.url),
            final_url=pending.url,
            status=304,
            body=b"",
            fetched_at=utcnow(),
            etag=head.get("etag") or pending.headers.get("If-None-Match"),
            last_modified=head.get("last-modified") or pending.headers.get("If-Modified-Since"),
            elapsed_ms=ms,
            parent_url=pending.parent_url,
        )
        self.revalidated += 1
        store = self._store_pipeline()
        if store is None:
            raise RuntimeError("no StorePipeline: nowhere to record a 304")
        store.record_unchanged(page)

    def _store_pipeline(self) -> StorePipeline | None:
        if self._store is None and self.crawler.engine is not None:
            from govcrawl.pipelines import StorePipeline

            pipelines = self.crawler.engine.scraper.itemproc.middlewares
            self._store = _first_of(StorePipeline, pipelines)
        return self._store


def _first_of(kind: type[_C], components: Iterable[Any]) -> _C | None:
    """The crawler's component of this class (a middleware, a pipeline), if it runs one."""
    return next((c for c in components if isinstance(c, kind)), None)
