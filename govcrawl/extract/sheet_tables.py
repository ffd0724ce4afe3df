"""Spreadsheets (.xls with xlrd, .xlsx with openpyxl): every sheet a table.

Cells become strings (whole numbers without ``.0``, dates as ISO dates),
merged ranges repeat their top-left value over the cells they cover (as HTML
row/colspans do), empty rows and trailing empty columns go.  With more than
one sheet, each table is preceded by its sheet's name.  Big workbooks are
cut at ``MAX_SHEETS`` sheets, ``MAX_ROWS`` rows and ``MAX_COLS`` columns a
sheet (flag ``truncated``).
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from datetime import date, datetime, time
from typing import Any

from govcrawl.extract.doc_content import TRUNCATED, Block, Content, Table, Unreadable, square
from govcrawl.extract.doc_docx import MAX_XML_BYTES, core_properties

MAX_SHEETS = 50
MAX_ROWS = 5000  # non-empty rows a sheet
MAX_COLS = 200
_MAX_ROW_SCAN = 200_000  # rows looked at a sheet, empty ones included
_MAX_BLANK_RUN = 10_000  # empty rows in a row: the rest of the sheet is padding (a million rows)

_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)\"")


def cell_string(value: object) -> str:
    """A cell value as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _column_index(letters: bytes) -> int:
    n = 0
    for b in letters:
        n = n * 26 + (b - 64)
    return n - 1


def _expand_merges(grid: list[list[str]], merges: list[tuple[int, int, int, int]]) -> None:
    """Fill each merged range (rows lo..hi-1, columns lo..hi-1) with its top-left value."""
    for rlo, rhi, clo, chi in merges:
        if rlo >= len(grid) or (rhi - rlo) * (chi - clo) > 100_000:
            continue
        top = grid[rlo]
        value = top[clo] if clo < len(top) else ""
        for r in range(rlo, min(rhi, len(grid))):
            row = grid[r]
            if len(row) < min(chi, MAX_COLS):
                row.extend([""] * (min(chi, MAX_COLS) - len(row)))
            for c in range(clo, min(chi, MAX_COLS)):
                if not row[c]:
                    row[c] = value


def _sheet_blocks(sheets: list[tuple[str, Table]]) -> list[Block]:
    blocks: list[Block] = []
    named = len(sheets) > 1
    for name, rows in sheets:
        if not rows:
            continue
        if named and name:
            blocks.append(name)
        blocks.append(rows)
    return blocks


# --- .xls --------------------------------------------------------------------------------


def read_xls(body: bytes, meta: dict[str, str] | None = None) -> Content:
    """An Excel 97-2003 workbook."""
    import xlrd

    log = io.StringIO()
    try:
        book = xlrd.open_workbook(
            file_contents=body, formatting_info=True, on_demand=True, logfile=log
        )
    except Exception:
        # formatting_info (needed for merged cells) trips on some files: read values only
        try:
            book = xlrd.open_workbook(file_contents=body, on_demand=True, logfile=log)
        except Exception as exc:
            message = str(exc).lower()
            raise Unreadable("encrypted xls" if "encrypt" in message else "corrupt xls") from exc
    content = Content(meta=dict(meta or {}))
    sheets: list[tuple[str, Table]] = []
    try:
        n_sheets = book.nsheets
        if n_sheets > MAX_SHEETS:
            content.flags.append(TRUNCATED)
        for index in range(min(n_sheets, MAX_SHEETS)):
            sheet = book.sheet_by_index(index)
            grid: list[list[str]] = []
            if sheet.nrows > MAX_ROWS or sheet.ncols > MAX_COLS:
                content.flags.append(TRUNCATED)
            for r in range(min(sheet.nrows, MAX_ROWS)):
                row = []
                for c in range(min(sheet.ncols, MAX_COLS)):
                    row.append(_xls_cell(sheet.cell(r, c), book.datemode))
                grid.append(row)
            _expand_merges(grid, list(getattr(sheet, "merged_cells", []) or []))
            sheets.append((sheet.name, square(grid)))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    content.meta["Sheets"] = str(len(sheets))
    content.blocks = _sheet_blocks(sheets)
    content.flags = sorted(set(content.flags))
    content.doc_title = content.meta.get("DocTitle")
    return content


def _xls_cell(cell: Any, datemode: int) -> str:
    import xlrd

    ctype, value = cell.ctype, cell.value
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if ctype == xlrd.XL_CELL_DATE:
        try:
            return cell_string(xlrd.xldate.xldate_as_datetime(value, datemode))
        except Exception:
            return cell_string(value)
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return cell_string(bool(value))
    return cell_string(value)


# --- .xlsx -------------------------------------------------------------------------------


def _xlsx_merges(zf: zipfile.ZipFile, path: str | None) -> list[tuple[int, int, int, int]]:
    if not path:
        return []
    try:
        info = zf.getinfo(path.lstrip("/"))
        if info.file_size > MAX_XML_BYTES:
            return []
        data = zf.read(info)
    except KeyError:
        return []
    merges = []
    for m in _MERGE_RE.finditer(data):
        c1, r1, c2, r2 = m.groups()
        merges.append((int(r1) - 1, int(r2), _column_index(c1), _column_index(c2) + 1))
    return merges


def read_xlsx(body: bytes) -> Content:
    """An Excel 2007+ workbook."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(
                io.BytesIO(body), read_only=True, data_only=True, keep_links=False
            )
        except Exception as exc:
            raise Unreadable("corrupt xlsx") from exc
        content = Content()
        sheets: list[tuple[str, Table]] = []
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as zf:
                content.meta = core_properties(zf)
                worksheets = list(book.worksheets)
                if len(worksheets) > MAX_SHEETS:
                    content.flags.append(TRUNCATED)
                for ws in worksheets[:MAX_SHEETS]:
                    if not hasattr(ws, "iter_rows"):
                        continue  # a chart sheet
                    grid, truncated = _xlsx_grid(ws)
                    if truncated:
                        content.flags.append(TRUNCATED)
                    merges = _xlsx_merges(zf, getattr(ws, "_worksheet_path", None))
                    _expand_merges(grid, merges)
                    sheets.append((str(ws.title), square(grid)))
        finally:
            book.close()
    content.meta["Sheets"] = str(len(sheets))
    content.blocks = _sheet_blocks(sheets)
    content.flags = sorted(set(content.flags))
    content.doc_title = content.meta.get("DocTitle")
    return content


def _xlsx_grid(ws: Any) -> tuple[list[list[str]], bool]:
    ws.reset_dimensions()  # a sheet's stated dimension can be A1:XFD1048576
    grid: list[list[str]] = []
    kept = blank = 0
    for scanned, values in enumerate(ws.iter_rows(max_col=MAX_COLS, values_only=True)):
        if kept >= MAX_ROWS or scanned >= _MAX_ROW_SCAN or blank >= _MAX_BLANK_RUN:
            del grid[len(grid) - blank :]
            return grid, True
        row = [cell_string(v) for v in values]
        if any(row):
            kept += 1
            blank = 0
            grid.append(row)
        else:
            blank += 1
            grid.append([])  # an empty row holds its place (merged ranges count rows) cheaply
    return grid, False
