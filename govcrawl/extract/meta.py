"""Government-site metadata: ``<meta name=...>`` tags, ``<title>``, info block.

China's government website standard has every article page carry
``ArticleTitle``, ``PubDate``, ``ContentSource``, ``SiteName``, ``SiteIDCode``,
``ColumnName`` meta tags; pages also print an info block
(``发布日期：2014-01-30 10:55  发布机构：..  来源：..  点击量：..``) or, on
信息公开 pages, a table of 索引号 / 发布机构 / 文号 / 成文日期.
"""

from __future__ import annotations

import html
import re

from lxml.html import HtmlElement

from govcrawl.extract import xpaths

# meta name (lower-case) -> key in Extraction.meta
META_NAMES = {
    "articletitle": "ArticleTitle",
    "pubdate": "PubDate",
    "firstpubdate": "FirstPubDate",
    "firstpublishedtime": "FirstPubDate",  # gov.cn
    # when the page was (re)generated, not published: ``页面生成时间 2022-04-24 10:00:43``
    "others": "Others",
    "htmlgeneratetime": "HtmlGenerateTime",
    "contentsource": "ContentSource",
    "sitename": "SiteName",
    "sitedomain": "SiteDomain",
    "siteidcode": "SiteIDCode",
    "columnname": "ColumnName",
    "columntype": "ColumnType",
    "columndescription": "ColumnDescription",
    "columnkeywords": "ColumnKeywords",
    "articletype": "ArticleType",
    "keywords": "Keywords",
    "description": "Description",
    "author": "Author",
    "url": "Url",
}
_TAG_RE = re.compile(r"<[^>]*>")
_WS_RE = re.compile(r"\s+")

# Site-name parts of a <title>: ``_ 万载县人民政府``, ``-中国宜春``, ``| 山西省人民政府门户网站``.
_TITLE_SEP = r"\s*(?:_{1,2}|\||｜|-{1,2}|—{1,4}|–|::|·)\s*"
_SITE_PART = (
    r"(?:中国[\u4e00-\u9fff]{1,8}(?:网|政府网|门户网站)?"
    r"|[^_|｜—–]{0,30}?(?:人民政府|人民政府办公室|人民政府办公厅|政府|政府网|政府门户网站|门户网站|网站|官网"
    r"|官方网站|网|欢迎您!?|欢迎你!?|公报|委员会|局|厅|办公室)(?:欢迎您!?)?)"
)
_MIN_TITLE = 4
_TITLE_SUFFIX_RE = re.compile(rf"(?:{_TITLE_SEP}{_SITE_PART})+\s*$")
_TITLE_PREFIX_RE = re.compile(rf"^\s*{_SITE_PART}(?:\s*(?:\||｜|_{{1,2}}|—{{1,4}})\s*)")

# Info block fields.  The value runs to the next blank, bar or label.
_INFO_LABELS: dict[str, tuple[str, ...]] = {
    # 生成日期 (信息公开 tables of the Jiangxi CMS) is when the record was published.
    "发布日期": ("发布日期", "发布时间", "发文日期", "公开日期", "生成日期"),
    "成文日期": ("成文日期", "印发日期"),
    "发布机构": ("发布机构", "发布单位", "发文机关", "发布部门", "所属机构", "公开主体"),
    "来源": ("来源", "信息来源", "文章来源", "稿件来源"),
    "点击量": ("点击量", "点击数", "浏览次数", "阅读次数", "访问量", "浏览量"),
    "索引号": ("索引号", "索取号"),
    "文号": ("文号", "发文字号", "文件编号", "发文号"),
}
_KEY_OF_LABEL = {label: key for key, labels in _INFO_LABELS.items() for label in labels}
# Labels that must be followed by a colon (they are ordinary words otherwise).
_COLON_REQUIRED = frozenset({"来源", "信息来源", "文章来源", "稿件来源"})
_DATE_KEYS = frozenset({"发布日期", "成文日期"})
# Labels may be spaced out (``索 引 号``); one pass finds them all.
_LABEL_RE = re.compile(
    "|".join(r"\s?".join(label) for label in sorted(_KEY_OF_LABEL, key=len, reverse=True))
)
_COLON_RE = re.compile(r"\s*([:：]?)\s*")
_VALUE_RE = re.compile(r"[^\s|｜【】\[\]]{1,40}")
_DATE_VALUE_RE = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_DATE_LOOKBACK = 40
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_BAD_VALUE_RE = re.compile(r"^[:：\-—/|]*$|^[无暂]$")


