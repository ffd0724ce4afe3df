"""The main text: the CMS content container (or the page) through trafilatura.

Tables are parsed here, by our own code (rowspan/colspan expanded), and each
data table is swapped for a placeholder paragraph before trafilatura runs;
the placeholders become ``cell | cell`` lines afterwards.  Layout tables are
turned into plain blocks so trafilatura reads them as paragraphs.
"""

from __future__ import annotations

import re
from copy import copy
from dataclasses import dataclass, field
from functools import lru_cache

import trafilatura
from lxml.html import HtmlElement, document_fromstring
from trafilatura.settings import Extractor

from govcrawl.extract import chrome, dom, listing, xpaths
from govcrawl.extract import tables as tables_mod

_PLACEHOLDER = "GOVCRAWLTABLE{}X"
_PLACEHOLDER_RE = re.compile(r"GOVCRAWLTABLE(\d+)X")
_MIN_CONTAINER_CHARS = 20
# An info table (索引号/发布机构/文号) is chrome, not report data.
_INFO_TABLE_RE = re.compile(r"索引号|索取号|发文字号|主题分类|发布机构|成文日期|生成日期")
_INFO_TABLE_MIN_LABELS = 2
_INFO_TABLE_MAX_CHARS = 600
_SPACES_RE = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
_RETRY_BELOW_CHARS = 200  # a whole-page precision run this short is retried in balanced mode
# trafilatura collapses paragraphs of identical text; a report repeats its section
# headings (二、主动公开情况 in the prose and again above its table).  Repeats get an
# invisible mark to stay apart, taken out again afterwards.
_REPEAT_MARK = "\u2063"
_PARAGRAPHS = ("p", "h1", "h2", "h3", "h4", "h5", "h6")


@dataclass
class MainText:
    """What comes out of the content area."""

    text: str
    tables: list[tables_mod.Table] = field(default_factory=list)
    used_container: bool = False
    #: Each table as written (a merged cell once), which is how the text shows it.
    written: list[tables_mod.Table] = field(default_factory=list)
    #: A listing page (column, search results, front page): the text is its entries.
    listing: bool = False


def container_candidates(tree: HtmlElement, selector: str | None) -> list[HtmlElement]:
    """The elements the spider's container selector, else the first known CMS
    container that is on the page, selects."""
    candidates: list[HtmlElement] = []
    if selector:
        try:
            candidates.extend(xpaths.css(selector)(tree))
        except Exception:  # a bad selector from a registry row must not kill extraction
            candidates = []
    if not candidates:
        for known in xpaths.KNOWN_CONTAINERS:
            found = known(tree)
            if found:
                return list(found)
    return candidates


def find_container(tree: HtmlElement, selector: str | None) -> HtmlElement | None:
    """The spider's container, else a known CMS container, holding some text."""
    candidates = container_candidates(tree, selector)
    best: HtmlElement | None = None
    best_len = _MIN_CONTAINER_CHARS - 1
    for el in candidates:
        n = len(el.text_content().strip())
        if n > best_len:
            best, best_len = el, n
    return best


def _is_info_table(table: HtmlElement) -> bool:
    """The 信息公开 box of this page (索引号 / 发布机构 / 成文日期), not a listing of
    documents with those columns (its rows link to the documents)."""
    text = "".join(table.text_content().split())  # no whitespace (str.split's is \s)
    return (
        len(text) <= _INFO_TABLE_MAX_CHARS
        and len(_INFO_TABLE_RE.findall(text)) >= _INFO_TABLE_MIN_LABELS
        and not _lists_documents(table)
    )


def _lists_documents(table: HtmlElement) -> bool:
    """Do the table's rows link to documents (a column's 名称 | 发布日期 table)?"""
    return any(listing.is_document_link(a) for a in xpaths.LINKS_IN(table))


def prepare_tables(scope: HtmlElement) -> tuple[list[tables_mod.Table], list[tables_mod.Table]]:
    """Parse data tables, put placeholders in their place; unwrap layout tables.
    Returns the grids (merged cells repeated) and the tables as written."""
    found: list[tables_mod.Table] = []
    written: list[tables_mod.Table] = []
    # Outermost first: a layout table is unwrapped, then its inner tables are seen.
    for table in list(xpaths.TABLES(scope)):
        if table.tag != "table" or table.getparent() is None:
            continue  # already unwrapped or removed
        if _is_info_table(table):
            table.drop_tree()
            continue
        parsed = tables_mod.data_table_rows(table)
        if parsed is None:  # a layout table
            _unwrap_layout_table_shallow(table)
            continue
        rows, as_written = parsed
        if not rows or all(chrome.is_chrome_line(" ".join(row)) for row in rows):
            table.drop_tree()
            continue
        placeholder = table.makeelement("p", {})
        placeholder.text = _PLACEHOLDER.format(len(found))
        if _lists_documents(table):
            placeholder.set(listing.LISTS_DOCUMENTS, "1")
        placeholder.tail = table.tail
        parent = table.getparent()
        if parent is not None:
            parent.replace(table, placeholder)
        found.append(rows)
        written.append(as_written)
    return found, written


