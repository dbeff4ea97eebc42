"""Minutes as a table of who said what: CSV or TSV, as open-data portals and spreadsheets export them.

A header row names the columns; the speaker's and the speech's are required (発言者 / 発言内容,
speaker / utterance, …), and a meeting's title, date, the speaker's post and group, and the
agenda item are read where the header names them. Each row is a turn in the file's order. A file
of several meetings (a title or date column that changes) is cut into one document per meeting,
as the Diet API's responses are. A file whose header names no speaker and speech columns is not
this format, and is read as plain paragraphs as any other text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace

from rag.errors import ParseError
from rag.models import UNATTRIBUTED, Meeting, ParsedMinutes, Turn
from rag.parsing.base import Source, decode, meeting_id_for, no_turns
from rag.parsing.speech import split_speaker_prefix
from rag.people import resolve_speaker
from rag.text import find_date, nfkc

name = "csv"

# What each column is called, after NFKC and lower-casing, with spaces and marks removed.
_COLUMNS = {
    "speaker": ("発言者", "発言者名", "話者", "氏名", "名前", "発言者氏名", "speaker", "name", "speakername"),
    "text": ("発言", "発言内容", "発言要旨", "発言文", "内容", "本文", "utterance", "speech", "text", "content"),
    "title": ("会議名", "会議", "会議名称", "会議録名", "title", "meeting", "meetingname", "nameofmeeting"),
    "date": ("日付", "開催日", "会議日", "開催年月日", "年月日", "date"),
    "role": ("役職", "役職名", "肩書", "role", "position", "speakerposition"),
    "group": ("会派", "所属", "所属会派", "group", "party", "speakergroup"),
    "topic": ("議題", "案件", "議事", "topic", "agenda"),
}
_REQUIRED = ("speaker", "text")
_TURN_MARKS = "○〇◯"
# How much of a file is read to decide whether it is a table of speech.
_SNIFF_CHARS = 4000


@dataclass(frozen=True)
class _Table:
    """The rows under a header, and which column holds what."""

    columns: dict[str, int]
    rows: list[list[str]]

    def cell(self, row: list[str], key: str) -> str:
        at = self.columns.get(key)
        return row[at].strip() if at is not None and at < len(row) else ""


def _key(cell: str) -> str:
    return "".join(ch for ch in nfkc(cell).lower() if ch.isalnum())


_BY_NAME = {_key(word): kind for kind, words in _COLUMNS.items() for word in words}


def _columns(header: list[str]) -> dict[str, int]:
    """Which column holds what, by the header's names (the first column of a kind where two are)."""
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        kind = _BY_NAME.get(_key(cell))
        if kind is not None:
            found.setdefault(kind, i)
    return found


def _delimiter(first_line: str, name: str) -> str:
    if name.lower().split("#")[0].endswith(".tsv") or first_line.count("\t") > first_line.count(","):
        return "\t"
    return ","


def _read(text: str, name: str) -> _Table | None:
    """The table, or None where the first row names no speaker and speech columns."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    rows = [
        row for row in csv.reader(io.StringIO(text), delimiter=_delimiter(first, name)) if any(c.strip() for c in row)
    ]
    if not rows:
        return None
    columns = _columns(rows[0])
    if not all(kind in columns for kind in _REQUIRED):
        return None
    return _Table(columns=columns, rows=rows[1:])


def _read_head(text: str, name: str) -> _Table | None:
    """The table of the file's start only, to decide cheaply what the file is; a quoted cell cut at
    the limit is no error here."""
    try:
        return _read(text[:_SNIFF_CHARS], name)
    except csv.Error:
        return None


def sniff(source: Source) -> float:
    """Sure where the header names a speaker column and a speech column, whatever the file's name."""
    return 0.95 if _read_head(source.text, source.name) is not None else 0.0


def _meeting_of(table: _Table, row: list[str]) -> tuple[str, str]:
    return table.cell(row, "title"), table.cell(row, "date")


def split(data: bytes, name: str) -> list[tuple[bytes, str]]:
    """One CSV document per meeting (title and date) where the file holds several, each with the
    header; the file itself otherwise, or where it is no table of speech."""
    head = data[:2000].lstrip()
    first_line = head.split(b"\n", 1)[0]
    if head[:1] in (b"{", b"[") or (b"," not in first_line and b"\t" not in first_line):
        return [(data, name)]  # JSON, or no header of columns: not worth decoding here
    try:
        source = decode(data, name)
        opening = _read_head(source.text, name)
        # only a table that names a title or a date can hold several meetings: read it whole then
        several = opening is not None and bool({"title", "date"} & opening.columns.keys())
        table = _read(source.text, name) if several else None
    except (ParseError, csv.Error):
        return [(data, name)]  # parse_bytes says what is wrong with it
    if table is None:
        return [(data, name)]
    groups: dict[tuple[str, str], list[list[str]]] = {}
    for row in table.rows:
        groups.setdefault(_meeting_of(table, row), []).append(row)
    if len(groups) < 2:
        return [(data, name)]
    header = source.text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    delimiter = _delimiter(header, name)
    parts = []
    for i, rows in enumerate(groups.values(), start=1):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        out.write(header + "\n")
        writer.writerows(rows)
        parts.append((out.getvalue().encode(), f"{name}#{i}"))
    return parts


def _turns(table: _Table) -> list[Turn]:
    turns: list[Turn] = []
    for row in table.rows:
        text = table.cell(row, "text")
        if text[:1] in _TURN_MARKS:  # ○田野瀬委員長　これより…: the Diet API's speech keeps its label
            text = split_speaker_prefix(text)[1].strip()
        if not text:
            continue
        label, post = table.cell(row, "speaker"), table.cell(row, "role")
        speaker = resolve_speaker(label, [], default_group=table.cell(row, "group")) if label else UNATTRIBUTED
        if post and label:  # the post its own column gives, over one read off the label
            speaker = replace(speaker, role=post)
        turns.append(Turn(order=len(turns) + 1, speaker=speaker, topic=table.cell(row, "topic"), text=text))
    return turns


def parse(source: Source) -> ParsedMinutes:
    """Parse a table of speech into a meeting and its turns."""
    try:
        table = _read(source.text, source.name)
    except csv.Error as exc:
        raise ParseError(f"{source.name}: not readable as CSV ({exc})", details={"file": source.name}) from exc
    if table is None:
        raise ParseError(
            f"{source.name}: a table, but its first row names no speaker and speech columns "
            "(発言者 and 発言内容, or speaker and utterance)",
            details={"file": source.name, "reason": "unrecognised"},
        )
    turns = _turns(table)
    if not turns:
        raise no_turns(source.name)
    first = table.rows[0]
    stem = source.name.split("#")[0].rsplit(".", 1)[0]
    title = table.cell(first, "title") or stem
    date = find_date(table.cell(first, "date"))
    meeting = Meeting(
        meeting_id=meeting_id_for(title, date),
        title=title,
        date=date,
        topics=tuple(dict.fromkeys(t.topic for t in turns if t.topic)),
        source_format=name,
        source_name=source.name,
        content_hash=source.content_hash,
    )
    return ParsedMinutes(meeting=meeting, turns=tuple(turns))
