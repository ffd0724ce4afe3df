"""The small text format of the replica pages' bodies (``govcrawl/demo/data/*.txt``).

One block per line:

* a plain line is a paragraph;
* ``{b}text`` a bold paragraph (a section heading), ``{center}text`` a centred bold
  paragraph (a title), ``{right}text`` a right-aligned paragraph (a signature or date);
* ``{table}`` ... ``{/table}`` a table, one row per line, cells separated by ``|``;
  a cell may start with a span mark ``[r2]``, ``[c3]`` or ``[r2c3]`` (rowspan/colspan);
* lines starting with ``#`` are comments (provenance notes), blank lines are ignored.

The same parsed document renders as HTML in each CMS's house style and as the plain
text (and table grid) a good extractor should get back from the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources
from typing import Literal

Style = Literal["", "b", "center", "right"]
Flavour = Literal["trs", "qingzhen", "longtan", "farm"]

_STYLE_RE = re.compile(r"^\{(b|center|right)\}")
_SPAN_RE = re.compile(r"^\[(?:r(\d+))?(?:c(\d+))?\]")


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: Style = ""


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]

    def grid(self) -> list[list[str]]:
        """Cell texts row by row, as the HTML rows hold them (spans not expanded)."""
        return [[cell.text for cell in row] for row in self.rows]


Block = Paragraph | Table


@dataclass(frozen=True)
class Document:
    """A page body: paragraphs and tables in order."""

    name: str
    blocks: tuple[Block, ...]

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[list[list[str]]]:
        return [b.grid() for b in self.blocks if isinstance(b, Table)]

    def text(self, *, tables: bool = True) -> str:
        """The clean text: one paragraph a line; table rows as cells joined by `` | ``."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif tables:
                lines.extend(" | ".join(row) for row in block.grid())
        return "\n".join(lines)


def _parse_cell(raw: str) -> Cell:
    raw = raw.strip()
    match = _SPAN_RE.match(raw)
    if match and (match.group(1) or match.group(2)):
        rowspan = int(match.group(1) or 1)
        colspan = int(match.group(2) or 1)
        return Cell(raw[match.end() :].strip(), rowspan, colspan)
    return Cell(raw)


def parse(text: str, name: str = "<text>") -> Document:
    blocks: list[Block] = []
    rows: list[tuple[Cell, ...]] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if rows is not None:
            if line == "{/table}":
                blocks.append(Table(tuple(rows)))
                rows = None
            elif line:
                rows.append(tuple(_parse_cell(c) for c in line.split("|")))
            continue
        if not line or line.startswith("#"):
            continue
        if line == "{table}":
            rows = []
            continue
        if line == "{/table}":
            raise ValueError(f"{name}:{number}: {{/table}} without {{table}}")
        match = _STYLE_RE.match(line)
        if match:
            style: Style = match.group(1)  # type: ignore[assignment]
            blocks.append(Paragraph(line[match.end() :].strip(), style))
        else:
            blocks.append(Paragraph(line))
    if rows is not None:
        raise ValueError(f"{name}: {{table}} not closed")
    return Document(name, tuple(blocks))


@cache
def load(name: str) -> Document:
    """The document ``govcrawl/demo/data/<name>.txt`` (shipped with the package)."""
    text = resources.files("govcrawl.demo").joinpath("data", f"{name}.txt").read_text("utf-8")
    return parse(text, f"{name}.txt")


# --- HTML, in each CMS's house style -------------------------------------------------

_TRS_STYLE = (
    '<style type="text/css">\n'
    ".TRS_Editor P{margin-top:0px;margin-bottom:12px;line-height:1.75;font-family:宋体;"
    "font-size:12pt;}.TRS_Editor DIV{margin-top:0px;margin-bottom:12px;line-height:1.75;"
    "font-family:宋体;font-size:12pt;}.TRS_Editor TD{margin-top:0px;margin-bottom:12px;"
    "line-height:1.75;font-family:宋体;font-size:12pt;}.TRS_Editor TH{margin-top:0px;"
    "margin-bottom:12px;line-height:1.75;font-family:宋体;font-size:12pt;}.TRS_Editor SPAN"
    "{margin-top:0px;margin-bottom:12px;line-height:1.75;font-family:宋体;font-size:12pt;}"
    ".TRS_Editor FONT{margin-top:0px;margin-bottom:12px;line-height:1.75;font-family:宋体;"
    "font-size:12pt;}.TRS_Editor UL{margin-top:0px;margin-bottom:12px;line-height:1.75;"
    "font-family:宋体;font-size:12pt;}.TRS_Editor LI{margin-top:0px;margin-bottom:12px;"
    "line-height:1.75;font-family:宋体;font-size:12pt;}.TRS_Editor A{margin-top:0px;"
    "margin-bottom:12px;line-height:1.75;font-family:宋体;font-size:12pt;}\n"
    "</style>"
)


