"""Request limits applied before a route runs: in-flight requests, body and query-string sizes.

A flood from one client must not take the server from everyone else, and an oversized upload
must be refused before it is read whole. This pure ASGI middleware keeps a count of requests in
flight, overall and per client address: past the per-client bound a request is answered 429 at
once, past the overall bound 503, both in the one error shape with ``Retry-After``, so memory
never grows with a queue. A body announced (``Content-Length``) or streamed past its limit gets
413; a query string past its limit gets 414. Liveness (``/healthz``) is never limited.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from api.errors import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_UNLIMITED = ("/healthz",)
# Multipart framing around an uploaded file: boundaries, headers, the format field.
_MULTIPART_SLACK = 64 * 1024


class RequestLimits:
    """ASGI middleware enforcing the limits in ``Settings`` (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_inflight: int,
        max_client_inflight: int,
        max_body_bytes: int,
        max_upload_bytes: int,
        max_query_string: int,
    ) -> None:
        self.app = app
        self.max_inflight = max_inflight
        self.max_client_inflight = max_client_inflight
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes + _MULTIPART_SLACK
        self.max_query_string = max_query_string
        self._lock = threading.Lock()
        self._inflight = 0
        self._by_client: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in _UNLIMITED:
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        admitted = self._admit(client)
        if admitted is not None:
            await admitted(scope, receive, send)
            return
        try:
            await self.app(scope, self._counting(receive, self._body_limit(scope)), send)
        finally:
            with self._lock:
                self._inflight -= 1
                self._by_client[client] -= 1
                if self._by_client[client] <= 0:
                    del self._by_client[client]

    def _body_limit(self, scope: Scope) -> int:
        return self.max_upload_bytes if scope.get("path") == "/ingest" else self.max_body_bytes

    def _refusal(self, scope: Scope) -> JSONResponse | None:
        """413 or 414 for what the request line and headers already show."""
        if len(scope.get("query_string", b"")) > self.max_query_string:
            message = f"the query string is over {self.max_query_string} bytes"
            return JSONResponse(error_body("uri_too_long", message), 414)
        length = dict(scope.get("headers") or []).get(b"content-length")
        limit = self._body_limit(scope)
        if length is not None and length.isdigit() and int(length) > limit:
            return JSONResponse(error_body("too_large", f"the request body is over {limit} bytes"), 413)
        return None

    def _admit(self, client: str) -> JSONResponse | None:
        """Count the request in, or the 429/503 that turns it away."""
        with self._lock:
            if self._by_client[client] >= self.max_client_inflight:
                message = f"this client has {self.max_client_inflight} requests in flight; retry later"
                return JSONResponse(error_body("too_many_requests", message), 429, headers={"Retry-After": "1"})
            if self._inflight >= self.max_inflight:
                message = f"the server has {self.max_inflight} requests in flight; retry later"
                return JSONResponse(error_body("overloaded", message), 503, headers={"Retry-After": "1"})
            self._inflight += 1
            self._by_client[client] += 1
        return None

    @staticmethod
    def _counting(receive: Receive, limit: int) -> Receive:
        """``receive`` that stops a streamed body at ``limit`` bytes with a 413."""
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"the request body is over {limit} bytes")
            return message

        return wrapped
