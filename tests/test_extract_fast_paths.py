"""The quick paths of the extractor find what the plain patterns find."""

from __future__ import annotations

import random
import re
import sys

import pytest

from govcrawl.discovery import classify
from govcrawl.extract import flags

_WORDS = [
    "下注", "娱乐", "平台", "casino", "CASINO", "Casino", "bet365", "BET365", "betting", "app",
    "APP", "App", "澳门", "彩票平台", "真人娱乐城", "皇冠体育", "体育", "a", "b", "c", "ca", "be",
    "cas", "ſ", "İ", "K", " ", "-", "2024", "政府", "信息", "公开", "x", "X", "×", "ｘ", "Ｘ", "20",
    "19", "年", "页面不存在", "not found", "404", "〔",
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
