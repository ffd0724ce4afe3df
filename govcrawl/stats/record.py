"""The statistics in the archive: ``report_stat`` cells and a ``report_stat_summary`` row
per document version, written in the transaction that stores the version (the store,
``govcrawl reextract``), or rebuilt from the stored text and tables
(``govcrawl stats --rebuild``: versions stored before migration 0005, or after a parser
change). The document gets the flag ``stats_inconsistent`` while its current version's
tables do not add up."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Engine, Table, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from govcrawl.db.models import Document, DocumentVersion, ReportStat, ReportStatSummary
from govcrawl.stats.cells import Number
from govcrawl.stats.report import PARSER_VERSION, STATS_INCONSISTENT, ReportStats, parse_report

REBUILD_BATCH = 200  # versions per transaction


def _db_integer(value: Number | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else None
    return value


#: the columns of a ``report_stat`` row as `StatRows.cells` holds them
CELL_COLUMNS = ("table_key", "row_key", "column_key", "value", "raw", "kind", "unit", "source")


_SQLITE_INSERT_CELLS = (
    f"INSERT INTO report_stat (version_id, {', '.join(CELL_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (len(CELL_COLUMNS) + 1))})"
)


def _sqlite_value(value: Number | None) -> int | float | None:
    """A cell's value as SQLite stores a Numeric (SQLAlchemy binds Decimal as float)."""
    return float(value) if isinstance(value, Decimal) else value


@dataclass
class StatRows:
    """A version's statistics as the rows to write: what an extraction worker sends back
    (plain tuples pickle ~10x faster than the parsed objects)."""

    cells: list[tuple[Any, ...]]  # in CELL_COLUMNS order
    summary: dict[str, Any]  # the report_stat_summary row but its version and document
    inconsistent: bool


def stat_rows(stats: ReportStats) -> StatRows:
    headline = stats.headline()
    return StatRows(
        cells=[
            (
                cell.table,
                cell.row,
                cell.column,
                cell.reading.value,
                cell.reading.raw,
                cell.reading.kind,
                cell.unit,
                cell.source,
            )
            for cell in stats.cells
        ],
        summary={
            "parser_version": PARSER_VERSION,
            "format": stats.format,
            "cells": len(stats.cells),
            "checks": stats.result.run,
            "failed": len(stats.result.failures),
            "consistent": stats.result.consistent,
            "failures": [f.as_dict() for f in stats.result.failures],
            "suspects": stats.result.suspects,
            "new_requests": _db_integer(headline["new_requests"]),
            "disclosed": _db_integer(headline["disclosed"]),
            "review_total": _db_integer(headline["review_total"]),
            "litigation_total": _db_integer(headline["litigation_total"]),
            "fees_wan_yuan": headline["fees_wan_yuan"],
        },
        inconsistent=bool(stats.result.failures),
    )


def write_stats(
    session: Session,
    document_id: int,
    version_id: int,
    stats: ReportStats | StatRows,
    *,
    fresh: bool = False,
) -> StatRows:
    """Replace the version's cells and summary with these (in the caller's transaction);
    `fresh`: the version was just added and has none yet."""
    rows = stats if isinstance(stats, StatRows) else stat_rows(stats)
    if not fresh:
        session.execute(delete(ReportStat).where(ReportStat.version_id == version_id))
        session.execute(
            delete(ReportStatSummary).where(ReportStatSummary.version_id == version_id)
        )
    connection = session.connection()
    if rows.cells and connection.dialect.name == "sqlite":
        # The driver's executemany over plain tuples: SQLAlchemy's parameter processing
        # costs the crawl's writer more than the inserts (a report has ~100 cells).
        connection.exec_driver_sql(
            _SQLITE_INSERT_CELLS,
            [(version_id, *cell[:3], _sqlite_value(cell[3]), *cell[4:]) for cell in rows.cells],
        )
    elif rows.cells:  # Core executemany: an ORM bulk insert costs ~10x as much per cell
        connection.execute(
            insert(cast(Table, ReportStat.__table__)),
            [{"version_id": version_id, **dict(zip(CELL_COLUMNS, cell, strict=True))}
             for cell in rows.cells],
        )
    session.connection().execute(
        insert(cast(Table, ReportStatSummary.__table__)),
        [{"version_id": version_id, "document_id": document_id, **rows.summary}],
    )
    return rows


def flagged(flags: list[str] | None, inconsistent: bool) -> list[str]:
    """The document's flags with ``stats_inconsistent`` set or cleared."""
    out = [f for f in (flags or []) if f != STATS_INCONSISTENT]
    if inconsistent:
        out.append(STATS_INCONSISTENT)
    return out


def record_version(
    session: Session,
    document: Document,
    version: DocumentVersion,
    stats: StatRows | None = None,
) -> StatRows:
    """Store the statistics of a version just added to the session (it is the document's
    current version: the document's flag follows it): `stats` as the extraction worker
    parsed them, or parsed here from the version's text and tables."""
    session.flush()  # the version's id
    rows = write_stats(
        session,
        document.id,
        version.id,
        stats if stats is not None else parse_report(version.text, version.tables),
        fresh=True,
    )
    flags = flagged(document.flags, rows.inconsistent)
    if flags != list(document.flags or []):
        document.flags = flags
    return rows


@dataclass
class RebuildResult:
    versions: int = 0
    cells: int = 0
    documents_flagged: int = 0  # documents whose current version does not add up

    def summary(self) -> str:
        return (
            f"statistics rebuilt for {self.versions} versions: {self.cells} cells; "
            f"{self.documents_flagged} reports flagged {STATS_INCONSISTENT}"
        )


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def rebuild(engine: Engine, codes: tuple[str, ...] | None = None) -> RebuildResult:
    """Parse every version (of documents in `codes`, if given) again from its stored
    text and tables; set or clear each document's flag from its current version."""
    result = RebuildResult()
    sessions = sessionmaker(engine, expire_on_commit=False)
    query = select(DocumentVersion.id).join(Document, Document.id == DocumentVersion.document_id)
    if codes is not None:
        query = query.where(Document.jurisdiction_code.in_(codes))
    with sessions() as session:
        version_ids = list(session.scalars(query.order_by(DocumentVersion.id)))
    for chunk in _chunks(version_ids, REBUILD_BATCH):
        with sessions.begin() as session:
            rows = session.execute(
                select(
                    DocumentVersion.id,
                    DocumentVersion.document_id,
                    DocumentVersion.text,
                    DocumentVersion.tables,
                ).where(DocumentVersion.id.in_(chunk))
            ).all()
            for version_id, document_id, text, tables in rows:
                stats = parse_report(text, tables)
                write_stats(session, document_id, version_id, stats)
                result.versions += 1
                result.cells += len(stats.cells)
    latest = (
        select(func.max(DocumentVersion.id).label("version_id"))
        .group_by(DocumentVersion.document_id)
        .subquery()
    )
    with sessions.begin() as session:
        current = (
            select(Document, ReportStatSummary.failed)
            .join(ReportStatSummary, ReportStatSummary.document_id == Document.id)
            .where(ReportStatSummary.version_id.in_(select(latest.c.version_id)))
        )
        if codes is not None:
            current = current.where(Document.jurisdiction_code.in_(codes))
        docs = session.execute(current).all()
        for doc, failed in docs:
            flags = flagged(doc.flags, bool(failed))
            if flags != list(doc.flags or []):
                doc.flags = flags
            result.documents_flagged += bool(failed)
    return result
