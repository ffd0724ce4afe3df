"""``govcrawl serve``: the archive in Datasette, read-only.

    govcrawl serve [--db URL] [--host H] [--port N]

Datasette runs in this process (uvicorn) over the SQLite archive opened with
``mode=ro`` (it sees what a running crawl commits, and can never write); a
write connection is refused outright. If the folder is read-only and SQLite
cannot open the WAL archive that way, the file is served ``immutable``. serve
never creates, migrates or changes the archive.

What researchers get: titles and descriptions of every table and column (the
one data dictionary, ``TABLES``; the README's export fields say the same words,
checked by a test), facets on documents (jurisdiction, year, kind, report or
not, on time, flags, and province and level through the jurisdiction table),
the search box on ``document`` over the FTS5 trigram index ``document_fts``,
and canned queries (``QUERIES``). Arbitrary read-only SQL stays allowed: the
connections are read-only, so a researcher's own query cannot change anything.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import sqlite3
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from govcrawl import __version__
from govcrawl.config import ConfigError
from govcrawl.db.engine import DatabaseError
from govcrawl.stats.metadata import STATS_CANNED_QUERIES, STATS_TABLES

#: The database's name in Datasette's URLs (``/archive/document``), whatever the file is called.
DATABASE = "archive"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
PLUGIN_NAME = "govcrawl_serve_facets"

#: Datasette settings: generous limits for a research archive, no download of the file.
SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 1000,
    "max_returned_rows": 5000,
    "truncate_cells_html": 400,
    "allow_download": False,
    "default_allow_sql": True,
}


@dataclass(frozen=True)
class TableDoc:
    title: str
    description: str
    columns: dict[str, str]
    label_column: str | None = None
    hidden: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    title: str
    description: str
    sql: str


_CURRENT_VERSION = "v.id = (SELECT max(id) FROM document_version WHERE document_id = d.id)"

#: The data dictionary of the archive: every table and column, one place. Where the
#: README's export fields describe the same value, the description starts with its words.
TABLES: dict[str, TableDoc] = {
    "jurisdiction": TableDoc(
        title="Jurisdictions",
        description=(
            "The registry: one row per jurisdiction (province, prefecture, county, township or "
            "department), keyed by its GB/T 2260 administrative division code."
        ),
        label_column="name",
        columns={
            "code": "GB/T 2260 administrative division code (6 digits; 9 or 12 for towns)",
            "slug": "unique short name of the region in the registry; also its spider's name "
            "and fetch.region_slug",
            "name": "the jurisdiction's name",
            "level": "province, prefecture, county, township or department",
            "parent_code": "code of the jurisdiction above it; empty for a province",
            "province": "code of the province it lies in (a province's own code)",
            "portal_url": "base URL of its government portal; empty when it is not crawled "
            "itself (a parent, or a town whose reports are on its county's column)",
        },
        extra={"facets": ["level", "province"]},
    ),
    "document": TableDoc(
        title="Documents",
        description=(
            "One row per archived document (a report page or attachment, identified by its "
            "normalised URL). Its text is in document_version (the highest id is current). "
            "The search box matches the title and current text through the trigram index: "
            "terms of 3 or more characters; for 1 or 2 characters use the search_short query. "
            "Province and level facets filter through the jurisdiction table."
        ),
        label_column="title",
        columns={
            "id": "the document's number in the archive (govcrawl history ID)",
            "url_hash": "SHA-256 (hex) of url; the document's identity",
            "url": "normalised URL of the document",
            "jurisdiction_code": "GB/T 2260 code of the jurisdiction the report is about",
            "kind": "html, pdf, doc, docx, xls or xlsx",
            "title": "the report's title",
            "report_year": "the year the report covers (2013年度, 二〇二一年, else publication "
            "year − 1)",
            "published_at": "publication date the page states",
            "agency": "publishing agency (来源 / ContentSource / signature)",
            "is_annual_report": "classified as an annual report (1 yes, 0 no)",
            "flags": "quality flags: spam_injection, placeholder_text, near_empty, "
            "no_text_layer, truncated, stats_inconsistent (a JSON list)",
            "first_seen_at": "when the crawler first saw it (UTC)",
            "last_seen_at": "when the crawler last saw it (UTC)",
            "last_changed_at": "when its text last changed on the site (UTC); empty if never",
            "gone_at": "when the report was found gone (404/410 or no longer listed, two runs "
            "in a row)",
            "parent_url": "for an attachment, the page that linked it",
            "deadline": "legal deadline: the following 3月31日, or 1月31日 for a department's "
            "report for 2019 on (国务院令第711号 art. 49)",
            "on_time": "published by the deadline; empty when the year or the publication date "
            "is unknown (1 on time, 0 late)",
            "near_duplicate_of": "the other report this one is a near-copy of (its id; filled "
            "by the copy detection)",
            "similarity": "how similar it is to that report, 0 to 1 (filled by the copy "
            "detection)",
        },
        extra={
            "fts_table": "document_fts",
            "fts_pk": "id",
            "facets": [
                "jurisdiction_code",
                "report_year",
                "kind",
                "is_annual_report",
                "on_time",
                {"array": "flags"},
                {"jurisdiction": "province"},
                {"jurisdiction": "level"},
            ],
        },
    ),
    "document_version": TableDoc(
        title="Document versions",
        description=(
            "The text of each document as extracted, one row per distinct text: a page "
            "changed on the site, or re-extracted with a newer extractor, gets a new row; "
            "nothing is overwritten."
        ),
        columns={
            "id": "the version's number; a document's highest is its current text",
            "document_id": "the document (document.id)",
            "content_hash": "SHA-256 of this version's text with whitespace removed",
            "text": "clean text (tables as cell | cell lines)",
            "tables": "the tables as grids, merged cells expanded (JSON: tables of rows of "
            "cells)",
            "raw_ref": "its WARC record in the raw archive (file#offset)",
            "extractor_version": "the extractor that made its text",
            "fetched_at": "when the page this text came from was fetched (UTC)",
        },
    ),
    "crawl_run": TableDoc(
        title="Crawl runs",
        description="One row per crawl: what started it, which regions, when, how it ended.",
        columns={
            "id": "the run's number (fetch.crawl_run_id)",
            "trigger": "scheduled, on-demand or manual",
            "regions": "slugs of the regions crawled (JSON list)",
            "started_at": "when it started (UTC)",
            "finished_at": "when it finished (UTC); empty while running or if it died",
            "status": "running, ok or failed (a region's columns could not be read or it "
            "yielded no report)",
            "stats": "per-region summary: reports, years, fetches per outcome, failure (JSON)",
            "pid": "the process that ran it (a dead unfinished run is resumed)",
            "host": "the machine that ran it",
        },
    ),
    "fetch": TableDoc(
        title="Fetches",
        description=(
            "One row per URL and crawl run: what the crawler asked for and what came of it, "
            "stored or not (walls, soft 404s, errors, listings)."
        ),
        columns={
            "id": "the fetch's number",
            "crawl_run_id": "the run (crawl_run.id)",
            "url_hash": "SHA-256 (hex) of url (document.url_hash when it is a document)",
            "url": "normalised URL fetched",
            "region_slug": "the region being crawled (jurisdiction.slug)",
            "document_id": "the document it stored, updated or duplicated, if any",
            "http_status": "HTTP status of the response; empty when none came",
            "etag": "ETag header of the response (sent back as If-None-Match)",
            "last_modified": "Last-Modified header (sent back as If-Modified-Since)",
            "bytes": "size of the body",
            "elapsed_ms": "time to fetch, milliseconds",
            "outcome": "stored, unchanged, duplicate, listing, empty_listing, not_report, "
            "attachment_wrapper, challenge, soft404, near_empty, robots, vanished, http_error, "
            "error, ...",
            "error": "what went wrong, or why it was not stored",
            "fetched_at": "when (UTC)",
        },
        extra={"facets": ["outcome", "region_slug", "crawl_run_id"]},
    ),
    "page_state": TableDoc(
        title="Page states",
        description=(
            "One row per page the crawls met: its last successful fetch, whose validators "
            "the next re-crawl sends, and what it was (a document, or not a report)."
        ),
        columns={
            "url_hash": "SHA-256 (hex) of url (fetch.url_hash, document.url_hash)",
            "url": "normalised URL",
            "region_slug": "the region whose crawl last fetched it (jurisdiction.slug)",
            "document_id": "the document it is, or whose text it holds (duplicate); empty: "
            "a page that is not a report, or a column page",
            "outcome": "stored, changed, unchanged (a document), duplicate (the same text as "
            "another document), not_report, or listing (a report column's page)",
            "etag": "ETag of that fetch (sent back as If-None-Match)",
            "last_modified": "Last-Modified of that fetch (sent back as If-Modified-Since)",
            "extractor_version": "the extractor that classified it (a page that is not a "
            "report is fetched again unconditionally by a newer one); for a column page, "
            "the link reader and region settings that read it",
            "links": "a column page's records (URL, title, date listed) and pager links as "
            "last read: a re-crawl follows them again while the page answers 304 or the "
            "same body (JSON)",
            "fetched_at": "when (UTC)",
        },
        extra={"facets": ["outcome", "region_slug"]},
    ),
    # the statistics tables: described where they are parsed (govcrawl/stats/metadata.py)
    **{
        name: TableDoc(
            title=doc["title"],
            description=doc["description"],
            columns=dict(doc["columns"]),
            extra={key: value for key, value in doc.items()
                   if key not in ("title", "description", "columns")},
        )
        for name, doc in STATS_TABLES.items()
    },
    "document_fts": TableDoc(
        title="Full-text index",
        description=(
            "SQLite FTS5 index, trigram tokenizer, of each document's title and current text "
            "(rowid = document.id); searched by the document table's search box."
        ),
        columns={
            "title": "the document's title",
            "text": "the document's current text",
        },
        hidden=True,
    ),
    "alembic_version": TableDoc(
        title="Schema revision",
        description="The Alembic migration the archive's schema is at (govcrawl db upgrade).",
        columns={"version_num": "revision id"},
        hidden=True,
    ),
}

#: What the search box and the canned queries read: an archive without them is refused.
REQUIRED_TABLES = ("jurisdiction", "document", "document_version", "fetch", "document_fts")

#: Canned queries. Parameters left empty in the form mean "any".
QUERIES: dict[str, Query] = {
    "reports_per_jurisdiction_year": Query(
        title="Reports per jurisdiction and year",
        description=(
            "Annual reports per jurisdiction and report year: how many, on time, late, "
            "timeliness unknown, flagged, gone. Optional filters: province code (e.g. 150000) "
            "and level (province, prefecture, county, township, department)."
        ),
        sql="""
