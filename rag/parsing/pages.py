"""Page furniture: the lines a document repeats on every page (its name at the top, ``- 3 -`` at the
foot), which are no part of the speech they cut into.

A PDF's pages come apart in its text layer; text extracted from one elsewhere keeps its pages
apart by form feeds (as pdftotext writes them), or, copied without them, still repeats the
meeting's name over each page. Each such line is kept once, since a running header often is the
title itself.
"""

from __future__ import annotations

import re
from collections import Counter

from rag.parsing.base import MEETING_WORDS
from rag.text import nfkc

# Lines from each end of a page that may be a running header or footer.
_EDGE_LINES = 2
_DIGITS = re.compile(r"[0-9０-９]+")
# A running line is on this many pages at least (and on half of them).
_MIN_PAGES = 3
# The lines that open a document (a page number, then the title), where a running line is its
# title and stays once
_HEAD_LINES = 2


def _edges(lines: list[str]) -> list[int]:
    """Indexes of the first and last non-blank lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))


def _key(line: str) -> str:
    return _DIGITS.sub("#", "".join(line.split()))  # page numbers differ from page to page


def without_running_lines(pages: list[str]) -> list[str]:
    """Pages without the lines that run at the top or bottom of most of them (from 3 pages on);
    the first occurrence stays, since a running header often repeats the title."""
    split = [page.split("\n") for page in pages]
    counts = Counter(key for lines in split for key in {_key(lines[i]) for i in _edges(lines)})
    running = {key for key, n in counts.items() if key and n >= _MIN_PAGES and n * 2 >= len(pages)}
    seen: set[str] = set()
    out = []
    for lines in split:
        drop = set()
        for i in _edges(lines):
            key = _key(lines[i])
            if key in running and key in seen:
                drop.add(i)
            seen.add(key)
        out.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    return out


# A line that may run over each page of a text without form feeds: it names the meeting, is no
# speaker's label, list item or sentence
_LABEL_LIKE = re.compile(r"^[○〇◯◎◆■□・•▪\-*]|[:：。]$")


def without_page_furniture(text: str) -> str:
    """``text`` without its running lines: by page where form feeds part its pages; else a line
    that names the meeting and repeats as a line of its own over several pages (第７回…会議　議事要旨),
    which stays once where it opens the document."""
    if "\f" in text:
        return "\n".join(without_running_lines(text.split("\f")))
    lines = text.split("\n")
    head = {_key(line) for line in [x for x in lines if x.strip()][:_HEAD_LINES]}
    titles = {key for key in head if _running_candidate(key)}  # what the document opens with
    counts = Counter(_key(line) for line in lines if _running_candidate(line))
    # a line that repeats the title (第７回…会議, then 議事要旨 beside it), not an agenda item
    # that the order of business, the business taken up and a heading each name
    running = {key for key, n in counts.items() if n >= _MIN_PAGES and any(title in key for title in titles)}
    if not running:
        return text
    seen: set[str] = set()
    out = []
    for line in lines:
        key = _key(line)
        if key in running and (key in seen or key not in head):
            continue  # kept once where it opens the document, as its title; dropped where it cuts speech
        seen.add(key)
        out.append(line)
    return "\n".join(out)


def _running_candidate(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 6 and bool(MEETING_WORDS.search(stripped)) and not _LABEL_LIKE.search(stripped)


# A page's number on a line of its own, as PDFs and word processors write it at a page's foot:
# 3, - 3 -, －３－, 3 / 12, Page 3 of 12, p. 3, 3ページ
_PAGE_NUMBER = re.compile(
    r"^(?:[-―−‐]\s*)?(?:page\s*|p\.\s*)?(\d{1,4})(?:\s*(?:/|of)\s*(\d{1,4}))?\s*(?:ページ|頁)?(?:\s*[-―−‐])?$",
    re.IGNORECASE,
)


def is_page_number(line: str, *, bare: bool = True) -> bool:
    """Whether ``line`` is a page's number and nothing else. A number alone (of up to three digits,
    not a year) counts only where ``bare``: a summary's PDF text numbers its pages so, while a
    verbatim record's bare number may be a seat's. ``3 / 12`` must count up to its total, so that a
    ratio or a date (12/3) written alone is not taken for one."""
    text = nfkc(line).strip()
    match = _PAGE_NUMBER.match(text)
    if match is None or (text.isdigit() and not (bare and len(text) <= 3)):
        return False
    return match.group(2) is None or int(match.group(1)) <= int(match.group(2))
