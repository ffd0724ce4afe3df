"""Scrapy settings module (``scrapy.cfg``), for ``scrapy crawl SLUG``.

Built from the same typed config as ``govcrawl crawl``; set GOVCRAWL_DB,
GOVCRAWL_ALLOW_LOOPBACK, GOVCRAWL_REGIONS_FILE ... in the environment.
"""

from __future__ import annotations

from govcrawl.config import Config

globals().update(Config.from_env().scrapy_settings())
