"""Quality flags on an extraction, and the reasons a page is no content at all.

Flags (``Extraction.flags``; the page is kept, flagged and queryable):

- ``spam_injection``: gambling/casino text spliced into the page, the mark of
  a hacked site (on zhalantun.gov.cn every 关于 became
  ``2024欧洲杯下注平台_澳门现金网-官网``).  Detected from the pattern, not one
  site's string: gambling vocabulary clustered into a token that repeats
  through government prose, or many gambling words at all.
- ``placeholder_text``: template placeholders (``20xx``, ``XX年``, ``××``).
- ``near_empty``: less than ``NEAR_EMPTY_CHARS`` characters of text.

Rejects (``Extraction.reject``; the page is not content and never a report):

- ``challenge``: an anti-bot wall (瑞数 ``$_ts`` pages with HTTP 412,
  加速乐 ``__jsl_clearance``, a tiny body that is only a cookie-setting script).
- ``soft404``: "页面不存在 / 404 / 您访问的页面找不到" served with a 200 (or any
  error status that is not a challenge).
- ``near_empty``: nothing is left after extraction.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

SPAM_INJECTION = "spam_injection"
PLACEHOLDER_TEXT = "placeholder_text"
NEAR_EMPTY = "near_empty"

REJECT_CHALLENGE = "challenge"
REJECT_SOFT404 = "soft404"
REJECT_NEAR_EMPTY = "near_empty"

NEAR_EMPTY_CHARS = 200

# Gambling vocabulary.  Strong words have no business in a government report;
# weak ones (澳门, 彩票, 体育, 官网...) may, so they only count inside a cluster.
_STRONG_GAMBLING = (
    "下注",
    "投注",
    "博彩",
    "赌场",
    "赌博",
    "赌球",
    "娱乐城",
    "娱乐场",
    "百家乐",
    "现金网",
    "老虎机",
    "彩票平台",
    "体育平台",
    "真人视讯",
    "真人娱乐",
    "电子游艺",
    "棋牌游戏",
    "彩金",
    "注册送",
    "开户送",
    "首存",
    "赔率",
    "菠菜",
    "押注",
    "时时彩",
    "六合彩",
    "葡京",
    "威尼斯人",
    "银河娱乐",
    "皇冠体育",
    "bet365",
    "casino",
    "betting",
)
_WEAK_GAMBLING = (
    "澳门",
    "彩票",
    "真人",
    "体育",
    "官网",
    "官方网站",
    "平台",
    "欧洲杯",
    "世界杯",
    "足球",
    "娱乐",
    "棋牌",
    "开户",
    "app",
    "APP",
    "下载",
    "网址",
    "登录",
    "注册",
    "手机版",
    "入口",
)
_STRONG_RE = re.compile("|".join(map(re.escape, _STRONG_GAMBLING)), re.I)
_ANY_GAMBLING_RE = re.compile(
    "|".join(map(re.escape, sorted(_STRONG_GAMBLING + _WEAK_GAMBLING, key=len, reverse=True))),
    re.I,
)


class _Words:
    """``finditer`` of an alternation of words matched case-insensitively, as ``pattern``
    (``re.compile("|".join(map(re.escape, words)), re.I)``) finds them, quicker: a
    pattern whose words all begin with a letter without case (汉字) skips along the
    text by their first characters, one that has a word with case (casino) tries every
    position.  So the words without case are one pattern, and the few with case are
    tried only where one of them can begin.  The two kinds never match at the same
    place (a word's first character decides its kind) nor overlap, so the matches of
    both, in order, are the matches of ``pattern``."""

    def __init__(self, words: Sequence[str]) -> None:
        plain = [w for w in words if w.lower() == w.upper()]
        cased = [w for w in words if w.lower() != w.upper()]
        self.plain = re.compile("|".join(map(re.escape, plain)), re.I) if plain else None
        self.cased = re.compile("|".join(map(re.escape, cased)), re.I) if cased else None
        # What re.I lets stand for those first letters (tests/test_extract_flags.py
        # checks that no other character of Unicode does).
        firsts = sorted({c for w in cased for c in (w[0], w[0].lower(), w[0].upper())})
        self.starts = re.compile("[" + "".join(map(re.escape, firsts)) + "]")

    def finditer(self, text: str) -> list[re.Match[str]]:
        found = list(self.plain.finditer(text)) if self.plain is not None else []
        if self.cased is None:
            return found
        cased: list[re.Match[str]] = []
        pos = 0
        while (start := self.starts.search(text, pos)) is not None:
            m = self.cased.match(text, start.start())
            if m is not None:
                cased.append(m)
                pos = max(m.end(), start.start() + 1)
            else:
                pos = start.start() + 1
        if not cased:
            return found
        return sorted(found + cased, key=lambda m: m.start())


_ANY_WORDS = _Words(sorted(_STRONG_GAMBLING + _WEAK_GAMBLING, key=len, reverse=True))
_STRONG_WORDS = _Words(_STRONG_GAMBLING)
_CLUSTER_GAP = 8  # gambling words at most this far apart belong to one token
_MIN_REPEATS = 2  # one spliced token seen this often
_MIN_TOKENS = 3  # or this many different tokens
_MIN_STRONG_WORDS = 4  # or this many different strong words
_MIN_WEAK_ONLY_WORDS = 4  # a cluster of weak words only needs this many kinds

_PLACEHOLDER_RE = re.compile(
    r"(?:19|20)[xX×Ｘｘ]{2}(?![a-zA-Z])|(?<![a-zA-Z])[xX×Ｘｘ]{2,4}\s*年|××|[xX]{3,}(?=[\u4e00-\u9fff])"
)
# Every placeholder has one of these (a quick test that most texts fail).
_PLACEHOLDER_CHAR_RE = re.compile(r"[xX×Ｘｘ]")

_CHALLENGE_RES = (
    re.compile(r"\$_ts\s*=\s*window\[|\$_ts\.(?:nsd|cd)\s*="),  # 瑞数 (Riversecurity)
    re.compile(r"__jsl_clearance"),  # 知道创宇 加速乐
    re.compile(r"""<meta[^>]+\br=['"]?m['"]?""", re.I),  # 瑞数 meta marker
    re.compile(r"_\$[a-z]{4,}\s*=\s*\[\s*\"\\x", re.I),  # hex-escaped cookie bootstrap
)
_CHALLENGE_STATUSES = frozenset({412, 521, 429, 403})
_JS_ONLY_MAX_BYTES = 60_000
_JS_CHALLENGE_HINT_RE = re.compile(
    r"document\s*(?:\[[^\]]*\]|\.)\s*cookie|\.cookie\s*=|window\.open\(|location\s*(?:\.href|\.replace|\s*=)"
    r"|_0x[0-9a-f]{4}|eval\(",
    re.I,
)
_SOFT404_RE = re.compile(
    r"页面不存在|页面未找到|找不到(?:该|您要访问的|你要访问的)?页面|(?:您|你)(?:所)?访问的(?:页面|网页|信息|内容|文章)"
    r"(?:不存在|找不到|已删除|已被删除|已过期|暂时无法访问)|页面(?:已)?(?:被)?删除|(?:信息|文章|内容)(?:已)?(?:被)?删除"
    r"|not\s+found|page\s+not\s+found|(?:信息|文章|内容)不存在|该(?:信息|文章|页面)已(?:下线|过期|撤销)"
    r"|访问出错|系统繁忙|页面出错|错误页面",
    re.I,
)
# _SOFT404_RE, quicker to search: its phrases in Chinese, each branch beginning with a
# plain character (the pattern skips to the characters a branch can begin with), and
# its English phrases (page not found holds not found) looked for only where an n is.
_SOFT404_CN_RE = re.compile(
    r"页面不存在|页面未找到|找不到(?:该|您要访问的|你要访问的)?页面"
    r"|您(?:所)?访问的(?:页面|网页|信息|内容|文章)(?:不存在|找不到|已删除|已被删除|已过期|暂时无法访问)"
    r"|你(?:所)?访问的(?:页面|网页|信息|内容|文章)(?:不存在|找不到|已删除|已被删除|已过期|暂时无法访问)"
    r"|页面(?:已)?(?:被)?删除|信息(?:已)?(?:被)?删除|文章(?:已)?(?:被)?删除|内容(?:已)?(?:被)?删除"
    r"|信息不存在|文章不存在|内容不存在|该(?:信息|文章|页面)已(?:下线|过期|撤销)"
    r"|访问出错|系统繁忙|页面出错|错误页面"
)
_SOFT404_EN_RE = re.compile(r"not\s+found", re.I)
_SOFT404_EN_START_RE = re.compile("[nN]")  # what (?i:n) matches
_SOFT404_MAX_CHARS = 600
# A bare "404" says 'error page' only in a short title or text (国办发〔2020〕404号 does not).
_BARE_404_RE = re.compile(r"(?<![\d〔〕\[\]（）()])40[34](?![\d号])")
_BARE_404_MAX_CHARS = 20


