"""Attachments: PDF, Word 97 (.doc), .docx, .xls and .xlsx bodies through ``extract_page``.

The PDFs and .doc files are real government attachments (see
``fixtures/attachments/README.md``); the .docx, .xlsx, .xls and the scanned
PDF are built here from known content.
"""

from __future__ import annotations

import datetime
import io
import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from govcrawl.extract import Extraction, PageInput, attachments, extract_page, pdf_text
from govcrawl.extract.attachments import detect_kind
from govcrawl.extract.page import content_hash

FIXTURES = Path(__file__).parent / "fixtures" / "attachments"
BASE = "http://www.example.gov.cn/attach/"


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def extract(data: bytes, url: str = BASE + "file.pdf", **kw: object) -> Extraction:
    return extract_page(PageInput(url=url, body=data, **kw))  # type: ignore[arg-type]


# --- the three real annual reports -----------------------------------------------------------

REPORTS = {
    "01_huaian_szf_2024_annual_report.pdf": {
        "title": "淮安市人民政府2024年政府信息公开工作年度报告",
        "year": 2024,
        "agency": "淮安市人民政府",
        "sentences": [
            # the opening, its lines joined into one paragraph
            "本报告由淮安市人民政府办公室根据《中华人民共和国政府信息公开条例》（国令第711号）"
            "（以下简称《条例》）规定编制。报告所列统计期限自2024年1月1日至2024年12月31日。",
            # a sentence running over the break between pages 1 and 2
            "组织召开了“春节前后服务企业用工和促进返乡人员就业创业专项活动”"
            "“建设‘四最’一流营商环境高质量推进产业发展”",
            # the middle
            "截至目前，全市在运维政务新媒体共计95个，在省办2024年四个季度政务新媒体检查抽查中，"
            "合格率均为100%。",
            # the end
            "2024年，市政府严格落实《政府信息公开信息处理费管理办法》，"
            "全年收取政府信息公开信息处理费3940元。",
        ],
        "paragraphs": ["一、总体情况", "二、主动公开政府信息情况", "六、其他需要报告的事项"],
        "rows": [
            "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数",
            "行政规范性文件 | 8 | 26 | 66",
            "行政处罚 | 3985758",
            "行政事业性收费 | 96171.6",
            "一、本年新收政府信息公开申请数量 | 一、本年新收政府信息公开申请数量 "
            "| 一、本年新收政府信息公开申请数量 | 3001 | 53 | 0 | 0 | 61 | 4 | 3119",
            "三、本年度办理结果 | （三）不予公开 | 1.属于国家秘密 | 2 | 0 | 0 | 0 | 0 | 0 | 2",
            " | （七）总计 | （七）总计 | 2932 | 53 | 0 | 0 | 61 | 4 | 3050",
            "72 | 64 | 178 | 37 | 351 | 13 | 4 | 8 | 1 | 26 | 12 | 1 | 1 | 6 | 20",
        ],
        "tables": 4,
    },
    "02_hongze_2023_annual_report.pdf": {
        "title": "洪泽区人民政府2023年政府信息公开工作年度报告",
        "year": 2023,
        "agency": "洪泽区人民政府",
        "sentences": [
            "报告中所列数据统计期限自2023年1月1日起至2023年12月31日止。",
            "（一）主动公开情况。主要通过政府门户网站主动公开政府文件、项目审批、通知公告等各类政府信息。"
            "2023年，我区在政府网站平台主动公开政府信息1136条。",
            # over the break between pages 1 and 2
            "严格执行“分级审核、先审后发”程序，落实“三审三校”制度，从严从实把好政治关、法律关、"
            "政策关、保密关、文字关，未经审核的信息一律不准发布。",
            "三是继续加强业务指导培训。实行政府信息公开工作人员跟班学习制度，"
            "不断提高各单位政府信息公开工作人员的思想认识和业务工作水平。",
            "2023年，区政府严格落实《政府信息公开信息处理费管理办法》，"
            "全年收取政府信息公开信息处理费0元。",
        ],
        "paragraphs": ["五、存在的主要问题及改进情况"],
        "rows": [
            "行政许可 | 550 | 550 | 550",
            "行政处罚 | 4119",
            "行政事业性收费 | 7730.28",
            # the table goes on over the page; the open bottom row is kept
            "三、本年度办理结果 | （四）无法提供 | 2.没有现成信息需要另行制作 "
            "| 3 | 0 | 0 | 0 | 0 | 0 | 3",
            " | （七）总计 | （七）总计 | 21 | 0 | 0 | 0 | 0 | 0 | 21",
            "10 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 5 | 0 | 0 | 0 | 0",
        ],
        "tables": 4,
    },
    "03_hongze_2024_annual_report.pdf": {
        "title": "淮安市洪泽区人民政府2024年政府信息公开工作年度报告",
        "year": 2024,
        "agency": "淮安市洪泽区人民政府",
        "sentences": [
            "如对本报告有疑问，请与淮安市洪泽区人民政府办公室联系（地址：淮安市洪泽区洪泽湖大道90号，"
            "邮编：223100，电话：0517-87290606）。",
            "2024年，区政府办代表区政府受理政府信息公开申请17件，均已在法定期限内予以答复。",
            "针对存在问题，2025年我们将切实抓好以下工作：一是扎实推进依申请公开工作，",
            "2024年，区政府严格落实《政府信息公开信息处理费管理办法》，"
            "全年收取政府信息公开信息处理费0元。",
        ],
        "paragraphs": ["四、政府信息公开行政复议、行政诉讼情况"],
        "rows": [
            "行政规范性文件 | 3 | 0 | 8",
            "行政处罚 | 2776",
            "行政事业性收费 | 7545",
            "一、本年新收政府信息公开申请数量 | 一、本年新收政府信息公开申请数量 "
            "| 一、本年新收政府信息公开申请数量 | 95 | 0 | 0 | 0 | 0 | 0 | 95",
            "1 | 1 | 0 | 0 | 2 | 1 | 0 | 0 | 0 | 1 | 2 | 0 | 1 | 0 | 3",
        ],
        "tables": 4,
    },
}


