"""One report's numbers: its cells, which format they follow, the checks' result and
the headline figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from govcrawl.stats.cells import NUMBER, CellSet, Number, StatCell
from govcrawl.stats.checks import CheckResult, check
from govcrawl.stats.oldformat import parse_old
from govcrawl.stats.parse import national_format, parse_national

#: the flag a document gets when its current version's tables do not add up
STATS_INCONSISTENT = "stats_inconsistent"
#: bump when the parsers change what they read (``govcrawl stats --rebuild`` redoes all)
PARSER_VERSION = "1"

HEADLINES = ("new_requests", "disclosed", "review_total", "litigation_total", "fees_wan_yuan")


@dataclass
class ReportStats:
    format: str | None  # "2021", "2019", "old"; None when no table was found
    cells: list[StatCell] = field(default_factory=list)
    result: CheckResult = field(default_factory=CheckResult)

    def number(self, table: str, row: str, column: str) -> Number | None:
        for cell in self.cells:
            if (cell.table, cell.row, cell.column) == (table, row, column):
                return cell.reading.value if cell.reading.kind == NUMBER else None
        return None

    def headline(self) -> dict[str, Number | None]:
        # ``number`` for each figure, from one pass over the cells (the first of an address).
        first: dict[tuple[str, str, str], StatCell] = {}
        for cell in self.cells:
            first.setdefault((cell.table, cell.row, cell.column), cell)

        def number(table: str, row: str, column: str) -> Number | None:
            cell = first.get((table, row, column))
            if cell is None:
                return None
            return cell.reading.value if cell.reading.kind == NUMBER else None

        litigation = number("review_litigation", "litigation", "total")
        if litigation is None:
            direct = number("review_litigation", "litigation_direct", "total")
            after = number("review_litigation", "litigation_after_review", "total")
            if direct is not None and after is not None:
                litigation = direct + after
        return {
            "new_requests": number("requests", "new", "total"),
            "disclosed": number("requests", "disclosed", "total"),
            "review_total": number("review_litigation", "review", "total"),
            "litigation_total": litigation,
            "fees_wan_yuan": number("proactive", "fees", "amount_wan_yuan"),
        }

    @property
    def check_label(self) -> str:
        """ok / FAILED (n) / not checked / no tables"""
        if not self.cells:
            return "no tables"
        if self.result.failures:
            return f"FAILED ({len(self.result.failures)})"
        return "ok" if self.result.run else "not checked"


def parse_report(text: str, tables: Sequence[Sequence[Sequence[str]]] | None) -> ReportStats:
    """The statistics of one document version, from its text and grids."""
    grids = tables or []
    cells: CellSet = parse_national(text, grids)
    fmt: str | None = national_format(cells) if len(cells) else None
    if not len(cells):
        cells = parse_old(text, grids)
        fmt = "old" if len(cells) else None
    found = list(cells)
    return ReportStats(fmt, found, check(found))
