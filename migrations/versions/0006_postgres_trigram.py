"""PostgreSQL: pg_trgm and the trigram indexes, for archives migrated past 0004
before 0004 created them there

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

Idempotent (``IF NOT EXISTS``): on an archive 0004 already gave them, nothing
happens. SQLite archives are untouched (their search index is 0004's FTS5 table).
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

STATEMENTS = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_document_version_text_trgm "
    "ON document_version USING gin (text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_document_title_trgm ON document USING gin (title gin_trgm_ops)",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in STATEMENTS:
            op.execute(statement)


def downgrade() -> None:
    """Nothing: the indexes belong to 0004 on a PostgreSQL archive."""
