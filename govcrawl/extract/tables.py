"""HTML tables as rows of cell strings, rowspan/colspan expanded.

Report statistics tables (主动公开, 收到和处理申请, 行政复议/诉讼) have merged
header cells; expanding them makes every row as wide as the table, so a cell
keeps its place under its column.  Old portals also lay whole pages out in
tables: such layout tables are not data and are unwrapped instead.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from govcrawl.extract import xpaths
from govcrawl.extract.dom import text_with_breaks

_WS_RE = re.compile(r"\s+")
_MAX_SPAN = 100  # a rowspan/colspan beyond this is a typo (or an attack), not a table
_LAYOUT_CELL_CHARS = 400  # a cell holding this much prose is page layout
_LAYOUT_CELL_BLOCKS = 4
_WORD_TABLE_RE = re.compile(r"\bMso\w*Table", re.I)  # MsoNormalTable, MsoTableGrid
_CELL_BLOCKS = frozenset({"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

Table = list[list[str]]


def _span(cell: HtmlElement, name: str) -> int:
    raw = (cell.get(name) or "1").strip()
    digits = re.match(r"\d+", raw)
    value = int(digits.group(0)) if digits else 1
    return min(max(value, 1), _MAX_SPAN)


def cell_text(cell: HtmlElement) -> str:
    """A cell's text on one line, its paragraphs (``<p>``) a blank apart."""
    if not xpaths.BLOCKS_IN_CELL(cell):
        return _WS_RE.sub(" ", cell.text_content()).strip()
    return _WS_RE.sub(" ", text_with_breaks(cell, _CELL_BLOCKS, " ")).strip()


def is_layout_table(table: HtmlElement) -> bool:
    """A table used to lay out the page (nested tables, one column, a cell full of prose).

    A table pasted from Word (``class="MsoNormalTable"``, ``MsoTableGrid``) is data
    even when a cell holds several paragraphs (处罚决定 | 一、… 二、…)."""
    if xpaths.NESTED_TABLE(table):
        return True
    rows = xpaths.ROWS(table, t=table)
    if all(len(xpaths.CELLS(row)) <= 1 for row in rows):
        return True
    if _WORD_TABLE_RE.search(table.get("class") or ""):
        return False
    for row in rows:
        for cell in xpaths.CELLS(row):
            if len(xpaths.BLOCKS_IN_CELL(cell)) >= _LAYOUT_CELL_BLOCKS:
                return True
            if len(cell.text_content()) > _LAYOUT_CELL_CHARS:
                return True
    return False


def parse_table(table: HtmlElement) -> Table:
    """Rows of cell strings, each merged cell repeated over the rows/columns it spans."""
    return parse_table_rows(table)[0]


def parse_table_rows(table: HtmlElement) -> tuple[Table, Table]:
    """(the grid with merged cells repeated, the rows as written: each cell once,
    in the row and column where it starts). The grid is the data; the rows as
    written are how the text shows the table, without a merged cell copied into
    every row and column it covers."""
    grid: dict[tuple[int, int], str] = {}
    origins: dict[tuple[int, int], str] = {}
    n_rows = 0
    n_cols = 0
    for r, row in enumerate(xpaths.ROWS(table, t=table)):
        c = 0
        for cell in xpaths.CELLS(row):
            while (r, c) in grid:
                c += 1
            text = cell_text(cell)
            rowspan = _span(cell, "rowspan")
            colspan = _span(cell, "colspan")
            origins[(r, c)] = text
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid.setdefault((r + dr, c + dc), text)
            c += colspan
            n_cols = max(n_cols, c)
        n_rows = r + 1
    # Rows a rowspan reaches past the last <tr> are not rows of the table.
    rows = [[grid.get((r, c), "") for c in range(n_cols)] for r in range(n_rows)]
    written = [[origins[(r, c)] for c in range(n_cols) if (r, c) in origins] for r in range(n_rows)]
    return [row for row in rows if any(row)], [row for row in written if any(row)]


def render_table(rows: Table) -> str:
    """The table as text: one ``cell | cell | cell`` line per row."""
    return "\n".join(" | ".join(row) for row in rows)
