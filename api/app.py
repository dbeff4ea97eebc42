"""The FastAPI application: search, remarks in context, meetings, health, and the web page.

The engine (model, tokenizer, index) is loaded once in the lifespan and injected into routes.
Routes are plain ``def`` functions, so FastAPI runs them in its thread pool and model inference
never blocks the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Query
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse

from api import errors
from api.admin import admin_routes
from api.deps import EngineDep, mark_refreshed
from api.limits import RequestLimits
from api.render import answer_dict, context_dict, hit_dict, person_dict, result_dict, speaker_dict, who_dict
from api.schemas import (
    COMMON_ERRORS,
    NOT_BLANK,
    AskIn,
    AskOut,
    Health,
    IsoDate,
    MeetingOut,
    MeetingSummary,
    PersonOut,
    PersonProfileOut,
    Ready,
    RemarkOut,
    SearchOut,
    WhoOut,
    error_responses,
)
from index.metadata import Filters
from rag.engine import Engine
from rag.errors import NotFoundError
from rag.records import remark_from_row
from rag.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings, *, engine_factory: Callable[[Settings], Engine] = Engine) -> FastAPI:
    """Build the app; the engine is created and warmed in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = engine_factory(settings)
        # The model, the tokenizer and the index, loaded once before serving; in a worker thread,
        # as every engine call is (a sharded engine's calls wait on Ray, which no event loop may do).
        await asyncio.to_thread(engine.warm)
        app.state.engine = engine
        mark_refreshed(app)
        yield

    app = FastAPI(
        title="gijiroku",
        summary="Semantic search over Japanese minutes",
        lifespan=lifespan,
        responses=COMMON_ERRORS,
    )
    errors.install(app)
    _routes(app, settings)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "DELETE"])
    app.add_middleware(
        RequestLimits,
        max_inflight=settings.max_inflight,
        max_client_inflight=settings.max_client_inflight,
        max_body_bytes=settings.max_body_kb * 1024,
        max_upload_bytes=settings.max_upload_mb * 1024 * 1024,
        max_query_string=settings.max_query_string,
    )
    return app


_FILTER_FIELDS = {"speaker", "group", "topic", "meeting", "date_from", "date_to"}


def _filters(
    *, speaker: str, group: str, topic: str, meeting: str, date_from: date | None, date_to: date | None
) -> Filters:
    return Filters(
        speaker=speaker.strip(),
        group=group.strip(),
        topic=topic.strip(),
        meeting=meeting.strip(),
        date_from=date_from.isoformat() if date_from else "",
        date_to=date_to.isoformat() if date_to else "",
    )


class FilterParams:
    """The filters shared by search, who and speaker search (built by ``filter_params``)."""

    def __init__(self, filters: Filters, infer: bool) -> None:
        self.filters = filters
        self.infer = infer


async def filter_params(
    speaker: str = "",
    group: str = "",
    topic: str = "",
    meeting: str = "",
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    infer: Annotated[bool, Query(description="restrict to a person or role named in the query")] = True,
) -> FilterParams:
    filters = _filters(speaker=speaker, group=group, topic=topic, meeting=meeting, date_from=date_from, date_to=date_to)
    return FilterParams(filters, infer)


FilterDep = Annotated[FilterParams, Depends(filter_params)]
# The query of search and who: required, not blank; its length limit is the core's (max_query_chars).
QueryText = Annotated[str, Query(min_length=1, pattern=NOT_BLANK, description="what to search for")]


def _routes(app: FastAPI, settings: Settings) -> None:
    _search_routes(app)
    _people_routes(app)
    _meeting_routes(app)
    _service_routes(app, settings)
    admin_routes(app, settings)


def _search_routes(app: FastAPI) -> None:
    @app.get("/search", response_model=SearchOut, responses=error_responses(400))
    def search(
        engine: EngineDep,
        params: FilterDep,
        q: QueryText,
        k: Annotated[int, Query(ge=1, le=100)] = 10,
        mode: Literal["hybrid", "dense", "lexical"] = "hybrid",
    ) -> dict:
        """Search remarks (hybrid, dense or lexical) with optional filters."""
        return result_dict(engine.search(query=q, k=k, mode=mode, filters=params.filters, infer=params.infer))

    @app.post("/ask", response_model=AskOut, responses=error_responses(400))
    def ask(engine: EngineDep, body: AskIn) -> dict:
        """Answer a question extractively, quoting the remarks that answer it, with citations."""
        filters = _filters(**body.model_dump(include=_FILTER_FIELDS))
        return answer_dict(engine.ask(question=body.question, k=body.k, filters=filters, infer=body.infer))

    @app.get("/who", response_model=WhoOut, responses=error_responses(400))
    def who(engine: EngineDep, params: FilterDep, q: QueryText, limit: Annotated[int, Query(ge=1, le=50)] = 10) -> dict:
        """Who said what about a subject: speakers ranked by how much and how relevantly they spoke on it."""
        result, speakers = engine.who(query=q, filters=params.filters, infer=params.infer, limit=limit)
        return who_dict(result, speakers)


