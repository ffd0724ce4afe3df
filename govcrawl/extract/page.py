"""``extract_page``: one fetched page in, clean text, tables and metadata out.

The HTML is decoded once and parsed once; metadata is read from the tree
first, then the content container (or the page) goes through trafilatura.
Pure CPU work, no I/O: the crawl runs it in a process pool.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement, document_fromstring

from govcrawl.discovery.classify import is_annual_report, title_rules_out_report
from govcrawl.discovery.years import report_year
from govcrawl.extract import chrome, dom, fields, flags, maintext, xpaths
from govcrawl.extract.attachments import extract_attachment
from govcrawl.extract.decode import decode_body
from govcrawl.extract.meta import read_info_fields, read_meta_tags
from govcrawl.extract.model import TEXT_NOT_EXTRACTED, Extraction, PageInput
from govcrawl.urls import BadURL

_PARSER = dom.HTML_PARSER  # no comments, no PIs, no ID index; HtmlElements looked up in C
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>", re.I)
# Server-side template code left in a saved page (JSP/ASP ``<%-- --%>``, ``<%@ page %>``).
_TEMPLATE_CODE_RE = re.compile(r"<%--.{0,20000}?--%>|<%[@=!]?.{0,2000}?%>", re.S)


def content_hash(text: str) -> str:
    """sha256 hex of the text with all whitespace removed."""
    # Blanks are what str.split() splits at: \s, the same characters as re's.
    return hashlib.sha256("".join(text.split()).encode("utf-8")).hexdigest()


def parse_html(html: str) -> HtmlElement | None:
    """The lxml tree of a page, or None if there is nothing to parse."""
    html = _XML_DECL_RE.sub("", html, count=1)
    if "<%" in html:
        html = _TEMPLATE_CODE_RE.sub("", html)
    if not html.strip():
        return None
    try:
        tree = document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    if not isinstance(tree, HtmlElement):
        return None
    _merge_extra_roots(tree)
    return tree


def _merge_extra_roots(root: HtmlElement) -> None:
    """Pages with a second ``<html>`` get two root elements: fold them into the first."""
    extra = list(root.itersiblings())
    if not extra:
        return
    head = next((child for child in root if child.tag == "head"), None)
    body = next((child for child in root if child.tag == "body"), None)
    if body is None:
        body = root.makeelement("body", {})
        root.append(body)
    for sibling in extra:
        for child in list(sibling):
            if child.tag == "head" and head is not None:
                head.extend(list(child))
            elif child.tag == "body":
                body.extend(list(child))
            else:
                body.append(child)


def _rejected(page: PageInput, reason: str, encoding: str, title: str | None = None) -> Extraction:
    return Extraction(
        url=page.url,
        title=title,
        text="",
        encoding=encoding,
        reject=reason,
        flags=[flags.NEAR_EMPTY] if reason == flags.REJECT_NEAR_EMPTY else [],
        content_hash=content_hash(""),
    )


def _visible_text(tree: HtmlElement) -> str:
    """The page's text, script and style removed (the tree loses them)."""
    etree.strip_elements(tree, *xpaths.UNWANTED_TAGS, with_tail=False)
    body = xpaths.BODY(tree)
    root = body[0] if body else tree
    return "\n".join(xpaths.TEXTS(root))  # root.itertext()


def _without_text(
    page: PageInput,
    title: str | None,
    meta: dict[str, str],
    info: dict[str, str],
    visible: str,
    encoding: str,
) -> Extraction | None:
    """The extraction of a page whose title says it is no report, its text left out,
    if the text is not needed: the page links no attachment (the archive tells an
    attachment's wrapper page by its text), it cannot be a soft 404 (the error
    page's check reads the text), and its metadata give its date and agency (else
    they come from the signature at the end of the text).  None: extract it all."""
    if page.has_attachments or not title_rules_out_report(title):
        return None
    if flags.may_be_soft404(title, visible, page.status):
        return None
    dated, published = fields.date_without_text(meta, info, page.listing_date, page.url)
    agency = fields.agency_without_text(meta, info)
    if not dated or agency is None:
        return None
    page_meta = dict(meta)
    page_meta.update(info)
    return Extraction(
        url=page.url,
        title=title,
        text="",
        published_at=published,
        agency=agency,
        is_annual_report=False,
        content_hash=content_hash(""),
        meta=page_meta,
        encoding=encoding,
        kind="html",
        reason=TEXT_NOT_EXTRACTED,
    )


