"""万载县 (360922, 宜春市): an old GBK site laid out in tables (UCAP container)."""

from __future__ import annotations

from govcrawl.cms.generic import GenericSpider


class WanzaiSpider(GenericSpider):
    name = "wanzai"
