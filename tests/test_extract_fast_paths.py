"""The quick paths of the extractor find what the plain patterns find."""

from __future__ import annotations

import random
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lxml.etree import XPath

from govcrawl.discovery import classify
from govcrawl.extract import chrome, dom, flags, tables, xpaths
from govcrawl.extract.decode import decode_body
from govcrawl.extract.dom import text_with_breaks
from govcrawl.extract.model import Extraction
from govcrawl.extract.page import parse_html
from govcrawl.worker import _no_nul, inert

_WORDS = [
    "下注", "娱乐", "平台", "casino", "CASINO", "Casino", "bet365", "BET365", "betting", "app",
    "APP", "App", "澳门", "彩票平台", "真人娱乐城", "皇冠体育", "体育", "a", "b", "c", "ca", "be",
    "cas", "ſ", "İ", "K", " ", "-", "2024", "政府", "信息", "公开", "x", "X", "×", "ｘ", "Ｘ", "20",
    "19", "年", "页面不存在", "not found", "404", "〔", "您所访问的页面已过期",
    "你访问的内容不存在",
    "信息已被删除", "NOT FOUND", "Not\tFound", "系统繁忙", "该文章已撤销", "内容删除", "n", "N",
    "找不到您要访问的页面", "页面", "已", "被", "删除", "40", "3", "号",
]  # fmt: skip


def _texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 60))) for _ in range(n)]


@pytest.mark.parametrize(
    ("words", "pattern"),
    [(flags._ANY_WORDS, flags._ANY_GAMBLING_RE), (flags._STRONG_WORDS, flags._STRONG_RE)],
)
def test_gambling_words_are_found_as_the_pattern_finds_them(
    words: flags._Words, pattern: re.Pattern[str]
) -> None:
    for text in _texts(3000):
        expected = [(m.span(), m.group(0)) for m in pattern.finditer(text)]
        assert [(m.span(), m.group(0)) for m in words.finditer(text)] == expected, text


def test_cased_gambling_words_start_only_where_their_first_letters_are() -> None:
    # re.I lets a letter stand for more than its upper and lower case (ſ for s, K for k):
    # the quick path must know every character a cased word can start with.
    for words in (flags._ANY_WORDS, flags._STRONG_WORDS):
        assert words.cased is not None
        firsts = {w[0] for w in words.cased.pattern.split("|")}
        first = re.compile("[" + "".join(map(re.escape, firsts)) + "]", re.I)
        for code in range(sys.maxunicode + 1):
            ch = chr(code)
            if first.fullmatch(ch):
                assert words.starts.fullmatch(ch), hex(code)


def test_placeholder_quick_test() -> None:
    for text in _texts(3000, seed=11):
        assert flags.has_placeholders(text) == (flags._PLACEHOLDER_RE.search(text) is not None)
        farm = len(classify._PLACEHOLDER_RE.findall(text)) >= 2
        assert classify.looks_like_content_farm(None, text) == farm or "范" in text, text


