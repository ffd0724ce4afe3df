"""The coverage matrix (jurisdictions × years) over archives written by the real store,
and over a crawl of the demo portals, in CSV, HTML and PNG."""

from __future__ import annotations

import csv
import io
import warnings
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from govcrawl.coverage import (
    COLOURS,
    CSV_FIELDS,
    Coverage,
    coverage,
    find_cjk_font,
    png_labels,
    render_html,
    render_png,
    write_csv,
)
from govcrawl.db.engine import open_engine, upgrade
from govcrawl.db.store import Store
from govcrawl.extract.model import Extraction
from govcrawl.items import FetchedPage, FetchFailed
from govcrawl.regions import Region, Registry, builtin_registry
from govcrawl.search import Filters
from tests.conftest import run_govcrawl

TODAY = date(2025, 2, 15)  # government reports for 2024 not yet due, departments' due
HOSTILE = '<script>alert("x")</script>昆都仑区2016年政府信息公开工作年度报告 & "more"'
DEPARTMENT = Region(
    slug="handan-jyj", code="130400901", name="邯郸市教育局", level="department", parent="130400"
)


class Archive:
    """An archive written through the store, one report at a time."""

    def __init__(self, path: Path) -> None:
        self.url = f"sqlite:///{path}"
        self.engine = open_engine(self.url)
        upgrade(self.engine)
        self.store = Store(self.engine)
        registry = builtin_registry()
        self.store.sync_jurisdictions(Registry({**registry.regions, DEPARTMENT.slug: DEPARTMENT}))
        self.run = self.store.start_run("manual", ["test"])
        self.ids: dict[str, int] = {}

    def report(
        self,
        key: str,
        code: str,
        title: str,
        year: int | None,
        published: date | None,
        *,
        text: str | None = None,
        when: datetime = datetime(2025, 1, 1),
    ) -> int:
        url = f"http://www.example.gov.cn/{code}/{key}.html"
        body = text or f"{title} 正文 {key}"
        ex = Extraction(
            url=url,
            title=title,
            text=body,
            published_at=published,
            report_year=year,
            is_annual_report=True,
            content_hash=f"hash-{body}",
        )
        page = FetchedPage(
            region_slug="test", url=url, final_url=url, status=200, body=b"<html/>",
            fetched_at=when, extraction=ex,
        )
        result = self.store.save_page(self.run, page, code)
        assert result.document_id is not None, result
        self.ids[key] = result.document_id
        return result.document_id

    def gone(self, key: str) -> None:
        """404 in two runs in a row: the store sets gone_at."""
        url = f"http://www.example.gov.cn/150783/{key}.html"
        for day in (2, 3):
            run = self.store.start_run("scheduled", ["test"])
            self.store.save_failure(
                run,
                FetchFailed(
                    region_slug="test", url=url, outcome="http_error", error="HTTP 404",
                    fetched_at=datetime(2025, 1, day), status=404,
                ),
            )


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    a = Archive(tmp_path_factory.mktemp("coverage") / "archive.db")
    zl = "150783"  # 扎兰屯市, a county government
    a.report("zl2020", zl, "扎兰屯市2020年政府信息公开工作年度报告", 2020, date(2021, 1, 29))
    a.report("zl2021", zl, "扎兰屯市2021年政府信息公开工作年度报告", 2021, date(2022, 4, 15))
    # 2022: the portal changed the text a month later: a revised report, on time
    title22 = "扎兰屯市2022年政府信息公开工作年度报告"
    a.report("zl2022", zl, title22, 2022, date(2023, 1, 19), text="第一稿",
             when=datetime(2024, 5, 1))
    a.report("zl2022", zl, title22, 2022, date(2023, 1, 19), text="第二稿",
             when=datetime(2024, 6, 1))
    # 2023: a second version of the same fetch (a re-extraction) is no revision
    title23 = "扎兰屯市2023年政府信息公开工作年度报告"
    a.report("zl2023", zl, title23, 2023, date(2024, 3, 1), text="旧抽取")
    a.report("zl2023", zl, title23, 2023, date(2024, 3, 1), text="新抽取")
    a.report("zl2018", zl, "扎兰屯市2018年政府信息公开工作年度报告", 2018, None)
    a.report("zl2017", zl, "扎兰屯市2017年政府信息公开工作年度报告", 2017, date(2018, 3, 1))
    a.gone("zl2017")
    a.report("zlnoyear", zl, "扎兰屯市政府信息公开工作年度报告", None, None)
    # 邯郸市: two reports for 2023, one on time, one late; its 教育局 (a department) late
    a.report("hd2023", "130400", "邯郸市2023年政府信息公开工作年度报告", 2023, date(2024, 3, 1))
    a.report("hd2023b", "130400", "邯郸市人民政府2023年政府信息公开工作年度报告（修订）", 2023,
             date(2024, 5, 1))
    a.report("jyj2023", DEPARTMENT.code, "邯郸市教育局2023年政府信息公开工作年度报告", 2023,
             date(2024, 2, 20))
    a.report("kdl2016", "150203", HOSTILE, 2016, date(2017, 3, 1))
    a.report("qz2015", "520181", "清镇市2015年政府信息公开工作年度报告", 2015, date(2016, 3, 30))
    a.report("lt2012", "220203", "龙潭区2012年政府信息公开工作年度报告", 2012, date(2013, 3, 20))
    a.report("lt2003", "220203", "龙潭区2003年政府信息公开工作年度报告", 2003, date(2004, 3, 1))
    return a


