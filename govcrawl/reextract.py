"""Re-run the extractor over the raw archive, without touching the network.

For every document, the latest version that has a raw record is read back from
the WARC files and extracted again. New text or tables become a new
``document_version`` (same ``raw_ref``, the record's ``fetched_at``, the current
``EXTRACTOR_VERSION``); the same text adds nothing. One transaction per document.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from govcrawl.db.models import Document, DocumentVersion, Jurisdiction
from govcrawl.db.store import latest_version, refresh_document
from govcrawl.extract.model import EXTRACTOR_VERSION, Extraction, PageInput
from govcrawl.raw import RawError, RawRecord, default_raw_dir, read_raw
from govcrawl.stats.record import record_version

#: Documents read ahead per extraction worker (bounds the bodies held in memory).
READ_AHEAD = 4


@dataclass
class ReextractResult:
    documents: int = 0  # documents looked at
    versions_added: int = 0
    unchanged: int = 0  # same text and tables as the latest version
    missing_raw: int = 0  # no version with a raw_ref, or its WARC record is gone/unreadable
    errors: int = 0  # the extractor failed or now rejects the page
    messages: list[str] = field(default_factory=list)  # one line per missing/error document

    def summary(self) -> str:
        return (
            f"{self.documents} documents: {self.versions_added} new versions, "
            f"{self.unchanged} unchanged, "
            f"{self.missing_raw} without a raw record, {self.errors} errors"
        )


@dataclass(frozen=True)
class _Job:
    document_id: int
    url: str
    raw_ref: str
    jurisdiction_name: str | None


def region_codes(engine: Engine, region: str) -> set[str]:
    """The jurisdiction codes of `region` (a slug or a division code) and all its
    descendants, from the jurisdiction table and the registry."""
    from govcrawl.regions import load_registry

    with Session(engine) as session:
        rows = session.execute(
            select(Jurisdiction.code, Jurisdiction.slug, Jurisdiction.parent_code)
        ).all()
    parents: dict[str, str | None] = {code: parent for code, _, parent in rows}
    root = next((code for code, slug, _ in rows if region in (slug, code)), None)
    registry = load_registry()
    for item in registry:
        parents.setdefault(item.code, item.parent)
    if root is None:
        try:
            root = registry.get(region).code
        except KeyError:
            raise ValueError(
                f"unknown region {region!r} (not a slug or code in the archive or the registry)"
            ) from None
    codes = {root}
    grew = True
    while grew:
        grew = False
        for code, parent in parents.items():
            if parent in codes and code not in codes:
                codes.add(code)
                grew = True
    return codes


def _page_input(job: _Job, record: RawRecord) -> PageInput:
    info = record.info
    listing_date: date | None = None
    if info.get("listing_date"):
        try:
            listing_date = date.fromisoformat(info["listing_date"])
        except ValueError:
            listing_date = None
    return PageInput(
        url=job.url,
        body=record.body,
        content_type=record.content_type,
        status=record.status,
        container=info.get("container") or None,
        listing_title=info.get("listing_title") or None,
        listing_date=listing_date,
        jurisdiction_name=info.get("jurisdiction_name") or job.jurisdiction_name,
    )


def _jobs(engine: Engine, codes: set[str] | None, result: ReextractResult) -> Iterator[_Job]:
    """One job per document that has a version with a raw_ref (the others are
    counted as missing_raw)."""
    with Session(engine) as session:
        query = (
            select(Document.id, Document.url, Jurisdiction.name)
            .join(Jurisdiction, Jurisdiction.code == Document.jurisdiction_code, isouter=True)
            .order_by(Document.id)
        )
        if codes is not None:
            query = query.where(Document.jurisdiction_code.in_(sorted(codes)))
        documents = session.execute(query).all()
    for doc_id, url, name in documents:
        result.documents += 1
        with Session(engine) as session:
            raw_ref = session.scalars(
                select(DocumentVersion.raw_ref)
                .where(DocumentVersion.document_id == doc_id, DocumentVersion.raw_ref.is_not(None))
                .order_by(DocumentVersion.id.desc())
                .limit(1)
            ).first()
        if raw_ref is None:
            result.missing_raw += 1
            result.messages.append(f"document {doc_id}: no version has a raw record")
            continue
        yield _Job(doc_id, url, raw_ref, name)


def _tables_json(tables: Any) -> Any:
    return json.loads(json.dumps(tables or [], ensure_ascii=False))


def _apply(
    sessions: sessionmaker[Session],
    job: _Job,
    record: RawRecord,
    ex: Extraction,
    result: ReextractResult,
) -> None:
    """Write one document's re-extraction (one transaction)."""
    with sessions.begin() as session:
        doc = session.get(Document, job.document_id)
        if doc is None:  # deleted meanwhile
            return
        latest = latest_version(session, doc.id)
        tables = _tables_json(ex.tables)
        same = (
            latest is not None
            and latest.content_hash == ex.content_hash
            and _tables_json(latest.tables) == tables
        )
        if same:  # whatever extractor_version made it: nothing to add
            result.unchanged += 1
            return
        version = DocumentVersion(
            document_id=doc.id,
            content_hash=ex.content_hash,
            text=ex.text,
            tables=tables,
            raw_ref=job.raw_ref,
            extractor_version=EXTRACTOR_VERSION,
            fetched_at=record.fetched_at,
        )
        session.add(version)
        # the page did not change on the site: first/last seen and last_changed_at stay
        refresh_document(session, doc, ex)
        record_version(session, doc, version)  # after the flags: it sets stats_inconsistent
        result.versions_added += 1


