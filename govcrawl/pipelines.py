"""Item pipelines: extract (in a worker process pool), then store.

Extraction is CPU work; it runs in a process pool shared by every crawler in
the process so both cores are used and Scrapy's reactor never stalls. Database
writes run on one writer thread (one transaction per item).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.crawler import Crawler

from govcrawl.db.engine import open_engine, upgrade
from govcrawl.db.store import SaveResult, Store
from govcrawl.extract.model import PageInput
from govcrawl.items import FetchedPage, FetchFailed, ListingVisited
from govcrawl.raw import RawArchive, default_raw_dir
from govcrawl.regions import Region, load_registry
from govcrawl.worker import process_page

logger = logging.getLogger(__name__)
EXTRACT_TIMEOUT = 120.0
#: 304s are written in batches of at most this many, at most this many seconds late.
UNCHANGED_BATCH = 200
UNCHANGED_DELAY = 0.25

_pools: dict[int, ProcessPoolExecutor] = {}
_writers: dict[str, tuple[Store, ThreadPoolExecutor]] = {}
_raw: dict[tuple[str, int | None], RawArchive] = {}


def extraction_pool(workers: int) -> ProcessPoolExecutor:
    """The process-wide extraction pool (forkserver: workers start clean, with
    the extractor preloaded, never forked from a running reactor)."""
    pool = _pools.get(workers)
    if pool is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["govcrawl.worker"])
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        _pools[workers] = pool
    return pool


def store_for(db_url: str) -> tuple[Store, ThreadPoolExecutor]:
    """The process-wide store and its single writer thread for `db_url`."""
    if db_url not in _writers:
        engine = open_engine(db_url)
        upgrade(engine)
        _writers[db_url] = (Store(engine), ThreadPoolExecutor(1, thread_name_prefix="govcrawl-db"))
    return _writers[db_url]


def raw_archive(db_url: str, run_id: int | None) -> RawArchive:
    """The process's WARC writer for this run (one file per run and process)."""
    key = (db_url, run_id)
    if key not in _raw:
        _raw[key] = RawArchive(default_raw_dir(db_url), run_id)
    return _raw[key]


def shutdown() -> None:
    for archive in _raw.values():
        archive.close()
    _raw.clear()
    for pool in _pools.values():
        pool.shutdown(wait=True, cancel_futures=True)
    _pools.clear()
    for store, writer in _writers.values():
        writer.shutdown(wait=True)
        store.engine.dispose()
    _writers.clear()


def page_input(page: FetchedPage, region: Region | None) -> PageInput:
    return PageInput(
        url=page.url,
        body=page.body,
        content_type=page.content_type,
        status=page.status,
        container=page.container,
        listing_title=page.listing_title,
        listing_date=page.listing_date,
        jurisdiction_name=region.name if region else None,
    )


