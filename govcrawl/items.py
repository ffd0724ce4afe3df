"""The items spiders yield: one record schema, shared by pipelines and store.

Spider callbacks are pure: a response in, these items (or requests) out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from govcrawl.extract.model import Extraction

if TYPE_CHECKING:
    from govcrawl.stats.record import StatRows


@dataclass
class FetchedPage:
    """A document page the crawler fetched successfully (HTTP 2xx)."""

    region_slug: str
    url: str  # the normalised URL the document is known by
    final_url: str  # where redirects ended
    status: int
    body: bytes
    fetched_at: datetime
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    elapsed_ms: int | None = None
    container: str | None = None
    listing_title: str | None = None
    listing_date: date | None = None
    kind: str = "html"  # html / pdf / doc / docx / xls / xlsx
    headers: list[tuple[str, str]] = field(default_factory=list)  # as received (raw archive)
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    method: str = "GET"
    attachments: list[str] = field(default_factory=list)  # report files it links (附件)
    parent_url: str | None = None  # the page that linked this attachment
    extraction: Extraction | None = None  # filled in by the extraction pipeline
    stats: StatRows | None = None  # an annual report's statistics, parsed with it
    extract_error: str | None = None
    #: the fetch outcome when extraction failed: timeout / too_large / corrupt_file /
    #: decompression_bomb (None: extract_error)
    extract_outcome: str | None = None


@dataclass
class FetchFailed:
    """A fetch that produced no content: HTTP error, timeout, refused, blocked."""

    region_slug: str
    url: str
    outcome: str  # http_error / timeout / dns_error / connection_error / blocked / robots /
    # too_large / decompression_bomb / redirect_loop / truncated / retry_after / budget_exhausted
    error: str
    fetched_at: datetime
    status: int | None = None
    elapsed_ms: int | None = None
    is_listing: bool = False


@dataclass
class ListingVisited:
    """A report-column page: what it listed and what the spider did with the links."""

    region_slug: str
    url: str
    status: int
    fetched_at: datetime
    article_links: int = 0
    followed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count
    bytes: int = 0
    elapsed_ms: int | None = None
    script_records: bool = False  # the records come from a script endpoint (Hanweb)
    #: what to remember of the page for the next run (a column page read afresh)
    remember: ColumnMemory | None = None


@dataclass
class ColumnMemory:
    """What a column page listed when it was last read: the records and pager links a
    re-crawl follows again, without parsing the page, while it answers 304 (to the
    validators kept here) or a body of the same digest at the same URL."""

    url: str  # where the page was read (links are resolved against it)
    digest: str  # SHA-256 of the body
    records: list[tuple[str, str, date | None]]  # (URL, title, date listed)
    pages: list[str]  # the column's other pages it links
    etag: str | None = None
    last_modified: str | None = None
    #: the link reader and region settings that read it (another version reads afresh)
    version: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "digest": self.digest,
            "records": [[u, t, d.isoformat() if d else None] for u, t, d in self.records],
            "pages": list(self.pages),
        }

    @classmethod
    def from_json(
        cls, data: object, etag: str | None, last_modified: str | None, version: str
    ) -> ColumnMemory | None:
        """None when the stored value is not one (written by hand, or damaged)."""
        try:
            records = [
                (str(u), str(t), date.fromisoformat(d) if d else None)
                for u, t, d in data["records"]  # type: ignore[index]
            ]
            pages = [str(u) for u in data["pages"]]  # type: ignore[index]
            return cls(
                str(data["url"]),  # type: ignore[index]
                str(data["digest"]),  # type: ignore[index]
                records,
                pages,
                etag,
                last_modified,
                version,
            )
        except (KeyError, TypeError, ValueError):
            return None


CrawlItem = FetchedPage | FetchFailed | ListingVisited
