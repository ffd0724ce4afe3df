"""PDF attachments: text in reading order, paragraphs on lines, ruled tables as tables.

**pypdfium2** (PDFium, Chrome's PDF engine) reads every page: the characters
with their boxes, and the path objects, from which the straight rules of the
page are taken.  **pdfplumber**'s table finder (``TableFinder``: edges to
intersections to cells to tables) then runs on those rules; pdfplumber's own
page parsing (pdfminer.six, pure Python, ~20 pages/s) is not used.  On the
three real reports in the tests ``extract_page`` does ~130 pages/s, text,
tables and metadata (pdfplumber alone ~18, pypdf's plain text ~38); PDFium
is robust on broken files and refuses password-protected ones cleanly.

Characters become lines (grouped by vertical position, sorted by x; no space
is invented next to CJK, where a gap is layout, not a space), lines become
paragraphs: a line that reaches the right margin runs on into the next one
unless that one is indented or starts a new numbered item, across page
breaks too.  Page numbers (``- 1 -``, ``第1页``) at the top or bottom of a page
are dropped.  A table's merged cells are repeated over the grid positions
they cover; a table left open at a page break (no bottom rule) is closed; a
table split over two pages is joined when it is the last thing on one page
and the first on the next with the same columns.
"""

from __future__ import annotations

import bisect
import ctypes
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from govcrawl.extract.doc_content import (
    NO_TEXT_LAYER,
    TRUNCATED,
    Block,
    Content,
    Table,
    Unreadable,
    is_wide,
    join_fragments,
    join_lines,
    square,
)

MAX_PAGES = 200  # pages read at most (flag ``truncated`` beyond)
TIME_BUDGET = 40.0  # seconds; the crawl gives an extraction 120 s
MIN_CHARS_PER_PAGE = 20  # fewer characters than this per page: no text layer
MAX_PATHS_FOR_TABLES = 5000  # a page drawn with more paths (a map) is not searched for tables
_NARROW_WIDE = "“”‘’·"  # "wide" punctuation that is often set half-width
_SUSPECT_LOOSE_HEIGHT = 36.0  # points: a character box this tall gets a second look
_MIN_RULES = 4  # rules (straight lines) on a page before it is searched for tables
_MIN_FULL_LINES = 3  # lines reaching the right margin before lines are joined into paragraphs
_LAYOUT_CELL_CHARS = 400  # a "cell" holding this much text is a frame around prose
_TABLE_CHARS_SLACK = 1.0  # points

_PAGE_NUMBER_RE = re.compile(
    r"^[-—–－―~～_\s]*(?:第\s*)?\d{1,4}(?:\s*页)?"
    r"(?:\s*[/／]\s*\d{1,4}|\s*[,，]?\s*共\s*\d{1,4}\s*页)?[-—–－―~～_\s]*$"
    r"|^(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$",
    re.I,
)
_ITEM_START_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]"
    r"|\d{1,2}[、.．](?!\d)|第[一二三四五六七八九十百\d]+[章节条部分]|[①-⑳])"
)


@dataclass
class Char:
    text: str
    x0: float
    x1: float
    top: float  # from the top of the page, downwards
    bottom: float


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # the font size, near enough


@dataclass
class PageTable:
    rows: Table
    top: float


PageItem = Line | PageTable
Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]  # x0, top, x1, bottom


def _box(values: Any) -> Box:
    x0, top, x1, bottom = (float(v) for v in values)
    return (x0, top, x1, bottom)


# --- characters to lines -------------------------------------------------------------


def build_lines(chars: list[Char]) -> list[Line]:
    """Characters grouped into lines, top to bottom, each line left to right."""
    if not chars:
        return []
    ordered = sorted(chars, key=lambda c: (c.top + c.bottom) / 2)
    groups: list[list[Char]] = []
    centre = 0.0
    height = 0.0
    for ch in ordered:
        c_centre = (ch.top + ch.bottom) / 2
        c_height = max(ch.bottom - ch.top, 0.5)
        if groups and abs(c_centre - centre) <= 0.5 * min(height, c_height):
            groups[-1].append(ch)
            continue
        groups.append([ch])
        centre, height = c_centre, c_height
    return [_line(group) for group in groups]


