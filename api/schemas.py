"""Pydantic request and response models: the API's edge. The core uses plain dataclasses."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictStr

# A query must hold something besides whitespace (JSON Schema patterns match anywhere in the string).
NOT_BLANK = r"\S"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: object) -> object:
    """Dates are written YYYY-MM-DD; pydantic would also read numbers as Unix timestamps."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


def _json_integer(value: object) -> object:
    """A JSON integer: 10 or 10.0 (JSON Schema's integer), never "10" or true."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a whole number is expected")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("a whole number is expected")
    return int(value)


JsonInt = Annotated[int, BeforeValidator(_json_integer)]


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

    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, not silently ignored

    question: StrictStr = Field(
        description="the question, in Japanese or English (its length limit is max_query_chars)",
        min_length=1,
        pattern=NOT_BLANK,
    )
    # Strict: a JSON body says 10 and true, not "10" or 0 (what the schema declares is what is accepted).
    k: JsonInt = Field(default=10, ge=1, le=100, description="how many remarks to search for the answer")
    speaker: StrictStr = ""
    group: StrictStr = ""
    topic: StrictStr = ""
    meeting: StrictStr = ""
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    infer: StrictBool = Field(default=True, description="restrict to a person or role named in the question")


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


class MeetingIngestOut(BaseModel):
    path: str
    status: str
    meeting_id: str
    title: str
    remarks: int
    passages: int
    reason: str
    warnings: list[str] = []


class IngestOut(MeetingIngestOut):
    """The file: its first meeting's id and title, remarks and passages summed over ``meetings``."""

    meetings: list[MeetingIngestOut] = []


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
    query_precision: str = "float"  # float or int8: how questions are encoded (GIJIROKU_QUERY_PRECISION)
    index: str
    generation: int
    counts: dict[str, int]


class ErrorDetail(BaseModel):
    code: str = Field(description="a stable machine-readable tag: invalid_input, not_found, unauthorized, …")
    message: str = Field(description="what went wrong and what to do about it")
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorOut(BaseModel):
    """The one error shape of every 4xx and 5xx response."""

    error: ErrorDetail


_STATUS_TEXT = {
    400: "The request cannot be used as given (an empty or over-long query, a bad filter, a bad upload)",
    401: "No bearer token was sent to an admin endpoint",
    403: "Admin endpoints are off, or the bearer token is wrong",
    404: "No such id in the index",
    409: "The index is served read-only (a split index): write to its source index",
    413: "The body or the upload is over the size limit",
    414: "The query string is over the size limit",
    422: "A parameter or the body does not have the declared type",
    429: "This client has too many requests in flight; retry later",
    500: "An unexpected error (logged)",
    503: "The index is not ready, a shard did not answer, or the server is at its request limit; retry later",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for ``statuses``, each in the one error shape."""
    return {status: {"model": ErrorOut, "description": _STATUS_TEXT[status]} for status in statuses}


# What any route may answer besides its own: validation, limits, the index or the server failing.
COMMON_ERRORS = error_responses(413, 414, 422, 429, 500, 503)
