"""Repeated crawls against replicas that change between runs: conditional requests,
new versions of edited reports, gone reports, forced re-crawls, runs, locks, resume."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from govcrawl.demo import PortalServer
from tests.conftest import FAST_ENV, ROOT, query, run_govcrawl

REPORT = "/zfxxgk/zfxxgknb/201403/content_34877.html"  # 清镇市2013年政府信息公开年度报告
GONE = "/zfxxgk/zfxxgknb/201503/content_48213.html"  # 清镇市2014年…
COLUMN = "/zfxxgk/zfxxgknb/index.html"
COLUMNS = {COLUMN, "/zfxxgk/zfxxgknb/index_2.html", "/zfxxgk/zfxxgknb/index_3.html"}  # with records


@pytest.fixture(scope="module")
def server() -> Iterator[PortalServer]:
    with PortalServer(first_address="127.0.0.100") as portal:  # its own replicas: we edit them
        yield portal


@pytest.fixture(autouse=True)
def pristine(server: PortalServer) -> Iterator[None]:
    yield
    server.reset_pages()  # each test edits the replicas as it needs


@pytest.fixture(scope="module")
def setup(server: PortalServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("recrawl")
    regions = tmp / "regions.toml"
    regions.write_text(server.regions_toml(["qingzhen", "zhalantun"]), encoding="utf-8")
    return regions, tmp / "archive.db"


def crawl(setup: tuple[Path, Path], *args: str, command: str = "crawl") -> subprocess.CompletedProcess[str]:
    regions, db = setup
    slugs = args or ("qingzhen",)
    return run_govcrawl(command, *slugs, "--regions-file", str(regions), "--db", f"sqlite:///{db}",
                        "--allow-loopback")


def versions(db: Path, path: str) -> list[str]:
    return [str(t) for (t,) in query(db, "SELECT v.text FROM document_version v JOIN document d "
                                         "ON d.id = v.document_id WHERE d.url LIKE ? ORDER BY v.id",
                                     f"%{path}")]


def test_repeated_crawls(server: PortalServer, setup: tuple[Path, Path]) -> None:
    _, db = setup
    # 1. first crawl
    first = crawl(setup)
    assert first.returncode == 0, first.stderr[-2000:]
    assert query(db, "SELECT count(*) FROM document") == [(3,)]

    # 2. nothing changed: conditional requests, 304s, no new version
    server.clear_requests()
    second = crawl(setup)
    assert second.returncode == 0, second.stderr[-2000:]
    conditional = {r.path: headers for r, headers in server.conditional_requests}
    assert set(conditional) == {REPORT, GONE, "/zfxxgk/zfxxgknb/201303/content_21934.html", *COLUMNS}
    assert all("If-None-Match" in h and "If-Modified-Since" in h for h in conditional.values())
    assert {r.status for r, _ in server.conditional_requests} == {304}
    assert query(db, "SELECT count(*) FROM document_version") == [(3,)]
    assert dict(query(db, "SELECT outcome, count(*) FROM fetch WHERE crawl_run_id = 2 "
                          "AND outcome NOT IN ('listing', 'http_error') GROUP BY outcome")) == {"unchanged": 3}

    # 3. a report is edited: exactly one new version, with the edit as its diff
    old = server.body("qingzhen", REPORT).decode("utf-8")
    assert "全年共发布政府公开类信息8569条" in old
    server.set_page("qingzhen", REPORT, old.replace("全年共发布政府公开类信息8569条",
                                                    "全年共发布政府公开类信息8570条"))
    third = crawl(setup)
    assert third.returncode == 0, third.stderr[-2000:]
    texts = versions(db, REPORT)
    assert len(texts) == 2 and "8569条" in texts[0] and "8570条" in texts[1]
    assert query(db, "SELECT count(*) FROM document_version") == [(4,)]
    (changed,) = query(db, "SELECT last_changed_at IS NOT NULL FROM document WHERE url LIKE ?", f"%{REPORT}")[0]
    assert changed == 1
    history = run_govcrawl("history", f"http://x{REPORT}", "--db", f"sqlite:///{db}")
    doc_id = query(db, "SELECT id FROM document WHERE url LIKE ?", f"%{REPORT}")[0][0]
    history = run_govcrawl("history", str(doc_id), "--db", f"sqlite:///{db}")
    assert history.returncode == 0, history.stderr
    minus = [ln for ln in history.stdout.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    plus = [ln for ln in history.stdout.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    assert len(minus) == 1 and "8569条" in minus[0]
    assert len(plus) == 1 and "8570条" in plus[0]

    # 4. a report is deleted: 404 twice in a row, then gone_at (never deleted)
    server.set_page("qingzhen", GONE, "<html><body><h1>404 Not Found</h1></body></html>", status=404)
    crawl(setup)
    assert query(db, "SELECT gone_at IS NULL FROM document WHERE url LIKE ?", f"%{GONE}") == [(1,)]
    crawl(setup)
    assert query(db, "SELECT gone_at IS NOT NULL FROM document WHERE url LIKE ?", f"%{GONE}") == [(1,)]
    assert query(db, "SELECT count(*) FROM document") == [(3,)]

    # 5. --force: no conditional request, everything fetched and re-extracted, nothing new
    server.clear_requests()
    forced = crawl(setup, "qingzhen", "--force", command="recrawl")
    assert forced.returncode == 0, forced.stderr[-2000:]
    assert server.conditional_requests == []
    assert query(db, "SELECT count(*) FROM document_version") == [(4,)]

    # 6. the runs, newest first, with triggers and counts per outcome
    runs = run_govcrawl("runs", "--last", "2", "--db", f"sqlite:///{db}")
    assert runs.returncode == 0
    lines = runs.stdout.splitlines()
    assert lines[0].startswith("run 6  ok       on-demand")
    assert "unchanged 2" in lines[1] and "http_error 2" in lines[1]  # the old dead link + the gone one
    assert lines[2].startswith("run 5  ok       manual")


def test_unchanged_column_pages_are_followed_without_reading_them_again(
    server: PortalServer, tmp_path: Path
) -> None:
    regions = tmp_path / "regions.toml"
    regions.write_text(server.regions_toml(["qingzhen"]), encoding="utf-8")
    db = tmp_path / "c.db"
    setup = (regions, db)
    assert crawl(setup).returncode == 0
    first = dict(query(db, "SELECT url, outcome FROM fetch WHERE crawl_run_id = 1 AND outcome NOT IN "
                           "('listing', 'empty_listing')"))

    def run(n: int) -> tuple[subprocess.CompletedProcess[str], dict[str, int], dict[str, str]]:
        server.clear_requests()
        out = crawl(setup)
        assert out.returncode == 0, out.stderr[-2000:]
        statuses = {r.path: r.status for r in server.requests_for("qingzhen")}
        fetched = dict(query(db, "SELECT url, outcome FROM fetch WHERE crawl_run_id = ? AND outcome NOT IN "
                                 "('listing', 'empty_listing')", n))
        return out, statuses, fetched

    # 2. nothing changed: the column pages answer 304 and what they listed is followed again
    out, statuses, fetched = run(2)
    assert {path: statuses[path] for path in COLUMNS} == {path: 304 for path in COLUMNS}
    assert {r.path for r, _ in server.conditional_requests} >= COLUMNS
    assert "3 column pages unchanged since the last run" in out.stderr
    assert fetched == {url: "unchanged" if outcome == "stored" else outcome for url, outcome in first.items()}
    assert query(db, "SELECT http_status, count(*) FROM fetch WHERE crawl_run_id = 2 AND outcome = 'listing' "
                     "GROUP BY http_status") == [(304, 3)]

    # 3-4. a report is taken off its column: the page is read afresh (then answers 304 again);
    # the report is not asked for, and after two runs without it, it is gone
    column = server.body("qingzhen", COLUMN).decode("utf-8")
    line = next(m.group(0) for m in re.finditer(r"<li>.*?</li>", column) if GONE in m.group(0))
    server.set_page("qingzhen", COLUMN, column.replace(line, ""))
    out, statuses, fetched = run(3)
    assert statuses[COLUMN] == 200 and GONE not in statuses
    assert "2 column pages unchanged since the last run" in out.stderr
    assert query(db, "SELECT gone_at IS NULL FROM document WHERE url LIKE ?", f"%{GONE}") == [(1,)]
    out, statuses, fetched = run(4)
    assert statuses[COLUMN] == 304 and GONE not in statuses
    assert query(db, "SELECT gone_at IS NOT NULL FROM document WHERE url LIKE ?", f"%{GONE}") == [(1,)]

    # 5. the same body without validators (no 304 possible): recognised by its digest
    server.set_page("qingzhen", COLUMN, column.replace(line, ""), validators=False)
    out, statuses, fetched = run(5)
    assert statuses[COLUMN] == 200 and GONE not in statuses
    assert "3 column pages unchanged since the last run" in out.stderr
    assert fetched[server.base_url('qingzhen').rstrip('/') + REPORT] == "unchanged"

    # 6. --force reads every column page afresh, unconditionally
    server.clear_requests()
    forced = crawl(setup, "qingzhen", "--force", command="recrawl")
    assert forced.returncode == 0, forced.stderr[-2000:]
    assert server.conditional_requests == []
    assert "column pages unchanged" not in forced.stderr


def test_a_region_that_stops_yielding_reports_fails_loudly(server: PortalServer, setup: tuple[Path, Path]) -> None:
    _, db = setup
    ok = crawl(setup, "zhalantun")
    assert ok.returncode == 0, ok.stderr[-2000:]
    column = "/zwgk/zfxxgknb/index.html"
    saved = server.body("zhalantun", column)
    server.set_page("zhalantun", column, "<html><body><ul><li>暂无信息</li></ul></body></html>")
    try:
        empty = crawl(setup, "zhalantun")
    finally:
        server.set_page("zhalantun", column, saved)
    assert empty.returncode == 1
    assert "region zhalantun (扎兰屯市) failed" in empty.stderr
    assert "it yielded 4 reports in run" in empty.stderr


def test_two_runs_never_crawl_one_region_at_once(server: PortalServer, tmp_path: Path) -> None:
    regions = tmp_path / "regions.toml"
    regions.write_text(server.regions_toml(["qingzhen", "kundulun", "longtan"]), encoding="utf-8")
    db = tmp_path / "a.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    # slow enough (1.5 s between requests to a site) to be still running when the two
    # re-crawls below have finished, on a loaded machine too
    env.update(FAST_ENV, GOVCRAWL_DOWNLOAD_DELAY="1.5", GOVCRAWL_PER_SITE_CONCURRENCY="1")
    base = [sys.executable, "-m", "govcrawl"]
    tail = ["--regions-file", str(regions), "--db", f"sqlite:///{db}", "--allow-loopback"]
    nightly = subprocess.Popen([*base, "crawl", "kundulun", "qingzhen", "--trigger", "scheduled", *tail],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (Path(f"{db}.locks") / "kundulun.lock").exists():
        time.sleep(0.05)
    time.sleep(0.3)
    with ThreadPoolExecutor(2) as both:  # at the same time, beside the nightly
        same_run = both.submit(run_govcrawl, "recrawl", "qingzhen", *tail)  # nightly holds it
        other_run = both.submit(run_govcrawl, "recrawl", "longtan", *tail)  # another region
        same, other = same_run.result(), other_run.result()
    assert nightly.poll() is None, "the nightly should still be running"
    out, err = nightly.communicate(timeout=120)
    assert nightly.returncode == 0, err[-2000:]
    assert "region qingzhen is being crawled by another run" in same.stderr
    assert same.returncode == 0 and "0 reports from 0 jurisdictions" in same.stdout
    assert other.returncode == 0 and "3 reports from 1 jurisdictions" in other.stdout, other.stderr
    after = run_govcrawl("recrawl", "qingzhen", *tail)  # now free
    assert after.returncode == 0, after.stderr[-2000:]
    assert query(db, "SELECT count(*), count(DISTINCT url_hash) FROM document") == [(9, 9)]
    assert query(db, "SELECT trigger, status FROM crawl_run ORDER BY id") == [
        ("scheduled", "ok"), ("on-demand", "ok"), ("on-demand", "ok"), ("on-demand", "ok")]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_killed_crawl_resumes_to_the_same_archive(server: PortalServer, tmp_path: Path) -> None:
    regions = tmp_path / "regions.toml"
    slugs = ["zhalantun", "kundulun", "qingzhen", "longtan"]
    regions.write_text(server.regions_toml(slugs), encoding="utf-8")
    tail = ["--regions-file", str(regions), "--allow-loopback"]
    whole = tmp_path / "whole.db"
    assert run_govcrawl("crawl", *slugs, *tail, "--db", f"sqlite:///{whole}").returncode == 0

    killed = tmp_path / "killed.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    env.update(FAST_ENV, GOVCRAWL_DOWNLOAD_DELAY="0.3", GOVCRAWL_PER_SITE_CONCURRENCY="1")
    proc = subprocess.Popen([sys.executable, "-m", "govcrawl", "crawl", *slugs, *tail, "--db",
                             f"sqlite:///{killed}"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            stored = query(killed, "SELECT count(*) FROM document")[0][0]  # type: ignore[assignment]
        except Exception:
            stored = 0
        if stored >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the crawl ended before it could be killed half way"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 3 <= query(killed, "SELECT count(*) FROM document")[0][0] < 13  # type: ignore[operator]

    resumed = run_govcrawl("crawl", *slugs, *tail, "--db", f"sqlite:///{killed}")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "resuming run 1" in resumed.stderr
    snapshot = "SELECT url, content_hash FROM document d JOIN document_version v ON v.document_id = d.id"
    mirror = {"/zwgk/zfxxgknb/202101/t20210129_2998765.html", "/zwgk/fdzdgknr/zfxxgknb/202101/t20210129_2998765.html"}

    def canon(rows: list[tuple[object, ...]]) -> set[tuple[str, str]]:
        out = set()
        for url, digest in rows:
            path = "/" + str(url).split("/", 3)[3]
            out.add(("MIRROR" if path in mirror else path, str(digest)))
        return out

    assert canon(query(killed, snapshot)) == canon(query(whole, snapshot))
    assert query(killed, "SELECT count(*) FROM document_version") == [(13,)]
    assert query(killed, "SELECT count(*) FROM crawl_run") == [(1,)]
    assert query(killed, "SELECT status, finished_at IS NOT NULL FROM crawl_run") == [("ok", 1)]
