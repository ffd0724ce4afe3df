"""The command line of the frontier, kept light (Scrapy and Redis load only when used):
``govcrawl worker`` and the ``--frontier`` option of ``crawl`` / ``recrawl``."""

from __future__ import annotations

import argparse
from typing import Any

from govcrawl.config import Config
from govcrawl.regions import Region, Registry


def frontier_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--frontier",
        metavar="URL",
        help="seed the run into this Redis frontier (redis://HOST:PORT/DB) for `govcrawl "
        "worker`s to crawl, instead of crawling here (default: $GOVCRAWL_FRONTIER)",
    )


def seed(config: Config, registry: Registry, regions: list[Region], *, force: bool) -> int:
    """`govcrawl crawl --frontier URL`: open the run and queue its start requests."""
    from govcrawl.frontier.seed import report, seed_run

    result = seed_run(config, registry, regions, force=force)
    report(result, config.frontier or "")
    return result.exit_code


def add_command(sub: Any) -> None:
    worker = sub.add_parser(
        "worker", help="crawl the runs seeded into a Redis frontier (with other workers)"
    )
    worker.add_argument(
        "--frontier", metavar="URL", help="redis://HOST:PORT/DB (default: $GOVCRAWL_FRONTIER)"
    )
    worker.add_argument(
        "--db", metavar="URL", help="the archive the runs were seeded into (default: $GOVCRAWL_DB)"
    )
    worker.add_argument(
        "--idle-timeout",
        type=float,
        metavar="S",
        help="stop after the frontier had nothing to crawl for S seconds (default 60; 0: never)",
    )
    worker.add_argument(
        "--regions", type=int, metavar="N", help="regions crawled at once (default 4)"
    )
    worker.add_argument(
        "--allow-loopback",
        action="store_true",
        help="allow destinations on 127.0.0.0/8 (local portal replicas)",
    )
    worker.add_argument("--log-level", default=None, help="Scrapy log level (default WARNING)")


def run_command(args: argparse.Namespace) -> int:
    from govcrawl.frontier.worker import run_command as run

    return run(args)
