"""The archive writer: what happens to an extracted page once it is extracted, in a
process of its own.

A crawl's process runs Scrapy's reactor; with the database writes on a thread of the same
process, both share one GIL and the reactor waits for the writer (about a third of the
process's CPU went to writing). The extracted pages of every crawler of the process go
to one writer process instead (``govcrawl.pipelines.PageBatcher``), in batches: for each
page its WARC record (``keep_raw``), then the batch's one transaction (``save_batch``). It
is a single process, so writes keep their order; it exits with the crawler, even a
SIGKILLed one, and a batch it had not committed is fetched again when the run resumes.

Everything else the crawl writes (column pages, failed fetches, 304s, the run's row) is
small and stays on the crawler's own writer thread; ``write_retrying`` and ``retryable``
serve both.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import time
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

from govcrawl import killpoints
from govcrawl.db.store import SaveResult, Store
from govcrawl.items import FetchedPage
from govcrawl.raw import RawArchive, default_raw_dir

logger = logging.getLogger(__name__)

#: (run, page, the name of the jurisdiction the region is, jurisdiction code)
Entry = tuple[int | None, FetchedPage, str | None, str]

_stores: dict[str, Store] = {}
_raw: dict[tuple[str, int | None], RawArchive] = {}

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
    repeated one adds nothing twice. Blocks while it backs off: call it on a writer
    thread or in the writer process, never on the reactor's thread."""
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


def init_writer(crawler_pid: int) -> None:
    """The writer process's initializer: it exits with the crawler, and a test kill point
    reached here kills the crawler too (the crawl dies as one)."""
    from govcrawl.worker import exit_with

    exit_with(crawler_pid)
    killpoints.kill_also(crawler_pid)


def store(db_url: str) -> Store:
    """This process's store of `db_url` (the crawler migrated the database before any
    page reached the writer)."""
    found = _stores.get(db_url)
    if found is None:
        from govcrawl.db.engine import open_engine

        found = _stores[db_url] = Store(open_engine(db_url))
        killpoints.install(found.sessions)
    return found


def raw_archive(db_url: str, run_id: int | None) -> RawArchive:
    """The process's WARC writer for this run (one file per run and process)."""
    key = (db_url, run_id)
    if key not in _raw:
        _raw[key] = RawArchive(default_raw_dir(db_url), run_id)
    return _raw[key]


def keep_raw(
    db_url: str, run_id: int | None, page: FetchedPage, jurisdiction_name: str | None
) -> str | None:
    """The response as fetched, in this run's WARC file: its ``raw_ref``."""
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
                "jurisdiction_name": jurisdiction_name,
                "final_url": page.final_url,
            },
        )
    except OSError as exc:
        logger.error("raw archive: cannot keep %s: %s", page.url, exc)
        return None


def save_batch(db_url: str, retries: int, batch: list[Entry]) -> list[SaveResult | Exception]:
    """The batch's raw records, then its one transaction; a batch the database refuses
    for good is saved page by page, so only the page at fault fails. Results in order:
    what happened to each page, or why it could not be saved."""
    archive = store(db_url)
    entries = []
    for run_id, page, jurisdiction_name, code in batch:
        entries.append((run_id, page, code, keep_raw(db_url, run_id, page, jurisdiction_name)))
        killpoints.reached("raw")
    saved: list[SaveResult | Exception]
    try:
        saved = list(write_retrying(archive.save_pages, entries, retries=retries))
    except Exception as exc:
        if len(entries) == 1:
            return [_portable(exc)]
        logger.warning("a batch of %d pages could not be saved (%s: %s); saving them one "
                       "by one", len(entries), type(exc).__name__, exc)
        saved = []
        for entry in entries:
            try:
                saved.extend(write_retrying(archive.save_pages, [entry], retries=retries))
            except Exception as one:
                saved.append(_portable(one))
    for _ in entries:
        killpoints.reached("commit")
    return saved


def _portable(exc: Exception) -> Exception:
    """`exc`, or what it says when it cannot travel back to the crawler's process."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def close_raw(db_url: str, run_id: int | None) -> None:
    """Close this process's WARC file of the run (the run's crawlers are done with it)."""
    archive = _raw.pop((db_url, run_id), None)
    if archive is not None:
        archive.close()


def close_all() -> None:
    """Close every WARC file and database connection (the crawl is over)."""
    for archive in _raw.values():
        archive.close()
    _raw.clear()
    for found in _stores.values():
        found.engine.dispose()
    _stores.clear()
