"""The faults replica: a county portal (溪山县) whose report column lists, beside good
reports, every kind of hostile answer a government server gives, each linked as if it
were a report; and a second portal (云岭县) with no column whose 信息公开 pages nest
without end.

Hosts (one loopback address each, ``first_address`` and the next five):

``main`` (.200)
    The report column ``/xxgk/nb/index.html``: good reports (HTML, a DOCX, a page full
    of NUL bytes and broken UTF-8/GBK), and the faults: a gzip and a deflate bomb
    (~1 GiB inflated from ~1 MiB, built on the fly from a repeated flushed block,
    never held in memory whole), a 60 MB page (with ``Content-Length``) and one sent
    chunked, a body cut short of its ``Content-Length``, a redirect loop, a chain of 30
    redirects, redirects to 169.254.169.254, 10.0.0.8 and [::1], a slowloris page (one
    byte a second for ever), a corrupt and a truncated PDF, a PDF whose content stream
    inflates to 1.5 GiB (it takes a worker past its memory limit), a PDF that takes
    minutes to parse, a DOCX whose zip inflates to 1 GiB, an XLSX with a million empty
    rows, a link to a path robots.txt forbids, and a malformed link (``http://[``).
    Its pager never ends (page N links page N+1) and a calendar widget links every day
    of every month. Its robots.txt is malformed (HTML, NULs, lines without colons)
    with one real rule inside.
``busy`` (.201)
    Two reports that first answer HTTP 429 and 503 with ``Retry-After`` (seconds; an
    HTTP date) and then the report; one that answers 503 ``Retry-After: 86400`` always.
``robots_slow`` (.202)
    robots.txt never answers; a good report.
``robots_big`` (.203)
    A 5 MB robots.txt: a rule at the top, 250,000 junk rules, ``Disallow: /`` at the end
    (past the 500 KiB the crawler reads); a good report and a forbidden one.
``silent`` (.204)
    Accepts connections and never answers (a second report column of 溪山县 lives here).
``deep`` (.205)
    云岭县: no column configured; 政府信息公开 → 政务公开 → ... nested without end, a
    good report one level down.

``FAULTS`` and ``GOOD`` say what each link is and what the crawl must make of it.
``python -m govcrawl.demo.faults`` serves the replica until interrupted.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import random
import select
import socket
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from govcrawl.regions import Region

HTML = "text/html; charset=utf-8"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOSTS = ("main", "busy", "robots_slow", "robots_big", "silent", "deep")
COLUMN = "/xxgk/nb/index.html"
CALENDAR = "/xxgk/nb/rili.html"
MIB = 1024 * 1024
HUGE_PAGE_BYTES = 60_000_000
BOMB_MIB = 1024  # the gzip/deflate/docx bombs inflate to 1 GiB
PDF_BOMB_MIB = 1536  # past any extraction worker's memory limit
REDIRECT_CHAIN = 30
#: What a Retry-After answer asks (seconds), for the reports that first answer 429/503.
DEFAULT_RETRY_AFTER = 2.0
_DATA = Path(__file__).parent / "data"


class Fault(NamedTuple):
    key: str
    what: str  # the fault, as the issue names it
    host: str
    path: str
    title: str  # the link text on the column: it looks like a report
    outcome: str  # the fetch outcome the crawl records
    listed: date


class Good(NamedTuple):
    key: str
    host: str
    path: str
    title: str
    year: int
    kind: str = "html"


def _title(year: int, county: str = "溪山县") -> str:
    return f"{county}{year}年政府信息公开工作年度报告"


_NB = "/xxgk/nb"
GOOD: tuple[Good, ...] = (
    Good("html-2023", "main", f"{_NB}/202401/t20240125_5101.html", _title(2023), 2023),
    Good("html-2022", "main", f"{_NB}/202301/t20230130_4876.html", _title(2022), 2022),
    Good("html-2021", "main", f"{_NB}/202201/t20220128_4410.html", _title(2021), 2021),
    Good("html-2020", "main", f"{_NB}/202101/t20210126_3985.html", _title(2020), 2020),
    Good("docx-2019", "main", f"{_NB}/202001/P020200121_2019nb.docx", _title(2019), 2019, "docx"),
    Good("nul-bytes-2018", "main", f"{_NB}/201901/t20190125_3120.html", _title(2018), 2018),
    Good("page2-2013", "main", f"{_NB}/201401/t20140127_1675.html", _title(2013), 2013),
    Good("after-429-2017", "busy", f"{_NB}/201801/t20180126_2710.html", _title(2017), 2017),
    Good("after-503-2016", "busy", f"{_NB}/201701/t20170124_2301.html", _title(2016), 2016),
    Good("robots-slow-2015", "robots_slow", f"{_NB}/201601/t20160129_2004.html", _title(2015),
         2015),
    Good("robots-big-2014", "robots_big", f"{_NB}/201501/t20150123_1880.html", _title(2014), 2014),
    Good("deep-2023", "deep", "/xxgk/1/t20240126_77.html", _title(2023, "云岭县"), 2023),
)


def _fault(key: str, what: str, host: str, name: str, outcome: str, n: int) -> Fault:
    listed = date(2012, 1, 1) + timedelta(days=37 * n)
    title = f"溪山县政府信息公开工作年度报告（{what}）"
    return Fault(key, what, host, f"{_NB}/faults/{name}", title, outcome, listed)


FAULTS: tuple[Fault, ...] = (
    _fault("gzip-bomb", "gzip炸弹", "main", "gzip-bomb.html", "decompression_bomb", 1),
    _fault("deflate-bomb", "deflate炸弹", "main", "deflate-bomb.html", "decompression_bomb", 2),
    _fault("huge-page", "60MB网页", "main", "huge.html", "too_large", 3),
    _fault("huge-chunked", "60MB分块网页", "main", "huge-chunked.html", "too_large", 4),
    _fault("short-body", "内容长度不足", "main", "short.html", "truncated", 5),
    _fault("redirect-loop", "重定向循环", "main", "loop-a.html", "redirect_loop", 6),
    _fault("redirect-chain", "30次重定向", "main", "chain-1.html", "redirect_loop", 7),
    _fault("redirect-metadata", "跳转169.254.169.254", "main", "metadata.html", "blocked", 8),
    _fault("redirect-private", "跳转内网地址", "main", "private.html", "blocked", 9),
    _fault("redirect-loopback6", "跳转本机地址", "main", "loopback6.html", "blocked", 10),
    _fault("slowloris", "每秒一字节", "main", "slowloris.html", "timeout", 11),
    _fault("corrupt-pdf", "损坏的PDF", "main", "corrupt.pdf", "corrupt_file", 12),
    _fault("truncated-pdf", "截断的PDF", "main", "truncated.pdf", "corrupt_file", 13),
    _fault("pdf-bomb", "解压1.5GB的PDF", "main", "bomb.pdf", "corrupt_file", 14),
    _fault("slow-pdf", "解析极慢的PDF", "main", "slow.pdf", "timeout", 15),
    _fault("docx-bomb", "解压1GB的DOCX", "main", "bomb.docx", "decompression_bomb", 16),
    _fault("xlsx-rows", "百万空行XLSX", "main", "rows.xlsx", "near_empty", 17),
    _fault("robots-forbidden", "robots禁止", "main", "private/t2011.html", "robots", 18),
    _fault("retry-after-long", "503等待一天", "busy", "t-busy.html", "retry_after", 19),
    _fault("robots-big-forbidden", "大robots禁止", "robots_big", "private/t2010.html", "robots",
           20),
)
FAULTS = tuple(f._replace(path=f.path.replace("/faults/private/", "/private/")) for f in FAULTS)
#: Faults of the portal rather than of one link: what the crawl records for them.
SITE_FAULTS: tuple[tuple[str, str, str], ...] = (
    ("endless-pagination", "page N always links page N+1", "budget_exhausted"),
    ("calendar-trap", "a calendar linking every day of every month", "budget_exhausted"),
    ("endless-nesting", "信息公开 pages nested without end (no column)", "budget_exhausted"),
    ("silent-server", "a server that accepts and never answers", "timeout"),
    ("robots-malformed", "robots.txt: HTML, NULs, lines without colons", "robots"),
    ("robots-timeout", "robots.txt never answers", "stored"),
    ("robots-5mb", "a 5 MB robots.txt", "stored"),
    ("malformed-link", "a link to http://[", "skipped"),
)
_PAGE2 = frozenset({"page2-2013", "slow-pdf", "xlsx-rows", "retry-after-long"})

_BLOCKED_TARGETS = {
    "metadata.html": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "private.html": "http://10.0.0.8/admin/",
    "loopback6.html": "http://[::1]:8080/",
}


# --- bombs, built from one flushed block repeated -------------------------------------

_build_lock = threading.Lock()


def built(make: Callable[[], bytes]) -> bytes:
    """`make()` (cached), one build at a time: the portal builds every body when it
    starts, and an early request waits for that build instead of making its own."""
    with _build_lock:
        return make()


def build_all() -> None:
    for make in (gzip_bomb, deflate_bomb, docx_bomb, pdf_bomb, slow_pdf, xlsx_rows):
        built(make)


@functools.lru_cache(maxsize=8)
def deflate_repeat(byte: bytes, mib: int, wrapper: str) -> bytes:
    """`mib` MiB of `byte` compressed as one gzip / zlib ("deflate") stream, built from
    one compressed MiB repeated: after a full flush the compressor's state is the same
    for every block, so every block compresses to the same bytes. The stream is valid
    (checksums included) and ~1/1000 of what it inflates to."""
    block = byte * MIB
    wbits = {"gzip": 31, "zlib": 15}[wrapper]
    comp = zlib.compressobj(9, zlib.DEFLATED, wbits)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    final_block = b"\x03\x00"  # an empty final block
    if wrapper == "gzip":
        crc = 0
        for _ in range(mib):
            crc = zlib.crc32(block, crc)
        trailer = crc.to_bytes(4, "little") + ((mib * MIB) & 0xFFFFFFFF).to_bytes(4, "little")
    else:
        adler = 1
        for _ in range(mib):
            adler = zlib.adler32(block, adler)
        trailer = adler.to_bytes(4, "big")
    return first + again * (mib - 1) + final_block + trailer


def _raw_deflate_repeat(byte: bytes, mib: int) -> tuple[bytes, int]:
    """(raw deflate data, CRC-32) of `mib` MiB of `byte`, for a zip entry."""
    block = byte * MIB
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    return first * mib + b"\x03\x00", crc


def gzip_bomb() -> bytes:
    return deflate_repeat(b"<", BOMB_MIB, "gzip")


def deflate_bomb() -> bytes:
    return deflate_repeat(b"<", BOMB_MIB, "zlib")


@functools.lru_cache(maxsize=1)
def docx_bomb() -> bytes:
    """A DOCX whose word/document.xml inflates to 1 GiB (its zip directory says so)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _DOCX_TYPES)
        zf.writestr("_rels/.rels", _DOCX_RELS)
    small = buf.getvalue()
    # Append word/document.xml by hand: its compressed data is the repeated block.
    data, crc = _raw_deflate_repeat(b" ", BOMB_MIB)
    name = b"word/document.xml"
    with zipfile.ZipFile(io.BytesIO(small)) as zf:
        entries = [(info, small[info.header_offset :]) for info in zf.infolist()]
    out = io.BytesIO()
    central: list[bytes] = []
    for info, _ in entries:
        offset = out.tell()
        raw = _local_entry(small, info)
        out.write(raw)
        central.append(_central_entry(info.filename.encode(), info.CRC, info.compress_size,
                                      info.file_size, offset))
    offset = out.tell()
    size = BOMB_MIB * MIB
    out.write(_local_header(name, crc, len(data), size) + data)
    central.append(_central_entry(name, crc, len(data), size, offset))
    directory = b"".join(central)
    start = out.tell()
    out.write(directory)
    out.write(
        b"PK\x05\x06" + (0).to_bytes(4, "little")
        + len(central).to_bytes(2, "little") * 2
        + len(directory).to_bytes(4, "little") + start.to_bytes(4, "little") + b"\x00\x00"
    )  # fmt: skip
    return out.getvalue()