@pytest.fixture(scope="module")
def reports() -> dict[str, Extraction]:
    return {name: extract(body(name), BASE + name) for name in REPORTS}


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_real_report_pdf_metadata(reports: dict[str, Extraction], name: str) -> None:
    ex = reports[name]
    want = REPORTS[name]
    assert ex.reject is None and ex.reason is None
    assert ex.kind == "pdf"
    assert ex.encoding == "binary"
    assert ex.title == want["title"]  # not the generic PDF metadata title
    assert ex.report_year == want["year"]
    assert ex.is_annual_report is True
    assert ex.agency == want["agency"]
    assert ex.published_at is None  # no date under these reports, none in the listing
    assert ex.flags == []
    assert ex.content_hash == content_hash(ex.text)
    assert ex.meta["Pages"] == ex.meta["PagesRead"]
    assert ex.meta["DocCreator"].startswith("WPS")


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_real_report_pdf_text(reports: dict[str, Extraction], name: str) -> None:
    ex = reports[name]
    want = REPORTS[name]
    lines = ex.text.split("\n")
    # The title's two lines open the text; page numbers (- 1 -) are gone.
    assert want["title"].startswith(lines[0])
    assert want["title"].endswith(lines[1])
    assert not [line for line in lines if line.strip(" -—").isdigit()]
    for sentence in want["sentences"]:
        assert sentence in ex.text
    for paragraph in want["paragraphs"]:
        assert paragraph in lines  # headings are paragraphs of their own
    for row in want["rows"]:
        assert row in lines
    # No spaces invented between CJK and digits by the layout ("2024 年").
    assert "2024 年" not in ex.text and "2023 年" not in ex.text


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_real_report_pdf_tables(reports: dict[str, Extraction], name: str) -> None:
    ex = reports[name]
    assert len(ex.tables) == REPORTS[name]["tables"]
    for table in ex.tables:
        widths = {len(row) for row in table}
        assert len(widths) == 1  # merged cells expanded: every row as wide as the table
    # The application statistics table runs over two or three pages and is one table.
    stats = next(t for t in ex.tables if t[0][0].startswith("（本列数据的勾稽关系"))
    assert len(stats[0]) == 10
    assert stats[-1][0] == "四、结转下年度继续办理"
    firsts = [row[3] for row in stats if row[0] == "一、本年新收政府信息公开申请数量"]
    assert len(firsts) == 1


