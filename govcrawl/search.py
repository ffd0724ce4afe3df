"""Full-text search over the archive that works for Chinese.

SQLite FTS5 with the trigram tokenizer indexes every three-character window,
so any query of three characters or more is matched inside runs of Chinese
text (the default tokenizer would index a whole run as one token). Queries of
one or two characters, common in Chinese (年报, 复议), cannot use trigrams: they
fall back to LIKE over the current texts. Results carry a highlighted snippet.
Filters: region (a jurisdiction and everything under it), level, province,
report year, reports only.

PostgreSQL archives find the same documents with ILIKE over the current texts and
titles (case-insensitive, as FTS5's trigram tokenizer is), served by pg_trgm GIN
indexes for queries of three characters or more (migration 0004); hits are ranked
in the database by how often the term occurs (a title match counts three times) and
carry the same ``[term]`` snippets.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, text

SNIPPET_CHARS = 24
#: A term matching more documents than this (with the filters) is shown newest first:
#: bm25 scores every match before the limit applies, which for a term found in nearly
#: every report of a million costs seconds. Up to this many, hits are ranked by bm25.
RANK_WINDOW = 10_000


class SearchError(ValueError):
    """A query or filter that cannot be run; the message says why."""


@dataclass(frozen=True)
class Filters:
    region_codes: tuple[str, ...] | None = None  # a jurisdiction and its descendants
    level: str | None = None
    province: str | None = None
    year: int | None = None
    reports_only: bool = False


class Hits(list["Hit"]):
    """Search results, in order; `order` says which: "relevance" (bm25, or occurrence
    counts), or "newest" (most recently archived first) when more than `more_than`
    documents match."""

    order: str = "relevance"
    more_than: int | None = None


@dataclass(frozen=True)
class Hit:
    rank: int
    document_id: int
    jurisdiction_code: str
    jurisdiction_name: str
    report_year: int | None
    title: str | None
    url: str
    kind: str
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def region_codes(engine: Engine, key: str) -> tuple[str, ...]:
    """The codes of a jurisdiction (slug or code) and of every jurisdiction under it."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT code, slug, parent_code FROM jurisdiction")).all()
    start = next((code for code, slug, _ in rows if key in (code, slug)), None)
    if start is None:
        raise SearchError(f"unknown region {key!r} (not a slug or code in the archive)")
    children: dict[str, list[str]] = {}
    for code, _, parent in rows:
        if parent:
            children.setdefault(parent, []).append(code)
    found, todo = [start], [start]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.append(child)
                todo.append(child)
    return tuple(found)


def _where(filters: Filters, params: dict[str, Any]) -> str:
    clauses = []
    if filters.region_codes is not None:
        names = []
        for i, code in enumerate(filters.region_codes):
            params[f"code{i}"] = code
            names.append(f":code{i}")
        clauses.append(f"d.jurisdiction_code IN ({', '.join(names)})")
    if filters.level:
        clauses.append("j.level = :level")
        params["level"] = filters.level
    if filters.province:
        clauses.append("j.province = :province")
        params["province"] = filters.province
    if filters.year is not None:
        clauses.append("d.report_year = :year")
        params["year"] = filters.year
    if filters.reports_only:
        clauses.append("d.is_annual_report")
    return "".join(f" AND {c}" for c in clauses)


_COLUMNS = "d.id, d.jurisdiction_code, j.name, d.report_year, d.title, d.url, d.kind"


def search(
    engine: Engine, query: str, filters: Filters | None = None, limit: int = 20
) -> Hits:
    query = query.strip()
    if not query:
        raise SearchError("empty query")
    if limit < 1:
        raise SearchError("--limit must be at least 1")
    filters = filters or Filters()
    params: dict[str, Any] = {"limit": limit}
    where = _where(filters, params)
    sqlite = engine.dialect.name == "sqlite"
    if engine.dialect.name == "postgresql":
        return _search_postgres(engine, query, where, params)
    with engine.connect() as conn:
        if sqlite and len(query) >= 3:
            # The query as one phrase: FTS5 syntax in user input is not an error.
            params["q"] = '"' + query.replace('"', '""') + '"'
            matches = (
                "FROM document_fts JOIN document d ON d.id = document_fts.rowid "
                "JOIN jurisdiction j ON j.code = d.jurisdiction_code "
                f"WHERE document_fts MATCH :q{where} "
            )
            # FTS5 streams matches in rowid order: cheap to learn whether there are many.
            many = conn.execute(
                text(
                    f"SELECT count(*) FROM (SELECT 1 {matches}"
                    "ORDER BY document_fts.rowid DESC LIMIT :window)"
                ),
                {**params, "window": RANK_WINDOW + 1},
            ).scalar_one() > RANK_WINDOW
            order = "document_fts.rowid DESC" if many else "bm25(document_fts)"
            rows = conn.execute(
                text(
                    f"SELECT {_COLUMNS}, snippet(document_fts, 1, '[', ']', '…', 16) "
                    f"{matches}ORDER BY {order} LIMIT :limit"
                ),
                params,
            ).all()
            hits = Hits(_hit(i + 1, row, row[-1].replace("\n", " ")) for i, row in enumerate(rows))
            if many:
                hits.order, hits.more_than = "newest", RANK_WINDOW
            return hits
        # One or two characters: a scan of the current texts, newest first, that stops
        # as soon as it is known to be a common term; rarer ones ranked by occurrences.
        params["like"] = _like_pattern(query)
        params["q"] = query.lower()
        matches = (
            "FROM document d "
            "JOIN jurisdiction j ON j.code = d.jurisdiction_code "
            "JOIN document_version v ON v.id = "
            "(SELECT max(id) FROM document_version WHERE document_id = d.id) "
            "WHERE (v.text LIKE :like ESCAPE '\\' OR d.title LIKE :like ESCAPE '\\')"
            f"{where} "
        )
        many = conn.execute(
            text(f"SELECT count(*) FROM (SELECT 1 {matches}ORDER BY d.id DESC LIMIT :window)"),
            {**params, "window": RANK_WINDOW + 1},
        ).scalar_one() > RANK_WINDOW
        title = "coalesce(d.title, '')"
        score = f"{_occurrences('v.text')} + 3 * {_occurrences(title)}"
        order = "d.id DESC" if many else f"{score} DESC, d.id"
        rows = conn.execute(
            text(f"SELECT {_COLUMNS}, v.text {matches}ORDER BY {order} LIMIT :limit"), params
        ).all()
    hits = Hits(_hit(i + 1, row, _snippet(row[-1], query, fold=True)) for i, row in enumerate(rows))
    if many:
        hits.order, hits.more_than = "newest", RANK_WINDOW
    return hits


