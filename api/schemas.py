"""Pydantic request and response models: the API's edge. The core uses plain dataclasses."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class SpeakerOut(BaseModel):
    label: str
    name: str | None  # None when no speaker line claimed the text (attribution "unknown")
    attribution: str = "speaker"  # speaker | unknown
    role: str
    group: str
    affiliation: str
    person_id: str = ""


class MeetingRef(BaseModel):
    id: str
    title: str
    date: str


class ContextRemark(BaseModel):
    remark_id: str
    speaker: str
    text: str


class Context(BaseModel):
    prev: ContextRemark | None
    next: ContextRemark | None


class HitOut(BaseModel):
    rank: int
    score: float
    remark_id: str
    speaker: SpeakerOut
    topic: str
    meeting: MeetingRef
    text: str
    passage: str
    url: str = ""
    context: Context
    sources: dict[str, int] = {}


class InferredOut(BaseModel):
    person_ids: list[str]
    names: list[str]
    mention: str
    via: str
    searched_for: str


class SearchOut(BaseModel):
    query: str
    mode: str
    filters: dict[str, str | list[str]]
    inferred: InferredOut | None = None
    notes: list[str] = []
    hits: list[HitOut]


class AskIn(BaseModel):
    """A question, with the same optional filters as search."""

    question: str = Field(description="the question, in Japanese or English")
    k: int = Field(default=10, ge=1, le=100, description="how many remarks to search for the answer")
    speaker: str = ""
    group: str = ""
    topic: str = ""
    meeting: str = ""
    date_from: date | None = None
    date_to: date | None = None
    infer: bool = Field(default=True, description="restrict to a person or role named in the question")


class CitationOut(BaseModel):
    n: int
    remark_id: str
    speaker: str
    person_id: str
    meeting: str
    meeting_id: str
    date: str
    topic: str
    quote: str
    permalink: str


class AskOut(BaseModel):
    question: str
    language: str
    status: str = Field(description="answered, related (no direct answer; closest remarks) or not_found")
    answer: str
    citations: list[CitationOut]
    filters: dict[str, str | list[str]]
    inferred: InferredOut | None = None
    notes: list[str] = []
    hits: list[HitOut]


class SpeakerOnTopicOut(BaseModel):
    speaker: SpeakerOut
    score: float
    remarks: int
    topics: list[str]
    meetings: list[str]
    top: list[HitOut]


class WhoOut(BaseModel):
    query: str
    filters: dict[str, str | list[str]]
    inferred: InferredOut | None = None
    notes: list[str] = []
    speakers: list[SpeakerOnTopicOut]


class PersonOut(BaseModel):
    person_id: str
    name: str
    roles: list[str]
    groups: list[str]
    affiliations: list[str]
    labels: list[str]
    meetings: int
    remarks: int


class PersonRemark(BaseModel):
    remark_id: str
    meeting: MeetingRef
    topic: str
    role: str
    text: str
    permalink: str


class PersonProfileOut(PersonOut):
    meeting_list: list[MeetingRef]
    query: str = ""
    total: int
    remarks_shown: list[PersonRemark]
    hits: list[HitOut] = []


class IngestOut(BaseModel):
    path: str
    status: str
    meeting_id: str
    title: str
    remarks: int
    passages: int
    reason: str
    warnings: list[str] = []


class DeletedOut(BaseModel):
    meeting_id: str
    passages_removed: int


class RemarkOut(BaseModel):
    remark_id: str
    permalink: str
    speaker: SpeakerOut
    topic: str
    meeting: MeetingRef
    order: int
    text: str
    url: str = ""
    context: list[ContextRemark]


class MeetingSummary(BaseModel):
    id: str
    title: str
    date: str
    place: str
    source_format: str
    remarks: int


class MeetingOut(MeetingSummary):
    start_time: str
    end_time: str
    agenda: list[str]
    attendees: list[dict]
    topics: list[str]
    url: str
    transcript: list[ContextRemark]


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    ready: bool
    model: str
    second_model: str | None = None  # the second dense leg the index is searched with, if any
    index: str
    generation: int
    counts: dict[str, int]