def _local_entry(zip_bytes: bytes, info: zipfile.ZipInfo) -> bytes:
    at = info.header_offset
    name_len = int.from_bytes(zip_bytes[at + 26 : at + 28], "little")
    extra_len = int.from_bytes(zip_bytes[at + 28 : at + 30], "little")
    return zip_bytes[at : at + 30 + name_len + extra_len + info.compress_size]


def _local_header(name: bytes, crc: int, csize: int, size: int) -> bytes:
    return (
        b"PK\x03\x04" + (20).to_bytes(2, "little") + b"\x00\x00" + (8).to_bytes(2, "little")
        + b"\x00\x00\x21\x00" + crc.to_bytes(4, "little") + csize.to_bytes(4, "little")
        + size.to_bytes(4, "little") + len(name).to_bytes(2, "little") + b"\x00\x00" + name
    )  # fmt: skip


def _central_entry(name: bytes, crc: int, csize: int, size: int, offset: int) -> bytes:
    return (
        b"PK\x01\x02" + (20).to_bytes(2, "little") * 2 + b"\x00\x00"
        + (8).to_bytes(2, "little") + b"\x00\x00\x21\x00" + crc.to_bytes(4, "little")
        + csize.to_bytes(4, "little") + size.to_bytes(4, "little")
        + len(name).to_bytes(2, "little") + b"\x00\x00" * 4 + b"\x00\x00\x00\x00"
        + offset.to_bytes(4, "little") + name
    )  # fmt: skip


