"""Word 2007+ documents (.docx): paragraphs and tables from ``word/document.xml``.

Read with zipfile and lxml (no python-docx).  The body's ``w:p`` are
paragraphs (``w:br`` a line break inside one), its ``w:tbl`` tables with
merged cells expanded: ``w:gridSpan`` repeats a cell across the columns it
spans, ``w:vMerge`` (continue) repeats the text of the cell above.  Deleted
revisions, field codes and the VML fallback copies of text boxes are left
out; text boxes come after the paragraph that anchors them.
"""

from __future__ import annotations

import zipfile
from typing import Any

from lxml import etree

from govcrawl.extract.doc_content import (
    TRUNCATED,
    Block,
    Content,
    Table,
    Unreadable,
    join_lines,
    square,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
MAX_XML_BYTES = 64 * 1024 * 1024  # an uncompressed document.xml bigger than this is refused
MAX_BLOCKS = 100_000

_P, _TBL, _TR, _TC = f"{{{W}}}p", f"{{{W}}}tbl", f"{{{W}}}tr", f"{{{W}}}tc"
_SDT, _SDT_CONTENT, _CUSTOM_XML = f"{{{W}}}sdt", f"{{{W}}}sdtContent", f"{{{W}}}customXml"
_T, _TAB, _BR, _CR = f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br", f"{{{W}}}cr"
_NB_HYPHEN, _TXBX = f"{{{W}}}noBreakHyphen", f"{{{W}}}txbxContent"
_SKIP = frozenset(
    {f"{{{W}}}delText", f"{{{W}}}instrText", f"{{{W}}}del", f"{{{W}}}pPr", f"{{{W}}}rPr",
     f"{{{W}}}delInstrText", f"{{{MC}}}Fallback"}
)  # fmt: skip
_VAL = f"{{{W}}}val"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > MAX_XML_BYTES:
        raise Unreadable("docx part too large")
    return zf.read(info)


def main_part(zf: zipfile.ZipFile) -> str:
    """The main document part's name (``word/document.xml`` as a rule)."""
    try:
        types = etree.fromstring(_read_part(zf, "[Content_Types].xml"), _PARSER)
        for override in types.iter(f"{{{_CT}}}Override"):
            if override.get("ContentType") == _MAIN_TYPE:
                return (override.get("PartName") or "").lstrip("/")
    except (KeyError, etree.XMLSyntaxError):
        pass
    return "word/document.xml"


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.truncated = False

    def add(self, block: Block) -> None:
        if len(self.blocks) >= MAX_BLOCKS:
            self.truncated = True
            return
        self.blocks.append(block)

    def container(self, el: Any) -> None:
        """Block-level content: paragraphs, tables, and the wrappers around them."""
        for child in el:
            tag = child.tag
            if tag == _P:
                self.paragraph(child)
            elif tag == _TBL:
                rows = table_rows(child)
                if rows:
                    self.add(rows)
            elif tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML):
                self.container(child)

    def paragraph(self, p: Any) -> None:
        parts: list[str] = []
        boxes: list[Any] = []
        _inline_text(p, parts, boxes)
        for line in "".join(parts).split("\n"):
            self.add(line)
        for box in boxes:
            self.container(box)


def _inline_text(el: Any, parts: list[str], boxes: list[Any]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _TAB:
            parts.append(" ")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _NB_HYPHEN:
            parts.append("-")
        elif tag == _TXBX:
            boxes.append(child)
        else:
            _inline_text(child, parts, boxes)


def _cell_text(tc: Any) -> str:
    walker = _Walker()
    walker.container(tc)
    lines: list[str] = []
    for block in walker.blocks:
        if isinstance(block, str):
            lines.append(block)
        else:
            lines.extend(" ".join(row) for row in block)
    return join_lines(lines)


def _children(el: Any, tag: str) -> list[Any]:
    """Children with ``tag``, looking through sdt / customXml wrappers."""
    out: list[Any] = []
    for child in el:
        if child.tag == tag:
            out.append(child)
        elif child.tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML):
            out.extend(_children(child, tag))
    return out


def _int_val(el: Any, path: str, default: int) -> int:
    found = el.find(path, {"w": W})
    if found is None:
        return default
    try:
        return max(0, min(int(found.get(_VAL, default)), 100))
    except ValueError:
        return default


def table_rows(tbl: Any) -> Table:
    """A ``w:tbl`` as rows of cell strings, merged cells expanded."""
    grid: list[list[str]] = []
    for tr in _children(tbl, _TR):
        row: list[str] = [""] * _int_val(tr, "w:trPr/w:gridBefore", 0)
        for tc in _children(tr, _TC):
            span = max(1, _int_val(tc, "w:tcPr/w:gridSpan", 1))
            merge = tc.find("w:tcPr/w:vMerge", {"w": W})
            col = len(row)
            if merge is not None and merge.get(_VAL, "continue") != "restart" and grid:
                above = grid[-1]
                text = above[col] if col < len(above) else ""
            else:
                text = _cell_text(tc)
            row.extend([text] * span)
        grid.append(row)
    return square(grid)


def read_docx(zf: zipfile.ZipFile) -> Content:
    """A .docx (an open zip): its blocks and core-properties metadata."""
    name = main_part(zf)
    try:
        xml = _read_part(zf, name)
    except KeyError as exc:
        raise Unreadable("docx without a document part") from exc
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise Unreadable("docx with broken XML") from exc
    if root is None:
        raise Unreadable("docx with broken XML")
    body = root.find(f"{{{W}}}body")
    walker = _Walker()
    walker.container(body if body is not None else root)
    content = Content(blocks=walker.blocks)
    if walker.truncated:
        content.flags.append(TRUNCATED)
    content.meta = core_properties(zf)
    content.doc_title = content.meta.get("DocTitle")
    return content


_CORE = {
    "{http://purl.org/dc/elements/1.1/}title": "DocTitle",
    "{http://purl.org/dc/elements/1.1/}creator": "DocAuthor",
    "{http://purl.org/dc/elements/1.1/}subject": "DocSubject",
    "{http://purl.org/dc/terms/}created": "DocCreated",
    "{http://purl.org/dc/terms/}modified": "DocModified",
}


def core_properties(zf: zipfile.ZipFile) -> dict[str, str]:
    """``docProps/core.xml`` (Office Open XML, Word and Excel alike)."""
    try:
        root = etree.fromstring(_read_part(zf, "docProps/core.xml"), _PARSER)
    except (KeyError, etree.XMLSyntaxError, Unreadable):
        return {}
    if root is None:
        return {}
    meta: dict[str, str] = {}
    for child in root:
        key = _CORE.get(child.tag) if isinstance(child.tag, str) else None
        if key and child.text and child.text.strip():
            meta[key] = child.text.strip()
    return meta
