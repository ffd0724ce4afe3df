"""What an extraction worker process does with one fetched page: all the CPU work
on it, so the reactor and the database writer only move results.

Extraction (text, tables, metadata, classification) and, for an annual report,
its statistics tables parsed and checked.
"""

from __future__ import annotations

from govcrawl.extract import Extraction, PageInput, extract_page
from govcrawl.stats.record import StatRows, stat_rows
from govcrawl.stats.report import parse_report


def process_page(job: PageInput) -> tuple[Extraction, StatRows | None]:
    extraction = extract_page(job)
    stats = None
    if extraction.is_annual_report and not extraction.reject:
        stats = stat_rows(parse_report(extraction.text, extraction.tables))
    return extraction, stats