SELECT j.province, p.name AS province_name, j.level, d.jurisdiction_code,
       j.name AS jurisdiction, d.report_year, count(*) AS reports,
       sum(d.on_time = 1) AS on_time, sum(d.on_time = 0) AS late,
       sum(d.on_time IS NULL) AS timeliness_unknown,
       sum(json_array_length(d.flags) > 0) AS flagged, sum(d.gone_at IS NOT NULL) AS gone
FROM document d
JOIN jurisdiction j ON j.code = d.jurisdiction_code
LEFT JOIN jurisdiction p ON p.code = j.province
WHERE d.is_annual_report = 1
  AND (:province = '' OR j.province = :province)
  AND (:level = '' OR j.level = :level)
GROUP BY d.jurisdiction_code, d.report_year
ORDER BY j.province, d.jurisdiction_code, d.report_year
""".strip(),
    ),
    "late_reports": Query(
        title="Late reports",
        description=(
            "Annual reports published after their legal deadline (on_time = 0), latest first "
            "by days late. Optional filter: report year."
        ),
        sql="""
SELECT d.id, d.jurisdiction_code, j.name AS jurisdiction, j.level, d.title, d.report_year,
       d.published_at, d.deadline,
       CAST(julianday(d.published_at) - julianday(d.deadline) AS INTEGER) AS days_late, d.url
