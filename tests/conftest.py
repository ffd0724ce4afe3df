from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Loopback portals answer in microseconds: no need for AutoThrottle's polite first second.
FAST_ENV = {
    "GOVCRAWL_START_DELAY": "0.02",
    "GOVCRAWL_MAX_DELAY": "2",
    "GOVCRAWL_DOWNLOAD_TIMEOUT": "10",
    "GOVCRAWL_WALL_BACKOFF": "0.5",
}


def run_govcrawl(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh process (Scrapy's reactor runs once per process)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    full_env.update(FAST_ENV)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "govcrawl", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=cwd or ROOT,
    )


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def portals() -> Iterator[object]:
    from govcrawl.demo.server import PortalServer

    server = PortalServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def regions_file(portals: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("regions") / "local-portals.toml"
    path.write_text(portals.regions_toml(), encoding="utf-8")  # type: ignore[attr-defined]
    return path