def read_meta_tags(tree: HtmlElement) -> dict[str, str]:
    """The government-site meta tags, names case-insensitive; first non-empty wins."""
    found: dict[str, str] = {}
    for el in xpaths.META_TAGS(tree):
        name = (el.get("name") or "").strip().lower()
        key = META_NAMES.get(name)
        if key is None or key in found:
            continue
        value = clean_meta_value(el.get("content") or "")
        if value:
            found[key] = value
    return found


def clean_meta_value(value: str) -> str:
    """Unescape, strip HTML markup (ccdi.gov.cn puts ``<p><span>`` into ArticleTitle)."""
    value = html.unescape(value)
    if "<" in value:
        value = _TAG_RE.sub(" ", value)
        value = html.unescape(value)
    return " ".join(value.split())  # _WS_RE.sub(" ", value).strip(): str.split's blanks are \s


def clean_title(title: str | None, site_name: str | None = None) -> str | None:
    """A ``<title>`` without the site name around it."""
    if not title:
        return None
    t = _WS_RE.sub(" ", title).strip()
    if site_name:
        site = re.escape(site_name.strip())
        t = re.sub(rf"{_TITLE_SEP}{site}\s*$", "", t)
        t = re.sub(rf"^\s*{site}\s*(?:{_TITLE_SEP}|\s)\s*", "", t)
    previous = None
    while previous != t:
        previous = t
        for pattern in (_TITLE_SUFFIX_RE, _TITLE_PREFIX_RE):
            stripped = pattern.sub("", t)
            # What is left must be the bigger part: ``万载县人民政府 | 万载县2015年...统计公报``
            # loses its prefix, not the title that happens to end in 公报.
            if len(stripped) >= _MIN_TITLE and len(stripped) * 2 >= len(t) - len(stripped):
                t = stripped
    return t.strip(" _-|—") or None


def read_info_fields(text: str) -> dict[str, str]:
    """发布日期, 发布机构, 来源, 点击量, 索引号, 文号 from a page's visible text (first wins)."""
    found: dict[str, str] = {}
    date_near_source: str | None = None
    for m in _LABEL_RE.finditer(text):
        label = _WS_RE.sub("", m.group(0))
        key = _KEY_OF_LABEL.get(label)
        if key is None or key in found:
            continue
        if m.start() > 0 and _CJK_RE.match(text, m.start() - 1):
            continue  # part of a longer word (资金来源, 网站访问量)
        colon = _COLON_RE.match(text, m.end())
        if colon is None or (label in _COLON_REQUIRED and not colon.group(1)):
            continue
        value_re = _DATE_VALUE_RE if key in _DATE_KEYS else _VALUE_RE
        value_m = value_re.match(text, colon.end())
        if value_m is None:
            continue
        if key == "来源" and date_near_source is None:
            # ``2022-05-07 00:00　来源：...``: an unlabelled date just before 来源.
            near = _DATE_VALUE_RE.search(text, max(0, m.start() - _DATE_LOOKBACK), m.start())
            date_near_source = near.group(0) if near else None
        value = value_m.group(0)
        stop = _LABEL_RE.search(value)
        if stop:
            value = value[: stop.start()]  # ran into the next label (or is one)
        value = value.strip().strip(" :：,，;；")
        if value and not _BAD_VALUE_RE.match(value):
            found[key] = _WS_RE.sub(" ", value)
    if "发布日期" not in found and date_near_source:
        found["发布日期"] = _WS_RE.sub(" ", date_near_source)
    return found
