"""Item pipelines: extract (in a worker process pool), then store.

Extraction is CPU work; it runs in a process pool shared by every crawler in
the process so both cores are used and Scrapy's reactor never stalls. Each worker
has a memory limit (``GOVCRAWL_EXTRACT_MEMORY_MB``) and each page a parse timeout
(``GOVCRAWL_PARSE_TIMEOUT``): a file that hangs or crashes its worker is recorded
(``timeout``, ``corrupt_file``, ``too_large``), the pool is restarted and the crawl
goes on; the other pages the dead worker's pool held are extracted again, each in
a process of its own. Extracted pages are archived in batches by one writer process
(``govcrawl.writer``: WARC records, then one transaction a batch); the crawl's other
writes (column pages, failures, 304s, the run) run on one writer thread. A write that
fails because the database went away or is locked is retried with backoff
(``GOVCRAWL_DB_WRITE_RETRIES``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy import select

from govcrawl import killpoints, writer
from govcrawl.db.engine import open_engine, upgrade
from govcrawl.db.models import Document, Fetch
from govcrawl.db.store import SaveResult, Store
from govcrawl.extract.model import REJECT_UNREADABLE, ZIP_BOMB, Extraction, PageInput
from govcrawl.items import FetchedPage, FetchFailed, ListingVisited
from govcrawl.regions import Region, load_registry
from govcrawl.stats.record import StatRows
from govcrawl.worker import (
    ExtractMemoryError,
    ExtractTimeout,
    init_worker,
    process_page_bounded,
)
from govcrawl.writer import write_retrying

logger = logging.getLogger(__name__)
EXTRACT_TIMEOUT = 120.0  # default per-file parse timeout (GOVCRAWL_PARSE_TIMEOUT)
#: Seconds past the parse timeout before a worker stuck in C code is killed.
HARD_TIMEOUT_GRACE = 5.0
#: The 304s and column-page visits of every crawler of the process are written in batches
#: of at most this many, at most this many seconds late.
VISIT_BATCH = 500
VISIT_DELAY = 0.5
#: Extracted pages are saved in batches of at most this many (one transaction); a page
#: that finds the writer idle waits this long for others to join it.
SAVE_BATCH = 100
SAVE_DELAY = 0.05

_pools: dict[tuple[int, int], ProcessPoolExecutor] = {}
_writers: dict[str, tuple[Store, ThreadPoolExecutor]] = {}
_writer_processes: dict[str, ProcessPoolExecutor] = {}
_batchers: dict[str, PageBatcher] = {}
_visit_batchers: dict[str, VisitBatcher] = {}


def _forkserver() -> Any:
    """The process's forkserver context (children start clean, never forked from a running
    reactor). It preloads nothing heavy: each child imports what it runs (an extraction
    worker the extractor, the writer the database layer), so none carries the other's
    modules, and the crawler itself imports neither trafilatura nor numpy."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([])
    return context


def _new_pool(workers: int, memory_mb: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_forkserver(),
        initializer=init_worker,
        initargs=(memory_mb, os.getpid()),
    )


def extraction_pool(workers: int, memory_mb: int = 0) -> ProcessPoolExecutor:
    """The process-wide extraction pool (forkserver: workers start clean, with
    the extractor preloaded, never forked from a running reactor); each worker's
    address space is capped at `memory_mb` MiB (0: no cap)."""
    pool = _pools.get((workers, memory_mb))
    if pool is None:
        pool = _pools[(workers, memory_mb)] = _new_pool(workers, memory_mb)
    return pool


def discard_pool(pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
    """Stop using `pool` (broken, or holding a worker stuck past its timeout: `kill`)."""
    for key, current in list(_pools.items()):
        if current is pool:
            del _pools[key]
    if kill:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                process.kill()
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)


def store_for(db_url: str) -> tuple[Store, ThreadPoolExecutor]:
    """The process-wide store and its single writer thread for `db_url` (what is not an
    extracted page: column pages, failures, 304s, the run's row)."""
    if db_url not in _writers:
        engine = open_engine(db_url)
        upgrade(engine)
        store = Store(engine)
        killpoints.install(store.sessions)
        _writers[db_url] = (store, ThreadPoolExecutor(1, thread_name_prefix="govcrawl-db"))
    return _writers[db_url]


