"""扎兰屯市 (150783): TRS WCM portal; its column also carries the towns' reports (成吉思汗镇 ...)."""

from __future__ import annotations

from govcrawl.cms.trs import TRSSpider


class ZhalantunSpider(TRSSpider):
    name = "zhalantun"
