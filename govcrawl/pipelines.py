"""Item pipelines: extract (in a worker process pool), then store.

Extraction is CPU work; it runs in a process pool shared by every crawler in
the process so both cores are used and Scrapy's reactor never stalls. Each worker
has a memory limit (``GOVCRAWL_EXTRACT_MEMORY_MB``) and each page a parse timeout
(``GOVCRAWL_PARSE_TIMEOUT``): a file that hangs or crashes its worker is recorded
(``timeout``, ``corrupt_file``, ``too_large``), the pool is restarted and the crawl
goes on; the other pages the dead worker's pool held are extracted again, each in
a process of its own. Database writes run on one writer thread (one transaction
per item); a write that fails because the database went away or is locked is
retried with backoff (``GOVCRAWL_DB_WRITE_RETRIES``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError

from govcrawl import killpoints
from govcrawl.db.engine import open_engine, upgrade
from govcrawl.db.models import Document, Fetch
from govcrawl.db.store import SaveResult, Store
from govcrawl.extract.attachments import REJECT_UNREADABLE, ZIP_BOMB
from govcrawl.extract.model import Extraction, PageInput
from govcrawl.items import FetchedPage, FetchFailed, ListingVisited
from govcrawl.raw import RawArchive, default_raw_dir
from govcrawl.regions import Region, load_registry
from govcrawl.stats.record import StatRows
from govcrawl.worker import (
    ExtractMemoryError,
    ExtractTimeout,
    init_worker,
    process_page_bounded,
)

logger = logging.getLogger(__name__)
EXTRACT_TIMEOUT = 120.0  # default per-file parse timeout (GOVCRAWL_PARSE_TIMEOUT)
#: Seconds past the parse timeout before a worker stuck in C code is killed.
HARD_TIMEOUT_GRACE = 5.0
#: 304s are written in batches of at most this many, at most this many seconds late.
UNCHANGED_BATCH = 200
UNCHANGED_DELAY = 0.25
#: Extracted pages are saved in batches of at most this many (one transaction); a page
#: that finds the writer idle waits this long for others to join it.
SAVE_BATCH = 100
SAVE_DELAY = 0.05

_pools: dict[tuple[int, int], ProcessPoolExecutor] = {}
_writers: dict[str, tuple[Store, ThreadPoolExecutor]] = {}
_raw: dict[tuple[str, int | None], RawArchive] = {}
_batchers: dict[str, PageBatcher] = {}


def _new_pool(workers: int, memory_mb: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["govcrawl.worker"])
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
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
    """The process-wide store and its single writer thread for `db_url`."""
    if db_url not in _writers:
        engine = open_engine(db_url)
        upgrade(engine)
        store = Store(engine)
        killpoints.install(store.sessions)
        _writers[db_url] = (store, ThreadPoolExecutor(1, thread_name_prefix="govcrawl-db"))
    return _writers[db_url]


#: SQLite's OperationalError also means "no such table" or a syntax error: only these pass.
_SQLITE_TRANSIENT = ("locked", "busy", "disk i/o error", "unable to open")


def retryable(exc: BaseException) -> bool:
    """A database error a later attempt may not meet: the server went away, restarts
    or refuses connections (PostgreSQL's OperationalError: connection, shutdown,
    deadlock), the connection was invalidated, or an SQLite file is locked by
    another writer."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    if type(exc.orig).__module__.startswith("sqlite3"):
        return any(word in str(exc.orig).lower() for word in _SQLITE_TRANSIENT)
    return True


