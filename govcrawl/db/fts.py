"""The full-text index (SQLite FTS5, trigram tokenizer) kept in step with each
document's current text; PostgreSQL archives search with pg_trgm instead."""

from __future__ import annotations

from sqlalchemy.orm import Session


def index_document(
    session: Session, document_id: int, title: str | None, body: str, *, new: bool = False
) -> None:
    """(Re)index a document's title and current text, in the caller's transaction
    (`new`: a document inserted in this transaction, not indexed yet)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    connection = session.connection()
    if not new:
        connection.exec_driver_sql(
            "DELETE FROM document_fts WHERE rowid = :id", {"id": document_id}
        )
    connection.exec_driver_sql(
        "INSERT INTO document_fts (rowid, title, text) VALUES (:id, :title, :body)",
        {"id": document_id, "title": title or "", "body": body},
    )
