"""Choosing a page's title, publication date and agency among what it offers.

- title: ``ArticleTitle`` meta, else the page's heading (``<h1>`` or a
  title-class element that the ``<title>`` agrees with), else ``<title>``
  without its site suffix, else the link text on the column page.
- date: ``PubDate`` meta, else the info block's 发布日期, else the date beside
  the link on the column page, else the date under the report's signature,
  else a date in the URL (``t20190918_693227``, ``/art/2016/11/22/``).
- agency: ``ContentSource`` meta, else the info block's 发布机构 or 来源, else
  the signature line at the end of the report (``扎兰屯市成吉思汗镇人民政府``
  above ``2022年1月27日``), else the issuing body named at the head of the title.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from govcrawl.discovery.years import parse_date
from govcrawl.extract import xpaths
from govcrawl.extract.chrome import is_chrome_line
from govcrawl.extract.dom import text_with_breaks
from govcrawl.extract.meta import clean_title

_WS_RE = re.compile(r"\s+")
_HEADING_MIN, _HEADING_MAX = 4, 150
_MAX_HEADINGS = 400
_SITE_LIKE_RE = re.compile(r"(?:网站|门户网|政府网|官网|欢迎您|首页)$|^中国[\u4e00-\u9fff]{1,4}$")
_ORG_RE = re.compile(
    r"^[\u4e00-\u9fff（）()·]{2,40}?"
    r"(?:人民政府|人民政府办公室|人民政府办公厅|政府办公室|政府|办公室|办公厅|委员会|委|局|厅|署|院|中心"
    r"|镇|乡|苏木|街道办事处|街道|办事处|管委会|管理委员会|分局|支队|大队|所|站|公司|集团|学校|医院)$"
)
# Values that name a website or a CMS user account, not an issuing body.
_NOT_AGENCY_RE = re.compile(
    r"管理员|admin|网站|政府网|本站|本网|原创|未知|佚名|编辑|[网]$|^无$|公众号|日报|晚报|新闻|记者"
)
_TITLE_ORG_RE = re.compile(
    r"^\s*([\u4e00-\u9fff（）()]{2,40}?)\s*(?:关于|\d{4}\s*年|[〇○零一二三四五六七八九]{4}年)"
)
_SIGNATURE_SCAN = 8
_DATE = (
    r"(?:(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"|[〇○零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月\s*[一二三四五六七八九十]{1,3}\s*日)"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
# A signature's date at the end of its line (bracketed, or followed by 印发/发布); group 1
# is what comes before it.
_SIGNATURE_DATE_RE = re.compile(
    rf"^(.*?)[(（\[【]?\s*{_DATE}\s*[)）\]】]?\s*(?:印发|发布|制定|编制|修订)?\s*[。.]?$"
)
_BARE_DATE_RE = re.compile(rf"^[(（\[【]?\s*(?:发布)?(?:日期|时间)?[:：]?\s*{_DATE}\s*[)）\]】]?$")
_TRAILING_DATE_RE = re.compile(rf"\s*[(（\[【]\s*{_DATE}\s*[)）\]】]\s*$|\s+{_DATE}\s*$")
# A byline line under a heading: 本刊记者 侯逸宁 黄月, 记者：张三, 文/李四, 来源：...
_BYLINE_RE = re.compile(
    r"^(?:本刊|本报|本网|新华社|人民网)?(?:特约|首席)?(?:记者|通讯员|评论员|撰稿人?|作者|编辑|文|图|来源|摄影?)"
    r"\s*(?:[:：/|｜]|\s)"
)
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "tr"}
)
_DOC_NUMBER_RE = re.compile(
    r"[(（\[【]?[\u4e00-\u9fff]{0,12}[〔\[(（【]\s*(?:19|20)\d{2}\s*[〕\])）】]\s*\d+\s*号[)）\]】]?"
)
_FRONT_PAGE_WORD_RE = re.compile(
    r"^\s*(?:网站)?首页\s*(?:_{1,2}|\||｜|-{1,2}|—{1,4}|::|·)?|(?:_{1,2}|\||｜|-{1,2}|—{1,4}|::|·)?\s*(?:网站)?首页\s*$"
)
_CRUMB_SPLIT_RE = re.compile(r"\s*(?:->|>|＞|»|›|→|/)\s*")
_MAX_CRUMB_LINKS = 5
_HOME_PATH_RE = re.compile(r"^/*(?:(?:index|default|home|main)\.(?:s?html?|jsp|aspx?|php))?$", re.I)
_URL_DATE_RES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})-?(\d{2})/?(\d{2})/"),
)


@dataclass(frozen=True)
class Signature:
    """The issuing body and date at the foot of a report."""

    agency: str | None
    signed: date | None


def normalise_space(s: str) -> str:
    return " ".join(s.split())  # _WS_RE.sub(" ", s).strip(): str.split's blanks are \s


def _lines_of(el: HtmlElement) -> list[str]:
    """An element's text, one line per block (``<p>``, ``<div>``, ``<br>``)."""
    text = text_with_breaks(el, _BLOCK_TAGS, "\n")
    return [normalise_space(line) for line in text.split("\n") if line.strip()]


