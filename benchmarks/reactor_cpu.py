#!/usr/bin/env python3
"""CPU of the crawler's main (reactor) thread per request: a first crawl and a re-crawl.

    python benchmarks/reactor_cpu.py                 # 4,000 pages on 20 portals, ~2 min a round
    python benchmarks/reactor_cpu.py --rounds 3      # three rounds; the table gives the min
    python benchmarks/reactor_cpu.py --py-spy DIR    # and py-spy raw stacks of each crawl in DIR

The world of ``world.py`` (served from a separate process, on ``--first-address``, default
127.0.0.90) is crawled by ``python -m govcrawl crawl --all --regions-file F --db sqlite:///F
--allow-loopback`` (``GOVCRAWL_START_DELAY=0.01 GOVCRAWL_MAX_DELAY=1``, as ``suite.py``) as a
subprocess, then re-crawled at once (the same archive, the world unchanged: conditional
requests answered 304). Each round starts with a fresh archive.

The crawl runs under a small wrapper that, at exit, writes the main thread's CPU time
(``time.thread_time()`` in an ``atexit`` hook: the thread that runs the reactor, from interpreter
start to exit) and the whole process's (``RUSAGE_SELF``: every thread, the database writer's
too). The other threads are polled from /proc (their CPU when last seen); the process tree
(the extraction pool under its forkserver) likewise. Requests are the server's count.

On a shared 2-core machine compare CPU seconds, not wall time, and take the min of rounds.
A script, not a test: it asserts no timings. Exit status 1 when a crawl failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import world  # a sibling script, not a package  # noqa: E402

CRAWL_ENV = {"GOVCRAWL_START_DELAY": "0.01", "GOVCRAWL_MAX_DELAY": "1"}
TICK = os.sysconf("SC_CLK_TCK")

#: Runs ``python -m govcrawl ARGS``; at exit writes its CPU figures as JSON to argv[1].
WRAPPER = """
import atexit, json, resource, runpy, sys, time
out = sys.argv[1]
def _report():
    self = resource.getrusage(resource.RUSAGE_SELF)
    with open(out, "w") as f:
        json.dump({"main_thread_s": time.thread_time(),
                   "process_s": self.ru_utime + self.ru_stime}, f)
atexit.register(_report)
sys.argv = ["govcrawl", *sys.argv[2:]]
runpy.run_module("govcrawl", run_name="__main__", alter_sys=True)
"""


def _ticks(path: str) -> tuple[int, str] | None:
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12]), name


def _children(pid: int) -> list[int]:
    out: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(x) for x in f.read().split()]
    return out


class Watch:
    """CPU ticks per thread of the crawl process, per process of its tree (max seen)."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.threads: dict[tuple[int, str], int] = {}
        self.procs: dict[int, int] = {}

    def poll(self) -> None:
        todo, seen = [self.root], []
        while todo:
            pid = todo.pop()
            seen.append(pid)
            todo += _children(pid)
        for pid in seen:
            got = _ticks(f"/proc/{pid}/stat")
            if got is not None:
                self.procs[pid] = max(self.procs.get(pid, 0), got[0])
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{self.root}/task"):
                got = _ticks(f"/proc/{self.root}/task/{task}/stat")
                if got is not None and int(task) != self.root:
                    key = (int(task), got[1])
                    self.threads[key] = max(self.threads.get(key, 0), got[0])


def run_crawl(cmd_args: Sequence[str], workdir: Path, name: str, timeout: float,
              py_spy: Path | None) -> dict[str, Any]:
    figures = workdir / f"{name}.cpu.json"
    figures.unlink(missing_ok=True)
    cmd = [sys.executable, "-c", WRAPPER, str(figures), *cmd_args]
    if py_spy is not None:
        spy = str(Path(sys.executable).with_name("py-spy"))
        cmd = [spy, "record", "--threads", "--format", "raw", "--rate", "200",
               "-o", str(py_spy / f"{name}.txt"), "--", *cmd]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    env.update(CRAWL_ENV)
    with open(workdir / f"{name}.stdout", "wb") as out, \
            open(workdir / f"{name}.stderr", "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=workdir, env=env,
                                start_new_session=True)
        watch_root = proc.pid
        if py_spy is not None:  # the crawl is py-spy's child
            for _ in range(100):
                kids = _children(proc.pid)
                if kids:
                    watch_root = kids[0]
                    break
                time.sleep(0.05)
        watch = Watch(watch_root)
        try:
            while proc.poll() is None:
                watch.poll()
                if time.perf_counter() - start > timeout:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    break
                time.sleep(0.25)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            raise
        wall = time.perf_counter() - start
    with contextlib.suppress(ProcessLookupError):  # the pool's forkserver, if left
        os.killpg(proc.pid, signal.SIGTERM)
    cpu: dict[str, float] = {}
    with contextlib.suppress(OSError, ValueError):
        cpu = json.loads(figures.read_text())
    threads: dict[str, float] = {}  # CPU s by thread name (a pool's threads summed)
    for (_, tname), ticks in watch.threads.items():
        threads[tname] = threads.get(tname, 0.0) + ticks / TICK
    return {
        "rc": proc.returncode,
        "wall_s": wall,
        "main_thread_s": cpu.get("main_thread_s"),
        "process_s": cpu.get("process_s"),
        # the crawl process exactly, its pool's processes as last polled
        "tree_s": (cpu.get("process_s") or watch.procs.get(watch_root, 0) / TICK)
        + sum(t for pid, t in watch.procs.items() if pid != watch_root) / TICK,
        "other_threads_s": threads,
    }


