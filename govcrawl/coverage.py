"""The coverage matrix: which jurisdiction published its annual report for which year.

Rows are the archive's jurisdictions (ordered by division code, so a province is
followed by its prefectures and counties), including those with no report at all;
columns are report years, from the earliest report year in the archive (not
before 2008, the first year the 2008 regulation required a report) through last
year. Each cell holds the jurisdiction's annual reports for that year and one
state, decided in this order:

1. no report in the archive: ``not_yet_due`` while the cell's legal deadline
   (govcrawl/timeliness.py: the following 3月31日, or 1月31日 for a department
   from report year 2019 on) has not passed (on the deadline day it is still
   not due), else ``missing``;
2. ``gone``: every report of the cell has been removed from the portal
   (``gone_at`` set; the archive keeps the copy);
3. otherwise by the earliest publication: ``on_time`` if any report was
   published by its deadline, else ``late`` if any was published after it,
   else ``date_unknown`` (no publication date known). A report published on
   time and re-posted later still counts as on time; gone reports count here
   too when a live one remains.

``revised`` is a marker on top of the found and gone states: a report of the
cell whose text changed on the portal after it was first archived (versions
fetched at two or more different times; re-extracting the same fetch with a
newer extractor is not a revision).

Several reports in one cell (an HTML page and its PDF, a department's report
filed under its government) are all counted; the CSV has the counts per state.

Output: CSV (one row per jurisdiction and year), a self-contained HTML page with
a heat-map table, or a PNG drawn by matplotlib (Agg) with a CJK font when one is
installed, else rows labelled with slugs and a warning.
"""

from __future__ import annotations

import argparse
import csv
import html
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal

from sqlalchemy import Engine, distinct, func, select

from govcrawl.db.models import Document, DocumentVersion, Jurisdiction
from govcrawl.search import Filters, SearchError, region_codes
from govcrawl.timeliness import deadline as legal_deadline

#: No report is due before the 2008 regulation's first year.
FIRST_YEAR = 2008

ON_TIME, LATE, DATE_UNKNOWN, GONE, MISSING, NOT_YET_DUE = (
    "on_time",
    "late",
    "date_unknown",
    "gone",
    "missing",
    "not_yet_due",
)
#: The cell states, in legend order.
STATES = (ON_TIME, LATE, DATE_UNKNOWN, GONE, MISSING, NOT_YET_DUE)
FOUND_STATES = (ON_TIME, LATE, DATE_UNKNOWN, GONE)
LABELS = {
    ON_TIME: "on time",
    LATE: "late",
    DATE_UNKNOWN: "found, date unknown",
    GONE: "gone from the portal",
    MISSING: "missing",
    NOT_YET_DUE: "not yet due",
}
#: Fill colours (HTML and PNG alike): greens found, orange late, pale red missing.
COLOURS = {
    ON_TIME: "#1a9850",
    LATE: "#fd8d3c",
    DATE_UNKNOWN: "#a6d96a",
    GONE: "#8073ac",
    MISSING: "#f4b6b2",
    NOT_YET_DUE: "#eeeeee",
}
#: States whose cells take white text.
DARK = (ON_TIME, GONE)
REVISED_MARK = "*"

CSV_FIELDS = (
    "code",
    "name",
    "level",
    "province",
    "year",
    "state",
    "reports",
    "on_time",
    "late",
    "revised",
    "document_ids",
    "gone",
    "deadline",
)
FORMATS = ("html", "csv", "png")
_SUFFIX_FORMATS = {".csv": "csv", ".html": "html", ".htm": "html", ".png": "png"}

#: CJK fonts preferred for the PNG, best first; any other installed font that
#: covers every character of the labels is used when none of these is there.
CJK_FONTS = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "AR PL UKai CN",
)
#: The Debian package to suggest when no CJK font is installed.
CJK_FONT_PACKAGE = "fonts-wqy-microhei"
#: Agg cannot draw images taller or wider than 2^16 pixels.
MAX_PIXELS = 60_000


