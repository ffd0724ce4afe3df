"""``govcrawl demo``: serve the portal replicas on loopback and crawl them all, the
faults replica (``faults.py``: bombs, traps, hanging servers beside good reports) too;
its faults are recorded fetch outcomes of a region that succeeds."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from govcrawl.config import Config
from govcrawl.demo.faults import FaultsPortal
from govcrawl.demo.server import PortalServer
from govcrawl.regions import load_registry

# Every family of portal the replicas have: TRS, generic, Hanweb, script-rendered,
# GBK, attachments, anti-bot walls, and a portal with no report column.
ALL_FAMILIES = ("all",)

# Loopback answers in microseconds; AutoThrottle's polite first second per site is
# for the real web. Per-site concurrency stays at the production value.
DEMO_TIMING = {
    "start_delay": 0.02,
    "max_delay": 2.0,
    "download_timeout": 10.0,
    "wall_backoff": 0.5,
    "retry_times": 1,  # the faults replica's servers that never answer: 2 tries, not 3
    "parse_timeout": 10.0,  # a file that takes longer is the faults replica's slow PDF
}


def run_demo(config: Config) -> int:
    from govcrawl.runner import report, run_crawl

    with (
        PortalServer() as server,
        FaultsPortal() as faults,
        tempfile.TemporaryDirectory(prefix="govcrawl-demo-") as tmp,
    ):
        regions_file = Path(tmp) / "demo-regions.toml"
        regions_file.write_text(
            server.regions_toml(ALL_FAMILIES) + "\n" + faults.regions_toml(), encoding="utf-8"
        )
        demo = config.with_(
            regions_file=str(regions_file),
            allow_loopback=True,
            trigger="manual",
            **{k: v for k, v in DEMO_TIMING.items() if getattr(config, k) == getattr(Config(), k)},
        )
        registry = load_registry(regions_file)
        replicas = [*server.regions(ALL_FAMILIES), *faults.regions()]
        regions = [registry.get(r.slug) for r in replicas]
        print(
            "serving "
            + ", ".join(f"{r.slug} at {r.portal}" for r in regions)
            + f"; archive: {demo.db_url}",
            file=sys.stderr,
        )
        result = run_crawl(demo, registry, regions)
    report(result)
    return result.exit_code
