"""``govcrawl stats``: one row per report with its headline numbers and the check result.

    govcrawl stats [--region SLUG|CODE] [--year Y] [--format table|csv|json] [--db URL]
                   [--rebuild]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, TextIO

from sqlalchemy import Engine, func, select

from govcrawl.db.models import Document, DocumentVersion, Jurisdiction, ReportStatSummary

FORMATS = ("table", "csv", "json")


@dataclass(frozen=True)
class StatsRow:
    document_id: int
    version_id: int
    jurisdiction_code: str
    jurisdiction_name: str
    report_year: int | None
    kind: str
    title: str | None
    url: str
    format: str | None  # 2021 / 2019 / old; None: no table found
    cells: int | None  # None: the version was never parsed (stored before 0005)
    new_requests: int | None
    disclosed: int | None
    review_total: int | None
    litigation_total: int | None
    fees_wan_yuan: float | None
    checks: int | None
    failed: int | None
    check: str  # ok / FAILED (n) / not checked / no tables / not parsed
    failures: list[Any]
    suspects: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_label(cells: int | None, checks: int | None, failed: int | None) -> str:
    if cells is None:
        return "not parsed"
    if not cells:
        return "no tables"
    if failed:
        return f"FAILED ({failed})"
    return "ok" if checks else "not checked"


def report_rows(
    engine: Engine, codes: tuple[str, ...] | None = None, year: int | None = None
) -> list[StatsRow]:
    """The current version of every annual report, with its statistics summary."""
    current = (
        select(func.max(DocumentVersion.id).label("version_id"), DocumentVersion.document_id)
        .group_by(DocumentVersion.document_id)
        .subquery()
    )
    s = ReportStatSummary
    query = (
        select(
            Document.id,
            current.c.version_id,
            Document.jurisdiction_code,
            Jurisdiction.name,
            Document.report_year,
            Document.kind,
            Document.title,
            Document.url,
            s.format,
            s.cells,
            s.new_requests,
            s.disclosed,
            s.review_total,
            s.litigation_total,
            s.fees_wan_yuan,
            s.checks,
            s.failed,
            s.failures,
            s.suspects,
        )
        .join(current, current.c.document_id == Document.id)
        .join(Jurisdiction, Jurisdiction.code == Document.jurisdiction_code, isouter=True)
        .join(s, s.version_id == current.c.version_id, isouter=True)
        .where(Document.is_annual_report.is_(True))
        .order_by(Document.jurisdiction_code, Document.report_year, Document.id)
    )
    if codes is not None:
        query = query.where(Document.jurisdiction_code.in_(codes))
    if year is not None:
        query = query.where(Document.report_year == year)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    out = []
    for r in rows:
        (doc_id, version_id, code, name, report_year, kind, title, url, fmt, cells) = r[:10]
        new, disclosed, review, litigation, fees, checks, failed, failures, suspects = r[10:]
        out.append(
            StatsRow(
                document_id=doc_id,
                version_id=version_id,
                jurisdiction_code=code,
                jurisdiction_name=name or "",
                report_year=report_year,
                kind=kind,
                title=title,
                url=url,
                format=fmt,
                cells=cells,
                new_requests=new,
                disclosed=disclosed,
                review_total=review,
                litigation_total=litigation,
                fees_wan_yuan=float(fees) if fees is not None else None,
                checks=checks,
                failed=failed,
                check=_check_label(cells, checks, failed),
                failures=list(failures or []),
                suspects=list(suspects or []),
            )
        )
    return out


def _number(value: int | float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


TABLE_COLUMNS = (
    ("doc", False),
    ("jurisdiction", False),
    ("year", True),
    ("kind", False),
    ("format", False),
    ("new", True),
    ("disclosed", True),
    ("review", True),
    ("litigation", True),
    ("fees_wan_yuan", True),
    ("check", False),
)


def format_table(rows: list[StatsRow]) -> str:
    lines = [[name for name, _ in TABLE_COLUMNS]]
    for r in rows:
        lines.append(
            [
                str(r.document_id),
                f"{r.jurisdiction_name} ({r.jurisdiction_code})",
                str(r.report_year) if r.report_year is not None else "-",
                r.kind,
                r.format or "-",
                _number(r.new_requests),
                _number(r.disclosed),
                _number(r.review_total),
                _number(r.litigation_total),
                _number(r.fees_wan_yuan),
                r.check,
            ]
        )
    widths = [max(_width(line[i]) for line in lines) for i in range(len(TABLE_COLUMNS))]
    return "\n".join(
        "  ".join(
            _pad(cell, widths[i], TABLE_COLUMNS[i][1]) for i, cell in enumerate(line)
        ).rstrip()
        for line in lines
    )


CSV_FIELDS = (
    "document_id",
    "version_id",
    "jurisdiction_code",
    "jurisdiction_name",
    "report_year",
    "kind",
    "title",
    "url",
    "format",
    "cells",
    "new_requests",
    "disclosed",
    "review_total",
    "litigation_total",
    "fees_wan_yuan",
    "checks",
    "failed",
    "check",
    "failures",
    "suspects",
)


def write_csv(rows: list[StatsRow], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for r in rows:
        record = r.as_dict()
        values: list[Any] = []
        for name in CSV_FIELDS:
            value = record[name]
            if name == "failures":
                value = "; ".join(
                    f"{f['check']}[{f['where']}]: {f['expected']} != {f['found']}" for f in value
                )
            elif name == "suspects":
                value = " ".join(value)
            elif name == "fees_wan_yuan":
                value = _number(value) if value is not None else ""
            values.append("" if value is None else value)
        writer.writerow(values)


# -- command line -------------------------------------------------------------------------------


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="the reports' statistics tables: headline numbers and whether they add up",
        description="One row per annual report (its current version): new requests, "
        "disclosed in full, 行政复议 and 行政诉讼 totals, fees (万元), and the result "
        "of the arithmetic checks.",
    )
    parser.add_argument("--region", metavar="SLUG|CODE", help="a jurisdiction and all under it")
    parser.add_argument("--year", type=int, metavar="Y", help="report year")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="parse the statistics of every stored version again first (from the stored "
        "text and tables: versions archived before they were parsed, or after a parser change)",
    )
    parser.add_argument("--db", metavar="URL", help="archive database URL")


def run_command(args: argparse.Namespace) -> int:
    """Bad input raises ValueError (the CLI prints it on one line, exit status 2)."""
    from govcrawl.config import Config
    from govcrawl.db.engine import open_engine, upgrade
    from govcrawl.search import region_codes
    from govcrawl.stats.record import rebuild

    engine = open_engine(Config.from_env(db_url=getattr(args, "db", None)).db_url)
    try:
        upgrade(engine)
        codes = region_codes(engine, args.region) if getattr(args, "region", None) else None
        if getattr(args, "rebuild", False):
            print(rebuild(engine, codes).summary(), file=sys.stderr)
        rows = report_rows(engine, codes, getattr(args, "year", None))
    finally:
        engine.dispose()
    fmt = getattr(args, "format", "table") or "table"
    if fmt == "json":
        print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=1))
    elif fmt == "csv":
        write_csv(rows, sys.stdout)
    else:
        print(format_table(rows))
    unparsed = sum(1 for r in rows if r.cells is None)
    if unparsed:
        print(
            f"{unparsed} reports have no statistics yet (archived before they were parsed): "
            "run `govcrawl stats --rebuild`",
            file=sys.stderr,
        )
    return 0
