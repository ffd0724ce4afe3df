"""Hostile servers and files: one crawl of the faults replica (govcrawl/demo/faults.py)
must finish in bounded time and memory, archive every good report, and record every
fault as a fetch outcome with a reason, counted in the run summary, none stored as a
report."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from govcrawl.demo.faults import FAULTS, GOOD, Fault, FaultsPortal, Good
from govcrawl.fetch.limits import retry_after_seconds
from tests.conftest import query, run_govcrawl
from tests.faults_helpers import CrawlRun, crawl

#: Small timeouts so that the servers that never answer cost seconds, not minutes; every
#: other bound (sizes, redirects, memory, Retry-After, robots.txt) at its default.
FAULT_ENV = {
    "GOVCRAWL_DOWNLOAD_TIMEOUT": "3",
    "GOVCRAWL_RETRY_TIMES": "1",
    "GOVCRAWL_PARSE_TIMEOUT": "5",
    "GOVCRAWL_MAX_PAGES": "100",
}
MAX_SECONDS = 90
MAX_MEMORY_MB = 500


@dataclass
class FaultsCrawl:
    portal: FaultsPortal
    db: Path
    run: CrawlRun
    started: float

    def url(self, host: str, path: str) -> str:
        return self.portal.url(host, path)

    def fetch(self, host: str, path: str) -> tuple[str, str | None]:
        url = self.url(host, path)
        rows = query(self.db, "SELECT outcome, error FROM fetch WHERE url = ?", url)
        assert len(rows) == 1, (path, rows)
        outcome, error = rows[0]
        return str(outcome), None if error is None else str(error)


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultsCrawl]:
    tmp = tmp_path_factory.mktemp("faults")
    with FaultsPortal(first_address="127.0.0.200") as portal:
        regions = tmp / "regions.toml"
        regions.write_text(portal.regions_toml(), encoding="utf-8")
        db = tmp / "archive.db"
        started = time.monotonic()
        run = crawl(
            "crawl", "faults", "faults_deep", "--regions-file", str(regions),
            "--db", f"sqlite:///{db}", "--allow-loopback",
            env=FAULT_ENV, timeout=MAX_SECONDS + 60,
        )  # fmt: skip
        yield FaultsCrawl(portal, db, run, started)


def test_the_crawl_finishes_in_bounded_time_and_memory(faults: FaultsCrawl) -> None:
    run = faults.run
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    assert run.seconds < MAX_SECONDS
    # Every process of the crawl (the crawler, the extraction workers, the one the PDF
    # bomb takes to its memory limit) stays under the bound, at its peak.
    assert 50 < run.memory.process_peak_mb < MAX_MEMORY_MB, run.memory.process_peak_kib
    assert run.rusage_peak_mb < MAX_MEMORY_MB
    print(
        f"\nfaults crawl: {run.seconds:.1f} s, peak RSS of one process "
        f"{run.memory.process_peak_mb:.0f} MB (getrusage: {run.rusage_peak_mb:.0f} MB), "
        f"peak PSS of the whole tree {run.memory.tree_pss_peak_mb:.0f} MB"
    )


def test_every_good_report_is_archived(faults: FaultsCrawl) -> None:
    stored = set(query(faults.db, "SELECT url, title, report_year, kind FROM document "
                                  "WHERE is_annual_report"))  # fmt: skip
    expected = {(faults.url(g.host, g.path), g.title, g.year, g.kind) for g in GOOD}
    assert stored == expected
    assert query(faults.db, "SELECT count(*) FROM document") == [(len(GOOD),)]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.key for f in FAULTS])
def test_each_fault_is_recorded_with_its_outcome_not_stored(
    faults: FaultsCrawl, fault: Fault
) -> None:
    outcome, error = faults.fetch(fault.host, fault.path)
    assert outcome in _bounded_outcomes(fault), error
    assert error, "a fault is recorded with its reason"
    assert query(faults.db, "SELECT count(*) FROM document WHERE url = ?",
                 faults.url(fault.host, fault.path)) == [(0,)]  # fmt: skip


def _bounded_outcomes(fault: Fault) -> set[str]:
    """The outcomes a fault may end in. The slow PDF grows the worker's memory as it is
    parsed: which bound stops it first, the parse timeout or the worker's memory limit
    (a crash, recorded as corrupt_file), depends on how fast the machine parses."""
    return {fault.outcome, "corrupt_file"} if fault.key == "slow-pdf" else {fault.outcome}


def test_reasons_name_the_bound(faults: FaultsCrawl) -> None:
    reasons = {f.key: faults.fetch(f.host, f.path)[1] or "" for f in FAULTS}
    assert "GOVCRAWL_MAX_INFLATED_SIZE" in reasons["gzip-bomb"]
    assert "deflate" in reasons["deflate-bomb"]
    assert "60000000 bytes" in reasons["huge-page"]
    assert "GOVCRAWL_MAX_DOWNLOAD_SIZE" in reasons["huge-chunked"]
    assert "redirects back to" in reasons["redirect-loop"]
    assert "more than 10 hops" in reasons["redirect-chain"]
    assert "169.254.169.254 is a link-local address" in reasons["redirect-metadata"]
    assert "10.0.0.8 is a private address" in reasons["redirect-private"]
    assert "::1 is a loopback address" in reasons["redirect-loopback6"]
    assert "took longer than 3.0 seconds" in reasons["slowloris"]
    assert "crashed on this file" in reasons["pdf-bomb"]
    assert ("GOVCRAWL_PARSE_TIMEOUT" in reasons["slow-pdf"]
            or "worker crashed" in reasons["slow-pdf"]), reasons["slow-pdf"]
    assert "zip bomb" in reasons["docx-bomb"] and "1073741824" in reasons["docx-bomb"]
    assert "86400" in reasons["retry-after-long"]


def test_traps_end_as_budget_exhausted(faults: FaultsCrawl) -> None:
    rows = query(faults.db, "SELECT region_slug, url, error FROM fetch "
                            "WHERE outcome = 'budget_exhausted' ORDER BY url")  # fmt: skip
    reasons = {str(slug) + " " + str(error).split(":")[0] for slug, _, error in rows}
    assert reasons == {
        "faults page budget of 100 requests per region reached (GOVCRAWL_MAX_PAGES)",
        "faults more than 30 query strings on /xxgk/nb/rili.html (a calendar or search trap; "
        "GOVCRAWL_MAX_QUERY_VARIANTS)",
        "faults_deep link depth limit of 3 hops from the home page reached (GOVCRAWL_MAX_DEPTH)",
    }
    # the endless pager and the calendar were followed only that far
    listings = query(faults.db, "SELECT count(*) FROM fetch WHERE region_slug = 'faults' "
                                "AND outcome IN ('listing', 'empty_listing')")  # fmt: skip
    assert 30 < listings[0][0] <= 100  # type: ignore[operator]
    calendar = faults.portal.requests_for("main", "/xxgk/nb/rili.html")
    assert len(calendar) == 30


def test_servers_that_never_answer_time_out_and_robots_failures_allow(faults: FaultsCrawl) -> None:
    assert faults.fetch("silent", "/xxgk/nb/") == (
        "timeout",
        f"timed out: Getting {faults.url('silent', '/xxgk/nb/')} took longer than 3.0 seconds.",
    )
    # robots.txt that never answers: the host is crawled as if it had none
    slow = next(g for g in GOOD if g.host == "robots_slow")
    assert faults.fetch("robots_slow", slow.path)[0] == "stored"
    # 5 MB robots.txt: the rule in its first 500 KiB holds, `Disallow: /` at its end does not
    big = next(g for g in GOOD if g.host == "robots_big")
    assert faults.fetch("robots_big", big.path)[0] == "stored"
    assert faults.fetch("robots_big", "/xxgk/nb/private/t2010.html")[0] == "robots"
    # the malformed robots.txt of the main host: its one real rule is obeyed, the rest ignored
    assert faults.fetch("main", "/xxgk/nb/private/t2011.html")[0] == "robots"
    assert not faults.portal.requests_for("main", "/xxgk/nb/private/t2011.html")


def test_retry_after_is_honoured_per_site(faults: FaultsCrawl) -> None:
    wait = faults.portal.retry_after
    for key, status in (("after-429-2017", 429), ("after-503-2016", 503)):
        good = next(g for g in GOOD if g.key == key)
        hits = faults.portal.requests_for("busy", good.path)
        assert [h.status for h in hits] == [status, 200]
        assert hits[1].at - hits[0].at >= wait - 0.1  # the wait was sat out, then fetched
        # ... by that site alone: it was asked nothing meanwhile, the other sites were
        others = [r for r in faults.portal.requests if r.host != "busy"]
        assert [r for r in others if hits[0].at < r.at < hits[1].at], key
        busy = faults.portal.requests_for("busy")
        assert not [r for r in busy if hits[0].at + 0.5 < r.at < hits[0].at + wait - 0.1], key
        assert faults.fetch("busy", good.path)[0] == "stored"


def test_run_summary_counts_every_outcome(faults: FaultsCrawl) -> None:
    out = run_govcrawl("runs", "--json", "--db", f"sqlite:///{faults.db}")
    assert out.returncode == 0, out.stderr
    (run,) = json.loads(out.stdout)
    assert run["status"] == "ok" and run["failed_regions"] == {}
    assert run["reports"] == len(GOOD)
    rows = query(faults.db, "SELECT outcome, count(*) FROM fetch GROUP BY outcome")
    table = {str(outcome): count for outcome, count in rows}
    assert run["outcomes"] == table
    expected = {f.outcome for f in FAULTS} | {"budget_exhausted", "stored"}
    assert expected <= set(run["outcomes"])
    assert run["outcomes"]["stored"] == len(GOOD)
    # the table printed at the end of the crawl says the same per region
    row = next(line for line in faults.run.stdout.splitlines() if line.startswith("溪山县"))
    slow_pdf = next(f for f in FAULTS if f.key == "slow-pdf")
    corrupt = 3 + (faults.fetch(slow_pdf.host, slow_pdf.path)[0] == "corrupt_file")
    for outcome in ("decompression_bomb 3", "too_large 2", "redirect_loop 2", "blocked 3",
                    f"corrupt_file {corrupt}", "retry_after 1", "truncated 1"):  # fmt: skip
        assert outcome in row, row
    assert row.rstrip().endswith("ok")


def test_a_page_of_nul_bytes_and_broken_encodings_keeps_its_title(faults: FaultsCrawl) -> None:
    good = next(g for g in GOOD if g.key == "nul-bytes-2018")
    (title, text, flags), = query(
        faults.db,
        "SELECT d.title, v.text, d.flags FROM document d JOIN document_version v "
        "ON v.document_id = d.id WHERE d.url = ?",
        faults.url(good.host, good.path),
    )
    assert title == good.title
    assert "\x00" not in str(text) and "本报告所列数据的统计期限自2018年1月1日" in str(text)
    assert "（本页内容由旧系统迁移）" not in str(text)  # the GBK splinter stays undecoded
    assert json.loads(str(flags)) == []


def test_scripts_on_crawled_pages_never_run(faults: FaultsCrawl) -> None:
    """Every report page carries a script and an image that call home; the crawler
    (no JavaScript engine outside Chromium, which only renders script-filled columns)
    never asks for them, and their code is no part of the text."""
    beacons = [r for host in ("main", "busy", "deep") for r in faults.portal.requests_for(host)
               if "/static/" in r.path]  # fmt: skip
    assert beacons == []
    texts = " ".join(str(t) for (t,) in query(faults.db, "SELECT text FROM document_version"))
    assert "beacon" not in texts and "document.cookie" not in texts


def test_a_search_for_sql_is_just_a_search(faults: FaultsCrawl) -> None:
    before = query(faults.db, "SELECT count(*) FROM document")
    for text in ("'; DROP TABLE document; --", "\" OR 1=1 --", "政务公开'); DELETE FROM fetch; --"):
        out = run_govcrawl("search", text, "--json", "--db", f"sqlite:///{faults.db}")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout) == []
    assert query(faults.db, "SELECT count(*) FROM document") == before
    out = run_govcrawl("search", "政务公开", "--json", "--db", f"sqlite:///{faults.db}")
    assert len(json.loads(out.stdout)) == len(GOOD)


def test_raw_archive_file_names_never_come_from_urls(faults: FaultsCrawl) -> None:
    from govcrawl.raw import RawError, parse_ref, read_raw

    raw_dir = faults.db.with_name("archive.raw")
    names = sorted(p.name for p in raw_dir.iterdir())
    assert names and all(n.startswith("govcrawl-run1-") and n.endswith(".warc.gz") for n in names)
    assert [p for p in faults.db.parent.rglob("*") if "xxgk" in p.name] == []
    for ref in ("../archive.db#0", "/etc/passwd#0", "..#0", "sub/x.warc.gz#0"):
        with pytest.raises(RawError):
            parse_ref(ref)
        with pytest.raises(RawError):
            read_raw(raw_dir, ref)


def test_good_pages_listed_twice_are_fetched_once(faults: FaultsCrawl) -> None:
    # the busy and robots hosts' own columns list their reports again
    for good in GOOD:
        if good.host in ("robots_slow", "robots_big"):
            assert len(faults.portal.requests_for(good.host, good.path)) == 1


def test_retry_after_values() -> None:
    from datetime import UTC, datetime

    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds(" 2.5 ") == 2.5
    assert retry_after_seconds("-3") == 0
    assert retry_after_seconds("Wed, 01 May 2024 12:00:30 GMT", now) == 30
    assert retry_after_seconds("Wed, 01 May 2024 11:00:00 GMT", now) == 0
    for bad in ("", "soon", "nan", "inf", "Wed, 99 Foo 2024"):
        assert retry_after_seconds(bad) is None


def test_good_reports_are_real_looking() -> None:
    """The faults portal's good reports are what a crawl of a real county archives."""
    from govcrawl.demo.faults import report_page
    from govcrawl.extract import PageInput, extract_page

    good: Good = GOOD[0]
    page = report_page("溪山县", good.year, date(2024, 1, 25))
    ex = extract_page(PageInput(url="http://127.0.0.200/x.html", body=page.encode()))
    assert (ex.title, ex.is_annual_report, ex.report_year) == (good.title, True, 2023)
    assert "网站标识码" not in ex.text and "一、总体情况" in ex.text


