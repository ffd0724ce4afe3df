"""Reading links off portal pages: records of a column, pagers, attachments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree
from parsel import Selector

from govcrawl.urls import BadURL, normalise_url

#: The version of how records and pager links are read off column pages: a column page
#: remembered by another version is read afresh (raise it when what is read changes).
READER_VERSION = 1
DATE_RE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")
NEXT_TEXTS = frozenset({"下一页", "下页", "后一页", "next", ">", "»", "›"})
PAGER_TEXTS = frozenset({"上一页", "首页", "尾页", "末页"})
PAGE_LINK_RE = re.compile(r"(^|/)(index|list|default)[_-]\d+\.(s?html?|jsp|php)$", re.I)
SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")
#: File types reports are published as (besides HTML pages).
ATTACHMENT_KINDS = {
    ".pdf": "pdf",
    ".doc": "doc",
    ".docx": "docx",
    ".xls": "xls",
    ".xlsx": "xlsx",
    ".wps": "doc",
    ".et": "xls",
}
_ATTACHMENT_RE = re.compile(r"\.(pdf|docx?|xlsx?|wps|et)$", re.I)


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


#: The text nodes under an element (parsel's ``::text``), and a link's list row, compiled once
#: and run on the lxml element: a parsel query per link makes a Selector per node it finds.
_TEXT = etree.XPath("descendant-or-self::text()", smart_strings=False)
_ROW = etree.XPath("ancestor::*[self::li or self::tr or self::dd or self::dl][1]")
#: The links last read: (root element, base URL, links). A column page is read for its
#: records and again for its pager; the second read is this list.
_last: tuple[Any, str, list[tuple[str, str, Anchor]]] | None = None
_LINKS = etree.XPath("descendant-or-self::a[@href]")


class Anchor:
    """A link element (what parsel's ``Selector`` of it offered: ``root``, ``attrib``),
    without a Selector made for each of a page's links."""

    __slots__ = ("root",)

    def __init__(self, root: Any) -> None:
        self.root = root

    @property
    def attrib(self) -> Any:
        return self.root.attrib


def anchors(base_url: str, root: Selector) -> Iterator[tuple[str, str, Anchor]]:
    """(absolute URL without fragment, link text, element) of each followable link."""
    global _last
    element = root.root
    if _last is not None and _last[0] is element and _last[1] == base_url:
        return iter(_last[2])
    found = list(_read_anchors(base_url, root))
    _last = (element, base_url, found)
    return iter(found)


def _read_anchors(base_url: str, root: Selector) -> Iterator[tuple[str, str, Anchor]]:
    element = root.root
    if isinstance(element, str) or not hasattr(element, "xpath"):
        return  # a selector of text, not of an element: no links
    for link in _LINKS(element):
        anchor = Anchor(link)
        href = (link.get("href") or "").strip()
        if href and not href.lower().startswith(SKIP_SCHEMES):
            try:
                url = urljoin(base_url, href).split("#", 1)[0]
                urlsplit(url).hostname  # noqa: B018 (raises on a malformed host)
            except ValueError:  # `http://[broken`: a link no browser could follow either
                continue
            yield url, clean(" ".join(_TEXT(anchor.root))), anchor


def row_text(anchor: Anchor | Selector) -> str:
    """The text of the list row (li, tr, dd) a link stands in."""
    row = _ROW(anchor.root)
    if not row:
        return ""
    return clean(" ".join(_TEXT(row[0])))[:300]


def is_directory(url: str) -> bool:
    """A link to a directory or its index page is a column, not an article."""
    try:
        return normalise_url(url).split("?", 1)[0].endswith("/")
    except BadURL:
        return False


def attachment_kind(url: str) -> str | None:
    """pdf/doc/docx/xls/xlsx when the URL names such a file."""
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return None
    match = _ATTACHMENT_RE.search(path)
    return ATTACHMENT_KINDS["." + match.group(1).lower()] if match else None


def file_title(url: str, text: str) -> str:
    """A title for an attachment link: its text, else its file name, without extension."""
    title = clean(text) or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return _ATTACHMENT_RE.sub("", title).strip() or title
