"""宜春市 (360900): its report column is an empty shell filled by script (rendered in Chromium)."""

from __future__ import annotations

from govcrawl.cms.generic import GenericSpider


class YichunSpider(GenericSpider):
    name = "yichun"
