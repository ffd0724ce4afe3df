"""扎兰屯市 (150783): TRS WCM portal; its column also carries its towns' reports."""

from __future__ import annotations

from govcrawl.cms.trs import TRSSpider


class ZhalantunSpider(TRSSpider):
    name = "zhalantun"
