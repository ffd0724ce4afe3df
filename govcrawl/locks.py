"""One lock per region, so two runs never crawl the same region at once.

A nightly ``crawl --all`` and an on-demand ``recrawl SLUG`` may overlap: each
takes the lock of every region before crawling it (``flock`` on a file per
region; the kernel releases it when the process dies, even by SIGKILL). A
region whose lock is held is skipped by the second run, which says so.
The lock files live beside a SQLite archive (``archive.db.locks/``), or in
``$GOVCRAWL_LOCK_DIR``. (A multi-machine deployment on PostgreSQL needs a lock
all machines see; see the scale-out work.)
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

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
