#!/usr/bin/env python3
"""The baseline of the benchmark suite: the crawler a user would write in an afternoon.

    python benchmarks/naive_crawler.py --db out.db URL [URL ...]   # column first pages

One Scrapy spider: it reads each column page, follows every link of the list and the
``createPageHTML(total, current, "index", "html")`` pagination, and hands every article page
to a pipeline that calls ``trafilatura.bare_extraction`` on it (with metadata, for the title
and the date), calls it a report when the title contains 年度报告, and writes one row per page
with the ``sqlite3`` module (one INSERT and one commit per item).

Scrapy's default settings, except: ``CONCURRENT_REQUESTS_PER_DOMAIN = 2`` (govcrawl's
politeness), ``ROBOTSTXT_OBEY = True`` and ``LOG_LEVEL = "INFO"`` (the default DEBUG logs a
line per request and prints every item). Cookies stay on; the cookie middleware is given
tldextract's bundled suffix list so that nothing is downloaded (the world sets no cookies).

At the end one line of JSON on stdout: pages stored, reports, requests, the crawl's time
from spider open to close.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
import trafilatura
from scrapy.crawler import CrawlerProcess
from scrapy.downloadermiddlewares import cookies as scrapy_cookies
from scrapy.http import Response
from tldextract import TLDExtract

# Hermetic: the public suffix list that ships with tldextract, never a download.
scrapy_cookies._split_domain = TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)

PAGER = re.compile(r'createPageHTML\((\d+),\s*(\d+),\s*"(\w+)",\s*"(\w+)"\)')
SCHEMA = """CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, title TEXT, date TEXT, text TEXT, is_report INTEGER)"""


class ReportsSpider(scrapy.Spider):
    name = "reports"

    def __init__(self, columns: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns = columns

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.columns:
            yield scrapy.Request(url, callback=self.parse_column)

    def parse_column(self, response: Response) -> Iterator[scrapy.Request]:
        for href in response.css("ul.list li a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_page)
        match = PAGER.search(response.text)
        if match:
            total, name, ext = int(match.group(1)), match.group(3), match.group(4)
            for n in range(1, total):  # the dupefilter drops the pages already asked for
                yield response.follow(f"{name}_{n}.{ext}", callback=self.parse_column)

    def parse_page(self, response: Response) -> Iterator[dict[str, str]]:
        yield {"url": response.url, "html": response.text}


class ExtractAndStorePipeline:
    def __init__(self, db: str) -> None:
        self.db = db
        self.conn: sqlite3.Connection | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractAndStorePipeline:
        return cls(crawler.settings.get("NAIVE_DB"))

    def open_spider(self) -> None:
        self.conn = sqlite3.connect(self.db)
        self.conn.execute(SCHEMA)
        self.conn.commit()

    def close_spider(self) -> None:
        if self.conn is not None:
            self.conn.close()

    def process_item(self, item: dict[str, str]) -> dict[str, Any]:
        assert self.conn is not None
        doc: Any = trafilatura.bare_extraction(item["html"], url=item["url"], with_metadata=True)
        title = doc.title if doc is not None else None
        text = doc.text if doc is not None else None
        day = doc.date if doc is not None else None
        is_report = "年度报告" in (title or "")
        self.conn.execute(
            "INSERT OR REPLACE INTO pages (url, title, date, text, is_report) "
            "VALUES (?, ?, ?, ?, ?)",
            (item["url"], title, day, text, int(is_report)),
        )
        self.conn.commit()
        return {"url": item["url"], "title": title, "is_report": is_report}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", required=True, help="SQLite file to write")
    parser.add_argument("columns", nargs="+", help="first page of each column")
    args = parser.parse_args(argv)
    process = CrawlerProcess({
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "INFO",
        "NAIVE_DB": args.db,
        "ITEM_PIPELINES": {ExtractAndStorePipeline: 300},
    })
    crawler = process.create_crawler(ReportsSpider)
    times: dict[str, float] = {}

    def opened() -> None:
        times["open"] = time.perf_counter()

    def closed() -> None:
        times["close"] = time.perf_counter()

    crawler.signals.connect(opened, signal=scrapy.signals.spider_opened)
    crawler.signals.connect(closed, signal=scrapy.signals.spider_closed)
    process.crawl(crawler, columns=args.columns)
    process.start()
    con = sqlite3.connect(args.db)
    try:
        pages, reports = con.execute("SELECT count(*), coalesce(sum(is_report), 0) FROM pages"
                                     ).fetchone()
    finally:
        con.close()
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    print(json.dumps({
        "pages": pages,
        "reports": reports,
        "requests": stats.get("downloader/request_count", 0),
        "items": stats.get("item_scraped_count", 0),
        "finish_reason": stats.get("finish_reason"),
        "crawl_s": times.get("close", 0.0) - times.get("open", 0.0),
    }))
    return 0 if stats.get("finish_reason") == "finished" else 1


if __name__ == "__main__":
    sys.exit(main())
