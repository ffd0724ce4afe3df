"""page_state.links: what a report column's page listed, for re-crawls

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21

A re-crawl asks for a column page with the validators of its last fetch. When it
answers 304, or the same body, the records and pager links read from it then are
followed again without parsing it: ``page_state`` keeps a row per column page
(outcome ``listing``) whose ``links`` holds them. Nothing to backfill: the first
re-crawl after this revision reads every column page once more.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("page_state") as batch:
        batch.add_column(sa.Column("links", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM page_state WHERE outcome = 'listing'")
    with op.batch_alter_table("page_state") as batch:
        batch.drop_column("links")
