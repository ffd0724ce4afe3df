"""邯郸市 (130400): TRS portal behind anti-bot walls (瑞数, 加速乐)."""

from __future__ import annotations

from govcrawl.cms.trs import TRSSpider


class HandanSpider(TRSSpider):
    name = "handan"
