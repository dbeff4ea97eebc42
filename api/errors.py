"""One JSON error shape for every 4xx and 5xx: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from index.errors import IndexCorrupt, IndexMismatch, IndexMissing, ShardUnavailable, StoreError
from rag.errors import ConfigError, GijirokuError, InputError, NotFoundError, ReadOnlyIndex

log = logging.getLogger("gijiroku.api")

STATUS = {
    InputError: 400,
    NotFoundError: 404,
    IndexMissing: 503,
    IndexMismatch: 503,
    IndexCorrupt: 503,
    ShardUnavailable: 503,
    ConfigError: 500,
    ReadOnlyIndex: 409,
}


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    """The error envelope."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def status_for(exc: Exception) -> int:
    """HTTP status for a core exception (most specific class wins)."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def allowed_methods(request: Request) -> list[str]:
    """The methods the routes matching the request's path answer (HEAD aside), sorted."""
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches(request.scope)
        if match in (Match.FULL, Match.PARTIAL):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods - {"HEAD"})


def install(app: FastAPI) -> None:
    """Register the handlers that map core errors and request errors onto the envelope."""

    @app.exception_handler(GijirokuError)
    @app.exception_handler(StoreError)
    async def core_error(_: Request, exc: Exception) -> JSONResponse:
        code = getattr(exc, "code", "error")
        return JSONResponse(
            error_body(code, getattr(exc, "message", str(exc)), getattr(exc, "details", {})), status_for(exc)
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(x) for x in e["loc"] if x not in ("query", "body", "path")), "message": e["msg"]}
            for e in exc.errors()
        ]
        message = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return JSONResponse(error_body("invalid_input", message, {"problems": problems}), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            404: "not_found",
            405: "method_not_allowed",
            401: "unauthorized",
            403: "forbidden",
            413: "too_large",
            414: "uri_too_long",
            429: "too_many_requests",
            503: "unavailable",
        }.get(exc.status_code, "http_error")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:  # every method of the path, not only those of the first route that matched it
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse(error_body(code, str(exc.detail)), exc.status_code, headers=headers or None)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return JSONResponse(error_body("internal_error", "an unexpected error occurred; it has been logged"), 500)
