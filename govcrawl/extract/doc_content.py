"""What the attachment readers (PDF, Word, Excel) hand back, and text helpers they share.

Each reader turns a file into ``Content``: blocks in reading order, each a
paragraph (one string) or a table (rows of cell strings), plus the file's own
metadata.  ``attachments`` turns that into an ``Extraction``.  A reader that
cannot read its file raises ``Unreadable`` (or anything else: the caller
catches all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Table = list[list[str]]
Block = str | Table

TRUNCATED = "truncated"  # flag: a cap on pages, rows or time was hit
NO_TEXT_LAYER = "no_text_layer"  # flag: a PDF with (almost) no extractable text

_SPACES_RE = re.compile(r"[ \t\u00a0\u3000]+")


class Unreadable(Exception):
    """The file cannot be read; the message is the short reason."""


@dataclass
class Content:
    """A document's blocks (paragraphs and tables, in order) and metadata."""

    blocks: list[Block] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # DocTitle, DocAuthor, Pages ...
    flags: list[str] = field(default_factory=list)  # truncated, no_text_layer
    doc_title: str | None = None  # the title in the file's own metadata


def is_wide(ch: str) -> bool:
    """A CJK ideograph, kana, hangul, or full-width / CJK punctuation."""
    if not ch:
        return False
    o = ord(ch)
    return o >= 0x2E80 or ch in "“”‘’—…·"


def join_fragments(left: str, right: str) -> str:
    """Two pieces of one paragraph (or cell) joined: no space next to CJK, one between words."""
    if not left:
        return right
    if not right:
        return left
    if is_wide(left[-1]) or is_wide(right[0]):
        return left + right
    if left.endswith(" ") or right.startswith(" "):
        return left + right
    return f"{left} {right}"


def join_lines(parts: list[str]) -> str:
    """Lines of one cell (or paragraph) on one line."""
    out = ""
    for part in parts:
        part = clean_space(part)
        if part:
            out = join_fragments(out, part)
    return out


def clean_space(s: str) -> str:
    """Runs of blanks (ASCII, no-break, ideographic) to one space, trimmed."""
    return _SPACES_RE.sub(" ", s).strip()


def square(rows: list[list[str]]) -> Table:
    """Rows padded to one width, empty rows and all-empty trailing columns dropped."""
    rows = [[clean_space(c) for c in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    padded = [row + [""] * (width - len(row)) for row in rows]
    while width > 0 and not any(row[width - 1] for row in padded):
        width -= 1
    return [row[:width] for row in padded]
