"""Dependencies injected into routes: the engine loaded in the lifespan, kept on the newest index."""

from __future__ import annotations

import threading
import time
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool

from rag.engine import Engine

# A reader checks for a newer committed generation at most this often (one small file read).
REFRESH_EVERY_S = 1.0
_lock = threading.Lock()


def mark_refreshed(app: FastAPI) -> None:
    """Record that the app's engine is on the newest generation now."""
    app.state.refreshed = time.monotonic()


async def get_engine(request: Request, response: Response) -> Engine:
    """The app's engine pinned on the newest committed index generation, named in ``X-Index-Generation``.

    A request keeps the snapshot it started with from its first lookup to its last, so each
    sees the old or the new index, never a mix; the server picks up a new index without a restart.
    Pinning the loaded snapshot is a copy of a few references, so it runs on the event loop: a
    dependency in the thread pool costs every request a hop there and back.
    """
    view = (await get_writer(request)).pinned()
    response.headers["X-Index-Generation"] = str(view.snapshot().generation)
    return view


async def get_writer(request: Request) -> Engine:
    """The app's engine itself, switched to a newer generation when one was committed (for admin writes).

    The check reads the manifest and may open a new generation, so it runs in the thread pool.
    """
    engine: Engine = request.app.state.engine
    now = time.monotonic()
    if now - request.app.state.refreshed > REFRESH_EVERY_S and _lock.acquire(blocking=False):
        try:
            request.app.state.refreshed = now
            await run_in_threadpool(engine.refresh)
        finally:
            _lock.release()
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]
WriterDep = Annotated[Engine, Depends(get_writer)]
