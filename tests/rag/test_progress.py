"""Progress bars: drawn on a terminal during ingest and backfill, never in a log or a pipe."""

from __future__ import annotations

import io
from contextlib import redirect_stderr

from rag.engine import Engine
from rag.progress import progress_bar
from tests.conftest import FIXTURES, fake_encoder, make_settings


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal (set inside a test: pytest restores its own stderr after setup)."""

    def isatty(self) -> bool:
        return True


def _drawn(show: bool, stderr: io.StringIO) -> str:
    with redirect_stderr(stderr), progress_bar(10, "passages", show=show, desc="adding") as bar:
        bar.update(10)
    return stderr.getvalue()


def test_a_bar_is_drawn_only_on_a_terminal_and_only_when_asked():
    assert "adding" in _drawn(True, _Terminal()) and "passages" in _drawn(True, _Terminal())
    assert _drawn(False, _Terminal()) == ""
    assert _drawn(True, io.StringIO()) == ""  # a pipe or a log file


def test_ingest_shows_its_passages_and_a_backfill_its_pass(tmp_path, sudachi):
    index = tmp_path / "index"
    screen = _Terminal()
    with redirect_stderr(screen):
        plain = Engine(make_settings(index, late_interaction=False), encoder=fake_encoder(), tokenize=sudachi)
        plain.ingest([FIXTURES / "verbatim-council.txt"])
        assert screen.getvalue() == ""
        late = Engine(make_settings(index), encoder=fake_encoder(), tokenize=sudachi)
        late.ingest([FIXTURES / "verbatim-diet.txt"], show_progress=True)
    # The old passages gain token vectors, then the new file's are encoded with theirs (one bar each).
    drawn = screen.getvalue()
    assert "adding token vectors" in drawn
    assert drawn.count("passages/s") == 2
    assert late.snapshot().tokens is not None and len(late.snapshot().tokens) == len(late.snapshot().dense)
