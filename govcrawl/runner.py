"""Run one crawl: migrate the archive, take the regions' locks, open (or resume) a
``crawl_run``, crawl the regions (one Scrapy crawler per region, all in one
process), record what vanished, close the run and print the per-region summary.
Exit status 1 when a region failed."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from govcrawl import startup
from govcrawl.clock import utcnow
from govcrawl.cms import FAMILIES, GovSpider
from govcrawl.config import Config
from govcrawl.db.engine import open_engine, upgrade
from govcrawl.db.store import Store
from govcrawl.locks import region_locks
from govcrawl.regions import Region, Registry
from govcrawl.runs import touched_years
from govcrawl.summary import RegionSummary, format_table, run_stats, summarise


@dataclass
class CrawlResult:
    run_id: int
    summaries: list[RegionSummary]
    locked: list[str] = field(default_factory=list)  # regions another run was crawling
    resumed: bool = False

    @property
    def failed(self) -> list[RegionSummary]:
        return [s for s in self.summaries if s.failed]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def spider_class(region: Region, loader: SpiderLoader) -> type[GovSpider]:
    """The region's own spider module if it has one, else its CMS family's spider."""
    if region.slug in loader.list():
        cls = loader.load(region.slug)
        if issubclass(cls, GovSpider):
            return cls
    return FAMILIES[region.cms]


def run_crawl(
    config: Config, registry: Registry, regions: Sequence[Region], *, force: bool = False
) -> CrawlResult:
    engine = open_engine(config.db_url)
    upgrade(engine)
    store = Store(engine)
    store.sync_jurisdictions(registry)
    with region_locks(config.db_url) as locks:  # advisory locks on PostgreSQL, else files
        locked = [r.slug for r in regions if not locks.acquire(r.slug)]
        for slug in locked:
            print(
                f"region {slug} is being crawled by another run (pid {locks.holder(slug)}): "
                "skipped",
                file=sys.stderr,
            )
        todo = [r for r in regions if r.slug not in locked]
        slugs = [r.slug for r in todo]
        run_id = store.interrupted_run(slugs) if todo else None
        resumed = run_id is not None
        if run_id is not None:
            store.resume_run(run_id)
            print(f"resuming run {run_id}, interrupted before it finished", file=sys.stderr)
        else:
            run_id = store.start_run(config.trigger, slugs)
        engine.dispose()
        summaries = _crawl(config, todo, run_id, force=force, resume=resumed) if todo else []

        engine = open_engine(config.db_url)
        store = Store(engine)
        when = utcnow()
        for region, summary in zip(todo, summaries, strict=True):
            before = store.previous_reports(region.slug, run_id)
            if summary.reports == 0 and before is not None and not summary.failure:
                summary.failure = f"yielded {before[1]} reports in run {before[0]}, none now"
            elif summary.reports == 0 and before is not None:
                summary.failure = (
                    f"{summary.failure}; it yielded {before[1]} reports in run {before[0]}"
                )
            if not summary.failed and not summary.budget_exhausted:
                store.mark_vanished(run_id, region.slug, when)
        status = "failed" if any(s.failed for s in summaries) else "ok"
        store.finish_run(run_id, status, run_stats(summaries, store.outcome_counts(run_id)))
        if touched_years(engine, run_id) != set():  # the near-copies of what this run stored
            from govcrawl import neardup  # numpy: only when there is something to compare

            neardup.after_run(config, engine, run_id)
        engine.dispose()
    return CrawlResult(run_id, summaries, locked, resumed)


def _crawl(
    config: Config, regions: Sequence[Region], run_id: int, *, force: bool, resume: bool
) -> list[RegionSummary]:
    settings = config.with_(run_id=run_id).scrapy_settings(crawlers=len(regions))
    settings["GOVCRAWL_FORCE"] = force
    settings["GOVCRAWL_RESUME"] = resume
    process = CrawlerProcess(settings)
    loader = SpiderLoader.from_settings(Settings(settings))  # imports spiders/ once
    crawlers = []
    for region in regions:
        crawler = process.create_crawler(spider_class(region, loader))
        process.crawl(crawler, region=region, name=region.slug)
        crawlers.append((region, crawler))
    startup.settle()  # what the crawl keeps is built: frozen (govcrawl/startup.py)
    try:
        process.start()
    finally:
        from govcrawl import pipelines

        pipelines.shutdown()
    return [
        summarise(region, crawler.stats.get_stats() if crawler.stats else {}, config.max_error_rate)
        for region, crawler in crawlers
    ]


def report(result: CrawlResult) -> None:
    print(format_table(result.summaries))
    for summary in result.failed:
        print(f"region {summary.slug} ({summary.name}) failed: {summary.failure}", file=sys.stderr)
