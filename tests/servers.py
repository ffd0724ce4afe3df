"""Real servers for the tests: a PostgreSQL cluster and a Redis server, each started in a
temporary directory on a free loopback port for the test session and stopped after.

Used as a pytest plugin (``pytest_plugins = ("tests.servers",)`` in a test module), so
every module that needs them shares one of each. The binaries come from Debian
(``deploy/debian-packages test``): a missing one FAILS the test with the package named.
Also a slow-replica helper (``SlowPortals``) for the multi-worker tests and the benchmark.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PG_BIN = Path(os.environ.get("GOVCRAWL_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _need(path: Path | str | None, package: str) -> str:
    if path is None or not Path(path).exists():
        pytest.fail(
            f"{path or package} not found: install the Debian package {package} "
            "(deploy/debian-packages test)",
            pytrace=False,
        )
    return str(path)


@dataclass
class Postgres:
    """A running PostgreSQL cluster (trust authentication on loopback)."""

    directory: Path
    port: int
    user: str = "postgres"
    _databases: int = field(default=0)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "archive") -> str:
        """A new empty database; its SQLAlchemy URL."""
        import psycopg

        self._databases += 1
        name = f"{prefix}_{self._databases}_{os.getpid()}"
        dsn = f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
        return self.url(name)


def _as_postgres(argv: list[str]) -> list[str]:
    """Run a server binary as the `postgres` user when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return argv
    runuser = _need(shutil.which("runuser"), "util-linux")
    return [runuser, "-u", "postgres", "--", *argv]


def start_postgres(directory: Path) -> Postgres:
    initdb = _need(PG_BIN / "initdb", "postgresql")
    pg_ctl = _need(PG_BIN / "pg_ctl", "postgresql")
    data, sockets = directory / "data", directory / "sockets"
    sockets.mkdir(parents=True)
    if os.geteuid() == 0:
        import pwd

        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("no `postgres` user: install the Debian package postgresql", pytrace=False)
        for path in (directory, sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
    made = subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync"]),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if made.returncode != 0:
        raise RuntimeError(f"initdb failed: {made.stderr.strip()}")
    for attempt in range(5):
        port = free_port()
        options = (
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        started = subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l",
                          str(directory / "postgres.log"), "-w", "-t", "60", "start"]),
            capture_output=True, text=True, timeout=90,
        )  # fmt: skip
        if started.returncode == 0:
            return Postgres(directory, port)
        if attempt == 4:
            log = (directory / "postgres.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log}")
    raise AssertionError("unreachable")


def stop_postgres(server: Postgres) -> None:
    pg_ctl = str(PG_BIN / "pg_ctl")
    subprocess.run(
        _as_postgres([pg_ctl, "-D", str(server.directory / "data"), "-m", "immediate", "-w",
                      "stop"]),
        capture_output=True, timeout=60,
    )  # fmt: skip


@dataclass
class Redis:
    url: str
    process: subprocess.Popen[bytes]

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url)


def start_redis(directory: Path) -> Redis:
    binary = _need(shutil.which("redis-server") or "/usr/bin/redis-server", "redis-server")
    for attempt in range(5):
        port = free_port()
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--dir", str(directory), "--logfile", str(directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                return Redis(f"redis://127.0.0.1:{port}/0", process)
            time.sleep(0.02)
        process.kill()
        process.wait()
        if attempt == 4:
            log = (directory / "redis.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"redis-server did not start:\n{log}")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    # Not under pytest's temporary root: that is private to us (0700), and the server
    # runs as the `postgres` user.
    directory = Path(tempfile.mkdtemp(prefix="govcrawl-test-pg-"))
    try:
        server = start_postgres(directory)
        try:
            yield server
        finally:
            stop_postgres(server)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


# -- replicas that answer slowly, and watch how many requests a site serves at once ---------


class SiteLoad:
    """Per-site count of requests being answered right now, and the most ever at once
    (per site, and over all sites together)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.most_overall = 0

    def clear(self) -> None:
        with self._lock:
            self.most.clear()
            self.most_overall = 0

    @contextlib.contextmanager
    def serving(self, site: str) -> Iterator[None]:
        with self._lock:
            self.now[site] = self.now.get(site, 0) + 1
            self.most[site] = max(self.most.get(site, 0), self.now[site])
            self.most_overall = max(self.most_overall, sum(self.now.values()))
        try:
            yield
        finally:
            with self._lock:
                self.now[site] -= 1


def slow_down(portals: Any, delay: tuple[float, float] = (0.05, 0.2), seed: int = 8) -> SiteLoad:
    """Make a running ``PortalServer`` wait `delay` seconds (uniform, seeded) before each
    answer, like a portal across the internet, and count concurrent requests per site.
    (The request handler class of each site server is swapped for a subclass.)"""
    import random

    from govcrawl.demo import server as demo_server

    load = SiteLoad()
    rng = random.Random(seed)
    rng_lock = threading.Lock()
    low, high = delay

    def wait() -> None:
        with rng_lock:
            pause = rng.uniform(low, high)
        time.sleep(pause)

    base = demo_server._Handler

    class SlowHandler(base):  # type: ignore[misc, valid-type]
        def do_GET(self) -> None:
            with load.serving(self.server.site.key):
                wait()
                super().do_GET()

        def do_HEAD(self) -> None:
            with load.serving(self.server.site.key):
                wait()
                super().do_HEAD()

        def do_POST(self) -> None:
            with load.serving(self.server.site.key):
                wait()
                super().do_POST()

    for key in portals:
        portals._server(key).RequestHandlerClass = SlowHandler
    return load
