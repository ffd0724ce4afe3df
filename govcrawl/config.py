"""The one settings source: a typed config from the environment and the command
line, turned into Scrapy settings in one place (``scrapy_settings``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar

from govcrawl import __version__

DEFAULT_DB = "sqlite:///archive.db"
USER_AGENT = (
    f"govcrawl/{__version__} (research archive of government information-disclosure "
    "annual reports; obeys robots.txt)"
)


def _extensions_base() -> dict[str, int]:
    from scrapy.settings.default_settings import EXTENSIONS_BASE

    unused = ("scrapy.extensions.remote_control.", "scrapy.extensions.memdebug.")
    return {k: v for k, v in EXTENSIONS_BASE.items() if not k.startswith(unused)}


class ConfigError(ValueError):
    """A setting with a value govcrawl cannot use."""


def _env_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"expected a boolean (1/0, true/false), got {value!r}")


#: Bytes of responses all the crawlers of a process hold while their pages are extracted
#: and stored; past it a crawler fetches no more until some are done. Scrapy's own bound
#: (5 MB) is per crawler: a run of 20 regions queued 100 MB of pages behind the extraction
#: workers, the process grew by ~35 KiB a page for nothing (the cores were already busy).
PROCESS_ACTIVE_BYTES = 8 * 1024 * 1024
#: ... and at least this much per crawler: some pages in flight whatever the region count.
MIN_CRAWLER_ACTIVE_BYTES = 256 * 1024


def scraper_budget(crawlers: int) -> int:
    """``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` for each of `crawlers` crawlers of one process."""
    return max(PROCESS_ACTIVE_BYTES // max(crawlers, 1), MIN_CRAWLER_ACTIVE_BYTES)


@dataclass(frozen=True)
class Config:
    db_url: str = DEFAULT_DB
    regions_file: str | None = None
    allow_loopback: bool = False
    extract_workers: int = 2
    per_site_concurrency: int = 2
    start_delay: float = 1.0  # AutoThrottle's first delay per site, seconds
    download_delay: float = 0.0  # the least delay between requests to one site
    max_delay: float = 30.0
    download_timeout: float = 30.0
    retry_times: int = 2
    max_column_pages: int = 200
    max_pages: int = 5000  # requests per region and run (ends calendar/search traps)
    max_depth: int = 3  # hops from the home page when a region has no column
    max_query_variants: int = 30  # one path with this many query strings is a trap
    wall_backoff: float = 30.0  # seconds a site is slowed to after an anti-bot wall
    chromium: str | None = None  # path of Chromium (default: `chromium` on PATH)
    max_error_rate: float = 0.5  # a region whose fetches fail more often than this failed
    # Bounds on hostile input (README, "Faults and bounds")
    max_download_size: int = 32 * 1024 * 1024  # bytes of one response body as received
    max_inflated_size: int = 32 * 1024 * 1024  # bytes of one body once gzip/deflate/br undone
    max_redirects: int = 10  # hops one request may be redirected
    max_retry_after: float = 300.0  # longest Retry-After (s) honoured; longer: recorded
    robots_max_size: int = 500 * 1024  # bytes of robots.txt read (the rest is ignored)
    parse_timeout: float = 120.0  # seconds one page or file may take in extraction
    extract_memory_mb: int = 400  # address-space limit of an extraction worker (MiB; 0: none)
    db_write_retries: int = 6  # a write failing on a lost/locked database is retried (backoff)
    #: a re-crawl's conditional requests outside Scrapy's request path (fetch/revalidate.py)
    lean_revalidate: bool = True
    near_duplicate_threshold: float = 0.9  # similarity at which a report is a near-copy
    # Scale-out (govcrawl/frontier/): a Redis frontier shared by `govcrawl worker`s
    frontier: str | None = None  # redis://HOST:PORT/DB: `crawl` seeds it, workers take it
    idle_timeout: float = 60.0  # a worker stops after the frontier was empty this long (0: never)
    frontier_lease: float = 30.0  # seconds a dead worker's regions wait before others take them
    worker_regions: int = 4  # regions one worker crawls at once
    log_level: str = "WARNING"
    trigger: str = "manual"
    run_id: int | None = None

    _ENV: ClassVar[dict[str, str]] = {
        "db_url": "GOVCRAWL_DB",
        "regions_file": "GOVCRAWL_REGIONS_FILE",
        "allow_loopback": "GOVCRAWL_ALLOW_LOOPBACK",
        "extract_workers": "GOVCRAWL_EXTRACT_WORKERS",
        "per_site_concurrency": "GOVCRAWL_PER_SITE_CONCURRENCY",
        "start_delay": "GOVCRAWL_START_DELAY",
        "download_delay": "GOVCRAWL_DOWNLOAD_DELAY",
        "max_delay": "GOVCRAWL_MAX_DELAY",
        "download_timeout": "GOVCRAWL_DOWNLOAD_TIMEOUT",
        "retry_times": "GOVCRAWL_RETRY_TIMES",
        "log_level": "GOVCRAWL_LOG_LEVEL",
        "max_pages": "GOVCRAWL_MAX_PAGES",
        "max_depth": "GOVCRAWL_MAX_DEPTH",
        "wall_backoff": "GOVCRAWL_WALL_BACKOFF",
        "chromium": "GOVCRAWL_CHROMIUM",
        "max_error_rate": "GOVCRAWL_MAX_ERROR_RATE",
        "near_duplicate_threshold": "GOVCRAWL_NEAR_DUPLICATE_THRESHOLD",
        "frontier": "GOVCRAWL_FRONTIER",
        "idle_timeout": "GOVCRAWL_IDLE_TIMEOUT",
        "frontier_lease": "GOVCRAWL_FRONTIER_LEASE",
        "worker_regions": "GOVCRAWL_WORKER_REGIONS",
        "max_column_pages": "GOVCRAWL_MAX_COLUMN_PAGES",
        "max_query_variants": "GOVCRAWL_MAX_QUERY_VARIANTS",
        "max_download_size": "GOVCRAWL_MAX_DOWNLOAD_SIZE",
        "max_inflated_size": "GOVCRAWL_MAX_INFLATED_SIZE",
        "max_redirects": "GOVCRAWL_MAX_REDIRECTS",
        "max_retry_after": "GOVCRAWL_MAX_RETRY_AFTER",
        "robots_max_size": "GOVCRAWL_ROBOTS_MAX_SIZE",
        "parse_timeout": "GOVCRAWL_PARSE_TIMEOUT",
        "extract_memory_mb": "GOVCRAWL_EXTRACT_MEMORY_MB",
        "db_write_retries": "GOVCRAWL_DB_WRITE_RETRIES",
        "lean_revalidate": "GOVCRAWL_LEAN_REVALIDATE",
    }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Defaults, then GOVCRAWL_* environment variables, then explicit overrides
        (command-line flags; None means "not given")."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(cls)}
        for name, var in cls._ENV.items():
            raw = env.get(var)
            if raw is None or raw == "":
                continue
            try:
                values[name] = _convert(types[name], raw)
            except (ValueError, ConfigError) as exc:
                raise ConfigError(f"environment variable {var}: {exc}") from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        config = cls(**values)
        config.validate()
        return config

    def validate(self) -> None:
        if self.extract_workers < 1:
            raise ConfigError("extract_workers must be at least 1")
        if not 1 <= self.per_site_concurrency <= 2:
            raise ConfigError("per-site concurrency must be 1 or 2 (politeness)")
        if self.download_timeout <= 0 or self.start_delay < 0 or self.max_delay <= 0:
            raise ConfigError("timeouts and delays must be positive")
        if not 0 < self.near_duplicate_threshold <= 1:
            raise ConfigError("the near-duplicate threshold must be in (0, 1]")
        if self.idle_timeout < 0 or self.frontier_lease < 1 or self.worker_regions < 1:
            raise ConfigError(
                "the idle timeout cannot be negative, the lease must be at least 1 s "
                "and a worker must crawl at least 1 region"
            )
        if min(self.max_download_size, self.max_inflated_size, self.robots_max_size) <= 0:
            raise ConfigError("size limits must be positive")
        if self.parse_timeout <= 0 or self.max_retry_after < 0:
            raise ConfigError("the parse timeout must be positive, Retry-After not negative")
        if min(self.max_redirects, self.db_write_retries, self.extract_memory_mb) < 0:
            raise ConfigError("redirect, retry and memory limits cannot be negative")
        if min(self.max_pages, self.max_column_pages, self.max_query_variants) < 1:
            raise ConfigError("page budgets must be at least 1")

    def with_(self, **changes: Any) -> Config:
        return replace(self, **changes)

    def scrapy_settings(self, crawlers: int = 1) -> dict[str, Any]:
        """The Scrapy settings of a crawler, one of `crawlers` the process runs at once."""
        from govcrawl.fetch.browser import playwright_settings

        return {
            **playwright_settings(self.chromium, self.download_timeout),
            "BOT_NAME": "govcrawl",
            "SPIDER_MODULES": ["spiders"],
            "NEWSPIDER_MODULE": "spiders",
            "USER_AGENT": USER_AGENT,
            "ROBOTSTXT_OBEY": True,
            "ROBOTSTXT_USER_AGENT": "govcrawl",
            "CONCURRENT_REQUESTS": 32,
            "CONCURRENT_ITEMS": 8,  # a page yields one item or a few; 100 tasks each is waste
            "SCRAPER_SLOT_MAX_ACTIVE_SIZE": scraper_budget(crawlers),
            "CONCURRENT_REQUESTS_PER_DOMAIN": self.per_site_concurrency,
            "AUTOTHROTTLE_ENABLED": True,
            "AUTOTHROTTLE_START_DELAY": self.start_delay,
            "AUTOTHROTTLE_MAX_DELAY": self.max_delay,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": float(self.per_site_concurrency),
            "DOWNLOAD_DELAY": self.download_delay,
            "DOWNLOAD_TIMEOUT": self.download_timeout,
            "DOWNLOAD_MAXSIZE": self.max_download_size,
            "DOWNLOAD_WARNSIZE": min(8 * 1024 * 1024, self.max_download_size),
            "REDIRECT_MAX_TIMES": self.max_redirects,
            "ROBOTSTXT_PARSER": "govcrawl.fetch.limits.BoundedRobotParser",
            "RETRY_TIMES": self.retry_times,
            "RETRY_GIVE_UP_LOG_LEVEL": "WARNING",
            "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
            "DNS_TIMEOUT": 20,
            "TWISTED_DNS_RESOLVER": "govcrawl.fetch.safety.GuardedResolver",
            "REQUEST_FINGERPRINTER_CLASS": "govcrawl.fetch.fingerprint.NormalisedFingerprinter",
            "TELNETCONSOLE_ENABLED": False,
            "LOG_VERSIONS": [],  # (read off package metadata at every start: 0.1 s)
            # Scrapy 2.19 starts, for every crawler, an HTTP server on localhost that runs
            # the Python code posted to it, and leaves its token in a job file under
            # ~/.local/state/scrapy (never removed when a crawl is killed). Not here.
            "REMOTE_CONTROL_ENABLED": False,
            # Scrapy re-parses a callback's source for this warning on every response
            # (its cache misses on bound methods): 4 ms a page. Our callbacks are tested.
            "WARN_ON_GENERATOR_RETURN_VALUE": False,
            "LOG_LEVEL": self.log_level,
            "LOGSTATS_INTERVAL": 0,
            "DOWNLOADER_STATS": False,  # downloader/* stats: per-request work nothing reads
            "COOKIES_ENABLED": True,
            # Scrapy's spider middlewares in one pass (govcrawl/fetch/lean.py): Referer,
            # URLLENGTH_LIMIT and start requests; request depth and the meta-copy warning
            # are not tracked (the spider keeps its own depth).
            "SPIDER_MIDDLEWARES": {
                "scrapy.spidermiddlewares.start.StartSpiderMiddleware": None,
                "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
                "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
                "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
                "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
                "govcrawl.fetch.lean.SpiderOutputMiddleware": 700,
            },
            "DOWNLOADER_MIDDLEWARES": {
                "govcrawl.fetch.safety.AddressGuardMiddleware": 40,
                # no HTTP auth anywhere (HTTPAUTH_*, http_user): its check on every request
                "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
                "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
                "govcrawl.fetch.lean.MetaRefreshMiddleware": 580,
                "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
                "govcrawl.fetch.limits.RobotsTxtMiddleware": 100,
                "govcrawl.fetch.limits.RetryAfterMiddleware": 555,
                "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
                "govcrawl.fetch.limits.BoundedCompressionMiddleware": 590,
                "govcrawl.fetch.limits.RedirectLimitMiddleware": 645,
                "govcrawl.fetch.safety.RedirectGuardMiddleware": 650,
                "govcrawl.fetch.walls.WallBackoffMiddleware": 660,
                "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
                "govcrawl.fetch.cookies.HermeticCookiesMiddleware": 700,
            },
            "ITEM_PIPELINES": {
                "govcrawl.pipelines.ExtractPipeline": 300,
                "govcrawl.pipelines.StorePipeline": 800,
            },
            # Scrapy's base extensions without RemoteControl (off: see above) and the
            # memory debugger: naming them in EXTENSIONS, even as None, imports them
            # (aiohttp, 0.1 s at every start).
            "EXTENSIONS_BASE": _extensions_base(),
            "EXTENSIONS": {
                "govcrawl.progress.ProgressReporter": 500,
                "govcrawl.fetch.quiet.QuietNetworkErrors": 0,
                "govcrawl.fetch.browser.BrowserGuard": 0,
            },
            "GOVCRAWL_DB": self.db_url,
            "GOVCRAWL_REGIONS_FILE": self.regions_file,
            "GOVCRAWL_ALLOW_LOOPBACK": self.allow_loopback,
            "GOVCRAWL_EXTRACT_WORKERS": self.extract_workers,
            "GOVCRAWL_MAX_COLUMN_PAGES": self.max_column_pages,
            "GOVCRAWL_MAX_PAGES": self.max_pages,
            "GOVCRAWL_MAX_DEPTH": self.max_depth,
            "GOVCRAWL_MAX_QUERY_VARIANTS": self.max_query_variants,
            "GOVCRAWL_WALL_BACKOFF": self.wall_backoff,
            "GOVCRAWL_MAX_INFLATED_SIZE": self.max_inflated_size,
            "GOVCRAWL_LEAN_REVALIDATE": self.lean_revalidate,
            "GOVCRAWL_MAX_RETRY_AFTER": self.max_retry_after,
            "GOVCRAWL_ROBOTS_MAX_SIZE": self.robots_max_size,
            "GOVCRAWL_PARSE_TIMEOUT": self.parse_timeout,
            "GOVCRAWL_EXTRACT_MEMORY_MB": self.extract_memory_mb,
            "GOVCRAWL_DB_WRITE_RETRIES": self.db_write_retries,
            "GOVCRAWL_TRIGGER": self.trigger,
            "GOVCRAWL_RUN_ID": self.run_id,
        }


def _convert(kind: Any, raw: str) -> Any:
    text = str(kind)
    if "bool" in text:
        return _env_bool(raw)
    if "int" in text:
        return int(raw)
    if "float" in text:
        return float(raw)
    return raw
