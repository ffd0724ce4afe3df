"""Helpers of the fault tests: run a crawl as a subprocess and watch its memory, and
compare two archives by what they hold."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import FAST_ENV, ROOT, query


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _descendants(pid: int) -> list[int]:
    tree = _children()
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(tree.get(current, []))
    return out


def _status_kib(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class MemoryWatch:
    """Samples a process tree: the peak RSS of each process (the kernel's high-water
    mark, VmHWM, so peaks between samples count) and the peak of the tree's summed
    proportional set size (PSS: shared pages split among the processes sharing them)."""

    pid: int
    interval: float = 0.05
    process_peak_kib: dict[int, int] = field(default_factory=dict)
    tree_pss_peak_kib: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> MemoryWatch:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in _descendants(self.pid):
                hwm = _status_kib(pid, "VmHWM")
                self.process_peak_kib[pid] = max(self.process_peak_kib.get(pid, 0), hwm)
                total += _pss_kib(pid)
            self.tree_pss_peak_kib = max(self.tree_pss_peak_kib, total)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def process_peak_mb(self) -> float:
        return max(self.process_peak_kib.values(), default=0) * 1024 / 1e6

    @property
    def tree_pss_peak_mb(self) -> float:
        return self.tree_pss_peak_kib * 1024 / 1e6


@dataclass
class CrawlRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    memory: MemoryWatch
    #: ru_maxrss of the crawl and its reaped descendants, via a wrapper process (MB)
    rusage_peak_mb: float


_WRAPPER = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(p.returncode)\n"
)


def crawl(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> CrawlRun:
    """`govcrawl ARGS` in a fresh process tree, timed and watched."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    full_env.update(FAST_ENV)
    full_env.update(env or {})
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "govcrawl", *args],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watch = MemoryWatch(proc.pid).start()
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        watch.stop()
    seconds = time.monotonic() - started
    lines = err.rstrip().splitlines()
    peak_kib = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    err = "\n".join(lines[:-1])
    return CrawlRun(proc.returncode, out, err, seconds, watch, peak_kib * 1024 / 1e6)


def archive_snapshot(db: Path) -> set[tuple[object, ...]]:
    """What an archive holds, without ids and times: every document with its versions'
    text hashes, and every fetch's outcome (a resumed run may add nothing, lose nothing)."""
    docs = query(
        db,
        "SELECT d.url, d.title, d.report_year, d.kind, d.is_annual_report, v.content_hash, "
        "v.extractor_version FROM document d JOIN document_version v ON v.document_id = d.id",
    )
    fetches = query(
        db,
        "SELECT url, outcome FROM fetch WHERE outcome NOT IN ('listing', 'empty_listing')",
    )
    return {("doc", *r) for r in docs} | {("fetch", *r) for r in fetches}
