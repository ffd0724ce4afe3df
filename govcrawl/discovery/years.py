"""Dates and report years, as Chinese government pages write them.

``parse_date`` reads the first date in a string: ``2022年1月27日``,
``2014-01-30 10:55``, ``2014/1/30``, ``二〇二二年一月二十七日``, full-width
digits.  dateparser is only the last resort (it is slow).

``report_year`` says which year a report covers: ``2013年度`` or ``二〇二一年``
in the title, else in the report's opening text, else the publication year
minus one.  Years before 2000 or after the publication year are refused.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

MIN_YEAR = 2000

_CN_DIGITS = {
    "〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "o": 0,
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_YEAR = "[〇○零OoＯ一二三四五六七八九]{4}"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"

_NUMERIC_DATE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)"
)
_CN_DATE_RE = re.compile(rf"({_CN_YEAR})\s*年\s*({_CN_SMALL})\s*月\s*({_CN_SMALL})\s*[日号]")
_COMPACT_DATE_RE = re.compile(r"^\s*((?:19|20)\d{2})(\d{2})(\d{2})\s*$")
_HAS_DIGIT_RE = re.compile(r"\d")

# A year a report covers, most explicit first.  ``\d{4}`` or four Chinese digits.
_YEAR = rf"((?:19|20)\d{{2}}|{_CN_YEAR})"
_TITLE_YEAR_RES = (
    re.compile(rf"{_YEAR}\s*年度"),
    re.compile(rf"{_YEAR}\s*年"),
    re.compile(rf"(?<!\d){_YEAR}(?!\d)\s*(?:政府|政务|信息|年报|度)"),
)
_TEXT_YEAR_RES = (
    re.compile(rf"统计(?:期限|时限|时段|区间|范围)?[^。\n]{{0,12}}?{_YEAR}\s*年\s*1\s*月\s*1\s*日"),
    re.compile(rf"{_YEAR}\s*年\s*(?:1|一)\s*月\s*(?:1|一)\s*日"),
    re.compile(rf"{_YEAR}\s*年度"),
    re.compile(rf"{_YEAR}\s*年(?!\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日(?:起)?施行|修订|修正)"),
)
_OPENING_CHARS = 400


def _cn_number(s: str) -> int | None:
    """``二十七`` -> 27, ``十`` -> 10, ``三`` -> 3 (1..99)."""
    if not s:
        return None
    if "十" not in s:
        return _CN_DIGITS.get(s) if len(s) == 1 else None
    tens, _, units = s.partition("十")
    t = 1 if tens == "" else _CN_DIGITS.get(tens)
    u = 0 if units == "" else _CN_DIGITS.get(units)
    if t is None or u is None:
        return None
    return t * 10 + u


def _year_value(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    digits = [_CN_DIGITS.get(c) for c in s]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


def _make_date(y: int | None, m: int | None, d: int | None) -> date | None:
    if y is None or m is None or d is None:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(s: str, fallback: bool = True) -> date | None:
    """The first date written in ``s``, or None.

    ``fallback=False`` skips dateparser (for scanning many lines quickly).
    """
    if not s:
        return None
    s = unicodedata.normalize("NFKC", s)
    matched = False
    for m in _NUMERIC_DATE_RE.finditer(s):
        matched = True
        found = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return found
    for m in _CN_DATE_RE.finditer(s):
        matched = True
        found = _make_date(_year_value(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3)))
        if found:
            return found
    compact = _COMPACT_DATE_RE.match(s)
    if compact:
        return _make_date(int(compact.group(1)), int(compact.group(2)), int(compact.group(3)))
    if matched:
        return None  # a date written out in full, but no such day: not a guess for dateparser
    # Last resort, for forms the patterns above do not know.  Only short strings
    # with a digit: dateparser is slow and guesses wildly on long text.
    if not fallback or len(s) > 40 or not _HAS_DIGIT_RE.search(s):
        return None
    import dateparser  # (0.03 s to import: only when a date needs it)

    parsed = dateparser.parse(
        s, languages=["zh", "en"], settings={"REQUIRE_PARTS": ["year", "month", "day"]}
    )
    return parsed.date() if parsed else None


def _first_year(patterns: tuple[re.Pattern[str], ...], s: str, lo: int, hi: int) -> int | None:
    for pattern in patterns:
        for m in pattern.finditer(s):
            year = _year_value(m.group(1))
            if year is not None and lo <= year <= hi:
                return year
    return None


def report_year(title: str | None, text: str, published_at: date | None) -> int | None:
    """The year a report covers, or None when nothing says."""
    hi = published_at.year if published_at else date.today().year
    if title:
        year = _first_year(_TITLE_YEAR_RES, unicodedata.normalize("NFKC", title), MIN_YEAR, hi)
        if year is not None:
            return year
    opening = unicodedata.normalize("NFKC", text[:_OPENING_CHARS])
    # Without a publication date any plausible year will do; with one, the
    # opening must name a year close before it (a report cites older years too).
    lo = max(MIN_YEAR, hi - 3) if published_at else MIN_YEAR
    year = _first_year(_TEXT_YEAR_RES, opening, lo, hi)
    if year is not None:
        return year
    if published_at and published_at.year - 1 >= MIN_YEAR:
        return published_at.year - 1
    return None
