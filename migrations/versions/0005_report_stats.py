"""the report's numbers: statistics table cells and their checks

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21

``report_stat``: one row per cell of a version's statistics tables (keys in the
README, govcrawl/stats/keys.py); ``report_stat_summary``: one row per parsed version
(format, headline figures, the arithmetic checks and their failing cells). Plain
tables and indexes, the same on SQLite and PostgreSQL. The tables start empty:
``govcrawl stats --rebuild`` fills them for versions stored before this revision
(from their stored text and tables, no network, no raw records needed); crawls and
``govcrawl reextract`` fill them for every version they store.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_stat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("table_key", sa.String(length=24), nullable=False),
        sa.Column("row_key", sa.String(length=48), nullable=False),
        sa.Column("column_key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["document_version.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "version_id", "table_key", "row_key", "column_key", name="uq_report_stat_cell"
        ),
    )
    op.create_index(
        "ix_report_stat_key", "report_stat", ["table_key", "row_key", "column_key"], unique=False
    )
    op.create_table(
        "report_stat_summary",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("parser_version", sa.String(length=8), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=True),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("consistent", sa.Boolean(), nullable=True),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("suspects", sa.JSON(), nullable=False),
        sa.Column("new_requests", sa.Integer(), nullable=True),
        sa.Column("disclosed", sa.Integer(), nullable=True),
        sa.Column("review_total", sa.Integer(), nullable=True),
        sa.Column("litigation_total", sa.Integer(), nullable=True),
        sa.Column("fees_wan_yuan", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["document_version.id"]),
        sa.PrimaryKeyConstraint("version_id"),
    )
    op.create_index(
        "ix_report_stat_summary_document_id", "report_stat_summary", ["document_id"], unique=False
    )
    op.create_index(
        "ix_report_stat_summary_consistent", "report_stat_summary", ["consistent"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_report_stat_summary_consistent", table_name="report_stat_summary")
    op.drop_index("ix_report_stat_summary_document_id", table_name="report_stat_summary")
    op.drop_table("report_stat_summary")
    op.drop_index("ix_report_stat_key", table_name="report_stat")
    op.drop_table("report_stat")
