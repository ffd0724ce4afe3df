"""Per-region summary of a crawl, read from each crawler's ``govcrawl/*`` stats."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from govcrawl.regions import Region

# Reasons a region's crawl failed: its columns could not be read, or nothing was found.
FAIL_COLUMNS_UNREADABLE = "report columns could not be fetched"
FAIL_NO_REPORTS = "no annual reports found"
#: Outcomes that are the crawl's failures (not the site's walls or soft 404s).
#: (A server's hostile answers bounded by design: too_large, decompression_bomb,
#: redirect_loop, blocked, retry_after, budget_exhausted, are the site's, not the crawl's.)
ERROR_OUTCOMES = frozenset({
    "http_error", "timeout", "connection_error", "dns_error", "error", "extract_error",
    "browser_unavailable", "unreadable", "corrupt_file", "truncated",
})  # fmt: skip
DEFAULT_MAX_ERROR_RATE = 0.5


@dataclass
class RegionSummary:
    slug: str
    name: str
    code: str
    reports: int = 0
    years: list[int] = field(default_factory=list)
    listing_pages: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    failure: str | None = None
    listing_errors: dict[str, int] = field(default_factory=dict)
    fetches: int = 0
    error_rate: float = 0.0
    budget_exhausted: bool = False
    skipped_locked: bool = False

    @property
    def failed(self) -> bool:
        return self.failure is not None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(
    region: Region, stats: Mapping[str, Any], max_error_rate: float = DEFAULT_MAX_ERROR_RATE
) -> RegionSummary:
    prefix = "govcrawl/"
    skipped = {
        key[len(prefix + "skipped/") :]: int(value)
        for key, value in stats.items()
        if key.startswith(prefix + "skipped/") and value
    }
    listing_errors = {
        key[len(prefix + "listing_error/") :]: int(value)
        for key, value in stats.items()
        if key.startswith(prefix + "listing_error/") and value
    }
    summary = RegionSummary(
        slug=region.slug,
        name=region.name,
        code=region.code,
        reports=int(stats.get(prefix + "reports", 0)),
        years=list(stats.get(prefix + "years", [])),
        listing_pages=int(stats.get(prefix + "listing_pages", 0)),
        skipped=dict(sorted(skipped.items())),
        listing_errors=listing_errors,
    )
    pages = sum(int(v) for k, v in stats.items() if k.startswith(prefix + "outcome/"))
    errors = sum(n for reason, n in skipped.items() if reason in ERROR_OUTCOMES)
    listing_failures = sum(listing_errors.values())
    fetches = pages + errors + summary.listing_pages + listing_failures
    summary.fetches = fetches
    summary.error_rate = (errors + listing_failures) / fetches if fetches else 0.0
    summary.budget_exhausted = bool(skipped.get("page_budget") or skipped.get("column_pages"))
    readable = summary.listing_pages - int(stats.get(prefix + "empty_listing_pages", 0))
    if readable <= 0:
        detail = ", ".join(f"{k} {v}" for k, v in listing_errors.items()) or "empty column"
        summary.failure = f"{FAIL_COLUMNS_UNREADABLE} ({detail})"
    elif summary.reports == 0:
        summary.failure = FAIL_NO_REPORTS
    elif summary.error_rate > max_error_rate:
        summary.failure = (
            f"error rate {summary.error_rate:.0%} of {fetches} fetches "
            f"(more than {max_error_rate:.0%})"
        )
    return summary


def run_stats(summaries: Sequence[RegionSummary], outcomes: Mapping[str, int]) -> dict[str, Any]:
    """What a finished run records in ``crawl_run.stats``."""
    return {
        "regions": {s.slug: s.as_dict() for s in summaries},
        "outcomes": dict(outcomes),
        "reports": sum(s.reports for s in summaries),
    }


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _years(years: Sequence[int]) -> str:
    if not years:
        return "-"
    years = sorted(years)
    runs: list[str] = []
    start = prev = years[0]
    for year in [*years[1:], None]:
        if year is not None and year == prev + 1:
            prev = year
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if year is not None:
            start = prev = year
    return ", ".join(runs)


def format_table(summaries: Sequence[RegionSummary]) -> str:
    header = ["jurisdiction", "reports", "years", "skipped (why)", "status"]
    rows = []
    for s in summaries:
        skipped = ", ".join(f"{reason} {n}" for reason, n in s.skipped.items()) or "-"
        status = f"FAILED: {s.failure}" if s.failure else "ok"
        rows.append(
            [f"{s.name} ({s.slug} {s.code})", str(s.reports), _years(s.years), skipped, status]
        )
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(header)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
    total = sum(s.reports for s in summaries)
    failed = [s.slug for s in summaries if s.failed]
    lines.append(
        f"{total} reports from {len(summaries)} jurisdictions"
        + (f"; FAILED: {', '.join(failed)}" if failed else "")
    )
    return "\n".join(lines)
