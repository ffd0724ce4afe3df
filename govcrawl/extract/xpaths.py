"""Every XPath and CSS expression the extractor uses, compiled once."""

from __future__ import annotations

from functools import lru_cache

from lxml.cssselect import CSSSelector
from lxml.etree import XPath

META_TAGS = XPath("//meta[@name or @http-equiv or @property]")
TITLE = XPath("//title")
BODY = XPath("//body")
# The text nodes of an element, in document order: ``el.itertext()``, without a Python
# call per node.
TEXTS = XPath(".//text()", smart_strings=False)
# Headings that may hold the article title, in document order: h1, h2, and the div,
# p, td, span or h3 elements whose class says title, Title, bt or tit, or whose id says
# title.  Read from the class and id attributes themselves (a page has far fewer of
# them than elements), the sets joined in document order.
HEADINGS = XPath(
    "//h1 | //h2"
    " | //@class[contains(., 'title') or contains(., 'Title') or contains(., 'bt')"
    " or contains(., 'tit')]/parent::*[self::div or self::p or self::td or self::span or self::h3]"
    " | //@id[contains(., 'title')]/parent::*[self::div or self::p or self::td or self::span"
    " or self::h3]"
)
# Links to the site's front page: a breadcrumb starts with one.
HOME_LINKS = XPath(
    "//body//a[normalize-space(.)='首页' or normalize-space(.)='网站首页'"
    " or normalize-space(.)='主页']"
)
LINKS_IN = XPath(".//a")
LIST_ITEMS = XPath(".//li | .//dd")
# Placeholders of tables whose rows link to documents (see maintext.prepare_tables).
LISTING_TABLES = XPath(".//p[@data-govcrawl-lists]")
# Elements never part of the text.
UNWANTED_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
    "select",  # a link directory in a drop-down (国家部委网站链接), a form widget: never text
)  # fmt: skip

TABLES = XPath(".//table")
NESTED_TABLE = XPath(".//table")
# Rows of table $t, not of a table nested in it (a <thead> misplaced inside <tbody> included).
ROWS = XPath(".//tr[count(ancestor::table[1] | $t) = 1]")
CELLS = XPath("./td | ./th")
BLOCKS_IN_CELL = XPath(".//p | .//div | .//br")

# CMS content containers, most specific first (TRS, Hanweb/大汉, 开普 UCAP, generic).
KNOWN_CONTAINERS: tuple[CSSSelector, ...] = tuple(
    CSSSelector(s)
    for s in (
        "div.TRS_Editor",
        "div.TRS_UEDITOR",
        "div.Custom_UnionStyle",
        "#UCAP-CONTENT",
        "#zoom",
        "#Zoom",
        "#fontzoom",
        "#detailContent",
        ".pages_content",
        ".article-content",
        ".content_article",
        ".art_con",
        ".main-txt",
        ".xxgk_content",
        ".zwgk_content",
        "#js_content",
        "#ContentRegion",
        "#ArticleContent",
        ".article_content",
        ".detail-content",
        ".news_content",
        "#content_text",
    )
)


@lru_cache(maxsize=256)
def css(selector: str) -> CSSSelector:
    """A spider-supplied CSS selector, compiled once per process."""
    return CSSSelector(selector)
