"""Split a remark into passages: bullet groups up to a length, long speeches with overlap.

The remark (one whole speaker turn) is what users get back; passages are what is embedded and
indexed, short enough never to be cut at the model's 512-token limit.
"""

from __future__ import annotations

import re

from rag.models import Passage

_SENTENCE_END = re.compile(r"(?<=[。．！？!?])")


def sentences(text: str) -> list[str]:
    """Split Japanese text after sentence-final punctuation; keeps the punctuation."""
    return [s for s in (part.strip() for part in _SENTENCE_END.split(text)) if s]


_SPAN = re.compile(r"[^\n。．！？!?]*(?:[。．！？!?]+[」』）)]*|\n|$)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the sentences and lines of ``text``, whitespace trimmed.

    Offsets, not strings, so that a quote cut from them is verbatim from the text.
    """
    spans = []
    for match in _SPAN.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def _windows(text: str, max_chars: int, overlap: int) -> list[str]:
    step = max(max_chars - overlap, 1)
    return [text[i : i + max_chars] for i in range(0, max(len(text) - overlap, 1), step)]


def _split_long(line: str, max_chars: int, overlap: int) -> list[str]:
    """Sentences packed into windows of ``max_chars``; each repeats the previous window's last sentences."""
    pieces: list[str] = []
    current: list[str] = []
    for sentence in sentences(line):
        if len(sentence) > max_chars:  # a run-on sentence: fixed windows
            if current:
                pieces.append("".join(current))
            pieces.extend(_windows(sentence, max_chars, overlap))
            current = []
            continue
        if current and sum(map(len, current)) + len(sentence) > max_chars:
            pieces.append("".join(current))
            current = _tail(current, overlap)
        current.append(sentence)
    if current:
        pieces.append("".join(current))
    return pieces


def _tail(sentences_: list[str], overlap: int) -> list[str]:
    """The last whole sentences that fit in ``overlap`` characters: passages start at a sentence."""
    tail: list[str] = []
    for sentence in reversed(sentences_):
        if sum(map(len, tail)) + len(sentence) > overlap:
            break
        tail.insert(0, sentence)
    return tail


def split_remark(remark_id: str, text: str, *, max_chars: int, overlap: int) -> list[Passage]:
    """Passages of a remark: its lines (bullets, paragraphs) grouped up to ``max_chars``."""
    groups: list[str] = []
    current = ""
    for line in (line.strip() for line in text.split("\n")):
        if not line:
            continue
        parts = _split_long(line, max_chars, overlap) if len(line) > max_chars else [line]
        for part in parts:
            if current and len(current) + 1 + len(part) > max_chars:
                groups.append(current)
                current = ""
            current = f"{current}\n{part}" if current else part
    if current:
        groups.append(current)
    return [Passage(remark_id=remark_id, ordinal=i, text=g) for i, g in enumerate(groups)]
