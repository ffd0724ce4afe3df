"""A PostgreSQL-backed crawl whose database stops for a few seconds in the middle: the
writes are retried and nothing is lost (issue 9)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text

from tests.conftest import FAST_ENV, ROOT
from tests.servers import PG_BIN, _as_postgres

if TYPE_CHECKING:
    from tests.servers import Postgres

pytest_plugins = ("tests.servers",)  # the `postgres` fixture

CLASSIC = ("zhalantun", "kundulun", "qingzhen", "longtan")


def _documents(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM document")).scalar_one())
    except Exception:  # not migrated yet, or the server is down
        return -1
    finally:
        engine.dispose()


def _pg_ctl(server: Postgres, *args: str) -> None:
    options = (
        f"-p {server.port} -k {server.directory / 'sockets'} -c listen_addresses=127.0.0.1 "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    extra = ["-o", options, "-l", str(server.directory / "postgres.log")] if "start" in args else []
    done = subprocess.run(
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(server.directory / "data"), *extra,
                      "-w", "-t", "60", *args]),
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_a_database_outage_mid_crawl_loses_nothing(
    postgres: Postgres, portals: object, regions_file: Path, tmp_path: Path
) -> None:
    db = postgres.create_database("outage")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    env.update(FAST_ENV, GOVCRAWL_DOWNLOAD_DELAY="0.6", GOVCRAWL_PER_SITE_CONCURRENCY="1",
               GOVCRAWL_RAW_DIR=str(tmp_path / "raw"))
    crawl = subprocess.Popen(
        [sys.executable, "-m", "govcrawl", "crawl", *CLASSIC, "--regions-file", str(regions_file),
         "--db", db, "--allow-loopback"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while _documents(db) < 2 and time.monotonic() < deadline and crawl.poll() is None:
            time.sleep(0.1)
        before = _documents(db)
        assert 2 <= before < 13 and crawl.poll() is None, "the outage must fall mid-crawl"
        _pg_ctl(postgres, "-m", "fast", "stop")
        time.sleep(4)
        _pg_ctl(postgres, "start")
        out, err = crawl.communicate(timeout=240)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert crawl.returncode == 0, err[-3000:]
    assert "database write failed" in err and "retry 1 of" in err, err[-3000:]  # it did fall
    assert "13 reports from 4 jurisdictions" in out, out
    assert _documents(db) == 13
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT count(*) FROM document_version")).scalar_one()
            dup = conn.execute(text(
                "SELECT count(*) FROM (SELECT url_hash FROM document GROUP BY url_hash "
                "HAVING count(*) > 1) x")).scalar_one()  # fmt: skip
    finally:
        engine.dispose()
    assert versions == 13 and dup == 0
