"""The old format (2008–2019): the report's 附表 / 统计表, best effort, by row label.

Those tables differ from place to place and year to year (指标 | 累计数 | 本年发生数;
统计指标 | 单位 | 统计数; 单位 | 小计 ...). A row is recognised by its label with the
numbering (``20.``, ``（一）``, ``其中：⑴``, ``1）``) removed; the figure taken is the
report year's (``2012年发生数``, ``小计``, ``统计数``), never the cumulative one. Rows
are read from the stored grids, else from the text: ``cell | cell`` lines, or a table
flattened one cell per line (as some extractors leave it, the cell's trailing ``|``
kept). Rows that mean what a row of the 2021 tables means get its keys
(``申请数`` -> ``requests/new/total``); the others go to the ``legacy`` table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from govcrawl.stats import keys
from govcrawl.stats.cells import UNIT_RE, CellSet, StatCell, norm, read

_OLD_ROWS = [(re.compile(p), table, row, column) for p, table, row, column in keys.OLD_ROWS]
_NUMBERING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．)）]?"
    r"|[⑴-⒇①-⑳ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|其中[:：]?)+"
)
_QUOTES_RE = re.compile(r"[“”\"'‘’]")
_TRAILING_NOTE_RE = re.compile(r"[(（][^()（）]*[)）]$")
_HEADER_WORD_RE = re.compile(
    r"^(?:指标|统计指标|项目|内容|单位|计量单位|累计数?|小计|合计|统计数|数量|数据"
    r"|(?:\d{4}|本)年度?(?:发生数|数)?)$"
)
_LABEL_HEADER_RE = re.compile(r"^(?:指标|统计指标|项目|内容)$")
_UNIT_HEADER_RE = re.compile(r"^(?:计量)?单位$")
_YEAR_HEADER_RE = re.compile(r"发生数|^(?:\d{4}|本)年|小计|统计数|^数量$|^合计$|^数据$")
_LABEL = "<label>"  # the label column of a header built from a flattened table


def clean_label(label: str) -> str:
    text = _QUOTES_RE.sub("", norm(label))
    text = _NUMBERING_RE.sub("", text)
    return _TRAILING_NOTE_RE.sub("", text)


#: Labels, cells and headers repeat from report to report: each is judged once.
_CACHE_SIZE = 8192


@lru_cache(maxsize=_CACHE_SIZE)
def _match(label: str) -> tuple[str, str, str] | None:
    text = clean_label(label)
    if not text or len(text) > 60:
        return None
    for pattern, table, row, column in _OLD_ROWS:
        if pattern.search(text):
            return table, row, column
    return None


@lru_cache(maxsize=_CACHE_SIZE)
def _is_header_word(cell: str) -> bool:
    return bool(_HEADER_WORD_RE.match(norm(cell)))


@lru_cache(maxsize=_CACHE_SIZE)
def _is_unit(cell: str) -> bool:
    return bool(UNIT_RE.match(norm(cell)))


@lru_cache(maxsize=_CACHE_SIZE)
def _is_label(cell: str) -> bool:
    text = norm(cell)
    return bool(text) and not read(cell).is_value and not _is_unit(cell)


@dataclass
class _Header:
    cells: list[str]  # never changed: the columns are worked out once

    @cached_property
    def year_column(self) -> int | None:
        """The column of the report year's figure."""
        for j, cell in enumerate(self.cells):
            text = norm(cell)
            if _YEAR_HEADER_RE.search(text) and "累计" not in text:
                return j
        return None

    @cached_property
    def unit_column(self) -> int | None:
        return next((j for j, c in enumerate(self.cells) if _UNIT_HEADER_RE.match(norm(c))), None)

    @cached_property
    def figure_index(self) -> int:
        """Which figure after the label (units left out) is the year's."""
        year = self.year_column
        if year is None:
            return 0
        figures = [
            j
            for j, c in enumerate(self.cells)
            if j != self.unit_column
            and _is_header_word(c)
            and not _LABEL_HEADER_RE.match(norm(c))
        ]
        return figures.index(year) if year in figures else 0


def _is_header_row(cells: Sequence[str]) -> bool:
    words = [c for c in cells if norm(c)]
    hits = sum(1 for c in words if _is_header_word(c))
    return hits >= 2 and hits * 2 >= len(words)


class _Rows:
    def __init__(self, out: CellSet, source: str) -> None:
        self.out = out
        self.source = source
        self.header: _Header | None = None

    def row(self, cells: Sequence[str]) -> None:
        if not any(norm(c) for c in cells):
            return
        if _is_header_row(cells):
            self.header = _Header(list(cells))
            return
        header = self.header
        if header is not None and len(cells) == len(header.cells):
            year = header.year_column
            if year is None:
                return
            labels = [
                c for j, c in enumerate(cells[:year]) if j != header.unit_column and _is_label(c)
            ]
            if not labels:
                return
            unit = cells[header.unit_column] if header.unit_column is not None else None
            self._add(labels[-1], cells[year], unit)
            return
        last = max((j for j, c in enumerate(cells) if _is_label(c)), default=-1)
        if last < 0:
            return
        after = list(cells[last + 1 :])
        units = [c for c in after if _is_unit(c)]
        figures = [c for c in after if not _is_unit(c)]
        index = header.figure_index if header is not None else 0
        if index >= len(figures):
            return
        self._add(cells[last], figures[index], units[0] if units else None)

    def _add(self, label: str, raw: str, unit: str | None) -> None:
        key = _match(label)
        reading = read(raw)
        if key is None or not reading.is_value:
            return
        table, row, column = key
        unit_text = norm(unit) if unit and norm(unit) and not read(unit).is_value else None
        self.out.add(StatCell(table, row, column, reading, self.source, unit_text or reading.unit))


def parse_grids(tables: Sequence[Sequence[Sequence[str]]]) -> CellSet:
    out = CellSet()
    for table in tables:
        rows = _Rows(out, "grid")
        for row in table:
            rows.row([str(c) if c is not None else "" for c in row])
    return out


def parse_text(text: str) -> CellSet:
    """Rows from ``cell | cell`` lines, and from tables flattened one cell per line."""
    out = CellSet()
    rows = _Rows(out, "text")
    pending: list[str] = []  # the flattened row being gathered: label, then its figures
    header: list[str] = []  # a flattened header row being gathered

    def flush() -> None:
        nonlocal pending, header
        if header:
            rows.header = _Header([_LABEL, *header])
            header = []
        if pending:
            rows.row(pending)
            pending = []

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        body = stripped.rstrip("| \t")
        cells = [c.strip() for c in body.split("|")]
        if len(cells) > 1:  # a whole row on one line
            flush()
            rows.row(cells)
            continue
        cell = cells[0]
        if _is_header_word(cell):
            if pending:
                rows.row(pending)
                pending = []
            if not _LABEL_HEADER_RE.match(norm(cell)):
                header.append(cell)
            continue
        if _is_label(cell):
            flush()
            pending = [cell]
        elif pending:
            pending.append(cell)
    flush()
    return out


def parse_old(text: str, tables: Sequence[Sequence[Sequence[str]]]) -> CellSet:
    """The old-format cells: from the grids, else from the text."""
    cells = parse_grids(tables)
    if len(cells) == 0 and text:
        cells = parse_text(text)
    return cells