def _like_pattern(query: str) -> str:
    return "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _occurrences(column: str) -> str:
    """SQL: how often :q (lowercased) occurs in `column`, regardless of case."""
    return f"(length(lower({column})) - length(replace(lower({column}), :q, ''))) / length(:q)"


def _search_postgres(engine: Engine, query: str, where: str, params: dict[str, Any]) -> Hits:
    """ILIKE over the current text and title (pg_trgm indexes), ranked in the database;
    a term matching more than RANK_WINDOW documents newest first, as on SQLite."""
    params["like"] = _like_pattern(query)
    params["q"] = query.lower()
    matches = (
        "FROM document d "
        "JOIN jurisdiction j ON j.code = d.jurisdiction_code "
        "JOIN document_version v ON v.document_id = d.id AND v.id = "
        "(SELECT max(id) FROM document_version WHERE document_id = d.id) "
        "WHERE (v.text ILIKE :like ESCAPE '\\' OR d.title ILIKE :like ESCAPE '\\')"
        f"{where} "
    )
    title = "coalesce(d.title, '')"
    score = f"{_occurrences('v.text')} + 3 * {_occurrences(title)}"
    with engine.connect() as conn:
        many = conn.execute(
            text(f"SELECT count(*) FROM (SELECT 1 {matches}ORDER BY d.id DESC LIMIT :window) m"),
            {**params, "window": RANK_WINDOW + 1},
        ).scalar_one() > RANK_WINDOW
        order = "d.id DESC" if many else f"{score} DESC, d.id"
        rows = conn.execute(
            text(f"SELECT {_COLUMNS}, v.text {matches}ORDER BY {order} LIMIT :limit"), params
        ).all()
    hits = Hits(_hit(i + 1, row, _snippet(row[-1], query, fold=True)) for i, row in enumerate(rows))
    if many:
        hits.order, hits.more_than = "newest", RANK_WINDOW
    return hits


def _hit(rank: int, row: Any, snippet: str) -> Hit:
    doc_id, code, name, year, title, url, kind = tuple(row)[:7]
    return Hit(rank, doc_id, code, name, year, title, url, kind, snippet)


def _snippet(body: str, query: str, *, fold: bool = False) -> str:
    """Text around the first occurrence, the term in brackets (`fold`: matched without
    regard to case, the text's own spelling in the brackets)."""
    at = body.lower().find(query.lower()) if fold else body.find(query)
    if fold and at >= 0 and len(body.lower()) != len(body):
        at = body.find(query)  # lowercasing changed the length (rare): exact match only
    if at < 0:
        return body[: SNIPPET_CHARS * 2].replace("\n", " ")
    found = body[at : at + len(query)]
    start, end = max(0, at - SNIPPET_CHARS), min(len(body), at + len(query) + SNIPPET_CHARS)
    return (
        ("…" if start else "")
        + body[start:at]
        + f"[{found}]"
        + body[at + len(query) : end]
        + ("…" if end < len(body) else "")
    ).replace("\n", " ")


def format_hits(hits: list[Hit]) -> str:
    if not hits:
        return "no documents found"
    lines = []
    if isinstance(hits, Hits) and hits.order == "newest":
        lines.append(
            f"more than {hits.more_than:,} documents match: newest first "
            "(add words or filters to rank them by relevance)"
        )
    for hit in hits:
        year = hit.report_year if hit.report_year is not None else "-"
        lines.append(
            f"{hit.rank:>3}. {hit.jurisdiction_name} {year}  {hit.title}  (#{hit.document_id})"
        )
        lines.append(f"     {hit.url}")
        lines.append(f"     {hit.snippet}")
    return "\n".join(lines)
