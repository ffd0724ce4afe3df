"""``govcrawl serve``: the archive in Datasette, read-only, with its data dictionary,
facets, Chinese full-text search and canned queries; driven in Debian's Chromium."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from govcrawl.db.models import Base
from govcrawl.demo import PortalServer
from govcrawl.serve import DATABASE, QUERIES, TABLES, make_datasette, metadata
from tests.conftest import FAST_ENV, ROOT, query, run_govcrawl

REGIONS = ("zhalantun", "kundulun", "qingzhen", "longtan", "handan", "hongze")
LATE = "/zfxxgk/zfxxgknb/201403/content_34877.html"  # 清镇市2013年…, due 2014-03-31
REVISED = "/zfxxgk/zfxxgknb/201503/content_48213.html"  # 清镇市2014年…
TERM = "保密审查"
ARTIFACTS = ROOT / "test-artifacts" / "serve"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six demo regions crawled; then the site revises two qingzhen reports (one of them
    republished after its deadline) and qingzhen is crawled again."""
    tmp = tmp_path_factory.mktemp("serve")
    db = tmp / "archive.db"
    with PortalServer(first_address="127.0.0.160") as server:  # its own replicas: we edit them
        regions = tmp / "regions.toml"
        regions.write_text(server.regions_toml(REGIONS), encoding="utf-8")
        common = ("--regions-file", str(regions), "--db", f"sqlite:///{db}", "--allow-loopback")
        first = run_govcrawl("crawl", *REGIONS, *common)
        assert first.returncode == 0, first.stderr[-2000:]
        late = server.body("qingzhen", LATE).decode("utf-8")
        assert late.count("2014-03-12") == 1 and "8569条" in late
        server.set_page("qingzhen", LATE, late.replace("2014-03-12", "2014-04-15")
                        .replace("8569条", "8570条"))
        revised = server.body("qingzhen", REVISED).decode("utf-8")
        server.set_page("qingzhen", REVISED, revised.replace("新闻发布会9次", "新闻发布会10次"))
        second = run_govcrawl("recrawl", "qingzhen", *common)
        assert second.returncode == 0, second.stderr[-2000:]
    return db


def ids(db: Path, sql: str, *params: object) -> set[int]:
    return {int(str(row[0])) for row in query(db, sql, *params)}


def doc_id(db: Path, path: str) -> int:
    (found,) = ids(db, "SELECT id FROM document WHERE url LIKE ?", f"%{path}")
    return found


def containing(db: Path, term: str) -> set[int]:
    """The oracle: documents whose title or current text contains the term."""
    rows = query(db, "SELECT d.id, d.title, v.text FROM document d JOIN document_version v ON "
                     "v.id = (SELECT max(id) FROM document_version WHERE document_id = d.id)")
    return {int(str(i)) for i, title, text in rows if term in f"{title}{text}"}


def shown_ids(page: Any) -> set[int]:
    """The ids in the result table the browser shows."""
    cells = page.locator("table.rows-and-columns td.col-id").all_inner_texts()
    return {int(c) for c in cells}


def get_json(db: Path, *paths: str, status: int = 200) -> list[Any]:
    """GET the paths from the Datasette that `serve` builds, in process."""
    ds = make_datasette(db)

    async def fetch() -> list[Any]:
        await ds.invoke_startup()
        out = []
        for path in paths:
            response = await ds.client.get(path)
            assert response.status_code == status, (path, response.text[:500])
            out.append(response.json())
        return out

    return asyncio.run(fetch())


def canned(db: Path, name: str, **params: str) -> list[dict[str, Any]]:
    args = "".join(f"&{k}={quote(v)}" for k, v in params.items())
    rows: list[dict[str, Any]] = get_json(db, f"/{DATABASE}/{name}.json?_shape=array{args}")[0]
    return rows


# --- the data dictionary ----------------------------------------------------------------------


