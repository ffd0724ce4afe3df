"""HTML tables as rows of cell strings, rowspan/colspan expanded.

Report statistics tables (主动公开, 收到和处理申请, 行政复议/诉讼) have merged
header cells; expanding them makes every row as wide as the table, so a cell
keeps its place under its column.  Old portals also lay whole pages out in
tables: such layout tables are not data and are unwrapped instead.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice

from lxml.html import HtmlElement

from govcrawl.extract.dom import text_with_breaks

_WS_RE = re.compile(r"\s+")
_MAX_SPAN = 100  # a rowspan/colspan beyond this is a typo (or an attack), not a table
_LAYOUT_CELL_CHARS = 400  # a cell holding this much prose is page layout
_LAYOUT_CELL_BLOCKS = 4
_WORD_TABLE_RE = re.compile(r"\bMso\w*Table", re.I)  # MsoNormalTable, MsoTableGrid
_CELL_BLOCKS = frozenset({"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

Table = list[list[str]]


_DIGITS_RE = re.compile(r"\d+")
_CELL_TAGS = ("td", "th")
_BLOCK_TAGS = ("p", "div", "br")  # xpaths.BLOCKS_IN_CELL, walked without XPath


def _span(cell: HtmlElement, name: str) -> int:
    value = cell.get(name)
    return 1 if value is None else _span_value(value)


def _span_value(value: str) -> int:
    raw = (value or "1").strip()
    digits = _DIGITS_RE.match(raw)
    number = int(digits.group(0)) if digits else 1
    return min(max(number, 1), _MAX_SPAN)


def _has_blocks(cell: HtmlElement) -> bool:
    return len(cell) > 0 and next(cell.iterdescendants(*_BLOCK_TAGS), None) is not None


def cell_text(cell: HtmlElement) -> str:
    """A cell's text on one line, its paragraphs (``<p>``) a blank apart."""
    return _cell_text(cell, _has_blocks(cell), None)


def _cell_text(cell: HtmlElement, blocks: bool, content: str | None) -> str:
    """`cell_text`, told whether the cell holds blocks and, maybe, its text_content()."""
    if not blocks:
        return _one_line(_text_content(cell) if content is None else content)
    return _one_line(text_with_breaks(cell, _CELL_BLOCKS, " "))


#: Cell texts repeat from table to table (labels, 0, 无): each is squashed once.
@lru_cache(maxsize=8192)
def _one_line(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


def _text_content(el: HtmlElement) -> str:
    """``el.text_content()``, without the XPath call for an element with no children."""
    return (el.text or "") if len(el) == 0 else str(el.text_content())


def _rows(table: HtmlElement) -> list[HtmlElement]:
    """``xpaths.ROWS``: the table's own rows (not a nested table's), in document order."""
    if next(table.iterdescendants("table"), None) is None:
        return list(table.iterdescendants("tr"))
    return [
        tr for tr in table.iterdescendants("tr") if next(tr.iterancestors("table")) is table
    ]


def _cells(row: HtmlElement) -> list[HtmlElement]:
    """``xpaths.CELLS``: the row's ``td`` and ``th`` children, in document order."""
    return list(row.iterchildren(*_CELL_TAGS))


def is_layout_table(table: HtmlElement) -> bool:
    """A table used to lay out the page (nested tables, one column, a cell full of prose).

    A table pasted from Word (``class="MsoNormalTable"``, ``MsoTableGrid``) is data
    even when a cell holds several paragraphs (处罚决定 | 一、… 二、…)."""
    return _layout_or_grid(table, parse=False) is None


def _layout_or_grid(
    table: HtmlElement, parse: bool = True
) -> list[list[tuple[HtmlElement, bool, str | None]]] | None:
    """None for a layout table (see `is_layout_table`), else the table's cells, row by
    row, each with whether it holds blocks and its text_content() when that was read."""
    if next(table.iterdescendants("table"), None) is not None:
        return None
    rows = [_cells(row) for row in _rows(table)]
    if all(len(cells) <= 1 for cells in rows):
        return None
    word = _WORD_TABLE_RE.search(table.get("class") or "") is not None
    if word and not parse:
        return []
    grid: list[list[tuple[HtmlElement, bool, str | None]]] = []
    for cells in rows:
        out: list[tuple[HtmlElement, bool, str | None]] = []
        for cell in cells:
            if word:
                out.append((cell, _has_blocks(cell), None))
                continue
            if len(cell) == 0:  # text only: no blocks
                blocks = []
                content = cell.text or ""
            else:
                blocks = list(islice(cell.iterdescendants(*_BLOCK_TAGS), _LAYOUT_CELL_BLOCKS))
                if len(blocks) >= _LAYOUT_CELL_BLOCKS:
                    return None
                content = str(cell.text_content())
            if len(content) > _LAYOUT_CELL_CHARS:
                return None
            out.append((cell, bool(blocks), content))
        grid.append(out)
    return grid


def data_table_rows(table: HtmlElement) -> tuple[Table, Table] | None:
    """``parse_table_rows`` of a data table, or None for a layout table
    (``is_layout_table``): one pass over the cells for both."""
    grid = _layout_or_grid(table)
    return None if grid is None else _grid_rows(grid)


def parse_table(table: HtmlElement) -> Table:
    """Rows of cell strings, each merged cell repeated over the rows/columns it spans."""
    return parse_table_rows(table)[0]


def parse_table_rows(table: HtmlElement) -> tuple[Table, Table]:
    """(the grid with merged cells repeated, the rows as written: each cell once,
    in the row and column where it starts). The grid is the data; the rows as
    written are how the text shows the table, without a merged cell copied into
    every row and column it covers."""
    return _grid_rows(
        [[(cell, _has_blocks(cell), None) for cell in _cells(row)] for row in _rows(table)]
    )


def _grid_rows(cells: list[list[tuple[HtmlElement, bool, str | None]]]) -> tuple[Table, Table]:
    # Row by row: the columns each row's cells (and the merged cells above it) take.
    grid: dict[int, dict[int, str]] = {}
    written: list[list[str]] = []
    n_cols = 0
    for r, row in enumerate(cells):
        taken = grid.setdefault(r, {})
        starts: list[str] = []  # the row's cells where they start, left to right
        c = 0
        for cell, blocks, content in row:
            while c in taken:
                c += 1
            text = _cell_text(cell, blocks, content)
            rowspan_value = cell.get("rowspan")
            colspan_value = cell.get("colspan")
            rowspan = 1 if rowspan_value is None else _span_value(rowspan_value)
            colspan = 1 if colspan_value is None else _span_value(colspan_value)
            starts.append(text)
            if rowspan == 1 and colspan == 1:
                taken[c] = text
            else:
                for dr in range(rowspan):
                    covered = taken if dr == 0 else grid.setdefault(r + dr, {})
                    for dc in range(colspan):
                        covered.setdefault(c + dc, text)
            c += colspan
            if c > n_cols:
                n_cols = c
        written.append(starts)
    # Rows a rowspan reaches past the last <tr> are not rows of the table.
    rows = [[grid[r].get(c, "") for c in range(n_cols)] for r in range(len(cells))]
    return [row for row in rows if any(row)], [row for row in written if any(row)]


def render_table(rows: Table) -> str:
    """The table as text: one ``cell | cell | cell`` line per row."""
    return "\n".join(" | ".join(row) for row in rows)
