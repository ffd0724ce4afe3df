#!/usr/bin/env python3
"""Scale-out throughput: one `govcrawl worker` against two, sharing a Redis frontier and
a PostgreSQL archive, on replicas that answer like distant portals (50-200 ms each).

    python benchmarks/frontier_scaling.py [--pages 800] [--sites 8] [--repeat N] [--json]

It starts a real PostgreSQL and a real redis-server (as the tests do, tests/servers.py)
and, in a separate process, the generated TRS portal of benchmarks/crawl_throughput.py
(N report pages over S sites, each site on its own loopback address) whose every answer
waits a random 50-200 ms (uniform, seeded). Then, each into a fresh database:

(a) ``govcrawl crawl --all`` into PostgreSQL, one process, no frontier (the baseline);
(b) 1 worker: ``govcrawl worker`` started, the run seeded with
    ``govcrawl crawl --all --frontier redis://...``, timed from seeding until the
    ``crawl_run`` is finished;
(c) 2 workers, the same.

Per configuration: reports archived, wall time, reports/s, the servers' most requests at
once on one site (politeness: never above GOVCRAWL_PER_SITE_CONCURRENCY, 2), requests
per URL, PostgreSQL's write rate over the crawl from its own statistics
(``pg_stat_database``: commits/s, rows inserted/s and updated/s), and CPU seconds by
process tree (crawl or seeder, workers with their extraction pools, PostgreSQL, Redis,
the portal server; from /proc), as crawler CPU per report and as a share of all cores.
Finally (d) the store's own write capacity on PostgreSQL: ``Store.save_page`` of new
report pages (a 2021 report's text, its statistics parsed beforehand as the extraction
workers do) from one process and from two at once, pages/s.

Settings are govcrawl's defaults (AutoThrottle from a 1 s start delay, 2 requests at a
time per site, 2 extraction processes per crawling process) except
GOVCRAWL_WORKER_REGIONS, set to the number of sites so one worker may crawl all regions
at once as the single process does. This is a script, not a test: it asserts no timings.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


def serve(pages: int, sites: int, first_address: str, delay: tuple[float, float],
          conn: Connection) -> None:
    """Server process: the generated portal, every answer delayed; bases, then figures."""
    import crawl_throughput as ct

    from tests.servers import slow_down

    portal = ct.build_portal(pages, sites)
    ct.install_bodies(portal)
    server = ct._server_class()(portal.sites, first_address).start()
    load = slow_down(server, delay, seed=8)
    conn.send({s.key: server.base_url(s.key) for s in portal.sites})
    while True:
        message = conn.recv()
        if message == "stop":
            break
        with server._lock:
            requests = list(server.requests)
            server.requests.clear()
        most = dict(load.most)
        load.clear()
        per_url: dict[tuple[str, str, str], int] = {}
        for r in requests:
            per_url[(r.site, r.method, r.path)] = per_url.get((r.site, r.method, r.path), 0) + 1
        conn.send({"requests": len(requests), "urls": len(per_url),
                   "most_per_url": max(per_url.values(), default=0),
                   "most_at_once_on_a_site": max(most.values(), default=0)})
    server.stop()


def env(extra: dict[str, str]) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    out.update(extra)
    return out


def pg_counters(url: str) -> tuple[int, int, int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT xact_commit, tup_inserted, tup_updated, tup_deleted "
                "FROM pg_stat_database WHERE datname = current_database()"
            )).one()
        return int(row[0]), int(row[1]), int(row[2]), int(row[3])
    finally:
        engine.dispose()


def scalar(url: str, sql: str) -> Any:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


class CPUWatch:
    """CPU seconds used from now on by the process trees under some roots (polled from
    /proc every 0.25 s by a thread; a process's last quarter second may be missed)."""

    def __init__(self, roots: dict[str, int]) -> None:
        import crawl_throughput as ct

        self.watches = {name: ct.TreeWatch(pid) for name, pid in roots.items()}
        self.baseline: dict[int, int] = {}
        for watch in self.watches.values():
            watch.poll()
            self.baseline.update(watch.cpu_by_pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def add(self, name: str, pid: int) -> None:
        import crawl_throughput as ct

        watch = ct.TreeWatch(pid)
        watch.poll()
        self.baseline.update(watch.cpu_by_pid)  # what it used before: not ours to count
        self.watches[name] = watch

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            for watch in list(self.watches.values()):
                watch.poll()

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        tick = os.sysconf("SC_CLK_TCK")
        out: dict[str, float] = {}
        for name, watch in self.watches.items():
            used = sum(t - self.baseline.get(pid, 0) for pid, t in watch.cpu_by_pid.items())
            key = name.rstrip("0123456789")
            out[key] = round(out.get(key, 0.0) + used / tick, 1)
        return out


def run_config(name: str, workers: int, *, db: str, frontier: str, regions: Path,
               base_env: dict[str, str], workdir: Path, timeout: float,
               servers: dict[str, int]) -> dict[str, Any]:
    """(a) workers == 0: one `govcrawl crawl`; else N workers and a seeded run."""
    import redis

    py = [sys.executable, "-m", "govcrawl"]
    run_env = env({**base_env, "GOVCRAWL_RAW_DIR": str(workdir / f"raw-{name}")})
    subprocess.run([*py, "db", "upgrade", "--db", db], check=True, capture_output=True,
                   env=run_env, cwd=ROOT)
    client = redis.Redis.from_url(frontier)
    client.flushdb()
    started: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        for n in range(workers):
            log = open(workdir / f"{name}-worker{n}.log", "wb")  # noqa: SIM115
            logs.append(log)
            started.append(subprocess.Popen(
                [*py, "worker", "--frontier", frontier, "--db", db, "--idle-timeout", "0",
                 "--allow-loopback"],
                env=run_env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True))
        deadline = time.monotonic() + 120
        while workers and len(client.keys("govcrawl:worker:*")) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in started):
                raise SystemExit(f"{name}: the workers did not come up (see {workdir})")
            time.sleep(0.1)
        before = pg_counters(db)
        cpu = CPUWatch(servers)
        for n, p in enumerate(started):
            cpu.add(f"worker{n}", p.pid)
        t0 = time.perf_counter()
        crawl = [*py, "crawl", "--all", "--regions-file", str(regions), "--db", db,
                 "--allow-loopback"]
        if workers:
            crawl += ["--frontier", frontier]
        proc = subprocess.Popen(crawl, env=run_env, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        cpu.add("seed" if workers else "crawl", proc.pid)
        _, err = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            raise SystemExit(f"{name}: crawl/seed failed: {err[-2000:]}")
        while not scalar(db, "SELECT count(*) FROM crawl_run WHERE finished_at IS NOT NULL"):
            if time.perf_counter() - t0 > timeout:
                raise SystemExit(f"{name}: the run did not finish in {timeout:.0f} s")
            if any(p.poll() is not None for p in started):
                raise SystemExit(f"{name}: a worker died (see {workdir})")
            time.sleep(0.1)
        wall = time.perf_counter() - t0
        cpu_s = cpu.stop()
    finally:
        for p in started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in started:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        for log in logs:
            log.close()
    time.sleep(1.5)  # backends flush their statistics when they end (at most 1 s late)
    after = pg_counters(db)
    reports = int(scalar(db, "SELECT count(*) FROM document WHERE is_annual_report"))
    status = scalar(db, "SELECT status FROM crawl_run ORDER BY id DESC LIMIT 1")
    run_s = float(scalar(db, "SELECT extract(epoch FROM finished_at - started_at) "
                             "FROM crawl_run ORDER BY id DESC LIMIT 1"))
    commits, inserted, updated = (a - b for a, b in zip(after[:3], before[:3], strict=True))
    return {"config": name, "workers": workers, "status": status, "reports": reports,
            "wall_s": round(wall, 2), "run_s": round(run_s, 2),
            "reports_per_s": round(reports / wall, 2),
            "pg_commits_per_s": round(commits / wall, 1),
            "pg_rows_inserted_per_s": round(inserted / wall, 1),
            "pg_rows_updated_per_s": round(updated / wall, 1),
            "pg_rows_inserted": inserted, "cpu_s": cpu_s,
            "crawler_cpu_ms_per_report": round(
                1000 * sum(v for k, v in cpu_s.items() if k not in servers) / max(reports, 1)),
            "cpu_busy": round(sum(cpu_s.values()) / (wall * (os.cpu_count() or 1)), 2)}


def _store_writer(url: str, pages: int, offset: int, start_at: float, out: Any) -> None:
    from govcrawl.db.engine import open_engine
    from govcrawl.db.store import Store
    from govcrawl.extract.model import Extraction
    from govcrawl.items import FetchedPage
    from govcrawl.stats.record import stat_rows
    from govcrawl.stats.report import parse_report

    body = (ROOT / "govcrawl" / "demo" / "data" / "chengjisihan-2021.txt").read_text("utf-8")
    stats = stat_rows(parse_report(body, []))  # as the crawl's extraction workers hand it over
    store = Store(open_engine(url))
    while time.time() < start_at:
        time.sleep(0.001)
    t0 = time.perf_counter()
    for n in range(offset, offset + pages):
        url_ = f"http://www.bench{n % 50}.gov.cn/zwgk/nb/t{n}.html"
        text = f"{n}\n{body}"
        ex = Extraction(url=url_, title=f"某县{n}号2021年政府信息公开工作年度报告", text=text,
                        published_at=date(2022, 1, 27), report_year=2021, agency="某县人民政府",
                        is_annual_report=True, flags=[], content_hash=f"bench-{n}")
        page = FetchedPage(region_slug="zhalantun", url=url_, final_url=url_, status=200,
                           body=b"", fetched_at=datetime(2026, 1, 1), extraction=ex, stats=stats)
        store.save_page(1, page, "150783")
    out.put(time.perf_counter() - t0)
    store.engine.dispose()


def store_rate(url: str, pages: int, processes: int) -> dict[str, Any]:
    """(d) Store.save_page on PostgreSQL from `processes` processes at once."""
    from govcrawl.db.engine import open_engine, upgrade
    from govcrawl.db.store import Store
    from govcrawl.regions import builtin_registry

    engine = open_engine(url)
    upgrade(engine)
    store = Store(engine)
    store.sync_jurisdictions(builtin_registry())
    store.start_run("manual", ["zhalantun"])
    engine.dispose()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    start_at = time.time() + 3
    share = pages // processes
    procs = [ctx.Process(target=_store_writer, args=(url, share, i * share, start_at, queue))
             for i in range(processes)]
    for p in procs:
        p.start()
    times = [queue.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    stored = int(scalar(url, "SELECT count(*) FROM document_version"))
    return {"processes": processes, "pages": stored, "seconds": round(max(times), 2),
            "pages_per_s": round(stored / max(times), 1)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=800, help="report pages (default 800)")
    parser.add_argument("--sites", type=int, default=8, help="sites = regions (default 8)")
    parser.add_argument("--delay", type=float, nargs=2, default=(0.05, 0.2),
                        metavar=("MIN", "MAX"), help="seconds before each answer")
    parser.add_argument("--first-address", default="127.0.0.60")
    parser.add_argument("--store-pages", type=int, default=2000,
                        help="pages for the store write-rate test (d); 0 skips it")
    parser.add_argument("--skip-baseline", action="store_true", help="skip (a)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run (a)-(c) this many rounds, interleaved (medians reported)")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--workdir", type=Path, help="keep logs and raw files here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from tests.servers import start_postgres, start_redis, stop_postgres

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="govcrawl-scaling-"))
    workdir.mkdir(parents=True, exist_ok=True)
    pg_dir = Path(tempfile.mkdtemp(prefix="govcrawl-scaling-pg-"))
    redis_dir = Path(tempfile.mkdtemp(prefix="govcrawl-scaling-redis-"))
    load_before = os.getloadavg()
    pg = start_postgres(pg_dir)
    redis = start_redis(redis_dir)
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe()
    server = ctx.Process(target=serve, args=(args.pages, args.sites, args.first_address,
                                             tuple(args.delay), there), daemon=True)
    server.start()
    results: list[dict[str, Any]] = []
    store: list[dict[str, Any]] = []
    try:
        import crawl_throughput as ct

        bases = here.recv()
        postmaster = int((pg.directory / "data" / "postmaster.pid").read_text().split()[0])
        servers = {"postgres": postmaster, "redis": redis.process.pid, "portal": server.pid}
        regions = workdir / "regions.toml"
        regions.write_text(ct.regions_toml(bases), encoding="utf-8")
        base_env = {"GOVCRAWL_WORKER_REGIONS": str(args.sites)}
        configs = [("local", 0), ("1 worker", 1), ("2 workers", 2)]
        if args.skip_baseline:
            configs = configs[1:]
        for name, workers in configs * args.repeat:
            db = pg.create_database("bench")
            say(f"{name}: crawling {args.pages} reports on {args.sites} sites ...")
            figures = run_config(name, workers, db=db, frontier=redis.url, regions=regions,
                                 base_env=base_env, workdir=workdir, timeout=args.timeout,
                                 servers=servers)
            here.send("figures")
            figures.update(here.recv())
            results.append(figures)
            say(f"  {figures['reports']} reports in {figures['wall_s']} s = "
                f"{figures['reports_per_s']} reports/s; PostgreSQL "
                f"{figures['pg_commits_per_s']} commits/s, "
                f"{figures['pg_rows_inserted_per_s']} rows inserted/s")
        if args.store_pages:
            for processes in (1, 2):
                say(f"store: {args.store_pages} pages from {processes} process(es) ...")
                store.append(store_rate(pg.create_database("store"), args.store_pages, processes))
    finally:
        with contextlib.suppress(Exception):
            here.send("stop")
        server.join(30)
        redis.process.terminate()
        redis.process.wait(30)
        stop_postgres(pg)
        shutil.rmtree(pg_dir, ignore_errors=True)
        shutil.rmtree(redis_dir, ignore_errors=True)
    report = {
        "date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "pages": args.pages, "sites": args.sites, "delay_s": list(args.delay),
        "configs": results, "store": store,
    }
    medians: dict[str, float] = {}
    for name in dict.fromkeys(r["config"] for r in results):
        rates = sorted(r["reports_per_s"] for r in results if r["config"] == name)
        medians[name] = rates[len(rates) // 2] if len(rates) % 2 else round(
            (rates[len(rates) // 2 - 1] + rates[len(rates) // 2]) / 2, 2)
    report["median_reports_per_s"] = medians
    if "1 worker" in medians and "2 workers" in medians:
        report["two_over_one"] = round(medians["2 workers"] / medians["1 worker"], 2)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    print(f"{args.pages} reports on {args.sites} sites, answers delayed "
          f"{args.delay[0]:g}-{args.delay[1]:g} s; {report['cpus']} CPUs, load before "
          f"{report['load_before']}")
    print(f"{'config':<10} {'reports':>7} {'wall s':>7} {'rep/s':>6} {'PG commits/s':>12} "
          f"{'PG rows ins/s':>13} {'PG rows upd/s':>13} {'max/site':>8} {'max/URL':>7} "
          f"{'CPU busy':>8} {'crawler CPU ms/rep':>18}  CPU s")
    for r in results:
        print(f"{r['config']:<10} {r['reports']:>7} {r['wall_s']:>7} {r['reports_per_s']:>6} "
              f"{r['pg_commits_per_s']:>12} {r['pg_rows_inserted_per_s']:>13} "
              f"{r['pg_rows_updated_per_s']:>13} {r['most_at_once_on_a_site']:>8} "
              f"{r['most_per_url']:>7} {r['cpu_busy']:>8} {r['crawler_cpu_ms_per_report']:>18}  "
              + ", ".join(f"{k} {v}" for k, v in r["cpu_s"].items()))
    if args.repeat > 1:
        print("median reports/s: " + ", ".join(f"{k} {v}" for k, v in medians.items()))
    if "two_over_one" in report:
        print(f"2 workers / 1 worker (median reports/s): {report['two_over_one']}x")
    for s in store:
        print(f"store on PostgreSQL, {s['processes']} process(es): {s['pages']} pages in "
              f"{s['seconds']} s = {s['pages_per_s']} pages/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
