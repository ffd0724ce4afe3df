"""Was a report published by its legal deadline?

The 政府信息公开条例 as revised in 2019 (国务院令第711号, art. 49): a department's
report by 1月31日 and a government's by 3月31日 of the following year. Under the
2008 regulation (reports for years up to 2018): by 3月31日 for everyone.
``on_time`` is True/False, or None (unknown) when the year or the publication
date is not known.
"""

from __future__ import annotations

import re
from datetime import date

#: The first report year the revised regulation's deadlines apply to.
REVISED_FROM_YEAR = 2019
_YEAR_RE = re.compile(r"(?:19|20)\d{2}\s*年|[〇零一二三四五六七八九○]{4}\s*年")
_GOVERNMENT_RE = re.compile(r"(人民政府|政府|镇|乡|街道|苏木|嘎查|村|社区)$")
_DEPARTMENT_RE = re.compile(
    r"(局|委员会|委|办公厅|办公室|厅|办|院|署|中心|所|站|队|馆|会|处|部|行|总局|监管局)$"
)


def issuer_of(title: str | None) -> str:
    """The issuing body named before the year in a report title (``邯郸市教育局`` of
    ``邯郸市教育局2022年政府信息公开工作年度报告``), or the empty string."""
    if not title:
        return ""
    match = _YEAR_RE.search(title)
    head = title[: match.start()] if match else ""
    return re.sub(r"(关于|\s)+$", "", head).strip()


def is_department_report(title: str | None, level: str | None = None) -> bool:
    if level == "department":
        return True
    issuer = issuer_of(title)
    return bool(issuer) and not _GOVERNMENT_RE.search(issuer) and bool(
        _DEPARTMENT_RE.search(issuer)
    )


def deadline(report_year: int | None, department: bool) -> date | None:
    if report_year is None:
        return None
    if report_year >= REVISED_FROM_YEAR and department:
        return date(report_year + 1, 1, 31)
    return date(report_year + 1, 3, 31)


def on_time(published: date | None, due: date | None) -> bool | None:
    if published is None or due is None:
        return None
    return published <= due
