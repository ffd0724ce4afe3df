#!/usr/bin/env python3
"""Benchmark suite (issue 10): govcrawl against the crawler a user would write, one table.

    python benchmarks/suite.py                        # 4,000 pages on 20 portals, ~5 min
    python benchmarks/suite.py --json                 # the figures as JSON
    python benchmarks/suite.py --only govcrawl,recrawl
    python benchmarks/suite.py --scaling 1000,4000,16000

On the generated world of ``world.py`` (N article pages, half annual reports, half other
pages of the same columns, on 20 TRS portals on loopback, every response 20-80 ms late,
served from a separate process), one after the other:

naive      ``naive_crawler.py``: one Scrapy spider, ``trafilatura.bare_extraction`` in a
           pipeline, rows written with ``sqlite3``; a subprocess;
bare       ``trafilatura.bare_extraction(html, url=..., with_metadata=True)`` (the naive
           pipeline's call) over the same article pages as served, one process, a subprocess;
           then ``trafilatura.extract(html)`` over them for reference;
govcrawl   ``python -m govcrawl crawl --all --regions-file F --db sqlite:///F.db
           --allow-loopback`` (GOVCRAWL_START_DELAY=0.01, GOVCRAWL_MAX_DELAY=1), a subprocess;
recrawl    the same command again on the same archive: the world unchanged.

Per row: article pages/s (pages answered 200 by the server, or 304 for the re-crawl, divided
by wall time from spawn to exit; for ``bare`` the timed loop), CPU seconds of the whole
process tree (the larger of the reaped children's rusage and the sum over the processes
polled from /proc), peak RSS of
the tree (sum, polled every 0.1 s from /proc) and of its largest process, and whether the
archive holds exactly the world's reports. Then the ratios the issue sets targets for.

``--scaling`` runs the crawlers (and the re-crawl) at each size on a fresh world and prints
time per page, CPU per page and the marginal time per page between sizes.

This is a script, not a test: it asserts no timings. Exit status 1 when a crawler failed,
left processes behind, did not fetch every article or did not archive exactly the reports.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.metadata
import itertools
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
# Sibling scripts, not a package.
import crawl_throughput as ct
import world

HERE = Path(__file__).resolve().parent
ROWS = ("naive", "bare", "govcrawl", "recrawl")
WAIT_IDLE_S = 0.0  # --wait-idle: before each row, wait up to this long for an idle machine
MIB = 1024 * 1024
TARGETS = {"vs_naive": 2.4, "vs_bare": 1.6, "rss_bytes": 500e6, "recrawl_cpu": 0.10}


def say(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


# --- running a process tree, watched -----------------------------------------------------------


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already in user
    return (total - idle) / ct._TICK, total / ct._TICK


def wait_until_idle(max_wait: float, idle_share: float = 0.85, window: float = 5.0) -> float:
    """Wait (at most `max_wait` s) until the machine was `idle_share` idle over `window` s."""
    start = said = time.perf_counter()
    while True:
        busy0, total0 = machine_cpu()
        time.sleep(window)
        busy1, total1 = machine_cpu()
        idle = 1 - (busy1 - busy0) / max(total1 - total0, 1e-9)
        waited = time.perf_counter() - start
        if idle >= idle_share or waited >= max_wait:
            return waited
        if time.perf_counter() - said >= 60:
            said = time.perf_counter()
            say(f"  waiting for an idle machine: {idle:.0%} idle over the last {window:.0f} s")



def run_watched(cmd: Sequence[str], env: dict[str, str], log_dir: Path, name: str,
                timeout: float) -> dict[str, Any]:
    """Run `cmd` in a session of its own; wall, CPU and peak memory of its process tree."""
    if WAIT_IDLE_S:
        waited = wait_until_idle(WAIT_IDLE_S)
        if waited > 6:
            say(f"  waited {waited:.0f} s for an idle machine")
    load = os.getloadavg()[0]
    machine0, self0 = machine_cpu()[0], time.process_time()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out_path, err_path = log_dir / f"{name}.stdout", log_dir / f"{name}.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, cwd=log_dir, env=env,
                                start_new_session=True)
        watch = ct.TreeWatch(proc.pid)
        timed_out = False
        try:
            while proc.poll() is None:
                watch.poll()
                if time.perf_counter() - start > timeout:
                    timed_out = True
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    break
                time.sleep(watch.interval)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine, suite_self = machine_cpu()[0] - machine0, time.process_time() - self0
    # Processes of the session still alive 3 s after the main one exited (e.g. workers).
    deadline = time.perf_counter() + 3
    while (leftover := ct._session(proc.pid)) and time.perf_counter() < deadline:
        time.sleep(0.1)
    leftover_commands = [ct._cmdline(pid)[:200] for pid in leftover]
    if leftover:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    reaped = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    roles = watch.by_role(watch.cpu_by_pid)
    polled = {role: sum(ticks) / ct._TICK for role, ticks in roles.items()}
    return {
        "command": " ".join(cmd),
        "exit_code": proc.returncode,
        "timed_out": timed_out,
        "leftover_processes": len(leftover),
        "leftover_commands": leftover_commands,
        "wall_s": wall,
        # Both are lower bounds: rusage misses processes nobody reaped (govcrawl's
        # forkserver, and with it the workers it reaped); polling misses each process's last
        # tenth of a second.
        "cpu_s": max(reaped, sum(polled.values())),
        "cpu_s_reaped": reaped,
        "cpu_s_polled": polled,
        "peak_rss_tree_mib": watch.peak_sum / MIB,
        "peak_pss_tree_mib": watch.peak_pss / MIB,
        "peak_rss_largest_mib": max(watch.peak_by_pid.values(), default=0) / MIB,
        "peak_processes": watch.peak_procs,
        "loadavg_before": load,
        # CPU the whole machine spent during the run, and the suite's own (the /proc polling)
        "machine_cpu_s": machine,
        "suite_cpu_s": suite_self,
        "stdout": out_path.read_text("utf-8", "replace")[-2000:],
        "stderr_tail": err_path.read_text("utf-8", "replace")[-1500:],
    }


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    env.update(ct.CRAWL_ENV)
    return env


def _paths(urls: Sequence[str]) -> set[tuple[str, str]]:
    out = set()
    for url in urls:
        parts = urlsplit(url)
        out.add((parts.hostname or "", parts.path))
    return out


# --- the rows ----------------------------------------------------------------------------------


def run_naive(server: world.WorldServer, workdir: Path, timeout: float,
              reports: set[tuple[str, str]]) -> dict[str, Any]:
    db = workdir / "naive.db"
    db.unlink(missing_ok=True)
    cmd = [sys.executable, str(HERE / "naive_crawler.py"), "--db", str(db),
           *server.column_urls()]
    run = run_watched(cmd, _env(), workdir, "naive", timeout)
    served = server.stats()
    summary: dict[str, Any] = {}
    with contextlib.suppress(json.JSONDecodeError, IndexError):
        summary = json.loads(run["stdout"].strip().splitlines()[-1])
    archived: set[tuple[str, str]] = set()
    if db.exists():
        con = sqlite3.connect(db)
        try:
            archived = _paths([u for (u,) in con.execute(
                "SELECT url FROM pages WHERE is_report")])
        except sqlite3.Error:
            pass
        finally:
            con.close()
    return {**run, "served": served, "summary": summary,
            "reports_archived": len(archived), "reports_ok": archived == reports,
            "pages": served["articles_200"], "crawl_s": summary.get("crawl_s")}


def govcrawl_archive(db: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"report_paths": set(), "documents": 0, "versions": 0, "runs": []}
    if not db.exists():
        return out
    con = sqlite3.connect(db)
    try:
        out["report_paths"] = _paths([u for (u,) in con.execute(
            "SELECT url FROM document WHERE is_annual_report")])
        out["documents"] = con.execute("SELECT count(*) FROM document").fetchone()[0]
        out["versions"] = con.execute("SELECT count(*) FROM document_version").fetchone()[0]
        for started, finished in con.execute(
                "SELECT started_at, finished_at FROM crawl_run ORDER BY id"):
            run_s = None
            if started and finished:
                run_s = (datetime.fromisoformat(str(finished))
                         - datetime.fromisoformat(str(started))).total_seconds()
            out["runs"].append(run_s)
    except sqlite3.Error:
        pass
    finally:
        con.close()
    return out


def run_govcrawl(server: world.WorldServer, workdir: Path, timeout: float,
                 reports: set[tuple[str, str]], name: str) -> dict[str, Any]:
    """One ``govcrawl crawl``; the first makes the archive, a second one re-crawls it."""
    db = workdir / "govcrawl.db"
    regions = workdir / "world-regions.toml"
    if name == "govcrawl":
        db.unlink(missing_ok=True)
        regions.write_text(server.regions_toml, encoding="utf-8")
    versions_before = govcrawl_archive(db)["versions"]
    cmd = [sys.executable, "-m", "govcrawl", "crawl", "--all", "--regions-file", str(regions),
           "--db", f"sqlite:///{db}", "--allow-loopback"]
    run = run_watched(cmd, _env(), workdir, name, timeout)
    served = server.stats()
    archive = govcrawl_archive(db)
    pages = served["articles_200"] if name == "govcrawl" else served["article_requests"]
    runs = archive["runs"]
    return {**run, "served": served, "pages": pages,
            "reports_archived": len(archive["report_paths"]),
            "reports_ok": archive["report_paths"] == reports,
            "documents": archive["documents"],
            "new_versions": archive["versions"] - versions_before,
            "crawl_s": runs[-1] if runs else None}


def run_bare(server: world.WorldServer, workdir: Path, timeout: float) -> dict[str, Any]:
    bodies = workdir / "bodies.bin"
    dumped = server.dump_bodies(bodies)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--bare-worker", str(bodies)]
    run = run_watched(cmd, _env(), workdir, "bare", timeout)
    result: dict[str, Any] = {}
    with contextlib.suppress(json.JSONDecodeError, IndexError):
        result = json.loads(run["stdout"].strip().splitlines()[-1])
    bodies.unlink(missing_ok=True)
    return {**run, "dumped": dumped, **result}


def bare_worker(path: Path) -> int:
    """In its own process: bare_extraction, then trafilatura.extract, over the dumped pages."""
    import trafilatura

    def records() -> Any:
        with open(path, "rb") as f:
            while header := f.read(8):
                n_url, n_body = int.from_bytes(header[:4], "little"), int.from_bytes(
                    header[4:], "little")
                yield f.read(n_url).decode("utf-8"), f.read(n_body)

    def bare(url: str, body: bytes) -> bool:
        """The naive pipeline's call; is the page a report by its title (nothing kept)."""
        doc = trafilatura.bare_extraction(body.decode("utf-8"), url=url, with_metadata=True)
        return doc is not None and "年度报告" in (getattr(doc, "title", None) or "")

    def extract(url: str, body: bytes) -> bool:
        return trafilatura.extract(body) is not None

    def timed(fn: Any) -> dict[str, Any]:
        for n, (url, body) in enumerate(records()):  # warm-up
            if n == 20:
                break
            fn(url, body)
        gc.collect()
        pages = hits = 0
        wall, cpu = time.perf_counter(), time.process_time()
        for url, body in records():
            hits += bool(fn(url, body))
            pages += 1
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return {"pages": pages, "wall_s": wall, "cpu_s": cpu, "pages_per_s": pages / wall,
                "hits": hits}

    figures = timed(bare)
    figures["reports_by_title"] = figures.pop("hits")
    figures["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    extracted = timed(extract)
    extracted["with_text"] = extracted.pop("hits")
    print(json.dumps({"bare": figures, "extract": extracted}))
    return 0


# --- one size ------------------------------------------------------------------------------------


def run_size(pages: int, portals: int, first_address: str, rows: Sequence[str], workdir: Path,
             timeout: float) -> dict[str, Any]:
    say(f"world: {pages} article pages on {portals} portals ({first_address} ...), "
        "built and served from a separate process ...")
    result: dict[str, Any] = {"pages": pages, "portals": portals,
                              "loadavg_start": list(os.getloadavg())}
    with world.WorldServer(pages, portals, first_address=first_address) as server:
        result["world"] = {**server.summary, "startup_s": server.startup_s}
        items = server.items()
        reports = _paths([url for url, is_report in items if is_report])
        if "bare" in rows:
            say("bare trafilatura over the served pages, one process ...")
            result["bare"] = run_bare(server, workdir, timeout)
        if "naive" in rows:
            say("naive crawler ...")
            result["naive"] = run_naive(server, workdir, timeout, reports)
            say(f"  {_brief(result['naive'])}")
        if "govcrawl" in rows or "recrawl" in rows:
            say("govcrawl crawl ...")
            result["govcrawl"] = run_govcrawl(server, workdir, timeout, reports, "govcrawl")
            say(f"  {_brief(result['govcrawl'])}")
        if "recrawl" in rows:
            say("govcrawl re-crawl of the unchanged world ...")
            result["recrawl"] = run_govcrawl(server, workdir, timeout, reports, "recrawl")
            say(f"  {_brief(result['recrawl'])}")
    result["loadavg_end"] = list(os.getloadavg())
    _derive(result)
    return result


def _brief(row: dict[str, Any]) -> str:
    return (f"{row['pages']} pages in {row['wall_s']:.1f} s, CPU {row['cpu_s']:.1f} s, "
            f"exit {row['exit_code']}, reports {row['reports_archived']}")


def _derive(r: dict[str, Any]) -> None:
    """Rates, ratios and the problems found."""
    problems: list[str] = []
    for name in ("naive", "govcrawl", "recrawl"):
        row = r.get(name)
        if row is None:
            continue
        row["pages_per_s"] = row["pages"] / row["wall_s"] if row["wall_s"] else 0.0
        row["cpu_ms_per_page"] = 1000 * row["cpu_s"] / row["pages"] if row["pages"] else None
        row["wall_ms_per_page"] = 1000 * row["wall_s"] / row["pages"] if row["pages"] else None
        if row["exit_code"] != 0 or row["timed_out"]:
            problems.append(f"{name}: exit {row['exit_code']} (timed out: {row['timed_out']})")
        if row["leftover_processes"]:
            problems.append(f"{name}: {row['leftover_processes']} processes still running 3 s "
                            f"after the main one exited: {row['leftover_commands']}")
        if not row["reports_ok"]:
            problems.append(f"{name}: archived {row['reports_archived']} reports, not exactly "
                            f"the world's {r['world']['reports']}")
        if name != "recrawl" and row["pages"] != r["pages"]:
            problems.append(f"{name}: fetched {row['pages']} of {r['pages']} article pages")
    for name in ROWS:
        row = r.get(name)
        if row is not None:  # CPU of other work on the machine while this row ran
            server = row.get("served", {}).get("server_cpu_s", 0.0)
            row["others_cpu_s"] = max(0.0, row["machine_cpu_s"] - row["cpu_s"] - server
                                      - row["suite_cpu_s"])
    recrawl = r.get("recrawl")
    if recrawl is not None and recrawl["new_versions"]:
        problems.append(f"recrawl: {recrawl['new_versions']} new versions of an unchanged world")
    bare = r.get("bare")
    if bare is not None:
        if "bare" not in bare:
            problems.append(f"bare: the worker failed (exit {bare['exit_code']}): "
                            f"{bare['stderr_tail'][-300:]}")
        elif bare["bare"]["reports_by_title"] != r["world"]["reports"]:
            problems.append(f"bare: {bare['bare']['reports_by_title']} titles name a report")
    ratios: dict[str, float] = {}
    gov = r.get("govcrawl")
    if gov is not None and gov["pages_per_s"]:
        if r.get("naive") and r["naive"]["pages_per_s"]:
            ratios["govcrawl_vs_naive"] = gov["pages_per_s"] / r["naive"]["pages_per_s"]
        if bare is not None and "bare" in bare:
            ratios["govcrawl_vs_bare"] = gov["pages_per_s"] / bare["bare"]["pages_per_s"]
        if recrawl is not None and gov["cpu_s"]:
            ratios["recrawl_cpu_fraction"] = recrawl["cpu_s"] / gov["cpu_s"]
    r["ratios"] = ratios
    r["problems"] = problems


# --- output ------------------------------------------------------------------------------------


def _others(row: dict[str, Any], cores: int) -> str:
    """CPU other work took while `row` ran, as a share of the machine (cores x wall)."""
    return f"{row['others_cpu_s'] / (cores * row['wall_s']):.0%}" if row["wall_s"] else "-"


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} MiB"


