"""``gijiroku serve``: build an index from the bundled sample on first start, then serve with uvicorn."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from pathlib import Path

from rag.engine import Engine
from rag.settings import Settings

_M_ARENA_MAX = -8  # glibc mallopt parameters
_M_MMAP_THRESHOLD = -3


def prepare_index(settings: Settings, *, sample_dir: Path, say: Callable[[str], None]) -> None:
    """If the configured index is empty, ingest the bundled sample minutes into it (with progress)."""
    engine = Engine(settings, progress=say)
    if engine.has_index():
        return
    say(f"no index at {settings.index_dir} yet: building one from the bundled sample {sample_dir}")
    for report in engine.ingest([sample_dir], show_progress=True):
        say(f"{report.status} {report.path} {report.reason}".rstrip())


def limit_malloc_arenas(arenas: int = 2, mmap_threshold: int = 1 << 20) -> None:
    """Keep freed request memory from staying resident (glibc): few per-thread arenas, and large
    blocks (per-query score arrays over a million passages) always mapped, so they are returned
    to the system when freed instead of fragmenting the heap."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_ARENA_MAX, arenas)
        libc.mallopt(_M_MMAP_THRESHOLD, mmap_threshold)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def serve(settings: Settings, *, sample_dir: Path, say: Callable[[str], None]) -> None:
    """Run the HTTP service in the foreground."""
    import uvicorn

    limit_malloc_arenas()
    from api.app import create_app

    prepare_index(settings, sample_dir=sample_dir, say=say)
    say(f"serving on http://{settings.host}:{settings.port}  (API docs at /docs)")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=settings.log_level in ("debug", "info"),
    )