def test_every_table_and_column_is_described(archive: Path) -> None:
    con = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        # the shadow tables of an FTS5 table are SQLite's own storage
        names = [n for n in names if not re.fullmatch(r"document_fts_\w+", n)]
        actual = {n: [r[1] for r in con.execute(f"PRAGMA table_info({n})")] for n in names}
    finally:
        con.close()
    schema = {t.name: [c.name for c in t.columns] for t in Base.metadata.sorted_tables}
    assert set(schema) <= set(actual)
    assert set(TABLES) == set(actual)
    tables = metadata()["databases"][DATABASE]["tables"]
    for name, columns in actual.items():
        assert set(tables[name]["columns"]) == set(columns), name  # none undocumented, none stale
        assert tables[name]["title"] and tables[name]["description"]
        assert all(len(tables[name]["columns"][c]) > 8 for c in columns), name
    for name, columns in schema.items():
        assert set(columns) <= set(tables[name]["columns"])


def test_descriptions_say_what_the_readme_data_dictionary_says() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Export fields", 1)[1].split("\n## ", 1)[0]
    meanings: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 3 and re.fullmatch(r"`\w+`", cells[0]):
            meanings[cells[0].strip("`")] = cells[2].replace("`", "").replace("\\|", "|")
    documented = TABLES["document"].columns
    shared = set(meanings) & set(documented)
    assert len(shared) >= 14  # url, url_hash, jurisdiction_code, title, report_year, ...
    for name in shared:
        assert documented[name].startswith(meanings[name]), name


# --- canned queries, facets, search (Datasette in process) ------------------------------------


def test_every_canned_query_runs_with_its_form_left_empty(archive: Path) -> None:
    results = get_json(archive, *(f"/{DATABASE}/{name}.json" for name in QUERIES))
    for name, result in zip(QUERIES, results, strict=True):
        assert result["ok"] is True and result["query_name"] == name, result.get("error")
        params = set(re.findall(r":(\w+)", QUERIES[name].sql))
        assert set(result["query"]["params"]) == params
    assert sum(bool(r["rows"]) for r in results) == len(QUERIES) - 2  # not the two searches


def test_statistics_queries_are_served_and_agree_with_the_archive(archive: Path) -> None:
    from govcrawl.stats.metadata import STATS_CANNED_QUERIES

    served = get_json(archive, f"/{DATABASE}.json")[0]
    names = {q["name"] for q in served["queries"]}
    assert set(STATS_CANNED_QUERIES) <= names
    rows = canned(archive, "report_statistics")
    con = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    try:
        parsed = {r[0] for r in con.execute(
            "SELECT d.id FROM document d JOIN report_stat_summary s ON s.version_id = "
            "(SELECT max(id) FROM document_version WHERE document_id = d.id) "
            "WHERE d.is_annual_report = 1")}
        new_requests = dict(con.execute(
            "SELECT document_id, new_requests FROM report_stat_summary ORDER BY version_id"))
    finally:
        con.close()
    assert len(parsed) >= 10
    assert {r["document_id"] for r in rows} == parsed
    assert all(r["new_requests"] == new_requests[r["document_id"]] for r in rows)