def _people_routes(app: FastAPI) -> None:
    @app.get("/speakers", response_model=list[PersonOut])
    def speakers(engine: EngineDep) -> list[dict]:
        """People who spoke, with roles, groups, and meeting and remark counts."""
        return [person_dict(r) for r in engine.snapshot().meta.speakers()]

    @app.get("/speakers/{person_id}", response_model=PersonProfileOut, responses=error_responses(400, 404))
    def speaker(
        engine: EngineDep,
        person_id: str,
        q: str = "",
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict:
        """One person's profile and remarks; with ``q``, their remarks searched."""
        meta = engine.snapshot().meta
        rows = meta.speakers(person_id)
        if not rows:
            raise NotFoundError(f"no speaker {person_id!r}", details={"person_id": person_id})
        remarks = [remark_from_row(r) for r in meta.remarks_of(person_id, limit=limit, offset=offset)]
        hits = []
        if q.strip():
            result = engine.search(query=q, k=min(limit, 100), filters=Filters(persons=(person_id,)), infer=False)
            hits = [hit_dict(h) for h in result.hits]
        meetings = meta.meetings_by_id(rows[0]["meeting_ids"])
        return {
            **person_dict(rows[0]),
            "meeting_list": [
                {"id": mid, "title": meetings[mid]["title"], "date": meetings[mid]["date"] or ""}
                for mid in rows[0]["meeting_ids"]
                if mid in meetings
            ],
            "query": q.strip(),
            "total": rows[0]["remarks"],
            "remarks_shown": [
                {
                    "remark_id": r.remark_id,
                    "meeting": {"id": r.meeting_id, "title": r.meeting_title, "date": r.meeting_date},
                    "topic": r.topic,
                    "role": r.speaker.role,
                    "text": r.text,
                    "permalink": f"/remarks/{r.remark_id}",
                }
                for r in remarks
            ],
            "hits": hits,
        }


def _meeting_routes(app: FastAPI) -> None:
    @app.get("/remarks/{remark_id}", response_model=RemarkOut, responses=error_responses(404))
    def remark(engine: EngineDep, remark_id: str, n: Annotated[int, Query(ge=0, le=20)] = 2) -> dict:
        """One remark with ±n remarks of context and a stable permalink."""
        meta = engine.snapshot().meta
        row = meta.remarks([remark_id]).get(remark_id)
        if row is None:
            raise NotFoundError(f"no remark {remark_id!r}", details={"remark_id": remark_id})
        r = remark_from_row(row)
        around = [remark_from_row(x) for x in meta.remarks_in_meeting(r.meeting_id, r.order - n, r.order + n)]
        return {
            "remark_id": r.remark_id,
            "permalink": f"/remarks/{r.remark_id}",
            "speaker": speaker_dict(r),
            "topic": r.topic,
            "meeting": {"id": r.meeting_id, "title": r.meeting_title, "date": r.meeting_date},
            "order": r.order,
            "text": r.text,
            "url": r.url,
            "context": [context_dict(x) for x in around],
        }

    @app.get("/meetings", response_model=list[MeetingSummary])
    def meetings(engine: EngineDep) -> list[dict]:
        """All meetings, newest first."""
        meta = engine.snapshot().meta
        counts = meta.remark_counts()
        return [_meeting_summary(m, counts.get(m["meeting_id"], 0)) for m in meta.meetings()]

    @app.get("/meetings/{meeting_id}", response_model=MeetingOut, responses=error_responses(404))
    def meeting(engine: EngineDep, meeting_id: str) -> dict:
        """Metadata, roster, topics and the full transcript of one meeting."""
        meta = engine.snapshot().meta
        m = meta.meeting(meeting_id)
        if m is None:
            raise NotFoundError(f"no meeting {meeting_id!r}", details={"meeting_id": meeting_id})
        transcript = [context_dict(remark_from_row(r)) for r in meta.remarks_in_meeting(meeting_id)]
        return {
            **_meeting_summary(m, len(transcript)),
            "start_time": m["start_time"] or "",
            "end_time": m["end_time"] or "",
            "agenda": m["agenda"],
            "attendees": m["attendees"],
            "topics": m["topics"],
            "url": m["url"] or "",
            "transcript": transcript,
        }


def _service_routes(app: FastAPI, settings: Settings) -> None:
    @app.get("/healthz", response_model=Health)
    def healthz() -> dict:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", response_model=Ready)
    def readyz(engine: EngineDep) -> dict:
        """Readiness: model and index loaded, with counts."""
        snap = engine.snapshot()
        return {
            "ready": True,
            "model": settings.model_name,
            "second_model": snap.second_model,
            "query_precision": engine.encoder.query_precision,
            "index": str(engine.index_dir),
            "generation": snap.generation,
            "counts": snap.manifest.get("counts", {}),
        }

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        """The web page."""
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


def _meeting_summary(m: dict, remarks: int) -> dict:
    return {
        "id": m["meeting_id"],
        "title": m["title"],
        "date": m["date"] or "",
        "place": m["place"] or "",
        "source_format": m["source_format"] or "",
        "remarks": remarks,
    }
