"""Attachments: PDF, Word (.doc, .docx) and Excel (.xls, .xlsx) bodies to an ``Extraction``.

``extract_attachment(page)`` is called first by ``extract_page``: it answers
None for a page that is not an attachment (HTML, text), else the extraction.

What a body is, is decided by its first bytes (``%PDF-`` in the first KiB,
not after markup;
the OLE signature ``D0 CF 11 E0``, then a ``WordDocument`` stream means .doc
and ``Workbook``/``Book`` .xls; ``PK``, then ``[Content_Types].xml`` says
.docx or .xlsx), then, for bodies without a known signature that are not
markup, by the Content-Type, then by the URL's extension.  A body that
claims to be an attachment but cannot be read (random bytes at a .pdf URL,
a truncated or password-protected PDF, a Word 6 file) is
``reject="unreadable"`` with a short ``reason``; nothing raises.

The readers (``pdf_text``, ``doc_word97``, ``doc_docx``, ``sheet_tables``)
give paragraphs and tables; here they become the text (one paragraph a line,
each table row a ``cell | cell`` line) and the metadata:

- ``title``: the report's own title from the first lines of the text when it
  names a report (``淮安市人民政府`` + ``2024年政府信息公开工作年度报告`` on
  two lines make one title), else the link text the crawler saw, else the
  document's metadata title unless it is generic (``政府信息公开工作年度报告``)
  or a template's (``XXX（单位）20XX年度…``), else a title row merged across
  the first table (spreadsheets), else the file name.
- ``published_at``: the date beside the link, else the date under the
  signature at the end of the text, else a date in the URL.
- ``agency``: the signature line, else the body that heads the title.
- ``is_annual_report`` / ``report_year``: ``discovery`` on title and text.
  A PDF without a text layer (a scan) is flagged ``no_text_layer`` and
  classified on its title alone.
- ``flags``: the HTML quality flags, plus ``no_text_layer`` and ``truncated``.
- ``kind``: ``pdf``, ``doc``, ``docx``, ``xls``, ``xlsx`` (``ole``, ``zip`` for other
  containers, always unreadable); ``encoding``: ``binary``.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from urllib.parse import unquote, urlsplit

from govcrawl.discovery.classify import is_annual_report, title_names_report
from govcrawl.discovery.years import report_year
from govcrawl.extract import fields
from govcrawl.extract import flags as quality
from govcrawl.extract.doc_content import (
    NO_TEXT_LAYER,
    TRUNCATED,
    Content,
    Table,
    Unreadable,
    clean_space,
    join_fragments,
)
from govcrawl.extract.model import REJECT_UNREADABLE, ZIP_BOMB, Extraction, PageInput
from govcrawl.extract.tables import render_table

FLAG_NO_TEXT_LAYER = NO_TEXT_LAYER
FLAG_TRUNCATED = TRUNCATED
KINDS = ("pdf", "doc", "docx", "xls", "xlsx")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_PDF_MAGIC = b"%PDF-"
_MAGIC_WINDOW = 1024  # the PDF header may follow some junk
#: A DOCX/XLSX whose zip directory says it inflates to more than this is a zip bomb.
MAX_ZIP_INFLATED = 256 * 1024 * 1024

_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/acrobat": "pdf",
    "application/msword": "doc",
    "application/vnd.ms-word": "doc",
    "application/vnd.ms-excel": "xls",
    "application/excel": "xls",
    "application/x-excel": "xls",
    "application/x-msexcel": "xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
_GENERIC_CONTENT_TYPES = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "application/force-download",
     "application/x-download", "application/download", "application/unknown",
     "application/x-msdownload", "application/x-octet-stream", "application/file"}
)  # fmt: skip
_EXTENSION_RE = re.compile(r"\.(pdf|docx?|xlsx?)$", re.I)
_WHITESPACE_RE = re.compile(r"\s+")

_ATTACHMENT_LABEL_RE = re.compile(r"^附\s*件\s*[\d一二三四五六七八九十]*\s*[:：]?$")
_TITLE_END_RE = re.compile(r"(?:报告|年报)\s*(?:[（(][^（）()]{0,20}[)）])?$")
_NOT_TITLE_PUNCT_RE = re.compile(r"[。，；：:;,]")
_TITLE_HEAD_LINES = 8
_TITLE_MAX_LINE = 40
_GENERIC_TITLE_RE = re.compile(
    r"^(?:(?:政府|政务)?信息公开(?:工作)?(?:年度)?(?:工作)?报告|(?:工作)?年度报告|年报|报告"
    r"|附件\s*\d*|无标题|未命名|新建.*|文档\s*\d*|untitled.*|document\s*\d*|microsoft\s.*|wps\s.*"
    r"|.?)$",
    re.I,
)
_TEMPLATE_TITLE_RE = re.compile(r"[xX×]{2,}")
_DOC_TITLE_PREFIX_RE = re.compile(r"^(?:microsoft\s+(?:word|excel)\s*-\s*)", re.I)


def content_hash(text: str) -> str:
    """sha256 hex of the text with all whitespace removed (as ``page.content_hash``)."""
    return hashlib.sha256(_WHITESPACE_RE.sub("", text).encode("utf-8")).hexdigest()


# --- what is it ---------------------------------------------------------------------------


def _ole_kind(body: bytes) -> str:
    import olefile

    with olefile.OleFileIO(io.BytesIO(body)) as ole:
        if ole.exists("WordDocument"):
            return "doc"
        if ole.exists("Workbook") or ole.exists("Book"):
            return "xls"
    return "ole"


def _zip_kind(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        names = set(zf.namelist())
        types = b""
        if "[Content_Types].xml" in names:
            info = zf.getinfo("[Content_Types].xml")
            if info.file_size < 1_000_000:
                types = zf.read(info)
    if b"wordprocessingml.document.main" in types or (not types and "word/document.xml" in names):
        return "docx"
    if b"spreadsheetml.sheet.main" in types or (not types and "xl/workbook.xml" in names):
        return "xlsx"
    return "zip"


def _looks_like_markup(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 text: an HTML page, not a binary document
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n\x00")
    return stripped.startswith(b"<")


def _hinted_kind(content_type: str | None, url: str) -> str | None:
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in _CONTENT_TYPES:
        return _CONTENT_TYPES[mime]
    if mime not in _GENERIC_CONTENT_TYPES:
        return None  # text/html, text/plain, image/...: not ours
    m = _EXTENSION_RE.search(urlsplit(url).path)
    return m.group(1).lower() if m else None


def detect_kind(body: bytes, content_type: str | None = None, url: str = "") -> str | None:
    """``pdf``/``doc``/``docx``/``xls``/``xlsx``, ``ole``/``zip`` for other containers,
    or None when the body is not an attachment (HTML, text)."""
    head = body[:_MAGIC_WINDOW]
    at = head.find(_PDF_MAGIC)
    if at == 0 or (at > 0 and b"<" not in head[:at]):  # "%PDF-" quoted in a web page is not one
        return "pdf"
    if body.startswith(_OLE_MAGIC):
        try:
            return _ole_kind(body)
        except Exception:
            return _hinted_kind(content_type, url) or "ole"
    if body.startswith(_ZIP_MAGIC):
        try:
            return _zip_kind(body)
        except Exception:
            return _hinted_kind(content_type, url) or "zip"
    if _looks_like_markup(head):
        return None
    return _hinted_kind(content_type, url)


# --- reading ------------------------------------------------------------------------------


def _read(kind: str, body: bytes) -> Content:
    if kind == "pdf":
        from govcrawl.extract.pdf_text import read_pdf

        return read_pdf(body)
    if kind in ("doc", "xls"):
        import olefile

        from govcrawl.extract.doc_word97 import ole_metadata, read_doc

        if not body.startswith(_OLE_MAGIC):
            raise Unreadable(f"not a {kind} file")
        with olefile.OleFileIO(io.BytesIO(body)) as ole:
            if kind == "doc":
                return read_doc(ole)
            meta, _ = ole_metadata(ole)
        from govcrawl.extract.sheet_tables import read_xls

        return read_xls(body, meta)
    if kind == "docx":
        from govcrawl.extract.doc_docx import read_docx

        if not body.startswith(_ZIP_MAGIC):
            raise Unreadable("not a docx file")
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            check_zip_sizes(zf)
            return read_docx(zf)
    if kind == "xlsx":
        from govcrawl.extract.sheet_tables import read_xlsx

        if not body.startswith(_ZIP_MAGIC):
            raise Unreadable("not an xlsx file")
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            check_zip_sizes(zf)
        return read_xlsx(body)
    raise Unreadable(f"unsupported {kind} file")


def check_zip_sizes(zf: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from its directory, before inflating anything: more than
    ``MAX_ZIP_INFLATED`` bytes in all, or an XML part larger than the readers take.
    (A directory that understates a size fails its CRC when read: corrupt, not a bomb.)"""
    from govcrawl.extract.doc_docx import MAX_XML_BYTES

    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.filename.endswith((".xml", ".rels")) and info.file_size > MAX_XML_BYTES:
            raise Unreadable(
                f"{ZIP_BOMB}: {info.filename} inflates to {info.file_size} bytes "
                f"from {info.compress_size}"
            )
    if total > MAX_ZIP_INFLATED:
        raise Unreadable(f"{ZIP_BOMB}: the archive inflates to {total} bytes")