class CoverageError(ValueError):
    """A request the matrix cannot answer (bad filter, empty archive); one line."""


@dataclass(frozen=True)
class Report:
    id: int
    title: str | None
    url: str
    published_at: date | None
    deadline: date | None
    on_time: bool | None
    gone_at: datetime | None
    versions: int  # archived versions of the text
    fetches: int  # distinct fetch times among them (>1: changed on the portal)

    @property
    def revised(self) -> bool:
        return self.fetches > 1


@dataclass(frozen=True)
class Cell:
    year: int
    state: str
    deadline: date
    reports: tuple[Report, ...] = ()

    @property
    def revised(self) -> bool:
        return any(r.revised for r in self.reports)

    @property
    def found(self) -> bool:
        return self.state in FOUND_STATES

    def count(self, what: str) -> int:
        """Reports of the cell that are on time / late / revised / gone."""
        return sum(1 for r in self.reports if _is(r, what))


def _is(report: Report, what: str) -> bool:
    if what == ON_TIME:
        return report.on_time is True
    if what == LATE:
        return report.on_time is False
    if what == "revised":
        return report.revised
    if what == GONE:
        return report.gone_at is not None
    raise ValueError(f"unknown report count {what!r}")


@dataclass(frozen=True)
class Row:
    code: str
    slug: str
    name: str
    level: str
    province: str
    depth: int  # ancestors among the archive's jurisdictions (indentation)
    cells: tuple[Cell, ...]

    @property
    def found(self) -> int:
        return sum(1 for c in self.cells if c.found)

    @property
    def due(self) -> int:
        """Cells whose deadline has passed, or that have a report anyway."""
        return sum(1 for c in self.cells if c.state != NOT_YET_DUE)


