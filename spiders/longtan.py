"""龙潭区 (220203, 吉林市): generic portal; carries its towns' reports (乌拉街满族镇)."""

from __future__ import annotations

from govcrawl.cms.generic import GenericSpider


class LongtanSpider(GenericSpider):
    name = "longtan"
