"""Word 97-2003 binary documents (.doc): the main text through the piece table.

[MS-DOC] in brief: the ``WordDocument`` stream starts with the FIB; its
``fcClx``/``lcbClx`` point into the table stream (``1Table`` or ``0Table``,
by the FIB's ``fWhichTblStm`` bit) at the CLX, whose PlcPcd maps character
positions to pieces of text in ``WordDocument``: compressed pieces are one
byte a character (cp1252), the others UTF-16LE (Chinese documents are).
The main document is the first ``ccpText`` characters.

Paragraphs end in ``\\r``; table cells end in ``\\x07`` and so does each row
(the row's mark is a paragraph with the TTP property, read from the
paragraph properties in the PAPX FKPs).  Field codes (``\\x13`` code ``\\x14``
result ``\\x15``) keep their result only.  Vertically merged cells come out
empty (their text is in the first cell of the merge).
"""

from __future__ import annotations

import bisect
import struct
from typing import Any

from govcrawl.extract.doc_content import Content, Table, Unreadable, join_lines, square

_FIB_IDENT = 0xA5EC
_MIN_NFIB = 101  # Word 97 and later; Word 6/95 files use another layout
_F_WHICH_TBL_STM = 0x0200
_F_ENCRYPTED = 0x0100
_OFF_FLAGS = 0x0A
_OFF_CCP_TEXT = 0x4C
_OFF_PLCF_BTE_PAPX = 0x102
_OFF_CLX = 0x1A2
_FKP_SIZE = 512
_SPRM_P_F_IN_TABLE = 0x2416
_SPRM_P_F_TTP = 0x2417
_SPRM_P_F_INNER_TTP = 0x244C
_SPRM_T_DEF_TABLE = 0xD608
_SPRM_P_CHG_TABS = 0xC615
_MAX_CHARS = 5_000_000

# Characters with a meaning in the text stream.
_PARA = "\r"
_CELL = "\x07"
_FIELD_BEGIN, _FIELD_SEP, _FIELD_END = "\x13", "\x14", "\x15"
_BREAKS = "\x0b\x0c\x0e"  # line break, page/section break, column break
_REPLACE = {"\x1e": "-", "\x1f": "", "\xa0": " ", "\t": " "}


