"""Which links and which pages are 政府信息公开工作年度报告.

``link_is_candidate`` is the cheap test on a report column's link text and
URL: is it worth fetching?  ``is_annual_report`` classifies an extracted page
from its title and text.  Both refuse work plans (工作要点, 工作计划), sample
essays (范文), interpretations (解读) and notices about reports
(``关于做好2022年政府信息公开年度报告编制工作的通知``).
"""

from __future__ import annotations

import re
import unicodedata

# A title that names an annual report.
_REPORT_RE = re.compile(
    r"年度报告|年报|(?:政务|信息|政府信息)公开(?:工作)?(?:情况)?报告|公开工作年度|年度工作报告"
)
# Disclosure context, required for a page to count when its title is all we have.
_DISCLOSURE_RE = re.compile(r"公开|年报")
# Not a report, whatever else the title says.
_NEGATIVE_TITLE_RE = re.compile(
    r"工作要点|工作计划|年度计划|范文|范例|模板|样本|样例|格式|[（(]\d+篇[)）]|\d+篇"
    r"|编制|报送|报备|填报|编写|撰写|提纲"
    r"|解读|图解|答记者问|问答|一图读懂|读懂"
    r"|评估|考核|测评|检查|督查|评议|培训|会议|征求|整改"
    r"|目录|指南|制度|办法|规定|细则|方案"
    r"|(?:的|之)(?:通知|通报|公告|通告|意见|函|批复|决定|请示|报告的通知)\s*$"
    r"|^\s*关于(?:做好|开展|印发|报送|转发|加强|进一步|组织|公布|召开)"
    r"|(?:通知|公告|通告|意见)\s*$"
)
# A truncated link text (``清镇市2013年政府信息公开…``) that may well be a report.
_TRUNCATED_RE = re.compile(r"(?:…|\.\.\.|。。。)\s*$")
_YEAR_RE = re.compile(r"(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4}")
_TRUNCATED_CONTEXT_RE = re.compile(r"(?:政府|政务)?信息公开|政务公开")
# URL paths that columns of annual reports commonly use.
_REPORT_URL_RE = re.compile(r"ndbg|nianbao|xxgknb|zfxxgknb|gknb|/nb/|annual", re.I)
_NON_PAGE_URL_RE = re.compile(r"^\s*(?:javascript:|mailto:|tel:|#)", re.I)

# Content farms and template sites: not government reports.
_FARM_TEXT_RE = re.compile(
    r"范文|小编|精选\d*篇|[（(]\d+篇[)）]|篇一[:：]|样例[一二三四五六七八九十]"
)
_FARM_URL_RE = re.compile(
    r"fanwen|wenku|docin|doc88|360doc|wendangku|diyifanwen|ruiwen|yuwenmi|hrbeduy|gerenjianli",
    re.I,
)
_PLACEHOLDER_RE = re.compile(r"(?:19|20)[xX×Ｘｘ]{2}|[xX×]{2,}\s*年|××")
_PLACEHOLDER_CHAR_RE = re.compile(r"[xX×Ｘｘ]")  # every placeholder has one

# What the body of a report is made of.
_BODY_MARKERS = (
    re.compile(r"主动公开(?:政府信息)?(?:的)?情况"),
    re.compile(r"依申请公开"),
    re.compile(r"收到和处理政府信息公开申请"),
    re.compile(r"行政复议"),
    re.compile(r"行政诉讼"),
    re.compile(r"存在的(?:主要)?问题"),
    re.compile(r"改进(?:情况|措施)"),
    re.compile(r"收费(?:及|和|与)?减免|信息处理费"),
    re.compile(r"政府信息公开条例|政府信息公开"),
    re.compile(r"政府信息管理|平台建设|监督保障"),
)
_OPENING_REPORT_RE = re.compile(
    r"年度报告|年报|公开工作报告|(?:编制|编写|形成|特向社会公布|现予公布|现将)本?(?:年度)?报告"
    r"|本(?:年度)?报告(?:由|根据|是|中)|本年报"
)
_OPENING_CHARS = 600


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s).strip()


def link_is_candidate(title: str, url: str) -> bool:
    """On a report column: is this link possibly an annual report?"""
    if _NON_PAGE_URL_RE.match(url or ""):
        return False
    t = _norm(title or "")
    if not t:
        # Bare links (an icon, a 'more' arrow) only when the URL says so.
        return bool(_REPORT_URL_RE.search(url or ""))
    if _NEGATIVE_TITLE_RE.search(t):
        return False
    if _REPORT_RE.search(t):
        return True
    # A cut-off title: worth a fetch when it names disclosure and a year.
    return bool(_TRUNCATED_RE.search(t) and _YEAR_RE.search(t) and _TRUNCATED_CONTEXT_RE.search(t))


def title_names_report(title: str | None) -> bool:
    """The title says 'annual disclosure report' and is not a notice, plan or essay."""
    if not title:
        return False
    t = _norm(title)
    return bool(
        _REPORT_RE.search(t) and _DISCLOSURE_RE.search(t) and not _NEGATIVE_TITLE_RE.search(t)
    )


def body_markers(text: str) -> int:
    """How many of the usual report sections the text has."""
    return sum(1 for marker in _BODY_MARKERS if marker.search(text))


def looks_like_content_farm(title: str | None, text: str, url: str | None = None) -> bool:
    """A template/essay compilation (范文, 20xx placeholders), not a government page."""
    if url and _FARM_URL_RE.search(url):
        return True
    if title and _FARM_TEXT_RE.search(_norm(title)):
        return True
    head = text[:_OPENING_CHARS]
    if _FARM_TEXT_RE.search(head):
        return True
    if _PLACEHOLDER_CHAR_RE.search(text) is None:
        return False
    return len(_PLACEHOLDER_RE.findall(text)) >= 2


def title_rules_out_report(title: str | None) -> bool:
    """The title alone says the page is no report (a notice, plan, essay...):
    ``is_annual_report`` is False whatever the text."""
    return bool(title and _NEGATIVE_TITLE_RE.search(_norm(title)))


def is_annual_report(title: str | None, text: str, url: str | None = None) -> bool:
    """Is this extracted page an annual information-disclosure report?"""
    if title_rules_out_report(title):
        return False
    if looks_like_content_farm(title, text, url):
        return False
    markers = body_markers(text)
    if title_names_report(title):
        # The report may sit in an attachment: the page itself can be short.
        return markers >= 1 or len(text) < 1000
    opening = _norm(text[:_OPENING_CHARS])
    if _OPENING_REPORT_RE.search(opening) and markers >= 2:
        # The opening names the report, and no title-like line there is a notice or plan.
        title_lines = [
            line for line in opening.splitlines()[:12] if len(line) < 60 and _REPORT_RE.search(line)
        ]
        return not any(_NEGATIVE_TITLE_RE.search(line) for line in title_lines)
    return False
