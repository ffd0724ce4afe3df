"""What an extraction worker process does with one fetched page: all the CPU work
on it, so the reactor and the database writer only move results.

Extraction (text, tables, metadata, classification) and, for an annual report,
its statistics tables parsed and checked.

Workers run with bounds (``govcrawl.pipelines.ExtractPipeline`` starts them):
``init_worker`` (the pool's initializer) caps a worker's address space
(``RLIMIT_AS``) and makes it exit when the crawler process dies, even by SIGKILL
(else the pool's workers and its forkserver, which waits for them, live on as
orphans); ``process_page_bounded`` stops a page whose extraction runs longer than
the per-file timeout (a timer signal; the crawl kills a worker that does not come
back from C code in time). Text never carries NUL characters (PostgreSQL refuses
them; they are no part of any report).
"""

from __future__ import annotations

import os
import resource
import select
import signal
import threading
from dataclasses import replace
from types import FrameType
from typing import Any

from govcrawl.extract.model import Extraction, PageInput
from govcrawl.stats.record import StatRows, stat_rows
from govcrawl.stats.report import parse_report


class _Expired(BaseException):
    """Raised by the timer inside extraction code (a BaseException, so that no
    ``except Exception`` of a parser swallows it)."""


class ExtractTimeout(Exception):
    """One page took longer than the per-file parse timeout."""


class ExtractMemoryError(Exception):
    """One page needed more memory than the worker's limit."""


def init_worker(memory_mb: int, crawler_pid: int) -> None:
    """Pool initializer: exit with the crawler, and at most `memory_mb` MiB."""
    exit_with(crawler_pid)
    limit_memory(memory_mb)
    import govcrawl.extract.page  # noqa: F401  # the extractor, before the first page


def exit_with(pid: int) -> None:
    """Exit as soon as process `pid` is gone (a pidfd becomes readable when it ends)."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):  # not Linux >= 5.3: no guard
        return

    def watch() -> None:
        select.select([pidfd], [], [])
        os._exit(0)

    threading.Thread(target=watch, name="govcrawl-exit-with-crawler", daemon=True).start()


def limit_memory(megabytes: int) -> None:
    """Pool initializer: the worker's address space is capped at `megabytes` MiB
    (0: no cap). An allocation past it fails (MemoryError, or a crash in C code
    the pool survives)."""
    if megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _no_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [_no_nul(v) for v in value]
    if isinstance(value, dict):
        return {_no_nul(k): _no_nul(v) for k, v in value.items()}
    return value


def _contains_nul(value: Any) -> bool:
    """Would ``_no_nul`` change `value`?"""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        try:
            return "\x00" in "".join(value)  # a row of cells
        except TypeError:
            return any(_contains_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    return False


def inert(extraction: Extraction) -> Extraction:
    """The extraction without NUL characters in any of its strings (itself, when it has
    none: nearly always)."""
    fields = (extraction.title, extraction.text, extraction.tables, extraction.agency)
    if not any(_contains_nul(value) for value in (*fields, extraction.meta)):
        return extraction
    return replace(
        extraction,
        title=_no_nul(extraction.title),
        text=_no_nul(extraction.text),
        tables=_no_nul(extraction.tables),
        agency=_no_nul(extraction.agency),
        meta=_no_nul(extraction.meta),
    )


def process_page(
    job: PageInput, *, skip_non_report_text: bool = True
) -> tuple[Extraction, StatRows | None]:
    """A page's extraction and, for a report, its statistics.  The crawl's archive keeps
    no text of a page that is no report: a page whose title says so has none extracted
    (``extract_page``'s ``skip_non_report_text``; False: extract every page in full)."""
    from govcrawl.extract.page import extract_page  # (the crawler imports this module too)

    extraction = inert(extract_page(job, skip_non_report_text=skip_non_report_text))
    stats = None
    if extraction.is_annual_report and not extraction.reject:
        stats = stat_rows(parse_report(extraction.text, extraction.tables))
    return extraction, stats


def process_page_bounded(
    job: PageInput, timeout: float
) -> tuple[Extraction, StatRows | None]:
    """``process_page`` within `timeout` seconds (ExtractTimeout) and the worker's
    memory limit (ExtractMemoryError)."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            result = process_page(job)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:
        raise ExtractTimeout(f"extraction took longer than {timeout:g} s") from None
    except MemoryError:
        raise ExtractMemoryError("extraction needed more memory than the worker's limit") from None
    finally:
        signal.signal(signal.SIGALRM, previous)
    return result