def extract_page(page: PageInput, *, skip_non_report_text: bool = False) -> Extraction:
    """Extract one page.  Never raises on bad input: a broken page is a rejected page
    (only a URL too malformed to have a host, which no fetched page has: BadURL).

    ``skip_non_report_text`` (the crawl's workers): a page that the title alone rules
    out as a report (``classify.title_rules_out_report``), that links no attachment
    and cannot be a soft 404 is not extracted further than its title, date, agency and
    metadata; its ``reason`` says ``TEXT_NOT_EXTRACTED`` (the archive keeps no text
    of a page that is no report)."""
    try:
        urlsplit(page.url).hostname  # noqa: B018 (raises on a malformed host)
    except ValueError as exc:
        raise BadURL(f"malformed URL: {page.url!r}") from exc
    attachment = extract_attachment(page)  # PDF, Word, Excel: not HTML
    if attachment is not None:
        return attachment
    html, encoding = decode_body(page.body, page.content_type)
    tree = parse_html(html)
    if tree is None:
        reason = flags.REJECT_CHALLENGE if flags.is_challenge(html, "", page.status) else None
        return _rejected(page, reason or flags.REJECT_NEAR_EMPTY, encoding)

    meta = read_meta_tags(tree)
    dom.drop_hidden(tree, lambda: maintext.container_candidates(tree, page.container))
    title_el = xpaths.TITLE(tree)
    html_title = fields.normalise_space(title_el[0].text_content()) if title_el else None
    visible = _visible_text(tree)
    if flags.is_challenge(html, visible, page.status):
        return _rejected(page, flags.REJECT_CHALLENGE, encoding)

    info = read_info_fields(visible)
    # The breadcrumb names a page with no title of its own (首页 > 搜索结果).
    crumb = None if "ArticleTitle" in meta else fields.breadcrumb_last(tree)
    heading = fields.page_heading(
        tree, html_title, meta.get("SiteName"), meta.get("ArticleTitle"), crumb
    )
    title = fields.choose_title(meta, heading, html_title, page.listing_title, page.url)
    if skip_non_report_text:
        skipped = _without_text(page, title, meta, info, visible, encoding)
        if skipped is not None:
            return skipped

    main = maintext.extract_main_text(
        tree, page.container, page.url, may_be_listing="ArticleTitle" not in meta
    )
    text = chrome.strip_title(chrome.strip_chrome(main.text, info.get("来源")), title)
    kept = maintext.used_table_indices(text)
    tables = [main.tables[i] for i in kept if i < len(main.tables)]
    text = maintext.tidy(maintext.fill_tables(text, main.written))

    if flags.is_soft404(title, text, page.status):
        return _rejected(page, flags.REJECT_SOFT404, encoding, title)
    if not text:
        # An empty page still says what it is and when it was published.
        empty = _rejected(page, flags.REJECT_NEAR_EMPTY, encoding, title)
        empty.published_at = fields.choose_date(
            meta, info, page.listing_date, fields.Signature(None, None), page.url
        )
        return empty

    signature = fields.find_signature(text)
    published = fields.choose_date(meta, info, page.listing_date, signature, page.url)
    agency = fields.choose_agency(meta, info, signature, title)
    page_meta = dict(meta)
    page_meta.update(info)

    # A listing (a column of reports included) is never a report itself.
    is_report = not main.listing and is_annual_report(title, text, page.url)
    page_flags = flags.quality_flags(text, title)
    if main.listing and flags.NEAR_EMPTY in page_flags:
        # A listing's length is its number of entries, not a sign of a broken page.
        page_flags.remove(flags.NEAR_EMPTY)
    return Extraction(
        url=page.url,
        title=title,
        text=text,
        tables=tables,
        published_at=published,
        report_year=report_year(title, text, published) if is_report else None,
        agency=agency,
        is_annual_report=is_report,
        flags=page_flags,
        content_hash=content_hash(text),
        meta=page_meta,
        encoding=encoding,
        kind="html",
    )