def heading_text(el: HtmlElement) -> str:
    """A heading's title: without the byline line (``本刊记者 侯逸宁 黄月``) or the date
    (``<small>( 2024-05-11)</small>``) that some templates print inside it."""
    lines = _lines_of(el)
    kept = [line for line in lines[1:] if not (_BYLINE_RE.match(line) or _BARE_DATE_RE.match(line))]
    title = " ".join(lines[:1] + kept)
    return _TRAILING_DATE_RE.sub("", title).strip()


def _squash(s: str | None) -> str:
    return "".join((s or "").split())  # _WS_RE.sub("", s or "")


def page_heading(
    tree: HtmlElement,
    html_title: str | None,
    site_name: str | None,
    article_title: str | None = None,
    crumb: str | None = None,
) -> str | None:
    """The article heading: a heading the ``<title>`` agrees with, else one the
    ``ArticleTitle`` meta agrees with, else the first h1, else a heading that is the
    breadcrumb's last item (``首页 > 搜索结果``)."""
    first_h1: str | None = None
    by_meta: str | None = None
    by_meta_link: str | None = None  # a link to a page (a list entry), not a heading
    by_crumb: str | None = None
    wanted = _squash(html_title)
    article = _squash(article_title)
    last_crumb = _squash(crumb)
    for count, el in enumerate(xpaths.HEADINGS(tree)):
        if count >= _MAX_HEADINGS:
            break
        if len(el.text_content()) > _HEADING_MAX * 3:
            continue  # a container whose class happens to say "title"
        text = heading_text(el)
        if not (_HEADING_MIN <= len(text) <= _HEADING_MAX):
            continue
        if (site_name and text == site_name) or _SITE_LIKE_RE.search(text):
            continue
        squashed = _squash(text)
        if wanted and squashed in wanted:
            return text
        if article and squashed in article and len(squashed) * 2 >= len(article):
            if _is_link(el):
                by_meta_link = by_meta_link or text
            elif by_meta is None:
                by_meta = text
        if by_crumb is None and last_crumb and squashed == last_crumb:
            by_crumb = text
        if first_h1 is None and el.tag == "h1":
            first_h1 = text
    return by_meta or by_meta_link or first_h1 or by_crumb


def _is_link(el: HtmlElement) -> bool:
    """Is the element a link, or all of its text a link's?"""
    if el.tag == "a" or any(a.tag == "a" for a in el.iterancestors()):
        return True
    links = xpaths.LINKS_IN(el)
    return bool(links) and sum(len(a.text_content().strip()) for a in links) >= len(
        el.text_content().strip()
    )


def breadcrumb_last(tree: HtmlElement) -> str | None:
    """The last item of the breadcrumb (``首页 > 搜索结果``): the page's own name."""
    for count, link in enumerate(xpaths.HOME_LINKS(tree)):
        if count >= _MAX_CRUMB_LINKS:
            break
        holder = link.getparent()
        for _ in range(2):
            if holder is None:
                break
            parts = [p for p in _CRUMB_SPLIT_RE.split(normalise_space(holder.text_content())) if p]
            if len(parts) >= 2 and parts[0].endswith(("首页", "主页")) and len(parts[-1]) <= 40:
                return parts[-1]
            holder = holder.getparent()
    return None


def is_home_url(url: str | None) -> bool:
    """A site's front page (``http://www.yichun.gov.cn/``, ``/index.html``)."""
    if not url:
        return False
    return _HOME_PATH_RE.match(urlsplit(url).path or "/") is not None


def _without_doc_number(article_title: str, heading: str) -> bool:
    """The ``ArticleTitle`` is the heading plus a document number (``(金罚决字〔2024〕36号)``)."""
    a, h = _squash(article_title), _squash(heading)
    return a != h and a.startswith(h) and _DOC_NUMBER_RE.fullmatch(a[len(h) :]) is not None


