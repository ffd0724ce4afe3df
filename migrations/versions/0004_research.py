"""research fields: timeliness, near-copies, and Chinese full-text search

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21

SQLite: an FTS5 table with the trigram tokenizer over each document's title and
current text (the default tokenizer indexes a run of Chinese characters as one
token and finds nothing), rowid = document.id, rebuilt here from the archive
and kept in step by the store. PostgreSQL: the pg_trgm extension and GIN trigram
indexes on the versions' text and the documents' titles (they serve ILIKE
'%term%' for terms of three characters or more; nothing to keep in step).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from govcrawl.timeliness import deadline, is_department_report, on_time

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("on_time", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("near_duplicate_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("similarity", sa.Float(), nullable=True))
        batch_op.create_index("ix_document_on_time", ["on_time"], unique=False)
        batch_op.create_foreign_key(
            "fk_document_near_duplicate_of", "document", ["near_duplicate_of"], ["id"]
        )
    bind = op.get_bind()
    document = sa.table(
        "document",
        sa.column("id", sa.Integer),
        sa.column("title", sa.Text),
        sa.column("report_year", sa.Integer),
        sa.column("published_at", sa.Date),
        sa.column("deadline", sa.Date),
        sa.column("on_time", sa.Boolean),
    )
    rows = bind.execute(
        sa.select(document.c.id, document.c.title, document.c.report_year, document.c.published_at)
    ).all()
    for doc_id, title, year, published in rows:
        due = deadline(year, is_department_report(title))
        bind.execute(
            document.update()
            .where(document.c.id == doc_id)
            .values(deadline=due, on_time=on_time(published, due))
        )
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE document_fts USING fts5(title, text, tokenize='trigram')"
        )
        op.execute(
            "INSERT INTO document_fts (rowid, title, text) "
            "SELECT d.id, coalesce(d.title, ''), v.text FROM document d "
            "JOIN document_version v ON v.id = "
            "(SELECT max(id) FROM document_version WHERE document_id = d.id)"
        )
    elif bind.dialect.name == "postgresql":
        create_trigram_indexes()


def create_trigram_indexes() -> None:
    """pg_trgm (a trusted extension: the database owner may create it) and the indexes
    `govcrawl search` uses on PostgreSQL; idempotent (0006 calls it again)."""
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_document_version_text_trgm "
        "ON document_version USING gin (text gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_document_title_trgm "
        "ON document USING gin (title gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS document_fts")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_document_title_trgm")
        op.execute("DROP INDEX IF EXISTS ix_document_version_text_trgm")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint("fk_document_near_duplicate_of", type_="foreignkey")
        batch_op.drop_index("ix_document_on_time")
        batch_op.drop_column("similarity")
        batch_op.drop_column("near_duplicate_of")
        batch_op.drop_column("on_time")
        batch_op.drop_column("deadline")