def reextract(
    engine: Engine,
    raw_dir: Path,
    region: str | None = None,
    *,
    extract_workers: int = 1,
) -> ReextractResult:
    """Extract every document (of `region` and its children, if given) again from
    its raw record; add a version where the text or tables changed."""
    from govcrawl.extract.page import extract_page

    result = ReextractResult()
    codes = region_codes(engine, region) if region else None
    sessions = sessionmaker(engine, expire_on_commit=False)
    pool: Executor | None = None
    if extract_workers > 1:
        import multiprocessing

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["govcrawl.extract.page"])
        pool = ProcessPoolExecutor(max_workers=extract_workers, mp_context=context)
    window = max(1, extract_workers) * READ_AHEAD
    pending: list[tuple[_Job, RawRecord, Future[Extraction] | None]] = []

    def finish(job: _Job, record: RawRecord, future: Future[Extraction] | None) -> None:
        try:
            ex = future.result() if future is not None else extract_page(_page_input(job, record))
        except Exception as exc:  # a bug or a page the extractor cannot read
            result.errors += 1
            result.messages.append(f"document {job.document_id}: {type(exc).__name__}: {exc}")
            return
        if ex.reject:
            result.errors += 1
            result.messages.append(
                f"document {job.document_id}: the extractor now rejects the page ({ex.reject})"
            )
            return
        _apply(sessions, job, record, ex, result)

    try:
        for job in _jobs(engine, codes, result):
            try:
                record = read_raw(raw_dir, job.raw_ref)
            except (OSError, RawError) as exc:
                result.missing_raw += 1
                result.messages.append(f"document {job.document_id}: {job.raw_ref}: {exc}")
                continue
            if pool is None:
                finish(job, record, None)
                continue
            pending.append((job, record, pool.submit(extract_page, _page_input(job, record))))
            if len(pending) >= window:
                finish(*pending.pop(0))
        while pending:
            finish(*pending.pop(0))
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return result


# -- command line -------------------------------------------------------------------------------


def database_url(args: argparse.Namespace) -> str:
    """`--db`, else GOVCRAWL_DB, else the default: the one settings source's answer."""
    from govcrawl.config import Config

    return Config.from_env(db_url=getattr(args, "db", None)).db_url


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "reextract",
        help="extract archived documents again from their raw records (no network)",
    )
    parser.add_argument("--region", metavar="SLUG", help="only this region (and its children)")
    parser.add_argument(
        "--raw-dir",
        metavar="DIR",
        help="raw WARC directory (default: beside the SQLite file, else $GOVCRAWL_RAW_DIR)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, metavar="N", help="extraction processes (default 1)"
    )
    parser.add_argument("--db", metavar="URL", help="archive database URL")


def run_command(args: argparse.Namespace) -> int:
    from govcrawl.db.engine import open_engine, upgrade

    db_url = database_url(args)
    engine = open_engine(db_url)
    upgrade(engine)
    raw_dir = Path(args.raw_dir) if getattr(args, "raw_dir", None) else default_raw_dir(db_url)
    try:
        result = reextract(
            engine,
            raw_dir,
            getattr(args, "region", None),
            extract_workers=max(1, getattr(args, "workers", 1) or 1),
        )
        near = None
        if result.versions_added:  # new texts (and perhaps years): recompute the near-copies
            from govcrawl.config import Config
            from govcrawl.neardup import update_near_duplicates

            threshold = Config.from_env(db_url=db_url).near_duplicate_threshold
            near = update_near_duplicates(engine, None, threshold)
    finally:
        engine.dispose()
    for line in result.messages:
        print(line, file=sys.stderr)
    print(result.summary())
    if near is not None:
        print(near.summary())
    return 0
