"""Japanese text helpers: NFKC normalisation, kanji numerals, era dates, joining PDF-broken lines."""

from __future__ import annotations

import re
import unicodedata

ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925, "大正": 1911, "明治": 1867}
_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"[0-9〇零一二三四五六七八九十百千]+|元"
_ERA_DATE = re.compile(rf"(令和|平成|昭和|大正|明治)({_NUM})年({_NUM})月({_NUM})日")
_BRACKETED_YEAR = re.compile(r"年\((?:19|20)\d\d年?\)")
_KANJI_YEAR = re.compile(
    r"([〇零一二三四五六七八九]{4})年([〇一二三四五六七八九十]{1,3})月([〇一二三四五六七八九十]{1,3})日"
)
_WESTERN_DATE = re.compile(r"((?:19|20)\d\d)\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")
_TIME_RANGE = re.compile(r"(\d{1,2})[:：時](\d{2})?分?\s*(?:[～〜~ー－-]|から)\s*(\d{1,2})[:：時](\d{2})?")
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9]")


def nfkc(text: str) -> str:
    """Unicode NFKC, the normal form every index and comparison uses."""
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """NFKC with all whitespace removed: the form used to compare quotes and gold answers."""
    return re.sub(r"\s+", "", nfkc(text))


def kanji_to_int(token: str) -> int:
    """Parse arabic or kanji numerals (二十, 三十一, 二〇二三, 元) into an int."""
    token = nfkc(token)
    if token == "元":
        return 1
    if token.isdigit():
        return int(token)
    if all(ch in _KANJI_DIGITS for ch in token):  # positional: 二〇二三
        return int("".join(str(_KANJI_DIGITS[ch]) for ch in token))
    total, current = 0, 0
    for ch in token:
        if ch in _KANJI_DIGITS:
            current = _KANJI_DIGITS[ch]
        elif ch in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a numeral: {token!r}")
    return total + current


def find_date(text: str) -> str:
    """First date in ``text`` as ISO 8601 (``2023-08-31``), handling eras, kanji and spaced digits."""
    # 令和5年(2023年)10月10日: the western year in brackets after the era year says the same.
    flat = _BRACKETED_YEAR.sub("年", re.sub(r"\s+", "", nfkc(text)))
    era = _ERA_DATE.search(flat)
    if era:
        year = ERAS[era.group(1)] + kanji_to_int(era.group(2))
        month, day = kanji_to_int(era.group(3)), kanji_to_int(era.group(4))
        return _iso(year, month, day)
    western = _WESTERN_DATE.search(flat)
    if western:
        return _iso(int(western.group(1)), int(western.group(2)), int(western.group(3)))
    kanji = _KANJI_YEAR.search(flat)  # 二〇二四年六月十九日
    if kanji:
        return _iso(*(kanji_to_int(g) for g in kanji.groups()))
    return ""


def _iso(year: int, month: int, day: int) -> str:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


# A digit of a clock's hour or minute, arabic or kanji (午後零時三十分, 午前10時)
CLOCK_DIGIT = "[0-9０-９〇零一二三四五六七八九十]"
# 午前九時開議, 午後１時30分開会: the hour a sitting opened, as verbatim records write it
_OPENED = re.compile(rf"(午前|午後)\s*({CLOCK_DIGIT}{{1,3}})時(?:({CLOCK_DIGIT}{{1,3}})分)?\s*(?:開議|開会)")


def find_time_range(text: str) -> tuple[str, str]:
    """Start and end time (``10:00``, ``12:00``) of a range like ``10:00～12:00``; else the hour a
    sitting opened (``午前九時開議`` → ``09:00``) and no end."""
    match = _TIME_RANGE.search(nfkc(text))
    if not match:
        opened = _OPENED.search(nfkc(text))
        if not opened:
            return "", ""
        hour = kanji_to_int(opened.group(2)) % 12 + (12 if opened.group(1) == "午後" else 0)
        minute = kanji_to_int(opened.group(3)) if opened.group(3) else 0
        return (f"{hour:02d}:{minute:02d}", "") if hour < 24 and minute < 60 else ("", "")
    start = f"{int(match.group(1)):02d}:{match.group(2) or '00'}"
    end = f"{int(match.group(3)):02d}:{match.group(4) or '00'}"
    return start, end


def join_broken(left: str, right: str) -> str:
    """Join two pieces of a line the PDF broke: no space inside Japanese, one between Latin words."""
    if not left:
        return right
    if not right:
        return left
    if _ASCII_WORD_END.search(left) and (_ASCII_WORD_START.search(right) or not right[0].isascii()):
        return f"{left} {right}"
    return left + right


# Spaces of other widths (a web page's &nbsp;, a PDF's thin space) read as the ASCII space, and
# zero-width ones as nothing, so that ``村井&nbsp;&nbsp;純`` parses as ``村井  純`` does. The
# ideographic space stays: a roster's wide gap between a name and a title means something there.
_ODD_SPACES = str.maketrans(
    {
        **{c: " " for c in "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"},
        **{c: None for c in "\u200b\ufeff"},
    }
)


def plain_spaces(text: str) -> str:
    """``text`` with no-break, thin and other odd spaces as the ASCII space and zero-width ones gone."""
    return text.translate(_ODD_SPACES)


def collapse_spaces(text: str) -> str:
    """Collapse runs of spaces (ASCII or ideographic) into one ASCII space and strip."""
    return re.sub(r"[ \u3000\t]+", " ", text).strip()
