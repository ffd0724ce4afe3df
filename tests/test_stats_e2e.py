"""End to end: a crawl of the demo portals fills report_stat and report_stat_summary,
`govcrawl stats` prints one row per report, the year-over-year query works, an archive
stored before the statistics existed is filled by `govcrawl stats --rebuild`, and
`govcrawl reextract` records the statistics of the versions it adds."""

from __future__ import annotations

import csv
import io
import itertools
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from govcrawl.demo import PortalServer
from govcrawl.stats.metadata import STATS_CANNED_QUERIES, YEAR_OVER_YEAR_SQL
from govcrawl.stats.report import STATS_INCONSISTENT
from tests.conftest import query, run_govcrawl
from tests.test_stats_parse import gold_cells, load_gold, replica_gold

SITES = ("zhalantun", "qingzhen", "longtan", "huaian", "hongze", "handan", "jilinshi", "wanzai",
         "zhejiang")  # fmt: skip

#: (jurisdiction code, report year, kind, a word of the title) -> gold: a hand-typed gold file
#: ("hand:NAME") or a demo body whose generator numbers are the gold ("NAME", "NAME:requests"
#: for the spreadsheets that carry table 三 alone)
GOLD_OF = {
    ("130400", 2018, "html", "邯郸市人民政府"): "handan-2018",
    ("130400", 2022, "html", "邯郸市人民政府"): "handan-2022",
    ("130400", 2022, "html", "教育局"): "handan-edu-2022",
    ("130400", 2023, "html", "邯郸市人民政府"): "handan-2023",
    ("150783103", 2021, "html", "成吉思汗镇"): "hand:chengjisihan-2021-text",
    ("220200", 2019, "html", "吉林市"): "jilinshi-2019",
    ("220200", 2020, "html", "吉林市"): "jilinshi-2020",
    ("220200", 2021, "html", "吉林市"): "jilinshi-2021",
    ("220200", 2022, "html", "吉林市"): "jilinshi-2022",
    ("220200", 2023, "html", "吉林市"): "jilinshi-2023",
    ("220203102", 2012, "html", "乌拉街"): "hand:wulajie-2012-text",
    ("320800", 2022, "html", "淮安市"): "huaian-2022",
    ("320800", 2022, "xls", "淮安市"): "huaian-2022:requests",
    ("320800", 2023, "docx", "淮安市"): "huaian-2023",
    ("320800", 2023, "xlsx", "淮安市"): "huaian-2023:requests",
    ("320800", 2024, "pdf", "淮安市"): "hand:huaian-2024-pdf",
    ("320813", 2023, "pdf", "洪泽区"): "hand:hongze-2023-pdf",
    ("320813", 2024, "pdf", "洪泽区"): "hand:hongze-2024-pdf",
    ("330000", 2018, "html", "浙江省人民政府"): "zhejiang-2018",
    ("330000", 2019, "html", "浙江省人民政府"): "zhejiang-2019",
    ("330000", 2020, "html", "浙江省人民政府"): "zhejiang-2020",
    ("330000", 2021, "html", "浙江省人民政府"): "zhejiang-2021",
    ("330000", 2022, "html", "浙江省人民政府2022"): "zhejiang-2022",
    ("330000", 2022, "html", "办公厅"): "zhejiang-office-2022",
    ("360922", 2018, "html", "万载县"): "wanzai-2018",
    ("360922", 2020, "html", "万载县"): "wanzai-2020",
    ("360922", 2021, "html", "万载县"): "wanzai-2021",
    ("360922", 2022, "html", "万载县"): "wanzai-2022",
    ("520181", 2013, "html", "清镇市"): "hand:gzqz-2013-text",
}


@dataclass
class Archive:
    db: Path
    url: str


@pytest.fixture(scope="module")
def archive(portals: PortalServer, tmp_path_factory: pytest.TempPathFactory) -> Archive:
    tmp = tmp_path_factory.mktemp("stats")
    regions = tmp / "regions.toml"
    regions.write_text(portals.regions_toml(SITES), encoding="utf-8")
    db = tmp / "archive.db"
    url = f"sqlite:///{db}"
    out = run_govcrawl("crawl", *SITES, "--regions-file", str(regions), "--db", url,
                       "--allow-loopback", timeout=600)  # fmt: skip
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    return Archive(db, url)


