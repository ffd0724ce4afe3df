"""CPU seconds of every thread of a command's process tree, polled from /proc.

    python benchmarks/thread_cpu.py [--out DIR] -- COMMAND [ARGS...]

Where a crawl's CPU goes: its reactor thread (tid == pid of the crawler), the database
writer thread, the extraction pool's manager thread and the extraction workers (other
pids). Threads are polled every 0.2 s (a thread that ends between two polls loses at
most 0.2 s). The command's stdout and stderr go to DIR/stdout, DIR/stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        with contextlib.suppress(OSError):
            out += [int(x) for x in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return out


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        current = todo.pop()
        seen.append(current)
        todo += _children(current)
    return seen


def _threads(pid: int) -> dict[int, float]:
    out: dict[int, float] = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            stat = Path(f"/proc/{pid}/task/{task}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        out[int(task)] = (int(fields[11]) + int(fields[12])) / TICK
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("."))
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "stdout", "wb") as out, open(args.out / "stderr", "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(command, stdout=out, stderr=err)
        best: dict[tuple[int, int], float] = {}
        while proc.poll() is None:
            for pid in _tree(proc.pid):
                for tid, cpu in _threads(pid).items():
                    best[(pid, tid)] = max(best.get((pid, tid), 0.0), cpu)
            time.sleep(0.2)
        wall = time.monotonic() - start
    print(f"wall {wall:.1f} s, CPU {sum(best.values()):.1f} s, exit {proc.returncode}")
    for (pid, tid), cpu in sorted(best.items(), key=lambda kv: -kv[1]):
        if cpu >= 0.2:
            role = "main thread" if pid == proc.pid and tid == pid else (
                "thread of the main process" if pid == proc.pid else "child process")
            print(f"{cpu:7.1f} s  pid {pid} tid {tid}  {role}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