def extract_attachment(page: PageInput) -> Extraction | None:
    """The extraction of an attachment, or None if the page is not one.  Never raises."""
    try:
        kind = detect_kind(page.body, page.content_type, page.url)
    except Exception:
        kind = "binary"
    if kind is None:
        return None
    try:
        content = _read(kind, page.body)
        return _extraction(page, kind, content)
    except Unreadable as exc:
        return unreadable(page, kind, str(exc))
    except Exception as exc:  # a parser's bug or a file no parser expected
        return unreadable(page, kind, f"{kind} parser failed: {type(exc).__name__}")


def unreadable(page: PageInput, kind: str, reason: str) -> Extraction:
    return Extraction(
        url=page.url,
        title=_listing_title(page.listing_title),
        text="",
        published_at=page.listing_date,
        content_hash=content_hash(""),
        encoding="binary",
        kind=kind,
        reject=REJECT_UNREADABLE,
        reason=reason[:200],
    )


# --- metadata -----------------------------------------------------------------------------


def _listing_title(title: str | None) -> str | None:
    if not title:
        return None
    cleaned = _EXTENSION_RE.sub("", fields.normalise_space(title)).strip()
    return cleaned or None


def useful_doc_title(title: str | None) -> str | None:
    """A document's metadata title, unless generic, a template's or a program's default."""
    if not title:
        return None
    t = _EXTENSION_RE.sub("", _DOC_TITLE_PREFIX_RE.sub("", fields.normalise_space(title))).strip()
    if not t or _GENERIC_TITLE_RE.match(unicodedata.normalize("NFKC", t)):
        return None
    if _TEMPLATE_TITLE_RE.search(t) or quality.has_placeholders(t):
        return None
    return t


