"""Run one crawl: migrate the archive, open a ``crawl_run``, crawl the regions
(one Scrapy crawler per region, all in one process), close the run and print
the per-region summary. Exit status 1 when a region failed."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from scrapy.crawler import CrawlerProcess
from scrapy.spiderloader import SpiderLoader

from govcrawl.cms import FAMILIES, GovSpider
from govcrawl.config import Config
from govcrawl.db.engine import open_engine, upgrade
from govcrawl.db.store import Store
from govcrawl.regions import Region, Registry
from govcrawl.summary import RegionSummary, format_table, summarise


@dataclass
class CrawlResult:
    run_id: int
    summaries: list[RegionSummary]

    @property
    def failed(self) -> list[RegionSummary]:
        return [s for s in self.summaries if s.failed]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def spider_class(region: Region, settings: dict[str, object]) -> type[GovSpider]:
    """The region's own spider module if it has one, else its CMS family's spider."""
    from scrapy.settings import Settings

    loader = SpiderLoader.from_settings(Settings(settings))
    if region.slug in loader.list():
        cls = loader.load(region.slug)
        if issubclass(cls, GovSpider):
            return cls
    return FAMILIES[region.cms]


def run_crawl(config: Config, registry: Registry, regions: Sequence[Region]) -> CrawlResult:
    engine = open_engine(config.db_url)
    upgrade(engine)
    store = Store(engine)
    store.sync_jurisdictions(registry)
    run_id = store.start_run(config.trigger, [r.slug for r in regions])
    engine.dispose()

    settings = config.with_(run_id=run_id).scrapy_settings()
    process = CrawlerProcess(settings)
    crawlers = []
    for region in regions:
        crawler = process.create_crawler(spider_class(region, settings))
        process.crawl(crawler, region=region, name=region.slug)
        crawlers.append((region, crawler))
    try:
        process.start()
    finally:
        from govcrawl import pipelines

        pipelines.shutdown()

    summaries = [
        summarise(region, crawler.stats.get_stats() if crawler.stats else {})
        for region, crawler in crawlers
    ]
    status = "failed" if any(s.failed for s in summaries) else "ok"
    engine = open_engine(config.db_url)
    Store(engine).finish_run(run_id, status, {s.slug: s.as_dict() for s in summaries})
    engine.dispose()
    return CrawlResult(run_id, summaries)


def report(result: CrawlResult) -> None:
    print(format_table(result.summaries))
    for summary in result.failed:
        print(f"region {summary.slug} ({summary.name}) failed: {summary.failure}", file=sys.stderr)
