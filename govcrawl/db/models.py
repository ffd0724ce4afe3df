"""The archive schema (ARCHITECTURE.md, "Schema"): one declaration, used by the
store, the exports and the Alembic migrations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Jurisdiction(Base):
    __tablename__ = "jurisdiction"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(String(12))
    province: Mapped[str] = mapped_column(String(12))
    portal_url: Mapped[str | None] = mapped_column(Text)


class Document(Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(Text)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="html")
    title: Mapped[str | None] = mapped_column(Text)
    report_year: Mapped[int | None] = mapped_column(Integer, index=True)
    published_at: Mapped[date | None] = mapped_column(Date)
    agency: Mapped[str | None] = mapped_column(Text)
    is_annual_report: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    last_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    gone_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The page that linked this attachment (its normalised URL), if any.
    parent_url: Mapped[str | None] = mapped_column(Text)
    #: The legal deadline for publishing this report, and whether it was met
    #: (None: unknown, no publication date or year); see govcrawl/timeliness.py.
    deadline: Mapped[date | None] = mapped_column(Date)
    on_time: Mapped[bool | None] = mapped_column(Boolean, index=True)
    #: A near-copy: the other report this one is (almost) the same text as.
    near_duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    similarity: Mapped[float | None] = mapped_column(Float)

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.id"
    )


class DocumentVersion(Base):
    __tablename__ = "document_version"
    __table_args__ = (Index("ix_document_version_content_hash", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    tables: Mapped[list[Any]] = mapped_column(JSON, default=list)
    raw_ref: Mapped[str | None] = mapped_column(Text)
    extractor_version: Mapped[str] = mapped_column(String(16))
    fetched_at: Mapped[datetime] = mapped_column(DateTime)

    document: Mapped[Document] = relationship(back_populates="versions")


class CrawlRun(Base):
    __tablename__ = "crawl_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger: Mapped[str] = mapped_column(String(16))
    regions: Mapped[list[str]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The process running it (a run whose process died unfinished is resumed).
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String(255))


class Fetch(Base):
    __tablename__ = "fetch"
    __table_args__ = (
        Index("ix_fetch_url_hash", "url_hash"),
        UniqueConstraint("crawl_run_id", "url_hash", name="uq_fetch_run_url"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_run.id"), index=True)
    url_hash: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    region_slug: Mapped[str | None] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    http_status: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    bytes: Mapped[int | None] = mapped_column(Integer)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)


class PageState(Base):
    """The last successful fetch of each page a region's crawls met: the validators a
    re-crawl sends, and what the page was (a document, or a page that is not a report).
    One row per URL, so a re-crawl reads as many rows as the region has pages, however
    many runs the fetch log holds."""

    __tablename__ = "page_state"

    url_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    region_slug: Mapped[str | None] = mapped_column(String(64), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    #: stored, changed, unchanged (a document), not_report, or listing (a column page)
    outcome: Mapped[str] = mapped_column(String(32))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    #: the extractor that classified a page that is not a report (a new one looks again)
    extractor_version: Mapped[str | None] = mapped_column(String(16))
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    #: A column page's records and pager links as read then (``ColumnMemory.as_json``):
    #: replayed, without parsing the page again, while it answers 304 or the same body.
    links: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ReportStat(Base):
    """One cell of a report's statistics tables (govcrawl/stats; keys in the README)."""

    __tablename__ = "report_stat"
    __table_args__ = (
        UniqueConstraint(
            "version_id", "table_key", "row_key", "column_key", name="uq_report_stat_cell"
        ),
        Index("ix_report_stat_key", "table_key", "row_key", "column_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"))
    table_key: Mapped[str] = mapped_column(String(24))
    row_key: Mapped[str] = mapped_column(String(48))
    column_key: Mapped[str] = mapped_column(String(32))
    #: the number (integer; decimal for 万元); NULL when the cell holds none
    value: Mapped[float | None] = mapped_column(Numeric(20, 4, asdecimal=False))
    raw: Mapped[str] = mapped_column(Text)  # the cell as written
    kind: Mapped[str] = mapped_column(String(8))  # number / empty / dash / slash / none / text
    unit: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(8))  # grid / text


class ReportStatSummary(Base):
    """Per document version: what the statistics parser found and whether it adds up."""

    __tablename__ = "report_stat_summary"

    version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    parser_version: Mapped[str] = mapped_column(String(8))
    format: Mapped[str | None] = mapped_column(String(8))  # 2021 / 2019 / old
    cells: Mapped[int] = mapped_column(Integer)
    checks: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    consistent: Mapped[bool | None] = mapped_column(Boolean, index=True)
    failures: Mapped[list[Any]] = mapped_column(JSON, default=list)
    suspects: Mapped[list[str]] = mapped_column(JSON, default=list)
    new_requests: Mapped[int | None] = mapped_column(Integer)
    disclosed: Mapped[int | None] = mapped_column(Integer)
    review_total: Mapped[int | None] = mapped_column(Integer)
    litigation_total: Mapped[int | None] = mapped_column(Integer)
    fees_wan_yuan: Mapped[float | None] = mapped_column(Numeric(20, 4, asdecimal=False))
