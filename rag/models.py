"""Typed plain data passed between pipeline stages: parsed minutes, remarks, passages and hits."""

from __future__ import annotations

from dataclasses import dataclass, field

UNKNOWN_SPEAKER = "（発言者不明）"


@dataclass(frozen=True)
class Speaker:
    """Who spoke a turn: the label as written, resolved to a person where the minutes allow."""

    label: str
    name: str
    role: str = ""
    group: str = ""
    affiliation: str = ""
    is_person: bool = True
    person_id: str = ""

    @property
    def attribution(self) -> str:
        """``speaker`` when the minutes name who spoke, ``unknown`` for text no speaker line claimed."""
        return "speaker" if self.label or self.name else "unknown"

    @property
    def display(self) -> str:
        """The name to show: the person's name, the label, or 発言者不明 when unknown."""
        return self.name or self.label or UNKNOWN_SPEAKER


# The speaker of text that no speaker line claimed (paragraphs of plain text, speech before the first label).
UNATTRIBUTED = Speaker(label="", name="", is_person=False)


@dataclass(frozen=True)
class Attendee:
    """One line of a meeting's roster."""

    name: str
    group: str = ""
    role: str = ""
    affiliation: str = ""
    title: str = ""


@dataclass(frozen=True)
class Turn:
    """One speaker turn (a remark) as parsed, before it has an id in an index."""

    order: int
    speaker: Speaker
    topic: str
    text: str
    source_id: str = ""
    url: str = ""


@dataclass(frozen=True)
class Meeting:
    """Meeting metadata as parsed from minutes."""

    meeting_id: str
    title: str
    date: str = ""
    start_time: str = ""
    end_time: str = ""
    place: str = ""
    agenda: tuple[str, ...] = ()
    attendees: tuple[Attendee, ...] = ()
    topics: tuple[str, ...] = ()
    url: str = ""
    source_format: str = ""
    source_name: str = ""
    content_hash: str = ""


@dataclass(frozen=True)
class ParsedMinutes:
    """A parsed minutes file: one meeting and its turns in order."""

    meeting: Meeting
    turns: tuple[Turn, ...]
    # What the parser could not do and the user should know (no speaker lines found, no date).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Passage:
    """A piece of a remark that is embedded and indexed; ``ordinal`` counts within the remark."""

    remark_id: str
    ordinal: int
    text: str


@dataclass(frozen=True)
class Remark:
    """A stored remark: one whole speaker turn with its meeting and speaker."""

    remark_id: str
    meeting_id: str
    meeting_title: str
    meeting_date: str
    order: int
    speaker: Speaker
    topic: str
    text: str
    url: str = ""


@dataclass(frozen=True)
class Hit:
    """A search result: a remark, its best passage and its neighbours."""

    rank: int
    score: float
    remark: Remark
    passage: str
    prev: Remark | None = None
    next: Remark | None = None
    sources: dict[str, int] = field(default_factory=dict)
    # Each retriever's own score for the remark's best passage there (cosine, BM25): what
    # answers use to tell a relevant remark from the nearest of many irrelevant ones.
    scores: dict[str, float] = field(default_factory=dict)
    # The index's id of ``passage`` (None where the remark's text stands in for it).
    passage_id: int | None = None