def _copy(archive: Archive, tmp_path: Path) -> Archive:
    """A copy of the crawled archive to change (the raw records stay where they are)."""
    target = tmp_path / "copy.db"
    src, dst = sqlite3.connect(archive.db), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return Archive(target, f"sqlite:///{target}")


def _reports(db: Path) -> list[tuple[int, str, int, str, str, int]]:
    rows = query(
        db,
        "SELECT d.id, d.jurisdiction_code, d.report_year, d.kind, d.title, "
        "(SELECT max(id) FROM document_version WHERE document_id = d.id) "
        "FROM document d WHERE d.is_annual_report = 1 ORDER BY d.id",
    )
    return [(int(a), str(b), int(c), str(k), str(t), int(v)) for a, b, c, k, t, v in rows]  # type: ignore[call-overload]


def _gold_for(code: str, year: int, kind: str, title: str) -> dict[str, str] | None:
    matches = [
        gold
        for (c, y, k, word), gold in GOLD_OF.items()
        if (c, y, k) == (code, year, kind) and word in title
    ]
    if not matches:
        return None
    assert len(matches) == 1, (code, year, kind, title, matches)
    name = matches[0]
    if name.startswith("hand:"):
        return gold_cells(load_gold(name[5:]))
    body, _, part = name.partition(":")
    return replica_gold(body, only_requests=part == "requests")


def test_the_crawl_parses_every_reports_tables(archive: Archive) -> None:
    reports = _reports(archive.db)
    assert len(reports) == 37
    summaries = {
        int(v): int(n)  # type: ignore[call-overload]
        for v, n in query(archive.db, "SELECT version_id, cells FROM report_stat_summary")
    }
    assert {r[5] for r in reports} <= set(summaries)  # every current version was parsed
    no_tables = [r[4] for r in reports if summaries[r[5]] == 0]
    assert no_tables == ["洪泽区人民政府2022年政府信息公开工作年度报告"]  # the scanned PDF
    per_version = {
        int(v): int(n)  # type: ignore[call-overload]
        for v, n in query(
            archive.db, "SELECT version_id, count(*) FROM report_stat GROUP BY version_id"
        )
    }
    assert all(per_version.get(v, 0) == n for v, n in summaries.items())


def test_crawled_reports_match_the_gold_cell_for_cell(archive: Archive) -> None:
    total = right = 0
    wrong: list[str] = []
    matched = 0
    for _, code, year, kind, title, version in _reports(archive.db):
        gold = _gold_for(code, year, kind, title)
        if gold is None:
            continue
        matched += 1
        parsed = {
            f"{t}/{r}/{c}": raw
            for t, r, c, raw in query(
                archive.db,
                "SELECT table_key, row_key, column_key, raw FROM report_stat WHERE version_id = ?",
                version,
            )
        }
        for ref, raw in gold.items():
            total += 1
            if parsed.get(ref) == raw:
                right += 1
            else:
                wrong.append(f"{title} {kind} {ref}: {parsed.get(ref)!r} != gold {raw!r}")
        wrong += [f"{title} {kind} {ref}: extra" for ref in parsed if ref not in gold]
    assert matched == len(GOLD_OF)
    assert total >= 4700  # 29 reports: 4763 cells
    assert not wrong, f"per-cell accuracy {right}/{total}; {wrong[:10]}"


def test_the_report_that_does_not_add_up_is_flagged(archive: Archive) -> None:
    flagged = query(
        archive.db,
        "SELECT d.title, s.failed, s.failures FROM document d JOIN report_stat_summary s "
        "ON s.document_id = d.id WHERE d.flags LIKE ?",
        f'%"{STATS_INCONSISTENT}"%',
    )
    assert len(flagged) == 1
    title, failed, failures = flagged[0]
    assert title == "洪泽区人民政府2023年政府信息公开工作年度报告" and failed == 2
    cells = [f["cells"][0] for f in json.loads(str(failures))]
    assert cells == [
        "review_litigation/review/total",
        "review_litigation/litigation_after_review/total",
    ]


