"""Datasette metadata for the statistics tables: table and column descriptions and
canned queries (``govcrawl serve`` wires them in). The SQL is SQLite's (Datasette
serves the SQLite archive); the year-over-year query also runs on PostgreSQL."""

from __future__ import annotations

from typing import Any

from govcrawl.stats.report import PARSER_VERSION, STATS_INCONSISTENT

_CURRENT = "s.version_id = (SELECT max(v.id) FROM document_version v WHERE v.document_id = d.id)"

#: table -> {title, description, columns: {column: description}}
STATS_TABLES: dict[str, dict[str, Any]] = {
    "report_stat": {
        "title": "Statistics table cells",
        "description": (
            "One row per cell of a report version's statistics tables (二 主动公开, 三 收到和"
            "处理申请, 四 行政复议/行政诉讼; the pre-2019 附表 mapped to the same keys), "
            "addressed by stable keys: table_key / row_key / column_key (README, "
            "'Statistics tables'). A cell left empty, '-', '/' or '无' is kept as written "
            "(kind), never turned into 0."
        ),
        "columns": {
            "id": "row id of the cell",
            "version_id": "the document_version the cell was read from",
            "table_key": "proactive (二), requests (三), review_litigation (四), "
            "legacy (old-format rows with no 2021 equivalent)",
            "row_key": "the row, e.g. new (一、本年新收), disclosed (（一）予以公开), "
            "handled_total (（七）总计), review (行政复议)",
            "column_key": "the column, e.g. natural_person (自然人), total (总计), "
            "amount_wan_yuan (万元), value (old format: the report year's figure)",
            "value": "the number (integer; decimal for 万元); empty when the cell holds none",
            "raw": "the cell exactly as written",
            "kind": "number, empty, dash (-), slash (/), none (无) or text",
            "unit": "unit printed in the table or the cell (万元, 件, 条, 人次), if any",
            "source": "grid (the stored table grid) or text (the text's table lines)",
        },
        "facets": ["table_key", "kind"],
    },
    "report_stat_summary": {
        "title": "Statistics per report version",
        "description": (
            "One row per parsed document version: which format its tables follow, the "
            "headline figures, and the arithmetic checks evaluators run (一+二 = （七）总计+四 "
            "in every column; （七）总计 = sum of （一）–（六）; 总计 column = sum of the "
            "applicant columns; each 行政复议/行政诉讼 总计 = sum of its four parts). A document "
            f"whose current version fails gets the flag {STATS_INCONSISTENT}."
        ),
        "columns": {
            "version_id": "the document_version",
            "document_id": "its document",
            "parser_version": f"the statistics parser that read it (now {PARSER_VERSION})",
            "format": "2021 (国办公开办函〔2021〕30号), 2019 (〔2019〕60号 trial), old "
            "(pre-2019 附表); empty: no statistics table found",
            "cells": "cells read",
            "checks": "arithmetic checks run (a check needing a missing cell is not run)",
            "failed": "checks failed",
            "consistent": "1: every check passed; 0: one failed; empty: nothing to check",
            "failures": "JSON list: check, where (column or row), expected (sum of the parts), "
            "found (the total as written), cells (table/row/column, the total first)",
            "suspects": "JSON list of cells shared by two or more failures (the likely typo)",
            "new_requests": "一、本年新收 申请数量, 总计 (old format: 申请数)",
            "disclosed": "（一）予以公开, 总计 (old format: 同意公开答复数)",
            "review_total": "行政复议 总计 (old format: 行政复议数)",
            "litigation_total": "行政诉讼 总计: 未经复议直接起诉 + 复议后起诉 (old format: "
            "行政诉讼数)",
            "fees_wan_yuan": "第二十条第（八）项 行政事业性收费, 本年收费金额 (万元)",
        },
        "facets": ["format", "consistent"],
    },
}

