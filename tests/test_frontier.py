"""Scale-out: `govcrawl crawl --frontier` seeds a run into a real Redis, `govcrawl worker`
processes crawl it into a real PostgreSQL (both started by tests/servers.py), against
replicas that answer in 20-80 ms like distant portals.

Two workers: every report stored once, every URL fetched once, the archive the same as a
single-process SQLite crawl's, each site never served more than its per-site concurrency
at once while the workers ran side by side. A worker killed mid-run: the other finishes
the run, nothing lost. Bad frontier URLs: one line, exit 2.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from govcrawl.demo import PortalServer
from tests.conftest import FAST_ENV, ROOT, run_govcrawl
from tests.test_postgres import cli, export_rows, rows, scalar

if TYPE_CHECKING:
    from tests.servers import Postgres, Redis, SiteLoad

pytest_plugins = ("tests.servers",)  # the `postgres` and `redis_server` fixtures

REGIONS = ("zhalantun", "kundulun", "qingzhen", "longtan", "zhejiang", "huaian", "hongze", "wanzai")
REPORTS = 31
ENV = {"GOVCRAWL_PER_SITE_CONCURRENCY": "1", "GOVCRAWL_FRONTIER_LEASE": "3"}


@dataclass
class Replicas:
    server: PortalServer
    load: SiteLoad
    regions_file: Path
    reference: list[str]  # the single-process SQLite crawl's export
    requests: collections.Counter[tuple[str, str, str]]  # what that crawl asked the servers


def request_log(server: PortalServer) -> collections.Counter[tuple[str, str, str]]:
    with server._lock:
        return collections.Counter((r.site, r.method, r.path) for r in server.requests)


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    from tests.servers import slow_down

    tmp = tmp_path_factory.mktemp("frontier")
    with PortalServer(first_address="127.0.0.180") as server:  # our own request log
        load = slow_down(server, (0.02, 0.08))
        regions = tmp / "regions.toml"
        regions.write_text(server.regions_toml(list(REGIONS)), encoding="utf-8")
        lite = f"sqlite:///{tmp / 'single.db'}"
        out = run_govcrawl("crawl", *REGIONS, "--regions-file", str(regions), "--db", lite,
                           "--allow-loopback", env=ENV)
        assert out.returncode == 0, out.stderr[-3000:]
        assert f"{REPORTS} reports from {len(REGIONS)} jurisdictions" in out.stdout
        reference = export_rows(lite)
        assert len(reference) >= REPORTS
        yield Replicas(server, load, regions, reference, request_log(server))


def start_worker(
    redis: str, db: str, tmp: Path, name: str, idle: str = "60"
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    env.update(FAST_ENV)
    env.update(ENV, GOVCRAWL_RAW_DIR=str(tmp / f"raw-{name}"))
    return subprocess.Popen(
        [sys.executable, "-m", "govcrawl", "worker", "--frontier", redis, "--db", db,
         "--idle-timeout", idle, "--allow-loopback"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group: killed with its extraction workers
    )  # fmt: skip


def wait_for(condition: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def workers_up(client: Any, workers: list[subprocess.Popen[str]]) -> None:
    def up() -> bool:
        for worker in workers:
            if worker.poll() is not None:
                raise AssertionError(f"a worker ended early:\n{worker.communicate()[1][-3000:]}")
        return len(client.keys("govcrawl:worker:*")) >= len(workers)

    wait_for(up, 60, f"{len(workers)} workers")


def seed(replicas: Replicas, redis: str, db: str) -> subprocess.CompletedProcess[str]:
    out = run_govcrawl("crawl", *REGIONS, "--regions-file", str(replicas.regions_file), "--db",
                       db, "--frontier", redis)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"run 1: {len(REGIONS)} regions seeded into the frontier"), out
    return out


def finish(worker: subprocess.Popen[str], db: str, client: Any) -> tuple[str, str]:
    """Once the run is closed, stop the worker as systemd does (SIGTERM): its output."""
    finished = "SELECT count(*) FROM crawl_run WHERE finished_at IS NOT NULL"

    def closed() -> bool:  # in the archive, and gone from the frontier
        return bool(scalar(db, finished)) and not client.exists("govcrawl:runs")

    try:
        wait_for(lambda: worker.poll() is not None or closed(), 180, "the run")
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    try:
        return worker.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        _, err = worker.communicate()
        raise AssertionError(f"the worker did not stop:\n{err[-3000:]}") from None


def assert_complete(replicas: Replicas, db: str, client: Any) -> None:
    """The run is finished and the archive is what a single-process crawl makes."""
    assert rows(db, "SELECT status, finished_at IS NOT NULL FROM crawl_run") == [("ok", True)]
    stats = json.loads(cli("runs", "--json", "--db", db)[1])[0]
    assert stats["reports"] == REPORTS and stats["failed_regions"] == {}
    assert rows(db, "SELECT count(*) = count(DISTINCT url_hash) FROM document") == [(True,)]
    assert scalar(db, "SELECT count(*) FROM document WHERE is_annual_report") == REPORTS
    versions = "SELECT count(*) = count(DISTINCT document_id) FROM document_version"
    assert rows(db, versions) == [(True,)]  # every report stored exactly once
    assert export_rows(db) == replicas.reference
    assert client.keys("govcrawl:run*") == [] and client.keys("govcrawl:region:*") == []


def test_two_workers_split_a_run_into_one_postgres_archive(
    replicas: Replicas, postgres: Postgres, redis_server: Redis, tmp_path: Path
) -> None:
    import redis as redis_lib

    db = postgres.create_database()
    redis = redis_server.url.rsplit("/", 1)[0] + "/1"
    client = redis_lib.Redis.from_url(redis)
    replicas.server.clear_requests()
    replicas.load.clear()
    workers = [start_worker(redis, db, tmp_path, name) for name in ("a", "b")]
    workers_up(client, workers)
    seed(replicas, redis, db)
    outputs = [finish(w, db, client) for w in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-3000:]
        # both workers crawled: each closed regions of the run
        assert "region done" in err, err[-3000:]
    closed = [out for out, _ in outputs if out.startswith("run 1 (ok):")]
    assert len(closed) == 1 and f"{REPORTS} reports from {len(REGIONS)} jurisdictions" in closed[0]
    assert_complete(replicas, db, client)
    # the servers saw exactly the requests of a single-process crawl: every URL once
    log = request_log(replicas.server)
    assert log == replicas.requests
    retried = {(r.site, r.path) for r in replicas.server.requests if r.status >= 500}
    assert retried, "the replicas include a page that fails with 500 (retried by Scrapy)"
    assert {n for (site, method, path), n in log.items()
            if method == "GET" and (site, path) not in retried} == {1}
    # politeness across workers: never two requests at once on one site, but the
    # workers did crawl side by side
    assert replicas.load.most and set(replicas.load.most.values()) == {1}
    assert replicas.load.most_overall >= 2


def test_a_worker_killed_mid_run_loses_nothing(
    replicas: Replicas, postgres: Postgres, redis_server: Redis, tmp_path: Path
) -> None:
    db = postgres.create_database()
    redis = redis_server.url.rsplit("/", 1)[0] + "/2"
    import redis as redis_lib

    client = redis_lib.Redis.from_url(redis)
    doomed, survivor = (start_worker(redis, db, tmp_path, name) for name in ("a", "b"))
    workers_up(client, [doomed, survivor])
    seed(replicas, redis, db)

    def doomed_is_crawling() -> bool:  # some stored, and requests of its own in flight
        if scalar(db, "SELECT count(*) FROM document") < 3:
            return False
        for lease in client.keys("govcrawl:run:1:*:lease"):
            holder = client.get(lease) or b""
            inflight = lease.decode().removesuffix("lease") + "inflight"
            if f":{doomed.pid}:".encode() in holder and client.hlen(inflight):
                return True
        return False

    wait_for(doomed_is_crawling, 60, "the first worker to be half way through a region")
    os.killpg(doomed.pid, signal.SIGKILL)  # the machine dies: worker and extraction pool
    doomed.communicate(timeout=30)
    before = scalar(db, "SELECT count(*) FROM document WHERE is_annual_report")
    assert before < REPORTS, "the run was over before the kill"
    out, err = finish(survivor, db, client)
    assert survivor.returncode == 0, err[-3000:]
    assert "requests a stopped worker left in flight: queued again" in err, err[-3000:]
    assert out.startswith("run 1 (ok):"), out + err[-2000:]
    assert_complete(replicas, db, client)


def test_frontier_errors_are_one_line(postgres: Postgres, redis_server: Redis) -> None:
    from tests.servers import free_port

    db = postgres.create_database()
    assert cli("db", "upgrade", "--db", db)[0] == 0
    for frontier, message in (
        (f"redis://127.0.0.1:{free_port()}/0", "cannot reach the frontier"),
        ("http://127.0.0.1/0", "bad frontier URL"),
        (f"redis://:secret@127.0.0.1:{free_port()}/0", "cannot reach the frontier"),
    ):
        for command in (("crawl", "qingzhen"), ("worker",)):
            code, _, err = cli(*command, "--frontier", frontier, "--db", db)
            assert code == 2 and err.startswith(f"govcrawl: error: {message}"), err
            assert len(err.strip().splitlines()) == 1 and "secret" not in err
    assert scalar(db, "SELECT count(*) FROM crawl_run") == 0  # nothing seeded
    worker = run_govcrawl("worker", "--frontier", redis_server.url, "--db",
                          f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x")
    assert worker.returncode == 2 and "cannot open database" in worker.stderr
    assert len(worker.stderr.strip().splitlines()) == 1, worker.stderr


def test_a_region_is_in_one_unfinished_run_at_a_time(
    postgres: Postgres, redis_server: Redis, regions_file: Path
) -> None:
    db = postgres.create_database()
    redis = redis_server.url.rsplit("/", 1)[0] + "/3"
    tail = ("--regions-file", str(regions_file), "--db", db, "--frontier", redis)
    code, out, err = cli("crawl", "qingzhen", "longtan", *tail)
    assert code == 0 and out.startswith("run 1: 2 regions seeded"), err
    code, out, err = cli("recrawl", "qingzhen", *tail)
    assert code == 0 and "region qingzhen is in frontier run 1, not finished yet: skipped" in err
    assert out.startswith("nothing seeded")
    code, out, err = cli("crawl", "qingzhen", "kundulun", *tail)
    assert code == 0 and out.startswith("run 2: 1 regions seeded"), out
    assert rows(db, "SELECT id, trigger, regions FROM crawl_run ORDER BY id") == [
        (1, "manual", ["qingzhen", "longtan"]), (2, "manual", ["kundulun"])]


def test_a_worker_leaves_another_archives_run_alone_and_stops_when_idle(
    postgres: Postgres, redis_server: Redis, regions_file: Path
) -> None:
    import redis as redis_lib

    seeded, other = postgres.create_database(), postgres.create_database()
    redis = redis_server.url.rsplit("/", 1)[0] + "/4"
    code, _, err = cli("crawl", "qingzhen", "--regions-file", str(regions_file), "--db", seeded,
                         "--frontier", redis)
    assert code == 0, err
    started = time.monotonic()
    worker = run_govcrawl("worker", "--frontier", redis, "--db", other, "--idle-timeout", "1",
                          "--allow-loopback", timeout=60)
    assert worker.returncode == 0, worker.stderr
    assert "frontier run 1 belongs to another archive" in worker.stderr
    assert time.monotonic() - started < 30  # idle for a second, then it stopped
    client = redis_lib.Redis.from_url(redis)
    assert client.zcard("govcrawl:run:1:qingzhen:queue") == 1  # untouched, for its workers
    assert rows(seeded, "SELECT status FROM crawl_run") == [("running",)]
    assert scalar(other, "SELECT count(*) FROM crawl_run") == 0


def test_the_shared_duplicate_filter_uses_govcrawls_url_normaliser(redis_server: Redis) -> None:
    from scrapy import Request
    from scrapy_redis.dupefilter import RFPDupeFilter

    from govcrawl.frontier.scheduler import FrontierDupeFilter

    client = redis_server.client()
    ours = FrontierDupeFilter(client, "test:seen:ours")
    stock = RFPDupeFilter(client, "test:seen:stock")
    first = Request("http://www.gov.cn/zwgk/nb/index.html?utm_source=x")
    same = Request("HTTP://WWW.GOV.CN/zwgk/nb/#top")  # the same page for govcrawl's normaliser
    assert not ours.request_seen(first) and ours.request_seen(same)
    assert not stock.request_seen(first) and not stock.request_seen(same)
    client.delete("test:seen:ours", "test:seen:stock")


def test_in_flight_requests_go_back_to_the_queue(redis_server: Redis) -> None:
    from scrapy import Request, Spider

    from govcrawl.frontier.scheduler import ReliableQueue, reclaim

    class Probe(Spider):
        name = "probe"

        def parse(self, response: Any) -> None:
            pass

    client = redis_server.client()
    queue = ReliableQueue(client, Probe(), "test:run:9:%(spider)s:queue")
    for n, priority in ((1, 0), (2, 5), (3, 1)):
        queue.push(Request(f"http://example.gov.cn/{n}.html", priority=priority))
    _, request = queue.pop_tracked() or (None, None)
    assert request is not None and request.url.endswith("/2.html")  # the most urgent first
    assert len(queue) == 2 and client.hlen("test:run:9:probe:inflight") == 1
    assert reclaim(client, queue.key) == 1  # its worker died: back into the queue
    assert len(queue) == 3 and client.hlen("test:run:9:probe:inflight") == 0
    urls = [popped[1].url for _ in range(3) if (popped := queue.pop_tracked())]
    assert [u.rsplit("/", 1)[1] for u in urls] == ["2.html", "3.html", "1.html"]
    client.delete(*client.keys("test:run:9:*"))


# -- the operator's kit for several machines (deploy/) ------------------------------------
def test_worker_and_seed_units(tmp_path: Path) -> None:
    import shlex
    import shutil

    from govcrawl.cli import build_parser
    from tests.test_deploy import (
        KNOWN_KEYS,
        NIGHTLY,
        SANDBOX,
        SYSTEMD,
        TIMER,
        VENV_BIN,
        parse_unit,
        seconds,
        value,
        values,
        words,
    )  # fmt: skip

    worker, seed_unit, timer = (SYSTEMD / "govcrawl-worker@.service",
                                SYSTEMD / "govcrawl-seed.service", SYSTEMD / "govcrawl-seed.timer")
    nightly = parse_unit(NIGHTLY)
    for path in (worker, seed_unit, timer):
        unit = parse_unit(path)
        for section, pairs in unit.items():
            assert not {k for k, _ in pairs} - KNOWN_KEYS[section], (path.name, section)
        if path.suffix == ".service":
            for key in SANDBOX:
                assert values(unit, "Service", key) == values(nightly, "Service", key), key
            assert words(unit, "Service", "ReadWritePaths") == ["/srv/govcrawl"]

    unit = parse_unit(worker)
    argv = shlex.split(value(unit, "Service", "ExecStart"))
    assert argv[0] == VENV_BIN + "govcrawl"
    args = build_parser().parse_args(argv[1:])
    assert (args.command, args.idle_timeout) == ("worker", 0)  # waits for work forever
    assert value(unit, "Service", "Type") == "simple"
    assert value(unit, "Service", "Restart") == "always"
    assert words(unit, "Install", "WantedBy") == ["multi-user.target"]
    assert "%i" in value(unit, "Unit", "Description")

    unit = parse_unit(seed_unit)
    argv = shlex.split(value(unit, "Service", "ExecStart"))
    args = build_parser().parse_args(
        [a.replace("${GOVCRAWL_FRONTIER}", "redis://q:6379/0") for a in argv[1:]])
    assert (args.command, args.all, args.trigger, args.frontier) == (
        "crawl", True, "scheduled", "redis://q:6379/0")
    assert value(unit, "Service", "Type") == "oneshot"
    assert seconds(value(unit, "Service", "TimeoutStartSec")) <= 3600  # it only seeds

    unit = parse_unit(timer)
    assert value(unit, "Timer", "OnCalendar") == value(parse_unit(TIMER), "Timer", "OnCalendar")
    assert value(unit, "Timer", "Unit") == seed_unit.name
    assert words(unit, "Install", "WantedBy") == ["timers.target"]

    analyze = shutil.which("systemd-analyze")
    if analyze:  # systemd's own check, on copies whose programs are stand-ins
        stub = tmp_path / "govcrawl"
        stub.write_text("#!/bin/sh\nexit 0\n")
        stub.chmod(0o755)
        for path in (worker, seed_unit, timer):
            text = path.read_text(encoding="utf-8").replace(VENV_BIN, f"{tmp_path}/")
            (tmp_path / path.name).write_text(text, encoding="utf-8")
        names = ["govcrawl-worker@1.service", seed_unit.name, timer.name]
        out = subprocess.run([analyze, "verify", "--man=no", *(str(tmp_path / n) for n in names)],
                             capture_output=True, text=True, timeout=60)
        ours = [line for line in (out.stdout + out.stderr).splitlines() if "govcrawl-" in line]
        assert out.returncode == 0 and not ours, out.stdout + out.stderr


def test_multi_machine_notes() -> None:
    import re

    deploy = ROOT / "deploy"
    notes = (deploy / "multi-machine.md").read_text(encoding="utf-8")
    for needle in ("govcrawl worker", "--frontier", "systemctl enable --now govcrawl-worker@1",
                   "govcrawl-seed.timer", "recrawl zhalantun", "appendonly yes", "pg_trgm",
                   "GOVCRAWL_FRONTIER_LEASE", "one worker at a time", "in-flight"):
        assert needle in notes, needle
    for link in re.findall(r"\]\(([^)#:]+)\)", notes):
        assert (deploy / link).exists(), link
    assert "](multi-machine.md)" in (deploy / "README.md").read_text(encoding="utf-8")