@dataclass(frozen=True)
class Coverage:
    years: tuple[int, ...]
    rows: tuple[Row, ...]
    today: date
    #: Annual reports of the rows that have no year in the columns (unknown or implausible).
    unplaced: int = 0
    filters: dict[str, str] = field(default_factory=dict)

    def states(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for row in self.rows:
            for cell in row.cells:
                counts[cell.state] += 1
        return counts


def cell_state(
    reports: Sequence[Report], due: date, today: date
) -> str:
    """The state of one cell (see the module docstring for the order)."""
    if not reports:
        return NOT_YET_DUE if today <= due else MISSING
    if all(r.gone_at is not None for r in reports):
        return GONE
    if any(r.on_time is True for r in reports):
        return ON_TIME
    if any(r.on_time is False for r in reports):
        return LATE
    return DATE_UNKNOWN


def cell_deadline(year: int, level: str) -> date:
    due = legal_deadline(year, level == "department")
    assert due is not None
    return due


def _select_rows(
    jurisdictions: list[tuple[str, str, str, str, str | None, str]], filters: Filters
) -> list[tuple[str, str, str, str, str | None, str]]:
    chosen = []
    for row in jurisdictions:
        code, _, _, level, _, province = row
        if filters.region_codes is not None and code not in filters.region_codes:
            continue
        if filters.level and level != filters.level:
            continue
        if filters.province and province != filters.province:
            continue
        chosen.append(row)
    return chosen


def _depths(parents: dict[str, str | None]) -> dict[str, int]:
    depths: dict[str, int] = {}
    for code in parents:
        depth, parent, seen = 0, parents[code], {code}
        while parent in parents and parent not in seen:
            seen.add(parent)
            depth += 1
            parent = parents[parent]
        depths[code] = depth
    return depths


def coverage(
    engine: Engine, filters: Filters | None = None, today: date | None = None
) -> Coverage:
    """The matrix of the archive's jurisdictions (those `filters` selects by region,
    level and province) by report year, as of `today` (default: the current date)."""
    filters = filters or Filters()
    today = today or date.today()
    fetches = (
        select(
            DocumentVersion.document_id.label("document_id"),
            func.count().label("versions"),
            func.count(distinct(DocumentVersion.fetched_at)).label("fetches"),
        )
        .group_by(DocumentVersion.document_id)
        .subquery()
    )
    with engine.connect() as conn:
        jurisdictions = [
            (str(c), str(s), str(n), str(lv), p, str(pr))
            for c, s, n, lv, p, pr in conn.execute(
                select(
                    Jurisdiction.code,
                    Jurisdiction.slug,
                    Jurisdiction.name,
                    Jurisdiction.level,
                    Jurisdiction.parent_code,
                    Jurisdiction.province,
                ).order_by(Jurisdiction.code)
            )
        ]
        documents = conn.execute(
            select(
                Document.id,
                Document.jurisdiction_code,
                Document.report_year,
                Document.title,
                Document.url,
                Document.published_at,
                Document.deadline,
                Document.on_time,
                Document.gone_at,
                func.coalesce(fetches.c.versions, 0),
                func.coalesce(fetches.c.fetches, 0),
            )
            .outerjoin(fetches, fetches.c.document_id == Document.id)
            .where(Document.is_annual_report.is_(True))
            .order_by(Document.published_at, Document.id)
        ).all()
    if not jurisdictions:
        raise CoverageError("the archive has no jurisdictions yet (crawl first, or check --db)")
    chosen = _select_rows(jurisdictions, filters)
    if not chosen:
        raise CoverageError(
            "no jurisdiction in the archive matches "
            + " ".join(f"--{k} {v}" for k, v in _filter_words(filters).items())
        )

    plausible = [
        int(d.report_year)
        for d in documents
        if d.report_year is not None and FIRST_YEAR <= d.report_year <= today.year
    ]
    last = max([today.year - 1, *plausible])
    first = min([last, *plausible])
    years = tuple(range(first, last + 1))

    by_cell: dict[tuple[str, int], list[Report]] = {}
    codes = {row[0] for row in chosen}
    unplaced = 0
    for doc_id, code, year, title, url, published, due, timely, gone, versions, times in documents:
        if code not in codes:
            continue
        if year is None or not first <= year <= last:
            unplaced += 1
            continue
        report = Report(
            int(doc_id), title, url, published, due, timely, gone, int(versions), int(times)
        )
        by_cell.setdefault((code, int(year)), []).append(report)

    depths = _depths({row[0]: row[4] for row in chosen})
    rows = []
    for code, slug, name, level, _, province in chosen:
        cells = []
        for year in years:
            reports = tuple(by_cell.get((code, year), ()))
            due = cell_deadline(year, level)
            cells.append(Cell(year, cell_state(reports, due, today), due, reports))
        rows.append(Row(code, slug, name, level, province, depths[code], tuple(cells)))
    return Coverage(years, tuple(rows), today, unplaced, _filter_words(filters))


def _filter_words(filters: Filters) -> dict[str, str]:
    words = {}
    if filters.region_codes is not None:
        words["region"] = filters.region_codes[0] if filters.region_codes else ""
    if filters.level:
        words["level"] = filters.level
    if filters.province:
        words["province"] = filters.province
    return words


# -- CSV -----------------------------------------------------------------------------------------


def csv_rows(cov: Coverage) -> Iterable[dict[str, Any]]:
    for row in cov.rows:
        for cell in row.cells:
            yield {
                "code": row.code,
                "name": row.name,
                "level": row.level,
                "province": row.province,
                "year": cell.year,
                "state": cell.state,
                "reports": len(cell.reports),
                "on_time": cell.count(ON_TIME),
                "late": cell.count(LATE),
                "revised": cell.count("revised"),
                "document_ids": ";".join(str(r.id) for r in cell.reports),
                "gone": cell.count(GONE),
                "deadline": cell.deadline.isoformat(),
            }


def write_csv(cov: Coverage, out: IO[str]) -> int:
    """One row per jurisdiction and year; returns the number of rows."""
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in csv_rows(cov):
        writer.writerow(record)
        count += 1
    return count


# -- HTML ----------------------------------------------------------------------------------------

_CSS = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC",
  "Microsoft YaHei", "Source Han Sans SC", sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .3em; }