def test_canned_queries_against_a_crawled_archive(archive: Path) -> None:
    late = doc_id(archive, LATE)
    revised = doc_id(archive, REVISED)
    assert query(archive, "SELECT published_at, on_time FROM document WHERE id = ?", late) == [
        ("2014-04-15", 0)
    ]

    rows = canned(archive, "late_reports")
    oracle = ids(archive, "SELECT id FROM document WHERE on_time = 0 AND is_annual_report = 1")
    assert {r["id"] for r in rows} == oracle == {late}
    assert rows[0]["days_late"] == 15 and rows[0]["deadline"] == "2014-03-31"
    assert canned(archive, "late_reports", year="2014") == []

    rows = canned(archive, "revised_reports")
    assert {r["id"] for r in rows} == {late, revised}
    assert all(r["versions"] == 2 and r["revisions"] == 1 for r in rows)

    per_year = canned(archive, "reports_per_jurisdiction_year")
    oracle_counts = {(str(c), y): n for c, y, n in query(
        archive, "SELECT jurisdiction_code, report_year, count(*) FROM document "
                 "WHERE is_annual_report = 1 GROUP BY 1, 2")}
    assert {(r["jurisdiction_code"], r["report_year"]): r["reports"] for r in per_year} == (
        oracle_counts
    )
    qingzhen_2013 = next(r for r in per_year
                         if r["jurisdiction_code"] == "520181" and r["report_year"] == 2013)
    assert (qingzhen_2013["late"], qingzhen_2013["province_name"]) == (1, "贵州省")
    guizhou = canned(archive, "reports_per_jurisdiction_year", province="520000")
    assert {r["jurisdiction_code"] for r in guizhou} == {"520181"}
    assert {r["jurisdiction_code"] for r in canned(
        archive, "reports_per_jurisdiction_year", level="township")} == {"150783103", "220203102"}

    missing = canned(archive, "missing_years")
    years = ids(archive, "SELECT DISTINCT report_year FROM document WHERE is_annual_report = 1")
    have = {(str(c), y) for c, y in query(
        archive, "SELECT jurisdiction_code, report_year FROM document WHERE is_annual_report = 1")}
    covered = {str(c) for (c,) in query(
        archive, "SELECT code FROM jurisdiction WHERE portal_url IS NOT NULL "
                 "OR code IN (SELECT jurisdiction_code FROM document)")}
    expected = {(c, y) for c in covered for y in range(min(years), max(years) + 1)} - have
    assert {(r["jurisdiction_code"], r["report_year"]) for r in missing} == expected
    assert ("520181", 2015) in expected and ("520181", 2013) not in expected

    flagged = canned(archive, "flagged_pages")
    flagged_docs = ids(archive, "SELECT id FROM document WHERE json_array_length(flags) > 0")
    assert {r["document_id"] for r in flagged if r["source"] == "document"} == flagged_docs
    assert len(flagged_docs) >= 2  # the hacked town page, the scanned PDF
    walls = {(str(u), str(o)) for u, o in query(
        archive, "SELECT url, outcome FROM fetch WHERE outcome IN ('challenge', 'soft404')")}
    assert {(r["url"], r["flags"]) for r in flagged if r["source"] == "fetch"} == walls
    assert {o for _, o in walls} == {"challenge", "soft404"}
    spam = canned(archive, "flagged_pages", flag="spam_injection")
    assert [r["jurisdiction_code"] for r in spam] == ["150783103"]

    short = canned(archive, "search_short", q="复议")
    assert {r["id"] for r in short} == containing(archive, "复议")
    assert len(short) >= 5 and all("复议" in (r["context"] + r["title"]) for r in short)
    assert canned(archive, "search_short", q="") == []
    text = canned(archive, "search_text", q=TERM)
    assert {r["id"] for r in text} == containing(archive, TERM)
    assert all(f"【{TERM}】" in r["snippet"] for r in text)
    assert canned(archive, "search_text", q='"OR NEAR(') == []


def test_document_facets_and_search(archive: Path) -> None:
    term = quote(TERM)
    (page,) = get_json(archive, f"/{DATABASE}/document.json?_search={term}&_size=max")
    hits = containing(archive, TERM)
    assert 2 <= len(hits) < 20
    assert {r[0] for r in page["rows"]} == hits
    facets = page["facet_results"]
    by_province = {v["value"]: v["count"] for v in facets["province"]["results"]}
    oracle = {p: n for p, n in query(
        archive, "SELECT j.province, count(*) FROM document d JOIN jurisdiction j ON "
                 f"j.code = d.jurisdiction_code WHERE d.id IN ({','.join(map(str, hits))}) "
                 "GROUP BY 1")}
    assert by_province == oracle
    guizhou = next(v for v in facets["province"]["results"] if v["value"] == "520000")
    assert guizhou["label"] == "贵州省 (520000)"
    (filtered,) = get_json(archive, guizhou["toggle_url"].removeprefix("http://localhost")
                           .replace("/document?", "/document.json?"))
    assert {r[0] for r in filtered["rows"]} == hits & ids(
        archive, "SELECT id FROM document WHERE jurisdiction_code = '520181'")
    assert [v["selected"] for v in filtered["facet_results"]["province"]["results"]] == [True]
    (everything,) = get_json(archive, f"/{DATABASE}/document.json")
    flags = {v["value"]: v["count"] for v in everything["facet_results"]["flags"]["results"]}
    assert flags["spam_injection"] == 1 and flags["no_text_layer"] >= 1
    levels = {v["value"] for v in everything["facet_results"]["level"]["results"]}
    assert levels == {str(v) for (v,) in query(
        archive, "SELECT DISTINCT level FROM jurisdiction WHERE code IN "
                 "(SELECT jurisdiction_code FROM document)")}
    assert everything["facet_results"]["report_year"]["results"]