def _unwrap_layout_table_shallow(table: HtmlElement) -> None:
    """Turn this table's own rows and cells (not nested tables) into divs."""
    own = [table]
    for el in table.iter():
        if el is table:
            continue
        if el.tag == "table":
            continue
        # Only rows and cells that belong to this table, not to a nested one.
        owner = el.getparent()
        while owner is not None and owner.tag != "table" and owner is not table:
            owner = owner.getparent()
        if owner is table and el.tag in ("tbody", "thead", "tfoot", "tr", "td", "th", "caption"):
            own.append(el)
    for el in own:
        el.tag = "div"
        for attr in ("rowspan", "colspan"):
            el.attrib.pop(attr, None)


_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section")


def block_text(el: HtmlElement) -> str:
    """An element's text with a line break after every block (the element is changed)."""
    for block in el.iter(*_BLOCK_TAGS):
        block.tail = "\n" + (block.tail or "")
    return str(el.text_content())


def _wrap(container: HtmlElement) -> HtmlElement:
    """A document holding only the container (trafilatura wants a whole page)."""
    doc = document_fromstring("<html><head></head><body></body></html>", parser=dom.HTML_PARSER)
    container.tail = None
    doc[-1].append(container)
    return doc


@lru_cache(maxsize=4)
def _extractor(precision: bool, recall: bool) -> Extractor:
    """trafilatura's options for a run, but the URL: built once (reading them from
    trafilatura's config file on every call costs more than some pages' extraction)."""
    return Extractor(
        output_format="txt",
        fast=True,
        precision=precision,
        recall=recall,
        comments=False,
        links=False,
        images=False,
        tables=True,
        dedup=False,
        with_metadata=False,
    )


def _run_trafilatura(doc: HtmlElement, precision: bool, recall: bool, url: str) -> str:
    # What trafilatura.extract(doc, url=url or None, include_tables=True,
    # include_comments=False, include_images=False, include_links=False,
    # favor_precision=precision, favor_recall=recall, fast=True, deduplicate=False,
    # with_metadata=False, output_format="txt") does, with the options built once.
    options = copy(_extractor(precision, recall))
    options.url = url or None
    options.source = url.encode("utf-8", "replace").decode("utf-8") if url else None
    text = trafilatura.extract(doc, options=options)
    return text or ""


def _mark_repeats(scope: HtmlElement) -> None:
    """Make repeated paragraphs distinct for trafilatura (see ``_REPEAT_MARK``)."""
    seen: dict[str, int] = {}
    for el in scope.iter(*_PARAGRAPHS):
        text = "".join(el.text_content().split())  # no blanks: str.split's are \s
        if not text:
            continue
        count = seen.get(text, 0)
        seen[text] = count + 1
        if count:
            el.append(el.makeelement("span", {}))
            el[-1].text = _REPEAT_MARK * count


def tidy(text: str) -> str:
    """One paragraph a line, blanks trimmed, no runs of empty lines."""
    text = text.replace(_REPEAT_MARK, "")
    # _SPACES_RE has no line break: the whole text at once, as line by line.
    lines = [line.strip() for line in _SPACES_RE.sub(" ", text).split("\n")]
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip()


def extract_main_text(
    tree: HtmlElement, container: str | None, url: str, may_be_listing: bool = True
) -> MainText:
    """The main text of a parsed page (the tree is consumed).  ``may_be_listing``:
    the page may be a column or front page (it has no ``ArticleTitle``)."""
    scope = find_container(tree, container)
    used_container = scope is not None
    if scope is None:
        body = xpaths.BODY(tree)
        scope = body[0] if body else tree
    found, written = prepare_tables(scope)
    if used_container:
        _mark_repeats(scope)
    doc = _wrap(scope) if used_container else tree
    # In the container everything is content: favour recall.  On a whole page
    # favour precision (menus, link lists), and retry balanced if that finds little.
    raw = _run_trafilatura(doc, not used_container, used_container, url)
    if not used_container and len(raw) < _RETRY_BELOW_CHARS:
        raw = max(raw, _run_trafilatura(doc, False, False, url), key=len)
    if used_container and len(raw) < _MIN_CONTAINER_CHARS:
        # trafilatura found nothing it liked in the container: take its text as it is.
        raw = block_text(scope)
    is_listing = False
    if (
        may_be_listing
        and not used_container
        and raw
        and listing.is_listing(raw, listing.link_texts(scope))
    ):
        # A column, search result or front page: its entries, not trafilatura's pick.
        entries = listing.listing_lines(scope, _PLACEHOLDER_RE)
        if entries:
            raw = "\n".join(entries)
            is_listing = True
    return MainText(
        text=tidy(raw), tables=found, used_container=used_container, written=written,
        listing=is_listing,
    )  # fmt: skip


def fill_tables(text: str, found: list[tables_mod.Table]) -> str:
    """Placeholders replaced by the tables as ``cell | cell`` lines."""

    def render(m: re.Match[str]) -> str:
        index = int(m.group(1))
        return tables_mod.render_table(found[index]) if index < len(found) else ""

    return _PLACEHOLDER_RE.sub(render, text)


def used_table_indices(text: str) -> list[int]:
    """Which tables' placeholders survived extraction, in order."""
    return [int(m.group(1)) for m in _PLACEHOLDER_RE.finditer(text)]
