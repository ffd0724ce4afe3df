"""Discovery and classification: which links lead to annual reports, and which year they cover."""

from __future__ import annotations

from govcrawl.discovery.classify import is_annual_report, link_is_candidate
from govcrawl.discovery.years import parse_date, report_year

__all__ = ["is_annual_report", "link_is_candidate", "parse_date", "report_year"]
