"""Bytes to text: HTTP charset, then ``<meta>`` charset, then detection.

GB2312 and GBK are always read as GB18030 (its superset: pages labelled GB2312
routinely use GBK-only characters).  Valid UTF-8 wins over any label, because
GBK text is practically never valid UTF-8 while a wrong label is common; a
label that fails to decode the bytes is passed over, so a wrong header does
not produce mojibake.
"""

from __future__ import annotations

import codecs
import re

_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_META_RE = re.compile(rb"<meta\b[^>]*>", re.I)
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_META_SCAN_BYTES = 4096
# A few stray bytes (a truncated last character, one bad byte) do not make a
# page labelled UTF-8 anything else; nor do more of them among many characters
# that are valid UTF-8 (GBK text read as UTF-8 yields almost no valid multi-byte
# characters, so a page that has many is UTF-8 with some garbage in it).
_MAX_UTF8_ERRORS = 3
_MIN_UTF8_CHARS_PER_ERROR = 20

_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "utf8": "utf-8",
    "unicode": "utf-8",
    "big5-hkscs": "big5hkscs",
    "x-big5": "big5",
}


def normalise_charset(name: str | None) -> str | None:
    """A codec name Python knows, GB2312/GBK mapped to GB18030; None if unknown."""
    if not name:
        return None
    key = name.strip().strip("\"'").lower()
    key = _ALIASES.get(key, key)
    try:
        canonical = codecs.lookup(key).name
    except LookupError:
        return None
    if canonical in ("gb2312", "gbk"):
        return "gb18030"
    if canonical in ("latin-1", "iso8859-1", "ascii", "cp1252"):
        # Servers send ISO-8859-1 by default; it never is right for a Chinese page
        # and decodes anything, so it is only a weak hint.
        return "latin-1"
    return canonical


def header_charset(content_type: str | None) -> str | None:
    """The charset of an HTTP Content-Type header."""
    if not content_type:
        return None
    m = _HEADER_CHARSET_RE.search(content_type)
    return normalise_charset(m.group(1)) if m else None


def meta_charset(body: bytes) -> str | None:
    """The charset a ``<meta charset>`` or ``http-equiv`` tag declares."""
    head = body[:_META_SCAN_BYTES]
    for tag in _META_RE.findall(head):
        m = _CHARSET_RE.search(tag)
        if m:
            return normalise_charset(m.group(1).decode("ascii", "ignore"))
    return None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The text of ``body`` and the encoding used to read it."""
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", "replace"), "utf-8"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16", "replace"), "utf-16"
    declared = [c for c in (header_charset(content_type), meta_charset(body)) if c]
    if body.isascii():
        return body.decode("ascii"), next((c for c in declared if c != "latin-1"), "utf-8")
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    for encoding in declared:
        if encoding in ("utf-8", "latin-1"):
            continue
        text = _strict(body, encoding)
        if text is not None:
            return text, encoding
    if "utf-8" in declared or not declared:
        loose = body.decode("utf-8", "replace")
        errors = loose.count("\ufffd")
        if errors <= _MAX_UTF8_ERRORS or _mostly_utf8(loose, errors):
            return loose, "utf-8"
    for encoding in ("gb18030", "big5"):
        text = _strict(body, encoding)
        if text is not None:
            return text, encoding
    fallback = next((c for c in declared if c not in ("utf-8", "latin-1")), "gb18030")
    return body.decode(fallback, "replace"), fallback


def _mostly_utf8(loose: str, errors: int) -> bool:
    """Many valid multi-byte UTF-8 characters for each undecodable byte."""
    multibyte = sum(1 for ch in loose if ord(ch) > 0x7F) - errors
    return multibyte >= _MIN_UTF8_CHARS_PER_ERROR * errors
