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
    "content_hash",
    "text",
    "first_seen_at",
    "last_seen_at",
    "last_changed_at",
    "versions",
)
FORMATS = ("jsonl", "csv")


def rows(engine: Engine, reports_only: bool = False) -> Iterator[dict[str, Any]]:
    latest = (
        select(
            DocumentVersion.document_id,
            func.max(DocumentVersion.id).label("version_id"),
            func.count(DocumentVersion.id).label("versions"),
        )
        .group_by(DocumentVersion.document_id)
        .subquery()
    )
    query = (
        select(Document, Jurisdiction.name, DocumentVersion, latest.c.versions)
        .join(Jurisdiction, Jurisdiction.code == Document.jurisdiction_code)
        .join(latest, latest.c.document_id == Document.id)
        .join(DocumentVersion, DocumentVersion.id == latest.c.version_id)
        .order_by(Document.jurisdiction_code, Document.report_year, Document.id)
    )
    if reports_only:
        query = query.where(Document.is_annual_report.is_(True))
    with Session(engine) as session:
        for doc, jname, version, count in session.execute(query):
            yield {
                "url": doc.url,
                "url_hash": doc.url_hash,
                "jurisdiction_code": doc.jurisdiction_code,
                "jurisdiction_name": jname,
                "title": doc.title,
                "report_year": doc.report_year,
                "published_at": _iso(doc.published_at),
                "agency": doc.agency,
                "kind": doc.kind,
                "is_annual_report": bool(doc.is_annual_report),
                "flags": list(doc.flags or []),
                "content_hash": version.content_hash,
                "text": version.text,
                "first_seen_at": _iso(doc.first_seen_at),
                "last_seen_at": _iso(doc.last_seen_at),
                "last_changed_at": _iso(doc.last_changed_at),
                "versions": int(count),
                "parent_url": doc.parent_url,
            }


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


def write(engine: Engine, fmt: str, out: IO[str], reports_only: bool = False) -> int:
    count = 0
    if fmt == "jsonl":
        for row in rows(engine, reports_only):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows(engine, reports_only):
            row["flags"] = ";".join(row["flags"])
            row["is_annual_report"] = int(row["is_annual_report"])
            writer.writerow(row)
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    return count