def _line(group: list[Char]) -> Line:
    group.sort(key=lambda c: c.x0)
    # The font size: a CJK character is one em wide (box heights vary with each
    # font's ascent and descent, and a line mixes fonts for digits and punctuation).
    ems = sorted(c.x1 - c.x0 for c in group if is_wide(c.text) and c.text not in _NARROW_WIDE)
    if not ems:
        ems = sorted(c.bottom - c.top for c in group)
    size = max(ems[len(ems) // 2], 1.0)
    text = ""
    prev: Char | None = None
    for ch in group:
        if prev is not None:
            if ch.text == prev.text and abs(ch.x0 - prev.x0) < 0.3 * size:
                continue  # fake bold: the same glyph printed twice, a hair apart
            gap = ch.x0 - prev.x1
            wide = is_wide(prev.text[-1]) or is_wide(ch.text[0])
            if gap > (1.5 if wide else 0.2) * size:
                text += " "
        text += ch.text
        prev = ch
    return Line(
        text=text,
        x0=group[0].x0,
        x1=max(c.x1 for c in group),
        top=min(c.top for c in group),
        bottom=max(c.bottom for c in group),
        size=size,
    )


def _drop_page_numbers(lines: list[Line]) -> list[Line]:
    """Lines that are only a page number, at the top or the bottom of the page, removed."""
    if not lines:
        return lines
    edges = {0, len(lines) - 1}
    return [
        line
        for i, line in enumerate(lines)
        if not (i in edges and len(line.text) <= 20 and _PAGE_NUMBER_RE.match(line.text))
    ]


# --- pdfium: every page -----------------------------------------------------------------


def _sane_box(textpage: Any, index: int, loose: Box) -> Box:
    """The glyph's box when PDFium's loose box is absurd.

    The loose box (font ascent to descent, origin to advance) gives every
    character of a line the same height, which lines are grouped by.  But it
    is built from the font size alone: text set at size 199 and scaled down by
    its matrix (WPS's vertical table labels) gets a box 200 points wide, and
    lands in the wrong table cell.  Then the glyph's own box is used, made
    square around its centre.
    """
    left, bottom, right, top = textpage.get_charbox(index, loose=False)
    width, height = right - left, top - bottom
    l_left, l_bottom, l_right, l_top = loose
    if (l_top - l_bottom) < 2.5 * max(height, 1.0) or (l_right - l_left) < 2.5 * max(width, 1.0):
        return loose  # a big font, not a broken box
    half = max(width, height) / 2
    middle = (top + bottom) / 2
    return (left, middle - half, right, middle + half)


class Orientation:
    """From PDF user space (y up) to reading space: x along the lines, y down the page.

    A page whose text runs upwards (a landscape table on a portrait page turned
    by ``/Rotate``) is read as it is shown: quarter turn ``q`` means text at
    ``q * 90`` degrees counter-clockwise.
    """

    def __init__(self, quarter: int, height: float) -> None:
        self.quarter = quarter % 4
        self.height = height

    def point(self, x: float, y: float) -> tuple[float, float]:
        q = self.quarter
        if q == 0:
            return x, self.height - y
        if q == 1:
            return y, x
        if q == 2:
            return -x, y
        return -y, -x

    def box(self, left: float, bottom: float, right: float, top: float) -> Box:
        """A user-space box (left, bottom, right, top) as (x0, top, x1, bottom) in reading space."""
        if self.quarter == 0:
            return left, self.height - top, right, self.height - bottom
        corners = [self.point(left, bottom), self.point(right, top)]
        xs = [c[0] for c in corners]
        ys = [c[1] for c in corners]
        return min(xs), min(ys), max(xs), max(ys)


_RawChar = tuple[str, float, float, float, float, int]  # text, user-space box, quarter turn


def _pdfium_chars(textpage: Any, raw: Any) -> list[_RawChar]:
    chars: list[_RawChar] = []
    handle = textpage.raw
    n = textpage.count_chars()
    pending_high = 0
    for i in range(n):
        if raw.FPDFText_IsGenerated(handle, i) == 1:
            continue
        code = raw.FPDFText_GetUnicode(handle, i)
        if 0xD800 <= code < 0xDC00:
            pending_high = code
            continue
        if 0xDC00 <= code < 0xE000:
            if not pending_high:
                continue
            code = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)
        pending_high = 0
        if code <= 0x20 or code in (0xFFFD, 0xFEFF, 0xA0, 0x3000) or 0x7F <= code < 0xA0:
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        if top - bottom > _SUSPECT_LOOSE_HEIGHT or right - left > _SUSPECT_LOOSE_HEIGHT:
            left, bottom, right, top = _sane_box(textpage, i, (left, bottom, right, top))
        angle = raw.FPDFText_GetCharAngle(handle, i)
        # PDFium measures the angle clockwise; quarter turns here are counter-clockwise.
        quarter = (4 - round(angle / (math.pi / 2))) % 4 if angle >= 0 else 0
        chars.append((chr(code), left, bottom, right, top, quarter))
    return chars


def page_orientation(chars: list[_RawChar], height: float) -> Orientation:
    """The quarter turn most of the page's characters are set at."""
    counts = [0, 0, 0, 0]
    for ch in chars:
        counts[ch[5]] += 1
    return Orientation(counts.index(max(counts)), height)


def oriented_chars(chars: list[_RawChar], orientation: Orientation) -> list[Char]:
    out: list[Char] = []
    for text, left, bottom, right, top, _ in chars:
        x0, y0, x1, y1 = orientation.box(left, bottom, right, top)
        out.append(Char(text, x0, x1, y0, y1))
    return out


_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _compose(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF matrices, row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


class _TooManyPaths(Exception):
    pass


class _RuleReader:
    """The straight horizontal and vertical rules a page draws, as pdfplumber edges.

    Stroked paths give every axis-parallel segment; filled paths only their
    thin sub-paths (rules drawn as hairline rectangles).  Filled rectangles
    that are not thin are backgrounds: WPS paints a white box behind every
    line of text, which would otherwise make whole pages "tables".
    """

    def __init__(self, raw: Any, orientation: Orientation) -> None:
        self.raw = raw
        self.orientation = orientation
        self.edges: list[dict[str, Any]] = []
        self.budget = MAX_PATHS_FOR_TABLES
        self._matrix = raw.FS_MATRIX()
        self._x = ctypes.c_float()
        self._y = ctypes.c_float()
        self._fill = ctypes.c_int()
        self._stroke = ctypes.c_int()

    def read(self, page_handle: Any) -> list[dict[str, Any]]:
        raw = self.raw
        self._walk(raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject, page_handle, _IDENTITY, 0)
        return self.edges

    def _object_matrix(self, obj: Any) -> Matrix:
        m = self._matrix
        if not self.raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
            return _IDENTITY
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def _walk(self, count: Any, get: Any, parent: Any, matrix: Matrix, depth: int) -> None:
        raw = self.raw
        for i in range(max(count(parent), 0)):
            obj = get(parent, i)
            if not obj:
                continue
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_PATH:
                self.budget -= 1
                if self.budget < 0:
                    raise _TooManyPaths
                self._path(obj, _compose(self._object_matrix(obj), matrix))
            elif kind == raw.FPDF_PAGEOBJ_FORM and depth < 4:
                inner = _compose(self._object_matrix(obj), matrix)
                self._walk(
                    raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject, obj, inner, depth + 1
                )

    def _path(self, obj: Any, m: Matrix) -> None:
        raw = self.raw
        if not raw.FPDFPath_GetDrawMode(obj, ctypes.byref(self._fill), ctypes.byref(self._stroke)):
            return
        stroked, filled = bool(self._stroke.value), bool(self._fill.value)
        if not (stroked or filled):
            return
        n = raw.FPDFPath_CountSegments(obj)
        if n <= 0 or n > 20_000:
            return
        subpaths: list[list[tuple[float, float]]] = []
        lines: list[tuple[tuple[float, float], tuple[float, float]]] = []
        start: tuple[float, float] | None = None
        current: tuple[float, float] | None = None
        for i in range(n):
            seg = raw.FPDFPath_GetPathSegment(obj, i)
            if not seg or not raw.FPDFPathSegment_GetPoint(
                seg, ctypes.byref(self._x), ctypes.byref(self._y)
            ):
                continue
            x, y = self._x.value, self._y.value
            point = self.orientation.point(m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_MOVETO or current is None:
                start = current = point
                subpaths.append([point])
                continue
            subpaths[-1].append(point)
            if kind == raw.FPDF_SEGMENT_LINETO:
                lines.append((current, point))
            current = point
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                lines.append((current, start))
                current = start
        if stroked:
            for p, q in lines:
                self._segment(p, q)
        else:
            for points in subpaths:
                self._thin_box(points)

    def _segment(self, p: tuple[float, float], q: tuple[float, float]) -> None:
        (x1, y1), (x2, y2) = p, q
        if abs(y1 - y2) <= 1.0 and abs(x1 - x2) >= 1.0:
            self._add("h", min(x1, x2), max(x1, x2), (y1 + y2) / 2, (y1 + y2) / 2)
        elif abs(x1 - x2) <= 1.0 and abs(y1 - y2) >= 1.0:
            self._add("v", (x1 + x2) / 2, (x1 + x2) / 2, min(y1, y2), max(y1, y2))

    def _thin_box(self, points: list[tuple[float, float]]) -> None:
        x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
        top, bottom = min(p[1] for p in points), max(p[1] for p in points)
        width, height = x1 - x0, bottom - top
        if height <= 2.0 and width > height and width >= 1.0:
            y = (top + bottom) / 2
            self._add("h", x0, x1, y, y)
        elif width <= 2.0 and height > width and height >= 1.0:
            x = (x0 + x1) / 2
            self._add("v", x, x, top, bottom)

    def _add(self, orientation: str, x0: float, x1: float, top: float, bottom: float) -> None:
        self.edges.append(
            {
                "object_type": "line",
                "orientation": orientation,
                "x0": x0,
                "x1": x1,
                "top": top,
                "bottom": bottom,
                "width": x1 - x0,
                "height": bottom - top,
            }
        )


def ruling_edges(page: Any, raw: Any, orientation: Orientation) -> list[dict[str, Any]] | None:
    """The page's rules, or None when it draws too many paths to be worth it (a map)."""
    try:
        return _RuleReader(raw, orientation).read(page.raw)
    except _TooManyPaths:
        return None


# --- tables: pdfplumber's finder on pdfium's rules -----------------------------------------


def _closing_rules(edges: list[dict[str, Any]], tol: float = 3.0) -> list[dict[str, Any]]:
    """Rules that close tables left open at a page break.

    A table that goes on over the page has no bottom rule on the first page
    (and no top rule on the next): its last row and every cell reaching into
    it would be lost.  Where two or more vertical rules end without meeting a
    horizontal one at the same height, a rule is drawn between them.
    """
    horizontal = [e for e in edges if e.get("orientation") == "h"]
    vertical = [e for e in edges if e.get("orientation") == "v" and e.get("height", 0) > 10]
    open_ends: dict[int, list[tuple[float, float]]] = {}
    for v in vertical:
        x = float(v["x0"])
        for y in (float(v["top"]), float(v["bottom"])):
            closed = any(
                h["x0"] - tol <= x <= h["x1"] + tol and abs(h["top"] - y) <= tol for h in horizontal
            )
            if not closed:
                open_ends.setdefault(round(y / tol), []).append((x, y))
    rules: list[dict[str, Any]] = []
    for ends in open_ends.values():
        y = sum(y for _, y in ends) / len(ends)
        xs = [x for x, _ in ends]
        # A rule at that height that stops short of these ends is drawn on to them.
        xs += [x for h in horizontal if abs(h["top"] - y) <= tol for x in (h["x0"], h["x1"])]
        x0, x1 = min(xs), max(xs)
        if len(xs) >= 2 and x1 - x0 > 10:
            rules.append(
                {
                    "object_type": "line",
                    "x0": x0,
                    "x1": x1,
                    "top": y,
                    "bottom": y,
                    "width": x1 - x0,
                    "height": 0.0,
                }
            )
    return rules


def _unique(values: list[float], slack: float = 1.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > slack:
            out.append(v)
    return out


def _inside(x: float, y: float, box: Box, slack: float) -> bool:
    return box[0] - slack <= x <= box[2] + slack and box[1] - slack <= y <= box[3] + slack


def _table_rows(cells: list[Box], chars: list[Char]) -> Table:
    """A table's grid, each merged cell's text repeated over the grid positions it covers."""
    xs = [*_unique([c[0] for c in cells]), max(c[2] for c in cells)]
    ys = [*_unique([c[1] for c in cells]), max(c[3] for c in cells)]
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    owner: dict[tuple[int, int], int] = {}  # grid position -> the cell covering it
    for k, (x0, top, x1, bottom) in enumerate(cells):
        c0, c1 = bisect.bisect_left(xs, x0 - 1.0), bisect.bisect_left(xs, x1 - 1.0)
        r0, r1 = bisect.bisect_left(ys, top - 1.0), bisect.bisect_left(ys, bottom - 1.0)
        for r in range(r0, max(r1, r0 + 1)):
            for c in range(c0, max(c1, c0 + 1)):
                owner.setdefault((r, c), k)
    by_cell: dict[int, list[Char]] = {}
    for ch in chars:
        c = bisect.bisect_right(xs, (ch.x0 + ch.x1) / 2) - 1
        r = bisect.bisect_right(ys, (ch.top + ch.bottom) / 2) - 1
        found = owner.get((min(max(r, 0), n_rows - 1), min(max(c, 0), n_cols - 1)))
        if found is not None:
            by_cell.setdefault(found, []).append(ch)
    texts = {k: join_lines([line.text for line in build_lines(cs)]) for k, cs in by_cell.items()}
    rows = [[texts.get(owner.get((r, c), -1), "") for c in range(n_cols)] for r in range(n_rows)]
    return square(rows)


class _EdgesOnly:
    """What ``pdfplumber.table.TableFinder`` needs of a page: its edges."""

    def __init__(self, edges: list[dict[str, Any]]) -> None:
        self.edges = edges
        self.bbox = (0.0, 0.0, 0.0, 0.0)


def find_tables(
    edges: list[dict[str, Any]], chars: list[Char]
) -> tuple[list[Char], list[PageTable]]:
    """The tables the rules draw, with their text; and the characters outside them."""
    from pdfplumber.table import TableFinder

    closing = _closing_rules(edges)
    settings = {"explicit_horizontal_lines": closing} if closing else {}
    tables: list[PageTable] = []
    boxes: list[Box] = []
    for found in TableFinder(_EdgesOnly([*edges]), settings).tables:  # type: ignore[arg-type]
        cells = [_box(cell) for cell in found.cells]
        if len(cells) < 2:
            continue
        bbox = _box(found.bbox)
        inside = [
            ch
            for ch in chars
            if _inside((ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2, bbox, _TABLE_CHARS_SLACK)
        ]
        rows = _table_rows(cells, inside)
        if not rows or len(rows[0]) < 2:
            continue  # a frame around text, not a table
        if any(len(cell) > _LAYOUT_CELL_CHARS for row in rows for cell in row):
            continue
        tables.append(PageTable(rows=rows, top=bbox[1]))
        boxes.append(bbox)
    if boxes:
        chars = [
            ch
            for ch in chars
            if not any(
                _inside((ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2, box, _TABLE_CHARS_SLACK)
                for box in boxes
            )
        ]
    return chars, tables


# --- lines to paragraphs -------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


class _Margins:
    def __init__(self, pages: list[list[PageItem]]) -> None:
        lines = [it for page in pages for it in page if isinstance(it, Line) and len(it.text) >= 6]
        self.left = _percentile([line.x0 for line in lines], 0.1) if lines else 0.0
        self.right = _percentile([line.x1 for line in lines], 0.9) if lines else 0.0
        # Too few lines reach the right margin to tell a full line from a short one:
        # not prose set to a measure (a list, a form, a title page).  No line runs on.
        full = [line for line in lines if line.x1 >= self.right - 0.8 * line.size]
        self.prose = len(full) >= _MIN_FULL_LINES

    def runs_on(self, prev: Line, line: Line) -> bool:
        """Does ``line`` continue the paragraph that ``prev`` ended?"""
        if not self.prose:
            return False
        if prev.x1 < self.right - 0.8 * prev.size:
            return False  # the previous line stops short of the margin: its paragraph ended
        if line.x0 > self.left + 0.5 * line.size:
            return False  # indented: a new paragraph
        if abs(line.size - prev.size) > 0.2 * prev.size:
            return False
        return not _ITEM_START_RE.match(line.text)


def assemble(pages: list[list[PageItem]]) -> list[Block]:
    """Pages of lines and tables (each in reading order) into paragraphs and tables."""
    margins = _Margins(pages)
    blocks: list[Block] = []
    prev: Line | None = None  # the last line, while it may still run on
    for page in pages:
        first_on_page = True
        for item in page:
            if isinstance(item, PageTable):
                last = blocks[-1] if blocks else None
                if (
                    first_on_page
                    and isinstance(last, list)
                    and last
                    and len(last[0]) == len(item.rows[0])
                ):
                    last.extend(item.rows)  # the table goes on from the previous page
                else:
                    blocks.append(item.rows)
                prev = None
            else:
                gap_ok = prev is not None and (
                    first_on_page or item.top - prev.bottom <= 1.2 * prev.size
                )
                last_text = blocks[-1] if blocks else None
                if (
                    prev is not None
                    and isinstance(last_text, str)
                    and gap_ok
                    and margins.runs_on(prev, item)
                ):
                    blocks[-1] = join_fragments(last_text, item.text)
                else:
                    blocks.append(item.text)
                prev = item
            first_on_page = False
    return blocks


# --- the document ---------------------------------------------------------------------------

_META_KEYS = {
    "Title": "DocTitle",
    "Author": "DocAuthor",
    "Subject": "DocSubject",
    "Keywords": "DocKeywords",
    "Creator": "DocCreator",
    "Producer": "DocProducer",
    "CreationDate": "DocCreated",
    "ModDate": "DocModified",
}


def _metadata(pdf: Any) -> dict[str, str]:
    try:
        raw_meta = pdf.get_metadata_dict(skip_empty=True)
    except Exception:
        return {}
    return {_META_KEYS[k]: str(v).strip() for k, v in raw_meta.items() if k in _META_KEYS and v}


def read_pdf(body: bytes) -> Content:
    """A PDF's text, tables and metadata.  Raises ``Unreadable``."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        pdf = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as exc:
        encrypted = "password" in str(exc).lower()
        raise Unreadable("encrypted pdf" if encrypted else "corrupt pdf") from exc
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise Unreadable("pdf without pages")
        content = Content(meta=_metadata(pdf))
        content.meta["Pages"] = str(n_pages)
        content.doc_title = content.meta.get("DocTitle")
        started = time.perf_counter()
        pages: list[list[PageItem]] = []
        n_chars = 0
        for index in range(min(n_pages, MAX_PAGES)):
            if time.perf_counter() - started > TIME_BUDGET:
                break
            items = _read_page(pdf, index, raw)
            n_chars += sum(_item_chars(it) for it in items)
            pages.append(items)
        if len(pages) < n_pages:
            content.flags.append(TRUNCATED)
        if n_chars < MIN_CHARS_PER_PAGE * max(len(pages), 1):
            content.flags.append(NO_TEXT_LAYER)
        content.meta["PagesRead"] = str(len(pages))
        content.blocks = assemble(pages)
        return content
    finally:
        pdf.close()


def _item_chars(item: PageItem) -> int:
    if isinstance(item, Line):
        return len(item.text)
    return sum(len(cell) for row in item.rows for cell in row)


def _read_page(pdf: Any, index: int, raw: Any) -> list[PageItem]:
    try:
        page = pdf[index]
    except Exception:
        return []
    try:
        height = float(page.get_height())
        textpage = page.get_textpage()
        try:
            raw_chars = _pdfium_chars(textpage, raw)
        finally:
            textpage.close()
        orientation = page_orientation(raw_chars, height)
        chars = oriented_chars(raw_chars, orientation)
        edges = ruling_edges(page, raw, orientation)
    except Exception:
        return []
    finally:
        page.close()
    page_tables: list[PageTable] = []
    if edges and len(edges) >= _MIN_RULES:
        try:
            chars, page_tables = find_tables(edges, chars)
        except Exception:
            page_tables = []  # text without tables rather than nothing
    lines = _drop_page_numbers(build_lines(chars))
    items: list[PageItem] = [*lines, *page_tables]
    items.sort(key=lambda it: it.top)
    return items
