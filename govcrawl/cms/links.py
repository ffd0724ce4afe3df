"""Reading links off portal pages: records of a column, pagers, attachments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote, urljoin, urlsplit

from parsel import Selector

from govcrawl.urls import BadURL, normalise_url

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


def anchors(base_url: str, root: Selector) -> Iterator[tuple[str, str, Selector]]:
    """(absolute URL without fragment, link text, element) of each followable link."""
    for anchor in root.css("a[href]"):
        href = (anchor.attrib.get("href") or "").strip()
        if href and not href.lower().startswith(SKIP_SCHEMES):
            try:
                url = urljoin(base_url, href).split("#", 1)[0]
                urlsplit(url).hostname  # noqa: B018 (raises on a malformed host)
            except ValueError:  # `http://[broken`: a link no browser could follow either
                continue
            text = clean(" ".join(anchor.css("::text").getall()))
            yield url, text, anchor


def row_text(anchor: Selector) -> str:
    """The text of the list row (li, tr, dd) a link stands in."""
    row = anchor.xpath("ancestor::*[self::li or self::tr or self::dd or self::dl][1]")
    if not row:
        return ""
    return clean(" ".join(row[0].css("::text").getall()))[:300]


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