def cells(cov: Coverage) -> dict[tuple[str, int], tuple[str, int, bool]]:
    """(code, year) -> (state, reports, revised)."""
    return {
        (row.code, cell.year): (cell.state, len(cell.reports), cell.revised)
        for row in cov.rows
        for cell in row.cells
    }


def test_cell_states(archive: Archive) -> None:
    cov = coverage(archive.engine, today=TODAY)
    assert cov.years == tuple(range(2012, 2025))  # earliest report year .. last year
    got = cells(cov)
    zl = "150783"
    assert got[zl, 2020] == ("on_time", 1, False)
    assert got[zl, 2021] == ("late", 1, False)
    assert got[zl, 2022] == ("on_time", 1, True)  # revised on the portal
    assert got[zl, 2023] == ("on_time", 1, False)  # re-extracted, not revised
    assert got[zl, 2018] == ("date_unknown", 1, False)
    assert got[zl, 2017] == ("gone", 1, False)
    assert got[zl, 2019] == ("missing", 0, False)
    assert got[zl, 2024] == ("not_yet_due", 0, False)  # due 2025-03-31
    # a department's 2024 report was due on 2025-01-31: missing, not "not yet due"
    assert got[DEPARTMENT.code, 2024] == ("missing", 0, False)
    assert got[DEPARTMENT.code, 2023] == ("late", 1, False)  # due 2024-01-31
    # two reports in one cell: counted; the on-time one decides
    assert got["130400", 2023] == ("on_time", 2, False)
    # jurisdictions with no report at all are rows too, missing every due year
    zhejiang = {year: got["330000", year][0] for year in cov.years}
    assert set(zhejiang.values()) == {"missing", "not_yet_due"}
    assert zhejiang[2024] == "not_yet_due"
    # rows in code order; the report without a year and the one for 2003 are not placed
    assert [row.code for row in cov.rows] == sorted(row.code for row in cov.rows)
    assert len(cov.rows) == len(builtin_registry()) + 1
    assert cov.unplaced == 2


def test_deadlines_move_with_today(archive: Archive) -> None:
    def state(code: str, year: int, today: date) -> str:
        return cells(coverage(archive.engine, today=today))[code, year][0]

    assert state("150783", 2024, date(2025, 3, 31)) == "not_yet_due"  # the deadline day
    assert state("150783", 2024, date(2025, 4, 1)) == "missing"
    assert state(DEPARTMENT.code, 2024, date(2025, 1, 31)) == "not_yet_due"
    assert state(DEPARTMENT.code, 2024, date(2025, 2, 1)) == "missing"
    assert coverage(archive.engine, today=date(2025, 12, 31)).years[-1] == 2024
    assert coverage(archive.engine, today=date(2026, 1, 1)).years[-1] == 2025


def test_province_and_region_filters(archive: Archive) -> None:
    inner_mongolia = coverage(archive.engine, Filters(province="150000"), today=TODAY)
    assert {row.province for row in inner_mongolia.rows} == {"150000"}
    assert [row.code for row in inner_mongolia.rows] == [
        "150000", "150200", "150203", "150700", "150783", "150783103"
    ]
    assert [row.depth for row in inner_mongolia.rows] == [0, 1, 2, 1, 2, 3]
    assert inner_mongolia.years == tuple(range(2012, 2025))  # the archive's years
    out = io.StringIO()
    assert write_csv(inner_mongolia, out) == 6 * 13
    handan = coverage(archive.engine, Filters(region_codes=("130400", DEPARTMENT.code)), TODAY)
    assert [row.name for row in handan.rows] == ["邯郸市", "邯郸市教育局"]


