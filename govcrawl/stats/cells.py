"""Cells: what a table cell says (a number, or empty, ``-``, ``/``, ``无``), and the rows
the parsers read (a stored grid, or the ``cell | cell`` lines of the text)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

#: kinds of cell: a number, or one of the ways a report leaves a cell without one
NUMBER, EMPTY, DASH, SLASH, NONE, TEXT = "number", "empty", "dash", "slash", "none", "text"
VALUE_KINDS = frozenset({NUMBER, EMPTY, DASH, SLASH, NONE})

_SPACE_RE = re.compile(r"\s+")
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DASH_RE = re.compile(r"^[-—–―‐‑─━]+$")
_SLASH_RE = re.compile(r"^[/\\／]+$")
UNIT_RE = re.compile(r"^(?:件|条|个|次|人次|人|万元|元|篇|期|份|家|项|场|本|户|天|%)$")
_UNIT_SUFFIX_RE = re.compile(r"(?<=\d)(?:件|条|个|次|人次|人|万元|元|篇|期|份|家|项|场)$")

Number = int | Decimal


@dataclass(frozen=True)
class Reading:
    raw: str  # the cell as written (whitespace trimmed)
    kind: str  # number / empty / dash / slash / none / text
    value: Number | None = None
    unit: str | None = None  # a unit written in the cell itself (``3件``)

    @property
    def is_value(self) -> bool:
        return self.kind in VALUE_KINDS


#: Cells and labels repeat from report to report (the national format's forms):
#: ``norm`` and ``read`` remember the last few thousand they saw.
_CACHE_SIZE = 8192


@lru_cache(maxsize=_CACHE_SIZE)
def norm(text: str) -> str:
    """NFKC, no whitespace, no ★ marks: the form labels are matched in."""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text)).replace("★", "")


@lru_cache(maxsize=_CACHE_SIZE)
def read(raw: str) -> Reading:
    """What one cell says."""
    shown = _SPACE_RE.sub(" ", raw).strip()
    text = norm(shown)
    if not text:
        return Reading(shown, EMPTY)
    unit = None
    suffix = _UNIT_SUFFIX_RE.search(text)
    if suffix:
        unit = suffix.group(0)
        text = text[: suffix.start()]
    if _GROUPED_RE.match(text):
        text = text.replace(",", "")
    if _NUMBER_RE.match(text):
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return Reading(shown, TEXT)
        value: Number = int(number) if "." not in text else number
        return Reading(shown, NUMBER, value, unit)
    if _DASH_RE.match(text):
        return Reading(shown, DASH)
    if _SLASH_RE.match(text):
        return Reading(shown, SLASH)
    if text == "无":
        return Reading(shown, NONE)
    return Reading(shown, TEXT)


def is_value(raw: str) -> bool:
    return read(raw).is_value


def split_label(row: Sequence[str]) -> tuple[list[str], list[str]]:
    """(label cells, value cells): the labels run to the last cell that is not a value."""
    last = -1
    for i, cell in enumerate(row):
        if not is_value(cell):
            last = i
    return list(row[: last + 1]), list(row[last + 1 :])


def fit(values: list[str], width: int) -> list[str]:
    """Values of a row as the text shows it, trimmed to the table's width: padding
    (empty cells a renderer added after the row, or before it) goes first."""
    out = list(values)
    while len(out) > width and out and not norm(out[-1]):
        out.pop()
    while len(out) > width and out and not norm(out[0]):
        out.pop(0)
    return out[:width] if len(out) > width else out


class Row(NamedTuple):  # a tuple: quick to make, a report has hundreds
    cells: list[str]
    source: str  # "grid" (document_version.tables) or "text"
    grid: int  # which grid (or -1: a line of text)
    heading: str | None = None  # a text line that is not a table row (a section heading)


def grid_rows(tables: Sequence[Sequence[Sequence[str]]]) -> Iterator[Row]:
    for index, table in enumerate(tables):
        for row in table:
            yield Row([str(c) if c is not None else "" for c in row], "grid", index)


def text_rows(text: str) -> Iterator[Row]:
    """Each ``cell | cell`` line a row; other lines are headings between the tables."""
    for line in text.splitlines():
        if "|" in line:
            body = line.strip()
            cells = [c.strip() for c in body.split("|")]
            yield Row(cells, "text", -1)
        elif line.strip():
            yield Row([], "text", -1, heading=line.strip())


@dataclass(frozen=True)
class StatCell:
    """One parsed cell, addressed by its keys (govcrawl/stats/keys.py)."""

    table: str
    row: str
    column: str
    reading: Reading
    source: str = "grid"  # where it was read: "grid" (the stored tables) or "text"
    unit: str | None = None  # 万元, 件, 人次 ... when the table or the cell says

    @property
    def ref(self) -> str:
        return f"{self.table}/{self.row}/{self.column}"


class CellSet:
    """Parsed cells, the first reading of each address kept."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str, str], StatCell] = {}

    def add(self, cell: StatCell) -> None:
        self.cells.setdefault((cell.table, cell.row, cell.column), cell)

    def has_table(self, table: str) -> bool:
        return any(key[0] == table for key in self.cells)

    def __len__(self) -> int:
        return len(self.cells)

    def __iter__(self) -> Iterator[StatCell]:
        return iter(self.cells.values())
