"""Pydantic request and response models: the API's edge. The core uses plain dataclasses."""

from __future__ import annotations

from pydantic import BaseModel


class SpeakerOut(BaseModel):
    label: str
    name: str
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


class SearchOut(BaseModel):
    query: str
    mode: str
    filters: dict[str, str]
    notes: list[str] = []
    hits: list[HitOut]


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
    index: str
    generation: int
    counts: dict[str, int]