def _u16(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<H", data, offset)[0])


def _u32(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<I", data, offset)[0])


class _Piece:
    __slots__ = ("compressed", "cp_end", "cp_start", "fc")

    def __init__(self, cp_start: int, cp_end: int, fc: int, compressed: bool) -> None:
        self.cp_start = cp_start
        self.cp_end = cp_end
        self.fc = fc  # byte offset of the piece's first character in WordDocument
        self.compressed = compressed


def _pieces(table: bytes, fc_clx: int, lcb_clx: int) -> list[_Piece]:
    clx = table[fc_clx : fc_clx + lcb_clx]
    if len(clx) != lcb_clx or lcb_clx == 0:
        raise Unreadable("doc without a piece table")
    i = 0
    while i < len(clx) and clx[i] == 0x01:  # Prc: property modifiers, skipped
        i += 3 + struct.unpack_from("<h", clx, i + 1)[0]
    if i >= len(clx) or clx[i] != 0x02:
        raise Unreadable("doc with a broken piece table")
    lcb = _u32(clx, i + 1)
    plc = clx[i + 5 : i + 5 + lcb]
    n = (lcb - 4) // 12
    if n <= 0 or len(plc) < 4 * (n + 1) + 8 * n:
        raise Unreadable("doc with a broken piece table")
    cps = struct.unpack_from(f"<{n + 1}i", plc, 0)
    pieces: list[_Piece] = []
    for k in range(n):
        raw_fc = _u32(plc, 4 * (n + 1) + 8 * k + 2)
        compressed = bool(raw_fc & 0x40000000)
        fc = raw_fc & 0x3FFFFFFF
        pieces.append(_Piece(cps[k], cps[k + 1], fc // 2 if compressed else fc, compressed))
    return pieces


def _sprm_operand_size(sprm: int, grpprl: bytes, at: int) -> int:
    """Bytes of the operand of ``sprm`` starting at ``at`` (-1: cannot tell)."""
    spra = sprm >> 13
    if spra in (0, 1):
        return 1
    if spra in (2, 4, 5):
        return 2
    if spra == 3:
        return 4
    if spra == 7:
        return 3
    # spra 6: variable length
    if sprm == _SPRM_T_DEF_TABLE:
        return 2 + _u16(grpprl, at) - 1 if at + 2 <= len(grpprl) else -1
    if sprm == _SPRM_P_CHG_TABS and at < len(grpprl) and grpprl[at] == 255:
        return -1
    return 1 + grpprl[at] if at < len(grpprl) else -1


def _paragraph_flags(grpprl: bytes) -> tuple[bool, bool]:
    """(in a table, a table row's end mark) from a paragraph's sprms."""
    in_table = False
    ttp = False
    i = 0
    while i + 2 <= len(grpprl):
        sprm = _u16(grpprl, i)
        size = _sprm_operand_size(sprm, grpprl, i + 2)
        if size < 0:
            break
        if size >= 1 and i + 2 < len(grpprl):
            value = grpprl[i + 2]
            if sprm == _SPRM_P_F_IN_TABLE:
                in_table = value == 1
            elif sprm in (_SPRM_P_F_TTP, _SPRM_P_F_INNER_TTP):
                ttp = ttp or value == 1
        i += 2 + size
    return in_table, ttp


class _ParagraphProps:
    """Paragraph runs (by file offset) from the PAPX FKPs: which are table rows' ends."""

    def __init__(self, word: bytes, table: bytes) -> None:
        self.starts: list[int] = []
        self.runs: list[tuple[int, int, bool, bool]] = []
        fc_plc = _u32(word, _OFF_PLCF_BTE_PAPX)
        lcb_plc = _u32(word, _OFF_PLCF_BTE_PAPX + 4)
        plc = table[fc_plc : fc_plc + lcb_plc]
        n = (len(plc) - 4) // 8
        if n <= 0:
            return
        runs: list[tuple[int, int, bool, bool]] = []
        for k in range(n):
            pn = _u32(plc, 4 * (n + 1) + 4 * k) & 0x3FFFFF
            page = word[pn * _FKP_SIZE : (pn + 1) * _FKP_SIZE]
            if len(page) < _FKP_SIZE:
                continue
            crun = page[511]
            for r in range(crun):
                if 4 * (crun + 1) + 13 * (r + 1) > 511:
                    break
                fc_start = _u32(page, 4 * r)
                fc_end = _u32(page, 4 * (r + 1))
                offset = page[4 * (crun + 1) + 13 * r] * 2
                in_table, ttp = False, False
                if offset:
                    cb = page[offset]
                    if cb:
                        start, size = offset + 1, 2 * cb - 1
                    else:
                        start, size = offset + 2, 2 * page[offset + 1]
                    grpprl = page[start + 2 : start + size]  # after the istd
                    in_table, ttp = _paragraph_flags(grpprl)
                runs.append((fc_start, fc_end, in_table, ttp))
        runs.sort()
        self.runs = runs
        self.starts = [r[0] for r in runs]

    def at(self, fc: int) -> tuple[bool, bool] | None:
        """(in table, row end) of the paragraph whose mark is at file offset ``fc``."""
        i = bisect.bisect_right(self.starts, fc) - 1
        if i < 0:
            return None
        fc_start, fc_end, in_table, ttp = self.runs[i]
        return (in_table, ttp) if fc_start <= fc < fc_end else None


class _Builder:
    """Text stream to paragraphs and tables."""

    def __init__(self) -> None:
        self.blocks: list[str | Table] = []
        self.para: list[str] = []  # the current paragraph's pieces
        self.cell: list[str] = []  # paragraphs of the current cell
        self.row: list[str] = []
        self.table: list[list[str]] = []

    def text(self, s: str) -> None:
        self.para.append(s)

    def line_break(self) -> None:
        self.para.append("\n")

    def _take_para(self) -> str:
        s = "".join(self.para)
        self.para = []
        return s

    def end_paragraph(self, in_table: bool) -> None:
        s = self._take_para()
        if in_table:
            self.cell.append(s)
            return
        self._flush_table()
        for line in s.split("\n"):
            self.blocks.append(line)

    def end_cell(self) -> None:
        self.cell.append(self._take_para())
        self.row.append(join_lines([p for c in self.cell for p in c.split("\n")]))
        self.cell = []

    def end_row(self) -> None:
        self._take_para()
        self.cell = []
        if self.row:
            self.table.append(self.row)
        self.row = []

    def _flush_table(self) -> None:
        if self.row:
            self.table.append(self.row)
            self.row = []
        if self.table:
            rows = square(self.table)
            if rows:
                self.blocks.append(rows)
        self.table = []

    def finish(self) -> list[str | Table]:
        if self.para or self.cell:
            self.end_paragraph(in_table=False)
        self._flush_table()
        return self.blocks


def ole_metadata(ole: Any) -> tuple[dict[str, str], str | None]:
    meta: dict[str, str] = {}
    try:
        m = ole.get_metadata()
    except Exception:
        return meta, None
    codepage = getattr(m, "codepage", None) or 1252
    encoding = "utf-8" if codepage == 65001 else f"cp{codepage}"

    def text(value: object) -> str | None:
        if isinstance(value, bytes):
            try:
                decoded = value.decode(encoding, errors="replace")
            except LookupError:
                decoded = value.decode("latin-1")
        elif isinstance(value, str):
            decoded = value
        else:
            return None
        decoded = decoded.replace("\x00", "").strip()
        return decoded or None

    for attr, key in (("title", "DocTitle"), ("author", "DocAuthor"), ("subject", "DocSubject")):
        value = text(getattr(m, attr, None))
        if value:
            meta[key] = value
    for attr, key in (("create_time", "DocCreated"), ("last_saved_time", "DocModified")):
        when = getattr(m, attr, None)
        if when is not None and hasattr(when, "isoformat"):
            meta[key] = when.isoformat()
    return meta, meta.get("DocTitle")


def read_doc(ole: Any) -> Content:
    """A Word 97 document (an open ``olefile.OleFileIO``): its blocks and metadata."""
    word = ole.openstream("WordDocument").read()
    if len(word) < _OFF_CLX + 8 or _u16(word, 0) != _FIB_IDENT:
        raise Unreadable("not a Word document")
    nfib = _u16(word, 2)
    flags = _u16(word, _OFF_FLAGS)
    if flags & _F_ENCRYPTED:
        raise Unreadable("encrypted doc")
    if nfib < _MIN_NFIB:
        raise Unreadable("Word 6/95 document")
    table_name = "1Table" if flags & _F_WHICH_TBL_STM else "0Table"
    if not ole.exists(table_name):
        raise Unreadable("doc without its table stream")
    table = ole.openstream(table_name).read()
    ccp_text = struct.unpack_from("<i", word, _OFF_CCP_TEXT)[0]
    pieces = _pieces(table, _u32(word, _OFF_CLX), _u32(word, _OFF_CLX + 4))
    try:
        props: _ParagraphProps | None = _ParagraphProps(word, table)
    except (struct.error, IndexError):
        props = None
    content = Content()
    content.meta, content.doc_title = ole_metadata(ole)
    content.blocks = _walk(word, pieces, min(ccp_text, _MAX_CHARS), props)
    return content


def _walk(
    word: bytes, pieces: list[_Piece], n_chars: int, props: _ParagraphProps | None
) -> list[str | Table]:
    builder = _Builder()
    field_depth = 0  # inside a field's code (between \x13 and \x14)
    stack: list[bool] = []  # for each open field: still in its code?
    prev_cell_mark = False  # without paragraph properties: \x07\x07 ends a row
    for piece in pieces:
        if piece.cp_start >= n_chars:
            break
        count = min(piece.cp_end, n_chars) - piece.cp_start
        width = 1 if piece.compressed else 2
        raw = word[piece.fc : piece.fc + count * width]
        text = raw.decode("cp1252" if piece.compressed else "utf-16-le", errors="replace")
        for i, ch in enumerate(text):
            if ch == _FIELD_BEGIN:
                stack.append(True)
                field_depth += 1
                continue
            if ch == _FIELD_SEP:
                if stack and stack[-1]:
                    stack[-1] = False
                    field_depth -= 1
                continue
            if ch == _FIELD_END:
                if stack and stack.pop():
                    field_depth -= 1
                continue
            if field_depth > 0:
                continue
            if ch in (_PARA, _CELL):
                where = props.at(piece.fc + i * width) if props is not None else None
                if ch == _PARA:
                    builder.end_paragraph(in_table=bool(where and where[0]))
                    prev_cell_mark = False
                elif where is not None:
                    if where[1]:
                        builder.end_row()
                    else:
                        builder.end_cell()
                elif prev_cell_mark:
                    builder.end_row()
                    prev_cell_mark = False
                    continue
                else:
                    builder.end_cell()
                prev_cell_mark = ch == _CELL
                continue
            prev_cell_mark = False
            if ch in _BREAKS:
                builder.line_break()
            elif ch in _REPLACE:
                builder.text(_REPLACE[ch])
            elif ch >= " ":
                builder.text(ch)
    return builder.finish()