def file_name_title(url: str) -> str | None:
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = _EXTENSION_RE.sub("", name).strip()
    return name or None


def title_from_text(lines: list[str]) -> str | None:
    """The report's title from the first lines, joined when it runs over two or three lines."""
    head = [line for line in lines[:_TITLE_HEAD_LINES] if not _ATTACHMENT_LABEL_RE.match(line)]
    for start in range(len(head)):
        best: str | None = None
        candidate = ""
        for line in head[start : start + 3]:
            if len(line) > _TITLE_MAX_LINE or _NOT_TITLE_PUNCT_RE.search(line):
                break
            candidate = join_fragments(candidate, line)
            if _TITLE_END_RE.search(candidate) and title_names_report(candidate):
                best = candidate
        if best:
            return best
    return None


def table_caption(table: Table) -> str | None:
    """A title row: the table's first row, one cell merged across the whole width."""
    first = table[0] if table else []
    if len(first) >= 2 and first[0] and len(set(first)) == 1 and len(first[0]) <= 80:
        return first[0]
    return None


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _extraction(page: PageInput, kind: str, content: Content) -> Extraction:
    lines: list[str] = []
    tables: list[Table] = []
    opening: list[str] = []  # text lines before the first table
    for block in content.blocks:
        if isinstance(block, str):
            line = clean_space(block)
            if line:
                lines.append(line)
                if not tables:
                    opening.append(line)
        elif block:
            tables.append(block)
            lines.extend(render_table(block).split("\n"))
    text = "\n".join(lines)
    scanned = NO_TEXT_LAYER in content.flags
    classify_text = "" if scanned else text
    caption = table_caption(tables[0]) if tables else None
    if caption and not opening:
        opening = [caption]  # a spreadsheet's title row

    title = (
        (None if scanned else title_from_text(opening))
        or _listing_title(page.listing_title)
        or useful_doc_title(content.doc_title)
        or caption
        or file_name_title(page.url)
    )
    if not text and not scanned:
        return Extraction(
            url=page.url,
            title=title,
            text="",
            flags=[quality.NEAR_EMPTY],
            content_hash=content_hash(""),
            meta=content.meta,
            encoding="binary",
            kind=kind,
            reject=quality.REJECT_NEAR_EMPTY,
            reason=f"{kind} without text",
        )
    signature = fields.find_signature(classify_text)
    published = page.listing_date or signature.signed or fields.date_in_url(page.url)
    agency = fields.choose_agency({}, {}, signature, title)
    is_report = is_annual_report(title, classify_text, page.url)
    return Extraction(
        url=page.url,
        title=title,
        text=text,
        tables=tables,
        published_at=published,
        report_year=report_year(title, classify_text, published) if is_report else None,
        agency=agency,
        is_annual_report=is_report,
        flags=_dedupe([*quality.quality_flags(text, title), *content.flags]),
        content_hash=content_hash(text),
        meta=content.meta,
        encoding="binary",
        kind=kind,
    )
