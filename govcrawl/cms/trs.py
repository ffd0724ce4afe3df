"""TRS WCM (拓尔思): the most common CMS of Chinese government portals.

* Column pages are ``index.html``, ``index_1.html``, ``index_2.html`` ...; the
  pager is not links but a script call ``createPageHTML(total, current,
  "index", "html")`` (sometimes with an element id first, or variables).
* Articles live at ``./YYYYMM/tYYYYMMDD_N.html`` under the column.
* The body is ``div.TRS_Editor``; pages carry the government-site ``<meta>`` tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from scrapy.http import TextResponse

from govcrawl.cms.base import GovSpider

_ARTICLE_RE = re.compile(r"/\d{6}/t\d{8}_\d+\.s?html?$")
_ARG = r"""\s*(?:(\d+)|([A-Za-z_$][\w$]*))\s*"""
_PAGER_RE = re.compile(
    r"""createPageHTML\(\s*(?:['"][^'"]*['"]\s*,)?"""
    + _ARG
    + ","
    + _ARG
    + r""",\s*['"]([\w-]+)['"]\s*,\s*['"](\w+)['"]"""
)
_VAR_RE = r"""(?:var|let|const)?\s*{name}\s*=\s*['"]?(\d+)"""


def _value(number: str | None, name: str | None, script: str) -> int | None:
    if number:
        return int(number)
    if name:
        match = re.search(_VAR_RE.format(name=re.escape(name)), script)
        if match:
            return int(match.group(1))
    return None


def trs_page_urls(page_url: str, script: str, limit: int = 200) -> list[str]:
    """Column page URLs named by a ``createPageHTML(...)`` call in `script`."""
    match = _PAGER_RE.search(script)
    if not match:
        return []
    total = _value(match.group(1), match.group(2), script)
    prefix, ext = match.group(5), match.group(6)
    if not total or total < 2:
        return []
    first = urljoin(page_url, f"{prefix}.{ext}")
    pages = [urljoin(page_url, f"{prefix}_{i}.{ext}") for i in range(1, min(total, limit))]
    return [first, *pages]


class TRSSpider(GovSpider):
    cms = "trs"
    name = "trs"
    content_container = "div.TRS_Editor"

    def is_article_url(self, url: str) -> bool:
        return bool(_ARTICLE_RE.search(urlsplit(url).path))

    def pagination_urls(self, response: TextResponse) -> Iterable[str]:
        script = "\n".join(response.xpath("//script/text()").getall())
        yield from trs_page_urls(response.url, script, self.max_column_pages)
        yield from super().pagination_urls(response)
