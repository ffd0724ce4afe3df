"""Tree clean-up before anything reads the page: elements a reader never sees.

A rendered page (Selenium ``page_source`` of an Angular or Vue site) keeps
every branch the framework hid: ``class="ng-hide"``, the ``hidden``
attribute, inline ``display:none`` / ``visibility:hidden``.  Those branches
are duplicate views, empty red-header boxes and dropdown menus, never the
text.  One exception: tab panes.  A row of sibling panes of the same tag and
class, one shown and the others ``display:none`` until their tab is clicked,
is static content (a portal's 市政府文件 / 市政府令 tabs), so those stay.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Container

from lxml.etree import ElementDefaultClassLookup, XPath
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
)

#: The parser of every page (and of the page trafilatura is given).  Its elements are
#: all ``HtmlElement``, told in C: lxml.html's own lookup is a Python call for every
#: element the code touches, only to give form, input, select, textarea and label
#: elements classes of their own (a form API no part of the extraction uses).
HTML_PARSER = HTMLParser(collect_ids=False, remove_comments=True, remove_pis=True)
HTML_PARSER.set_element_class_lookup(
    ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)

# Cheap candidates (the styles are checked again in Python): the elements under <body>
# with a hidden attribute, an ng-hide class or a style that says none or hidden.  Read
# from the style and class attributes themselves (a page has far fewer of them than
# elements), the three sets joined in document order.
HIDDEN = XPath(
    "//body//*/@style[contains(., 'none') or contains(., 'hidden') or contains(., 'NONE')"
    " or contains(., 'HIDDEN')]/.."
    " | //body//*[@hidden]"
    " | //body//*/@class[contains(., 'ng-hide')]/.."
)

_STYLE_HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# A hidden branch holding this share of the page's text is the page itself
# (shown by a script once it has loaded): it stays.
_MAX_HIDDEN_SHARE = 0.5
_TEXTLESS = ("input", "img", "canvas", "br", "hr", "video", "audio", "source", "meta", "link")


def _hard_hidden(el: HtmlElement) -> bool:
    """Hidden by the framework or the ``hidden`` attribute, not by a style alone."""
    return el.get("hidden") is not None or "ng-hide" in (el.get("class") or "").split()


def _style_hidden(el: HtmlElement) -> bool:
    return bool(_STYLE_HIDDEN_RE.search(el.get("style") or ""))


def _is_tab_pane(el: HtmlElement) -> bool:
    """A display:none pane beside a shown pane of the same tag and class."""
    cls = (el.get("class") or "").strip()
    if not cls:
        return False
    parent = el.getparent()
    if parent is None:
        return False
    for sibling in parent:
        if sibling is el or sibling.tag != el.tag:
            continue
        if (sibling.get("class") or "").strip() == cls and not (
            _style_hidden(sibling) or _hard_hidden(sibling)
        ):
            return True
    return False


def drop_hidden(
    tree: HtmlElement, containers: Callable[[], list[HtmlElement]] | None = None
) -> None:
    """Remove the elements a reader never sees (the tree is changed).  A hidden
    element holding every content container (``containers()``, asked only when
    needed) is the page's content shown by a script: it stays."""
    hidden = [
        el
        for el in HIDDEN(tree)
        if isinstance(el, HtmlElement) and (_hard_hidden(el) or _style_hidden(el))
    ]
    if not hidden:
        return
    total: int | None = None
    holders: list[set[HtmlElement]] | None = None
    for el in hidden:
        if el.tag in _TEXTLESS or el.getparent() is None:
            continue
        if not _hard_hidden(el) and _is_tab_pane(el):
            continue
        size = len(el.text_content().strip())
        if size == 0:
            _drop(el)
            continue
        if total is None:
            body = tree.find("body")
            total = len((body if body is not None else tree).text_content().strip()) or 1
        if size > total * _MAX_HIDDEN_SHARE:
            continue
        if holders is None:
            found = containers() if containers is not None else []
            holders = [{c, *c.iterancestors()} for c in found]
        if holders and all(el in h for h in holders):
            continue
        _drop(el)


def _drop(el: HtmlElement) -> None:
    """Remove an element but keep its tail text (it belongs to the parent)."""
    with contextlib.suppress(AssertionError, TypeError):  # already gone with an ancestor
        el.drop_tree()


def text_with_breaks(el: HtmlElement, blocks: Container[object], separator: str) -> str:
    """An element's text with `separator` around every element whose tag is in `blocks`
    (so block boundaries are not glued together the way ``text_content()`` glues them)."""
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        block = node.tag in blocks
        if block:
            parts.append(separator)
        if isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append(separator)

    walk(el)
    return "".join(parts)
