"""What a crawl's process imports before its first request (every run pays for it, a
nightly re-crawl most: its whole CPU is a few seconds)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FAST_ENV, ROOT, query

PROBE = """
import inspect, json, sys, warnings
real_stack = inspect.stack
import govcrawl.cli, govcrawl.runner
from govcrawl.fetch.browser import LazyPlaywrightDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from scrapy.core.downloader.contextfactory import ScrapyClientContextFactory
    class Legacy(ScrapyClientContextFactory):
        pass
heavy = ("aiohttp", "dateparser", "trafilatura", "numpy", "playwright", "pypdf", "docx")
print(json.dumps({
    "stack_restored": inspect.stack is real_stack,
    "handler_is_scrapys": issubclass(LazyPlaywrightDownloadHandler, HTTP11DownloadHandler),
    "alias_warns": [str(w.message) for w in caught],
    "heavy": [name for name in heavy if name in sys.modules],
}))
"""


def test_the_crawler_starts_without_heavy_imports_and_scrapy_tls_as_scrapy_has_it() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    probe = json.loads(out.strip().splitlines()[-1])
    # Scrapy's TLS module was imported without walking the stack's source, and the
    # real inspect.stack is back; its deprecated alias still warns like Scrapy's own.
    assert probe["stack_restored"] is True
    assert probe["handler_is_scrapys"] is True
    assert probe["alias_warns"] == [
        "scrapy.core.downloader.contextfactory.ScrapyClientContextFactory is deprecated. "
        "(warning only on first subclass, there may be others)"
    ]
    # the extractors, the browser and the date parser load where they are used
    assert probe["heavy"] == []


# `python -m govcrawl` with a probe that reports, at exit, the collector's state.
GC_PROBE = """
import atexit, gc, runpy, sys
def report():
    print(f"GC {int(gc.isenabled())} {gc.get_freeze_count()}", file=sys.stderr, flush=True)
atexit.register(report)
sys.argv = ["govcrawl", *sys.argv[1:]]
runpy.run_module("govcrawl", run_name="__main__", alter_sys=True)
"""
# The `govcrawl` command as its installed script runs it: the declared entry point.
SCRIPT_PROBE = GC_PROBE.replace(
    'runpy.run_module("govcrawl", run_name="__main__", alter_sys=True)',
    "from importlib.metadata import entry_points\n"
    '(script,) = entry_points(group="console_scripts", name="govcrawl")\n'
    "script.load()()",
)


def _gc_at_exit(stderr: str) -> tuple[bool, int]:
    line = next(x for x in stderr.splitlines() if x.startswith("GC "))
    enabled, frozen = line.split()[1:]
    return enabled == "1", int(frozen)


def test_hold_and_settle_touch_the_collector_only_for_the_command_line() -> None:
    import gc

    from govcrawl import startup

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    startup.settle()  # govcrawl as a library: nothing held, nothing frozen
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    try:
        startup.hold()
        assert not gc.isenabled()
        kept = [[i] for i in range(1000)]  # built during the start-up, kept
        startup.settle()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(kept)
        startup.settle()  # once only
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_a_crawl_runs_with_its_start_up_frozen_and_the_collector_on(
    regions_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "a.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    env.update(FAST_ENV)
    crawl = subprocess.run(
        [sys.executable, "-c", GC_PROBE, "crawl", "qingzhen", "--regions-file",
         str(regions_file), "--db", f"sqlite:///{db}", "--allow-loopback"],
        capture_output=True, text=True, env=env, timeout=300, cwd=ROOT,
    )
    assert crawl.returncode == 0, crawl.stderr
    enabled, frozen = _gc_at_exit(crawl.stderr)
    # the modules, settings and crawler components: frozen; what the crawl allocates: collected
    assert enabled and frozen > 100_000
    assert query(db, "SELECT count(*) FROM document WHERE is_annual_report")[0][0] > 0
    # every other command ends its start-up once its arguments are read; the installed
    # `govcrawl` script starts as `python -m govcrawl` does
    for probe in (GC_PROBE, SCRIPT_PROBE):
        regions = subprocess.run(
            [sys.executable, "-c", probe, "regions", "--regions-file", str(regions_file)],
            capture_output=True, text=True, env=env, timeout=120, cwd=ROOT,
        )
        assert regions.returncode == 0, regions.stderr
        assert "qingzhen" in regions.stdout
        enabled, frozen = _gc_at_exit(regions.stderr)
        assert enabled and frozen > 10_000
