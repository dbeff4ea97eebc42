"""``gijiroku serve``: build an index from the bundled sample on first start, then serve with uvicorn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rag.engine import Engine
from rag.settings import Settings


def prepare_index(settings: Settings, *, sample_dir: Path, say: Callable[[str], None]) -> None:
    """If the configured index is empty, ingest the bundled sample minutes into it (with progress)."""
    engine = Engine(settings, progress=say)
    if engine.has_index():
        return
    say(f"no index at {settings.index_dir} yet: building one from the bundled sample {sample_dir}")
    for report in engine.ingest([sample_dir], show_progress=True):
        say(f"{report.status} {report.path} {report.reason}".rstrip())


def serve(settings: Settings, *, sample_dir: Path, say: Callable[[str], None]) -> None:
    """Run the HTTP service in the foreground."""
    import uvicorn

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
