"""One lock per region, so two runs never crawl the same region at once.

A nightly ``crawl --all`` and an on-demand ``recrawl SLUG`` may overlap: each
takes the lock of every region before crawling it (``flock`` on a file per
region; the kernel releases it when the process dies, even by SIGKILL). A
region whose lock is held is skipped by the second run, which says so.
The lock files live beside a SQLite archive (``archive.db.locks/``), or in
``$GOVCRAWL_LOCK_DIR``.

An archive on PostgreSQL is shared by crawlers on several machines, which no file
lock reaches: there a region's lock is a PostgreSQL session advisory lock
(``pg_try_advisory_lock`` on a 64-bit hash of the slug) held on a connection of its
own for as long as the run crawls the region; the server releases it when that
connection ends (the process exits or dies).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy.engine import make_url


def lock_dir(db_url: str) -> Path:
    configured = os.environ.get("GOVCRAWL_LOCK_DIR")
    if configured:
        return Path(configured)
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database + ".locks")
    return Path.home() / ".cache" / "govcrawl" / "locks"


class RegionLocks:
    """Holds the locks of the regions it could take; releases them on close."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._held: dict[str, int] = {}

    def acquire(self, slug: str) -> bool:
        """Take the region's lock if no other run holds it (never waits)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / f"{slug}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._held[slug] = fd
        return True

    def holder(self, slug: str) -> str:
        """Who holds a region's lock (the pid written in its file), for messages."""
        try:
            return (self.directory / f"{slug}.lock").read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self, slug: str) -> None:
        fd = self._held.pop(slug, None)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def release_all(self) -> None:
        for fd in self._held.values():
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        self._held.clear()

    def __enter__(self) -> RegionLocks:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release_all()


class Locks(Protocol):
    def acquire(self, slug: str) -> bool: ...
    def holder(self, slug: str) -> str: ...
    def release(self, slug: str) -> None: ...
    def release_all(self) -> None: ...
    def __enter__(self) -> Locks: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def advisory_key(slug: str) -> int:
    """The region's advisory lock key: the first 8 bytes of SHA-256, as a signed bigint
    (the same on every machine and PostgreSQL version)."""
    digest = hashlib.sha256(f"govcrawl-region:{slug}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class AdvisoryLocks:
    """Region locks every machine sees: PostgreSQL session advisory locks, all held on
    one dedicated connection (not the pool's) until ``release_all``; the server frees
    them when that connection ends, also when the process is killed. (Each region held
    takes a slot of the server's lock table: ``max_locks_per_transaction`` ×
    ``max_connections``; raise it for runs over many thousand regions.)"""

    def __init__(self, db_url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self.db_url = db_url
        name = f"govcrawl pid {os.getpid()} on {socket.gethostname()}"[:63]
        self._engine = create_engine(
            make_url(db_url),
            poolclass=NullPool,
            connect_args={
                "application_name": name,
                "connect_timeout": 10,
                # a machine that vanishes from the network frees its locks in ~1 minute
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
            },
        )
        self._conn: Any = None
        self._held: set[str] = set()

    def _connection(self) -> Any:
        if self._conn is None:
            self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._conn

    def acquire(self, slug: str) -> bool:
        """Take the region's lock if no other run (on any machine) holds it (never waits)."""
        from sqlalchemy import text

        if slug in self._held:
            return True
        got = self._connection().execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": advisory_key(slug)}
        ).scalar()
        if got:
            self._held.add(slug)
        return bool(got)

    def holder(self, slug: str) -> str:
        """Who holds a region's lock: the holder's pid and host (its connection's name)."""
        from sqlalchemy import text

        key = advisory_key(slug) & 0xFFFFFFFFFFFFFFFF
        try:
            name = self._connection().execute(
                text(
                    "SELECT a.application_name FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                    "AND l.classid = :high AND l.objid = :low LIMIT 1"
                ),
                {"high": key >> 32, "low": key & 0xFFFFFFFF},
            ).scalar()
        except Exception:  # only for a message
            return "?"
        text_ = str(name or "")
        return text_.removeprefix("govcrawl pid ") or "?"

    def release(self, slug: str) -> None:
        from sqlalchemy import text

        if slug in self._held and self._conn is not None:
            self._conn.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": advisory_key(slug)}
            )
        self._held.discard(slug)

    def release_all(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()  # ends the session: every lock it held is released
            finally:
                self._conn = None
        self._held.clear()
        self._engine.dispose()

    def __enter__(self) -> AdvisoryLocks:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release_all()


def region_locks(db_url: str) -> Locks:
    """The region locks for this archive: advisory locks on PostgreSQL, else files."""
    if make_url(db_url).get_backend_name() == "postgresql":
        return AdvisoryLocks(db_url)
    return RegionLocks(lock_dir(db_url))
