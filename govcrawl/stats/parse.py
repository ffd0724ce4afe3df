"""The statistics tables of the national format (国办公开办函〔2021〕30号, and the
〔2019〕60号 trial it replaced): 二 主动公开, 三 收到和处理申请, 四 行政复议/行政诉讼.

Rows are read from the stored grid (``document_version.tables``: merged cells repeated
over the cells they cover, as HTML, PDF, DOCX and spreadsheet extraction give it) and,
for a table the grids do not hold, from the ``cell | cell`` lines of the text (a
version stored without grids, a text some other extractor produced). Rows are
recognised by their labels, not their position, so a table split over two PDF pages,
the three tables in one ``<table>``, a row label broken over two cells (``（四）无`` /
``法提供``) and the 2019 format's single （六）其他处理 row all read the same. Columns
come from the header row when the grid has one that lines up, else the standard order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from govcrawl.stats import keys
from govcrawl.stats.cells import (
    CellSet,
    Row,
    StatCell,
    fit,
    grid_rows,
    norm,
    read,
    split_label,
    text_rows,
)

PROACTIVE, REQUESTS, REVIEW = "proactive", "requests", "review_litigation"
REQUEST_WIDTH = len(keys.REQUEST_COLUMNS)  # 7: six applicant columns and the total
REVIEW_WIDTH = len(keys.REVIEW_ROWS[:3]) * len(keys.REVIEW_COLUMNS)  # 15

_HEADINGS = (
    (re.compile(r"^[二2][、.．]?主动公开"), PROACTIVE),
    (re.compile(r"^[三3][、.．]?收到和处理"), REQUESTS),
    (re.compile(r"^[四4][、.．]?.{0,12}行政复议"), REVIEW),
    (re.compile(r"^[五六七5-7][、.．]"), None),
)
_PROACTIVE_ROWS = keys.compiled(keys.PROACTIVE_ROWS)
_PROACTIVE_COLUMNS = keys.compiled(keys.PROACTIVE_COLUMNS)
_REQUEST_COLUMNS = keys.compiled(keys.REQUEST_COLUMNS)
_CACHE_SIZE = 8192  # labels repeat from report to report: each is matched once
_PATTERNS = {k.key: re.compile(k.pattern) for k in keys.REQUEST_ROWS if k.pattern}
_ITEM_GROUP = {item: group for group, items in keys.REQUEST_GROUPS.items() for item in items}
#: top-level rows and outcome groups, in the order they are tried (after the items)
_TOP_ROWS = (
    "new",
    "carried_over",
    "carried_forward",
    "disclosed",
    "partly_disclosed",
    "withheld",
    "unavailable",
    "not_processed",
    "other_handling",
    "handled_total",
)
_APPLICANT_MARKERS = ("自然人", "商业企业", "法人或其他组织", "申请人情况")
_WAN_YUAN = ("amount_wan_yuan", "procurement_amount_wan_yuan")


def _section_of_row(text: str) -> str | None:
    """The table a row announces (a title or header row), if any."""
    if "行政复议" in text and "行政诉讼" in text:
        return REVIEW
    if "申请人情况" in text or "勾稽关系" in text or "本年新收" in text:
        return REQUESTS
    if "自然人" in text and ("总计" in text or "法人" in text):
        return REQUESTS
    if "第二十条" in text or text.startswith("信息内容"):
        return PROACTIVE
    return None


class _Reader:
    """Reads rows in order, keeping track of the table it is in."""

    def __init__(self, cells: CellSet) -> None:
        self.cells = cells
        self.section: str | None = None
        self.grid = -2
        self.proactive_header: list[str | None] | None = None
        self.request_header: dict[str, int] = {}
        self.request_header_width = 0
        self.group: str | None = None
        self.review_done = False

    def feed(self, rows: Iterable[Row]) -> None:
        for row in rows:
            if row.heading is not None:
                heading = norm(row.heading)
                for pattern, section in _HEADINGS:
                    if pattern.match(heading):
                        self._enter(section)
                        break
                continue
            if row.grid != self.grid:  # a new grid: headers do not carry over
                self.grid = row.grid
                self.proactive_header = None
                self.request_header, self.request_header_width = {}, 0
            text = norm("".join(row.cells))
            if not text:
                continue
            announced = _section_of_row(text)
            if announced is not None and announced != self.section:
                self._enter(announced)
            if self.section == PROACTIVE:
                self._proactive(row, text)
            elif self.section == REQUESTS:
                self._requests(row)
            elif self.section == REVIEW:
                self._review(row)

    def _enter(self, section: str | None) -> None:
        self.section = section
        self.group = None
        self.proactive_header = None
        self.request_header, self.request_header_width = {}, 0

    def _add(self, table: str, row: str, column: str, raw: str, source: str) -> None:
        reading = read(raw)
        unit = "万元" if column in _WAN_YUAN else reading.unit
        self.cells.add(StatCell(table, row, column, reading, source, unit))

    # -- 二、主动公开 ------------------------------------------------------------------------

    def _proactive(self, row: Row, text: str) -> None:
        if "第二十条" in text:
            self.proactive_header = None
            return
        labels, values = split_label(row.cells)
        if not labels:
            return
        for i, cell in enumerate(row.cells):
            if norm(cell).startswith("信息内容"):
                self.proactive_header = [_proactive_column(c) for c in row.cells[i + 1 :]]
                return
        key = next(
            (k for label in reversed(labels) if (k := _proactive_row(label))), None
        )
        if key is None:
            return
        header = self.proactive_header
        if header is None or not any(header):
            header = list(keys.PROACTIVE_DEFAULT_COLUMNS.get(key, ()))
        for j, raw in enumerate(values):
            column = header[j] if j < len(header) else None
            if column is not None:
                self._add(PROACTIVE, key, column, raw, row.source)

    # -- 三、收到和处理申请 ---------------------------------------------------------------------

    def _requests(self, row: Row) -> None:
        normed = [norm(c) for c in row.cells]
        if any(marker in c for c in normed for marker in _APPLICANT_MARKERS):
            positions: dict[str, int] = {}
            for j, cell in enumerate(normed):
                column = _request_column(cell)
                if column is not None:
                    positions.setdefault(column, j)
            if len(positions) > len(self.request_header):
                self.request_header, self.request_header_width = positions, len(row.cells)
            return
        header = self.request_header
        if (
            row.source == "grid"
            and len(header) == REQUEST_WIDTH
            and len(row.cells) == self.request_header_width
        ):
            first = min(header.values())
            labels = row.cells[:first]
            values = {column: row.cells[j] for column, j in header.items()}
        else:
            labels, rest = split_label(row.cells)
            fitted = fit(rest, REQUEST_WIDTH)
            values = {
                k.key: raw for k, raw in zip(keys.REQUEST_COLUMNS, fitted, strict=False)
            }
        key = self._request_row(labels)
        if key is None:
            return
        for column, raw in values.items():
            self._add(REQUESTS, key, column, raw, row.source)

    def _request_row(self, labels: Sequence[str]) -> str | None:
        joined = norm("".join(labels))
        if not joined:
            return None
        last = norm(labels[-1]) if labels else ""
        for item, group in _ITEM_GROUP.items():
            if item == "other_other":
                in_group = self.group == "other_handling" or "其他处理" in joined
                if in_group and _PATTERNS[item].search(last):
                    self.group = group
                    return item
                continue
            if _PATTERNS[item].search(joined):
                self.group = group
                return item
        for key in _TOP_ROWS:
            if _PATTERNS[key].search(joined):
                self.group = key if key in keys.REQUEST_GROUPS else None
                return key
        return None

    # -- 四、行政复议、行政诉讼 -------------------------------------------------------------------

    def _review(self, row: Row) -> None:
        if self.review_done:
            return
        _, values = split_label(row.cells)
        fitted = fit(values, REVIEW_WIDTH)
        if len(fitted) != REVIEW_WIDTH:
            return
        if row.source == "text" and not any(norm(v) for v in fitted):
            return  # a line of separators, not the data row
        index = 0
        for row_key in keys.REVIEW_ROWS[:3]:
            for column in keys.REVIEW_COLUMNS:
                self._add(REVIEW, row_key.key, column.key, fitted[index], row.source)
                index += 1
        self.review_done = True


def _match(patterns: list[tuple[str, re.Pattern[str]]], label: str) -> str | None:
    text = norm(label)
    return next((key for key, pattern in patterns if pattern.search(text)), None)


@lru_cache(maxsize=_CACHE_SIZE)
def _proactive_column(label: str) -> str | None:
    return _match(_PROACTIVE_COLUMNS, label)


@lru_cache(maxsize=_CACHE_SIZE)
def _proactive_row(label: str) -> str | None:
    return _match(_PROACTIVE_ROWS, label)


@lru_cache(maxsize=_CACHE_SIZE)
def _request_column(label: str) -> str | None:
    return _match(_REQUEST_COLUMNS, label)


def parse_national(text: str, tables: Sequence[Sequence[Sequence[str]]]) -> CellSet:
    """The cells of tables 二, 三 and 四: from the grids, and for a table the grids do
    not hold, from the text's table lines."""
    cells = CellSet()
    _Reader(cells).feed(grid_rows(tables))
    missing = [t for t in (PROACTIVE, REQUESTS, REVIEW) if not cells.has_table(t)]
    if missing and text:
        from_text = CellSet()
        _Reader(from_text).feed(text_rows(text))
        for cell in from_text:
            if cell.table in missing:
                cells.add(cell)
    return cells


def national_format(cells: CellSet) -> str:
    """``2021`` or ``2019``: which edition of the national format the tables follow."""
    columns = {c.column for c in cells if c.table == PROACTIVE}
    rows = {c.row for c in cells if c.table == REQUESTS}
    if columns & {"issued", "repealed", "in_force"}:
        return "2021"
    if columns & {"made", "published", "total_published", "items_last_year"}:
        return "2019"
    if rows & set(keys.REQUEST_GROUPS["other_handling"]):
        return "2021"
    if "other_handling" in rows:
        return "2019"
    return "2021"
