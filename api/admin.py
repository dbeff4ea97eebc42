"""Admin endpoints (upload minutes, delete a meeting): off unless an admin token is configured,
then guarded by ``Authorization: Bearer <token>``."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated

from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile

from api.deps import WriterDep, mark_refreshed
from api.schemas import DeletedOut, IngestOut, error_responses
from rag.errors import InputError, NotFoundError
from rag.ingest import FileReport
from rag.parsing import FORMATS
from rag.settings import Settings

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def upload_name(filename: str | None) -> str:
    """An uploaded file's name as shown and stored: its last path part, without control characters.

    The name is never a path on the server (nothing is written under it); ``../../x`` and NULs are
    still cut, so reports and stored source names cannot carry them.
    """
    name = _CONTROL.sub("", (filename or "").replace("\\", "/")).rsplit("/", 1)[-1].strip()
    return name[:200] if name not in ("", ".", "..") else "upload"


def file_summary(name: str, reports: list[FileReport]) -> dict:
    """One upload's answer: the file's report (one meeting's, or the meetings' summed) and each meeting's."""
    meetings = [asdict(r) for r in reports]
    if len(reports) == 1:
        return {**meetings[0], "meetings": meetings}
    done = [r for r in reports if r.status != "failed"]
    return {
        "path": name,
        "status": "ingested" if any(r.status == "ingested" for r in done) else "skipped",
        "meeting_id": done[0].meeting_id,
        "title": done[0].title,
        "remarks": sum(r.remarks for r in done),
        "passages": sum(r.passages for r in done),
        "reason": "; ".join(f"{r.path}: {r.reason}" for r in reports if r.status == "failed"),
        "warnings": [w for r in done for w in r.warnings],
        "meetings": meetings,
    }


def require_admin(settings: Settings) -> Callable[[Request], None]:
    """A dependency that lets a request through only with the configured bearer token."""

    def check(request: Request) -> None:
        if not settings.admin_token:
            raise HTTPException(403, "admin endpoints are off; set GIJIROKU_ADMIN_TOKEN to turn them on")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "send Authorization: Bearer <admin token>", headers={"WWW-Authenticate": "Bearer"})
        if not secrets.compare_digest(token.strip().encode(), settings.admin_token.encode()):
            raise HTTPException(403, "the admin token is wrong")

    return check


def admin_routes(app: FastAPI, settings: Settings) -> None:
    """Register ``POST /ingest`` and ``DELETE /meetings/{id}``."""
    guard = [Depends(require_admin(settings))]
    max_bytes = settings.max_upload_mb * 1024 * 1024

    @app.post(
        "/ingest",
        response_model=IngestOut,
        dependencies=guard,
        status_code=200,
        responses=error_responses(400, 401, 403, 409),
    )
    def ingest(
        request: Request,
        engine: WriterDep,
        file: Annotated[
            UploadFile,
            File(description="a minutes file: text, Markdown, JSON, the Diet API's XML, PDF, HTML, Word or CSV"),
        ],
        format: Annotated[str, Form(description=f"one of {', '.join(FORMATS)}; detected when empty")] = "",
    ) -> dict:
        """Ingest one uploaded minutes file (admin)."""
        if format and format not in FORMATS:
            raise InputError(f"format must be one of {', '.join(FORMATS)}, got {format!r}", details={"field": "format"})
        data = file.file.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise HTTPException(413, f"the file is over {settings.max_upload_mb} MB")
        name = upload_name(file.filename)
        reports = engine.ingest_bytes(data, name, fmt=format or None)
        mark_refreshed(request.app)
        if all(r.status == "failed" for r in reports):
            raise InputError(f"{reports[0].path}: {reports[0].reason}", details=asdict(reports[0]))
        return file_summary(name, reports)

    @app.delete(
        "/meetings/{meeting_id}",
        response_model=DeletedOut,
        dependencies=guard,
        responses=error_responses(401, 403, 404, 409),
    )
    def delete_meeting(request: Request, engine: WriterDep, meeting_id: str) -> dict:
        """Delete a meeting and its remarks from the index (admin)."""
        if engine.snapshot().meta.meeting(meeting_id) is None:
            raise NotFoundError(f"no meeting {meeting_id!r}", details={"meeting_id": meeting_id})
        removed = engine.delete_meeting(meeting_id)
        mark_refreshed(request.app)
        return {"meeting_id": meeting_id, "passages_removed": removed}
