"""The arithmetic evaluators check, on the parsed cells of one report.

* ``requests_balance`` — table 三, every column: 一 + 二 = 三（七）总计 + 四 (the rule
  printed on the table: 第一项加第二项之和，等于第三项加第四项之和).
* ``requests_handled_total`` — table 三, every column: （七）总计 = the sum of （一）–（六）
  (a group's items 1–8 / 1–3 / 1–5 / 1–3 where the table itemises it, else its one row).
* ``requests_group_total`` — a group given both as a row and as items: row = sum of items.
* ``requests_row_total`` — table 三, every row: 总计 = the sum of the six applicant columns.
* ``review_total`` — table 四: each 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结.

A cell left empty, ``-``, ``/`` or ``无`` counts as 0 in the sums (it is stored as
written); a check is not run when a cell it needs is missing or holds text. A failure
names the cells involved, the total first; ``suspects`` are the cells shared by two or
more failures (one wrong cell usually breaks a row check and a column check).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from govcrawl.stats import keys
from govcrawl.stats.cells import NUMBER, TEXT, Number, StatCell

REQUESTS, REVIEW = "requests", "review_litigation"


@dataclass(frozen=True)
class Failure:
    check: str
    where: str  # the column (or row) the check is about
    expected: Number  # what the parts add up to
    found: Number  # what the total says
    cells: tuple[str, ...]  # table/row/column of every cell involved, the total first

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "where": self.where,
            "expected": json_number(self.expected),
            "found": json_number(self.found),
            "cells": list(self.cells),
        }


@dataclass
class CheckResult:
    run: int = 0  # checks run
    failures: list[Failure] = field(default_factory=list)

    @property
    def consistent(self) -> bool | None:
        """True: every check passed; False: one failed; None: nothing could be checked."""
        if self.failures:
            return False
        return True if self.run else None

    @property
    def suspects(self) -> list[str]:
        counts = Counter(ref for f in self.failures for ref in set(f.cells))
        return sorted(ref for ref, n in counts.items() if n > 1)


def json_number(value: Number) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class _Values:
    def __init__(self, cells: Iterable[StatCell]) -> None:
        self.cells = {(c.table, c.row, c.column): c for c in cells}

    def has(self, table: str, row: str, column: str) -> bool:
        return (table, row, column) in self.cells

    def get(self, table: str, row: str, column: str) -> Number | None:
        """The cell as a number for the sums (empty, -, /, 无: 0); None: missing or text."""
        cell = self.cells.get((table, row, column))
        if cell is None or cell.reading.kind == TEXT:
            return None
        if cell.reading.kind == NUMBER and cell.reading.value is not None:
            return cell.reading.value
        return 0


def _sum(values: Sequence[Number]) -> Number:
    total: Number = 0
    for v in values:
        total = total + v
    return total


def _compare(
    result: CheckResult,
    values: _Values,
    check: str,
    where: str,
    total: tuple[str, str, str],
    parts: Sequence[tuple[str, str, str]],
) -> None:
    found = values.get(*total)
    numbers = [values.get(*p) for p in parts]
    if found is None or any(n is None for n in numbers):
        return
    expected = _sum([n for n in numbers if n is not None])
    result.run += 1
    if expected != found:
        refs = tuple(keys.cell_ref(*c) for c in (total, *parts))
        result.failures.append(Failure(check, where, expected, found, refs))


def _outcome_parts(values: _Values, column: str) -> list[tuple[str, str, str]] | None:
    """The cells （七）总计 should be the sum of, in this column; None if incomplete."""
    parts: list[tuple[str, str, str]] = []
    for group, items in keys.REQUEST_GROUPS.items():
        present = [i for i in items if values.has(REQUESTS, i, column)]
        if present:
            if len(present) != len(items):
                return None
            parts += [(REQUESTS, i, column) for i in items]
        elif values.has(REQUESTS, group, column):
            parts.append((REQUESTS, group, column))
        else:
            return None
    return parts


def check(cells: Iterable[StatCell]) -> CheckResult:
    values = _Values(cells)
    result = CheckResult()
    columns = [k.key for k in keys.REQUEST_COLUMNS]
    for column in columns:
        left = [(REQUESTS, "new", column), (REQUESTS, "carried_over", column)]
        right = [(REQUESTS, "handled_total", column), (REQUESTS, "carried_forward", column)]
        lv = [values.get(*c) for c in left]
        rv = [values.get(*c) for c in right]
        if all(v is not None for v in (*lv, *rv)):
            result.run += 1
            expected = _sum([v for v in lv if v is not None])
            found = _sum([v for v in rv if v is not None])
            if expected != found:
                refs = tuple(keys.cell_ref(*c) for c in (*right, *left))
                result.failures.append(
                    Failure("requests_balance", column, expected, found, refs)
                )
        parts = _outcome_parts(values, column)
        if parts is not None:
            _compare(
                result,
                values,
                "requests_handled_total",
                column,
                (REQUESTS, "handled_total", column),
                parts,
            )
        for group, items in keys.REQUEST_GROUPS.items():
            if items and values.has(REQUESTS, group, column):
                item_cells = [(REQUESTS, i, column) for i in items]
                if all(values.has(*c) for c in item_cells):
                    _compare(
                        result,
                        values,
                        "requests_group_total",
                        f"{group}/{column}",
                        (REQUESTS, group, column),
                        item_cells,
                    )
    rows = list(dict.fromkeys(r for (t, r, _) in values.cells if t == REQUESTS))
    for row in rows:
        _compare(
            result,
            values,
            "requests_row_total",
            row,
            (REQUESTS, row, "total"),
            [(REQUESTS, row, c) for c in keys.APPLICANT_COLUMNS],
        )
    for review_row in keys.REVIEW_ROWS[:3]:
        _compare(
            result,
            values,
            "review_total",
            review_row.key,
            (REVIEW, review_row.key, "total"),
            [(REVIEW, review_row.key, c) for c in keys.REVIEW_PARTS],
        )
    return result
