"""Exports of the archive for pandas and R users: one row per document, with
its current (latest) version's text."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govcrawl.db.models import Document, DocumentVersion, Jurisdiction
from govcrawl.extract.model import Extraction
from govcrawl.search import Filters
from govcrawl.urls import BadURL, url_hash

FIELDS = (
    "url",
    "url_hash",
    "jurisdiction_code",
    "jurisdiction_name",
    "title",
    "report_year",
    "published_at",
    "agency",
    "kind",
    "is_annual_report",
    "flags",
    "parent_url",
    "deadline",
    "on_time",
    "near_duplicate_of",
    "similarity",
    "gone_at",
    "content_hash",
    "text",
    "first_seen_at",
    "last_seen_at",
    "last_changed_at",
    "versions",
)
#: With --with-versions: one row per version, these fields added.
VERSION_FIELDS = ("version_id", "version_fetched_at", "extractor_version", "raw_ref")
FORMATS = ("jsonl", "csv", "parquet")
_DATES = ("published_at", "deadline")
_TIMES = ("first_seen_at", "last_seen_at", "last_changed_at", "gone_at", "version_fetched_at")
_INTS = ("report_year", "versions", "near_duplicate_of", "version_id")


def rows(
    engine: Engine,
    reports_only: bool = False,
    filters: Filters | None = None,
    with_versions: bool = False,
) -> Iterator[dict[str, Any]]:
    """One row per document with its current version (or per version)."""
    stats = (
        select(
            DocumentVersion.document_id,
            func.max(DocumentVersion.id).label("version_id"),
            func.count(DocumentVersion.id).label("versions"),
        )
        .group_by(DocumentVersion.document_id)
        .subquery()
    )
    version_join = (
        DocumentVersion.document_id == Document.id
        if with_versions
        else DocumentVersion.id == stats.c.version_id
    )
    query = (
        select(Document, Jurisdiction.name, DocumentVersion, stats.c.versions)
        .join(Jurisdiction, Jurisdiction.code == Document.jurisdiction_code)
        .join(stats, stats.c.document_id == Document.id)
        .join(DocumentVersion, version_join)
        .order_by(Document.jurisdiction_code, Document.report_year, Document.id, DocumentVersion.id)
    )
    filters = filters or Filters()
    if reports_only or filters.reports_only:
        query = query.where(Document.is_annual_report.is_(True))
    if filters.region_codes is not None:
        query = query.where(Document.jurisdiction_code.in_(filters.region_codes))
    if filters.level:
        query = query.where(Jurisdiction.level == filters.level)
    if filters.province:
        query = query.where(Jurisdiction.province == filters.province)
    if filters.year is not None:
        query = query.where(Document.report_year == filters.year)
    with Session(engine) as session:
        for doc, jname, version, count in session.execute(query):
            row = {
                "url": doc.url,
                "url_hash": doc.url_hash,
                "jurisdiction_code": doc.jurisdiction_code,
                "jurisdiction_name": jname,
                "title": doc.title,
                "report_year": doc.report_year,
                "published_at": doc.published_at,
                "agency": doc.agency,
                "kind": doc.kind,
                "is_annual_report": bool(doc.is_annual_report),
                "flags": list(doc.flags or []),
                "parent_url": doc.parent_url,
                "deadline": doc.deadline,
                "on_time": doc.on_time,
                "near_duplicate_of": doc.near_duplicate_of,
                "similarity": doc.similarity,
                "gone_at": doc.gone_at,
                "content_hash": version.content_hash,
                "text": version.text,
                "first_seen_at": doc.first_seen_at,
                "last_seen_at": doc.last_seen_at,
                "last_changed_at": doc.last_changed_at,
                "versions": int(count),
            }
            if with_versions:
                row.update(
                    version_id=version.id,
                    version_fetched_at=version.fetched_at,
                    extractor_version=version.extractor_version,
                    raw_ref=version.raw_ref,
                )
            yield row


def _textual(row: dict[str, Any]) -> dict[str, Any]:
    """Dates and times as ISO strings (JSON lines, CSV)."""
    return {k: _iso(v) if isinstance(v, date) else v for k, v in row.items()}


def extraction_record(url: str, ex: Extraction) -> dict[str, Any]:
    """The export fields that one extraction determines (``govcrawl extract``)."""
    try:
        key: str | None = url_hash(url)
    except BadURL:
        key = None
    return {
        "url": url,
        "url_hash": key,
        "title": ex.title,
        "report_year": ex.report_year,
        "published_at": _iso(ex.published_at),
        "agency": ex.agency,
        "kind": ex.kind,
        "is_annual_report": ex.is_annual_report,
        "flags": list(ex.flags),
        "content_hash": ex.content_hash,
        "text": ex.text,
    }


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    return value.isoformat()


def write(
    engine: Engine,
    fmt: str,
    out: IO[str] | IO[bytes],
    reports_only: bool = False,
    filters: Filters | None = None,
    with_versions: bool = False,
) -> int:
    """Write the export to `out` (text for jsonl/csv, binary for parquet)."""
    fields = FIELDS + (VERSION_FIELDS if with_versions else ())
    records = rows(engine, reports_only, filters, with_versions)
    count = 0
    if fmt == "jsonl":
        for row in records:
            out.write(json.dumps(_textual(row), ensure_ascii=False) + "\n")  # type: ignore[call-overload]
            count += 1
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=fields)  # type: ignore[arg-type]
        writer.writeheader()
        for row in records:
            row = _textual(row)
            row["flags"] = ";".join(row["flags"])
            row["is_annual_report"] = int(row["is_annual_report"])
            if row["on_time"] is not None:
                row["on_time"] = int(row["on_time"])
            writer.writerow(row)
            count += 1
    elif fmt == "parquet":
        count = _write_parquet(list(records), fields, out)  # type: ignore[arg-type]
    else:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    return count


def _write_parquet(records: list[dict[str, Any]], fields: tuple[str, ...], out: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def kind(name: str) -> Any:
        if name in _DATES:
            return pa.date32()
        if name in _TIMES:
            return pa.timestamp("s")
        if name in _INTS:
            return pa.int64()
        if name in ("is_annual_report", "on_time"):
            return pa.bool_()
        if name == "similarity":
            return pa.float64()
        if name == "flags":
            return pa.list_(pa.string())
        return pa.string()

    schema = pa.schema([pa.field(name, kind(name)) for name in fields])
    table = pa.Table.from_pylist([{k: r.get(k) for k in fields} for r in records], schema=schema)
    pq.write_table(table, out)
    return len(records)
