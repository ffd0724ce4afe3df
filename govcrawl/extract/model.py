"""What goes into and comes out of the extractor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: ``Extraction.reason`` of a page whose text the crawl did not extract: its title says
#: it is no annual report (``extract_page(..., skip_non_report_text=True)``).
TEXT_NOT_EXTRACTED = "text_not_extracted"

EXTRACTOR_VERSION = "3"  # 3: hidden branches, visible dates, headings, listing pages
#: An attachment that could not be read (Extraction.reject), and why a DOCX/XLSX was
#: refused: the crawler reads them off results without importing the readers.
REJECT_UNREADABLE = "unreadable"
ZIP_BOMB = "zip bomb"


@dataclass(frozen=True)
class PageInput:
    """A fetched page, as the crawler hands it to the extractor."""

    url: str
    body: bytes
    content_type: str | None = None  # the HTTP Content-Type header, if any
    container: str | None = None  # CSS selector of the CMS content container, if known
    listing_title: str | None = None  # the link text on the column page
    listing_date: date | None = None  # the date printed beside the link on the column page
    jurisdiction_name: str | None = None  # name of the region whose column listed the page
    status: int | None = None  # the HTTP status, if known (412/521 walls are challenges)
    has_attachments: bool = False  # the page links report files (附件) the crawl follows


@dataclass
class Extraction:
    """Clean text and metadata of one page."""

    url: str
    title: str | None
    text: str
    tables: list[list[list[str]]] = field(default_factory=list)
    published_at: date | None = None
    report_year: int | None = None
    agency: str | None = None
    is_annual_report: bool = False
    flags: list[str] = field(default_factory=list)  # spam_injection, placeholder_text, ...
    content_hash: str = ""  # sha256 of the whitespace-normalised text
    # government-site <meta> tags (ArticleTitle, PubDate, ContentSource, SiteName, SiteIDCode,
    # ColumnName, Keywords, Description ...) and the info block (发布日期, 发布机构, 来源, 点击量,
    # 索引号, 文号)
    meta: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"
    kind: str = "html"
    reject: str | None = None  # why this is not content at all (challenge, soft404, near_empty)
    # a short word on a reject (why an attachment is unreadable), or TEXT_NOT_EXTRACTED
    reason: str | None = None
