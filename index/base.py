"""The one small interface that the dense and the lexical index share, their ranking rule, and id lookup."""

from __future__ import annotations

from pathlib import Path
from typing import Generic, Protocol, TypeVar

import numpy as np

Item = TypeVar("Item", contravariant=True)
Query = TypeVar("Query", contravariant=True)


class SearchIndex(Protocol, Generic[Item, Query]):
    """Add, delete, search, save, load. Ids are int64 passage ids; ``allowed`` restricts a search."""

    def add(self, ids: np.ndarray, items: Item) -> None:
        """Add items under ``ids`` (ids already present are replaced)."""
        ...

    def delete(self, ids: np.ndarray) -> None:
        """Remove ids; unknown ids are ignored."""
        ...

    def search(self, query: Query, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Best ``k`` (id, score) pairs, best first, only among ``allowed`` ids when given."""
        ...

    def save(self, directory: Path) -> None:
        """Write the index files into ``directory``."""
        ...

    def __len__(self) -> int: ...


def top_k(ids: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` best (id, score), by score and then by id, so equal scores rank the same everywhere.

    Every index and every merge of shard answers ranks with this rule: a split index then returns
    the whole index's top ``k`` even where passages tie (duplicated remarks do).
    """
    if len(scores) > k:
        threshold = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= threshold  # ties at the threshold stay in, then the id decides
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:k]
    return [(int(ids[i]), float(scores[i])) for i in order]


class IdPositions:
    """Where each of some ids sits in an array of stored ids, by binary search.

    Passage ids are allocated ascending, so stored ids usually are already sorted and need no
    copy; otherwise their sorting order is kept once (8 bytes an id, not a dict of every id).
    """

    def __init__(self, ids: np.ndarray) -> None:
        ascending = bool(np.all(ids[1:] > ids[:-1]))
        self._order: np.ndarray | None = None if ascending else np.argsort(ids, kind="stable")
        self._sorted = ids if self._order is None else ids[self._order]

    def find(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indices into ``wanted`` of the ids that are stored, their positions in the stored ids)."""
        if not len(self._sorted) or not len(wanted):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        at = np.minimum(np.searchsorted(self._sorted, wanted), len(self._sorted) - 1)
        found = np.flatnonzero(self._sorted[at] == wanted)
        return found, (at[found] if self._order is None else self._order[at[found]])
