"""Alembic migrations of the govcrawl archive (run with `govcrawl db upgrade`)."""
