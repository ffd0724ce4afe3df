"""CMS-family base spiders; a region on a known CMS needs no spider module."""

from __future__ import annotations

from govcrawl.cms.base import GovSpider
from govcrawl.cms.generic import GenericSpider
from govcrawl.cms.hanweb import HanwebSpider
from govcrawl.cms.trs import TRSSpider

FAMILIES: dict[str, type[GovSpider]] = {
    "generic": GenericSpider,
    "trs": TRSSpider,
    "hanweb": HanwebSpider,
}

__all__ = ["FAMILIES", "GenericSpider", "GovSpider", "HanwebSpider", "TRSSpider"]