FROM document d
JOIN jurisdiction j ON j.code = d.jurisdiction_code
WHERE d.on_time = 0 AND d.is_annual_report = 1
  AND (:year = '' OR d.report_year = CAST(:year AS INTEGER))
ORDER BY days_late DESC, d.id
""".strip(),
    ),
    "revised_reports": Query(
        title="Revised reports",
        description=(
            "Documents whose text changed on the site after it was first archived: versions "
            "from more than one fetch (re-extractions of the same fetch do not count)."
        ),
        sql="""
SELECT d.id, d.jurisdiction_code, j.name AS jurisdiction, d.title, d.report_year,
       count(DISTINCT v.fetched_at) - 1 AS revisions, count(v.id) AS versions,
       min(v.fetched_at) AS first_fetched_at, d.last_changed_at, d.url
FROM document d
JOIN jurisdiction j ON j.code = d.jurisdiction_code
JOIN document_version v ON v.document_id = d.id
GROUP BY d.id
HAVING count(DISTINCT v.fetched_at) > 1
ORDER BY d.last_changed_at DESC, d.id
""".strip(),
    ),
    "missing_years": Query(
        title="Missing years",
        description=(
            "Jurisdiction and year with no annual report in the archive, for every year "
            "between the earliest and the latest report year archived, over the jurisdictions "
            "that are crawled or have documents. Optional filter: province code."
        ),
        sql="""
