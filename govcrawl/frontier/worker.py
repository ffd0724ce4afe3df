"""``govcrawl worker``: crawl the regions of the runs seeded into a Redis frontier.

    govcrawl worker --frontier redis://HOST:6379/0 --db postgresql+psycopg://... \\
        [--idle-timeout S] [--regions N] [--allow-loopback] [--log-level L]

One Scrapy process; each region it takes is one crawler with the region's own spider
and scrapy-redis's scheduler (:mod:`govcrawl.frontier.scheduler`). Every half second
the worker renews its heartbeat and its leases, takes a region when it has fewer than
its fair share (the unfinished regions divided among the live workers, at most
``--regions``), and closes the regions whose crawl has drained their queue: their
summary (counters from Redis, reports from the archive), vanished documents, and,
for the last region of a run, the run itself (status, near-copies), as
``govcrawl crawl`` does. It stops once the frontier has had nothing to crawl for
``--idle-timeout`` seconds (0: never, for a service). Exit status: 0, or 1 when a run
it closed has a failed region; 2 when the frontier or the archive cannot be used.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from sqlalchemy import distinct, func, select
from twisted.python.failure import Failure

from govcrawl.clock import utcnow
from govcrawl.config import Config
from govcrawl.db.engine import open_engine, upgrade
from govcrawl.db.models import CrawlRun, Document, Fetch
from govcrawl.db.store import Store
from govcrawl.frontier import (
    FrontierError,
    RunSpec,
    connect,
    key,
    new_worker_id,
    queue_key_pattern,
    region_key,
    seen_key_pattern,
    show_url,
)
from govcrawl.frontier.scheduler import FrontierScheduler, reclaim
from govcrawl.locks import Locks, region_locks
from govcrawl.progress import ProgressReporter
from govcrawl.regions import Region, Registry, load_registry
from govcrawl.summary import RegionSummary, format_table, run_stats, summarise

TICK = 0.5
#: Seconds a worker leaves alone a region whose archive lock a local crawl holds.
LOCKED_BACKOFF = 10.0
#: Outcomes of fetches that tie a page to a document (what a run's summary counts).
_DOCUMENT_OUTCOMES = ("stored", "changed", "unchanged", "duplicate")

# KEYS: lease. ARGV: worker id, milliseconds. Extend the lease if it is still ours.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# KEYS: lease. ARGV: worker id. Give the lease up if it is still ours.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class LeaseKeeper(threading.Thread):
    """Renews the worker's heartbeat and region leases from a thread of its own, so a
    reactor busy for a few seconds (starting a crawler, a slow callback) does not let a
    lease lapse and another worker crawl the same region. A dead process renews nothing."""

    def __init__(self, server: Any, worker_id: str, lease_ms: int) -> None:
        super().__init__(name="govcrawl-leases", daemon=True)
        self.server, self.worker_id, self.lease_ms = server, worker_id, lease_ms
        self._renew = server.register_script(_RENEW)
        self._lock = threading.Lock()
        self._leases: set[str] = set()
        self.lost: set[str] = set()  # leases another worker took (this one stalled too long)
        self._stop = threading.Event()

    def keep(self, lease: str) -> None:
        with self._lock:
            self._leases.add(lease)

    def drop(self, lease: str) -> None:
        with self._lock:
            self._leases.discard(lease)
            self.lost.discard(lease)

    def beat(self) -> None:
        self.server.set(key("worker", self.worker_id), "1", px=self.lease_ms)
        with self._lock:
            leases = list(self._leases)
        for lease in leases:
            if not self._renew(keys=[lease], args=[self.worker_id, self.lease_ms]):
                with self._lock:
                    if lease in self._leases:
                        self._leases.discard(lease)
                        self.lost.add(lease)

    def run(self) -> None:
        interval = self.lease_ms / 4000
        while not self._stop.wait(interval):
            try:
                self.beat()
            except Exception:  # Redis away for a moment: the next beat tries again
                continue

    def stop(self) -> None:
        self._stop.set()


class FrontierProgress(ProgressReporter):
    """Progress lines; at the end, what this worker did for the region (the region's
    summary, over all the workers that crawled it, comes when the region is closed)."""

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        self._say(
            f"[{spider.name}] this worker's part ended ({reason}): "
            f"{stats.get('response_received_count', 0)} pages fetched"
        )


@dataclass
class Held:
    """A region this worker crawls now."""

    run_id: int
    region: Region
    crawler: Crawler
    finished: bool = False
    lost: bool = False
    error: str | None = None


@dataclass
class RunState:
    spec: RunSpec
    registry: Registry
    regions_file: str | None


@dataclass
class ClosedRun:
    run_id: int
    summaries: list[RegionSummary] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(s.failed for s in self.summaries)


class Worker:
    def __init__(self, config: Config) -> None:
        assert config.frontier
        self.config = config
        self.process: CrawlerProcess | None = None  # set once the reactor is installed
        self.server = connect(config.frontier)
        self.id = new_worker_id()
        self.lease_ms = int(config.frontier_lease * 1000)
        self.engine = open_engine(config.db_url)
        upgrade(self.engine)
        self.store = Store(self.engine)
        self.locks: Locks = region_locks(config.db_url)
        self.db = ThreadPoolExecutor(1, thread_name_prefix="govcrawl-frontier")
        self.runs: dict[int, RunState | None] = {}  # None: a run of another archive
        self.held: dict[tuple[int, str], Held] = {}
        self.backoff: dict[tuple[int, str], float] = {}
        self.closed: list[ClosedRun] = []
        self.stopping = False
        self.loader: SpiderLoader | None = None
        self._release = self.server.register_script(_RELEASE)
        self.keeper = LeaseKeeper(connect(config.frontier), self.id, self.lease_ms)
        self._tmp = tempfile.TemporaryDirectory(prefix="govcrawl-worker-")
        self._stopping: set[asyncio.Future[Any]] = set()  # crawlers being stopped

    def say(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    async def _db(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.db, fn, *args)

    # -- the loop -----------------------------------------------------------------------
    async def run(self) -> None:
        self.say(
            f"worker {self.id}: frontier {show_url(self.config.frontier or '')}, archive "
            f"{self.engine.url.render_as_string(hide_password=True)}"
        )
        idle_since = time.monotonic()
        self.keeper.beat()
        self.keeper.start()
        while not self.stopping:
            self._renew_leases()
            await self._close_finished()
            open_regions = self._open_regions()
            now = time.monotonic()
            if open_regions or self.held:
                idle_since = now
            elif self.config.idle_timeout and now - idle_since >= self.config.idle_timeout:
                break
            self._take(open_regions)
            await asyncio.sleep(TICK)
        # idle, or stopping: let the crawlers still running end (Ctrl-C, SIGTERM)
        for held in list(self.held.values()):
            if not held.finished and held.crawler.engine is not None:
                await held.crawler.stop_async()
        await self._close_finished()

    def stop(self) -> None:
        self.stopping = True

    def close(self) -> None:
        """After the reactor: give up whatever is still held (another worker takes it
        at once, not after the lease), and close connections."""
        self.keeper.stop()
        with contextlib.suppress(Exception):  # Redis may be the reason we stop
            for run_key in list(self.held):
                self._give_up(*run_key)
            self.server.delete(key("worker", self.id))
        self.held.clear()
        with contextlib.suppress(Exception):
            self.locks.release_all()
        self.db.shutdown(wait=True)
        self.engine.dispose()
        self._tmp.cleanup()

    # -- what there is to do ------------------------------------------------------------
    def _run_state(self, run_id: int) -> RunState | None:
        if run_id in self.runs:
            return self.runs[run_id]
        raw = self.server.hget(key("run", run_id), "spec")
        if raw is None:
            return None  # being seeded, or just finished
        spec = RunSpec.loads(raw)
        with self.store.sessions() as session:
            row = session.get(CrawlRun, run_id)
        if row is None or row.started_at.isoformat() != spec.started_at:
            self.say(
                f"frontier run {run_id} belongs to another archive ({spec.archive}): "
                "not crawled by this worker (give every worker the seeder's --db)"
            )
            self.runs[run_id] = None
            return None
        regions_file = None
        if spec.regions_toml is not None:
            path = Path(self._tmp.name) / f"run{run_id}-regions.toml"
            path.write_text(spec.regions_toml, encoding="utf-8")
            regions_file = str(path)
        self.runs[run_id] = RunState(spec, load_registry(regions_file), regions_file)
        return self.runs[run_id]

    def _open_regions(self) -> list[tuple[int, str]]:
        """(run, region) of every seeded run not finished, in run and seeding order."""
        out: list[tuple[int, str]] = []
        run_ids = sorted(int(r) for r in self.server.smembers(key("runs")))
        for run_id in run_ids:
            state = self._run_state(run_id)
            if state is None:
                continue
            done = {d.decode() for d in self.server.smembers(key("run", run_id, "done"))}
            out.extend((run_id, slug) for slug in state.spec.regions if slug not in done)
        for stale in set(self.runs) - set(run_ids):
            del self.runs[stale]
        return out

    def _live_workers(self) -> int:
        return max(1, sum(1 for _ in self.server.scan_iter(match=key("worker", "*"), count=100)))

    def _take(self, open_regions: list[tuple[int, str]]) -> None:
        """Start crawling one more region if this worker has less than its share."""
        share = math.ceil(len(open_regions) / self._live_workers())
        if len(self.held) >= min(self.config.worker_regions, share):
            return
        now = time.monotonic()
        for run_id, slug in open_regions:
            if (run_id, slug) in self.held or self.backoff.get((run_id, slug), 0) > now:
                continue
            lease = region_key(run_id, slug, "lease")
            if not self.server.set(lease, self.id, nx=True, px=self.lease_ms):
                continue
            if not self.locks.acquire(slug):
                self._release(keys=[lease], args=[self.id])
                self.backoff[(run_id, slug)] = now + LOCKED_BACKOFF
                self.say(
                    f"region {slug} is being crawled by another run (pid "
                    f"{self.locks.holder(slug)}): run {run_id} waits for it"
                )
                continue
            self.keeper.keep(lease)
            queue = queue_key_pattern(run_id) % {"spider": slug}
            back = reclaim(self.server, queue)
            if back:
                self.say(f"[{slug}] {back} requests a stopped worker left in flight: queued again")
            self._start(run_id, slug)
            return

    def _start(self, run_id: int, slug: str) -> None:
        from govcrawl.runner import spider_class

        state = self.runs[run_id]
        assert state is not None
        region = state.registry.get(slug)
        config = self.config.with_(
            run_id=run_id, trigger=state.spec.trigger, regions_file=state.regions_file
        )
        settings = config.scrapy_settings(crawlers=self.config.worker_regions)
        settings.update(frontier_settings(config, run_id))
        settings["GOVCRAWL_FORCE"] = state.spec.force
        settings["GOVCRAWL_RESUME"] = False
        if self.loader is None:
            self.loader = SpiderLoader.from_settings(Settings(settings))
        # Above the process's own settings, which Scrapy merges into every crawler it runs.
        crawler = Crawler(spider_class(region, self.loader), Settings(settings, priority="cmdline"))
        held = Held(run_id, region, crawler)
        self.held[(run_id, slug)] = held

        def ended(result: Any) -> None:
            held.finished = True
            if isinstance(result, Failure):  # it could not start: try again later
                held.error = f"{type(result.value).__name__}: {result.value}"

        assert self.process is not None
        self.process.crawl(crawler, region=region, name=region.slug).addBoth(ended)

    def _renew_leases(self) -> None:
        """(The keeper thread renews them.) Stop crawling a region whose lease lapsed."""
        for (run_id, slug), held in self.held.items():
            if held.lost or held.finished:
                continue
            if region_key(run_id, slug, "lease") in self.keeper.lost:
                held.lost = True
                self.say(f"[{slug}] lease lost (this worker stalled?): stopping its crawl")
                scheduler = getattr(held.crawler.engine, "scheduler", None)
                if isinstance(scheduler, FrontierScheduler):
                    scheduler.lease_lost()
                if held.crawler.engine is not None:
                    self._stopping.add(asyncio.ensure_future(held.crawler.stop_async()))

    # -- closing regions and runs -------------------------------------------------------
    async def _close_finished(self) -> None:
        for (run_id, slug), held in list(self.held.items()):
            if not held.finished:
                continue
            del self.held[(run_id, slug)]
            reason = held.crawler.stats.get_value("finish_reason") if held.crawler.stats else None
            queue = queue_key_pattern(run_id) % {"spider": slug}
            drained = (
                reason == "finished"
                and not held.lost
                and self.server.zcard(queue) == 0
                and self.server.hlen(region_key(run_id, slug, "inflight")) == 0
            )
            if drained:
                await self._close_region(held)
            elif held.error or reason not in ("finished", "shutdown", None):
                self.say(f"[{slug}] the crawl stopped ({held.error or reason}); retried later")
                self.backoff[(run_id, slug)] = time.monotonic() + LOCKED_BACKOFF
            self._give_up(run_id, slug)
            if not any(run_id == r for r, _ in self.held):
                self._close_raw(run_id)
            if drained and self.server.scard(key("run", run_id, "done")) >= len(
                self._spec(run_id).regions
            ):
                await self._close_run(run_id)

    def _close_raw(self, run_id: int) -> None:
        """This process's WARC file of the run, now that it crawls none of its regions."""
        from govcrawl import pipelines

        pipelines.close_raw(self.config.db_url, run_id)  # in the writer process, in turn

    def _spec(self, run_id: int) -> RunSpec:
        state = self.runs.get(run_id)
        assert state is not None
        return state.spec

    def _give_up(self, run_id: int, slug: str) -> None:
        lease = region_key(run_id, slug, "lease")
        self.keeper.drop(lease)
        self._release(keys=[lease], args=[self.id])
        self.locks.release(slug)

    async def _close_region(self, held: Held) -> None:
        run_id, region = held.run_id, held.region
        raw = self.server.hgetall(region_key(run_id, region.slug, "stats"))
        stats: dict[str, Any] = {k.decode(): int(v) for k, v in raw.items()}
        reports, years = await self._db(region_reports, self.store, run_id, region.slug)
        stats["govcrawl/reports"], stats["govcrawl/years"] = reports, years
        summary = summarise(region, stats, self.config.max_error_rate)
        await self._db(judge, self.store, run_id, summary, utcnow())
        pipe = self.server.pipeline(transaction=True)
        pipe.hset(key("run", run_id, "summaries"), region.slug, json.dumps(summary.as_dict()))
        pipe.sadd(key("run", run_id, "done"), region.slug)
        pipe.execute()
        state = f"FAILED: {summary.failure}" if summary.failed else "done"
        self.say(f"[{region.slug}] region {state}: {summary.reports} reports (run {run_id})")

    async def _close_run(self, run_id: int) -> None:
        if not self.server.set(key("run", run_id, "finalising"), self.id, nx=True, px=300_000):
            return  # another worker is closing it
        spec = self._spec(run_id)
        saved = self.server.hgetall(key("run", run_id, "summaries"))
        by_slug = {k.decode(): RegionSummary(**json.loads(v)) for k, v in saved.items()}
        summaries = [by_slug[slug] for slug in spec.regions if slug in by_slug]
        await self._db(finish, self.config, self.store, run_id, summaries)
        keys = [key("run", run_id), key("run", run_id, "done"), key("run", run_id, "summaries")]
        for slug in spec.regions:
            keys += [
                region_key(run_id, slug, what)
                for what in ("queue", "seen", "inflight", "tokens", "stats", "lease")
            ]
        closed = ClosedRun(run_id, summaries)
        self.closed.append(closed)
        print(f"run {run_id} ({'failed' if closed.failed else 'ok'}):")
        print(format_table(summaries), flush=True)
        for summary in summaries:
            if summary.failed:
                self.say(f"region {summary.slug} ({summary.name}) failed: {summary.failure}")
        pipe = self.server.pipeline(transaction=True)
        pipe.srem(key("runs"), run_id)
        pipe.delete(*keys)
        pipe.execute()
        for slug in spec.regions:  # the claim, unless a newer run holds it already
            claim = key("region", slug)
            if self.server.get(claim) == str(run_id).encode():
                self.server.delete(claim)
        self.server.delete(key("run", run_id, "finalising"))