YEAR_OVER_YEAR_SQL = """
WITH latest AS (
  SELECT d.id AS document_id, d.jurisdiction_code, d.report_year, s.cells,
         s.new_requests, s.disclosed, s.review_total, s.litigation_total, s.fees_wan_yuan,
         ROW_NUMBER() OVER (PARTITION BY d.jurisdiction_code, d.report_year
                            ORDER BY s.cells DESC, d.id) AS pick
  FROM document d
  JOIN report_stat_summary s
    ON s.version_id = (SELECT max(v.id) FROM document_version v WHERE v.document_id = d.id)
  WHERE d.is_annual_report AND d.report_year IS NOT NULL AND s.cells > 0
)
SELECT l.jurisdiction_code, j.name AS jurisdiction, l.report_year, l.document_id,
       LAG(l.report_year) OVER w AS previous_year,
       l.new_requests, l.new_requests - LAG(l.new_requests) OVER w AS new_requests_change,
       ROUND(100.0 * (l.new_requests - LAG(l.new_requests) OVER w)
             / NULLIF(LAG(l.new_requests) OVER w, 0), 1) AS new_requests_change_pct,
       l.disclosed, l.disclosed - LAG(l.disclosed) OVER w AS disclosed_change,
       l.review_total, l.review_total - LAG(l.review_total) OVER w AS review_change,
       l.litigation_total, l.litigation_total - LAG(l.litigation_total) OVER w
         AS litigation_change,
       l.fees_wan_yuan, ROUND(l.fees_wan_yuan - LAG(l.fees_wan_yuan) OVER w, 4) AS fees_change
FROM latest l
LEFT JOIN jurisdiction j ON j.code = l.jurisdiction_code
WHERE l.pick = 1
WINDOW w AS (PARTITION BY l.jurisdiction_code ORDER BY l.report_year)
ORDER BY l.jurisdiction_code, l.report_year
""".strip()

#: name -> {title, description, sql}; parameters left empty in the form mean "any"
STATS_CANNED_QUERIES: dict[str, dict[str, str]] = {
    "report_statistics": {
        "title": "Report statistics",
        "description": (
            "One row per annual report (its current version): format, headline figures "
            "(new requests, disclosed in full, 行政复议 and 行政诉讼 totals, fees in 万元) and "
            "whether its tables add up — what `govcrawl stats` prints. Optional filters: "
            "jurisdiction code (exact) and report year."
        ),
        "sql": f"""
SELECT d.id AS document_id, d.jurisdiction_code, j.name AS jurisdiction, d.report_year,
       d.kind, s.format, s.new_requests, s.disclosed, s.review_total, s.litigation_total,
       s.fees_wan_yuan, s.cells, s.checks, s.failed, s.consistent, d.title, d.url
FROM document d
JOIN report_stat_summary s ON {_CURRENT}
LEFT JOIN jurisdiction j ON j.code = d.jurisdiction_code
WHERE d.is_annual_report = 1
  AND (:jurisdiction_code = '' OR d.jurisdiction_code = :jurisdiction_code)
  AND (:year = '' OR d.report_year = CAST(:year AS INTEGER))
ORDER BY d.jurisdiction_code, d.report_year, d.id
""".strip(),
    },
    "statistics_year_over_year": {
        "title": "Statistics year over year",
        "description": (
            "Per jurisdiction and report year, the headline figures and their change from "
            "the jurisdiction's previous report year in the archive (previous_year says "
            "which; a gap means a missing report). One report per jurisdiction and year: "
            "the one with the most cells read."
        ),
        "sql": YEAR_OVER_YEAR_SQL,
    },
    "inconsistent_statistics": {
        "title": "Statistics that do not add up",
        "description": (
            f"Reports flagged {STATS_INCONSISTENT}: which checks failed, what the parts add "
            "up to against the total as written, and the cells involved (suspects: cells in "
            "two or more failures)."
        ),
        "sql": f"""
SELECT d.id AS document_id, d.jurisdiction_code, j.name AS jurisdiction, d.report_year,
       s.failed, s.checks, s.failures, s.suspects, d.title, d.url
FROM document d
JOIN report_stat_summary s ON {_CURRENT}
LEFT JOIN jurisdiction j ON j.code = d.jurisdiction_code
WHERE s.failed > 0
ORDER BY d.jurisdiction_code, d.report_year, d.id
""".strip(),
    },
    "statistics_cell": {
        "title": "One statistics cell across reports",
        "description": (
            "The value of one cell (table_key / row_key / column_key, e.g. requests / new / "
            "total, or review_litigation / review / corrected) in every report's current "
            "version, as written (raw, kind) and as a number."
        ),
        "sql": f"""
SELECT d.jurisdiction_code, j.name AS jurisdiction, d.report_year, c.value, c.raw, c.kind,
       c.unit, d.id AS document_id, d.title
FROM document d
JOIN report_stat_summary s ON {_CURRENT}
JOIN report_stat c ON c.version_id = s.version_id
LEFT JOIN jurisdiction j ON j.code = d.jurisdiction_code
WHERE c.table_key = :table_key AND c.row_key = :row_key AND c.column_key = :column_key
ORDER BY d.jurisdiction_code, d.report_year, d.id
""".strip(),
    },
}
