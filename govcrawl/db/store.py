"""Writes to the archive: one transaction per item, idempotent, nothing overwritten.

A page whose normalised URL is known and whose text is unchanged records an
``unchanged`` fetch; changed text becomes a new ``document_version``; a new URL
whose text is already archived under another URL is tied to that document
(``duplicate``) instead of becoming a second copy.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from govcrawl.clock import utcnow
from govcrawl.db.models import CrawlRun, Document, DocumentVersion, Fetch, Jurisdiction
from govcrawl.extract.flags import wall_kind
from govcrawl.extract.model import EXTRACTOR_VERSION
from govcrawl.items import FetchedPage, FetchFailed, ListingVisited
from govcrawl.regions import Registry
from govcrawl.urls import BadURL, normalise_url, url_hash

#: A page with attachments and less text than this only wraps them (not a report itself).
WRAPPER_MAX_CHARS = 400


@dataclass(frozen=True)
class SaveResult:
    outcome: str  # stored / changed / unchanged / duplicate / challenge / soft404 / ...
    document_id: int | None = None
    is_annual_report: bool = False
    report_year: int | None = None
    jurisdiction_code: str | None = None


def _insert(session: Session, model: type[Any]) -> Any:
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
            for region in registry:
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
                trigger=trigger, regions=regions, started_at=utcnow(), status="running", stats={}
            )
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any]) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id)
                .values(status=status, stats=stats, finished_at=utcnow())
            )

    # -- fetch log ------------------------------------------------------------
    def _log_fetch(self, session: Session, run_id: int | None, **values: Any) -> None:
        with contextlib.suppress(BadURL):  # else logged as given, hashed raw
            values["url"] = normalise_url(values["url"])
        values["url_hash"] = hashlib.sha256(values["url"].encode("utf-8")).hexdigest()
        values["crawl_run_id"] = run_id
        stmt = _insert(session, Fetch).values(**values)
        session.execute(stmt.on_conflict_do_nothing(index_elements=["crawl_run_id", "url_hash"]))

    def save_listing(self, run_id: int | None, item: ListingVisited) -> None:
        with self.sessions.begin() as session:
            self._log_fetch(
                session,
                run_id,
                url=item.url,
                region_slug=item.region_slug,
                http_status=item.status,
                bytes=item.bytes,
                elapsed_ms=item.elapsed_ms,
                outcome="listing" if item.article_links or item.script_records else "empty_listing",
                error=None
                if item.article_links or item.script_records
                else "no article links on the column page",
                fetched_at=item.fetched_at,
            )

    def save_failure(self, run_id: int | None, item: FetchFailed) -> None:
        with self.sessions.begin() as session:
            self._log_fetch(
                session,
                run_id,
                url=item.url,
                region_slug=item.region_slug,
                http_status=item.status,
                elapsed_ms=item.elapsed_ms,
                outcome=item.outcome,
                error=item.error,
                fetched_at=item.fetched_at,
            )

    # -- documents ------------------------------------------------------------
    def save_page(
        self, run_id: int | None, page: FetchedPage, jurisdiction_code: str
    ) -> SaveResult:
        """Archive one fetched page in one transaction and say what happened to it."""
        ex = page.extraction
        fetch_values: dict[str, Any] = {
            "url": page.url,
            "region_slug": page.region_slug,
            "http_status": page.status,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "bytes": len(page.body),
            "elapsed_ms": page.elapsed_ms,
            "fetched_at": page.fetched_at,
        }
        with self.sessions.begin() as session:
            if ex is None or page.extract_error:
                outcome = "extract_error"
                self._log_fetch(
                    session, run_id, outcome=outcome, error=page.extract_error, **fetch_values
                )
                return SaveResult(outcome)
            if page.attachments and (ex.reject == "near_empty" or len(ex.text) < WRAPPER_MAX_CHARS):
                self._log_fetch(
                    session,
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
                self._log_fetch(
                    session,
                    run_id,
                    outcome=ex.reject,
                    error=f"not stored: page recognised as {detail}",
                    **fetch_values,
                )
                return SaveResult(ex.reject)
            if not ex.is_annual_report:
                self._log_fetch(
                    session,
                    run_id,
                    outcome="not_report",
                    error=f"not stored: not an annual report ({ex.title or 'untitled'})",
                    **fetch_values,
                )
                return SaveResult("not_report")

            key = url_hash(page.url)
            now = page.fetched_at
            doc = session.scalars(select(Document).where(Document.url_hash == key)).first()
            if doc is None:
                twin = session.scalars(
                    select(Document)
                    .join(DocumentVersion, DocumentVersion.document_id == Document.id)
                    .where(DocumentVersion.content_hash == ex.content_hash)
                    .order_by(Document.id)
                ).first()
                if twin is not None:
                    twin.last_seen_at = max(twin.last_seen_at, now)
                    self._log_fetch(
                        session,
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
                values = {
                    "url_hash": key,
                    "url": page.url,
                    "jurisdiction_code": jurisdiction_code,
                    "kind": ex.kind,
                    "title": ex.title,
                    "report_year": ex.report_year,
                    "published_at": ex.published_at,
                    "agency": ex.agency,
                    "is_annual_report": ex.is_annual_report,
                    "flags": list(ex.flags),
                    "first_seen_at": now,
                    "last_seen_at": now,
                    "parent_url": page.parent_url,
                }
                session.execute(
                    _insert(session, Document)
                    .values(**values)
                    .on_conflict_do_nothing(index_elements=["url_hash"])
                )
                doc = session.scalars(select(Document).where(Document.url_hash == key)).one()
                outcome = "stored"
            else:
                latest = session.scalars(
                    select(DocumentVersion)
                    .where(DocumentVersion.document_id == doc.id)
                    .order_by(DocumentVersion.id.desc())
                    .limit(1)
                ).first()
                doc.last_seen_at = max(doc.last_seen_at, now)
                doc.gone_at = None
                if latest is not None and latest.content_hash == ex.content_hash:
                    self._log_fetch(
                        session, run_id, outcome="unchanged", document_id=doc.id, **fetch_values
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
                doc.title = ex.title
                doc.report_year = ex.report_year
                doc.published_at = ex.published_at or doc.published_at
                doc.agency = ex.agency
                doc.is_annual_report = ex.is_annual_report
                doc.flags = list(ex.flags)
            session.add(
                DocumentVersion(
                    document_id=doc.id,
                    content_hash=ex.content_hash,
                    text=ex.text,
                    tables=ex.tables,
                    raw_ref=None,
                    extractor_version=EXTRACTOR_VERSION,
                    fetched_at=now,
                )
            )
            self._log_fetch(session, run_id, outcome=outcome, document_id=doc.id, **fetch_values)
            return SaveResult(
                outcome, doc.id, doc.is_annual_report, doc.report_year, doc.jurisdiction_code
            )
