"""Writes to the archive: one transaction per item, idempotent, nothing overwritten.

A page whose normalised URL is known and whose text is unchanged records an
``unchanged`` fetch; changed text becomes a new ``document_version``; a new URL
whose text is already archived under another URL is tied to that document
(``duplicate``) instead of becoming a second copy.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, and_, bindparam, func, insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from govcrawl import killpoints
from govcrawl.clock import utcnow
from govcrawl.db.fts import index_document
from govcrawl.db.models import (
    CrawlRun,
    Document,
    DocumentVersion,
    Fetch,
    Jurisdiction,
    PageState,
)
from govcrawl.extract.flags import wall_kind
from govcrawl.extract.model import EXTRACTOR_VERSION, Extraction
from govcrawl.items import ColumnMemory, FetchedPage, FetchFailed, ListingVisited
from govcrawl.regions import Registry
from govcrawl.stats.record import flagged, record_version, stat_rows, write_stats
from govcrawl.stats.report import parse_report
from govcrawl.timeliness import deadline, is_department_report, on_time
from govcrawl.urls import BadURL, normalise_url, url_hash

GONE_STATUSES = (404, 410)
#: A page with attachments and less text than this only wraps them (not a report itself).
WRAPPER_MAX_CHARS = 400


_STATE_COLUMNS = (
    "url_hash",
    "url",
    "region_slug",
    "document_id",
    "outcome",
    "etag",
    "last_modified",
    "extractor_version",
    "fetched_at",
)
#: A column page's row: its state, and what it listed (``page_state.links``).
_COLUMN_STATE = (*_STATE_COLUMNS, "links")


@dataclass
class _PageRows:
    """The fetch and page-state rows of a batch of pages, written together at its end
    (one statement each, not one a page: a statement costs the writer more than a row)."""

    fetches: list[dict[str, Any]] = field(default_factory=list)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)  # url hash -> row


def _version_values(
    document_id: int, ex: Extraction, raw_ref: str | None, fetched_at: datetime
) -> dict[str, Any]:
    """A new document_version row of this extraction."""
    return {
        "document_id": document_id,
        "content_hash": ex.content_hash,
        "text": ex.text,
        "tables": ex.tables,
        "raw_ref": raw_ref,
        "extractor_version": EXTRACTOR_VERSION,
        "fetched_at": fetched_at,
    }


def refresh_document(session: Session, doc: Document, ex: Extraction) -> None:
    """A known document's metadata and index entry from its new text's extraction (the
    crawl's new version, or a re-extraction). Its flags are the extractor's; the caller's
    ``record_version`` adds the statistics' own."""
    doc.title = ex.title
    doc.report_year = ex.report_year
    doc.published_at = ex.published_at or doc.published_at
    doc.agency = ex.agency
    doc.is_annual_report = ex.is_annual_report
    doc.flags = list(ex.flags)
    doc.deadline = deadline(doc.report_year, is_department_report(doc.title))
    doc.on_time = on_time(doc.published_at, doc.deadline)
    index_document(session, doc.id, doc.title, ex.text)


def latest_version(session: Session, document_id: int) -> DocumentVersion | None:
    """The document's current (newest) version."""
    return session.scalars(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document_id)
        .order_by(DocumentVersion.id.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class SaveResult:
    outcome: str  # stored / changed / unchanged / duplicate / challenge / soft404 / ...
    document_id: int | None = None
    is_annual_report: bool = False
    report_year: int | None = None
    jurisdiction_code: str | None = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


#: Advisory lock classes (PostgreSQL's two-key form) of the store's per-transaction locks.
URL_LOCK, CONTENT_LOCK = 1, 2


def _serialise(session: Session, kind: int, key: str) -> None:
    """PostgreSQL: wait for any other transaction saving the same URL (or, for a new
    document, the same text) to commit first, so writers in several processes never
    both add the document, its twin or the same version (held until this transaction
    ends; taken URL first, then text, so two never wait on each other). SQLite writes
    one transaction at a time anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:kind, hashtext(:key))"), {"kind": kind, "key": key}
        )


@dataclass(frozen=True)
class _NewReportStatements:
    """A new report's two inserts, built once per dialect: the same statement objects
    with new parameters hit SQLAlchemy's compiled cache without making a cache key."""

    document: Any  # INSERT .. ON CONFLICT (url_hash) DO NOTHING RETURNING id
    version: Any  # INSERT .. RETURNING id


@functools.cache
def _new_report_statements(dialect: str) -> _NewReportStatements:
    documents = cast(Table, Document.__table__)
    versions = cast(Table, DocumentVersion.__table__)
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return _NewReportStatements(
        document=dialect_insert(documents)
        .on_conflict_do_nothing(index_elements=["url_hash"])
        .returning(documents.c.id),
        version=insert(versions).returning(versions.c.id),
    )


def _insert(session: Session, model: type[Any] | Table) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


class Store:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    # -- registry -------------------------------------------------------------
    def sync_jurisdictions(self, registry: Registry) -> None:
        with self.sessions.begin() as session:
            for region in sorted(registry, key=lambda r: r.code):  # one lock order for all
                values = {
                    "code": region.code,
                    "slug": region.slug,
                    "name": region.name,
                    "level": region.level,
                    "parent_code": region.parent,
                    "province": region.province,
                    "portal_url": region.portal,
                }
                stmt = _insert(session, Jurisdiction).values(**values)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["code"],
                    set_={k: v for k, v in values.items() if k != "code"},
                )
                session.execute(stmt)

    # -- runs -----------------------------------------------------------------
    def start_run(self, trigger: str, regions: list[str]) -> int:
        with self.sessions.begin() as session:
            run = CrawlRun(
                trigger=trigger,
                regions=regions,
                started_at=utcnow(),
                status="running",
                stats={},
                pid=os.getpid(),
                host=socket.gethostname(),
            )
            session.add(run)
            session.flush()
            return run.id

    def interrupted_run(self, regions: list[str]) -> int | None:
        """The last run over exactly these regions that never finished and whose
        process on this host is dead (killed): the run to resume."""
        with self.sessions() as session:
            runs = session.execute(
                select(CrawlRun.id, CrawlRun.regions, CrawlRun.pid, CrawlRun.host)
                .where(CrawlRun.finished_at.is_(None), CrawlRun.status == "running")
                .order_by(CrawlRun.id.desc())
                .limit(20)
            ).all()
        for run_id, run_regions, pid, host in runs:
            if sorted(run_regions or []) != sorted(regions) or host != socket.gethostname():
                continue
            if pid is None or not _alive(pid):
                return int(run_id)
        return None

    def resume_run(self, run_id: int) -> None:
        with self.sessions.begin() as session:
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(pid=os.getpid()))

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any]) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id)
                .values(status=status, stats=stats, finished_at=utcnow())
            )

    # -- fetch log ------------------------------------------------------------
    @staticmethod
    def _fetch_row(run_id: int | None, values: dict[str, Any]) -> dict[str, Any]:
        with contextlib.suppress(BadURL):  # else logged as given, hashed raw
            values["url"] = normalise_url(values["url"])
        values["url_hash"] = hashlib.sha256(values["url"].encode("utf-8")).hexdigest()
        values["crawl_run_id"] = run_id
        return values

    def _log_fetch(self, session: Session, run_id: int | None, **values: Any) -> None:
        self._log_fetches(session, [self._fetch_row(run_id, values)])

    @staticmethod
    def _log_fetches(session: Session, rows: list[dict[str, Any]]) -> None:
        """Fetch rows (from `_fetch_row`), one statement; a row this run already has stays."""
        if not rows:
            return
        # A Core statement on the table: one executemany for the batch (the ORM's bulk
        # insert splits a batch wherever a row's None-valued columns change: a re-crawl's
        # interleaved `unchanged` and `not_report` rows went one or two per statement).
        stmt = _insert(session, cast(Table, Fetch.__table__)).on_conflict_do_nothing(
            index_elements=["crawl_run_id", "url_hash"]
        )
        keys = {key for row in rows for key in row}  # executemany: the same keys in every row
        session.connection().execute(stmt, [{key: row.get(key) for key in keys} for row in rows])

    def save_listing(self, run_id: int | None, item: ListingVisited) -> None:
        self.save_visits(run_id, [item])

    def save_visits(
        self, run_id: int | None, visits: Sequence[FetchedPage | ListingVisited]
    ) -> list[SaveResult | None]:
        """304s (``save_unchanged``) and column-page visits in one transaction: the
        result of each 304, None for each visit, in the order of `visits`."""
        listings = [v for v in visits if isinstance(v, ListingVisited)]
        pages = [v for v in visits if not isinstance(v, ListingVisited)]
        with self.sessions.begin() as session:
            self._remember_columns(session, listings)
            self._log_fetches(session, [self._listing_row(run_id, item) for item in listings])
            saved = iter(self._not_modified(session, run_id, pages) if pages else [])
        return [None if isinstance(v, ListingVisited) else next(saved) for v in visits]

    def _listing_row(self, run_id: int | None, item: ListingVisited) -> dict[str, Any]:
        listed = bool(item.article_links or item.script_records)
        return self._fetch_row(
            run_id,
            {
                "url": item.url,
                "region_slug": item.region_slug,
                "http_status": item.status,
                "bytes": item.bytes,
                "elapsed_ms": item.elapsed_ms,
                "outcome": "listing" if listed else "empty_listing",
                "error": None if listed else "no article links on the column page",
                "fetched_at": item.fetched_at,
            },
        )

    @staticmethod
    def _remember_columns(session: Session, listings: list[ListingVisited]) -> None:
        """The ``page_state`` rows of column pages read afresh: their validators and what
        they listed (one statement)."""
        rows: dict[str, dict[str, Any]] = {}
        for item in listings:
            memory = item.remember
            if memory is None:
                continue
            try:
                url = normalise_url(item.url)
            except BadURL:
                continue  # (not a URL a later run could ask for by the same key)
            key = url_hash(url)
            rows[key] = {
                "url_hash": key,
                "url": url,
                "region_slug": item.region_slug,
                "document_id": None,
                "outcome": "listing",
                "etag": memory.etag,
                "last_modified": memory.last_modified,
                "extractor_version": memory.version,
                "fetched_at": item.fetched_at,
                "links": memory.as_json(),
            }
        Store._upsert_states(session, list(rows.values()), _COLUMN_STATE)

    def column_memory(self, region_slug: str, version: str) -> dict[str, ColumnMemory]:
        """Normalised URL -> what each of the region's column pages listed when last
        read by this `version` of the spider (older versions' rows are read afresh)."""
        with self.sessions() as session:
            rows = session.execute(
                select(
                    PageState.url, PageState.links, PageState.etag, PageState.last_modified
                ).where(
                    PageState.region_slug == region_slug,
                    PageState.outcome == "listing",
                    PageState.extractor_version == version,
                )
            ).all()
        out: dict[str, ColumnMemory] = {}
        for url, links, etag, modified in rows:
            memory = ColumnMemory.from_json(links, etag, modified, version)
            if memory is not None:
                out[url] = memory
        return out

    def save_failure(self, run_id: int | None, item: FetchFailed) -> None:
        with self.sessions.begin() as session:
            doc = None
            if item.status in GONE_STATUSES:
                try:
                    key = url_hash(item.url)
                except BadURL:
                    key = ""
                doc = session.scalars(select(Document).where(Document.url_hash == key)).first()
                if (
                    doc is not None
                    and doc.gone_at is None
                    and self._absent_before(session, run_id, key)
                ):
                    doc.gone_at = item.fetched_at  # two runs in a row: it is gone
            self._log_fetch(
                session,
                run_id,
                url=item.url,
                region_slug=item.region_slug,
                document_id=doc.id if doc is not None else None,
                http_status=item.status,
                elapsed_ms=item.elapsed_ms,
                outcome=item.outcome,
                error=item.error,
                fetched_at=item.fetched_at,
            )

    @staticmethod
    def _absent_before(session: Session, run_id: int | None, key: str) -> bool:
        """Was the document missing (404/410, or gone from its column) in the run
        before this one that looked for it?"""
        previous = session.execute(
            select(Fetch.outcome, Fetch.http_status)
            .where(Fetch.url_hash == key, Fetch.crawl_run_id != run_id)
            .order_by(Fetch.id.desc())
            .limit(1)
        ).first()
        if previous is None:
            return False
        outcome, status = previous
        return outcome == "vanished" or status in GONE_STATUSES

    def mark_vanished(self, run_id: int, region_slug: str, when: datetime) -> int:
        """Documents this region's crawls used to find that this run did not meet:
        a `vanished` fetch each, and `gone_at` when the run before missed them too.
        Call only after a complete crawl of the region (not a failed one)."""
        count = 0
        with self.sessions.begin() as session:
            # the documents at the URLs this region's crawls fetched (not the documents a
            # URL of the region only copies: ``duplicate``; they may be another region's)
            known = select(PageState.url_hash).where(
                PageState.region_slug == region_slug, PageState.document_id.is_not(None)
            )
            seen = select(Fetch.url_hash).where(Fetch.crawl_run_id == run_id)
            docs = session.scalars(
                select(Document).where(
                    Document.url_hash.in_(known), Document.url_hash.not_in(seen)
                )
            ).all()
            for doc in docs:
                if doc.gone_at is None and self._absent_before(session, run_id, doc.url_hash):
                    doc.gone_at = when
                self._log_fetch(
                    session,
                    run_id,
                    url=doc.url,
                    region_slug=region_slug,
                    document_id=doc.id,
                    outcome="vanished",
                    error="no longer listed in the region's columns",
                    fetched_at=when,
                )
                count += 1
        return count

    # -- what earlier runs know -------------------------------------------------
    def validators(self, region_slug: str) -> dict[str, tuple[str | None, str | None]]:
        """URL -> (ETag, Last-Modified) of the last successful fetch of each document
        this region's crawls fetched, and of each page the current extractor found not
        to be a report: what a re-crawl sends as If-None-Match / If-Modified-Since."""
        with self.sessions() as session:
            rows = session.execute(
                select(PageState.url, PageState.etag, PageState.last_modified).where(
                    PageState.region_slug == region_slug,
                    or_(
                        PageState.document_id.is_not(None),
                        and_(
                            PageState.outcome == "not_report",
                            PageState.extractor_version == EXTRACTOR_VERSION,
                        ),
                    ),
                )
            ).all()
        return {url: (etag, modified) for url, etag, modified in rows if etag or modified}

    @staticmethod
    def _remember(
        rows: _PageRows, page: FetchedPage, outcome: str, document_id: int | None
    ) -> None:
        """The page's state after a successful fetch (its validators for the next run)."""
        key = url_hash(page.url)
        rows.states[key] = {
            "url_hash": key,
            "url": page.url,
            "region_slug": page.region_slug,
            "document_id": document_id,
            "outcome": outcome,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "extractor_version": EXTRACTOR_VERSION,
            "fetched_at": page.fetched_at,
        }

    def _defer_fetch(self, rows: _PageRows, run_id: int | None, **values: Any) -> None:
        rows.fetches.append(self._fetch_row(run_id, values))

    def _write_rows(self, session: Session, rows: _PageRows) -> None:
        """A batch's fetch and page-state rows: one statement each (executemany)."""
        self._log_fetches(session, rows.fetches)
        self._upsert_states(session, list(rows.states.values()), _STATE_COLUMNS)

    @staticmethod
    def _upsert_states(
        session: Session, states: list[dict[str, Any]], columns: tuple[str, ...]
    ) -> None:
        """``page_state`` rows, one statement: a URL's row is replaced by its new state."""
        if not states:
            return
        stmt = _insert(session, cast(Table, PageState.__table__))
        updated = {name: getattr(stmt.excluded, name) for name in columns if name != "url_hash"}
        session.connection().execute(
            stmt.on_conflict_do_update(index_elements=["url_hash"], set_=updated), states
        )

    def done_in_run(self, run_id: int) -> set[str]:
        """URL hashes this run has already recorded (a resumed run skips them)."""
        with self.sessions() as session:
            rows = session.scalars(
                select(Fetch.url_hash).where(
                    Fetch.crawl_run_id == run_id,
                    Fetch.outcome.not_in(("listing", "empty_listing")),
                )
            ).all()
        return set(rows)

    def outcome_counts(self, run_id: int) -> dict[str, int]:
        with self.sessions() as session:
            rows = session.execute(
                select(Fetch.outcome, func.count())
                .where(Fetch.crawl_run_id == run_id)
                .group_by(Fetch.outcome)
            ).all()
        return {outcome: int(n) for outcome, n in sorted(rows)}

    def previous_reports(self, region_slug: str, before_run: int) -> tuple[int, int] | None:
        """(run id, reports) of the last finished run before `before_run` that crawled
        this region and found reports in it."""
        with self.sessions() as session:
            runs = session.execute(
                select(CrawlRun.id, CrawlRun.stats)
                .where(CrawlRun.id < before_run, CrawlRun.finished_at.is_not(None))
                .order_by(CrawlRun.id.desc())
                .limit(50)
            ).all()
        for run_id, stats in runs:
            region = (stats or {}).get("regions", {}).get(region_slug)
            if region and region.get("reports"):
                return int(run_id), int(region["reports"])
        return None

    # -- documents ------------------------------------------------------------
    @staticmethod
    def _fetch_values(page: FetchedPage) -> dict[str, Any]:
        return {
            "url": page.url,
            "region_slug": page.region_slug,
            "http_status": page.status,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "bytes": len(page.body),
            "elapsed_ms": page.elapsed_ms,
            "fetched_at": page.fetched_at,
        }

    def save_unchanged(self, run_id: int | None, pages: list[FetchedPage]) -> list[SaveResult]:
        """304s to conditional requests, many in one transaction (a nightly re-crawl
        makes thousands): an ``unchanged`` fetch each, nothing extracted, and the
        document's ``last_seen_at`` moved on. Results in the order of `pages`."""
        with self.sessions.begin() as session:
            return self._not_modified(session, run_id, pages)

    def _not_modified(
        self, session: Session, run_id: int | None, pages: list[FetchedPage]
    ) -> list[SaveResult]:
        keys = [url_hash(page.url) for page in pages]
        known = {row[0]: row for row in self._documents(session, Document.url_hash, keys)}
        not_reports, copies = self._known_states(session, [k for k in keys if k not in known])
        originals = sorted(set(copies.values()))
        twins = {row[1]: row for row in self._documents(session, Document.id, originals)}
        seen: dict[int, datetime] = {}  # documents answered at their own URL
        copied: dict[int, datetime] = {}  # documents whose text a copy still holds
        fetches: list[dict[str, Any]] = []
        results: list[SaveResult] = []
        for page, key in zip(pages, keys, strict=True):
            values = self._fetch_values(page)
            row = known.get(key)
            if row is None and key in not_reports:
                values.update(
                    outcome="not_report",
                    error="not stored: not an annual report (unchanged since the last run)",
                )
                fetches.append(self._fetch_row(run_id, values))
                results.append(SaveResult("not_report"))
                continue
            if row is None and copies.get(key) in twins:
                # a URL whose text another document holds (``duplicate``): still the same
                _, doc_id, is_report, year, code, last_seen = twins[copies[key]]
                copied[doc_id] = max(copied.get(doc_id, last_seen), page.fetched_at)
                values.update(
                    outcome="duplicate",
                    document_id=doc_id,
                    error=f"same text as document {doc_id} (unchanged since the last run)",
                )
                fetches.append(self._fetch_row(run_id, values))
                results.append(SaveResult("duplicate", doc_id, is_report, year, code))
                continue
            if row is None:
                values.update(outcome="error", error="304 for an unknown URL")
                fetches.append(self._fetch_row(run_id, values))
                results.append(SaveResult("error"))
                continue
            _, doc_id, is_report, year, code, last_seen = row
            seen[doc_id] = max(seen.get(doc_id, last_seen), page.fetched_at)
            values.update(outcome="unchanged", document_id=doc_id)
            fetches.append(self._fetch_row(run_id, values))
            results.append(SaveResult("unchanged", doc_id, is_report, year, code))
        table = cast(Table, Document.__table__)
        if seen:
            session.connection().execute(
                update(table)
                .where(table.c.id == bindparam("doc_id"))
                .values(last_seen_at=bindparam("seen"), gone_at=None),
                [{"doc_id": doc_id, "seen": when} for doc_id, when in seen.items()],
            )
        if copied:  # (as a fetched copy does: seen, but its own URL may still be gone)
            session.connection().execute(
                update(table)
                .where(table.c.id == bindparam("doc_id"), table.c.last_seen_at < bindparam("seen"))
                .values(last_seen_at=bindparam("seen")),
                [{"doc_id": doc_id, "seen": when} for doc_id, when in copied.items()],
            )
        self._log_fetches(session, fetches)
        return results

    @staticmethod
    def _known_states(session: Session, keys: list[str]) -> tuple[set[str], dict[str, int]]:
        """Of these URL hashes (no document's own): the pages an earlier run found not to
        be reports, and the copies (``duplicate``: URL hash -> the document holding the
        same text)."""
        not_reports: set[str] = set()
        copies: dict[str, int] = {}
        for start in range(0, len(keys), 500):
            rows = session.execute(
                select(PageState.url_hash, PageState.outcome, PageState.document_id).where(
                    PageState.url_hash.in_(keys[start : start + 500]),
                    PageState.outcome.in_(("not_report", "duplicate")),
                )
            )
            for key, outcome, document_id in rows:
                if outcome == "not_report" and document_id is None:
                    not_reports.add(key)
                elif outcome == "duplicate" and document_id is not None:
                    copies[key] = document_id
        return not_reports, copies

    @staticmethod
    def _documents(session: Session, column: Any, values: Sequence[Any]) -> list[Any]:
        """(URL hash, id, is_annual_report, report_year, jurisdiction code, last_seen_at)
        of the documents whose `column` is one of `values`."""
        found: list[Any] = []
        for start in range(0, len(values), 500):  # bound the IN list
            found.extend(
                session.execute(
                    select(
                        Document.url_hash,
                        Document.id,
                        Document.is_annual_report,
                        Document.report_year,
                        Document.jurisdiction_code,
                        Document.last_seen_at,
                    ).where(column.in_(values[start : start + 500]))
                )
            )
        return found

    def save_page(
        self,
        run_id: int | None,
        page: FetchedPage,
        jurisdiction_code: str,
        raw_ref: str | None = None,
    ) -> SaveResult:
        """Archive one fetched page in one transaction and say what happened to it."""
        return self.save_pages([(run_id, page, jurisdiction_code, raw_ref)])[0]

    def save_pages(
        self, pages: Sequence[tuple[int | None, FetchedPage, str, str | None]]
    ) -> list[SaveResult]:
        """Archive fetched pages, each with its run, jurisdiction code and raw record, in
        one transaction (a crawl's writer saves what came in while it wrote the last
        batch: one commit, one full-text index segment for many pages). Results in order.
        All or nothing: a failure rolls the whole batch back (the caller then saves its
        pages one by one to find the page at fault)."""
        with self.sessions.begin() as session:
            rows = _PageRows()
            results = [
                self._save_page(session, run_id, page, code, raw_ref, rows)
                for run_id, page, code, raw_ref in pages
            ]
            self._write_rows(session, rows)
            killpoints.reached("flush")  # the batch's statements sent, not committed
            return results

    def _insert_report(
        self,
        session: Session,
        run_id: int | None,
        page: FetchedPage,
        key: str,
        jurisdiction_code: str,
        raw_ref: str | None,
        rows: _PageRows,
        fetch_values: dict[str, Any],
    ) -> SaveResult | None:
        """A new document, its index entry, first version and statistics, written with
        plain statements (a first crawl stores thousands: the ORM's unit of work would
        cost the writer more than the inserts). None when another writer inserted the
        URL meanwhile."""
        ex = page.extraction
        assert ex is not None
        now = page.fetched_at
        stats = page.stats if page.stats is not None else stat_rows(
            parse_report(ex.text, ex.tables)
        )
        due = deadline(ex.report_year, is_department_report(ex.title))
        statements = _new_report_statements(session.get_bind().dialect.name)
        connection = session.connection()
        inserted = connection.execute(
            statements.document,
            {
                "url_hash": key,
                "url": page.url,
                "jurisdiction_code": jurisdiction_code,
                "kind": ex.kind,
                "title": ex.title,
                "report_year": ex.report_year,
                "published_at": ex.published_at,
                "agency": ex.agency,
                "is_annual_report": ex.is_annual_report,
                "flags": flagged(list(ex.flags), stats.inconsistent),
                "first_seen_at": now,
                "last_seen_at": now,
                "parent_url": page.parent_url,
                "deadline": due,
                "on_time": on_time(ex.published_at, due),
            },
        ).first()
        if inserted is None:
            return None
        doc_id = int(inserted[0])
        index_document(session, doc_id, ex.title, ex.text, new=True)
        version_id = connection.execute(
            statements.version, _version_values(doc_id, ex, raw_ref, now)
        ).scalar_one()
        write_stats(session, doc_id, int(version_id), stats, fresh=True)
        self._remember(rows, page, "stored", doc_id)
        self._defer_fetch(rows, run_id, outcome="stored", document_id=doc_id, **fetch_values)
        return SaveResult(
            "stored", doc_id, ex.is_annual_report, ex.report_year, jurisdiction_code
        )

    def _save_page(
        self,
        session: Session,
        run_id: int | None,
        page: FetchedPage,
        jurisdiction_code: str,
        raw_ref: str | None,
        rows: _PageRows,
    ) -> SaveResult:
        ex = page.extraction
        fetch_values = self._fetch_values(page)
        if page.status == 304:
            return self._not_modified(session, run_id, [page])[0]
        if ex is None or page.extract_error:
            outcome = page.extract_outcome or "extract_error"
            self._defer_fetch(
                rows, run_id, outcome=outcome, error=page.extract_error, **fetch_values
            )
            return SaveResult(outcome)
        if page.attachments and (ex.reject == "near_empty" or len(ex.text) < WRAPPER_MAX_CHARS):
            self._defer_fetch(
                rows,
                run_id,
                outcome="attachment_wrapper",
                error=f"only wraps {len(page.attachments)} attachment(s): "
                + " ".join(page.attachments[:3]),
                **fetch_values,
            )
            return SaveResult("attachment_wrapper")
        if ex.reject:
            detail = ex.reject
            if ex.reject == "challenge":
                html = page.body[:65536].decode("latin-1")
                detail = f"challenge: {wall_kind(html, page.status)} wall"
            self._defer_fetch(
                rows,
                run_id,
                outcome=ex.reject,
                error=f"not stored: page recognised as {detail}",
                **fetch_values,
            )
            return SaveResult(ex.reject)
        if not ex.is_annual_report:
            self._remember(rows, page, "not_report", None)
            self._defer_fetch(
                rows,
                run_id,
                outcome="not_report",
                error=f"not stored: not an annual report ({ex.title or 'untitled'})",
                **fetch_values,
            )
            return SaveResult("not_report")

        key = url_hash(page.url)
        now = page.fetched_at
        _serialise(session, URL_LOCK, key)  # concurrent writers: one at a time per URL
        doc = session.scalars(select(Document).where(Document.url_hash == key)).first()
        if doc is None:
            # The same report at another URL: same text *and* same title. Two
            # jurisdictions publishing the same text (a copied report) stay two
            # documents: that copy is what researchers look for.
            _serialise(session, CONTENT_LOCK, ex.content_hash)
            twin = session.scalars(
                select(Document)
                .join(DocumentVersion, DocumentVersion.document_id == Document.id)
                .where(
                    DocumentVersion.content_hash == ex.content_hash,
                    Document.title == ex.title,
                )
                .order_by(Document.id)
            ).first()
            if twin is not None:
                twin.last_seen_at = max(twin.last_seen_at, now)
                self._remember(rows, page, "duplicate", twin.id)  # asked conditionally next run
                self._defer_fetch(
                    rows,
                    run_id,
                    outcome="duplicate",
                    document_id=twin.id,
                    error=f"same text as document {twin.id} ({twin.url})",
                    **fetch_values,
                )
                return SaveResult(
                    "duplicate",
                    twin.id,
                    twin.is_annual_report,
                    twin.report_year,
                    twin.jurisdiction_code,
                )
            stored = self._insert_report(
                session, run_id, page, key, jurisdiction_code, raw_ref, rows, fetch_values
            )
            if stored is not None:
                return stored
            # another writer stored it meanwhile: a known document after all
            doc = session.scalars(select(Document).where(Document.url_hash == key)).one()
        latest = latest_version(session, doc.id)
        doc.last_seen_at = max(doc.last_seen_at, now)
        doc.gone_at = None
        if latest is not None and latest.content_hash == ex.content_hash:
            self._remember(rows, page, "unchanged", doc.id)
            self._defer_fetch(
                rows, run_id, outcome="unchanged", document_id=doc.id, **fetch_values
            )
            return SaveResult(
                "unchanged",
                doc.id,
                doc.is_annual_report,
                doc.report_year,
                doc.jurisdiction_code,
            )
        outcome = "changed" if latest is not None else "stored"
        doc.last_changed_at = now if latest is not None else None
        refresh_document(session, doc, ex)
        version = DocumentVersion(**_version_values(doc.id, ex, raw_ref, now))
        session.add(version)
        record_version(session, doc, version, page.stats)  # its statistics tables, checked
        self._remember(rows, page, outcome, doc.id)
        self._defer_fetch(rows, run_id, outcome=outcome, document_id=doc.id, **fetch_values)
        return SaveResult(
            outcome, doc.id, doc.is_annual_report, doc.report_year, doc.jurisdiction_code
        )
