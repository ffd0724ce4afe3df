from __future__ import annotations

from datetime import date

import pytest

from govcrawl.timeliness import deadline, is_department_report, issuer_of, on_time


@pytest.mark.parametrize(
    ("title", "department"),
    [
        ("邯郸市教育局2022年政府信息公开工作年度报告", True),
        ("浙江省人民政府办公厅2022年政府信息公开工作年度报告", True),
        ("浙江省发展和改革委员会2020年政府信息公开工作年度报告", True),
        ("邯郸市人民政府2022年政府信息公开工作年度报告", False),
        ("扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告", False),
        ("清镇市2013年政府信息公开年度报告", False),
        ("昆都仑区人民政府关于2013年度政府信息公开年度报告", False),
        ("政府信息公开工作年度报告", False),
        (None, False),
    ],
)
def test_department_or_government(title: str | None, department: bool) -> None:
    assert is_department_report(title) is department


def test_issuer_is_the_name_before_the_year() -> None:
    assert issuer_of("昆都仑区人民政府关于2013年度政府信息公开年度报告") == "昆都仑区人民政府"
    assert is_department_report("某某2022年报告", level="department")


@pytest.mark.parametrize(
    ("year", "department", "due"),
    [
        (2018, True, date(2019, 3, 31)),  # 2008 regulation: everyone by 3月31日
        (2018, False, date(2019, 3, 31)),
        (2019, True, date(2020, 1, 31)),  # 2019 revision, art. 49: departments by 1月31日
        (2019, False, date(2020, 3, 31)),  # governments by 3月31日
        (2023, True, date(2024, 1, 31)),
        (None, False, None),
    ],
)
def test_deadlines_of_both_regimes(year: int | None, department: bool, due: date | None) -> None:
    assert deadline(year, department) == due


def test_on_time_edges() -> None:
    due = date(2024, 1, 31)
    assert on_time(date(2024, 1, 31), due) is True  # on the day is on time
    assert on_time(date(2024, 2, 1), due) is False
    assert on_time(None, due) is None  # unknown, not late
    assert on_time(date(2024, 1, 1), None) is None