def test_empty_cells_are_stored_as_written_not_as_zero(archive: Archive) -> None:
    rows = query(
        archive.db,
        "SELECT c.raw, c.kind, c.value FROM report_stat c JOIN document_version v "
        "ON v.id = c.version_id JOIN document d ON d.id = v.document_id "
        "WHERE d.jurisdiction_code = '220203102' AND c.row_key = 'new'",
    )
    assert rows == [("", "empty", None)]  # 乌拉街 2012: 政府信息公开申请数 left empty
    zero = query(
        archive.db,
        "SELECT c.raw, c.kind, c.value FROM report_stat c JOIN document_version v "
        "ON v.id = c.version_id JOIN document d ON d.id = v.document_id "
        "WHERE d.jurisdiction_code = '520181' AND d.report_year = 2013 AND c.row_key = 'new'",
    )
    assert zero == [("0", "number", 0)]
    fees = query(
        archive.db,
        "SELECT c.value, c.unit FROM report_stat c JOIN document_version v ON v.id = c.version_id "
        "JOIN document d ON d.id = v.document_id WHERE d.kind = 'pdf' AND d.report_year = 2024 "
        "AND d.jurisdiction_code = '320800' AND c.row_key = 'fees'",
    )
    assert fees == [(96171.6, "万元")]


def _table(stdout: str) -> list[list[str]]:
    return [line.split() for line in stdout.strip().splitlines()]


def test_stats_command_prints_one_row_per_report(archive: Archive) -> None:
    out = run_govcrawl("stats", "--db", archive.url, "--region", "hongze")
    assert out.returncode == 0, out.stderr
    header, *rows = _table(out.stdout)
    assert header == ["doc", "jurisdiction", "year", "kind", "format", "new", "disclosed",
                      "review", "litigation", "fees_wan_yuan", "check"]  # fmt: skip
    assert [row[1:] for row in rows] == [
        ["洪泽区", "(320813)", "2022", "pdf", "-", "-", "-", "-", "-", "-", "no", "tables"],
        ["洪泽区", "(320813)", "2023", "pdf", "2021", "21", "0", "0", "0", "7730.28", "FAILED",
         "(2)"],
        ["洪泽区", "(320813)", "2024", "pdf", "2021", "95", "50", "2", "4", "7545", "ok"],
    ]  # fmt: skip
    everything = run_govcrawl("stats", "--db", archive.url, "--format", "json")
    records = json.loads(everything.stdout)
    assert len(records) == 37
    huaian = next(r for r in records if r["kind"] == "pdf" and r["jurisdiction_code"] == "320800")
    headline = ("new_requests", "disclosed", "review_total", "litigation_total", "fees_wan_yuan")
    assert [huaian[k] for k in headline] == [3119, 1362, 351, 46, 96171.6]
    assert huaian["check"] == "ok"
    checks = {r["check"] for r in records}
    assert checks == {"ok", "FAILED (2)", "not checked", "no tables"}


def test_stats_command_filters_and_csv(archive: Archive) -> None:
    out = run_govcrawl("stats", "--db", archive.url, "--region", "jilinshi", "--year", "2023",
                       "--format", "csv")  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 1
    gold = replica_gold("jilinshi-2023")
    assert rows[0]["new_requests"] == gold["requests/new/total"]
    assert rows[0]["disclosed"] == gold["requests/disclosed/total"]
    assert rows[0]["fees_wan_yuan"] == gold["proactive/fees/amount_wan_yuan"]
    assert rows[0]["check"] == "ok" and rows[0]["format"] == "2021"
    failed = run_govcrawl("stats", "--db", archive.url, "--region", "320813", "--year", "2023",
                          "--format", "csv")  # fmt: skip
    (row,) = csv.DictReader(io.StringIO(failed.stdout))
    assert row["failures"] == (
        "review_total[review]: 11 != 0; review_total[litigation_after_review]: 5 != 0"
    )


def test_stats_command_bad_input_is_one_line_and_status_2(archive: Archive) -> None:
    out = run_govcrawl("stats", "--db", archive.url, "--region", "atlantis")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "govcrawl: error: unknown region 'atlantis' (not a slug or code in the archive)"
    ]
    assert out.stdout == ""


