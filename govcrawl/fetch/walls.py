"""Back off from a site that answers with an anti-bot wall.

A 412/521 answer (瑞数, 加速乐) or a challenge page means the site thinks we are
too many or too fast: its download slot's delay goes up to ``wall_backoff``
seconds (AutoThrottle brings it down again as real pages come back).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
WALL_STATUSES = frozenset({412, 521})


class WallBackoffMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.backoff = crawler.settings.getfloat("GOVCRAWL_WALL_BACKOFF", 30.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WallBackoffMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Any) -> Any:
        if response.status in WALL_STATUSES:
            self.back_off(request)
        return response

    def back_off(self, request: Request) -> None:
        engine = self.crawler.engine
        slot_key = request.meta.get("download_slot")
        if engine is None or slot_key is None:
            return
        slot = engine.downloader.slots.get(slot_key)
        if slot is not None and slot.delay < self.backoff:
            logger.warning(
                "anti-bot wall at %s: slowing %s to one request per %.1fs",
                request.url,
                slot_key,
                self.backoff,
            )
            slot.delay = self.backoff
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("govcrawl/wall_backoffs")
