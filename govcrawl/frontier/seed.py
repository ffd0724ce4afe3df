"""Seed a run into the frontier: ``govcrawl crawl --frontier redis://... SLUG ...``.

Opens the ``crawl_run`` row (trigger, regions) in the archive, puts each region's
start requests (what its spider's ``start()`` yields: the report columns, or the
sitemap and home page) into the region's Redis queue and fingerprint set, and
publishes the run for the workers. Nothing is crawled here.

A region already in an unfinished frontier run is skipped, as a local crawl skips a
region another run holds.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from sqlalchemy import update

from govcrawl.config import Config, ConfigError
from govcrawl.db.engine import open_engine, upgrade
from govcrawl.db.models import CrawlRun
from govcrawl.db.store import Store
from govcrawl.frontier import (
    RunSpec,
    connect,
    key,
    queue_key_pattern,
    seen_key_pattern,
    show_url,
)
from govcrawl.frontier.scheduler import FrontierDupeFilter, ReliableQueue
from govcrawl.regions import Region, Registry


@dataclass
class SeedResult:
    run_id: int | None
    seeded: dict[str, int] = field(default_factory=dict)  # slug -> start requests queued
    busy: dict[str, str] = field(default_factory=dict)  # slug -> the run that holds it

    @property
    def exit_code(self) -> int:
        return 0


def start_requests(region: Region, spider_cls: type[Any]) -> tuple[Any, list[Request]]:
    """The region's spider (without a crawler) and the requests its ``start()`` yields."""
    spider = spider_cls(region=region, name=region.slug)

    async def collect() -> list[Request]:
        return [r async for r in spider.start() if isinstance(r, Request)]

    return spider, asyncio.run(collect())


def seed_run(
    config: Config, registry: Registry, regions: list[Region], *, force: bool = False
) -> SeedResult:
    from govcrawl.runner import spider_class

    if not config.frontier:
        raise ConfigError("no frontier URL (--frontier or GOVCRAWL_FRONTIER)")
    server = connect(config.frontier)
    engine = open_engine(config.db_url)
    upgrade(engine)
    store = Store(engine)
    store.sync_jurisdictions(registry)

    claim = f"seeding:{uuid.uuid4().hex}"
    chosen: list[Region] = []
    result = SeedResult(None)
    for region in regions:
        if server.set(key("region", region.slug), claim, nx=True):
            chosen.append(region)
        else:
            holder = server.get(key("region", region.slug))
            result.busy[region.slug] = holder.decode() if holder else "?"
    for slug, holder in result.busy.items():
        print(
            f"region {slug} is in frontier run {holder}, not finished yet: skipped",
            file=sys.stderr,
        )
    if not chosen:
        engine.dispose()
        return result

    try:
        run_id = store.start_run(config.trigger, [r.slug for r in chosen])
        with store.sessions.begin() as session:
            # Not this process's run to resume (govcrawl/db/store.py: interrupted_run):
            # the workers crawl it, wherever they are.
            session.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id)
                .values(pid=None, host=f"frontier {show_url(config.frontier)}"[:255])
            )
            started = session.get(CrawlRun, run_id)
            started_at = started.started_at.isoformat() if started else ""
        result.run_id = run_id
        settings = config.with_(run_id=run_id).scrapy_settings()
        loader = SpiderLoader.from_settings(Settings(settings))
        regions_toml = (
            Path(config.regions_file).read_text(encoding="utf-8") if config.regions_file else None
        )
        for region in chosen:
            spider, requests = start_requests(region, spider_class(region, loader))
            seen = seen_key_pattern(run_id) % {"spider": spider.name}
            dupefilter = FrontierDupeFilter(server, seen)
            queue = ReliableQueue(server, spider, queue_key_pattern(run_id))
            queued = 0
            for request in requests:
                if request.dont_filter or not dupefilter.request_seen(request):
                    queue.push(request)
                    queued += 1
            result.seeded[region.slug] = queued
        spec = RunSpec(
            run_id=run_id,
            regions=[r.slug for r in chosen],
            trigger=config.trigger,
            force=force,
            started_at=started_at,
            regions_toml=regions_toml,
            archive=engine.url.render_as_string(hide_password=True),
        )
        pipe = server.pipeline(transaction=True)
        pipe.hset(key("run", run_id), "spec", spec.dumps())
        for region in chosen:
            pipe.set(key("region", region.slug), str(run_id))
        pipe.sadd(key("runs"), run_id)
        pipe.execute()
    except BaseException:
        for region in chosen:  # let a later seeding have them
            if server.get(key("region", region.slug)) == claim.encode():
                server.delete(key("region", region.slug))
        raise
    finally:
        engine.dispose()
    return result


def report(result: SeedResult, frontier: str) -> None:
    if result.run_id is None:
        print("nothing seeded: every region is in an unfinished frontier run")
        return
    total = sum(result.seeded.values())
    print(
        f"run {result.run_id}: {len(result.seeded)} regions seeded into the frontier "
        f"{show_url(frontier)} ({total} start requests); `govcrawl worker --frontier URL "
        "--db URL` processes crawl them"
    )