def gambling_tokens(text: str) -> Counter[str]:
    """Clusters of gambling words (with their separators and digits), counted."""
    hits = _ANY_WORDS.finditer(text)  # _ANY_GAMBLING_RE.finditer(text)
    tokens: Counter[str] = Counter()
    i = 0
    while i < len(hits):
        j = i
        while j + 1 < len(hits) and hits[j + 1].start() - hits[j].end() <= _CLUSTER_GAP:
            j += 1
        start, end = hits[i].start(), hits[j].end()
        words = [h.group(0).lower() for h in hits[i : j + 1]]
        has_strong = any(_STRONG_RE.fullmatch(w) for w in words)
        if len(set(words)) >= 2 and (has_strong or len(set(words)) >= _MIN_WEAK_ONLY_WORDS):
            # Grow to the whole spliced token: digits, Latin, separators around it.
            while start > 0 and re.match(r"[0-9A-Za-z_\-|·]", text[start - 1]):
                start -= 1
            while end < len(text) and re.match(r"[0-9A-Za-z_\-|·]", text[end]):
                end += 1
            tokens[text[start:end]] += 1
        i = j + 1
    return tokens


def has_spam_injection(text: str, title: str | None = None) -> bool:
    """Gambling text spliced into the page."""
    sample = f"{title or ''}\n{text}"
    tokens = gambling_tokens(sample)
    if any(count >= _MIN_REPEATS for count in tokens.values()):
        return True
    if len(tokens) >= _MIN_TOKENS:
        return True
    strong = {m.group(0).lower() for m in _STRONG_WORDS.finditer(sample)}
    return len(strong) >= _MIN_STRONG_WORDS