def test_the_connection_cannot_write(archive: Path) -> None:
    before = hashlib.sha256(archive.read_bytes()).hexdigest()
    count = query(archive, "SELECT count(*) FROM document")
    (result,) = get_json(archive, f"/{DATABASE}.json?sql="
                         + quote("WITH x AS (SELECT 1) DELETE FROM document"), status=400)
    assert result["ok"] is False and "readonly" in result["error"]
    assert query(archive, "SELECT count(*) FROM document") == count
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == before


# --- the command line -------------------------------------------------------------------------


def test_bad_archives_are_refused(archive: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nothing.db"
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    cases = {
        "postgresql://u@localhost/archive": "serve needs a SQLite archive",
        f"sqlite:///{missing}": f"no archive at {missing}",
        "sqlite://": "names none",
        f"sqlite:///{other}": "is not a govcrawl archive",
    }
    for url, message in cases.items():
        out = run_govcrawl("serve", "--db", url)
        assert out.returncode == 2, (url, out.stderr)
        assert out.stderr.count("\n") == 1 and message in out.stderr, out.stderr
        assert "Traceback" not in out.stderr
    assert not missing.exists()
    out = run_govcrawl("serve", "--db", f"sqlite:///{archive}", "--port", "99999")
    assert out.returncode == 2 and "--port 99999" in out.stderr


@pytest.fixture(scope="module")
def server(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`govcrawl serve` on a free loopback port; its URL."""
    log = tmp_path_factory.mktemp("serve-log") / "stderr.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    env.update(FAST_ENV, GOVCRAWL_DB=f"sqlite:///{archive}")  # the default --db
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "govcrawl", "serve", "--port", "0"],
                                stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=ROOT)
    try:
        url = ""
        deadline = time.monotonic() + 30
        while not url and time.monotonic() < deadline and proc.poll() is None:
            found = re.search(r"at (http://127\.0\.0\.1:\d+/archive) ", log.read_text())
            url = found.group(1) if found else ""
            time.sleep(0.1)
        assert url, log.read_text()
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
        yield url
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=20) == 0
        assert "Traceback" not in log.read_text() and "stopped serving" in log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_browser_searches_and_runs_canned_queries(archive: Path, server: str) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (apt-get install chromium)"
    before = hashlib.sha256(archive.read_bytes()).hexdigest()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    late = doc_id(archive, LATE)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server}/document")
            assert page.locator("h1").inner_text().strip() == "Documents"
            assert "legal deadline" in page.locator("dl.column-descriptions").inner_text()

            # a 4-character Chinese term in the search box: the trigram index
            page.fill("#_search", TERM)
            with page.expect_navigation():
                page.press("#_search", "Enter")
            expected = containing(archive, TERM)
            assert shown_ids(page) == expected and len(expected) >= 2
            assert f'{len(expected)} rows where search matches "{TERM}"' in page.content()
            assert page.locator(".facet-info-name", has_text="province").count() == 1
            page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)

            # a canned query
            page.goto(f"{server}/late_reports")
            assert page.locator("h1").inner_text().strip() == "Late reports"
            assert shown_ids(page) == {late}
            assert page.locator("td.col-days_late").inner_text() == "15"
            page.screenshot(path=str(ARTIFACTS / "late_reports.png"), full_page=True)

            # a 2-character term through the substring query's form
            page.goto(f"{server}/search_short")
            page.fill("input[name=q]", "复议")
            with page.expect_navigation():
                page.click("input[type=submit]")
            assert shown_ids(page) == containing(archive, "复议")
            page.screenshot(path=str(ARTIFACTS / "search_short.png"), full_page=True)
        finally:
            browser.close()
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == before
    print(f"screenshots: {ARTIFACTS}")
    assert all((ARTIFACTS / f).stat().st_size > 10_000
               for f in ("search.png", "late_reports.png", "search_short.png"))