def test_readme_states_the_bounds_as_configured() -> None:
    """The README's "Faults and bounds" table gives each setting's real default."""
    import re

    from govcrawl.config import Config

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Faults and bounds", 1)[1].split("\n## ", 1)[0]
    stated = dict(re.findall(r"`(GOVCRAWL_[A-Z_]+)` \(([^)]+)\)", section))
    by_env = {env: name for name, env in Config._ENV.items()}
    defaults = Config()
    mib = 1024 * 1024
    assert len(stated) >= 12
    for env, text in stated.items():
        value = getattr(defaults, by_env[env])
        number = float(re.match(r"[\d.]+", text).group(0))  # type: ignore[union-attr]
        unit = {"MiB": mib, "KiB": 1024}.get(text.split()[1].rstrip(";") if " " in text else "", 1)
        if env == "GOVCRAWL_EXTRACT_MEMORY_MB":
            unit = 1
        assert number * unit == value, (env, text, value)


def test_each_fault_is_settled_in_bounded_time(faults: FaultsCrawl) -> None:
    """From the crawler's first request for a fault to its recorded outcome; printed as
    the closing table (pytest -s)."""
    from datetime import UTC, datetime

    lines = [f"{'fault':22} {'outcome':18} {'seconds':>7}  requests"]
    for fault in FAULTS:
        hits = faults.portal.requests_for(fault.host, fault.path)
        (fetched,) = query(faults.db, "SELECT fetched_at FROM fetch WHERE url = ?",
                           faults.url(fault.host, fault.path))[0]  # fmt: skip
        recorded = datetime.fromisoformat(str(fetched)).replace(tzinfo=UTC).timestamp()
        seconds = recorded - hits[0].wall if hits else 0.0
        # two tries of a 3 s download, or a parse timeout, a crash retried: seconds, not minutes
        assert -1 < seconds < 30, (fault.key, seconds)
        lines.append(f"{fault.key:22} {fault.outcome:18} {seconds:7.1f}  {len(hits)}")
    print("\n" + "\n".join(lines))