def test_csv_from_the_command_line(archive: Archive, tmp_path: Path) -> None:
    out = run_govcrawl("coverage", "--format", "csv", "--db", archive.url, "--today", "2025-02-15")
    assert out.returncode == 0, out.stderr
    assert "2 report(s) with no known or plausible report year" in out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert tuple(rows[0]) == CSV_FIELDS
    assert len(rows) == (len(builtin_registry()) + 1) * 13
    by = {(r["code"], int(r["year"])): r for r in rows}
    late = by["150783", 2021]
    assert (late["name"], late["level"], late["province"], late["state"]) == (
        "扎兰屯市", "county", "150000", "late"
    )
    assert (late["reports"], late["on_time"], late["late"], late["revised"]) == ("1", "0", "1", "0")
    assert late["document_ids"] == str(archive.ids["zl2021"])
    assert late["deadline"] == "2022-03-31"
    revised = by["150783", 2022]
    assert (revised["state"], revised["revised"]) == ("on_time", "1")
    two = by["130400", 2023]
    assert (two["reports"], two["on_time"], two["late"]) == ("2", "1", "1")
    assert sorted(two["document_ids"].split(";")) == sorted(
        str(archive.ids[k]) for k in ("hd2023", "hd2023b")
    )
    assert by["150783", 2017]["gone"] == "1"
    assert by[DEPARTMENT.code, 2024]["deadline"] == "2025-01-31"
    # -o FILE.csv picks the format by itself; --province narrows the rows
    target = tmp_path / "guizhou.csv"
    out = run_govcrawl("coverage", "--province", "520000", "-o", str(target), "--db", archive.url,
                       "--today", "2025-02-15")
    assert out.returncode == 0, out.stderr
    assert "wrote 3 jurisdictions × 13 years" in out.stderr
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert {r["code"] for r in rows} == {"520000", "520100", "520181"}
    assert [r["state"] for r in rows if r["code"] == "520181" and r["year"] == "2015"] == [
        "on_time"
    ]


