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
from dataclasses import dataclass
from datetime import date

from lxml.html import HtmlElement

from govcrawl.discovery.years import parse_date
from govcrawl.extract import xpaths
from govcrawl.extract.chrome import is_chrome_line
from govcrawl.extract.meta import clean_title

_WS_RE = re.compile(r"\s+")
_HEADING_MIN, _HEADING_MAX = 4, 150
_MAX_HEADINGS = 40
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
    return _WS_RE.sub(" ", s).strip()


def page_heading(tree: HtmlElement, html_title: str | None, site_name: str | None) -> str | None:
    """The article heading: an h1 or title-class element the ``<title>`` agrees with."""
    first_h1: str | None = None
    wanted = normalise_space(html_title or "").replace(" ", "")
    for count, el in enumerate(xpaths.HEADINGS(tree)):
        if count >= _MAX_HEADINGS:
            break
        text = normalise_space(el.text_content())
        if not (_HEADING_MIN <= len(text) <= _HEADING_MAX):
            continue
        if (site_name and text == site_name) or _SITE_LIKE_RE.search(text):
            continue
        if wanted and text.replace(" ", "") in wanted:
            return text
        if first_h1 is None and el.tag == "h1":
            first_h1 = text
    return first_h1


def choose_title(
    meta: dict[str, str],
    heading: str | None,
    html_title: str | None,
    listing_title: str | None,
) -> str | None:
    article_title = meta.get("ArticleTitle")
    if article_title:
        return article_title
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


def choose_date(
    meta: dict[str, str],
    info: dict[str, str],
    listing_date: date | None,
    signature: Signature,
    url: str,
) -> date | None:
    for raw in (meta.get("PubDate"), meta.get("FirstPubDate"), info.get("发布日期")):
        if raw:
            found = parse_date(raw)
            if found:
                return found
    if listing_date:
        return listing_date
    if signature.signed:
        return signature.signed
    return date_in_url(url)


def is_agency_name(value: str | None) -> bool:
    """A plausible issuing body, not a website name or a CMS account."""
    if not value:
        return False
    v = value.strip()
    return 2 <= len(v) <= 40 and not _NOT_AGENCY_RE.search(v) and not is_chrome_line(v)


def find_signature(text: str) -> Signature:
    """The issuing body and date at the end of a report, if it is signed."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    tail = lines[-_SIGNATURE_SCAN:]
    for i in range(len(tail) - 1, -1, -1):
        line = tail[i]
        if len(line) > 40:
            continue
        signed = parse_date(line, fallback=False)
        if signed is None:
            continue
        # ``扎兰屯市成吉思汗镇人民政府 2022年1月27日`` on one line, or the body above the date.
        before_date = re.split(r"\s*(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年", line)[0].strip()
        if before_date and _ORG_RE.match(before_date):
            return Signature(before_date, signed)
        if i > 0 and _ORG_RE.match(tail[i - 1]):
            return Signature(tail[i - 1], signed)
        return Signature(None, signed)
    return Signature(None, None)


def choose_agency(
    meta: dict[str, str], info: dict[str, str], signature: Signature, title: str | None
) -> str | None:
    for candidate in (meta.get("ContentSource"), info.get("发布机构"), info.get("来源")):
        if is_agency_name(candidate):
            return candidate
    if signature.agency:
        return signature.agency
    if title:
        m = _TITLE_ORG_RE.match(title)
        if m and _ORG_RE.match(m.group(1)) and is_agency_name(m.group(1)):
            return m.group(1)
    return None
