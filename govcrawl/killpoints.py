"""Test hook: the crawl process SIGKILLs itself at a chosen moment.

``GOVCRAWL_TEST_KILL_AT=POINT:N`` kills the process the N-th time it reaches POINT
(unset: nothing happens; the checks cost a dictionary lookup). Each process counts its own
passages: ``raw``, ``commit`` and the page batches' ``flush`` are reached in the archive
writer process (``govcrawl.writer``), which takes the crawler down with it. The points:

* ``listing``: before a column page's record is written;
* ``extract``: a page extracted, not yet kept or stored;
* ``raw``: a page's WARC record written, its database transaction not yet begun;
* ``flush``: inside a database transaction, its statements sent, not committed
  (an ORM flush, or a batch of pages written and not yet committed)
  (a kill during a database write);
* ``commit``: a page's transaction committed, before the next write;
* ``failure``: before a failed fetch is recorded.

The resume tests (``tests/test_faults_resume.py``) kill crawls at each point and
check that the resumed run ends with the archive an uninterrupted crawl makes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import Any

ENV = "GOVCRAWL_TEST_KILL_AT"
POINTS = ("listing", "extract", "raw", "flush", "commit", "failure")

_lock = threading.Lock()
_counts: dict[str, int] = {}
_also: list[int] = []  # processes that die with this one (a helper process kills its crawler)


def target(env: dict[str, str] | None = None) -> tuple[str, int] | None:
    """(point, n) from the environment, or None."""
    raw = (os.environ if env is None else env).get(ENV, "")
    point, _, count = raw.partition(":")
    if point not in POINTS or not count.isdigit() or int(count) < 1:
        return None
    return point, int(count)


_TARGET = target()


def reached(point: str) -> None:
    """Count one passage of `point`; die (SIGKILL) if it is the chosen one."""
    if _TARGET is None or _TARGET[0] != point:
        return
    with _lock:
        _counts[point] = _counts.get(point, 0) + 1
        if _counts[point] == _TARGET[1]:
            for pid in _also:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            os.kill(os.getpid(), signal.SIGKILL)


def kill_also(pid: int) -> None:
    """Kill process `pid` too when this process dies at its kill point (the archive
    writer process takes the crawl down with it, as a kill of the crawl would)."""
    if _TARGET is not None:
        _also.append(pid)


def install(sessions: Any) -> None:
    """Count ``flush`` on every flush of `sessions` (a sessionmaker), when asked to."""
    if _TARGET is None or _TARGET[0] != "flush":
        return
    from sqlalchemy import event

    event.listen(sessions, "after_flush", lambda session, context: reached("flush"))