# -- archive work (on the worker's database thread) ---------------------------------------
def region_reports(store: Store, run_id: int, slug: str) -> tuple[int, list[int]]:
    """The annual reports this run met in the region and their years, from the archive
    (exact whichever workers fetched them)."""
    joined = (
        select(Fetch.document_id, Document.report_year)
        .join(Document, Document.id == Fetch.document_id)
        .where(
            Fetch.crawl_run_id == run_id,
            Fetch.region_slug == slug,
            Fetch.outcome.in_(_DOCUMENT_OUTCOMES),
            Document.is_annual_report.is_(True),
        )
        .subquery()
    )
    with store.sessions() as session:
        count = session.scalar(select(func.count(distinct(joined.c.document_id)))) or 0
        years = session.scalars(
            select(joined.c.report_year).where(joined.c.report_year.is_not(None)).distinct()
        ).all()
    return int(count), sorted(int(y) for y in years)


def judge(store: Store, run_id: int, summary: RegionSummary, when: datetime) -> None:
    """As ``govcrawl crawl`` does after a region: a region that used to yield reports and
    yields none now fails; a complete crawl marks what it no longer found as vanished."""
    before = store.previous_reports(summary.slug, run_id)
    if summary.reports == 0 and before is not None and not summary.failure:
        summary.failure = f"yielded {before[1]} reports in run {before[0]}, none now"
    elif summary.reports == 0 and before is not None:
        summary.failure = f"{summary.failure}; it yielded {before[1]} reports in run {before[0]}"
    if not summary.failed and not summary.budget_exhausted:
        store.mark_vanished(run_id, summary.slug, when)


