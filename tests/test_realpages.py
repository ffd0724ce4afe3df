"""Every real capture in tests/fixtures/realpages (copied from shared/realpages):
nothing crashes, walls are walls, the real PDF reports are reports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from govcrawl.extract import PageInput, extract_page
from govcrawl.extract.decode import decode_body
from govcrawl.extract.flags import wall_kind

REAL = Path(__file__).parent / "fixtures" / "realpages"
MANIFEST = {row["file"]: row for row in csv.DictReader((REAL / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")}
WALLS = {
    "70_nmpa_ruishu6_412_challenge.html": ("ruishu", 412),
    "71_zxgk_court_ruishu5_412_challenge.html": ("ruishu", 412),
    "72_mps_jiasule_challenge_script.html": ("jiasule", 521),
    "73_ruishu_412_ip_host.html": ("ruishu", 412),
    "74_ccdi_c3vk_cookie_challenge.html": ("cookie_redirect", 200),
}
REPORTS = {
    "01_huaian_szf_2024_annual_report.pdf": ("淮安市人民政府2024年政府信息公开工作年度报告", 2024),
    "02_hongze_2023_annual_report.pdf": ("洪泽区人民政府2023年政府信息公开工作年度报告", 2023),
    "03_hongze_2024_annual_report.pdf": ("淮安市洪泽区人民政府2024年政府信息公开工作年度报告", 2024),
}


def _extract(name: str, status: int = 200):  # type: ignore[no-untyped-def]
    url = MANIFEST[name]["original_url"]
    if not url.startswith("http"):
        url = f"http://example.gov.cn/{name}"
    return extract_page(PageInput(url=url, body=(REAL / name).read_bytes(), status=status))


def test_manifest_lists_every_file() -> None:
    files = {p.name for p in REAL.iterdir() if p.name != "MANIFEST.tsv"}
    assert files == set(MANIFEST)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_every_real_capture_extracts_without_crashing(name: str) -> None:
    status = WALLS.get(name, ("", 200))[1]
    ex = _extract(name, status)
    if name in WALLS:
        assert ex.reject == "challenge"
        assert not ex.is_annual_report
    elif name in REPORTS:
        assert ex.reject is None
        assert ex.is_annual_report
    else:
        # real articles, listings, notices and name lists: content, but none is an annual report
        assert ex.reject != "challenge", name
        assert not ex.is_annual_report, (name, ex.title)


@pytest.mark.parametrize(("name", "expected"), sorted(WALLS.items()))
def test_wall_kinds(name: str, expected: tuple[str, int]) -> None:
    kind, status = expected
    html, _ = decode_body((REAL / name).read_bytes())
    assert wall_kind(html, status) == kind


@pytest.mark.parametrize(("name", "expected"), sorted(REPORTS.items()))
def test_real_pdf_reports(name: str, expected: tuple[str, int]) -> None:
    title, year = expected
    ex = _extract(name)
    assert (ex.kind, ex.title, ex.report_year, ex.is_annual_report) == ("pdf", title, year, True)
    assert len(ex.text) > 3000
    for section in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                    "六、其他需要报告的事项"):
        assert section.replace("、", "") in ex.text.replace("、", "").replace(" ", ""), section
