"""page_state: the last successful fetch of each page, for re-crawls

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21

A re-crawl sends If-None-Match / If-Modified-Since from the last successful fetch of
each page. It used to find them by grouping the region's whole fetch log (one row per
URL and run: it grows with every nightly run) and only for documents, so every page
that is not a report was fetched and classified again each night. ``page_state``
holds one row per URL. Filled here from the fetch log: documents keep their
validators; pages that are not reports get no extractor version, so the next crawl
fetches and classifies them once more before they are asked for conditionally.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BACKFILL = """
INSERT INTO page_state (url_hash, url, region_slug, document_id, outcome, etag,
                        last_modified, extractor_version, fetched_at)
SELECT f.url_hash, f.url, f.region_slug, f.document_id, f.outcome, f.etag,
       f.last_modified, NULL, f.fetched_at
FROM "fetch" f
JOIN (SELECT url_hash, max(id) AS id FROM "fetch"
      WHERE outcome IN ('stored', 'changed', 'unchanged', 'not_report')
        AND region_slug IS NOT NULL
      GROUP BY url_hash) last ON f.id = last.id
"""


def upgrade() -> None:
    op.create_table(
        "page_state",
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("region_slug", sa.String(length=64), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("extractor_version", sa.String(length=16), nullable=True),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.PrimaryKeyConstraint("url_hash"),
    )
    op.create_index("ix_page_state_region_slug", "page_state", ["region_slug"], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_index("ix_page_state_region_slug", table_name="page_state")
    op.drop_table("page_state")
