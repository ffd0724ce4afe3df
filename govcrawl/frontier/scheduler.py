"""scrapy-redis's scheduler, queue and duplicate filter, made to fit govcrawl.

scrapy-redis 0.9.1 works with Scrapy 2.19's engine (its scheduler has the methods the
engine calls; spiders keep their ``async def start()``, whose requests go through the
shared duplicate filter). What it lacks, added here:

* :class:`FrontierDupeFilter`: scrapy-redis fingerprints with ``canonicalize_url``; here
  the crawler's request fingerprinter (``govcrawl.fetch.fingerprint``, the one URL
  normaliser) decides what is the same request, as in a single-process crawl.
* :class:`ReliableQueue`: scrapy-redis's priority queue pops a request and forgets it, so
  a worker killed mid-request loses it. Here the pop moves it, atomically (Lua), into
  the region's in-flight hash; :class:`FrontierScheduler` removes it from there only
  once Scrapy has fully handled the request (its callback's items stored, its new
  requests queued) and its crawl counters are in Redis, in one MULTI/EXEC. A worker that
  takes over a region puts what is still in flight back into the queue (:func:`reclaim`).
* Scrapy 2.19 deprecates the ``spider=`` argument scrapy-redis passes to the stats.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from govcrawl.fetch.fingerprint import NormalisedFingerprinter
from govcrawl.frontier import sibling

logger = logging.getLogger(__name__)

#: Seconds a handled request stays in flight before it is acknowledged: the store
#: writes 304s in batches a quarter of a second late (govcrawl/pipelines.py).
ACK_DELAY = 2.0
TICK = 0.5

# KEYS: queue, inflight, tokens. Returns {token, data} or nil.
_POP = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
local token = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], token, top[2] .. '|' .. top[1])
return {token, top[1]}
"""

# KEYS: inflight, queue. Every in-flight request back into the queue; returns how many.
_RECLAIM = """
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local value = all[i + 1]
  local bar = string.find(value, '|', 1, true)
  redis.call('ZADD', KEYS[2], string.sub(value, 1, bar - 1), string.sub(value, bar + 1))
end
redis.call('DEL', KEYS[1])
return #all / 2
"""


def reclaim(server: Any, queue_key: str) -> int:
    """Put the region's in-flight requests (a dead worker's) back into its queue."""
    return int(server.eval(_RECLAIM, 2, sibling(queue_key, "inflight"), queue_key))


class FrontierDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's Redis fingerprint set, with govcrawl's request fingerprints."""

    def __init__(
        self, server: Any, key: str, debug: bool = False, fingerprinter: Any = None
    ) -> None:
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter or NormalisedFingerprinter()

    @classmethod
    def from_spider(cls, spider: Any) -> FrontierDupeFilter:
        settings = spider.settings
        crawler = getattr(spider, "crawler", None)
        return cls(
            get_redis_from_settings(settings),
            key=settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider.name},
            debug=settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=getattr(crawler, "request_fingerprinter", None),
        )

    def request_fingerprint(self, request: Request) -> str:
        return str(self.fingerprinter.fingerprint(request).hex())


class ReliableQueue(PriorityQueue):  # type: ignore[misc]
    """A priority queue whose pop keeps the request in flight until acknowledged."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.inflight_key = sibling(self.key, "inflight")
        self.tokens_key = sibling(self.key, "tokens")
        self._pop = server.register_script(_POP)

    def pop_tracked(self) -> tuple[str, Request] | None:
        """(token, request) of the most urgent request, now in flight; None when empty."""
        while True:
            popped = self._pop(keys=[self.key, self.inflight_key, self.tokens_key])
            if not popped:
                return None
            token, data = popped
            token = token.decode() if isinstance(token, bytes) else str(token)
            try:
                request: Request = self._decode_request(data)
                return token, request
            except Exception as exc:  # e.g. a callback the spider no longer has
                logger.error("frontier: dropping a request that cannot be read back: %s", exc)
                self.server.hdel(self.inflight_key, token)

    def pop(self, timeout: int = 0) -> Request | None:
        popped = self.pop_tracked()
        return None if popped is None else popped[1]


class FrontierScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler, acknowledging each request once Scrapy is done with it."""

    crawler: Crawler
    df: Any  # the duplicate filter (scrapy-redis's attribute)
    queue: ReliableQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        instance: FrontierScheduler = cls.from_settings(crawler.settings)
        instance.stats = crawler.stats
        instance.crawler = crawler
        instance.ack_delay = crawler.settings.getfloat("GOVCRAWL_FRONTIER_ACK_DELAY", ACK_DELAY)
        return instance

    def open(self, spider: Any) -> None:
        # scrapy-redis's open(), without its deprecated Spider.log() call
        self.spider = spider
        self.queue = ReliableQueue(
            server=self.server,
            spider=spider,
            key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        if not self.df:
            self.df = FrontierDupeFilter.from_spider(spider)
        self._outstanding: dict[int, tuple[Request, str]] = {}  # handed to the engine
        self._finished: list[tuple[str, float]] = []  # (token, when it was done)
        self._sent: dict[str, int] = {}  # govcrawl/* counters already in Redis
        self._lost = False
        self._tick = task.LoopingCall(self.tick)
        self._tick.start(TICK, now=False)

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats is not None:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        popped: tuple[str, Request] | None = self.queue.pop_tracked()
        if popped is None:
            return None
        token, request = popped
        self._outstanding[id(request)] = (request, token)
        if self.stats is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def lease_lost(self) -> None:
        """Another worker has the region now (and our in-flight requests): write nothing more."""
        self._lost = True

    # -- acknowledgements ---------------------------------------------------------------
    def _in_progress(self) -> set[Request]:
        engine = getattr(self.crawler, "engine", None)
        slot = getattr(engine, "_slot", None)  # Scrapy's own engine status reads it too
        return set(getattr(slot, "inprogress", ()) or ())

    def tick(self, *, final: bool = False) -> None:
        if self._lost:
            return
        now = time.monotonic()
        busy = set() if final else self._in_progress()
        for ident, (request, token) in list(self._outstanding.items()):
            if request not in busy:
                self._finished.append((token, now))
                del self._outstanding[ident]
        due = [t for t, when in self._finished if final or now - when >= self.ack_delay]
        try:
            self._sync(due)
        except Exception as exc:  # Redis unreachable for a moment: try again next tick
            logger.error("frontier: cannot acknowledge requests: %s", exc)
            return
        if due:
            done = set(due)
            self._finished = [(t, w) for t, w in self._finished if t not in done]

    def _sync(self, tokens: list[str]) -> None:
        """In one transaction: this crawler's new ``govcrawl/*`` counts and the
        acknowledgements (so a request is never both acknowledged and uncounted)."""
        stats = self.stats.get_stats() if self.stats is not None else {}
        deltas: dict[str, int] = {}
        for name, value in stats.items():
            if name.startswith("govcrawl/") and type(value) is int:
                delta = value - self._sent.get(name, 0)
                if delta:
                    deltas[name] = delta
        if not (tokens or deltas):
            return
        stats_key = sibling(self.queue.key, "stats")
        pipe = self.server.pipeline(transaction=True)
        for name, delta in deltas.items():
            pipe.hincrby(stats_key, name, delta)
        if tokens:
            pipe.hdel(self.queue.inflight_key, *tokens)
        pipe.execute()
        for name, delta in deltas.items():
            self._sent[name] = self._sent.get(name, 0) + delta

    def close(self, reason: str) -> None:
        if self._tick.running:
            self._tick.stop()
        # The engine has finished every request it took before closing the scheduler.
        self.tick(final=True)
        super().close(reason)

    def has_pending_requests(self) -> bool:
        return len(self) > 0
