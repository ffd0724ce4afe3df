"""Full-text search over the archive that works for Chinese.

SQLite FTS5 with the trigram tokenizer indexes every three-character window,
so any query of three characters or more is matched inside runs of Chinese
text (the default tokenizer would index a whole run as one token). Queries of
one or two characters, common in Chinese (年报, 复议), cannot use trigrams: they
fall back to LIKE over the current texts. Results carry a highlighted snippet.
Filters: region (a jurisdiction and everything under it), level, province,
report year, reports only. (PostgreSQL archives use LIKE until pg_trgm lands.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, text

SNIPPET_CHARS = 24


class SearchError(ValueError):
    """A query or filter that cannot be run; the message says why."""


@dataclass(frozen=True)
class Filters:
    region_codes: tuple[str, ...] | None = None  # a jurisdiction and its descendants
    level: str | None = None
    province: str | None = None
    year: int | None = None
    reports_only: bool = False


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
) -> list[Hit]:
    query = query.strip()
    if not query:
        raise SearchError("empty query")
    if limit < 1:
        raise SearchError("--limit must be at least 1")
    filters = filters or Filters()
    params: dict[str, Any] = {"limit": limit}
    where = _where(filters, params)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite and len(query) >= 3:
            # The query as one phrase: FTS5 syntax in user input is not an error.
            params["q"] = '"' + query.replace('"', '""') + '"'
            rows = conn.execute(
                text(
                    f"SELECT {_COLUMNS}, snippet(document_fts, 1, '[', ']', '…', 16) "
                    "FROM document_fts JOIN document d ON d.id = document_fts.rowid "
                    "JOIN jurisdiction j ON j.code = d.jurisdiction_code "
                    f"WHERE document_fts MATCH :q{where} "
                    "ORDER BY bm25(document_fts) LIMIT :limit"
                ),
                params,
            ).all()
            return [_hit(i + 1, row, row[-1].replace("\n", " ")) for i, row in enumerate(rows)]
        params["like"] = (
            "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        rows = conn.execute(
            text(
                f"SELECT {_COLUMNS}, v.text FROM document d "
                "JOIN jurisdiction j ON j.code = d.jurisdiction_code "
                "JOIN document_version v ON v.id = "
                "(SELECT max(id) FROM document_version WHERE document_id = d.id) "
                "WHERE (v.text LIKE :like ESCAPE '\\' OR d.title LIKE :like ESCAPE '\\')"
                f"{where}"
            ),
            params,
        ).all()
    scored = sorted(
        rows, key=lambda r: (-(r[-1].count(query) + 3 * (r[4] or "").count(query)), r[0])
    )
    return [_hit(i + 1, row, _snippet(row[-1], query)) for i, row in enumerate(scored[:limit])]


def _hit(rank: int, row: Any, snippet: str) -> Hit:
    doc_id, code, name, year, title, url, kind = tuple(row)[:7]
    return Hit(rank, doc_id, code, name, year, title, url, kind, snippet)


def _snippet(body: str, query: str) -> str:
    at = body.find(query)
    if at < 0:
        return body[: SNIPPET_CHARS * 2]
    start, end = max(0, at - SNIPPET_CHARS), min(len(body), at + len(query) + SNIPPET_CHARS)
    return (
        ("…" if start else "")
        + body[start:at]
        + f"[{query}]"
        + body[at + len(query) : end]
        + ("…" if end < len(body) else "")
    ).replace("\n", " ")


def format_hits(hits: list[Hit]) -> str:
    if not hits:
        return "no documents found"
    lines = []
    for hit in hits:
        year = hit.report_year if hit.report_year is not None else "-"
        lines.append(
            f"{hit.rank:>3}. {hit.jurisdiction_name} {year}  {hit.title}  (#{hit.document_id})"
        )
        lines.append(f"     {hit.url}")
        lines.append(f"     {hit.snippet}")
    return "\n".join(lines)
