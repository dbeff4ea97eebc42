"""The Diet minutes API's JSON (``meetingRecord[].speechRecord[]``), one meeting per record.

speechOrder 0 is the roster (会議録情報); each other speech starts ``○田野瀬委員長　``. The API gives
some fields as numbers and this sample gives strings, so every field is read as text.
"""

from __future__ import annotations

import json
from dataclasses import replace

from rag.errors import ParseError
from rag.models import Attendee, Meeting, ParsedMinutes, Speaker, Turn
from rag.parsing.base import Source, meeting_id_for, no_turns, wrong_shape
from rag.parsing.speech import (
    agenda_topic,
    parse_agenda_block,
    parse_kanji_roster,
    split_speaker_prefix,
    strip_stage_directions,
)
from rag.people import person_id

name = "kokkai"


def _str(value: object) -> str:
    return "" if value is None else str(value).strip()


def sniff(source: Source) -> float:
    """The API's JSON has ``meetingRecord`` and ``speechRecord`` keys."""
    head = source.text[:5000]
    return 0.95 if '"meetingRecord"' in head and "speechRecord" in source.text else 0.0


def _load(source: Source) -> list[dict]:
    try:
        data = json.loads(source.text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{source.name}: invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    records = data.get("meetingRecord") if isinstance(data, dict) else None
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        raise ParseError(f"{source.name}: no meetingRecord list in this Diet API JSON")
    return records


def _speaker(speech: dict, label: str) -> Speaker:
    full = _str(speech.get("speaker"))
    common = 0
    while common < min(len(full), len(label)) and full[common] == label[common]:
        common += 1
    role = label[common:] if common else _str(speech.get("speakerRole"))
    return Speaker(
        label=label or full,
        name=full or label,
        role=role or _str(speech.get("speakerPosition")),
        group=_str(speech.get("speakerGroup")),
        affiliation=_str(speech.get("speakerPosition")),
        person_id=person_id(full or label),
    )


def _meeting(record: dict, source: Source, roster: list[Attendee]) -> Meeting:
    house, body, issue = (_str(record.get(k)) for k in ("nameOfHouse", "nameOfMeeting", "issue"))
    session = _str(record.get("session"))
    title = " ".join(x for x in (f"第{session}回国会" if session else "", house, body, issue) if x)
    date = _str(record.get("date"))
    return Meeting(
        meeting_id=meeting_id_for(title, date),
        title=title,
        date=date,
        place=house,
        attendees=tuple(roster),
        url=_str(record.get("meetingURL")),
        source_format=name,
        source_name=source.name,
        content_hash=source.content_hash,
    )


def _parse_record(record: dict, source: Source) -> ParsedMinutes:
    speeches = sorted(record.get("speechRecord") or [], key=lambda s: int(_str(s.get("speechOrder")) or 0))
    roster: list[Attendee] = []
    agenda: list[str] = []
    turns: list[Turn] = []
    topic = _str(record.get("nameOfMeeting"))
    for speech in speeches:
        text = _str(speech.get("speech"))
        if _str(speech.get("speechOrder")) in ("0", ""):
            roster = parse_kanji_roster(text, group="委員")
            agenda = parse_agenda_block(text)
            continue
        label, body = split_speaker_prefix(text)
        body = strip_stage_directions(body)
        if not body:
            continue
        topic = agenda_topic(body, agenda, topic)
        turns.append(
            Turn(
                order=len(turns) + 1,
                speaker=_speaker(speech, label),
                topic=topic,
                text=body,
                source_id=_str(speech.get("speechID")),
                url=_str(speech.get("speechURL")),
            )
        )
    if not turns:
        raise no_turns(source.name)
    meeting = replace(
        _meeting(record, source, roster),
        agenda=tuple(agenda),
        topics=tuple(dict.fromkeys(t.topic for t in turns if t.topic)),
    )
    return ParsedMinutes(meeting=meeting, turns=tuple(turns))


def parse(source: Source) -> ParsedMinutes:
    """Parse the first meeting record (the API returns one record per meeting)."""
    record = _load(source)[0]
    try:
        return _parse_record(record, source)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
        # JSON of another shape (a record or speech that is not an object, a list where text goes)
        raise wrong_shape(source.name, exc) from exc