def test_year_over_year_is_one_query(archive: Archive) -> None:
    rows = query(archive.db, YEAR_OVER_YEAR_SQL)
    jilin = [r for r in rows if r[0] == "220200"]
    assert [r[2] for r in jilin] == [2019, 2020, 2021, 2022, 2023]
    news = [int(replica_gold(f"jilinshi-{y}")["requests/new/total"]) for y in range(2019, 2024)]
    assert [r[5] for r in jilin] == news
    assert [r[6] for r in jilin] == [None] + [b - a for a, b in itertools.pairwise(news)]
    assert [r[4] for r in jilin] == [None, 2019, 2020, 2021, 2022]  # previous_year
    # one report per jurisdiction and year: 浙江省 2022 has two (the office's too)
    assert len([r for r in rows if r[0] == "330000" and r[2] == 2022]) == 1
    for name, canned in STATS_CANNED_QUERIES.items():
        params = {"jurisdiction_code": "", "year": "", "table_key": "requests", "row_key": "new",
                  "column_key": "total"}  # fmt: skip
        con = sqlite3.connect(archive.db)
        try:
            result = con.execute(canned["sql"], params).fetchall()
        finally:
            con.close()
        assert result, name


def test_rebuild_fills_an_archive_stored_before_the_statistics(
    archive: Archive, tmp_path: Path
) -> None:
    from govcrawl.db.engine import alembic_config, open_engine

    copy = _copy(archive, tmp_path)
    expected = run_govcrawl("stats", "--db", copy.url, "--format", "json").stdout
    engine = open_engine(copy.url)
    from alembic import command

    command.downgrade(alembic_config(engine), "0004")  # the archive before migration 0005
    engine.dispose()
    con = sqlite3.connect(copy.db)
    con.execute("UPDATE document SET flags = '[]'")
    con.commit()
    con.close()
    before = run_govcrawl("stats", "--db", copy.url)  # upgrades: empty statistics tables
    assert before.returncode == 0
    assert "37 reports have no statistics yet" in before.stderr
    assert all(row[-2:] == ["not", "parsed"] for row in _table(before.stdout)[1:])
    rebuilt = run_govcrawl("stats", "--db", copy.url, "--format", "json", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "statistics rebuilt for 37 versions" in rebuilt.stderr
    assert f"1 reports flagged {STATS_INCONSISTENT}" in rebuilt.stderr
    assert json.loads(rebuilt.stdout) == json.loads(expected)
    assert query(copy.db, "SELECT count(*) FROM document WHERE flags LIKE '%stats_%'") == [(1,)]


def test_reextract_records_the_statistics_of_the_versions_it_adds(
    archive: Archive, tmp_path: Path
) -> None:
    copy = _copy(archive, tmp_path)
    ((doc, version),) = query(
        copy.db,
        "SELECT d.id, max(v.id) FROM document d JOIN document_version v ON v.document_id = d.id "
        "WHERE d.jurisdiction_code = '320813' AND d.report_year = 2023",
    )
    con = sqlite3.connect(copy.db)  # as if an older extractor had stored no tables
    con.execute("UPDATE document_version SET tables = '[]' WHERE id = ?", (version,))
    con.execute("UPDATE document SET flags = '[]' WHERE id = ?", (doc,))
    con.commit()
    con.close()
    raw = archive.db.parent / "archive.raw"
    out = run_govcrawl("reextract", "--region", "hongze", "--db", copy.url, "--raw-dir", str(raw))
    assert out.returncode == 0, out.stderr
    ((new_version, cells, failed),) = query(
        copy.db,
        "SELECT version_id, cells, failed FROM report_stat_summary WHERE document_id = ? "
        "ORDER BY version_id DESC LIMIT 1",
        doc,
    )
    assert int(new_version) > int(version)  # type: ignore[call-overload]
    assert (cells, failed) == (186, 2)
    assert query(copy.db, "SELECT flags FROM document WHERE id = ?", doc) == [
        (f'["{STATS_INCONSISTENT}"]',)
    ]


def test_the_readmes_year_over_year_query_runs(archive: Archive) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Statistics tables", 1)[1].split("\n## ", 1)[0]
    sql = section.split("```sql", 1)[1].split("```", 1)[0]
    rows = query(archive.db, sql)
    full = query(archive.db, YEAR_OVER_YEAR_SQL)
    assert [r[:3] for r in rows] == [(r[0], r[2], r[5]) for r in full]
    assert [r[3:] for r in rows] == [(r[4], r[6]) for r in full]