def writer_process(db_url: str) -> ProcessPoolExecutor:
    """The process-wide archive writer process of `db_url` (``govcrawl.writer``)."""
    pool = _writer_processes.get(db_url)
    if pool is None:
        pool = _writer_processes[db_url] = ProcessPoolExecutor(
            max_workers=1,
            mp_context=_forkserver(),
            initializer=writer.init_writer,
            initargs=(os.getpid(),),
        )
    return pool


def close_raw(db_url: str, run_id: int | None) -> asyncio.Future[None] | None:
    """Close the run's WARC file in the writer process (after the pages before it);
    a future on the running event loop, or None when there is no writer process."""
    pool = _writer_processes.get(db_url)
    if pool is None:
        return None
    try:
        done = pool.submit(writer.close_raw, db_url, run_id)
    except (BrokenProcessPool, RuntimeError):
        return None
    return asyncio.wrap_future(done)


#: (run, page, region, jurisdiction code, the future its result goes to)
_Waiting = tuple[int | None, FetchedPage, Region | None, str, "asyncio.Future[SaveResult]"]


class WriterDied(Exception):
    """The archive writer process died while it held a batch (twice)."""


class PageBatcher:
    """Sends the extracted pages of every crawler of the process to the archive writer
    process in batches: while it writes a batch (WARC records, then one transaction),
    the pages that come in wait and make the next one. A page the database refuses
    fails alone (the writer saves a refused batch page by page). A writer process that
    dies is started again and given the batch once more; a batch not committed when the
    crawl is killed is fetched again when the run resumes."""

    def __init__(self, db_url: str, retries: int) -> None:
        self.db_url = db_url
        self.retries = retries
        self.pending: list[_Waiting] = []
        self.writing: asyncio.Future[None] | None = None
        self.timer: asyncio.TimerHandle | None = None

    async def save(
        self, run_id: int | None, page: FetchedPage, region: Region | None, code: str
    ) -> SaveResult:
        loop = asyncio.get_running_loop()
        result: asyncio.Future[SaveResult] = loop.create_future()
        self.pending.append((run_id, page, region, code, result))
        if self.writing is None:
            if len(self.pending) >= SAVE_BATCH:
                self._start()
            elif self.timer is None:
                self.timer = loop.call_later(SAVE_DELAY, self._start)
        return await result

    def _start(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.writing is not None or not self.pending:
            return
        batch, self.pending = self.pending[:SAVE_BATCH], self.pending[SAVE_BATCH:]
        self.writing = asyncio.ensure_future(self._write(batch))

    async def _write(self, batch: list[_Waiting]) -> None:
        entries = [
            (run_id, page, region.name if region else None, code)
            for run_id, page, region, code, _ in batch
        ]
        try:
            results = await self._send(entries)
        except Exception as exc:  # every waiting page hears of it
            results = [exc] * len(batch)
        finally:
            self.writing = None
        for (*_, waiting), result in zip(batch, results, strict=True):
            if waiting.done():
                continue
            if isinstance(result, BaseException):
                waiting.set_exception(result)
            else:
                waiting.set_result(result)
        if self.pending:
            self._start()  # what came in meanwhile

    async def _send(self, entries: list[writer.Entry]) -> list[SaveResult | Exception]:
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            pool = writer_process(self.db_url)
            try:
                results: list[SaveResult | Exception] = await loop.run_in_executor(
                    pool, writer.save_batch, self.db_url, self.retries, entries
                )
                return results
            except BrokenProcessPool:
                _writer_processes.pop(self.db_url, None)
                with contextlib.suppress(Exception):
                    pool.shutdown(wait=False, cancel_futures=True)
                logger.error("the archive writer process died with a batch of %d pages%s",
                             len(entries), "; starting it again" if attempt == 1 else "")
        raise WriterDied(
            f"the archive writer process died twice on a batch of {len(entries)} pages; "
            "they are fetched again next run"
        )


def page_batcher(db_url: str, retries: int) -> PageBatcher:
    """The process-wide batcher of `db_url`'s extracted pages."""
    if db_url not in _batchers:
        _batchers[db_url] = PageBatcher(db_url, retries)
    return _batchers[db_url]


#: What a VisitBatcher writes: a 304 (FetchedPage) or a column page's visit.
Visit = FetchedPage | ListingVisited


class VisitBatcher:
    """The 304s and column-page visits of every crawler of the process, written on the
    writer thread in batches (one transaction per run in a batch): a nightly re-crawl of
    many regions at once makes thousands, a few a second per region. Neither needs
    extraction or the raw archive. A batch lost with a killed crawl is fetched again when
    it resumes (a column page always is)."""

    def __init__(self, db_url: str, retries: int) -> None:
        self.db_url = db_url
        self.retries = retries
        self.pending: list[tuple[int | None, Visit, asyncio.Future[SaveResult | None]]] = []
        self.timer: asyncio.TimerHandle | None = None
        self.writes: set[asyncio.Future[None]] = set()

    def add(self, run_id: int | None, visit: Visit) -> asyncio.Future[SaveResult | None]:
        """The 304's result (None for a column page), once its batch is written."""
        loop = asyncio.get_running_loop()
        result: asyncio.Future[SaveResult | None] = loop.create_future()
        self.pending.append((run_id, visit, result))
        if len(self.pending) >= VISIT_BATCH:
            self.flush()
        elif self.timer is None:
            self.timer = loop.call_later(VISIT_DELAY, self.flush)
        return result

    def flush(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        batch, self.pending = self.pending, []
        if batch:
            write = asyncio.ensure_future(self._write(batch))
            self.writes.add(write)
            write.add_done_callback(self.writes.discard)

    async def _write(
        self, batch: list[tuple[int | None, Visit, asyncio.Future[SaveResult | None]]]
    ) -> None:
        store, thread = store_for(self.db_url)
        runs: dict[int | None, list[tuple[Visit, asyncio.Future[SaveResult | None]]]] = {}
        for run_id, visit, result in batch:
            runs.setdefault(run_id, []).append((visit, result))
        loop = asyncio.get_running_loop()
        for run_id, entries in runs.items():
            visits = [visit for visit, _ in entries]
            try:
                results = await loop.run_in_executor(
                    thread,
                    functools.partial(
                        write_retrying, store.save_visits, run_id, visits, retries=self.retries
                    ),
                )
            except Exception as exc:
                logger.error("could not record %d unchanged pages and column visits (%s: %s); "
                             "they are fetched again next run", len(visits), type(exc).__name__,
                             exc)
                for _, waiting in entries:
                    if not waiting.done():
                        waiting.set_exception(exc)
                continue
            for (_, waiting), saved in zip(entries, results, strict=True):
                if not waiting.done():
                    waiting.set_result(saved)


def visit_batcher(db_url: str, retries: int) -> VisitBatcher:
    """The process-wide batcher of `db_url`'s 304s and column-page visits."""
    if db_url not in _visit_batchers:
        _visit_batchers[db_url] = VisitBatcher(db_url, retries)
    return _visit_batchers[db_url]


def shutdown() -> None:
    _batchers.clear()
    _visit_batchers.clear()
    for pool in _writer_processes.values():
        with contextlib.suppress(BrokenProcessPool, RuntimeError):
            pool.submit(writer.close_all).result()  # the WARC files end whole
        pool.shutdown(wait=True)
    _writer_processes.clear()
    for pool in _pools.values():
        pool.shutdown(wait=True, cancel_futures=True)
    _pools.clear()
    for store, thread in _writers.values():
        thread.shutdown(wait=True)
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
        has_attachments=bool(page.attachments),
    )


class ExtractHung(Exception):
    """A worker did not come back from a page in time (stuck in C code): killed."""


class ExtractPipeline:
    """FetchedPage -> FetchedPage with `.extraction` filled in, or `.extract_outcome`
    and `.extract_error` when the page could not be extracted: ``timeout`` (past the
    parse timeout), ``too_large`` (past the worker's memory limit), ``corrupt_file``
    (an attachment no reader can read, or one that crashed its worker twice),
    ``decompression_bomb`` (a zip bomb), ``extract_error`` (anything else)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.workers = settings.getint("GOVCRAWL_EXTRACT_WORKERS", 2)
        self.memory_mb = settings.getint("GOVCRAWL_EXTRACT_MEMORY_MB", 0)
        self.timeout = settings.getfloat("GOVCRAWL_PARSE_TIMEOUT", EXTRACT_TIMEOUT)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage) or item.status == 304:
            return item
        region = getattr(self.crawler.spider, "region", None)
        job = page_input(item, region)
        try:
            try:
                result = await self._run(extraction_pool(self.workers, self.memory_mb), job)
            except BrokenProcessPool:
                # A worker of the shared pool died: this page or another one in flight
                # killed it. Once more, in a process of its own, to know which.
                logger.warning("extraction worker died; %s is extracted again alone", item.url)
                alone = _new_pool(1, self.memory_mb)
                try:
                    result = await self._run(alone, job)
                finally:
                    discard_pool(alone)
        except BrokenProcessPool:
            self._failed(item, "corrupt_file", "the extraction worker crashed on this file (twice)")
        except (ExtractTimeout, ExtractHung) as exc:
            self._failed(item, "timeout", f"{exc} (GOVCRAWL_PARSE_TIMEOUT)")
        except ExtractMemoryError as exc:
            self._failed(item, "too_large", f"{exc} ({self.memory_mb} MiB)")
        except Exception as exc:  # a bug or a page the extractor cannot read
            logger.exception("extraction failed on %s", item.url)
            self._failed(item, "extract_error", f"{type(exc).__name__}: {exc}")
        else:
            item.extraction, item.stats = result
            self._check_unreadable(item, result[0])
        killpoints.reached("extract")
        return item

    async def _run(
        self, pool: ProcessPoolExecutor, job: PageInput
    ) -> tuple[Extraction, StatRows | None]:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(pool, process_page_bounded, job, self.timeout)
        try:
            return await asyncio.wait_for(future, self.timeout + HARD_TIMEOUT_GRACE)
        except TimeoutError:
            # The timer in the worker did not stop it: stuck in C code. Kill the pool
            # (the pages it held are extracted again) and go on.
            logger.error("extraction of %s hung; killing its worker", job.url)
            discard_pool(pool, kill=True)
            raise ExtractHung(
                f"extraction took longer than {self.timeout:g} s; its worker was killed"
            ) from None
        except BrokenProcessPool:
            discard_pool(pool)
            raise

    def _check_unreadable(self, item: FetchedPage, extraction: Extraction) -> None:
        """An attachment the readers refused: a zip bomb, a file past the memory
        limit, or a corrupt file (recorded as such; its raw bytes are kept)."""
        if extraction.reject != REJECT_UNREADABLE:
            return
        reason = extraction.reason or "unreadable"
        if reason.startswith(ZIP_BOMB):
            outcome = "decompression_bomb"
        elif "MemoryError" in reason:
            outcome = "too_large"
        else:
            outcome = "corrupt_file"
        self._failed(item, outcome, f"{extraction.kind} file: {reason}")

    def _failed(self, item: FetchedPage, outcome: str, error: str) -> None:
        item.extract_outcome = outcome
        item.extract_error = error
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"govcrawl/extract_failures/{outcome}")


class StorePipeline:
    """The last pipeline: writes every item to the archive and tallies outcomes
    in the crawler's stats (``govcrawl/...``), which the run summary reads."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.db_url: str = settings.get("GOVCRAWL_DB")
        self.registry = load_registry(settings.get("GOVCRAWL_REGIONS_FILE"))
        self.run_id: int | None = settings.getint("GOVCRAWL_RUN_ID") or None
        self.retries = settings.getint("GOVCRAWL_DB_WRITE_RETRIES", 6)
        self.owns_run = False
        self.report_docs: set[int] = set()
        self.years: set[int] = set()
        # this crawler's 304s and column visits waiting for their batch to be written
        self._visit_writes: set[asyncio.Future[SaveResult | None]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    @property
    def store(self) -> Store:
        return store_for(self.db_url)[0]

    async def _write(self, fn: Any, *args: Any) -> Any:
        """`fn(*args)` on the writer thread, retried while the database is away."""
        thread = store_for(self.db_url)[1]
        return await asyncio.get_running_loop().run_in_executor(
            thread, lambda: write_retrying(fn, *args, retries=self.retries)
        )

    async def open_spider(self) -> None:
        store = self.store  # opens and migrates the database
        slug = self.crawler.spider.name if self.crawler.spider else "?"
        if self.run_id is None:  # `scrapy crawl SLUG`: a run of its own
            await self._write(store.sync_jurisdictions, self.registry)
            trigger = self.crawler.settings.get("GOVCRAWL_TRIGGER", "manual")
            self.run_id = await self._write(store.start_run, trigger, [slug])
            self.owns_run = True
        elif self.crawler.settings.getbool("GOVCRAWL_RESUME"):
            # A resumed run does not fetch again what it archived before it was killed:
            # those reports are this run's all the same (else the region "found none").
            for document_id, year in await self._write(self._reports_so_far, slug):
                self._tally(SaveResult("stored", document_id, True, year))

    async def close_spider(self) -> None:
        if self._visit_writes:
            visit_batcher(self.db_url, self.retries).flush()
            await asyncio.gather(*self._visit_writes, return_exceptions=True)
        budget_failures = getattr(self.crawler.spider, "budget_failures", None)
        for failure in budget_failures() if budget_failures is not None else ():
            await self._write(self.store.save_failure, self.run_id, failure)
        if self.owns_run and self.run_id is not None:
            closed = close_raw(self.db_url, self.run_id)
            if closed is not None:
                await closed
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
            killpoints.reached("listing")
            self._batch(item)
            if not item.script_records:  # a Hanweb shell: its records are counted on the XML
                self._inc("listing_pages")
                if not item.article_links:
                    self._inc("empty_listing_pages")
            for reason, count in item.skipped.items():
                self._inc(f"skipped/{reason}", count)
        elif isinstance(item, FetchFailed):
            killpoints.reached("failure")
            await self._write(store.save_failure, self.run_id, item)
            if item.is_listing:
                self._inc("listing_failures")
                self._inc(f"listing_error/{item.outcome}")
            else:
                self._inc(f"skipped/{item.outcome}")
        elif isinstance(item, FetchedPage) and item.status == 304:
            self._batch(item)
        elif isinstance(item, FetchedPage):
            region = getattr(self.crawler.spider, "region", None)
            code = self._jurisdiction(item, region)
            batcher = page_batcher(self.db_url, self.retries)
            result = await batcher.save(self.run_id, item, region, code)
            self._tally(result)
            item.body = b""  # keep memory flat: the body is archived now
        return item

    # -- 304s and column visits: nothing to extract or keep; written in batches -------
    # A nightly re-crawl is mostly 304s; one transaction each would be most of its CPU.
    # A batch not yet written when the crawl is killed is fetched again on resume.
    def record_unchanged(self, item: FetchedPage) -> None:
        """A 304 to one of this crawler's conditional requests, made by Scrapy or by the
        revalidator (``govcrawl.fetch.revalidate``): written with the next batch."""
        self._batch(item)

    def _batch(self, item: Visit) -> None:
        write = visit_batcher(self.db_url, self.retries).add(self.run_id, item)
        self._visit_writes.add(write)
        write.add_done_callback(self._visit_written)

    def _visit_written(self, done: asyncio.Future[SaveResult | None]) -> None:
        self._visit_writes.discard(done)
        if done.cancelled():
            return
        exc = done.exception()
        if exc is not None:  # (the batcher logged it, once for its batch)
            self._inc("outcome/error")
            self._inc("skipped/error")
            return
        result = done.result()
        if result is not None:  # (a column visit has no outcome to tally)
            self._tally(result)

    def _reports_so_far(self, slug: str) -> list[tuple[int, int | None]]:
        """(document id, report year) of the annual reports this run recorded for the
        region before it was interrupted."""
        with self.store.sessions() as session:
            rows = session.execute(
                select(Document.id, Document.report_year)
                .join(Fetch, Fetch.document_id == Document.id)
                .where(
                    Fetch.crawl_run_id == self.run_id,
                    Fetch.region_slug == slug,
                    Fetch.outcome.in_(("stored", "changed", "unchanged", "duplicate")),
                    Document.is_annual_report.is_(True),
                )
                .distinct()
            ).all()
        return [(int(doc_id), year) for doc_id, year in rows]

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