WITH RECURSIVE
  span(lo, hi) AS (
    SELECT min(report_year), max(report_year) FROM document
    WHERE is_annual_report = 1 AND report_year IS NOT NULL
  ),
  years(year) AS (
    SELECT lo FROM span WHERE lo IS NOT NULL
    UNION ALL
    SELECT year + 1 FROM years, span WHERE year < hi
  ),
  covered AS (
    SELECT j.* FROM jurisdiction j
    WHERE j.portal_url IS NOT NULL
       OR EXISTS (SELECT 1 FROM document d WHERE d.jurisdiction_code = j.code)
  )
SELECT c.province, c.code AS jurisdiction_code, c.name AS jurisdiction, c.level,
       y.year AS report_year
FROM covered c CROSS JOIN years y
WHERE NOT EXISTS (
    SELECT 1 FROM document d
    WHERE d.jurisdiction_code = c.code AND d.report_year = y.year AND d.is_annual_report = 1
  )
  AND (:province = '' OR c.province = :province)
ORDER BY c.province, c.code, y.year
""".strip(),
    ),
    "flagged_pages": Query(
        title="Flagged pages",
        description=(
            "Documents with quality flags (spam_injection, placeholder_text, near_empty, "
            "no_text_layer, truncated), and pages recognised as no content and never stored "
            "(fetch outcomes challenge, soft404, near_empty; the latest of each URL). "
            "Optional filter: one flag or outcome."
        ),
        sql="""
SELECT 'document' AS source, d.id AS document_id, d.jurisdiction_code, d.title, d.url,
       (SELECT group_concat(value, ', ') FROM json_each(d.flags)) AS flags,
       NULL AS detail, d.last_seen_at AS seen_at, 1 AS times
FROM document d
WHERE json_array_length(d.flags) > 0
  AND (:flag = '' OR EXISTS (SELECT 1 FROM json_each(d.flags) WHERE value = :flag))
UNION ALL
SELECT 'fetch', max(f.document_id), (SELECT code FROM jurisdiction WHERE slug = f.region_slug),
       NULL, f.url, f.outcome, f.error, max(f.fetched_at), count(*)
