"""A crawl frontier shared by several machines: Redis, through scrapy-redis.

``govcrawl crawl --frontier redis://HOST:6379/0 ...`` *seeds* a run: it opens the
``crawl_run`` row in the archive and puts each region's start requests into Redis.
``govcrawl worker --frontier redis://... --db postgresql+psycopg://...`` processes
(one or many, on any machine) then crawl the run's regions with the regions' own
spiders, unchanged: Scrapy's scheduler is scrapy-redis's, so the request queue and
the set of request fingerprints live in Redis (:mod:`govcrawl.frontier.scheduler`).

Politeness across workers: a region is crawled by **one worker at a time**. A worker
takes a region with a lease in Redis (``SET NX PX``, renewed while it crawls) and, in
the archive, the region's lock (a PostgreSQL advisory lock; a file lock on SQLite);
within that worker Scrapy's per-site concurrency (``GOVCRAWL_PER_SITE_CONCURRENCY``)
and AutoThrottle hold as in a single-process crawl. So a site never sees more
requests at once than one crawler sends it, however many workers run: workers add
throughput by crawling *different* regions side by side. (As in a single-process
crawl, two regions whose portals share a host are two crawlers on that host.)

Nothing is lost when a worker dies: a request taken from a region's queue is kept in
the region's in-flight hash until the worker has fully handled it (callback run,
items stored, new requests queued); when the dead worker's lease runs out, the next
worker to take the region puts its in-flight requests back into the queue.

Keys (all under ``govcrawl:``; a run's keys are deleted when it is finished):

==========================================  ============================================
``runs``                                    set of the seeded runs not yet finished
``run:ID``                                  hash: ``spec`` (JSON: regions, flags, file)
``run:ID:SLUG:queue`` / ``:seen``           scrapy-redis priority queue / fingerprints
``run:ID:SLUG:inflight`` / ``:tokens``      requests being handled / their counter
``run:ID:SLUG:lease``                       the worker crawling the region (expires)
``run:ID:SLUG:stats``                       the region's ``govcrawl/*`` crawl counters
``run:ID:done`` / ``run:ID:summaries``      regions finished / their summaries (JSON)
``run:ID:finalising``                       the worker closing the run
``region:SLUG``                             the unfinished run that holds the region
``worker:ID``                               a live worker (expires without heartbeat)
==========================================  ============================================
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from govcrawl.config import ConfigError

PREFIX = "govcrawl"
#: Redis holds pickled requests (scrapy-redis's serializer): a Redis that untrusted
#: parties can write to can run code in the workers. Keep it on a private network.


class FrontierError(ConfigError):
    """The frontier cannot be used (bad URL, Redis unreachable); one line says why
    (a setting govcrawl cannot use: the command exits with status 2)."""


def show_url(url: str) -> str:
    """The Redis URL without its password (for messages)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}"
        if parts.port:
            netloc += f":{parts.port}"
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def connect(url: str) -> Any:
    """A Redis client for the frontier URL, checked with PING."""
    import redis

    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise FrontierError(f"bad frontier URL {show_url(url)!r}: expected redis://HOST:PORT/DB")
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=30)
        client.ping()
    except ValueError as exc:
        raise FrontierError(f"bad frontier URL {show_url(url)!r}: {exc}") from exc
    except redis.RedisError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FrontierError(f"cannot reach the frontier {show_url(url)!r}: {reason}") from exc
    return client


def key(*parts: object) -> str:
    return ":".join([PREFIX, *(str(p) for p in parts)])


def region_key(run_id: int, slug: str, what: str) -> str:
    return key("run", run_id, slug, what)


def queue_key_pattern(run_id: int) -> str:
    """scrapy-redis's SCHEDULER_QUEUE_KEY (``%(spider)s`` is the region's slug)."""
    return key("run", run_id, "%(spider)s", "queue")


def seen_key_pattern(run_id: int) -> str:
    return key("run", run_id, "%(spider)s", "seen")


def sibling(queue_key: str, what: str) -> str:
    """Another key of the same run and region (from its queue key)."""
    base, _, last = queue_key.rpartition(":")
    if last != "queue":
        raise ValueError(f"not a frontier queue key: {queue_key}")
    return f"{base}:{what}"


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class RunSpec:
    """What the seeder puts in Redis for the workers: everything a worker on another
    machine needs besides the archive URL."""

    run_id: int
    regions: list[str]  # slugs, in the order given
    trigger: str
    force: bool
    started_at: str  # the crawl_run row's started_at: the archive's fingerprint
    regions_toml: str | None  # the seeder's --regions-file, verbatim
    archive: str  # the seeder's database URL, password hidden (for messages)

    def dumps(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def loads(cls, text: str | bytes) -> RunSpec:
        data = json.loads(text)
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})
