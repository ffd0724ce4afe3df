"""Bounds on what a server can make the crawler do (README, "Faults and bounds").

* ``BoundedCompressionMiddleware``: a gzip/deflate/br/zstd body is inflated to at most
  ``GOVCRAWL_MAX_INFLATED_SIZE`` bytes; past that the fetch fails as ``decompression_bomb``
  (a 1 MiB gzip body can inflate to 1 GiB). The body as received is bounded by Scrapy's
  ``DOWNLOAD_MAXSIZE`` (``GOVCRAWL_MAX_DOWNLOAD_SIZE``: ``too_large``).
* ``RedirectLimitMiddleware``: a redirect back to a URL of its own chain, or more than
  ``GOVCRAWL_MAX_REDIRECTS`` hops, fails as ``redirect_loop`` (Scrapy's duplicate filter
  would otherwise drop the loop's second visit silently, recording nothing).
* ``RetryAfterMiddleware``: HTTP 429/503 with ``Retry-After`` (seconds or an HTTP date):
  the site's requests wait that long (only that site's: the wait is per download slot,
  other sites go on; requests already queued in the slot wait too), then the page is
  fetched again. A wait longer than
  ``GOVCRAWL_MAX_RETRY_AFTER`` is not sat out: the fetch is recorded ``retry_after``.
* ``BoundedRobotParser``: robots.txt is read up to ``GOVCRAWL_ROBOTS_MAX_SIZE`` bytes
  (Google reads 500 KiB); the rest is ignored. A robots.txt that cannot be fetched
  (timeout, error) allows everything, as Scrapy does.
* ``RobotsTxtMiddleware``: Scrapy's, with one fix. Requests that arrive while a host's
  robots.txt is still downloading wait on one Deferred, and Scrapy 2.19 turns it into an
  asyncio future per waiter; Twisted hands the parser to the first waiter only and
  ``None`` ("no robots.txt": allowed) to the others. A slow or big robots.txt then let
  every request but one through unchecked. Here each waiter reads the parser again.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Coroutine
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxt
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import ProtegoRobotParser, RobotParser
from scrapy.statscollectors import StatsCollector
from scrapy.utils.httpobj import urlparse_cached

from govcrawl.urls import BadURL, normalise_url

logger = logging.getLogger(__name__)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_AFTER_STATUSES = frozenset({429, 503})
#: Waits one request may sit out before it is recorded ``retry_after``.
RETRY_AFTER_TIMES = 3


class DecompressionBomb(IgnoreRequest):
    """A compressed body that inflates past the bound."""


class RedirectLoop(IgnoreRequest):
    """A redirect chain that comes back on itself or goes on too long."""


class RetryAfterRefused(IgnoreRequest):
    """A Retry-After longer than the crawler waits, or still refused after waiting."""


def _inc(stats: StatsCollector | None, key: str, count: int = 1) -> None:
    if stats is not None:
        stats.inc_value(f"govcrawl/{key}", count)


def gunzip_whole(body: bytes, max_size: int) -> bytes | None:
    """`body` inflated in one call when it is one complete, intact gzip member that
    inflates to at most `max_size` bytes (0: no bound); else None, and Scrapy's ``gunzip``
    (truncated or corrupt streams, several members, the size bound) decides. For such a
    body both give the same bytes; this skips ``GzipFile``'s Python-level read loop."""
    if len(body) < 18:  # a 10-byte header and an 8-byte trailer at least
        return None
    # The trailer's ISIZE: the member's size mod 2**32. A bomb past the bound goes to
    # Scrapy's reader at once (inflated once, not twice); a body that holds more than it
    # says is inflated here one byte past what it says, no further.
    size = int.from_bytes(body[-4:], "little")
    if max_size and size > max_size:
        return None
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, size + 1)
    except zlib.error:
        return None
    if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        return None
    if len(out) != size or (max_size and len(out) > max_size):
        return None
    return out


class BoundedCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression with its own bound (``GOVCRAWL_MAX_INFLATED_SIZE``) and a
    failure of its own kind; a whole, intact gzip body is inflated in one call."""

    def __init__(self, stats: StatsCollector | None = None, *, crawler: Crawler | None = None):
        super().__init__(stats, crawler=crawler)
        if crawler is not None:
            self._max_size = crawler.settings.getint("GOVCRAWL_MAX_INFLATED_SIZE", self._max_size)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            if "decompression" not in str(exc):
                raise
            encoding = b",".join(response.headers.getlist("Content-Encoding")).decode("latin-1")
            raise DecompressionBomb(
                f"decompression bomb: {len(response.body)} B of {encoding or 'compressed'} body "
                f"inflate past {self._max_size} B (GOVCRAWL_MAX_INFLATED_SIZE)"
            ) from exc

    @staticmethod
    def _decode(body: bytes, encoding: bytes, max_size: int) -> bytes:
        if encoding in (b"gzip", b"x-gzip"):
            whole = gunzip_whole(body, max_size)
            if whole is not None:
                return whole
        decoded: bytes = HttpCompressionMiddleware._decode(body, encoding, max_size)
        return decoded


class RedirectLimitMiddleware:
    """Stops redirect loops and long chains before Scrapy's RedirectMiddleware follows them."""

    def __init__(self, max_redirects: int):
        self.max_redirects = max_redirects

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLimitMiddleware:
        return cls(crawler.settings.getint("REDIRECT_MAX_TIMES", 10))

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if (
            response.status not in REDIRECT_STATUSES
            or not location
            or request.meta.get("dont_redirect")
            or request.meta.get("handle_httpstatus_all")
            or response.status in request.meta.get("handle_httpstatus_list", ())
        ):
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        chain = [*request.meta.get("redirect_urls", []), request.url]
        keys = [_key(url) for url in chain]
        if _key(target) in keys:
            raise RedirectLoop(
                f"redirect loop: {request.url} redirects back to {target} "
                f"({len(keys) - keys.index(_key(target))} hop(s) around)"
            )
        if request.meta.get("redirect_times", 0) + 1 > self.max_redirects:
            raise RedirectLoop(
                f"too many redirects: more than {self.max_redirects} hops from {chain[0]} "
                "(GOVCRAWL_MAX_REDIRECTS)"
            )
        return response