FROM fetch f
WHERE f.outcome IN ('challenge', 'soft404', 'near_empty')
  AND (:flag = '' OR f.outcome = :flag)
GROUP BY f.url_hash, f.outcome
ORDER BY source, seen_at DESC
""".strip(),
    ),
    "search_short": Query(
        title="Search (any length, substring)",
        description=(
            "Documents whose title or current text contains q as typed: a plain substring "
            "match, for 1- and 2-character terms the trigram index cannot find (slower: it "
            "reads every text)."
        ),
        sql=f"""
SELECT d.id, d.jurisdiction_code, j.name AS jurisdiction, d.report_year, d.title,
       substr(v.text, max(1, instr(v.text, :q) - 20), 40 + length(:q)) AS context, d.url
FROM document d
JOIN jurisdiction j ON j.code = d.jurisdiction_code
JOIN document_version v ON {_CURRENT_VERSION}
WHERE :q <> '' AND (instr(v.text, :q) > 0 OR instr(coalesce(d.title, ''), :q) > 0)
ORDER BY d.report_year DESC, d.id
""".strip(),
    ),
    "search_text": Query(
        title="Search with snippets",
        description=(
            "Full-text search of 3 or more characters (the trigram index), ranked, with the "
            "matching passage; q is matched as one phrase."
        ),
        sql="""
SELECT d.id, d.jurisdiction_code, j.name AS jurisdiction, d.report_year, d.title,
       snippet(document_fts, 1, '【', '】', '…', 24) AS snippet, d.url