p.meta { color: #555; margin: 0 0 .8em; }
ul.legend { list-style: none; padding: 0; margin: 0 0 1em; display: flex; flex-wrap: wrap;
  gap: .4em 1.2em; }
ul.legend li { display: flex; align-items: center; gap: .35em; }
ul.legend .swatch { display: inline-block; width: 1.6em; height: 1.1em; text-align: center;
  font-size: .85em; line-height: 1.1em; border: 1px solid #999; }
table.coverage { border-collapse: collapse; font-size: .85em; }
table.coverage th, table.coverage td { border: 1px solid #fff; padding: 0; }
table.coverage thead th { position: sticky; top: 0; background: #fff; padding: .2em .3em;
  font-weight: normal; color: #444; }
table.coverage th.j { position: sticky; left: 0; background: #fff; text-align: left;
  white-space: nowrap; padding: .15em .6em .15em .3em; font-weight: normal; }
th.j .level { color: #777; font-size: .85em; margin-left: .4em; }
td.cell { width: 2.6em; min-width: 2.6em; height: 1.6em; text-align: center; }
td.total, tfoot td { text-align: center; color: #444; padding: 0 .4em; }
tfoot th { text-align: left; font-weight: normal; color: #444; padding: .2em .3em; }
"""


def _state_css() -> str:
    lines = []
    for state in STATES:
        ink = "#fff" if state in DARK else "#222"
        lines.append(f".s-{state} {{ background: {COLOURS[state]}; color: {ink}; }}")
    lines.append(".revised { font-weight: bold; box-shadow: inset 0 0 0 2px #111; }")
    return "\n".join(lines)


def _report_line(report: Report) -> str:
    parts = [report.title or "(untitled)"]
    if report.published_at is not None:
        timing = {True: "on time", False: "late", None: "timeliness unknown"}[report.on_time]
        parts.append(f"published {report.published_at.isoformat()} ({timing})")
    else:
        parts.append("publication date unknown")
    if report.revised:
        parts.append(f"revised ({report.versions} versions)")
    if report.gone_at is not None:
        parts.append(f"gone since {report.gone_at.date().isoformat()}")
    parts.append(f"#{report.id}")
    return " — ".join(parts)


def cell_title(row: Row, cell: Cell) -> str:
    """The hover text of a cell (plain text; escape it before use)."""
    head = f"{row.name} {cell.year}: {LABELS[cell.state]}"
    if cell.revised:
        head += ", revised"
    lines = [head, f"deadline {cell.deadline.isoformat()}"]
    if cell.reports:
        lines.append(f"{len(cell.reports)} report(s):")
        lines += ["• " + _report_line(r) for r in cell.reports]
    return "\n".join(lines)


def cell_text(cell: Cell) -> str:
    """What a cell shows: its report count, and the revised mark."""
    if not cell.reports:
        return ""
    return f"{len(cell.reports)}{REVISED_MARK if cell.revised else ''}"


def render_html(cov: Coverage) -> str:
    """A self-contained page (inline CSS, no script, no external resource)."""
    esc = html.escape
    years = cov.years
    states = cov.states()
    span = f"{years[0]}–{years[-1]}" if years else "-"
    scope = ", ".join(f"{k} {v}" for k, v in cov.filters.items())
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>govcrawl: annual-report coverage</title>",
        f"<style>{_CSS}{_state_css()}\n</style>",
        "</head>",
        "<body>",
        "<h1>政府信息公开工作年度报告 · annual-report coverage</h1>",
        '<p class="meta">'
        + esc(
            f"{len(cov.rows)} jurisdictions × report years {span}"
            + (f" ({scope})" if scope else "")
            + f", as of {cov.today.isoformat()}. A year's reports are due by 31 March of the "
            "next year (departments: 31 January, from 2019 on)."
        )
        + "</p>",
        '<ul class="legend">',
    ]
    for state in STATES:
        out.append(
            f'<li><span class="swatch s-{state}"></span>{esc(LABELS[state])} '
            f'<span class="n">({states[state]})</span></li>'
        )
    out.append(
        f'<li><span class="swatch revised">{REVISED_MARK}</span>revised (text changed on the '
        "portal after it was archived); the number is the count of reports</li>"
    )
    out.append("</ul>")
    out.append('<table class="coverage">')
    out.append(
        "<thead><tr><th>jurisdiction</th>"
        + "".join(f'<th scope="col">{y}</th>' for y in years)
        + '<th scope="col">found</th></tr></thead>'
    )
    out.append("<tbody>")
    for row in cov.rows:
        cells = []
        for cell in row.cells:
            classes = f"cell s-{cell.state}" + (" revised" if cell.revised else "")
            cells.append(
                f'<td class="{classes}" title="{esc(cell_title(row, cell))}">'
                f"{esc(cell_text(cell))}</td>"
            )
        pad = f"{0.3 + 1.1 * row.depth:.1f}em"
        out.append(
            f'<tr id="j{esc(row.code)}"><th class="j level-{esc(row.level)}" scope="row" '
            f'style="padding-left: {pad}" title="{esc(row.code)} {esc(row.slug)}">'
            f'{esc(row.name)}<span class="level">{esc(row.level)} · {esc(row.code)}</span></th>'
            + "".join(cells)
            + f'<td class="total">{row.found}/{row.due}</td></tr>'
        )
    out.append("</tbody>")
    totals = []
    for i in range(len(years)):
        column = [row.cells[i] for row in cov.rows]
        found = sum(1 for c in column if c.found)
        totals.append(f"<td>{found}/{sum(1 for c in column if c.state != NOT_YET_DUE)}</td>")
    out.append(
        '<tfoot><tr><th title="found / due">found</th>' + "".join(totals) + "<td></td></tr></tfoot>"
    )
    out.append("</table>")
    if cov.unplaced:
        out.append(
            f'<p class="meta">{cov.unplaced} report(s) of these jurisdictions have no known '
            "or plausible report year and are not in the table.</p>"
        )
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


# -- PNG -----------------------------------------------------------------------------------------


def _installed_fonts() -> list[tuple[str, str]]:
    """(family, file) of the fonts fontconfig says cover Chinese, then of every font
    matplotlib knows."""
    fonts: list[tuple[str, str]] = []
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            listed = subprocess.run(
                [fc_list, "--format", "%{family[0]}\t%{file}\n", ":lang=zh"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            listed = ""
        for line in listed.splitlines():
            family, _, path = line.partition("\t")
            if path:
                fonts.append((family, path))
    from matplotlib import font_manager

    fonts += [(entry.name, entry.fname) for entry in font_manager.fontManager.ttflist]
    return fonts


def _covers(path: str, needed: set[int], cache: dict[str, set[int]]) -> bool:
    if path not in cache:
        from matplotlib import ft2font

        try:
            cache[path] = set(ft2font.FT2Font(path).get_charmap())
        except (OSError, RuntimeError, ValueError):
            cache[path] = set()
    return needed <= cache[path]


def find_cjk_font(text: str, fonts: Sequence[tuple[str, str]] | None = None) -> str | None:
    """The file of an installed font that has a glyph for every non-ASCII character
    of `text` (a preferred CJK family first), or None."""
    needed = {ord(ch) for ch in text if ord(ch) > 0x7F and not ch.isspace()}
    fonts = _installed_fonts() if fonts is None else fonts

    def rank(font: tuple[str, str]) -> tuple[int, str]:
        family, path = font
        return (CJK_FONTS.index(family) if family in CJK_FONTS else len(CJK_FONTS), path)

    cache: dict[str, set[int]] = {}
    seen: set[str] = set()
    for _, path in sorted(fonts, key=rank):
        if path in seen:
            continue
        seen.add(path)
        if _covers(path, needed, cache):
            return path
    return None


Font = str | None | Literal["auto"]


def png_labels(
    cov: Coverage, font: Font = "auto", fonts: Sequence[tuple[str, str]] | None = None
) -> tuple[list[str], str | None, list[str]]:
    """The PNG's row labels, the font file to draw them with (None: matplotlib's
    default) and warnings. `font`: a font file, None (no CJK font: label rows by
    slug) or "auto": an installed font (`fonts`: (family, file) pairs, default
    the system's) that covers the names, else slugs and a warning."""
    names = [f"{row.name}  {row.code}" for row in cov.rows]
    warnings: list[str] = []
    text = "".join(names)
    if font == "auto":
        if text.isascii():
            return names, None, warnings
        font = find_cjk_font(text, fonts)
        if font is None:
            warnings.append(
                f"no CJK font installed (e.g. Debian's {CJK_FONT_PACKAGE}): PNG rows are "
                "labelled with slugs instead of Chinese names"
            )
    if font is None and not text.isascii():
        # a slug the default font may not draw (not ASCII) is left out: the code stays
        names = [f"{r.slug}  {r.code}" if r.slug.isascii() else r.code for r in cov.rows]
    return names, font, warnings


def render_png(
    cov: Coverage,
    out: str | Path | IO[bytes],
    font: Font = "auto",
    fonts: Sequence[tuple[str, str]] | None = None,
) -> list[str]:
    """Draw the matrix as a PNG heat map with a legend (labels and font as
    `png_labels` decides). Returns warnings (one line each) for the user."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import Patch, Rectangle

    names, font_file, warnings = png_labels(cov, font, fonts)
    label_font = FontProperties(fname=font_file) if font_file else None

    nrows, ncols = len(cov.rows), len(cov.years)
    width = 5.0 + 0.12 * max(len(n) for n in names) + 0.42 * ncols
    height = 2.2 + 0.26 * nrows
    dpi = 110
    if max(width, height) * dpi > MAX_PIXELS:
        raise CoverageError(
            f"{nrows} jurisdictions × {ncols} years is too large for a PNG: "
            "narrow it with --province or --region, or use --format html"
        )
    index = {state: i for i, state in enumerate(STATES)}
    grid = [[index[cell.state] for cell in row.cells] for row in cov.rows]

    fig, ax = plt.subplots(figsize=(width, height), dpi=dpi)
    try:
        cmap = ListedColormap([COLOURS[s] for s in STATES])
        ax.imshow(
            grid, cmap=cmap, vmin=-0.5, vmax=len(STATES) - 0.5, aspect="auto",
            interpolation="nearest",
        )
        for y, row in enumerate(cov.rows):
            for x, cell in enumerate(row.cells):
                mark = cell_text(cell)
                if mark:
                    ax.text(
                        x, y, mark, ha="center", va="center", fontsize=8,
                        color="white" if cell.state in DARK else "#222",
                        fontweight="bold" if cell.revised else "normal",
                    )
                if cell.revised:
                    ax.add_patch(
                        Rectangle(
                            (x - 0.42, y - 0.36), 0.84, 0.72, fill=False, edgecolor="#111",
                            linewidth=1.4,
                        )
                    )
        ax.set_xticks(range(ncols), [str(y) for y in cov.years], rotation=90, fontsize=8)
        ax.set_yticks(range(nrows), names, fontsize=9)
        if label_font is not None:
            for label in ax.get_yticklabels():
                label.set_fontproperties(label_font)
                label.set_fontsize(9)
        ax.set_xticks([x - 0.5 for x in range(1, ncols)], minor=True)
        ax.set_yticks([y - 0.5 for y in range(1, nrows)], minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5)
        ax.tick_params(which="minor", length=0)
        ax.tick_params(which="major", length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.xaxis.tick_top()
        counts = cov.states()
        handles = [
            Patch(facecolor=COLOURS[s], edgecolor="#999", label=f"{LABELS[s]} ({counts[s]})")
            for s in STATES
        ]
        handles.append(
            Patch(facecolor="white", edgecolor="#111", linewidth=1.4,
                  label=f"{REVISED_MARK} revised (text changed on the portal)")
        )
        handles.append(Patch(facecolor="white", edgecolor="white", label="N = number of reports"))
        ax.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
            frameon=False, borderaxespad=0,
        )
        ax.set_title(
            f"Annual reports by jurisdiction and year, as of {cov.today.isoformat()}",
            fontsize=10, pad=28,
        )
        fig.savefig(out, format="png", bbox_inches="tight", facecolor="white")
    finally:
        plt.close(fig)
    return warnings


# -- command line -------------------------------------------------------------------------------


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "coverage",
        help="matrix of jurisdictions × years: found / on time / late / revised / missing",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="html (default), csv or png; default from the -o suffix when it is one of these",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write here (default: stdout; png needs -o)"
    )
    parser.add_argument("--province", metavar="CODE", help="province code, e.g. 150000")
    parser.add_argument("--region", metavar="SLUG|CODE", help="a jurisdiction and all under it")
    parser.add_argument(
        "--level", choices=("province", "prefecture", "county", "township", "department")
    )
    parser.add_argument("--db", metavar="URL", help="archive database URL")
    # the date deadlines are judged against (tests; default today)
    parser.add_argument("--today", metavar="YYYY-MM-DD", help=argparse.SUPPRESS)


def output_format(fmt: str | None, output: str | None) -> str:
    if fmt:
        return fmt
    if output:
        return _SUFFIX_FORMATS.get(Path(output).suffix.lower(), "html")
    return "html"


def run_command(args: argparse.Namespace) -> int:
    """Raises ValueError (printed as one line, exit 2) for bad input."""
    from govcrawl.db.engine import open_engine, upgrade
    from govcrawl.reextract import database_url

    fmt = output_format(args.format, args.output)
    if fmt == "png" and not args.output:
        raise CoverageError("--format png needs -o FILE (it is a binary format)")
    province = args.province
    if province is not None and not (len(province) == 6 and province.isdigit()):
        raise CoverageError(f"--province {province!r}: expected a 6-digit code, e.g. 150000")
    today = None
    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            raise CoverageError(f"--today {args.today!r}: expected YYYY-MM-DD") from None

    engine = open_engine(database_url(args))
    try:
        upgrade(engine)
        try:
            codes = region_codes(engine, args.region) if args.region else None
        except SearchError as exc:
            raise CoverageError(str(exc)) from exc
        filters = Filters(region_codes=codes, level=args.level, province=province)
        cov = coverage(engine, filters, today)
    finally:
        engine.dispose()

    if fmt == "png":
        try:
            warnings = render_png(cov, args.output)
        except OSError as exc:
            raise CoverageError(f"{args.output}: cannot write: {exc.strerror or exc}") from exc
        for line in warnings:
            print(f"govcrawl: warning: {line}", file=sys.stderr)
    else:
        try:
            out: IO[str] = (
                open(args.output, "w", encoding="utf-8", newline="")  # noqa: SIM115
                if args.output
                else sys.stdout
            )
        except OSError as exc:
            raise CoverageError(f"{args.output}: cannot write: {exc.strerror or exc}") from exc
        try:
            if fmt == "csv":
                write_csv(cov, out)
            else:
                out.write(render_html(cov))
            out.flush()
        finally:
            if out is not sys.stdout:
                out.close()
    if args.output:
        counts = cov.states()
        summary = ", ".join(f"{counts[s]} {s}" for s in STATES if counts[s])
        print(
            f"wrote {len(cov.rows)} jurisdictions × {len(cov.years)} years to {args.output} "
            f"({summary})",
            file=sys.stderr,
        )
    if cov.unplaced:
        print(
            f"govcrawl: note: {cov.unplaced} report(s) with no known or plausible report year "
            "are not in the matrix",
            file=sys.stderr,
        )
    return 0