def choose_title(
    meta: dict[str, str],
    heading: str | None,
    html_title: str | None,
    listing_title: str | None,
    url: str | None = None,
) -> str | None:
    article_title = meta.get("ArticleTitle")
    if article_title:
        if heading and _without_doc_number(article_title, heading):
            return heading  # the page shows no document number in its heading
        return article_title
    if is_home_url(url) and not (heading and _squash(heading) in _squash(html_title)):
        # A portal's front page: its headings are block headings (近期信息公开); its
        # title is the site's name (``首页 | 中国宜春``: 中国宜春).
        front = _FRONT_PAGE_WORD_RE.sub("", normalise_space(html_title or "")).strip()
        front = clean_title(front, meta.get("SiteName")) or front
        if front:
            return front
    if heading:
        return heading
    cleaned = clean_title(html_title, meta.get("SiteName"))
    if cleaned:
        return cleaned
    return normalise_space(listing_title) if listing_title else None


def date_in_url(url: str) -> date | None:
    for pattern in _URL_DATE_RES:
        m = pattern.search(url)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def _generated_at(meta: dict[str, str]) -> date | None:
    """When the page was (re)generated (``<meta name="others" content="页面生成时间 ...">``)."""
    for key in ("Others", "HtmlGenerateTime"):
        raw = meta.get(key)
        if raw:
            found = parse_date(raw, fallback=False)
            if found:
                return found
    return None


def choose_date(
    meta: dict[str, str],
    info: dict[str, str],
    listing_date: date | None,
    signature: Signature,
    url: str,
) -> date | None:
    """The publication date.  The page's visible info block (发布日期 / 发布时间 /
    发文日期 / 生成日期) first: ``PubDate`` is often when the page was regenerated.
    A ``PubDate`` equal to the page-generation time gives way to an earlier date
    beside the link on the column page or in the URL."""
    decided, found = date_without_text(meta, info, listing_date, url)
    if decided:
        return found
    if signature.signed:
        return signature.signed
    return date_in_url(url)


def date_without_text(
    meta: dict[str, str], info: dict[str, str], listing_date: date | None, url: str
) -> tuple[bool, date | None]:
    """(True, the date ``choose_date`` picks) when the page's metadata or the column
    decide it; (False, None) when it comes down to the text's signature."""
    visible = parse_date(info.get("发布日期", ""))
    if visible:
        return True, visible
    first = parse_date(meta.get("FirstPubDate", ""))
    if first:
        return True, first
    pub = parse_date(meta.get("PubDate", ""))
    if pub:
        if pub == _generated_at(meta):
            for earlier in (listing_date, date_in_url(url)):
                if earlier and earlier < pub:
                    return True, earlier
        return True, pub
    if listing_date:
        return True, listing_date
    return False, None


def is_agency_name(value: str | None) -> bool:
    """A plausible issuing body, not a website name or a CMS account."""
    if not value:
        return False
    v = value.strip()
    return 2 <= len(v) <= 40 and not _NOT_AGENCY_RE.search(v) and not is_chrome_line(v)


def find_signature(text: str) -> Signature:
    """The issuing body and date at the end of a report, if it is signed.

    The date ends its line, alone or after the body's name (``扎兰屯市成吉思汗镇人民政府
    2022年1月27日``): a listing's ``标题 2024-12-31 07:00`` line is not a signature."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    tail = lines[-_SIGNATURE_SCAN:]
    for i in range(len(tail) - 1, -1, -1):
        line = tail[i]
        if len(line) > 40:
            continue
        signed = parse_date(line, fallback=False)
        if signed is None:
            continue
        m = _SIGNATURE_DATE_RE.search(unicodedata.normalize("NFKC", line))
        if m is None:
            continue  # a date inside a sentence or a list entry
        before_date = m.group(1).strip()
        if before_date and _ORG_RE.match(before_date):
            return Signature(before_date, signed)
        if before_date:
            continue
        if i > 0 and _ORG_RE.match(tail[i - 1]):
            return Signature(tail[i - 1], signed)
        return Signature(None, signed)
    return Signature(None, None)


def agency_without_text(meta: dict[str, str], info: dict[str, str]) -> str | None:
    """The agency ``choose_agency`` picks when the page's metadata names it (None: it
    comes down to the text's signature, or the title)."""
    for candidate in (meta.get("ContentSource"), info.get("发布机构"), info.get("来源")):
        if is_agency_name(candidate):
            return candidate
    return None


def choose_agency(
    meta: dict[str, str], info: dict[str, str], signature: Signature, title: str | None
) -> str | None:
    named = agency_without_text(meta, info)
    if named is not None:
        return named
    if signature.agency:
        return signature.agency
    if title:
        m = _TITLE_ORG_RE.match(title)
        if m and _ORG_RE.match(m.group(1)) and is_agency_name(m.group(1)):
            return m.group(1)
    return None
