"""昆都仑区 (150203, 包头市): TRS WCM portal."""

from __future__ import annotations

from govcrawl.cms.trs import TRSSpider


class KundulunSpider(TRSSpider):
    name = "kundulun"
