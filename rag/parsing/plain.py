"""Readable text in which no speaker turns were recognised: paragraphs with an unknown speaker.

Nothing readable is refused. A file that no minutes format claims, or whose format finds no
turns, is still searchable: each paragraph (a block between blank lines, or a run of lines up to
a length) becomes a remark whose speaker is unknown, and the ingest report says so. The title
and date come from what the text gives: a line that names a meeting, a ``日時``/``開催日`` block
anywhere in the first part of the document, an era or western date, spaced digits.
"""

from __future__ import annotations

import re

from rag.errors import ParseError
from rag.models import Meeting, ParsedMinutes, Speaker, Turn
from rag.parsing.base import Source, meeting_id_for
from rag.parsing.summary import meeting_title
from rag.text import find_date, find_time_range

name = "plain"

UNKNOWN = Speaker(label="", name="", is_person=False)
# How far into a document its date and title are looked for.
_HEAD_LINES = 60
_DATE_HEADS = re.compile(r"^[■□◆【\[(（]?\s*(日時|開催日時|開催日|日付|開催年月日|期日)\s*[】\])）]?\s*[:：]?\s*(.*)$")
# A paragraph longer than this is cut at its line breaks, so one remark stays readable.
_MAX_PARAGRAPH = 800
_MIN_TEXT = 2


def sniff(source: Source) -> float:
    """Never chosen over a real format: only the fallback when no format claims a readable text."""
    return 0.0


def paragraphs(text: str) -> list[str]:
    """Blocks between blank lines, long ones cut at line breaks; whitespace trimmed."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        current: list[str] = []
        for line in lines:
            if current and sum(map(len, current)) + len(line) > _MAX_PARAGRAPH:
                out.append("\n".join(current))
                current = []
            current.append(line)
        if current:
            out.append("\n".join(current))
    return [p for p in out if len(p) >= _MIN_TEXT]


def find_when(lines: list[str]) -> tuple[str, str, str]:
    """(date, start, end) from a 日時 block in the first lines (its value on the same or a later line),
    else the first date in them."""
    head = lines[:_HEAD_LINES]
    for i, line in enumerate(head):
        match = _DATE_HEADS.match(line)
        if not match:
            continue
        value = " ".join([match.group(2), *head[i + 1 : i + 3]])
        if find_date(value):
            return find_date(value), *find_time_range(value)
    text = " ".join(head)
    return find_date(text), *find_time_range(text)


def parse(source: Source, *, reason: str = "no speaker lines were recognised") -> ParsedMinutes:
    """Paragraphs of ``source`` as remarks with an unknown speaker; ``ParseError`` if nothing is readable."""
    blocks = paragraphs(source.text)
    if not blocks:
        raise ParseError(f"{source.name}: no readable text", details={"file": source.name, "reason": "empty"})
    lines = [line.strip() for line in source.text.split("\n") if line.strip()]
    title = meeting_title(lines[:_HEAD_LINES], source.name)
    date, start, end = find_when(lines)
    warnings = [f"{reason}; ingested as {len(blocks)} paragraphs with an unknown speaker"]
    if not date:
        warnings.append("no meeting date found in the text; the meeting has none")
    meeting = Meeting(
        meeting_id=meeting_id_for(title, date),
        title=title,
        date=date,
        start_time=start,
        end_time=end,
        source_format=name,
        source_name=source.name,
        content_hash=source.content_hash,
    )
    turns = tuple(Turn(order=i, speaker=UNKNOWN, topic="", text=block) for i, block in enumerate(blocks, start=1))
    return ParsedMinutes(meeting=meeting, turns=turns, warnings=tuple(warnings))