def _refuse_event_loop_thread(what: str) -> None:
    """A blocking call made on the thread running the event loop would stall every
    crawler of the process: a bug, said at once."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{what} blocks: run it on the database writer thread, not the reactor")


def write_retrying(
    fn: Any, *args: Any, retries: int = 6, first_delay: float = 0.5, max_delay: float = 8.0
) -> Any:
    """``fn(*args)`` (one store transaction), tried again up to `retries` times with
    exponential backoff while it fails with a `retryable` database error. A store
    write is one transaction and idempotent, so a failed attempt leaves nothing and a
    repeated one adds nothing twice. Blocks while it backs off: call it on the writer
    thread (``store_for``'s executor), never on the reactor's."""
    _refuse_event_loop_thread("write_retrying")
    delay = first_delay
    for attempt in range(retries + 1):
        try:
            return fn(*args)
        except DBAPIError as exc:
            if attempt == retries or not retryable(exc):
                raise
            reason = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
            logger.warning(
                "database write failed (%s); retry %d of %d in %.1f s",
                reason, attempt + 1, retries, delay,
            )
            time.sleep(delay)
            delay = min(delay * 2, max_delay)
    raise AssertionError("unreachable")


def raw_archive(db_url: str, run_id: int | None) -> RawArchive:
    """The process's WARC writer for this run (one file per run and process)."""
    key = (db_url, run_id)
    if key not in _raw:
        _raw[key] = RawArchive(default_raw_dir(db_url), run_id)
    return _raw[key]


def keep_raw(
    db_url: str, run_id: int | None, page: FetchedPage, region: Region | None
) -> str | None:
    """The response as fetched, in this run's WARC file (on the writer thread)."""
    if page.status != 200 or not page.body:
        return None
    try:
        return raw_archive(db_url, run_id).write(
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


#: (run, page, region, jurisdiction code, the future its result goes to)
_Waiting = tuple[int | None, FetchedPage, Region | None, str, "asyncio.Future[SaveResult]"]


class PageBatcher:
    """Saves the extracted pages of every crawler of the process in batches on the one
    writer thread: while it writes a batch (WARC records, then one transaction), the
    pages that come in wait and make the next one. A batch the database refuses for
    good is saved page by page, so only the page at fault fails. A batch not committed
    when the crawl is killed is fetched again when the run resumes."""

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
        writer = store_for(self.db_url)[1]
        try:
            results: list[SaveResult | BaseException] = await asyncio.get_running_loop(
            ).run_in_executor(writer, self._save, batch)
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

    def _save(self, batch: list[_Waiting]) -> list[SaveResult | BaseException]:
        """On the writer thread: the batch's raw records, then its one transaction."""
        store = store_for(self.db_url)[0]
        entries = []
        for run_id, page, region, code, _ in batch:
            entries.append((run_id, page, code, keep_raw(self.db_url, run_id, page, region)))
            killpoints.reached("raw")
        try:
            saved: list[SaveResult | BaseException] = list(
                write_retrying(store.save_pages, entries, retries=self.retries)
            )
        except Exception as exc:
            if len(entries) == 1:
                return [exc]
            logger.warning("a batch of %d pages could not be saved (%s: %s); saving them one "
                           "by one", len(entries), type(exc).__name__, exc)
            saved = []
            for entry in entries:
                try:
                    saved.extend(write_retrying(store.save_pages, [entry], retries=self.retries))
                except Exception as one:
                    saved.append(one)
        for _ in entries:
            killpoints.reached("commit")
        return saved


def page_batcher(db_url: str, retries: int) -> PageBatcher:
    """The process-wide batcher of `db_url`'s extracted pages."""
    if db_url not in _batchers:
        _batchers[db_url] = PageBatcher(db_url, retries)
    return _batchers[db_url]


def shutdown() -> None:
    _batchers.clear()
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
        """`fn(*args)` on the writer thread, retried while the database is away."""
        writer = store_for(self.db_url)[1]
        return await asyncio.get_running_loop().run_in_executor(
            writer, lambda: write_retrying(fn, *args, retries=self.retries)
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
        self._flush_unchanged()
        if self._unchanged_writes:
            await asyncio.gather(*self._unchanged_writes, return_exceptions=True)
        budget_failures = getattr(self.crawler.spider, "budget_failures", None)
        for failure in budget_failures() if budget_failures is not None else ():
            await self._write(self.store.save_failure, self.run_id, failure)
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
            killpoints.reached("listing")
            await self._write(store.save_listing, self.run_id, item)
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
            self._queue_unchanged(item)
        elif isinstance(item, FetchedPage):
            region = getattr(self.crawler.spider, "region", None)
            code = self._jurisdiction(item, region)
            batcher = page_batcher(self.db_url, self.retries)
            result = await batcher.save(self.run_id, item, region, code)
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
