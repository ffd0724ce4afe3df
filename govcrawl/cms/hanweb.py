"""Hanweb / 大汉 JCMS: the CMS of most Zhejiang, Jiangsu and Anhui portals.

* Columns live at ``/col/col{id}/index.html``; the page holds no records. Its
  ``jpage`` script POSTs to ``/module/web/jpage/dataproxy.jsp?startrecord=1&
  endrecord=45&perpage=15`` with form fields (``col``, ``webid``, ``path``,
  ``columnid``, ``unitid`` ...) and gets back XML: ``<datastore><totalrecord>``
  and ``<recordset><record><![CDATA[<li><a href=...>...</a><span>date</span></li>]]>``.
* Articles are ``/art/YYYY/M/D/art_{col}_{id}.html`` with the body in ``#zoom``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import scrapy
from lxml import etree
from parsel import Selector
from scrapy.http import Response

from govcrawl.cms import links
from govcrawl.cms.base import GovSpider
from govcrawl.discovery import parse_date

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
FIELDS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)
RECORDS_PER_REQUEST = 45  # three pages of 15, as the jpage script asks
_ARTICLE_RE = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.s?html?$")
_PROXY_RE = re.compile(r"""['"]([^'"]*dataproxy\.jsp[^'"]*)['"]""")


def dataproxy_params(html: str) -> dict[str, str]:
    """The jpage form fields written in a Hanweb column page's scripts."""
    params: dict[str, str] = {}
    for match in re.finditer(r"dataproxy\.jsp\?([^'\"<>\s]+)", html):
        for key, value in parse_qsl(match.group(1).replace("&amp;", "&")):
            if key in FIELDS:
                params.setdefault(key, value)
    for key in FIELDS:
        if key in params:
            continue
        found = re.search(
            rf"""[{{,\s'"]{key}['"]?\s*[:=]\s*(?:'([^']*)'|"([^"]*)"|([\w./:-]+))""", html
        )
        if found:
            params[key] = next(g for g in found.groups() if g is not None)
    return params if "columnid" in params and "unitid" in params else {}


def read_datastore(body: bytes) -> tuple[int | None, list[str]]:
    """(totalrecord, [record HTML]) of a dataproxy.jsp answer."""
    try:
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
        root = etree.fromstring(body.strip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None, []
    if root is None:
        return None, []
    total_text = root.findtext(".//totalrecord")
    total = int(total_text) if total_text and total_text.strip().isdigit() else None
    return total, [r.text or "" for r in root.iter("record")]


class HanwebSpider(GovSpider):
    cms = "hanweb"
    name = "hanweb"
    content_container = "#zoom"

    def is_article_url(self, url: str) -> bool:
        return bool(_ARTICLE_RE.search(urlsplit(url).path))

    def read_column(self, response: Response) -> Iterator[Any]:
        page = self.readable(response, is_listing=True)
        if isinstance(page, scrapy.http.TextResponse):
            params = dataproxy_params(page.text)
            if params:
                proxy = _PROXY_RE.search(page.text)
                endpoint = urljoin(
                    page.url, proxy.group(1).split("?", 1)[0] if proxy else DATAPROXY
                )
                yield from self.follow_records(page, [], script_records=True)
                request = self.dataproxy_request(endpoint, params, 1)
                if request is not None:
                    yield request
                return
        yield from super().read_column(response)  # a column with its records in the page

    def dataproxy_request(
        self, endpoint: str, params: dict[str, str], start: int
    ) -> scrapy.Request | None:
        end = start + RECORDS_PER_REQUEST - 1
        return self.request(
            f"{endpoint}?startrecord={start}&endrecord={end}&perpage=15",
            self.parse_dataproxy,
            request_cls=scrapy.FormRequest,
            formdata=params,
            cb_kwargs={"endpoint": endpoint, "params": params, "start": start},
            meta={"govcrawl_listing": True},
        )

    def parse_dataproxy(
        self, response: Response, endpoint: str, params: dict[str, str], start: int
    ) -> Iterator[Any]:
        total, records = read_datastore(response.body)
        found: list[tuple[str, str, date | None]] = []
        for record in records:
            row = Selector(text=record)
            for url, text, anchor in links.anchors(response.url, row):
                title = links.clean(anchor.attrib.get("title") or text)
                listed = links.DATE_RE.search(links.clean(" ".join(row.css("::text").getall())))
                found.append((url, title, parse_date(listed.group(0)) if listed else None))
                break
        yield from self.follow_records(response, found)
        following = start + RECORDS_PER_REQUEST
        if records and total is not None and following <= total:
            request = self.dataproxy_request(endpoint, params, following)
            if request is not None:
                yield request