class ExtractPipeline:
    """FetchedPage -> FetchedPage with `.extraction` filled in (or `.extract_error`)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.workers = crawler.settings.getint("GOVCRAWL_EXTRACT_WORKERS", 2)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage) or item.status == 304:
            return item
        region = getattr(self.crawler.spider, "region", None)
        job = page_input(item, region)
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            pool = extraction_pool(self.workers)
            try:
                future = loop.run_in_executor(pool, process_page, job)
                item.extraction, item.stats = await asyncio.wait_for(future, EXTRACT_TIMEOUT)
                return item
            except BrokenProcessPool:
                logger.error("extraction worker died on %s; restarting the pool", item.url)
                broken = _pools.pop(self.workers, None)
                if broken is not None:
                    broken.shutdown(wait=False, cancel_futures=True)
                if attempt == 2:
                    item.extract_error = "extraction worker crashed on this page"
            except TimeoutError:
                item.extract_error = f"extraction took longer than {EXTRACT_TIMEOUT:.0f}s"
                break
            except Exception as exc:  # a bug or a page the extractor cannot read
                logger.exception("extraction failed on %s", item.url)
                item.extract_error = f"{type(exc).__name__}: {exc}"
                break
        return item


class StorePipeline:
    """The last pipeline: writes every item to the archive and tallies outcomes
    in the crawler's stats (``govcrawl/...``), which the run summary reads."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.db_url: str = settings.get("GOVCRAWL_DB")
        self.registry = load_registry(settings.get("GOVCRAWL_REGIONS_FILE"))
        self.run_id: int | None = settings.getint("GOVCRAWL_RUN_ID") or None
        self.owns_run = False
        self.report_docs: set[int] = set()
        self.years: set[int] = set()
        # 304s waiting for their batch write, the batch timer, and batches being written
        self._unchanged: list[FetchedPage] = []
        self._unchanged_timer: asyncio.TimerHandle | None = None
        self._unchanged_writes: set[asyncio.Future[Any]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    @property
    def store(self) -> Store:
        return store_for(self.db_url)[0]

    async def _write(self, fn: Any, *args: Any) -> Any:
        writer = store_for(self.db_url)[1]
        return await asyncio.get_running_loop().run_in_executor(writer, fn, *args)

    async def open_spider(self) -> None:
        store = self.store  # opens and migrates the database
        if self.run_id is None:  # `scrapy crawl SLUG`: a run of its own
            await self._write(store.sync_jurisdictions, self.registry)
            slug = self.crawler.spider.name if self.crawler.spider else "?"
            trigger = self.crawler.settings.get("GOVCRAWL_TRIGGER", "manual")
            self.run_id = await self._write(store.start_run, trigger, [slug])
            self.owns_run = True

    async def close_spider(self) -> None:
        self._flush_unchanged()
        if self._unchanged_writes:
            await asyncio.gather(*self._unchanged_writes, return_exceptions=True)
        if self.owns_run and self.run_id is not None:
            archive = _raw.pop((self.db_url, self.run_id), None)
            if archive is not None:
                await self._write(archive.close)
            from govcrawl.summary import summarise

            spider = self.crawler.spider
            region = getattr(spider, "region", None)
            stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
            if region is not None:
                from govcrawl.summary import run_stats

                summary = summarise(region, stats)
                outcomes = await self._write(self.store.outcome_counts, self.run_id)
                await self._write(
                    self.store.finish_run,
                    self.run_id,
                    "failed" if summary.failed else "ok",
                    run_stats([summary], outcomes),
                )

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"govcrawl/{key}", count)

    async def process_item(self, item: Any) -> Any:
        store = self.store
        if isinstance(item, ListingVisited):
            await self._write(store.save_listing, self.run_id, item)
            if not item.script_records:  # a Hanweb shell: its records are counted on the XML
                self._inc("listing_pages")
                if not item.article_links:
                    self._inc("empty_listing_pages")
            for reason, count in item.skipped.items():
                self._inc(f"skipped/{reason}", count)
        elif isinstance(item, FetchFailed):
            await self._write(store.save_failure, self.run_id, item)
            if item.is_listing:
                self._inc("listing_failures")
                self._inc(f"listing_error/{item.outcome}")
            else:
                self._inc(f"skipped/{item.outcome}")
        elif isinstance(item, FetchedPage) and item.status == 304:
            self._queue_unchanged(item)
        elif isinstance(item, FetchedPage):
            region = getattr(self.crawler.spider, "region", None)
            code = self._jurisdiction(item, region)
            raw_ref = await self._write(self._keep_raw, item, region)
            result: SaveResult = await self._write(
                store.save_page, self.run_id, item, code, raw_ref
            )
            self._tally(result)
            item.body = b""  # keep memory flat: the body is archived now
        return item

    # -- 304s: nothing to extract or keep; written in batches ---------------------------
    # A nightly re-crawl is mostly 304s; one transaction each would be most of its CPU.
    # A batch not yet written when the crawl is killed is fetched again on resume.
    def _queue_unchanged(self, item: FetchedPage) -> None:
        self._unchanged.append(item)
        if len(self._unchanged) >= UNCHANGED_BATCH:
            self._flush_unchanged()
        elif self._unchanged_timer is None:
            loop = asyncio.get_running_loop()
            self._unchanged_timer = loop.call_later(UNCHANGED_DELAY, self._flush_unchanged)

    def _flush_unchanged(self) -> None:
        if self._unchanged_timer is not None:
            self._unchanged_timer.cancel()
            self._unchanged_timer = None
        batch, self._unchanged = self._unchanged, []
        if not batch:
            return
        write = asyncio.ensure_future(self._write(self.store.save_unchanged, self.run_id, batch))
        self._unchanged_writes.add(write)
        write.add_done_callback(lambda done: self._unchanged_written(done, batch))

    def _unchanged_written(self, done: asyncio.Future[Any], batch: list[FetchedPage]) -> None:
        self._unchanged_writes.discard(done)
        if done.cancelled():
            return
        exc = done.exception()
        if exc is not None:
            logger.error("could not record %d unchanged pages (%s: %s); they are fetched "
                         "again next run", len(batch), type(exc).__name__, exc)
            self._inc("outcome/error", len(batch))
            self._inc("skipped/error", len(batch))
            return
        for result in done.result():
            self._tally(result)

    def _keep_raw(self, page: FetchedPage, region: Region | None) -> str | None:
        """The response as fetched, in this run's WARC file (on the writer thread)."""
        if page.status != 200 or not page.body:
            return None
        try:
            return raw_archive(self.db_url, self.run_id).write(
                page.url,
                page.status,
                page.headers,
                page.body,
                page.fetched_at,
                page.request_headers,
                page.method,
                info={
                    "container": page.container,
                    "listing_title": page.listing_title,
                    "listing_date": page.listing_date.isoformat() if page.listing_date else None,
                    "jurisdiction_name": region.name if region else None,
                    "final_url": page.final_url,
                },
            )
        except OSError as exc:
            logger.error("raw archive: cannot keep %s: %s", page.url, exc)
            return None

    def _jurisdiction(self, page: FetchedPage, region: Region | None) -> str:
        if region is None:
            raise RuntimeError("StorePipeline needs a GovSpider (with a region)")
        ex = page.extraction
        title = ex.title if ex else page.listing_title
        agency = ex.agency if ex else None
        return self.registry.jurisdiction_for(region, title, agency).code

    def _tally(self, result: SaveResult) -> None:
        self._inc(f"outcome/{result.outcome}")
        if result.document_id is None:
            self._inc(f"skipped/{result.outcome}")
            return
        if not result.is_annual_report:
            self._inc("skipped/not_report")
            return
        if result.outcome == "duplicate" and result.document_id in self.report_docs:
            self._inc("skipped/duplicate_content")
        if result.document_id not in self.report_docs:
            self.report_docs.add(result.document_id)
            self._inc("reports")
        if result.report_year:
            self.years.add(result.report_year)
            if self.crawler.stats is not None:
                self.crawler.stats.set_value("govcrawl/years", sorted(self.years))