def test_soft404_guess_covers_every_soft404_text() -> None:
    # Whatever part of the visible text the main text turns out to be, a soft-404 text
    # is never missed by the guess made from the visible text alone.
    for text in _texts(3000, seed=13):
        visible = "\n".join(text.split(" "))  # the pieces, as separate elements give them
        for main in (text, text.replace(" ", ""), text[: len(text) // 2]):
            if flags.is_soft404(None, main.strip()):
                assert flags.may_be_soft404(None, visible), (main, visible)
    assert flags.may_be_soft404("页面不存在", "")
    assert flags.may_be_soft404(None, "", 404)
    assert flags.may_be_soft404(None, "页面\n不存在")
    assert flags.may_be_soft404(None, "not\u200bfound")
    notice = "关于印发2024年政务公开工作要点的通知"
    assert not flags.may_be_soft404(notice, "各单位：现将要点印发给你们。")


_CHROME_BITS = [
    "登录", "注 册", "EN", "English", "简", "繁体", "手机", "扫一扫打开", "二维码", "微信",
    "首页", "搜 索", "上一页", "位置：", "当前位置", "本刊记者 张三", "成文日期：2024-01-02",
    "来源：", "来 源:", "编辑：", "记 者：", "摄：", "点击量：12", "[大]", "中", "小", "（", "）",
    "下一篇：", "文 号：", "主题分类：", "备案号", "ICP备", "蒙ICP备2022001701号-1", "公网安备",
    "名 称：", "主办：", "技术支持：", "建议使用", "浏览器", "热线：12345", "网站年度报表", "top",
    "TOP", "Top", "copyright", "COPYRIGHT", "all rights reserved", "©", "政府", "信息", "公开",
    "2024", " ", "|", "。", "网站", "报告", "第3页", "共5页", "发布时间：", "打印", "关闭窗口",
]  # fmt: skip


def _is_chrome_line_without_hint(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > chrome._MAX_CHROME_LINE:
        return False
    if chrome._is_bare_breadcrumb(s):
        return True
    rest, strong = chrome._STRONG_RE.subn("", s)
    if strong == 0:
        return False
    return chrome._RESIDUE_RE.fullmatch(chrome._WEAK_RE.sub("", rest)) is not None


FIXTURES = Path(__file__).parent / "fixtures"


def _real_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted(FIXTURES.rglob("*.html")):
        tree = parse_html(decode_body(path.read_bytes())[0])
        if tree is not None:
            lines += [line for t in tree.itertext() for line in t.split("\n") if line.strip()]
    return lines


def test_strong_phrase_hint_never_misses_a_phrase() -> None:
    rng = random.Random(17)
    made = [
        "".join(rng.choice(_CHROME_BITS) for _ in range(rng.randint(1, 8))) for _ in range(6000)
    ]
    for line in made + _real_lines():
        if chrome._STRONG_RE.search(line) is not None:
            assert chrome._may_have_strong(line), line
        assert chrome.is_chrome_line.__wrapped__(line) == _is_chrome_line_without_hint(line), line


def test_strong_phrase_hint_has_a_plain_branch_for_every_phrase() -> None:
    # Else the hint still works, but no quicker than _STRONG_RE.
    from re import _constants, _parser  # type: ignore[attr-defined]

    for branch in _parser.parse(chrome._STRONG_HINT_RE.pattern).data[0][1][1]:
        assert branch.data[0][0] is _constants.LITERAL, branch
    assert set(chrome._STRONG_FROM_WORD) <= set(chrome._STRONG)
    assert set(chrome._LATIN_STRONG) <= set(chrome._STRONG)


def test_latin_phrases_start_only_where_a_t_c_or_a_is() -> None:
    first = re.compile("[tca]", re.I)
    for code in range(sys.maxunicode + 1):
        if first.fullmatch(chr(code)):
            assert chrome._LATIN_START_RE.fullmatch(chr(code)), hex(code)


def test_soft404_quick_tests_find_what_the_patterns_find() -> None:
    for text in _texts(5000, seed=19):
        assert flags._soft404_phrase(text) == (flags._SOFT404_RE.search(text) is not None), text
        assert flags._bare_404(text) == (flags._BARE_404_RE.search(text) is not None), text
    first = re.compile("n", re.I)
    for code in range(sys.maxunicode + 1):
        if first.fullmatch(chr(code)):
            assert flags._SOFT404_EN_START_RE.fullmatch(chr(code)), hex(code)


_HIDDEN_PLAIN = XPath(
    "//body//*[@hidden or contains(@class, 'ng-hide') or contains(@style, 'none')"
    " or contains(@style, 'hidden') or contains(@style, 'NONE') or contains(@style, 'HIDDEN')]"
)
_HEADINGS_PLAIN = XPath(
    "//h1 | //h2 | //*[self::div or self::p or self::td or self::span or self::h3]"
    "[contains(@class, 'title') or contains(@class, 'Title') or contains(@id, 'title')"
    " or contains(@class, 'bt') or contains(@class, 'tit')]"
)
_EDGE_PAGES = [
    '<html><body style="display:none" class="ng-hide" hidden><p style="display:none">a</p>'
    '<div class="x ng-hide"><span hidden>b</span></div><body style="display:none">'
    '<i style="visibility:hidden">c</i></body></body></html>',
    '<p style="DISPLAY:NONE" class="title">x</p><div hidden class=ng-hide style="HIDDEN">y</div>'
    '<td id="subtitle">z</td><h1 class="bt">h</h1><span class="Title" hidden>t</span>',
]


def test_element_xpaths_select_what_the_plain_xpaths_select() -> None:
    pages = [path.read_bytes() for path in sorted(FIXTURES.rglob("*.html"))]
    for body in pages + [page.encode() for page in _EDGE_PAGES]:
        tree = parse_html(decode_body(body)[0])
        if tree is None:
            continue
        assert dom.HIDDEN(tree) == _HIDDEN_PLAIN(tree)
        assert xpaths.HEADINGS(tree) == _HEADINGS_PLAIN(tree)
        for el in tree.iter("body", "div", "td"):
            assert "\n".join(xpaths.TEXTS(el)) == "\n".join(el.itertext())


def test_blanks_of_str_split_are_those_of_re() -> None:
    # "".join(s.split()) stands for re.sub(r"\s+", "", s) and " ".join(s.split()) for
    # re.sub(r"\s+", " ", s).strip() in the extractor.
    blank = re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert (blank.fullmatch(ch) is not None) == (len(f"a{ch}b".split()) == 2), hex(code)


def test_inert_strips_nul_only_where_there_is_one() -> None:
    clean = Extraction(url="u", title="t", text="x", tables=[[["a", "b"]]], meta={"k": "v"})
    assert inert(clean) is clean
    for dirty in (
        replace(clean, title="t\x00"),
        replace(clean, text="\x00x"),
        replace(clean, agency="a\x00"),
        replace(clean, tables=[[["a"]], [["b", "c\x00"]]]),
        replace(clean, meta={"k\x00": "v"}),
        replace(clean, meta={"k": "v\x00"}),
    ):
        out = inert(dirty)
        assert out is not dirty and out == replace(
            dirty,
            title=_no_nul(dirty.title),
            text=_no_nul(dirty.text),
            agency=_no_nul(dirty.agency),
            tables=_no_nul(dirty.tables),
            meta=_no_nul(dirty.meta),
        )
        assert "\x00" not in repr(out)


def _parse_table_rows_plain(table: Any) -> tuple[list[list[str]], list[list[str]]]:
    """tables.parse_table_rows as first written: XPath for rows and cells, one dict."""
    grid: dict[tuple[int, int], str] = {}
    origins: dict[tuple[int, int], str] = {}
    n_rows = n_cols = 0

    def span(cell: Any, name: str) -> int:
        digits = re.match(r"\d+", (cell.get(name) or "1").strip())
        return min(max(int(digits.group(0)) if digits else 1, 1), 100)

    for r, row in enumerate(xpaths.ROWS(table, t=table)):
        c = 0
        for cell in xpaths.CELLS(row):
            while (r, c) in grid:
                c += 1
            if not xpaths.BLOCKS_IN_CELL(cell):
                text = re.sub(r"\s+", " ", cell.text_content()).strip()
            else:
                text = re.sub(r"\s+", " ", text_with_breaks(cell, tables._CELL_BLOCKS, " ")).strip()
            rowspan, colspan = span(cell, "rowspan"), span(cell, "colspan")
            origins[(r, c)] = text
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid.setdefault((r + dr, c + dc), text)
            c += colspan
            n_cols = max(n_cols, c)
        n_rows = r + 1
    rows = [[grid.get((r, c), "") for c in range(n_cols)] for r in range(n_rows)]
    written = [[origins[(r, c)] for c in range(n_cols) if (r, c) in origins] for r in range(n_rows)]
    return [row for row in rows if any(row)], [row for row in written if any(row)]


def _is_layout_table_plain(table: Any) -> bool:
    if xpaths.NESTED_TABLE(table):
        return True
    rows = xpaths.ROWS(table, t=table)
    if all(len(xpaths.CELLS(row)) <= 1 for row in rows):
        return True
    if re.search(r"\bMso\w*Table", table.get("class") or "", re.I):
        return False
    for row in rows:
        for cell in xpaths.CELLS(row):
            if len(xpaths.BLOCKS_IN_CELL(cell)) >= 4 or len(cell.text_content()) > 400:
                return True
    return False


def _random_table(rng: random.Random) -> str:
    spans = ["", ' rowspan="2"', ' colspan="3"', ' rowspan="0"', ' colspan="x"', ' rowspan=" 2a"',
             ' colspan="150"', ' rowspan="3" colspan="2"', ' colspan=""']  # fmt: skip
    texts = ["", "0", "1 2", "行政许可", "&nbsp;", "<p>a</p><p>b</p>", "<br>c", "<div>d</div>",
             "<span>e</span> f", "<b>x</b>" * 3, "<p>1</p><p>2</p><p>3</p><p>4</p>", "长" * 401,
             "<table><tr><td>n</td></tr></table>"]  # fmt: skip
    rows = []
    for _ in range(rng.randint(0, 6)):
        cells = "".join(
            f"<{rng.choice(['td', 'th'])}{rng.choice(spans)}>{rng.choice(texts)}</td>"
            for _ in range(rng.randint(0, 5))
        )
        rows.append(f"<tr>{cells}</tr>")
    cls = rng.choice(["", ' class="MsoNormalTable"'])
    return f"<table{cls}>{''.join(rows)}</table>"


def test_tables_read_as_the_plain_reading_does() -> None:
    rng = random.Random(23)
    for _ in range(1500):
        tree = parse_html(f"<html><body>{_random_table(rng)}</body></html>")
        assert tree is not None
        for table in tree.iter("table"):
            expected = _parse_table_rows_plain(table)
            assert tables.parse_table_rows(table) == expected
            layout = _is_layout_table_plain(table)
            assert tables.is_layout_table(table) == layout
            assert tables.data_table_rows(table) == (None if layout else expected)
