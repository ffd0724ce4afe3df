from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from govcrawl.discovery import is_annual_report, link_is_candidate, parse_date, report_year

SAMPLES = Path(__file__).parent / "fixtures" / "extract" / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


# --- dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022年1月27日", date(2022, 1, 27)),
        ("2022年01月27日", date(2022, 1, 27)),
        ("2014-01-30 10:55", date(2014, 1, 30)),
        ("2014-01-30 10:55:07", date(2014, 1, 30)),
        ("2014/1/30", date(2014, 1, 30)),
        ("2014.01.30", date(2014, 1, 30)),
        ("发布日期：2014-01-30 10:55  发布单位：昆区政府管理员", date(2014, 1, 30)),
        ("二〇二二年一月二十七日", date(2022, 1, 27)),
        ("二○二一年十二月三十一日", date(2021, 12, 31)),
        ("二〇一四年十月十日", date(2014, 10, 10)),
        ("２０１４年１月３０日", date(2014, 1, 30)),
        ("20140130", date(2014, 1, 30)),
        ("2023-11-30  14:52", date(2023, 11, 30)),
    ],
)
def test_parse_date(raw: str, expected: date) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "暂无",
        "2014年1月",  # no day: not a date
        "201311日至20131231日",  # gzqz's date damaged by extraction
        "2022年2月30日",  # no such day
        "2022年13月1日",
    ],
)
def test_parse_date_refuses(raw: str) -> None:
    assert parse_date(raw) is None


# --- report years ----------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "published", "expected"),
    [
        ("昆都仑区人民政府 关于2013年度政府信息公开年度报告", "", date(2014, 1, 30), 2013),
        ("清镇市2013年政府信息公开年度报告", "", None, 2013),
        ("XX区人民政府二〇二一年政府信息公开工作年度报告", "", date(2022, 1, 20), 2021),
        ("XX区人民政府二○二一年度政府信息公开工作年度报告", "", None, 2021),
        ("2021政府信息公开年报", "", None, 2021),
        # not in the title: the opening of the text
        (None, "报告中所列数据统计期限从2021年1月1日到12月31日止。", date(2022, 1, 27), 2021),
        ("政府信息公开工作年度报告", "2020年，我局深入贯彻……", date(2021, 1, 15), 2020),
        # nothing says: publication year minus one
        ("政府信息公开工作年度报告", "我局认真贯彻落实条例。", date(2022, 1, 27), 2021),
        # absurd years are refused
        ("1998年政府信息公开工作年度报告", "", date(2022, 1, 27), 2021),
        ("2035年政府信息公开工作年度报告", "", date(2022, 1, 27), 2021),
        ("政府信息公开工作年度报告", "", None, None),
    ],
)
def test_report_year(title: str | None, text: str, published: date | None, expected: int) -> None:
    assert report_year(title, text, published) == expected


def test_report_year_prefers_the_statistics_period_over_older_years_cited() -> None:
    text = (
        "根据2019年修订的《中华人民共和国政府信息公开条例》要求，编制本报告。"
        "本报告统计期限为2021年1月1日至2021年12月31日。"
    )
    assert report_year(None, text, date(2022, 1, 20)) == 2021


@pytest.mark.parametrize(
    ("name", "title", "expected"),
    [
        ("gzqz-2013-report.txt", "清镇市2013年政府信息公开年度报告", 2013),
        ("kundulun-2013-report.txt", "昆都仑区人民政府 关于2013年度政府信息公开年度报告", 2013),
        ("wulajie-2012-report.txt", "乌拉街2012年政务公开工作报告", 2012),
        ("zhalantun-chengjisihan-2021-report.txt", None, 2021),
    ],
)
def test_report_year_of_samples(name: str, title: str | None, expected: int) -> None:
    assert report_year(title, sample(name), None) == expected


# --- classification of pages -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("gzqz-2013-report.txt", "清镇市2013年政府信息公开年度报告"),
        ("kundulun-2013-report.txt", "昆都仑区人民政府 关于2013年度政府信息公开年度报告"),
        ("wulajie-2012-report.txt", "乌拉街2012年政务公开工作报告"),
        ("zhalantun-chengjisihan-2021-report.txt", "成吉思汗镇2021年政府信息公开工作年度报告"),
    ],
)
def test_samples_are_reports(name: str, title: str) -> None:
    text = sample(name)
    assert is_annual_report(title, text)
    # The text alone says so too (the zhalantun text has no title line at all).
    assert is_annual_report(None, text)


def test_content_farm_is_not_a_report() -> None:
    text = sample("not-a-report-content-farm.txt")
    assert not is_annual_report("政府信息公开年度工作计划范文(18篇)", text)
    assert not is_annual_report(None, text)
    # Even under a title that would pass, the 范文 text and 20xx placeholders give it away.
    assert not is_annual_report(
        "政府信息公开工作年度报告", text, "https://www.example-fanwen.com/a/1.html"
    )


@pytest.mark.parametrize(
    "title",
    [
        "关于做好2022年政府信息公开年度报告编制工作的通知",
        "XX市2022年政务公开工作要点",
        "2023年政府信息公开工作计划",
        "政府信息公开工作年度报告范文",
        "2021年政府信息公开工作年度报告解读",
        "XX县人民政府办公室关于印发2021年政府信息公开工作年度报告的通知",
    ],
)
def test_notices_and_plans_are_not_reports(title: str) -> None:
    text = sample("zhalantun-chengjisihan-2021-report.txt")
    assert not is_annual_report(title, text)


def test_attachment_page_with_report_title_is_a_report() -> None:
    assert is_annual_report("XX县卫生和计划生育局2015年政府信息公开年度报告", "附件：年度报告.pdf")


def test_news_article_is_not_a_report() -> None:
    text = "10月17日，浙江省教育系统师德师风建设专题培训班在浙江大学紫金港校区举办。" * 5
    assert not is_annual_report("全省教育系统师德师风建设专题培训班举办", text)


# --- link candidates ---------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("昆都仑区人民政府2013年度政府信息公开年度报告", "/zwgk/nb/201401/t20140130_1.html"),
        ("清镇市2013年政府信息公开…", "/xxgk/nb/t20140210_2.html"),
        ("清镇市2013年政府信息公开...", "/xxgk/nb/t20140210_2.html"),
        ("乌拉街2012年政务公开工作报告", "/art/2013/3/1/art_1_2.html"),
        ("2021年政府信息公开工作年度报告", "/uploads/2021nb.pdf"),
        ("成吉思汗镇2021年政府信息公开年报", "/a.html"),
        ("XX局2015年信息公开工作报告", "/b.html"),
        ("", "/zfxxgknb/202201/t20220127_5.html"),
    ],
)
def test_link_candidates(title: str, url: str) -> None:
    assert link_is_candidate(title, url)


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("关于做好2022年政府信息公开年度报告编制工作的通知", "/a.html"),
        ("XX市2022年政务公开工作要点", "/b.html"),
        ("2023年政府信息公开工作计划", "/c.html"),
        ("政府信息公开年度工作计划范文(18篇)", "/d.html"),
        ("政府信息公开指南", "/e.html"),
        ("关于公布2021年度政府信息公开工作考核结果的通报", "/f.html"),
        ("XX市人民政府关于防空警报试鸣的通告", "/g.html"),
        ("2021年政府信息公开工作年度报告", "javascript:void(0)"),
        ("更多", "/list/index_2.html"),
    ],
)
def test_link_non_candidates(title: str, url: str) -> None:
    assert not link_is_candidate(title, url)
