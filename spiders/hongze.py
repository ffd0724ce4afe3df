"""洪泽区 (320813, 淮安市): the report column links the PDFs directly."""

from __future__ import annotations

from govcrawl.cms.generic import GenericSpider


class HongzeSpider(GenericSpider):
    name = "hongze"
