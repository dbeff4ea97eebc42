"""Progress bars for long passes over passages: drawn on a terminal, silent in logs, pipes and tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def progress_bar(total: int, unit: str, *, show: bool, desc: str | None = None) -> Iterator[Any]:
    """A tqdm bar over ``total`` ``unit``s (``update(n)`` as work is done), cleared when done.

    With ``show`` it is drawn only where stderr is a terminal (tqdm's ``disable=None``), so a log
    file or a pipe never fills with carriage returns; without it, nothing is drawn.
    """
    from tqdm import tqdm

    with tqdm(total=total, unit=unit, desc=desc, disable=None if show else True, leave=False) as bar:
        yield bar
