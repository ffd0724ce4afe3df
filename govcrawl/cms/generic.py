"""The generic family: columns paginated by ordinary links (下一页, index_N.html),
article body found by the extractor's known containers."""

from __future__ import annotations

from govcrawl.cms.base import GovSpider


class GenericSpider(GovSpider):
    cms = "generic"
    name = "generic"