def _key(url: str) -> str:
    try:
        return normalise_url(url)
    except BadURL:
        return url


def retry_after_seconds(value: str, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date);
    None when it says neither."""
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds and seconds != float("inf") else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Honours ``Retry-After`` on 429/503 per site (download slot), without holding up
    the other sites: only requests to the waiting site sleep before they download."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("GOVCRAWL_MAX_RETRY_AFTER", 300.0)
        #: download slot -> monotonic time before which it is not asked again
        self.not_before: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def _slot(self, request: Request) -> str:
        slot = request.meta.get("download_slot")
        if slot is not None:
            return str(slot)
        return urlparse_cached(request).hostname or ""

    def process_request(self, request: Request) -> Coroutine[Any, Any, None] | None:
        """A sleep to await when the request's site asked to wait (no coroutine for the
        requests of every other site: this runs on each request)."""
        if not self.not_before:
            return None
        until = self.not_before.get(self._slot(request))
        if until is None:
            return None
        delay = until - time.monotonic()
        return asyncio.sleep(delay) if delay > 0 else None

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in RETRY_AFTER_STATUSES:
            return response
        header = response.headers.get(b"Retry-After")
        wait = retry_after_seconds(header.decode("latin-1")) if header else None
        if wait is None:
            return response  # no (readable) Retry-After: RetryMiddleware's ordinary retries
        stats = self.crawler.stats
        if wait > self.max_wait:
            _inc(stats, "retry_after/refused")
            raise RetryAfterRefused(
                f"HTTP {response.status} asks to retry after {wait:.0f} s, longer than "
                f"{self.max_wait:.0f} s (GOVCRAWL_MAX_RETRY_AFTER)"
            )
        waits = int(request.meta.get("govcrawl_retry_after", 0))
        if waits >= RETRY_AFTER_TIMES:
            _inc(stats, "retry_after/refused")
            raise RetryAfterRefused(
                f"HTTP {response.status} again after waiting {waits} times as Retry-After asked"
            )
        slot = self._slot(request)
        until = time.monotonic() + wait
        self.not_before[slot] = max(self.not_before.get(slot, 0.0), until)
        self._hold_queued(request, until)
        _inc(stats, "retry_after/waits")
        _inc(stats, "retry_after/waited_ms", round(wait * 1000))
        logger.info(
            "HTTP %d with Retry-After %.1f s at %s: %s waits", response.status, wait, request.url,
            slot,
        )
        retry = request.replace(dont_filter=True)
        retry.meta["govcrawl_retry_after"] = waits + 1
        return retry


    def _hold_queued(self, request: Request, until: float) -> None:
        """The site's requests already waiting in its download slot (they passed
        ``process_request`` before this answer came) wait too: the slot's next download is
        pushed back to `until`. Scrapy checks the time only for a slot with a delay, which
        AutoThrottle gives every slot; its delay is drawn from delay * (1 +- jitter)."""
        engine = self.crawler.engine
        key = request.meta.get("download_slot")
        if engine is None or key is None:
            return
        slot = engine.downloader.slots.get(key)
        if slot is None or not slot.delay:
            return
        shortest = slot.delay * max(0.0, 1.0 - slot.jitter)
        slot.lastseen = max(slot.lastseen, until - shortest)


class BoundedRobotParser(ProtegoRobotParser):
    """Protego on the first ``GOVCRAWL_ROBOTS_MAX_SIZE`` bytes of robots.txt."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, robotstxt_body: bytes) -> BoundedRobotParser:
        limit = crawler.settings.getint("GOVCRAWL_ROBOTS_MAX_SIZE", 500 * 1024)
        if len(robotstxt_body) > limit:
            cut = robotstxt_body.rfind(b"\n", 0, limit)
            robotstxt_body = robotstxt_body[: cut if cut > 0 else limit]
            _inc(crawler.stats, "robots_truncated")
            logger.warning("robots.txt larger than %d bytes: the rest is ignored", limit)
        return cls(robotstxt_body, crawler.spider)


class RobotsTxtMiddleware(ScrapyRobotsTxt):
    """Scrapy's robots.txt middleware; every request waiting for a host's robots.txt
    gets its parser (see the module docstring)."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        settled = self._parsers.get(urlparse_cached(request).netloc)
        if settled is None or isinstance(settled, RobotParser):
            return settled  # what the download of robots.txt ended with
        return parser