FROM document_fts
JOIN document d ON d.id = document_fts.rowid
JOIN jurisdiction j ON j.code = d.jurisdiction_code
WHERE length(:q) >= 3 AND document_fts MATCH '"' || replace(:q, '"', '""') || '"'
ORDER BY bm25(document_fts), d.id
""".strip(),
    ),
}


def metadata(source: str | None = None) -> dict[str, Any]:
    """Datasette's metadata: every table's and column's description, facets, the FTS
    table and the canned queries, for the database named ``DATABASE``."""
    tables: dict[str, Any] = {}
    for name, doc in TABLES.items():
        entry: dict[str, Any] = {
            "title": doc.title,
            "description": doc.description,
            "columns": dict(doc.columns),
        }
        if doc.label_column:
            entry["label_column"] = doc.label_column
        if doc.hidden:
            entry["hidden"] = True
        entry.update(doc.extra)
        tables[name] = entry
    queries = {
        name: {"title": q.title, "description": q.description, "sql": q.sql}
        for name, q in QUERIES.items()
    }
    queries.update({name: dict(q) for name, q in STATS_CANNED_QUERIES.items()})
    return {
        "title": "govcrawl archive",
        "description": (
            "Government information-disclosure annual reports (政府信息公开工作年度报告) "
            "archived by govcrawl, served read-only"
            + (f" from {source}" if source else "")
            + "."
        ),
        "source": f"govcrawl {__version__}",
        "databases": {
            DATABASE: {
                "title": "Archive",
                "description": "Read-only: nothing here can change the archive.",
                "tables": tables,
                "queries": queries,
            }
        },
    }


# --- province and level facets through the jurisdiction table -------------------------------

_JURISDICTION_FIELDS = ("province", "level")


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _where_clause(field_name: str, value: object) -> str:
    return (
        f"jurisdiction_code IN (SELECT code FROM jurisdiction "
        f"WHERE {field_name} = {_literal(value)})"
    )


def _facet_classes() -> list[type]:
    from datasette.database import QueryInterrupted
    from datasette.facets import Facet
    from datasette.utils import path_with_added_args, path_with_removed_args

    class JurisdictionFacet(Facet):  # type: ignore[misc]
        """``_facet_jurisdiction=province|level`` on a table with ``jurisdiction_code``:
        counts per province or level of the rows' jurisdictions; a value filters the
        rows with ``_where`` (combined with every other filter and the search)."""

        type = "jurisdiction"

        async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
            results: list[dict[str, Any]] = []
            timed_out: list[str] = []
            qs_pairs = self.get_querystring_pairs()
            size = self.get_facet_size()
            for source_and_config in self.get_configs():
                config = source_and_config["config"]
                name = config.get("column") or config.get("simple")
                if name not in _JURISDICTION_FIELDS:
                    continue
                sql = (
                    f"SELECT j.{name} AS value, count(*) AS count FROM ({self.sql}) d "
                    f"JOIN jurisdiction j ON j.code = d.jurisdiction_code "
                    f"WHERE j.{name} IS NOT NULL GROUP BY j.{name} "
                    f"ORDER BY count DESC, value LIMIT {size + 1}"
                )
                try:
                    rows = await self.ds.execute(
                        self.database,
                        sql,
                        self.params,
                        truncate=False,
                        custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                    )
                except QueryInterrupted:
                    timed_out.append(name)
                    continue
                shown = rows.rows[:size]
                labels: dict[str, str] = {}
                if name == "province" and shown:
                    codes = [str(r["value"]) for r in shown]
                    named = await self.ds.execute(
                        self.database,
                        "SELECT code, name FROM jurisdiction WHERE code IN "
                        f"({', '.join('?' for _ in codes)})",
                        codes,
                    )
                    labels = {str(r["code"]): f"{r['name']} ({r['code']})" for r in named}
                values = []
                for row in shown:
                    clause = _where_clause(name, row["value"])
                    selected = ("_where", clause) in qs_pairs
                    toggle = (
                        path_with_removed_args(self.request, {"_where": clause})
                        if selected
                        else path_with_added_args(self.request, {"_where": clause})
                    )
                    values.append(
                        {
                            "value": row["value"],
                            "label": labels.get(str(row["value"]), row["value"]),
                            "count": row["count"],
                            "toggle_url": self.ds.absolute_url(
                                self.request, self.ds.urls.path(toggle)
                            ),
                            "selected": selected,
                        }
                    )
                results.append(
                    {
                        "name": name,
                        "type": self.type,
                        "hideable": source_and_config["source"] != "metadata",
                        "toggle_url": self.ds.urls.path(
                            path_with_removed_args(self.request, {"_facet_jurisdiction": name})
                        ),
                        "results": values,
                        "truncated": len(rows.rows) > size,
                    }
                )
            return results, timed_out

    return [JurisdictionFacet]


def _register_plugin() -> None:
    """Register the facet with Datasette's plugin manager, once per process (as a
    module: Datasette lists plugins by their module name)."""
    from datasette import hookimpl
    from datasette.plugins import pm

    if pm.get_plugin(PLUGIN_NAME) is not None:
        return

    def register_facet_classes() -> list[type]:
        return _facet_classes()

    plugin = types.ModuleType(PLUGIN_NAME, "govcrawl serve: province and level facets")
    plugin.register_facet_classes = hookimpl(register_facet_classes)  # type: ignore[attr-defined]
    pm.register(plugin, name=PLUGIN_NAME)


# --- the archive file -----------------------------------------------------------------------


def archive_path(db_url: str) -> Path:
    """The SQLite file of `db_url`; DatabaseError (one line) for anything serve cannot open."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(db_url)
    except ArgumentError as exc:
        raise DatabaseError(
            f"bad database URL {db_url!r}: expected e.g. sqlite:///archive.db"
        ) from exc
    if url.get_backend_name() != "sqlite":
        raise DatabaseError(
            f"serve needs a SQLite archive (sqlite:///FILE); {url.get_backend_name()} "
            "archives cannot be served by Datasette"
        )
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise DatabaseError(f"serve needs an archive file: {db_url!r} names none")
    path = Path(url.database).expanduser()
    if not path.exists():
        raise DatabaseError(f"no archive at {path} (crawl first, or pass --db URL)")
    if not path.is_file():
        raise DatabaseError(f"{path} is not a file")
    return path.resolve()


