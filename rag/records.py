"""Conversions between the core's dataclasses and the metadata store's plain rows."""

from __future__ import annotations

from dataclasses import asdict

from rag.models import Meeting, Remark, Speaker, Turn


def remark_id(meeting_id: str, order: int) -> str:
    """A remark's stable id (and permalink key): meeting id plus its order ("" before the first)."""
    return f"{meeting_id}-{order:04d}" if order >= 0 else ""


def meeting_row(meeting: Meeting) -> dict:
    """A ``Meeting`` as a metadata row."""
    row = asdict(meeting)
    row["agenda"] = list(meeting.agenda)
    row["topics"] = list(meeting.topics)
    row["attendees"] = [asdict(a) for a in meeting.attendees]
    return row


def turn_row(meeting_id: str, turn: Turn) -> dict:
    """A parsed ``Turn`` as a remark row."""
    s = turn.speaker
    return {
        "remark_id": remark_id(meeting_id, turn.order),
        "meeting_id": meeting_id,
        "ord": turn.order,
        "label": s.label,
        "name": s.name,
        "role": s.role,
        "grp": s.group,
        "affiliation": s.affiliation,
        "is_person": int(s.is_person),
        "person_id": s.person_id,
        "topic": turn.topic,
        "text": turn.text,
        "source_id": turn.source_id,
        "url": turn.url,
    }


def remark_from_row(row: dict) -> Remark:
    """A remark row (joined with its meeting) as a ``Remark``."""
    speaker = Speaker(
        label=row["label"],
        name=row["name"],
        role=row["role"] or "",
        group=row["grp"] or "",
        affiliation=row["affiliation"] or "",
        is_person=bool(row["is_person"]),
        person_id=row["person_id"] or "",
    )
    return Remark(
        remark_id=row["remark_id"],
        meeting_id=row["meeting_id"],
        meeting_title=row.get("meeting_title", ""),
        meeting_date=row.get("meeting_date", ""),
        order=int(row["ord"]),
        speaker=speaker,
        topic=row["topic"] or "",
        text=row["text"],
        url=row.get("url") or "",
    )