def round_(server: world.WorldServer, workdir: Path, timeout: float,
           py_spy: Path | None, index: int) -> dict[str, Any]:
    db = workdir / "reactor.db"
    for path in workdir.glob("reactor.db*"):
        path.unlink()
    raw = workdir / "reactor.raw"
    if raw.exists():
        import shutil

        shutil.rmtree(raw)
    regions = workdir / "world-regions.toml"
    regions.write_text(server.regions_toml, encoding="utf-8")
    args = ["crawl", "--all", "--regions-file", str(regions), "--db", f"sqlite:///{db}",
            "--allow-loopback"]
    server.stats()  # forget what came before
    out: dict[str, Any] = {}
    for name in ("first", "recrawl"):
        run = run_crawl(args, workdir, f"{name}{index}", timeout, py_spy)
        served = server.stats()
        run["requests"] = served["requests"]
        run["statuses"] = served["statuses"]
        run["articles_200"] = served["articles_200"]
        run["articles_304"] = served["articles_304"]
        main_s = run["main_thread_s"]
        run["main_ms_per_request"] = (
            1000 * main_s / served["requests"] if main_s and served["requests"] else None
        )
        out[name] = run
    return out


def _f(value: Any, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def table(rounds: list[dict[str, Any]]) -> str:
    lines = [f"{'crawl':8} {'round':>5} {'requests':>8} {'main s':>7} {'process s':>9} "
             f"{'tree s':>7} {'ms/req':>7} {'wall s':>7}  statuses / other threads"]
    for name in ("first", "recrawl"):
        for i, r in enumerate(rounds):
            run = r[name]
            others = ", ".join(f"{k} {v:.1f}" for k, v in sorted(run["other_threads_s"].items())
                               if v >= 0.1)
            lines.append(
                f"{name:8} {i + 1:>5} {run['requests']:>8} {_f(run['main_thread_s'], '7.2f')} "
                f"{_f(run['process_s'], '9.2f')} {run['tree_s']:7.2f} "
                f"{_f(run['main_ms_per_request'], '7.2f')} {run['wall_s']:7.1f}  "
                f"{run['statuses']} / {others}"
            )
        best = min((r[name] for r in rounds), key=lambda run: run["main_thread_s"] or 1e9)
        lines.append(f"{name:8} {'min':>5} {best['requests']:>8} "
                     f"{_f(best['main_thread_s'], '7.2f')} {_f(best['process_s'], '9.2f')} "
                     f"{best['tree_s']:7.2f} {_f(best['main_ms_per_request'], '7.2f')}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=world.PAGES)
    parser.add_argument("--portals", type=int, default=world.PORTALS)
    parser.add_argument("--first-address", default="127.0.0.90")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900.0, help="per crawl, seconds")
    parser.add_argument("--workdir", type=Path, help="keep archives and logs here")
    parser.add_argument("--py-spy", type=Path, help="write py-spy raw stacks here")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        workdir = args.workdir or Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="reactor-cpu-")))
        workdir.mkdir(parents=True, exist_ok=True)
        if args.py_spy is not None:
            args.py_spy.mkdir(parents=True, exist_ok=True)
        print(f"world: {args.pages} pages on {args.portals} portals from "
              f"{args.first_address} ...", file=sys.stderr, flush=True)
        rounds = []
        with world.WorldServer(args.pages, args.portals,
                               first_address=args.first_address) as server:
            for i in range(args.rounds):
                rounds.append(round_(server, workdir, args.timeout, args.py_spy, i + 1))
                first, again = rounds[-1]["first"], rounds[-1]["recrawl"]
                print(f"round {i + 1}: first {first['main_thread_s']} s main thread, "
                      f"re-crawl {again['main_thread_s']} s", file=sys.stderr, flush=True)
        print(json.dumps(rounds, indent=1) if args.json else table(rounds))
        failed = any(r[n]["rc"] != 0 for r in rounds for n in ("first", "recrawl"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