# --- PDFs -------------------------------------------------------------------------------


def pdf_document(content: bytes, pages: int = 1, filter_: bytes = b"/FlateDecode") -> bytes:
    """A minimal PDF whose `pages` pages all draw one content stream (`content`, already
    compressed with `filter_`) in Helvetica."""
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(content), filter_)
        + content
        + b"\nendstream",
    ]
    for _ in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>"
        )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@functools.lru_cache(maxsize=1)
def pdf_bomb() -> bytes:
    """A one-page PDF whose content stream inflates to 1.5 GiB of spaces."""
    return pdf_document(deflate_repeat(b" ", PDF_BOMB_MIB, "zlib"))


@functools.lru_cache(maxsize=1)
def slow_pdf() -> bytes:
    """200 pages, each drawing 100,000 text fragments: minutes of parsing, 2 MB."""
    ops = b"BT /F1 1 Tf " + b"".join(
        b"%d %d Td (ab) Tj " % (i % 500, i % 700) for i in range(100_000)
    ) + b"ET"
    return pdf_document(zlib.compress(ops, 9), pages=200)


def corrupt_pdf() -> bytes:
    rng = random.Random(1)
    return b"%PDF-1.6\n" + bytes(rng.randrange(256) for _ in range(20_000))


def truncated_pdf() -> bytes:
    body = (_DATA / "files" / "hongze-2023nb.pdf").read_bytes()
    return body[: len(body) // 2]


@functools.lru_cache(maxsize=1)
def xlsx_rows(rows: int = 1_000_000) -> bytes:
    """An XLSX (4.7 MB) whose one sheet is `rows` empty rows (each with an empty cell in the last
    column, XFD), its dimension A1:XFD1048576."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _XLSX_TYPES)
        zf.writestr("_rels/.rels", _XLSX_RELS)
        zf.writestr("xl/workbook.xml", _XLSX_WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _XLSX_WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(head)
            for start in range(1, rows + 1, 10_000):
                sheet.write(b"".join(
                    b'<row r="%d"><c r="XFD%d"/></row>' % (i, i)
                    for i in range(start, min(start + 10_000, rows + 1))
                ))  # fmt: skip
            sheet.write(b"</sheetData></worksheet>")
    return buf.getvalue()


_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
_XLSX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
_XLSX_RELS = _DOCX_RELS.replace("word/document.xml", "xl/workbook.xml")
_XLSX_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_XLSX_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


# --- good reports ---------------------------------------------------------------------


def report_paragraphs(county: str, year: int) -> list[str | list[list[str]]]:
    """A plausible annual report: the standard six sections, numbers varying by year;
    tables as lists of rows."""
    rng = random.Random(f"{county}{year}")
    proactive = rng.randint(1800, 9000)
    requests = rng.randint(12, 90)
    disclosed = rng.randint(4, requests // 2)
    partly = rng.randint(1, 6)
    other = requests - disclosed - partly
    review = rng.randint(0, 4)
    upheld = rng.randint(0, review)
    lawsuits = rng.randint(0, 3)
    fees = rng.randint(10, 99) / 10
    org = f"{county}人民政府办公室"
    return [
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和上级有关要求编制。"
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
        f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        "一、总体情况",
        f"{year}年，{county}人民政府坚持以人民为中心的发展思想，认真贯彻落实《条例》，"
        "围绕县委、县政府中心工作，持续深化政务公开，以公开促落实、以公开强监管、以公开优服务。",
        f"（一）主动公开。全年通过政府门户网站主动公开政府信息{proactive}条，"
        f"其中政策文件{rng.randint(20, 90)}件，政策解读{rng.randint(10, 60)}篇，"
        f"召开新闻发布会{rng.randint(2, 12)}场。",
        f"（二）依申请公开。全年共收到政府信息公开申请{requests}件，均在法定期限内答复，"
        "答复内容规范、依据充分。",
        "（三）政府信息管理。严格落实公开前保密审查制度，动态更新政府信息公开指南和目录，"
        f"清理规范性文件{rng.randint(5, 40)}件。",
        "（四）平台建设。优化政府门户网站栏目设置，加强政务新媒体管理，"
        f"全年门户网站访问量{rng.randint(30, 300)}万人次。",
        "（五）监督保障。将政务公开工作纳入年度绩效考核，组织业务培训"
        f"{rng.randint(2, 8)}次，培训人员{rng.randint(80, 400)}人次。",
        "二、主动公开政府信息情况",
        [
            ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", "0", "0", "0"],
            ["行政规范性文件", str(rng.randint(3, 20)), str(rng.randint(0, 5)),
             str(rng.randint(30, 120))],
        ],
        "三、收到和处理政府信息公开申请情况",
        f"本年新收政府信息公开申请{requests}件，予以公开{disclosed}件，部分公开{partly}件，"
        f"其他处理{other}件。",
        "四、政府信息公开行政复议、行政诉讼情况",
        [
            ["行政复议", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
            ["行政复议", str(upheld), str(review - upheld), "0", "0", str(review)],
        ],
        f"全年发生政府信息公开行政诉讼{lawsuits}件。",
        "五、存在的主要问题及改进情况",
        "一是政策解读形式还不够丰富；二是基层政务公开标准化规范化水平有待提升。"
        "下一步，我县将创新解读方式，加强基层业务指导，推动政务公开提质增效。",
        "六、其他需要报告的事项",
        f"本年度未收取信息处理费，行政事业性收费{fees}万元按规定公开。",
        org,
        f"{year + 1}年1月{rng.randint(10, 28)}日",
    ]


def _html_block(block: str | list[list[str]]) -> str:
    if isinstance(block, str):
        return f"<p>{escape(block)}</p>"
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in block
    )
    return f'<table border="1" cellspacing="0">{rows}</table>'


#: Scripts and an image that call home: a crawler that ran them would ask for /static/.
_BEACON = (
    '<script src="/static/beacon.js"></script><script>document.cookie="seen=1";'
    'new Image().src="/static/pixel.gif?c="+document.cookie;fetch("/static/xhr");</script>'
    '<link rel="stylesheet" href="/static/site.css">'
)


def _chrome(site: str, title: str, body: str, metas: str = "") -> str:
    """A portal page around `body`. (Column pages carry no script: an empty column with
    scripts looks like a shell to render in Chromium, and the endless pager is empty.)"""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}_{escape(site)}</title>{metas}</head><body>"
        f'<div class="top"><a href="/">{escape(site)}</a> <a href="/xxgk/">政府信息公开</a> '
        '<a href="/hdjl/">互动交流</a> <a href="/bsfw/">办事服务</a> 无障碍 适老版</div>'
        '<div class="crumb">您当前所在的位置：<a href="/">首页</a> &gt; '
        '<a href="/xxgk/">政府信息公开</a> &gt; 政府信息公开年报</div>'
        f"{body}"
        f'<div class="foot">主办：{escape(site)}办公室 网站标识码：9999000001 '
        "滇ICP备00000001号 公网安备 00000000000001号 联系我们 网站地图</div></body></html>"
    )


def report_page(county: str, year: int, listed: date) -> str:
    title = _title(year, county)
    site = f"{county}人民政府"
    metas = _BEACON + (
        f'<meta name="ArticleTitle" content="{escape(title)}">'
        f'<meta name="PubDate" content="{listed.isoformat()} 09:30">'
        f'<meta name="ContentSource" content="{escape(county)}人民政府办公室">'
    )
    content = "".join(_html_block(b) for b in report_paragraphs(county, year))
    body = (
        f'<div class="article"><h1>{escape(title)}</h1>'
        f'<div class="info">发布日期：{listed.isoformat()} 来源：{escape(county)}人民政府办公室 '
        f'字体：[大 中 小] 打印</div><div id="zoom">{content}'
        '<img src="/static/seal.png" onerror="location.href=\'/static/err\'"></div></div>'
    )
    return _chrome(site, title, body, metas)


def nul_report_page(listed: date) -> bytes:
    """The 2018 report with NUL bytes, invalid UTF-8 and stray GBK spliced in."""
    page = report_page("溪山县", 2018, listed).encode("utf-8")
    at = page.index(b'<div id="zoom">') + len(b'<div id="zoom">')
    junk = b"\x00\x00\xff\xfe\xc0\xaf\x00"
    gbk = "（本页内容由旧系统迁移）".encode("gbk")
    page = page[:at] + junk + b"<p>" + gbk + b"\x00</p>" + page[at:]
    end = page.rindex(b"</div></div>")
    return page[:end] + b"\x81\x30\xff\x00" + page[end:]


def report_docx(county: str, year: int) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    def para(text: str) -> str:
        return f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>"

    parts = [para(_title(year, county))]
    for block in report_paragraphs(county, year):
        if isinstance(block, str):
            parts.append(para(block))
        else:
            rows = "".join(
                "<w:tr>" + "".join(f"<w:tc>{para(c)}</w:tc>" for c in row) + "</w:tr>"
                for row in block
            )
            parts.append(f"<w:tbl>{rows}</w:tbl>")
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{w}">'
        f"<w:body>{''.join(parts)}</w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _DOCX_TYPES)
        zf.writestr("_rels/.rels", _DOCX_RELS)
        zf.writestr("word/document.xml", document)
    return buf.getvalue()


def _listed(good: Good) -> date:
    return date(good.year + 1, 1, 20 + good.year % 8)


# --- column pages ---------------------------------------------------------------------


def _li(url: str, title: str, listed: date) -> str:
    return (
        f'<li><a href="{escape(url)}" title="{escape(title)}" target="_blank">'
        f"{escape(title)}</a><span>{listed.isoformat()}</span></li>"
    )


def _calendar(day: date) -> str:
    first = day.replace(day=1)
    before = (first - timedelta(days=1)).replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    days = []
    current = first
    while current.month == first.month:
        days.append(f'<a href="rili.html?date={current.isoformat()}">{current.day}</a>')
        current += timedelta(days=1)
    return (
        '<table class="calendar"><tr><th>'
        f'<a href="rili.html?date={before.isoformat()}">«</a> {first.year}年{first.month}月 '
        f'<a href="rili.html?date={after.isoformat()}">»</a></th></tr>'
        f"<tr><td>{' '.join(days)}</td></tr></table>"
    )


# --- the server -----------------------------------------------------------------------


class FaultRecord(NamedTuple):
    host: str
    method: str
    path: str
    status: int
    at: float  # time.monotonic() when the answer began
    wall: float  # time.time() then


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, portal: FaultsPortal, host: str, address: str) -> None:
        self.portal = portal
        self.host_key = host
        super().__init__((address, 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):  # a crawler hanging up is routine here
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 60

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self.send_error(405)

    def do_GET(self) -> None:
        portal = self.server.portal
        parts = urlsplit(self.path)
        try:
            portal.answer(self, self.server.host_key, parts.path, parts.query)
        except OSError:
            self.close_connection = True  # the crawler hung up: routine here

    # -- answers --------------------------------------------------------------------
    def record(self, status: int) -> None:
        self.server.portal.log(FaultRecord(self.server.host_key, "GET", self.path, status,
                                           time.monotonic(), time.time()))

    def send(
        self,
        status: int,
        body: bytes,
        content_type: str = HTML,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.record(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def stream(
        self,
        chunks: Iterable[bytes],
        *,
        length: int | None,
        content_type: str = HTML,
        pause: float = 0.0,
        close: bool = False,
    ) -> None:
        """Send `chunks` (with Content-Length `length`, or chunked), `pause` seconds apart;
        stop when the crawler hangs up or the portal stops."""
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        stopping = self.server.portal.stopping
        for chunk in chunks:
            if stopping.is_set():
                break
            if length is None:
                self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            else:
                self.wfile.write(chunk)
            self.wfile.flush()
            if pause and stopping.wait(pause):
                break
        else:
            if length is None:
                self.wfile.write(b"0\r\n\r\n")
        if close:
            self.close_connection = True
            self.wfile.flush()
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    def hold(self) -> None:
        """Answer nothing until the crawler hangs up or the portal stops."""
        self.record(0)
        stopping = self.server.portal.stopping
        while not stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], 0.25)
            if readable:
                with contextlib.suppress(OSError):
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        break
                    self.connection.recv(65536)
        self.close_connection = True


class _SilentServer:
    """Accepts connections and never answers."""

    def __init__(self, portal: FaultsPortal, address: str) -> None:
        self.portal = portal
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((address, 0))
        self.socket.listen(64)
        self.socket.settimeout(0.2)
        self.held: list[socket.socket] = []

    @property
    def server_address(self) -> tuple[str, int]:
        host, port = self.socket.getsockname()[:2]
        return str(host), int(port)

    def serve_forever(self, poll_interval: float = 0.2) -> None:
        while not self.portal.stopping.is_set():
            try:
                conn, _ = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            self.held.append(conn)
            self.portal.log(FaultRecord("silent", "CONNECT", "", 0, time.monotonic(), time.time()))

    def shutdown(self) -> None:
        pass

    def server_close(self) -> None:
        for conn in self.held:
            conn.close()
        self.socket.close()


class FaultsPortal:
    """The faults replica on loopback; a context manager (see the module docstring)."""

    def __init__(
        self, first_address: str = "127.0.0.200", retry_after: float = DEFAULT_RETRY_AFTER
    ) -> None:
        self.first_address = IPv4Address(first_address)
        self.retry_after = retry_after
        self.requests: list[FaultRecord] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._servers: dict[str, _Server | _SilentServer] = {}
        self._threads: list[threading.Thread] = []
        self._hits: dict[tuple[str, str], int] = {}

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> FaultsPortal:
        if self._servers:
            return self
        self.stopping.clear()
        try:
            for offset, host in enumerate(HOSTS):
                address = str(self.first_address + offset)
                server: _Server | _SilentServer
                if host == "silent":
                    server = _SilentServer(self, address)
                else:
                    server = _Server(self, host, address)
                self._servers[host] = server
        except OSError:
            self.stop()
            raise
        threading.Thread(target=build_all, name="govcrawl-faults-build", daemon=True).start()
        for host, server in self._servers.items():
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"govcrawl-faults-{host}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self.stopping.set()
        for server in self._servers.values():
            server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        for server in self._servers.values():
            server.server_close()
        self._threads.clear()
        self._servers.clear()

    def __enter__(self) -> FaultsPortal:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------------------
    def _address(self, host: str) -> tuple[str, int]:
        address, port = self._servers[host].server_address[:2]
        return str(address), int(port)

    def base_url(self, host: str) -> str:
        address, port = self._address(host)
        return f"http://{address}:{port}/"

    def url(self, host: str, path: str) -> str:
        return self.base_url(host).rstrip("/") + path

    def host_of(self, netloc: str) -> str | None:
        for key in self._servers:
            address, port = self._address(key)
            if netloc == f"{address}:{port}":
                return key
        return None

    def regions(self) -> list[Region]:
        """溪山县 (columns on `main`, `busy`, the robots hosts and `silent`) and 云岭县
        (discovery on `deep`)."""
        return [
            Region(
                slug="faults",
                code="999001",
                name="溪山县",
                level="county",
                portal=self.base_url("main"),
                cms="generic",
                report_columns=(
                    self.url("main", COLUMN),
                    *(self.url(host, f"{_NB}/") for host in ("busy", "robots_slow", "robots_big")),
                    self.url("silent", f"{_NB}/"),
                ),
                source="<faults replica>",
            ),
            Region(
                slug="faults_deep",
                code="999002",
                name="云岭县",
                level="county",
                portal=self.base_url("deep"),
                cms="generic",
                source="<faults replica>",
            ),
        ]

    def regions_toml(self) -> str:
        lines = ["# govcrawl demo: the faults replica (govcrawl/demo/faults.py)."]
        for region in self.regions():
            lines += ["", "[[region]]"]
            for key in ("slug", "code", "name", "level", "portal", "cms"):
                lines.append(f"{key} = {json.dumps(getattr(region, key), ensure_ascii=False)}")
            columns = ", ".join(json.dumps(u) for u in region.report_columns)
            lines.append(f"report_columns = [{columns}]")
        return "\n".join(lines) + "\n"

    # -- request log ---------------------------------------------------------------------
    def log(self, record: FaultRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def requests_for(self, host: str, path: str | None = None) -> list[FaultRecord]:
        with self._lock:
            return [
                r for r in self.requests
                if r.host == host and (path is None or urlsplit(r.path).path == path)
            ]  # fmt: skip

    def _hit(self, host: str, path: str) -> int:
        with self._lock:
            self._hits[(host, path)] = self._hits.get((host, path), 0) + 1
            return self._hits[(host, path)]

    # -- what each host answers ----------------------------------------------------------
    def answer(self, handler: _Handler, host: str, path: str, query: str) -> None:
        if host == "main":
            self._main(handler, path, query)
        elif host == "deep":
            self._deep(handler, path)
        else:
            self._other(handler, host, path)

    def _good(self, handler: _Handler, good: Good) -> None:
        if good.kind == "docx":
            handler.send(200, report_docx("溪山县", good.year), DOCX)
        elif good.key == "nul-bytes-2018":
            handler.send(200, nul_report_page(_listed(good)))
        else:
            county = "云岭县" if good.host == "deep" else "溪山县"
            handler.send(200, report_page(county, good.year, _listed(good)).encode())

    def _main(self, handler: _Handler, path: str, query: str) -> None:
        good = next((g for g in GOOD if g.host == "main" and g.path == path), None)
        if good is not None:
            self._good(handler, good)
            return
        if path == "/robots.txt":
            handler.send(200, MALFORMED_ROBOTS, "text/plain")
        elif path == COLUMN:
            handler.send(200, self.column_page(0).encode())
        elif path.startswith(f"{_NB}/index_") and path.endswith(".html"):
            number = path.removeprefix(f"{_NB}/index_").removesuffix(".html")
            if not number.isdigit():
                handler.send(404, NOT_FOUND)
            else:
                handler.send(200, self.column_page(int(number)).encode())
        elif path == CALENDAR:
            day = parse_qs(query).get("date", ["2024-01-01"])[0]
            try:
                when = date.fromisoformat(day)
            except ValueError:
                when = date(2024, 1, 1)
            body = f'<div class="list"><p>{when.isoformat()} 暂无信息</p></div>{_calendar(when)}'
            handler.send(200, _chrome("溪山县人民政府", "日历", body).encode())
        elif path.startswith(f"{_NB}/faults/"):
            self._fault(handler, path.removeprefix(f"{_NB}/faults/"))
        else:
            handler.send(404, NOT_FOUND)

    def _fault(self, handler: _Handler, name: str) -> None:
        if name == "gzip-bomb.html":
            handler.send(200, built(gzip_bomb), HTML, [("Content-Encoding", "gzip")])
        elif name == "deflate-bomb.html":
            handler.send(200, built(deflate_bomb), HTML, [("Content-Encoding", "deflate")])
        elif name == "huge.html":
            handler.stream(_huge_chunks(), length=HUGE_PAGE_BYTES)
        elif name == "huge-chunked.html":
            handler.stream(_huge_chunks(), length=None)
        elif name == "short.html":
            body = report_page("溪山县", 2011, date(2012, 1, 20)).encode()
            handler.stream([body[:3000]], length=len(body) + 100_000, close=True)
        elif name in ("loop-a.html", "loop-b.html"):
            other = "loop-b.html" if name == "loop-a.html" else "loop-a.html"
            handler.send(302, b"", HTML, [("Location", f"{_NB}/faults/{other}")])
        elif name.startswith("chain-") and name.endswith(".html"):
            number = int(name.removeprefix("chain-").removesuffix(".html") or 0)
            if number >= REDIRECT_CHAIN:
                handler.send(200, report_page("溪山县", 2009, date(2010, 1, 20)).encode())
            else:
                handler.send(301, b"", HTML, [("Location", f"chain-{number + 1}.html")])
        elif name in _BLOCKED_TARGETS:
            handler.send(302, b"", HTML, [("Location", _BLOCKED_TARGETS[name])])
        elif name == "slowloris.html":
            handler.stream(_slowloris_bytes(), length=200_000, pause=1.0)
        elif name == "corrupt.pdf":
            handler.send(200, corrupt_pdf(), PDF)
        elif name == "truncated.pdf":
            handler.send(200, truncated_pdf(), PDF)
        elif name == "bomb.pdf":
            handler.send(200, built(pdf_bomb), PDF)
        elif name == "slow.pdf":
            handler.send(200, built(slow_pdf), PDF)
        elif name == "bomb.docx":
            handler.send(200, built(docx_bomb), DOCX)
        elif name == "rows.xlsx":
            handler.send(200, built(xlsx_rows), XLSX)
        else:
            handler.send(404, NOT_FOUND)

    def _other(self, handler: _Handler, host: str, path: str) -> None:
        good = next((g for g in GOOD if g.host == host and g.path == path), None)
        if path == f"{_NB}/":
            handler.send(200, self.host_column(host).encode())
        elif host == "robots_slow" and path == "/robots.txt":
            handler.hold()
        elif host == "robots_big" and path == "/robots.txt":
            handler.stream(_big_robots(), length=None, content_type="text/plain")
        elif host == "busy" and good is not None:
            hits = self._hit(host, path)
            if hits == 1 and good.key == "after-429-2017":
                handler.send(429, TOO_MANY, HTML, [("Retry-After", f"{self.retry_after:g}")])
            elif hits == 1:
                when = datetime.now(UTC) + timedelta(seconds=self.retry_after + 1)
                handler.send(503, UNAVAILABLE, HTML,
                             [("Retry-After", format_datetime(when, usegmt=True))])
            else:
                self._good(handler, good)
        elif host == "busy" and path == f"{_NB}/faults/t-busy.html":
            handler.send(503, UNAVAILABLE, HTML, [("Retry-After", "86400")])
        elif good is not None:
            self._good(handler, good)
        else:
            handler.send(404, NOT_FOUND)

    def _deep(self, handler: _Handler, path: str) -> None:
        good = next((g for g in GOOD if g.host == "deep" and g.path == path), None)
        if good is not None:
            self._good(handler, good)
            return
        if path in ("/", "/xxgk/"):
            body = '<div class="nav"><a href="/xxgk/1/">政府信息公开</a></div>'
        elif path.startswith("/xxgk/") and path.strip("/").split("/")[-1].isdigit():
            level = int(path.strip("/").split("/")[-1])
            items = ""
            if level == 1:
                g = next(g for g in GOOD if g.host == "deep")
                items = f'<ul class="list">{_li(g.path, g.title, _listed(g))}</ul>'
            body = (
                f'<div class="nav"><a href="/xxgk/{level + 1}/">政务公开（第{level + 1}层）</a>'
                f"</div>{items}"
            )
        else:
            handler.send(404, NOT_FOUND)
            return
        handler.send(200, _chrome("云岭县人民政府", "政府信息公开", body).encode())

    # -- the columns -----------------------------------------------------------------------
    def host_column(self, host: str) -> str:
        """The report column of `busy` and the robots hosts: their own links again (the
        main column lists them too)."""
        rows = [_li(g.path, g.title, _listed(g)) for g in GOOD if g.host == host]
        rows += [_li(f.path, f.title, f.listed) for f in FAULTS if f.host == host]
        body = f'<div class="list"><ul>{"".join(rows)}</ul></div>'
        return _chrome("溪山县人民政府", "政府信息公开年报", body)

    def column_page(self, index: int) -> str:
        """Page 1 (index 0) and 2 list the reports and faults; every later page is empty
        and links the next one, for ever. Page 1 carries the calendar."""
        rows: list[str] = []
        if index <= 1:
            for good in GOOD:
                if good.host in ("main", "busy", "robots_slow", "robots_big") and (
                    (good.key in _PAGE2) == (index == 1)
                ):
                    url = good.path if good.host == "main" else self.url(good.host, good.path)
                    rows.append(_li(url, good.title, _listed(good)))
            for fault in FAULTS:
                if (fault.key in _PAGE2) == (index == 1):
                    url = fault.path if fault.host == "main" else self.url(fault.host, fault.path)
                    rows.append(_li(url, fault.title, fault.listed))
            if index == 0:
                rows.append(_li("http://[fe80::1%25eth0/xxgk/nb/2010.html", _title(2010),
                                date(2011, 1, 20)))
                rows.append('<li><a href="http://[broken/nb.html">溪山县2008年政府信息公开工作'
                            "年度报告</a><span>2009-01-20</span></li>")
        pager = (
            f'<div class="pager">第{index + 1}页 <a href="index.html">首页</a> '
            f'<a href="index_{index + 1}.html">下一页</a></div>'
        )
        calendar = _calendar(date(2024, 1, 1)) if index == 0 else ""
        body = f'<div class="list"><ul>{"".join(rows)}</ul></div>{pager}{calendar}'
        return _chrome("溪山县人民政府", "政府信息公开年报", body)


NOT_FOUND = (
    b"<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1>"
    b"</center><hr><center>nginx</center></body></html>"
)
TOO_MANY = b"<html><body><h1>429 Too Many Requests</h1></body></html>"
UNAVAILABLE = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
MALFORMED_ROBOTS = (
    b"\xef\xbb\xbf<!DOCTYPE html><html><head><title>robots</title></head><body>\x00\x00\n"
    b"\xff\xfe\xfd garbage \xc0\xaf <p>\xe6\x96\x87\xe4\xbb</p>\n"
    b"Crawl-delay: soon\nRequest-rate: x/y\nSitemap: http://[broken\nAllow:\n"
    b":::\n" + b"x" * 5000 + b"\n"
    b"User-agent: *\nDisallow: /xxgk/nb/private/\n\x00</body></html>\n"
)


def _huge_chunks() -> Iterator[bytes]:
    head = (
        '<html><head><meta charset="utf-8"><title>溪山县政府信息公开工作年度报告</title></head>'
        "<body><div id=\"zoom\">"
    ).encode()
    para = ("<p>" + "政务公开" * 2000 + "</p>").encode()
    chunk = para * (65536 // len(para) + 1)
    sent = len(head)
    yield head
    while sent < HUGE_PAGE_BYTES:
        piece = chunk[: HUGE_PAGE_BYTES - sent]
        sent += len(piece)
        yield piece


def _slowloris_bytes() -> Iterator[bytes]:
    yield b"<html><head><title>"
    while True:
        yield b"."


def _big_robots() -> Iterator[bytes]:
    """5 MB: one real rule, 250,000 junk rules, and `Disallow: /` at the very end."""
    yield b"User-agent: *\nDisallow: /xxgk/nb/private/\n"
    batch: list[bytes] = []
    for i in range(250_000):
        batch.append(b"Disallow: /junk/%07d/\n" % i)
        if len(batch) == 5000:
            yield b"".join(batch)
            batch = []
    yield b"".join(batch) + b"Disallow: /\n"


def main() -> int:
    with FaultsPortal() as portal:
        for host in HOSTS:
            print(f"{host:12} {portal.base_url(host)}")
        print()
        print(portal.regions_toml())
        print("Serving; Ctrl-C to stop.", file=sys.stderr)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
