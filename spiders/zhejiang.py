"""浙江省 (330000): Hanweb/大汉 JCMS portal; records come from dataproxy.jsp."""

from __future__ import annotations

from govcrawl.cms.hanweb import HanwebSpider


class ZhejiangSpider(HanwebSpider):
    name = "zhejiang"