def print_table(r: dict[str, Any], meta: dict[str, Any]) -> None:
    w = r["world"]
    print(f"benchmark suite (issue 10): {w['pages']:,} article pages ({w['reports']:,} reports, "
          f"{w['others']:,} other pages) on {w['portals']} portals, {w['column_pages']} column "
          f"pages; mean article page {w['page_bytes_mean'] / 1024:.1f} KiB (reports "
          f"{w['report_bytes_mean'] / 1024:.1f}, others {w['other_bytes_mean'] / 1024:.1f}); "
          f"every response {w['latency_ms'][0]}-{w['latency_ms'][1]} ms late")
    print(f"{meta['date']}, {meta['cpu_cores']} CPU cores, load average "
          f"{r['loadavg_start'][0]:.2f} at the start, {r['loadavg_end'][0]:.2f} at the end; "
          f"Python {meta['python']}, trafilatura {meta['trafilatura']}, Scrapy {meta['scrapy']}")
    print()
    head = (f"{'':40}{'pages/s':>8}{'wall s':>8}{'CPU s':>8}{'CPU ms/pg':>10}"
            f"{'RSS tree':>10}{'largest':>10}{'reports':>11}{'fetched':>11}{'load':>6}"
            f"{'others':>8}")
    print(head)
    expected_reports, expected_pages = w["reports"], w["pages"]
    cores = meta["cpu_cores"] or 1

    def crawler(label: str, row: dict[str, Any], fetched: str | None = None) -> None:
        rep = f"{row['reports_archived']}/{expected_reports}" + ("" if row["reports_ok"] else "!")
        got = fetched or f"{row['pages']}/{expected_pages}"
        cpu_ms = row["cpu_ms_per_page"]
        print(f"{label:40}{row['pages_per_s']:8.1f}{row['wall_s']:8.1f}{row['cpu_s']:8.1f}"
              f"{cpu_ms if cpu_ms is not None else float('nan'):10.1f}"
              f"{_mib(row['peak_rss_tree_mib']):>10}{_mib(row['peak_rss_largest_mib']):>10}"
              f"{rep:>11}{got:>11}{row['loadavg_before']:6.2f}{_others(row, cores):>8}")

    if "naive" in r:
        crawler("naive: Scrapy + bare_extraction + sqlite3", r["naive"])
    bare = r.get("bare")
    if bare is not None and "bare" in bare:
        for label, fig, rss in (
            ("trafilatura.bare_extraction, 1 process", bare["bare"], bare["bare"]["maxrss_mib"]),
            ("trafilatura.extract, 1 process (ref.)", bare["extract"], None),
        ):
            reports = (f"{fig['reports_by_title']}/{expected_reports}"
                       if "reports_by_title" in fig else "-")
            print(f"{label:40}{fig['pages_per_s']:8.1f}{fig['wall_s']:8.1f}{fig['cpu_s']:8.1f}"
                  f"{1000 * fig['cpu_s'] / fig['pages']:10.1f}{_mib(rss):>10}{_mib(rss):>10}"
                  f"{reports:>11}{'-':>11}{bare['loadavg_before']:6.2f}"
                  f"{_others(bare, cores):>8}")
    if "govcrawl" in r:
        crawler("govcrawl crawl, end to end", r["govcrawl"])
    if "recrawl" in r:
        rc = r["recrawl"]
        crawler("govcrawl re-crawl, world unchanged", rc,
                f"{rc['served']['articles_304']}x304")
    print()
    ratios = r["ratios"]

    def verdict(met: bool) -> str:
        return "met" if met else "NOT met"

    if "govcrawl_vs_naive" in ratios:
        v = ratios["govcrawl_vs_naive"]
        print(f"govcrawl / naive crawler, pages/s:        {v:5.2f}x  (target >= "
              f"{TARGETS['vs_naive']}x: {verdict(v >= TARGETS['vs_naive'])})")
    if "govcrawl_vs_bare" in ratios:
        v = ratios["govcrawl_vs_bare"]
        print(f"govcrawl / bare_extraction, pages/s:      {v:5.2f}x  (target >= "
              f"{TARGETS['vs_bare']}x: {verdict(v >= TARGETS['vs_bare'])})")
    if "govcrawl" in r:
        g = r["govcrawl"]
        rss = g["peak_rss_tree_mib"] * MIB
        print(f"govcrawl peak RSS, process tree sum:      {g['peak_rss_tree_mib']:5.0f} MiB "
              f"(target < 500 MB: {verdict(rss < TARGETS['rss_bytes'])}); PSS sum "
              f"{g['peak_pss_tree_mib']:.0f} MiB, {g['peak_processes']} processes")
    if "recrawl_cpu_fraction" in ratios:
        v = ratios["recrawl_cpu_fraction"]
        rc = r["recrawl"]
        print(f"re-crawl CPU / first crawl CPU:           {v:5.1%}   (target <= 10%: "
              f"{verdict(v <= TARGETS['recrawl_cpu'])}); {rc['new_versions']} new versions")
    gov, naive = r.get("govcrawl"), r.get("naive")
    if gov is not None and naive is not None and gov["cpu_ms_per_page"]:
        print(f"CPU per page, naive / govcrawl:           "
              f"{naive['cpu_ms_per_page'] / gov['cpu_ms_per_page']:5.2f}x  (naive "
              f"{naive['cpu_ms_per_page']:.1f} ms, govcrawl {gov['cpu_ms_per_page']:.1f} ms; "
              "less sensitive to other load than pages/s)")
    shares = [row["others_cpu_s"] / (cores * row["wall_s"])
              for row in (r.get(n) for n in ROWS) if row and row["wall_s"]]
    if shares and max(shares) > 0.15:
        print(f"NOTE: other work took up to {max(shares):.0%} of the machine during a row "
              "(column 'others'): wall-time rates are low and the ratios uneven; run again, "
              "or with --wait-idle")
    print()
    notes = []
    for name in ("naive", "govcrawl", "recrawl"):
        row = r.get(name)
        if row is not None:
            crawl_s = row.get("crawl_s")
            inner = f", {row['pages'] / crawl_s:.1f} pages/s without start-up" if crawl_s else ""
            notes.append(f"{name}: server CPU {row['served']['server_cpu_s']:.1f} s for "
                         f"{row['served']['requests']} requests {row['served']['statuses']}"
                         f"{inner}")
    if bare is not None and "bare" in bare:
        notes.append("bare rows: the timed loop only (no interpreter start-up), page bytes "
                     "read from a file; RSS is the process's peak after bare_extraction")
    rc = r.get("recrawl")
    if rc is not None:
        again = rc["served"]["article_requests"] - rc["served"]["articles_304"]
        notes.append(f"re-crawl: {rc['served']['articles_304']} article pages answered 304, "
                     f"{again} asked for without validators (answered 200 again)")
    for note in notes:
        print(note)
    for problem in r["problems"]:
        print(f"PROBLEM: {problem}")