def _uri(path: Path, immutable: bool) -> str:
    return path.as_uri() + ("?immutable=1" if immutable else "?mode=ro")


def _check_archive(path: Path) -> bool:
    """Open the archive read-only and check it is a current govcrawl archive. True when
    it can only be read as ``immutable`` (SQLite cannot open it ``mode=ro``: a WAL
    archive in a read-only folder)."""
    last: sqlite3.Error | None = None
    for immutable in (False, True):
        try:
            con = sqlite3.connect(_uri(path, immutable), uri=True)
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            names = {
                str(r[0])
                for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        except sqlite3.DatabaseError as exc:
            last = exc
            if "not a database" in str(exc):
                break
            continue
        finally:
            con.close()
        if "document" not in names:
            raise DatabaseError(f"{path} is not a govcrawl archive (it has no document table)")
        missing = sorted(set(REQUIRED_TABLES) - names)
        if missing:
            raise DatabaseError(
                f"{path}: archive schema is older than this govcrawl (no {', '.join(missing)}); "
                f"run govcrawl db upgrade --db sqlite:///{path}"
            )
        return immutable
    raise DatabaseError(f"cannot open {path} read-only: {last}")


def make_datasette(path: Path, immutable: bool = False) -> Any:
    """A Datasette serving the archive file at `path` read-only as ``DATABASE``."""
    from datasette.app import Datasette
    from datasette.database import Database

    class ReadOnlyDatabase(Database):  # type: ignore[misc]
        def connect(self, write: bool = False) -> sqlite3.Connection:
            if write:
                raise PermissionError("govcrawl serve: the archive is read-only")
            conn = sqlite3.connect(_uri(path, immutable), uri=True, check_same_thread=False)
            self._all_file_connections.append(conn)
            return conn

    _register_plugin()
    ds = Datasette(metadata=metadata(str(path)), settings=SETTINGS, cors=False)
    if "_memory" in ds.databases:
        ds.remove_database("_memory")
    ds.add_database(ReadOnlyDatabase(ds, path=str(path), is_mutable=not immutable), DATABASE)
    return ds


# --- serving ----------------------------------------------------------------------------------


def _listen(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc}") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.setblocking(False)
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/{DATABASE}"


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the server like Ctrl-C: uvicorn shuts down gracefully, then raises
    the captured signal again, which lands here as KeyboardInterrupt."""

    def interrupt(_sig: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


async def _serve(ds: Any, sock: socket.socket) -> None:
    import uvicorn

    await ds.invoke_startup()
    await ds.refresh_schemas()
    config = uvicorn.Config(
        ds.app(),
        log_level="warning",
        lifespan="on",
        access_log=False,
        workers=1,
        timeout_graceful_shutdown=5,  # Ctrl-C never waits on a browser's open request
    )
    await uvicorn.Server(config).serve(sockets=[sock])


def serve(db_url: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    if not 0 <= port <= 65535:
        raise ConfigError(f"--port {port}: expected 0 (any free port) to 65535")
    path = archive_path(db_url)
    immutable = _check_archive(path)
    ds = make_datasette(path, immutable)
    sock = _listen(host, port)
    note = " (immutable: SQLite cannot open it mode=ro here)" if immutable else ""
    print(
        f"govcrawl: serving {path} read-only{note} at {_url(sock)} (Ctrl-C to stop)",
        file=sys.stderr,
        flush=True,
    )
    try:
        with _terminate_as_interrupt():
            asyncio.run(_serve(ds, sock))
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    print("govcrawl: stopped serving", file=sys.stderr)
    return 0


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="browse and query the archive in Datasette (read-only)"
    )
    parser.add_argument("--db", metavar="URL", help="archive database URL (a SQLite file)")
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"port (default {DEFAULT_PORT}; 0: any free port)",
    )


def run_command(args: argparse.Namespace) -> int:
    from govcrawl.reextract import database_url

    return serve(database_url(args), args.host, args.port)