def finish(config: Config, store: Store, run_id: int, summaries: list[RegionSummary]) -> None:
    from govcrawl.runs import touched_years

    status = "failed" if any(s.failed for s in summaries) else "ok"
    store.finish_run(run_id, status, run_stats(summaries, store.outcome_counts(run_id)))
    if touched_years(store.engine, run_id) != set():
        from govcrawl import neardup

        neardup.after_run(config, store.engine, run_id)


# -- Scrapy settings of a region crawled from the frontier --------------------------------
def frontier_settings(config: Config, run_id: int) -> dict[str, Any]:
    extensions = dict(config.scrapy_settings()["EXTENSIONS"])
    extensions.pop("govcrawl.progress.ProgressReporter", None)
    extensions["govcrawl.frontier.worker.FrontierProgress"] = 500
    return {
        "SCHEDULER": "govcrawl.frontier.scheduler.FrontierScheduler",
        "SCHEDULER_QUEUE_CLASS": "govcrawl.frontier.scheduler.ReliableQueue",
        "DUPEFILTER_CLASS": "govcrawl.frontier.scheduler.FrontierDupeFilter",
        "SCHEDULER_QUEUE_KEY": queue_key_pattern(run_id),
        "SCHEDULER_DUPEFILTER_KEY": seen_key_pattern(run_id),
        "SCHEDULER_PERSIST": True,  # the queue outlives this worker's crawler
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # never block the reactor on Redis
        "REDIS_URL": config.frontier,
        "EXTENSIONS": extensions,
    }


