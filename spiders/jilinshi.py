"""吉林市 (220200): no report column configured; found via sitemap and 信息公开 landing page."""

from __future__ import annotations

from govcrawl.cms.generic import GenericSpider


class JilinshiSpider(GenericSpider):
    name = "jilinshi"
