"""Nothing lost: a crawl killed (SIGKILL) at any moment, during a database write too,
and resumed ends with the archive an uninterrupted crawl makes; a write that meets a
locked (or vanished) database is retried, not lost."""

from __future__ import annotations

import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from govcrawl.clock import utcnow
from govcrawl.demo import PortalServer
from govcrawl.items import FetchFailed
from tests.conftest import FAST_ENV, ROOT, query, run_govcrawl
from tests.faults_helpers import archive_snapshot

REGIONS = ["qingzhen", "hongze"]  # pages and a 404; PDFs (extraction workers)
#: (where the crawl kills itself, at which passage): GOVCRAWL_TEST_KILL_AT
KILL_POINTS = [
    ("extract", 3),  # a report extracted, not yet kept or stored
    ("raw", 2),  # its WARC record written, the database not
    ("flush", 1),  # in the writer process's first batch: statements sent, no COMMIT
    ("commit", 4),  # between two writes
    ("failure", 1),  # before a failed fetch (the 404) is recorded
]


@pytest.fixture(scope="module")
def server() -> Iterator[PortalServer]:
    with PortalServer(first_address="127.0.0.206") as portal:
        yield portal


@pytest.fixture(scope="module")
def setup(server: PortalServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The regions file, and the archive of one uninterrupted crawl."""
    tmp = tmp_path_factory.mktemp("resume")
    regions = tmp / "regions.toml"
    regions.write_text(server.regions_toml(REGIONS), encoding="utf-8")
    whole = tmp / "whole.db"
    out = _crawl(regions, whole)
    assert out.returncode == 0, out.stderr[-2000:]
    return regions, whole


def _args(regions: Path, db: Path) -> list[str]:
    return ["crawl", *REGIONS, "--regions-file", str(regions), "--db", f"sqlite:///{db}",
            "--allow-loopback"]  # fmt: skip


def _crawl(regions: Path, db: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_govcrawl(*_args(regions, db), env=env, timeout=120)


def _resumed_equals_whole(regions: Path, whole: Path, db: Path) -> None:
    resumed = _crawl(regions, db)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "resuming run 1" in resumed.stderr
    assert archive_snapshot(db) == archive_snapshot(whole)
    assert query(db, "SELECT count(*), status FROM crawl_run") == [(1, "ok")]
    assert query(db, "SELECT count(*) FROM document_version") == query(
        whole, "SELECT count(*) FROM document_version"
    )
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def _killed_at(regions: Path, whole: Path, tmp: Path, point: str, n: int) -> str:
    db = tmp / f"killed-{point}.db"
    killed = _crawl(regions, db, GOVCRAWL_TEST_KILL_AT=f"{point}:{n}")
    assert killed.returncode == -signal.SIGKILL, (point, killed.returncode, killed.stderr[-1500:])
    assert query(db, "SELECT status, finished_at FROM crawl_run") == [("running", None)]
    _resumed_equals_whole(regions, whole, db)
    return point


def test_killed_anywhere_and_resumed_equals_an_uninterrupted_crawl(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    """Five points inside the crawl, and one kill from outside at a random moment."""
    regions, whole = setup
    assert query(whole, "SELECT count(*) FROM document WHERE is_annual_report") == [(6,)]
    scenarios = [*KILL_POINTS, ("outside", 0)]
    with ThreadPoolExecutor(3) as pool:  # separate archives: the kills run side by side
        done = list(pool.map(lambda kp: _scenario(regions, whole, tmp_path, *kp), scenarios))
    assert done == [point for point, _ in scenarios]


def _scenario(regions: Path, whole: Path, tmp: Path, point: str, n: int) -> str:
    if point == "outside":
        _killed_from_outside(regions, whole, tmp)
        return point
    return _killed_at(regions, whole, tmp, point, n)


def _killed_from_outside(regions: Path, whole: Path, tmp_path: Path) -> None:
    rng = random.Random(9)
    db = tmp_path / "random.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    env.update(FAST_ENV, GOVCRAWL_DOWNLOAD_DELAY="0.2", GOVCRAWL_PER_SITE_CONCURRENCY="1")
    target = rng.randint(3, 12)  # fetch rows recorded when the kill comes
    proc = subprocess.Popen(
        [sys.executable, "-m", "govcrawl", *_args(regions, db)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if query(db, "SELECT count(*) FROM fetch")[0][0] >= target:  # type: ignore[operator]
                break
        except sqlite3.Error:
            pass
        time.sleep(0.02)
    assert proc.poll() is None, "the crawl ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _resumed_equals_whole(regions, whole, db)


def test_a_write_to_a_locked_database_is_retried_not_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process holds the archive locked for longer than SQLite waits: the write
    fails with "database is locked", is retried with backoff, and lands. (The same path
    retries a PostgreSQL connection lost while the server restarts.)"""
    from govcrawl.db.engine import open_engine, upgrade
    from govcrawl.db.store import Store
    from govcrawl.writer import write_retrying

    db = tmp_path / "locked.db"
    upgrade(open_engine(f"sqlite:///{db}"))
    impatient = create_engine(f"sqlite:///{db}", connect_args={"timeout": 0.1})
    store = Store(impatient)
    run_id = store.start_run("manual", ["qingzhen"])
    item = FetchFailed("qingzhen", "http://www.qingzhen.gov.cn/x.html", "http_error", "HTTP 500",
                       utcnow(), status=500)  # fmt: skip

    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        con = sqlite3.connect(db, timeout=5)
        con.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(10)
        con.rollback()
        con.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    locked.wait(5)
    threading.Timer(1.0, release.set).start()  # the lock goes after a second
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="govcrawl.pipelines"):
        write_retrying(store.save_failure, run_id, item, retries=6, first_delay=0.1)
    holder.join()
    assert time.monotonic() - started >= 0.9  # it waited for the lock, retrying
    retries = [r.getMessage() for r in caplog.records if "database write failed" in r.getMessage()]
    assert retries and "database is locked" in retries[0]
    assert query(db, "SELECT outcome, error FROM fetch") == [("http_error", "HTTP 500")]


def test_a_write_that_cannot_succeed_is_not_retried(tmp_path: Path) -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    from govcrawl.writer import retryable, write_retrying

    calls = []

    def broken() -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        write_retrying(broken, retries=5, first_delay=0.01)
    assert calls == [1]
    assert not retryable(IntegrityError("x", {}, Exception("y")))
    locked = OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    missing = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: fetch"))
    assert retryable(locked) and not retryable(missing)


def test_the_backing_off_write_refuses_the_reactor_thread() -> None:
    """Its back-off sleeps: on the thread running the event loop it would stall every
    crawler of the process, so it says so at once instead of writing."""
    import asyncio

    from govcrawl.writer import write_retrying

    calls = []

    async def on_the_loop() -> None:
        write_retrying(lambda: calls.append(1), retries=3, first_delay=0.01)

    with pytest.raises(RuntimeError, match="not the reactor"):
        asyncio.run(on_the_loop())
    assert calls == []
    assert write_retrying(lambda: calls.append(1) or "ok") == "ok"  # off the loop: written
    assert calls == [1]
