"""Listing pages: a column page, a search result page, a portal's front page.

Their content is a list of entries, each a link to a document with its date
(``邯郸市人民政府关于岳芝国等同志任职的通知 2020-07-29``), sometimes a summary.
trafilatura is made for articles: on such a page it returns the navigation or
a few of the lists with ``- `` markers.  A page is a listing when what
trafilatura kept is mostly link text; its text is then the entries, one a
line, in page order, with the listing tables (名称 | 索引号 | 发布机构 | 发布日期).

An entry is the largest element around a title-like link that holds no other
link (the ``<li>`` with its date span), or a dated list item whose title opens
by a script.  Entries come in groups (their parent: a ``<ul>``, a carousel); a
group is a list of documents when most of its links go to documents (a gov CMS
puts the month or an id in a document's URL) and most entries carry a date or
the link texts are headline-long.  A menu, a link directory, a service tile or
a column index (政府信息公开指南, 领导分工) is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from govcrawl.extract import xpaths
from govcrawl.extract.chrome import is_chrome_line
from govcrawl.extract.dom import text_with_breaks

#: Attribute marking the placeholder of a table whose rows link to documents.
LISTS_DOCUMENTS = "data-govcrawl-lists"
_WS_RE = re.compile(r"\s+")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
# A listing date: 2023-10-11, 2023/10/11, 2023年10月11日, or without the year 10-11,
# 10月11日 (not 1/2 of a pager), with a time perhaps.
_DATE_RE = re.compile(
    r"(?<!\d)(?:(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?"
    r"|\d{1,2}\s*-\s*\d{1,2}|\d{1,2}\s*月\s*\d{1,2}\s*日)(?!\d)"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
# A link to a document, not to a column or a service: gov CMSs put the month or a
# numeric/hex id in a document's URL (/202310/34e1d4….shtml, t20200731_1351817.html,
# /art/2016/11/22/art_1_2.html, ?docId=1170162).
_DOC_URL_RE = re.compile(
    r"(?:19|20)\d{2}(?:[-_/]?(?:0[1-9]|1[0-2]))(?:[-_/]?\d{2})?[/_]"
    r"|/[^/?#]*\d{5,}[^/?#]*\.\w{2,5}(?:$|[?#])|/[0-9a-f]{16,}\.\w{2,5}(?:$|[?#])"
    r"|[?&](?:id|docid|articleid|infoid|newsid|contentid)=\w+",
    re.I,
)
_ITEM_TAGS = frozenset({"li", "dd", "dt", "tr"})
_MORE_RE = re.compile(r"^(?:更多|查看更多|more|详细|详情|进入|点击)", re.I)
_MIN_LINK_CHARS = 6  # shorter link texts are menu items
_MAX_ENTRY_CHARS = 400  # an entry is a headline, its date and a short summary
_HEADLINE_CHARS = 12  # mean link length of a group of undated headlines
_MAJORITY = 0.5
_LINK_DENSITY = 0.6  # share of trafilatura's text that must be link text for a listing
_MIN_ENTRIES = 3
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "tr", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6",
     "section", "ul", "ol", "table"}
)  # fmt: skip
_ENTRY_BLOCKS = _BLOCK_TAGS | {"a"}  # an entry also breaks after its link


def _squash(s: str) -> str:
    return _WS_RE.sub("", s)


def _text(el: HtmlElement) -> str:
    return _WS_RE.sub(" ", el.text_content()).strip()


def _is_title_link(text: str) -> bool:
    return len(text) >= _MIN_LINK_CHARS and bool(_CJK_RE.search(text)) and not _MORE_RE.match(text)


def is_document_link(link: HtmlElement) -> bool:
    """A link to a document: a headline-like text and a document URL."""
    return _is_title_link(_text(link)) and bool(_DOC_URL_RE.search(link.get("href") or ""))


def link_texts(scope: HtmlElement) -> set[str]:
    """The squashed texts of the links in a scope, and the placeholders of its tables
    that list documents."""
    texts = {t for t in (_squash(a.text_content()) for a in xpaths.LINKS_IN(scope)) if t}
    texts.update(_squash(p.text or "") for p in xpaths.LISTING_TABLES(scope))
    return texts


def link_density(text: str, links: set[str]) -> tuple[float, int]:
    """The share of a text's characters (chrome lines left out) on lines that are
    link texts (a date beside allowed), and how many such lines there are.  A table
    listing documents counts as links (``links`` holds its placeholder)."""
    total = linked = lines = 0
    for line in text.split("\n"):
        squashed = _squash(line.removeprefix("- "))
        if not squashed or is_chrome_line(line):
            continue
        total += len(squashed)
        bare = _squash(_DATE_RE.sub("", line.removeprefix("- ")))
        if squashed in links or bare in links:
            linked += len(squashed)
            lines += 1
    return (linked / total if total else 0.0), lines


def _entry_text(el: HtmlElement) -> str:
    """An entry on one line: its text with a blank at every block boundary and
    after the link (``标题 2023-01-01``)."""
    return _WS_RE.sub(" ", text_with_breaks(el, _ENTRY_BLOCKS, " ")).strip()


@dataclass
class _Entry:
    element: HtmlElement
    text: str
    link_chars: int
    dated: bool
    document: bool  # the link goes to a document


def _entry_of(link: HtmlElement, title_links: set[HtmlElement]) -> HtmlElement:
    """The largest ancestor of a title link holding no other link (nor more than an
    entry's text); a list item (``<li>``, ``<tr>``) is as far as it goes."""
    entry = link
    parent = link.getparent()
    while entry.tag not in _ITEM_TAGS and parent is not None and parent.tag not in ("body", "html"):
        if len(_squash(parent.text_content())) > _MAX_ENTRY_CHARS:
            break
        others = [a for a in xpaths.LINKS_IN(parent) if a is not link and _squash(a.text_content())]
        # a list item may hold small links beside its headline (附件, 解读); nothing else may
        if others and (parent.tag not in _ITEM_TAGS or any(a in title_links for a in others)):
            break
        entry = parent
        parent = parent.getparent()
    return entry


def listing_lines(scope: HtmlElement, placeholder: re.Pattern[str]) -> list[str]:
    """The entries of a listing page (and its table placeholders), one a line, in order."""
    links = [a for a in xpaths.LINKS_IN(scope) if _is_title_link(_text(a))]
    title_links = set(links)
    entries: dict[HtmlElement, _Entry] = {}
    for link in links:
        element = _entry_of(link, title_links)
        if element in entries:
            continue
        text = _entry_text(element)
        rest = text.replace(_text(link), "", 1)
        entries[element] = _Entry(
            element, text, len(_text(link)), bool(_DATE_RE.search(rest)),
            bool(_DOC_URL_RE.search(link.get("href") or "")),
        )  # fmt: skip
    # A dated list item with no link: its title opens the document by a script
    # (``<p onclick>``).
    for item in xpaths.LIST_ITEMS(scope):
        if item in entries or xpaths.LINKS_IN(item):
            continue
        text = _entry_text(item)
        title = _DATE_RE.sub("", text).strip()
        if (
            _MIN_LINK_CHARS <= len(title) <= _MAX_ENTRY_CHARS
            and _CJK_RE.search(title)
            and _DATE_RE.search(text)
        ):
            entries[item] = _Entry(item, text, len(title), True, True)
    groups: dict[HtmlElement | None, list[_Entry]] = {}
    for entry in entries.values():
        groups.setdefault(entry.element.getparent(), []).append(entry)
    kept: set[HtmlElement] = set()
    for members in groups.values():
        n = len(members)
        dated = sum(e.dated for e in members) / n
        documents = sum(e.document for e in members) / n
        mean = sum(e.link_chars for e in members) / n
        if documents >= _MAJORITY and (dated >= _MAJORITY or mean >= _HEADLINE_CHARS):
            kept.update(e.element for e in members)
    lines: list[str] = []
    for el in scope.iter():
        if el in kept:
            lines.append(entries[el].text)
        elif el.get(LISTS_DOCUMENTS) and el.text and placeholder.fullmatch(el.text.strip()):
            lines.append(el.text.strip())  # a table listing documents
    return lines


def is_listing(text: str, links: set[str]) -> bool:
    """What trafilatura kept is mostly link text, on several lines (an article whose
    body is one attachment link is not a listing)."""
    density, lines = link_density(text, links)
    return density >= _LINK_DENSITY and lines >= _MIN_ENTRIES
