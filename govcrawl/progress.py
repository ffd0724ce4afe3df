"""Progress lines on stderr while a crawl runs (Scrapy's own log stays quiet)."""

from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from govcrawl.summary import summarise


class ProgressReporter:
    interval = 10.0

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.last = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressReporter:
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _say(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def spider_opened(self, spider: Any) -> None:
        self._say(f"[{spider.name}] crawling {', '.join(spider.region.report_columns)}")

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        now = time.monotonic()
        if now - self.last < self.interval or self.crawler.stats is None:
            return
        self.last = now
        stats = self.crawler.stats.get_stats()
        name = self.crawler.spider.name if self.crawler.spider else "?"
        self._say(
            f"[{name}] {stats.get('response_received_count', 0)} pages fetched, "
            f"{stats.get('govcrawl/reports', 0)} reports so far"
        )

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        summary = summarise(spider.region, stats)
        state = f"FAILED: {summary.failure}" if summary.failed else "done"
        revalidator = getattr(spider, "revalidator", None)
        revalidated = revalidator.revalidated if revalidator is not None else 0
        also = f", {revalidated} unchanged pages revalidated (304)" if revalidated else ""
        columns = stats.get("govcrawl/column_pages_unchanged", 0)
        if columns:
            also += f", {columns} column pages unchanged since the last run"
        self._say(
            f"[{spider.name}] {state}: {summary.reports} reports, "
            f"{stats.get('response_received_count', 0)} pages fetched{also} ({reason})"
        )