def has_placeholders(text: str) -> bool:
    """Template placeholders left in (``20xx年``, ``XX年``, ``××``)."""
    if _PLACEHOLDER_CHAR_RE.search(text) is None:
        return False
    return _PLACEHOLDER_RE.search(text) is not None


def quality_flags(text: str, title: str | None = None) -> list[str]:
    """The flags of an extracted text."""
    flags: list[str] = []
    if has_spam_injection(text, title):
        flags.append(SPAM_INJECTION)
    if has_placeholders(text):
        flags.append(PLACEHOLDER_TEXT)
    if len(text.strip()) < NEAR_EMPTY_CHARS:
        flags.append(NEAR_EMPTY)
    return flags


def is_challenge(html: str, visible_text: str, status: int | None = None) -> bool:
    """An anti-bot wall rather than the page."""
    head = html[:_JS_ONLY_MAX_BYTES]
    if any(pattern.search(head) for pattern in _CHALLENGE_RES):
        return True
    if len(visible_text.strip()) > 50:
        return False
    scripted = "<script" in head.lower()
    if status in _CHALLENGE_STATUSES and scripted:
        return True
    return (
        scripted
        and len(html) <= _JS_ONLY_MAX_BYTES
        and _JS_CHALLENGE_HINT_RE.search(head) is not None
    )


def _soft404_phrase(text: str) -> bool:
    """``_SOFT404_RE.search(text) is not None``, quicker."""
    if _SOFT404_CN_RE.search(text) is not None:
        return True
    return _SOFT404_EN_START_RE.search(text) is not None and (
        _SOFT404_EN_RE.search(text) is not None
    )


def _bare_404(text: str) -> bool:
    """``_BARE_404_RE.search(text) is not None``, quicker (a bare 404 has a 40 in it)."""
    return "40" in text and _BARE_404_RE.search(text) is not None


def is_soft404(title: str | None, text: str, status: int | None = None) -> bool:
    """An error page served as if it were content."""
    if status is not None and status >= 400:
        return True  # an error status is an error page, whatever it says
    if len(text) >= _SOFT404_MAX_CHARS * 3:
        return False
    if title and (
        _soft404_phrase(title) or (len(title) <= _BARE_404_MAX_CHARS and _bare_404(title))
    ):
        return True
    if len(text) >= _SOFT404_MAX_CHARS:
        return False
    if _soft404_phrase(text):
        return True
    return len(text) <= _BARE_404_MAX_CHARS * 5 and _bare_404(text)


# The blanks ``maintext.tidy`` makes one space of.
_TIDY_SPACES_RE = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff]+")


def may_be_soft404(title: str | None, visible_text: str, status: int | None = None) -> bool:
    """Could ``is_soft404`` hold for this page, whatever its main text turns out to be?
    Known from the title, the status and the page's visible text (the main text is
    made of it): True when either says so, or when the visible text has a soft-404
    phrase or a bare 404 anywhere, as it is (blanks made spaces, as ``tidy`` does, and
    Unicode composed, as trafilatura does) or with every blank taken out (pieces of
    the main text that stand in separate elements are joined there)."""
    if is_soft404(title, "", status):
        return True
    spaced = _TIDY_SPACES_RE.sub(" ", unicodedata.normalize("NFC", visible_text))
    squashed = "".join(spaced.split())
    return any(test(probe) for test in (_soft404_phrase, _bare_404) for probe in (spaced, squashed))


WALL_KINDS = ("ruishu", "jiasule", "cookie_redirect", "script")


def wall_kind(html: str, status: int | None = None) -> str:
    """Which anti-bot wall a challenge page is: 瑞数 (HTTP 412, ``$_ts``), 加速乐
    (HTTP 521, ``__jsl_clearance``), a cookie-and-redirect script, or another script."""
    head = html[:_JS_ONLY_MAX_BYTES]
    if _CHALLENGE_RES[0].search(head) or _CHALLENGE_RES[2].search(head):
        return "ruishu"
    if status == 521 or _CHALLENGE_RES[1].search(head):
        return "jiasule"
    if re.search(r"cookie", head, re.I) and re.search(r"location|window\.open", head, re.I):
        return "cookie_redirect"
    return "script"
