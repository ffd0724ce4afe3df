"""A document's history: its versions, and what changed between two of them."""

from __future__ import annotations

import argparse
import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from govcrawl.db.models import Document, DocumentVersion
from govcrawl.urls import BadURL, normalise_url, url_hash

HASH_PREFIX = 12


@dataclass(frozen=True)
class VersionInfo:
    id: int
    fetched_at: datetime
    content_hash: str
    extractor_version: str
    chars: int  # length of the text
    raw_ref: str | None


def find_document(engine: Engine, key: str) -> Document | None:
    """The document `key` names: its id, or any spelling of its URL."""
    key = key.strip()
    with Session(engine, expire_on_commit=False) as session:
        if key.isdigit():
            return session.get(Document, int(key))
        try:
            digest = url_hash(normalise_url(key if "://" in key else "http://" + key))
        except BadURL:
            return None
        return session.scalars(select(Document).where(Document.url_hash == digest)).first()


def versions(engine: Engine, document_id: int) -> list[VersionInfo]:
    """The document's versions, oldest first."""
    with Session(engine) as session:
        rows = session.execute(
            select(
                DocumentVersion.id,
                DocumentVersion.fetched_at,
                DocumentVersion.content_hash,
                DocumentVersion.extractor_version,
                func.length(DocumentVersion.text),
                DocumentVersion.raw_ref,
            )
            .where(DocumentVersion.document_id == document_id)
            .order_by(DocumentVersion.id)
        ).all()
    return [
        VersionInfo(int(vid), fetched, chash, extractor, int(chars or 0), raw_ref)
        for vid, fetched, chash, extractor, chars, raw_ref in rows
    ]


def _when(moment: datetime | None) -> str:
    return moment.isoformat(sep=" ", timespec="seconds") if moment else "-"


def diff(engine: Engine, document_id: int, a: int | None = None, b: int | None = None) -> str:
    """Unified diff of the text of versions `a` and `b` of the document (default:
    its last two; `b` alone or `a` alone: against the latest). Empty when the
    document has one version. ValueError names a version that is not the document's."""
    with Session(engine) as session:
        ids = list(
            session.scalars(
                select(DocumentVersion.id)
                .where(DocumentVersion.document_id == document_id)
                .order_by(DocumentVersion.id)
            )
        )
        if a is None and b is None:
            if len(ids) < 2:
                return ""
            a, b = ids[-2], ids[-1]
        elif a is None or b is None:  # one version given: against the latest
            a, b = (a if a is not None else b), (ids[-1] if ids else None)
        for vid in (a, b):
            if vid not in ids:
                raise ValueError(f"version {vid} is not a version of document {document_id}")
        assert a is not None and b is not None
        old = session.get(DocumentVersion, a)
        new = session.get(DocumentVersion, b)
        assert old is not None and new is not None
        lines = difflib.unified_diff(
            old.text.splitlines(),
            new.text.splitlines(),
            fromfile=f"version {old.id} ({_when(old.fetched_at)})",
            tofile=f"version {new.id} ({_when(new.fetched_at)})",
            lineterm="",
        )
        out = "\n".join(lines)
    return out + "\n" if out else ""


def format_history(doc: Document, versions: list[VersionInfo]) -> str:
    """The document and a table of its versions, oldest first."""
    head = [
        f"document {doc.id}: {doc.title or '(untitled)'}",
        f"url:             {doc.url}",
        f"first seen:      {_when(doc.first_seen_at)}",
        f"last changed:    {_when(doc.last_changed_at)}",
        f"gone:            {_when(doc.gone_at)}",
        "",
    ]
    rows = [("version", "fetched at", "hash", "extractor", "chars")]
    rows += [
        (
            str(v.id),
            _when(v.fetched_at),
            v.content_hash[:HASH_PREFIX],
            v.extractor_version,
            str(v.chars),
        )
        for v in versions
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    table = [
        "  ".join(
            cell.rjust(width) if i in (0, 4) else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    if not versions:
        table.append("(no versions)")
    return "\n".join(head + table) + "\n"


# -- command line -------------------------------------------------------------------------------


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "history", help="list a document's versions, or diff two of them"
    )
    parser.add_argument("key", metavar="URL|DOCUMENT_ID", help="the document's URL or id")
    parser.add_argument(
        "--diff",
        nargs=2,
        type=int,
        metavar=("A", "B"),
        help="print the unified diff of the text of versions A and B",
    )
    parser.add_argument("--db", metavar="URL", help="archive database URL")


def run_command(args: argparse.Namespace) -> int:
    from govcrawl.db.engine import open_engine, upgrade
    from govcrawl.reextract import database_url

    engine = open_engine(database_url(args))
    upgrade(engine)
    try:
        doc = find_document(engine, args.key)
        if doc is None:
            raise ValueError(f"no document {args.key!r} in the archive (give a URL or an id)")
        a, b = args.diff if getattr(args, "diff", None) else (None, None)
        print(format_history(doc, versions(engine, doc.id)), end="")
        changes = diff(engine, doc.id, a, b)  # default: the last two versions
        if changes:
            print()
            print(changes, end="")
    finally:
        engine.dispose()
    return 0