def print_scaling(results: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    print(f"scaling (issue 10 part 4): {meta['date']}, {meta['cpu_cores']} CPU cores; world of "
          f"{results[0]['portals']} portals, half reports, every response 20-80 ms late")
    print()
    names = [n for n in ("govcrawl", "recrawl", "naive") if n in results[0]]
    head = f"{'pages':>7}{'load':>6}"
    for n in names:
        head += f"{n + ' wall s':>17}{'ms/pg':>7}{'CPU ms/pg':>10}{'run ms/pg':>10}"
    print(head)
    for r in results:
        line = f"{r['pages']:7d}{r['loadavg_start'][0]:6.2f}"
        for n in names:
            row = r[n]
            run_ms = 1000 * row["crawl_s"] / row["pages"] if row.get("crawl_s") else float("nan")
            line += (f"{row['wall_s']:17.1f}{row['wall_ms_per_page']:7.1f}"
                     f"{row['cpu_ms_per_page']:10.2f}{run_ms:10.2f}")
        print(line)
    print()
    print("marginal cost per added page between sizes (fixed start-up cost cancels out):")
    for a, b in itertools.pairwise(results):
        parts = []
        for n in names:
            ra, rb = a[n], b[n]
            dp = rb["pages"] - ra["pages"]
            if dp:
                parts.append(f"{n} {1000 * (rb['wall_s'] - ra['wall_s']) / dp:.1f} ms wall, "
                             f"{1000 * (rb['cpu_s'] - ra['cpu_s']) / dp:.2f} ms CPU")
        print(f"  {a['pages']:,} -> {b['pages']:,}: " + "; ".join(parts))
    first, last = results[0], results[-1]
    for n in names:
        if first[n]["cpu_ms_per_page"] and last[n]["cpu_ms_per_page"]:
            print(f"{n}: CPU per page at {last['pages']:,} / at {first['pages']:,} = "
                  f"{last[n]['cpu_ms_per_page'] / first[n]['cpu_ms_per_page']:.2f}; wall per "
                  f"page {last[n]['wall_ms_per_page'] / first[n]['wall_ms_per_page']:.2f}")
    cores = meta["cpu_cores"] or 1
    print("share of the machine other work took during each run: " + "; ".join(
        f"{r['pages']:,}: " + ", ".join(f"{n} {_others(r[n], cores)}" for n in names)
        for r in results))
    if any(r[n]["others_cpu_s"] > 0.15 * cores * r[n]["wall_s"] for r in results for n in names):
        print("NOTE: other work was running: wall time per page follows it, CPU per page less "
              "so; run again, or with --wait-idle")
    for r in results:
        for problem in r["problems"]:
            print(f"PROBLEM at {r['pages']:,} pages: {problem}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k not in ("stdout",)}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set):
        return sorted(map(str, value))
    return value


# --- main -----------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=world.PAGES,
                        help=f"article pages, half reports (default {world.PAGES})")
    parser.add_argument("--portals", type=int, default=world.PORTALS,
                        help=f"portals (default {world.PORTALS}, at most {len(world.COUNTIES)})")
    parser.add_argument("--only", default=None,
                        help=f"comma-separated rows out of {','.join(ROWS)} (default: all; "
                             "with --scaling: naive,govcrawl,recrawl)")
    parser.add_argument("--scaling", metavar="N,N,...",
                        help="run at each of these page counts (e.g. 1000,4000,16000)")
    parser.add_argument("--first-address", default=world.FIRST_ADDRESS,
                        help=f"loopback address of the first portal (default "
                             f"{world.FIRST_ADDRESS})")
    parser.add_argument("--workdir", type=Path,
                        help="keep archives, regions file and the crawlers' logs here")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="kill a crawler after this many seconds (default 1800)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--save", type=Path, metavar="FILE",
                        help="also write the figures as JSON to FILE")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="before each row wait, up to SECONDS, until the machine is 85%% "
                             "idle over 5 s (a shared machine)")
    parser.add_argument("--bare-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_worker is not None:
        return bare_worker(args.bare_worker)
    global WAIT_IDLE_S
    WAIT_IDLE_S = max(0.0, args.wait_idle)

    sizes = [args.pages]
    if args.scaling:
        try:
            sizes = [int(n) for n in args.scaling.split(",")]
        except ValueError:
            parser.error("--scaling takes page counts separated by commas, e.g. 1000,4000,16000")
    default_rows = ("naive", "govcrawl", "recrawl") if args.scaling else ROWS
    rows = tuple(x.strip() for x in args.only.split(",")) if args.only else default_rows
    unknown = [x for x in rows if x not in ROWS]
    if unknown:
        parser.error(f"--only: unknown row {unknown[0]!r} (rows: {', '.join(ROWS)})")
    if not 1 <= args.portals <= len(world.COUNTIES):
        parser.error(f"--portals must be 1..{len(world.COUNTIES)}")
    capacity = 2 * world.REPORT_CAPACITY * args.portals
    for n in sizes:
        if not 2 * args.portals <= n <= capacity:
            parser.error(f"page counts must be {2 * args.portals}..{capacity} on "
                         f"{args.portals} portals (got {n})")

    import trafilatura

    meta = {
        "date": date.today().isoformat(), "cpu_cores": os.cpu_count(),
        "python": sys.version.split()[0], "trafilatura": trafilatura.__version__,
        "scrapy": importlib.metadata.version("scrapy"),
    }
    tmp = None
    if args.workdir:
        workdir = args.workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="govcrawl-suite-")
        workdir = Path(tmp.name)
    results = []
    try:
        for n in sizes:
            sub = workdir / str(n) if len(sizes) > 1 else workdir
            sub.mkdir(exist_ok=True)
            results.append(run_size(n, args.portals, args.first_address, rows, sub,
                                    args.timeout))
    finally:
        if tmp is not None:
            tmp.cleanup()
    payload = {**meta, "results": results} if args.scaling else {**meta, **results[0]}
    if args.save:
        args.save.write_text(json.dumps(_jsonable(payload), ensure_ascii=False, indent=2) + "\n",
                             encoding="utf-8")
    if args.json:
        print(json.dumps(_jsonable(payload), ensure_ascii=False, indent=2))
    elif args.scaling:
        print_scaling(results, meta)
    else:
        print_table(results[0], meta)
    if any(r["problems"] for r in results):
        if tmp is not None:
            say("(rerun with --workdir DIR to keep the crawlers' logs)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
