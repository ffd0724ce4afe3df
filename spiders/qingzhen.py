"""清镇市 (520181, 贵阳市): column paginated by 下一页 links."""

from __future__ import annotations

from govcrawl.cms.generic import GenericSpider


class QingzhenSpider(GenericSpider):
    name = "qingzhen"
