"""One line per expected failure in the crawl log.

A dead portal is an everyday event for a crawler of ten thousand sites; Scrapy's
robots.txt middleware logs it with a full traceback. This extension keeps the
message and drops the traceback for such network errors (the failure itself is
recorded in the archive's ``fetch`` table)."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler

NOISY_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper")
#: Loggers with a DEBUG line per response or item ("Crawled (200) ...", "Scraped from ...").
PER_RESPONSE_LOGGERS = ("scrapy.core.engine", "scrapy.core.scraper")
_NETWORK_ERRORS = (
    "ConnectionRefusedError",
    "TimeoutError",
    "DNSLookupError",
    "TCPTimedOutError",
    "ConnectError",
    "ResponseNeverReceived",
    "ConnectionLost",
    "DownloadConnectionRefusedError",
    "CannotResolveHostError",
    "DownloadTimeoutError",
    "DownloadFailedError",
    "ResponseDataLossError",
)


class _DropNetworkTracebacks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            names = {cls.__name__ for cls in record.exc_info[0].__mro__}
            cause = record.exc_info[1].__cause__ if record.exc_info[1] else None
            if cause is not None:
                names |= {cls.__name__ for cls in type(cause).__mro__}
            if names & set(_NETWORK_ERRORS):
                record.exc_info = None
                record.exc_text = None
        return True


class QuietNetworkErrors:
    """Also sets the per-response loggers to the crawl's ``LOG_LEVEL``: Scrapy's handler
    drops their DEBUG lines anyway, but only after a log record was made for each."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QuietNetworkErrors:
        for name in NOISY_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(f, _DropNetworkTracebacks) for f in logger.filters):
                logger.addFilter(_DropNetworkTracebacks())
        raw = crawler.settings.get("LOG_LEVEL", "DEBUG")
        level = raw if isinstance(raw, int) else logging.getLevelName(str(raw).upper())
        if isinstance(level, int):
            for name in PER_RESPONSE_LOGGERS:
                logging.getLogger(name).setLevel(level)
        return cls()