# -- the command ----------------------------------------------------------------------------
def run_command(args: argparse.Namespace) -> int:
    config = Config.from_env(
        db_url=args.db,
        frontier=args.frontier,
        idle_timeout=args.idle_timeout,
        worker_regions=args.regions,
        allow_loopback=args.allow_loopback or None,
        log_level=args.log_level,
    )
    if not config.frontier:
        raise ValueError("no frontier: give --frontier redis://HOST:PORT/DB or GOVCRAWL_FRONTIER")
    return work(config)


def work(config: Config) -> int:
    from scrapy.utils.reactor import install_reactor
    from twisted.internet import defer

    worker = Worker(config)  # connects: a bad frontier or archive fails here
    settings = config.scrapy_settings()
    scrapy_settings = Settings(settings)
    # Crawlers are made while the reactor runs: install Scrapy's (asyncio) reactor first.
    install_reactor(
        scrapy_settings["TWISTED_REACTOR"], scrapy_settings.get("ASYNCIO_EVENT_LOOP")
    )
    worker.process = process = CrawlerProcess(settings)
    failure: list[BaseException] = []

    from twisted.internet import reactor as installed

    reactor: Any = installed

    running: list[asyncio.Future[None]] = []

    def main() -> None:
        def done(result: Any) -> None:
            if isinstance(result, Failure) and result.value is not None:
                failure.append(result.value)
            with contextlib.suppress(Exception):
                reactor.stop()

        running.append(asyncio.ensure_future(worker.run()))
        defer.Deferred.fromFuture(running[0]).addBoth(done)

    def shutting_down() -> Any:
        """SIGTERM, Ctrl-C: the reactor waits until the worker has closed what it can
        (a region, a run half closed) and stopped its crawlers."""
        worker.stop()
        if not running or running[0].done():
            return None

        async def settled() -> None:
            await asyncio.wait(running)

        return defer.Deferred.fromFuture(asyncio.ensure_future(settled()))

    reactor.callWhenRunning(main)
    reactor.addSystemEventTrigger("before", "shutdown", shutting_down)
    try:
        process.start(stop_after_crawl=False)
    finally:
        from govcrawl import pipelines

        worker.close()
        pipelines.shutdown()
    if failure:
        exc = failure[0]
        import redis
        from sqlalchemy.exc import OperationalError

        from govcrawl.db.engine import DatabaseError

        if isinstance(exc, redis.RedisError):
            raise FrontierError(f"the frontier failed: {exc}") from exc
        if isinstance(exc, OperationalError):
            reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            raise DatabaseError(f"the archive failed: {reason}") from exc
        raise exc
    return 1 if any(run.failed for run in worker.closed) else 0
