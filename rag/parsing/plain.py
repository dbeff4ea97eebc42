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
from rag.models import UNATTRIBUTED, Meeting, ParsedMinutes, Turn
from rag.parsing.base import Source, find_when, meeting_id_for
from rag.parsing.summary import meeting_title

name = "plain"

# How far into a document its title is looked for.
_HEAD_LINES = 60
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
    turns = tuple(Turn(order=i, speaker=UNATTRIBUTED, topic="", text=block) for i, block in enumerate(blocks, start=1))
    return ParsedMinutes(meeting=meeting, turns=turns, warnings=tuple(warnings))
