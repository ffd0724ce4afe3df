"""Chromium through scrapy-playwright, for the pages that need a browser.

Only requests marked by ``browser_meta()`` go through it; the browser starts on
the first such request. It is Debian's Chromium (``/usr/bin/chromium``, or
``GOVCRAWL_CHROMIUM``), headless, without background networking, and every
request the page makes is checked like the crawler's own (no private addresses,
no loopback unless ``--allow-loopback``); images, fonts and media are not loaded.
The pages' scripts run inside Chromium's sandbox (only a crawl running as root,
where Chromium cannot sandbox itself, turns it off, with a warning); nothing
else in govcrawl runs a crawled page's scripts.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import shutil
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from govcrawl.fetch.http11 import HTTP11DownloadHandler
from govcrawl.fetch.safety import refusal, resolve

logger = logging.getLogger(__name__)
#: Chromium's flags (the sandbox stays on: see ``chromium_args``).
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
]
_SKIPPED_RESOURCES = frozenset({"image", "font", "media"})


def chromium_path(configured: str | None = None) -> str:
    return configured or shutil.which("chromium") or "/usr/bin/chromium"


def browser_meta() -> dict[str, Any]:
    """Request meta that sends a request through Chromium and waits until the page,
    and whatever its scripts load or navigate to, has settled."""
    from scrapy_playwright.page import PageMethod

    return {
        "playwright": True,
        "playwright_page_goto_kwargs": {"wait_until": "load"},
        "playwright_page_methods": [PageMethod("wait_for_load_state", "networkidle")],
    }


def chromium_args() -> list[str]:
    """Chromium runs crawled pages' scripts in its sandbox. As root it cannot (it refuses
    to start with it): there the sandbox is off (the crawl warns when it starts Chromium)."""
    if os.geteuid() != 0:
        return list(CHROMIUM_ARGS)
    return ["--no-sandbox", *CHROMIUM_ARGS]


def playwright_settings(chromium: str | None, timeout_s: float) -> dict[str, Any]:
    handler = "govcrawl.fetch.browser.LazyPlaywrightDownloadHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": chromium_path(chromium),
            "headless": True,
            "args": chromium_args(),
        },
        "PLAYWRIGHT_MAX_CONTEXTS": 2,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": int(timeout_s * 1000),
        "PLAYWRIGHT_ABORT_REQUEST": "govcrawl.fetch.browser.abort_request",
    }


def cache_host_encoding() -> None:
    """Twisted encodes the host of every request with the pure-Python ``idna`` package
    (Scrapy wraps it with fallbacks): the same few hosts, over and over. Cache the (pure)
    functions its endpoints call; exceptions are not cached, so they are raised as before."""
    from twisted.internet import endpoints

    for name in ("_idnaBytes", "_idnaText"):
        current = getattr(endpoints, name, None)
        if current is not None and not hasattr(current, "cache_info"):
            setattr(endpoints, name, functools.lru_cache(maxsize=4096)(current))


class LazyPlaywrightDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler for plain requests; requests marked by ``browser_meta()``
    go to scrapy-playwright's handler, which is built, and Playwright (a Node driver
    process) started, on the first of them: a crawl of a hundred regions that need no
    browser neither imports nor starts it, and plain requests pay nothing for it."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)  # installs Scrapy's IDNA fallbacks in Twisted: then cache
        cache_host_encoding()
        self._browser: Any = None
        self._start_lock = asyncio.Lock()

    async def _browser_handler(self) -> Any:
        async with self._start_lock:
            if self._browser is None:
                from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

                handler = ScrapyPlaywrightDownloadHandler(self.crawler)
                # It waits for engine_started to launch; that has passed: launch now.
                self.crawler.signals.disconnect(
                    handler._maybe_launch_in_thread, signals.engine_started
                )
                if os.geteuid() == 0:
                    logger.warning(
                        "running as root: Chromium runs without its sandbox (--no-sandbox); "
                        "run govcrawl as an ordinary user to keep crawled pages' scripts "
                        "in the sandbox"
                    )
                await handler._launch()
                self._browser = handler
        return self._browser

    async def download_request(self, request: Request) -> Response:
        if request.meta.get("playwright"):
            handler = await self._browser_handler()
            browser_response: Response = await handler.download_request(request)
            return browser_response
        response: Response = await super().download_request(request)
        return response

    async def close(self) -> None:
        await super().close()
        if self._browser is not None:
            await self._browser.close()


_allow_loopback = False


class BrowserGuard:
    """Extension that tells the browser's request filter whether loopback is allowed."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserGuard:
        global _allow_loopback
        _allow_loopback = crawler.settings.getbool("GOVCRAWL_ALLOW_LOOPBACK")
        return cls()


async def abort_request(request: Any) -> bool:
    """Playwright's per-request filter: True aborts the request."""
    if request.resource_type in _SKIPPED_RESOURCES:
        return True
    parts = urlsplit(request.url)
    if parts.scheme in ("data", "blob", "about"):
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return True
    try:
        addresses = await resolve(parts.hostname, parts.port or 80)
    except OSError:
        return True
    return any(refusal(ip, _allow_loopback) for ip in addresses)