class Cells(HTMLParser):
    """The <td> cells of the coverage table: (class, title, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self._td: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "td":
            self._td = {k: v or "" for k, v in attrs}
            self._td["text"] = ""

    def handle_data(self, data: str) -> None:
        if self._td is not None:
            self._td["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._td is not None:
            self.cells.append(
                (self._td.get("class", ""), self._td.get("title", ""), self._td["text"])
            )
            self._td = None


def test_html_heat_map_escapes_titles(archive: Archive) -> None:
    page = render_html(coverage(archive.engine, today=TODAY))
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert '<table class="coverage">' in page
    assert "<script" not in page.lower()  # the hostile title stays text
    for external in ("src=", "href=", "url(", "@import", "http://", "https://"):
        assert external not in page
    parser = Cells()
    parser.feed(page)
    assert "script" not in parser.tags
    by_class = {}
    for klass, title, text in parser.cells:
        by_class.setdefault(klass, []).append((title, text))
    assert set(by_class) >= {
        "cell s-on_time", "cell s-on_time revised", "cell s-late", "cell s-date_unknown",
        "cell s-gone", "cell s-missing", "cell s-not_yet_due",
    }
    # the hover title lists the report titles, exactly as published
    kundulun = [t for t, _ in by_class["cell s-on_time"] if t.startswith("昆都仑区 2016")]
    assert len(kundulun) == 1 and HOSTILE in kundulun[0]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    revised = [(t, x) for t, x in by_class["cell s-on_time revised"]]
    assert revised == [(revised[0][0], "1*")]
    assert "扎兰屯市 2022: on time, revised" in revised[0][0]
    assert "revised (2 versions)" in revised[0][0]
    late = [t for t, _ in by_class["cell s-late"] if t.startswith("扎兰屯市 2021")]
    assert "扎兰屯市2021年政府信息公开工作年度报告 — published 2022-04-15 (late)" in late[0]
    two = [x for t, x in by_class["cell s-on_time"] if t.startswith("邯郸市 2023")]
    assert two == ["2"]
    # the legend names every state; row headers carry name and level
    for label in ("on time", "late", "found, date unknown", "gone from the portal", "missing",
                  "not yet due", "revised"):
        assert label in page
    assert "扎兰屯市<span class=\"level\">county · 150783</span>" in page


def pixels_of(image: object, colour: str) -> int:
    import numpy as np

    rgb = np.asarray(image)[..., :3]
    want = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(rgb - want).max(axis=-1) < 0.02).sum())


def test_png_heat_map(archive: Archive, tmp_path: Path) -> None:
    import matplotlib.image

    assert find_cjk_font("扎兰屯市成吉思汗镇邯郸市教育局") is not None, (
        "no CJK font: install one, e.g. apt-get install fonts-wqy-microhei"
    )
    target = tmp_path / "coverage.png"
    out = run_govcrawl("coverage", "-o", str(target), "--db", archive.url, "--today",
                       "2025-02-15")
    assert out.returncode == 0, out.stderr
    assert "govcrawl: warning" not in out.stderr  # a CJK font was found: Chinese row labels
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(target)
    height, width = image.shape[:2]
    assert 23 * 20 < height < 3000 and 13 * 30 < width < 4000
    for state in ("on_time", "late", "date_unknown", "gone", "missing", "not_yet_due"):
        assert pixels_of(image, COLOURS[state]) > 200, state  # a cell or two, and its swatch


def test_png_without_a_cjk_font_labels_slugs_and_warns(archive: Archive, tmp_path: Path) -> None:
    cov = coverage(archive.engine, Filters(province="150000"), TODAY)
    names, font, warned = png_labels(cov)
    assert font is not None and names[-1] == "成吉思汗镇  150783103"
    names, font, warned = png_labels(cov, fonts=[])  # no font installed
    assert font is None
    assert names == ["neimenggu  150000", "baotou  150200", "kundulun  150203",
                     "hulunbuir  150700", "zhalantun  150783", "chengjisihan  150783103"]
    assert len(warned) == 1 and "fonts-wqy-microhei" in warned[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert render_png(cov, tmp_path / "slugs.png", fonts=[]) == warned
    assert not [w for w in caught if "missing from font" in str(w.message)]  # no tofu
    assert (tmp_path / "slugs.png").read_bytes()[:4] == b"\x89PNG"
    # the check above can fail: matplotlib's default font does warn on Chinese text
    import matplotlib.pyplot as plt

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plt.figure()
        fig.text(0, 0, "内蒙古自治区")
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    assert [w for w in caught if "missing from font" in str(w.message)]


def test_crawled_demo_portals(
    portals: object, regions_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    db = tmp_path_factory.mktemp("coverage-crawl") / "archive.db"
    url = f"sqlite:///{db}"
    out = run_govcrawl("crawl", "zhalantun", "qingzhen", "--regions-file", str(regions_file),
                       "--db", url, "--allow-loopback")
    assert out.returncode == 0, out.stderr[-2000:]
    out = run_govcrawl("coverage", "--db", url, "--today", "2025-02-15")  # html on stdout
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("<!DOCTYPE html>")
    parser = Cells()
    parser.feed(out.stdout)
    found = sorted(t.split(":")[0] for k, t, _ in parser.cells if k == "cell s-on_time")
    assert found == ["成吉思汗镇 2021", "扎兰屯市 2020", "扎兰屯市 2021", "扎兰屯市 2022",
                     "清镇市 2012", "清镇市 2013", "清镇市 2014"]
    assert not [k for k, _, _ in parser.cells if {"s-late", "s-gone"} & set(k.split())]
    assert "清镇市 2015: missing" in out.stdout
    assert "扎兰屯市 2024: not yet due" in out.stdout


def test_bad_input_is_one_line_and_status_2(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from govcrawl.cli import main

    cases = [
        (["--format", "png"], "--format png needs -o FILE"),
        (["--province", "15"], "expected a 6-digit code"),
        (["--province", "110000"], "no jurisdiction in the archive matches --province 110000"),
        (["--region", "atlantis"], "unknown region 'atlantis'"),
        (["--today", "yesterday"], "--today 'yesterday': expected YYYY-MM-DD"),
        (["-o", str(tmp_path / "no" / "such" / "dir.html")], "cannot write"),
        (["--db", f"sqlite:///{tmp_path / 'empty.db'}"], "no jurisdictions yet"),
    ]
    for args, message in cases:
        status = main(["coverage", "--db", archive.url, *args])
        err = capsys.readouterr().err
        assert status == 2, (args, err)
        assert err.startswith("govcrawl: error: ") and message in err, (args, err)
        assert len(err.strip().splitlines()) == 1