def _cell_attrs(cell: Cell) -> str:
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    return attrs


def _cell_html(cell: Cell, flavour: Flavour) -> str:
    text = escape(cell.text, quote=False) if cell.text else "&nbsp;"
    attrs = _cell_attrs(cell)
    if flavour == "qingzhen":  # pasted from Word, as this CMS's editors do
        return (
            f'<td valign="center"{attrs} style="border:solid windowtext 1.0pt;padding:0cm 5.4pt">'
            '<p class="MsoNormal" align="center" style="text-align:center">'
            f'<span style="font-size:10.5pt;font-family:宋体">{text}</span></p></td>'
        )
    if flavour == "trs":
        return f'<td{attrs} style="border: 1px solid #000000; text-align: center;">{text}</td>'
    return f'<td{attrs} align="center">{text}</td>'


def _table_html(table: Table, flavour: Flavour) -> str:
    if flavour == "qingzhen":
        head = (
            '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
            'width="100%" style="border-collapse:collapse;border:none">'
        )
    elif flavour == "trs":
        head = (
            '<table border="1" cellspacing="0" cellpadding="0" width="100%" '
            'style="border-collapse: collapse; margin: 0 auto;">'
        )
    else:
        head = '<table border="1" cellpadding="0" cellspacing="0" width="98%">'
    rows = "\n".join(
        "<tr>" + "".join(_cell_html(cell, flavour) for cell in row) + "</tr>" for row in table.rows
    )
    table_html = f"{head}\n<tbody>\n{rows}\n</tbody>\n</table>"
    return f'<div align="center">{table_html}</div>' if flavour == "trs" else table_html


def _paragraph_html(par: Paragraph, flavour: Flavour) -> str:
    text = escape(par.text, quote=False)
    if flavour == "trs":
        span = f'<span style="font-family: 仿宋_GB2312; font-size: 16pt;">{text}</span>'
        if par.style == "center":
            return f'<p align="center" style="text-align: center;"><strong>{span}</strong></p>'
        if par.style == "right":
            return f'<p align="right" style="text-align: right;">{span}</p>'
        if par.style == "b":
            return f'<p style="text-indent: 2em;"><strong>{span}</strong></p>'
        return f'<p style="text-indent: 2em;">{span}</p>'
    if flavour == "qingzhen":  # indented with ideographic spaces, like Word paste
        if par.style == "center":
            return f'<p align="center" style="text-align:center"><b>{text}</b></p>'
        if par.style == "right":
            return f'<p align="right" style="text-align:right">{text}</p>'
        if par.style == "b":
            return f"<p>\u3000\u3000<strong>{text}</strong></p>"
        return f"<p>\u3000\u3000{text}</p>"
    if flavour == "farm":
        return f"<p>{text}</p>"
    if par.style == "center":
        return f'<p style="text-align:center"><b>{text}</b></p>'
    if par.style == "right":
        return f'<p style="text-align:right">{text}</p>'
    if par.style == "b":
        return f'<p style="text-indent:2em"><b>{text}</b></p>'
    return f'<p style="text-indent:2em">{text}</p>'


def to_html(doc: Document, flavour: Flavour) -> str:
    """The body HTML (without the CMS content container itself)."""
    parts: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            parts.append(_paragraph_html(block, flavour))
        else:
            parts.append(_table_html(block, flavour))
    body = "\n".join(parts)
    if flavour == "trs":
        return f'{_TRS_STYLE}\n<div class="Custom_UnionStyle">\n{body}\n</div>'
    return body
