"""What a crawl's process imports before its first request (every run pays for it, a
nightly re-crawl most: its whole CPU is a few seconds)."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import inspect, json, sys, warnings
real_stack = inspect.stack
import govcrawl.cli, govcrawl.runner
from govcrawl.fetch.browser import LazyPlaywrightDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from scrapy.core.downloader.contextfactory import ScrapyClientContextFactory
    class Legacy(ScrapyClientContextFactory):
        pass
heavy = ("aiohttp", "dateparser", "trafilatura", "numpy", "playwright", "pypdf", "docx")
print(json.dumps({
    "stack_restored": inspect.stack is real_stack,
    "handler_is_scrapys": issubclass(LazyPlaywrightDownloadHandler, HTTP11DownloadHandler),
    "alias_warns": [str(w.message) for w in caught],
    "heavy": [name for name in heavy if name in sys.modules],
}))
"""


def test_the_crawler_starts_without_heavy_imports_and_scrapy_tls_as_scrapy_has_it() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    probe = json.loads(out.strip().splitlines()[-1])
    # Scrapy's TLS module was imported without walking the stack's source, and the
    # real inspect.stack is back; its deprecated alias still warns like Scrapy's own.
    assert probe["stack_restored"] is True
    assert probe["handler_is_scrapys"] is True
    assert probe["alias_warns"] == [
        "scrapy.core.downloader.contextfactory.ScrapyClientContextFactory is deprecated. "
        "(warning only on first subclass, there may be others)"
    ]
    # the extractors, the browser and the date parser load where they are used
    assert probe["heavy"] == []