def test_pdf_speed() -> None:
    """Generous: the three reports (16 pages) take ~0.12 s together on the dev machine."""
    import time

    extract(body("01_huaian_szf_2024_annual_report.pdf"))  # imports, warm-up
    start = time.perf_counter()
    pages = 0
    for name in REPORTS:
        pages += int(extract(body(name)).meta["Pages"])
    assert pages == 16
    assert time.perf_counter() - start < 10


def test_pdf_page_cap_flags_truncated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_text, "MAX_PAGES", 2)
    ex = extract(body("01_huaian_szf_2024_annual_report.pdf"))
    assert "truncated" in ex.flags
    assert ex.meta["PagesRead"] == "2" and ex.meta["Pages"] == "6"
    assert ex.title == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert "3940元" not in ex.text


def test_listing_metadata_wins_for_dates_but_not_for_a_report_title() -> None:
    ex = extract(
        body("02_hongze_2023_annual_report.pdf"),
        listing_title="洪泽区2023年政府信息公开年报.pdf",
        listing_date=datetime.date(2024, 1, 30),
    )
    assert ex.title == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert ex.published_at == datetime.date(2024, 1, 30)
    assert ex.report_year == 2023


# --- PDFs drawn here with PDFium -------------------------------------------------------------


def drawn_pdf(
    texts: list[tuple[str, float, float, float, bool]],
    rules: list[tuple[float, float, float, float]],
    rotate: int = 0,
) -> bytes:
    """One A4 page: Helvetica texts (string, x, y, size, set upwards?) and stroked rules."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    font = raw.FPDFText_LoadStandardFont(pdf.raw, b"Helvetica")
    for text, x, y, size, upwards in texts:
        obj = raw.FPDFPageObj_CreateTextObj(pdf.raw, font, size)
        buf = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
        raw.FPDFText_SetText(obj, ctypes.cast(buf, ctypes.POINTER(raw.FPDF_WCHAR)))
        if upwards:
            raw.FPDFPageObj_Transform(obj, 0, 1, -1, 0, 0, 0)
        raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
        raw.FPDFPage_InsertObject(page.raw, obj)
    for x0, y0, x1, y1 in rules:
        path = raw.FPDFPageObj_CreateNewPath(x0, y0)
        raw.FPDFPath_LineTo(path, x1, y1)
        raw.FPDFPath_SetDrawMode(path, 0, 1)
        raw.FPDFPage_InsertObject(page.raw, path)
    if rotate:
        page.set_rotation(rotate)
    raw.FPDFPage_GenerateContent(page.raw)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


# In reading space: two lines, a 2x2 ruled table, a line after it.
SIDEWAYS_TEXTS = [
    ("Annual report", 100, 100, 14),
    ("Second line here", 130, 100, 12),
    ("a1", 222, 310, 10),
    ("b1", 222, 410, 10),
    ("a2", 252, 310, 10),
    ("b2", 252, 410, 10),
    ("After the table", 300, 100, 12),
]
SIDEWAYS_RULES = [(x, 300.0, x, 500.0) for x in (200, 230, 260)] + [
    (200.0, y, 260.0, y) for y in (300, 400, 500)
]
DRAWN_TEXT = "Annual report\nSecond line here\na1 | b1\na2 | b2\nAfter the table"


def test_drawn_pdf_text_and_table() -> None:
    upright = drawn_pdf(
        [(s, y, 842 - x, size, False) for s, x, y, size in SIDEWAYS_TEXTS],
        [(y0, 842 - x0, y1, 842 - x1) for x0, y0, x1, y1 in SIDEWAYS_RULES],
    )
    ex = extract(upright)
    assert ex.text == DRAWN_TEXT  # short lines are not run together; words keep their spaces
    assert ex.tables == [[["a1", "b1"], ["a2", "b2"]]]


def test_landscape_page_turned_by_rotate_reads_as_shown() -> None:
    """Text set upwards on a portrait page that /Rotate 90 shows as landscape."""
    sideways = drawn_pdf(
        [(s, x, y, size, True) for s, x, y, size in SIDEWAYS_TEXTS], SIDEWAYS_RULES, rotate=90
    )
    ex = extract(sideways)
    assert ex.text == DRAWN_TEXT
    assert ex.tables == [[["a1", "b1"], ["a2", "b2"]]]


# --- scanned, corrupt, encrypted ------------------------------------------------------------


def scanned_pdf(pages: int = 2) -> bytes:
    """A PDF whose pages are only images, as a scanner makes them."""
    from PIL import Image, ImageDraw

    images = []
    for i in range(pages):
        img = Image.new("RGB", (620, 877), "white")
        draw = ImageDraw.Draw(img)
        for y in range(80, 800, 30):
            draw.rectangle((60, y, 560 - 40 * (i % 2), y + 12), fill="black")  # "lines of text"
        images.append(img)
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:])
    return buf.getvalue()


def test_scanned_pdf_has_no_text_layer() -> None:
    ex = extract(scanned_pdf(), BASE + "P020240130512345.pdf")
    assert ex.reject is None
    assert ex.kind == "pdf"
    assert "no_text_layer" in ex.flags
    assert ex.text == ""
    assert ex.is_annual_report is False
    assert ex.title == "P020240130512345"  # the file name: nothing better
    assert ex.meta["Pages"] == "2"


def test_scanned_pdf_is_a_report_by_its_listing_title_only() -> None:
    ex = extract(scanned_pdf(1), listing_title="某某县2023年政府信息公开工作年度报告")
    assert "no_text_layer" in ex.flags
    assert ex.title == "某某县2023年政府信息公开工作年度报告"
    assert ex.is_annual_report is True
    assert ex.report_year == 2023


def minimal_pdf(objects: list[bytes], trailer: str = "") -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer}>>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return out


PAGE_OBJECTS = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
]


def test_password_protected_pdf_is_unreadable() -> None:
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (b"11" * 32, b"22" * 32)
    file_id = "<0123456789abcdef0123456789abcdef>"
    data = minimal_pdf([*PAGE_OBJECTS, encrypt], f"/Encrypt 4 0 R /ID [{file_id} {file_id}] ")
    ex = extract(data, listing_title="某市2023年政府信息公开工作年度报告")
    assert (ex.reject, ex.reason, ex.kind) == ("unreadable", "encrypted pdf", "pdf")
    assert ex.text == "" and ex.is_annual_report is False
    assert ex.title == "某市2023年政府信息公开工作年度报告"


def test_blank_pdf_has_no_text_layer() -> None:
    ex = extract(minimal_pdf(PAGE_OBJECTS))
    assert ex.reject is None and "no_text_layer" in ex.flags and ex.text == ""


@pytest.mark.parametrize("cut", [0, 9, 5000, 100_000])
def test_truncated_pdf_is_unreadable(cut: int) -> None:
    ex = extract(body("01_huaian_szf_2024_annual_report.pdf")[:cut])
    assert ex.reject == "unreadable"
    assert ex.reason == "corrupt pdf"
    assert ex.kind == "pdf"
    assert ex.content_hash == content_hash("")


def test_random_bytes_at_a_pdf_url_are_unreadable() -> None:
    noise = random.Random(7).randbytes(4096)
    ex = extract(noise, BASE + "report.pdf")
    assert (ex.reject, ex.kind) == ("unreadable", "pdf")
    ex = extract(noise, BASE + "download.do?id=7", content_type="application/pdf")
    assert (ex.reject, ex.kind) == ("unreadable", "pdf")
    # random bytes claiming nothing are not an attachment: the HTML path has them
    assert extract(noise, BASE + "page.html").kind == "html"


@pytest.mark.parametrize(
    "name",
    [*sorted(REPORTS), "25_nanchang_customs_2023_notice.doc", "26_yichun_2019_exam_list.doc"],
)
def test_damaged_files_never_raise(name: str) -> None:
    data = body(name)
    rng = random.Random(name)
    for _ in range(3):
        damaged = bytearray(data)
        for _ in range(40):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        ex = extract(bytes(damaged), BASE + name)
        assert isinstance(ex, Extraction)
        assert ex.reject in (None, "unreadable", "near_empty")
        if ex.reject == "unreadable":
            assert ex.reason
    for cut in (len(data) // 3, len(data) - 100):
        assert isinstance(extract(data[:cut], BASE + name), Extraction)


# --- Word 97 ------------------------------------------------------------------------------------


def test_doc_nanchang_customs_notice() -> None:
    name = "25_nanchang_customs_2023_notice.doc"
    ex = extract(body(name), BASE + name)
    assert (ex.kind, ex.reject, ex.encoding) == ("doc", None, "binary")
    lines = ex.text.split("\n")
    assert lines[:2] == ["南昌海关", "2023年度拟录用公务员公示公告"]
    assert (
        "根据2023年度中央机关及其直属机构考试录用公务员工作有关要求，经过笔试、面试、体检和考察等程序，"
        "确定袁敏等15人为南昌海关拟录用公务员，现予以公示。公示期间如有问题，请向南昌海关反映。"
    ) in lines
    assert "公示时间：2023年5月22日至5月26日（5个工作日）" in lines
    assert "联系地址：江西省南昌市西湖区沿江中大道100号" in lines
    assert "2023年5月19日" in lines
    # The attached list is a table: cells and rows told apart by the paragraph properties,
    # so the empty (vertically merged) cell of row 9 stays a cell.
    assert (
        "序号 | 拟录用职位及代码 | 姓名 | 性别 | 准考证号 | 学历 | 毕业院校 | 工作单位 | 备注"
        in lines
    )
    assert (
        "1 | 南昌昌北机场海关卫生检疫四级主办及以下职位（300110001001） | 袁敏 | 女 "
        "| 129344021902524 | 大学本科 | 广东药科大学 | 无 | 应届毕业生"
    ) in lines
    assert (
        "9 |  | 梁中兴 | 男 | 129336050504706 | 大学本科 | 上海海关学院 | 无 | 应届毕业生" in lines
    )
    assert lines[-1] == "注：同一职位考生按准考证号排列"
    assert len(ex.tables) == 1 and len(ex.tables[0]) == 16
    assert {len(row) for row in ex.tables[0]} == {9}
    assert ex.is_annual_report is False and ex.report_year is None
    # the metadata title is a template's (XXX（单位）20XX年度…): the file name instead
    assert ex.meta["DocTitle"] == "XXX（单位）20XX年度拟录用公务员"
    assert ex.title == "25_nanchang_customs_2023_notice"


def test_doc_with_listing_title_is_still_not_a_report() -> None:
    ex = extract(
        body("25_nanchang_customs_2023_notice.doc"),
        BASE + "P020230519.doc",
        listing_title="南昌海关2023年度拟录用公务员公示公告",
    )
    assert ex.title == "南昌海关2023年度拟录用公务员公示公告"
    assert ex.is_annual_report is False


def test_doc_yichun_exam_list() -> None:
    name = "26_yichun_2019_exam_list.doc"
    ex = extract(body(name), BASE + name)
    assert (ex.kind, ex.reject) == ("doc", None)
    lines = ex.text.split("\n")
    assert lines[:2] == ["附件5", "关于取消部分职位录用计划的说明"]
    assert lines[2].startswith(
        "根据《江西省2019年度考试录用公务员公告》有关规定，对调剂后面试人数仍不足规定面试比例的职位，"
        "取消录用计划。"
    )
    assert lines[2].endswith("我市下列职位因网上公开调剂和资格审查环节无人进入面试，取消录用计划。")
    assert ex.tables == [
        [
            ["序号", "部门名称", "职位代码", "原录用计划数"],
            ["1", "靖安县罗湾乡政府", "2202400050049", "1"],
            ["2", "靖安县罗湾乡政府", "2202400050050", "1"],
            ["3", "奉新县甘坊镇人民政府", "2202500050017", "1"],
            ["4", "上高县野市乡政府", "2202700050019", "1"],
        ]
    ]
    assert lines[-1] == "4 | 上高县野市乡政府 | 2202700050019 | 1"  # no footnote separators
    assert ex.is_annual_report is False
    assert ex.meta["DocAuthor"] == "Administrator"


def test_doc_compressed_and_unicode_pieces_and_fields() -> None:
    """A cp1252 (compressed) piece and a UTF-16 piece; a field keeps its result only."""
    import struct

    from govcrawl.extract import doc_word97

    one = "Hello \x13 PAGE \x14" + "1\x15 world\r"
    two = "中文段落\r"
    word = b"\x00" * 64 + one.encode("cp1252") + two.encode("utf-16-le")
    fc_one, fc_two = 64, 64 + len(one)
    cps = [0, len(one), len(one) + len(two)]
    pcds = b"".join(struct.pack("<HIH", 0, fc, 0) for fc in ((fc_one * 2) | 0x40000000, fc_two))
    plc = struct.pack("<3i", *cps) + pcds
    clx = b"\x01" + struct.pack("<h", 2) + b"\x00\x00" + b"\x02" + struct.pack("<I", len(plc)) + plc
    pieces = doc_word97._pieces(clx, 0, len(clx))
    assert [(p.compressed, p.fc) for p in pieces] == [(True, fc_one), (False, fc_two)]
    assert doc_word97._walk(word, pieces, cps[-1], None) == ["Hello 1 world", "中文段落"]


@pytest.mark.parametrize(
    ("patch", "reason"),
    [((0x0A, 0x0100), "encrypted doc"), ((0x02, None), "Word 6/95 document")],
)
def test_doc_encrypted_or_word95_is_unreadable(
    tmp_path: Path, patch: tuple[int, int | None], reason: str
) -> None:
    import struct

    import olefile

    path = tmp_path / "x.doc"
    path.write_bytes(body("26_yichun_2019_exam_list.doc"))
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        word = bytearray(ole.openstream("WordDocument").read())
        offset, bit = patch
        if bit is None:
            struct.pack_into("<H", word, offset, 0x0065 - 1)  # nFib of Word 95
        else:
            value = struct.unpack_from("<H", word, offset)[0]
            struct.pack_into("<H", word, offset, value | bit)
        ole.write_stream("WordDocument", bytes(word))
    ex = extract(path.read_bytes(), BASE + "x.doc")
    assert (ex.kind, ex.reject, ex.reason) == ("doc", "unreadable", reason)


# --- DOCX, built here -------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w_p(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def w_r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def w_tc(text: str, span: int = 1, vmerge: str | None = None) -> str:
    props = ""
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{w_p(w_r(text)) if text else '<w:p/>'}</w:tc>"


def make_docx(body_xml: str, title: str | None = None) -> bytes:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml">'
        f"<w:body>{body_xml}<w:sectPr/></w:body></w:document>"
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/">'
        f"<dc:title>{escape(title or '')}</dc:title><dc:creator>张三</dc:creator>"
        "</cp:coreProperties>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("word/document.xml", document)
        zf.writestr("docProps/core.xml", core)
    return buf.getvalue()


REPORT_DOCX_BODY = "".join(
    [
        w_p(w_r("某某县人民政府办公室")),
        w_p(w_r("2023年政府信息公开"), w_r("工作年度报告")),  # one line in two runs
        w_p(
            w_r("本报告根据《中华人民共和国政府信息公开条例》编制。"),
            "<w:del><w:r><w:delText>删掉的字</w:delText></w:r></w:del>",
            "<w:ins><w:r><w:t>新增的字。</w:t></w:r></w:ins>",
        ),
        w_p(w_r("一、总体情况")),
        w_p(
            w_r("2023年，本县主动公开政府信息1200条"),
            # a field: its code is left out, its result kept
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> HYPERLINK "http://x" </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
            w_r("（详见网站）"),
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
            w_r("，依申请公开办理申请15件。"),
            "<w:r><w:br/></w:r>",
            w_r("第二行。"),
        ),
        w_p(
            w_r("文本框在此："),
            # a text box: once, from mc:Choice, not again from the VML fallback
            '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx>'
            f"<w:txbxContent>{w_p(w_r('文本框里的字'))}</w:txbxContent>"
            "</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox>"
            f"<w:txbxContent>{w_p(w_r('文本框里的字'))}</w:txbxContent>"
            "</v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>",
        ),
        w_p(w_r("二、主动公开政府信息情况")),
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>",
        "<w:tr>" + w_tc("第二十条第（一）项", span=3) + "</w:tr>",
        "<w:tr>" + w_tc("信息内容") + w_tc("本年制发件数") + w_tc("现行有效件数") + "</w:tr>",
        "<w:tr>" + w_tc("规章", vmerge="restart") + w_tc("1") + w_tc("11") + "</w:tr>",
        "<w:tr>" + w_tc("", vmerge="continue") + w_tc("2") + w_tc("12") + "</w:tr>",
        '<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>' + w_tc("合计", span=2) + "</w:tr>",
        "</w:tbl>",
        w_p(w_r("三、收到和处理政府信息公开申请情况")),
        w_p(w_r("某某县人民政府办公室")),
        w_p(w_r("2024年1月20日")),
    ]
)


def test_docx_report() -> None:
    ex = extract(make_docx(REPORT_DOCX_BODY, title="年度报告"), BASE + "report.docx")
    assert (ex.kind, ex.reject, ex.encoding) == ("docx", None, "binary")
    assert ex.text.split("\n") == [
        "某某县人民政府办公室",
        "2023年政府信息公开工作年度报告",
        "本报告根据《中华人民共和国政府信息公开条例》编制。新增的字。",
        "一、总体情况",
        "2023年，本县主动公开政府信息1200条（详见网站），依申请公开办理申请15件。",
        "第二行。",
        "文本框在此：",
        "文本框里的字",
        "二、主动公开政府信息情况",
        "第二十条第（一）项 | 第二十条第（一）项 | 第二十条第（一）项",
        "信息内容 | 本年制发件数 | 现行有效件数",
        "规章 | 1 | 11",
        "规章 | 2 | 12",
        " | 合计 | 合计",
        "三、收到和处理政府信息公开申请情况",
        "某某县人民政府办公室",
        "2024年1月20日",
    ]
    assert ex.tables == [
        [
            ["第二十条第（一）项"] * 3,
            ["信息内容", "本年制发件数", "现行有效件数"],
            ["规章", "1", "11"],
            ["规章", "2", "12"],
            ["", "合计", "合计"],
        ]
    ]
    assert ex.title == "某某县人民政府办公室2023年政府信息公开工作年度报告"
    assert ex.is_annual_report is True
    assert ex.report_year == 2023
    assert ex.published_at == datetime.date(2024, 1, 20)  # the signature's date
    assert ex.agency == "某某县人民政府办公室"
    assert ex.meta["DocAuthor"] == "张三"
    assert ex.content_hash == content_hash(ex.text)


def test_docx_title_falls_back_to_listing_then_metadata_then_file_name() -> None:
    data = make_docx(w_p(w_r("关于做好某项工作的说明")) + w_p(w_r("正文。")), title="某项工作说明")
    url = BASE + "%E9%99%84%E4%BB%B6.docx"  # 附件.docx
    assert extract(data, url, listing_title="某项工作 .docx").title == "某项工作"
    assert extract(data, url).title == "某项工作说明"
    assert extract(make_docx(w_p(w_r("正文。"))), BASE + "%E8%AF%B4%E6%98%8E.docx").title == "说明"


def test_empty_docx_is_near_empty() -> None:
    ex = extract(make_docx(""), BASE + "a.docx")
    assert (ex.kind, ex.reject) == ("docx", "near_empty")


def test_zip_that_is_not_office_is_unreadable() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    ex = extract(buf.getvalue(), BASE + "files.zip")
    assert (ex.kind, ex.reject) == ("zip", "unreadable")
    # a zip at a .docx URL without the Word parts
    ex = extract(buf.getvalue(), BASE + "report.docx")
    assert ex.reject == "unreadable"


# --- spreadsheets, built here -------------------------------------------------------------------


def test_xlsx_sheets_become_tables() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "统计"
    ws.append(["信息内容", "本年制发件数", "现行有效件数"])
    ws.append(["规章", 1, 11.0])
    ws.append([None, 2, 12.5])
    ws.merge_cells("A2:A3")
    ws.append(["发布日期", datetime.date(2024, 1, 20), None])
    ws.append([])
    ws.append(["合计", "=B2+B3", None])  # a formula without a cached value reads as empty
    notes = wb.create_sheet("说明")
    notes["B2"] = "数据截至2023年12月31日"
    wb.properties.title = "统计表"
    buf = io.BytesIO()
    wb.save(buf)
    ex = extract(buf.getvalue(), BASE + "data.xlsx")
    assert (ex.kind, ex.reject, ex.encoding) == ("xlsx", None, "binary")
    assert ex.tables == [
        [
            ["信息内容", "本年制发件数", "现行有效件数"],
            ["规章", "1", "11"],
            ["规章", "2", "12.5"],
            ["发布日期", "2024-01-20", ""],
            ["合计", "", ""],
        ],
        [["", "数据截至2023年12月31日"]],
    ]
    assert ex.text.split("\n") == [
        "统计",
        "信息内容 | 本年制发件数 | 现行有效件数",
        "规章 | 1 | 11",
        "规章 | 2 | 12.5",
        "发布日期 | 2024-01-20 | ",
        "合计 |  | ",
        "说明",
        " | 数据截至2023年12月31日",
    ]
    assert ex.title == "统计表"
    assert ex.meta["Sheets"] == "2"
    assert ex.is_annual_report is False


def test_spreadsheet_title_row_is_the_title() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某县2023年政府信息公开工作年度报告统计表", None, None])
    ws.merge_cells("A1:C1")
    ws.append(["信息内容", "本年新收政府信息公开申请数量", "依申请公开"])
    ws.append(["行政复议", 1, 2])
    buf = io.BytesIO()
    wb.save(buf)
    ex = extract(buf.getvalue(), BASE + "P020240131.xlsx")
    assert ex.title == "某县2023年政府信息公开工作年度报告统计表"
    assert ex.tables[0][0] == ["某县2023年政府信息公开工作年度报告统计表"] * 3
    # listing text, when there is one, comes first
    ex = extract(buf.getvalue(), BASE + "P020240131.xlsx", listing_title="附表：统计表")
    assert ex.title == "附表：统计表"


def test_xls_sheets_become_tables() -> None:
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("公开情况")
    ws.write(0, 0, "信息内容")
    ws.write(0, 1, "本年处理决定数量")
    ws.write_merge(1, 2, 0, 0, "行政许可")
    ws.write(1, 1, 447228)
    ws.write(2, 1, 96171.6)
    ws.write(3, 0, "日期")
    ws.write(3, 1, datetime.date(2025, 1, 20), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    ws.write(4, 0, "是否公开")
    ws.write(4, 1, True)
    buf = io.BytesIO()
    wb.save(buf)
    ex = extract(buf.getvalue(), BASE + "download?id=3")  # no extension: the OLE streams tell
    assert (ex.kind, ex.reject, ex.encoding) == ("xls", None, "binary")
    assert ex.tables == [
        [
            ["信息内容", "本年处理决定数量"],
            ["行政许可", "447228"],
            ["行政许可", "96171.6"],
            ["日期", "2025-01-20"],
            ["是否公开", "TRUE"],
        ]
    ]
    assert ex.text.split("\n")[2] == "行政许可 | 96171.6"
    assert ex.title == "download"


# --- what is an attachment ---------------------------------------------------------------------


def test_detect_kind_magic_first() -> None:
    pdf = body("03_hongze_2024_annual_report.pdf")
    doc = body("26_yichun_2019_exam_list.doc")
    docx = make_docx(w_p(w_r("x")))
    assert detect_kind(pdf, "text/html", BASE + "page.html") == "pdf"
    assert detect_kind(b"\r\n" + pdf, None, "") == "pdf"  # junk before the header
    assert detect_kind(doc, "application/pdf", BASE + "a.pdf") == "doc"
    assert detect_kind(docx, None, BASE + "a.xlsx") == "docx"
    assert detect_kind(b"<html><body>404</body></html>", "application/pdf", BASE + "a.pdf") is None
    assert detect_kind(b"<html><p>%PDF-1.4 is a header</p></html>", None, BASE + "a.html") is None
    assert detect_kind(b"\xef\xbb\xbf  <!DOCTYPE html>", None, BASE + "a.doc") is None
    assert detect_kind(b"garbage", "application/msword", BASE + "x") == "doc"
    assert detect_kind(b"garbage", "application/octet-stream", BASE + "a.XLSX?v=1") == "xlsx"
    assert detect_kind(b"garbage", "text/html", BASE + "a.pdf") is None
    assert detect_kind(b"garbage", None, BASE + "a.html") is None


def test_html_pages_still_take_the_html_path() -> None:
    page = (
        b"<html><head><title>t</title></head><body><p>"
        + "正文".encode() * 200
        + b"</p></body></html>"
    )
    ex = extract(page, BASE + "a.html", content_type="text/html")
    assert ex.kind == "html" and ex.encoding != "binary"


def test_content_hash_is_the_html_one() -> None:
    assert attachments.content_hash(" a\nb ") == content_hash("ab")
