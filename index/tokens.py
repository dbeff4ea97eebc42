"""Token vectors of every passage, for late interaction (MaxSim): a passage scores against a
question by the mean over the question's tokens of each one's best cosine among its own tokens.

A single vector per passage averages its words away; token vectors keep them, so a question
matches the passage that holds its ideas somewhere, in whatever order. The index keeps each
token's vector in int8 with one scale per token (a quarter of float32; no change in ranking on the
dev questions). It re-ranks the dense leg's best passages (``rescore``), so its cost per query is
the candidates' tokens, not the index's; ``search`` scans every passage (small indexes, tests).

Files (``tokens.npz``): ``codes`` (tokens × dim, int8), ``scales`` (tokens, float32), ``ids`` and
``offsets`` (passage ``ids[i]`` owns rows ``offsets[i]:offsets[i + 1]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.base import top_k
from index.errors import IndexCorrupt, StoreError
from index.int8 import product, quantize_rows

FILE = "tokens.npz"


class TokenIndex:
    """Token vectors by passage id: add, delete, search (MaxSim over all), rescore, save, load."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._codes = np.zeros((0, dim), dtype=np.int8)
        self._scales = np.zeros(0, dtype=np.float32)
        self._ids = np.zeros(0, dtype=np.int64)
        self._offsets = np.zeros(1, dtype=np.int64)
        self._pending: list[tuple[np.ndarray, list[np.ndarray]]] = []  # added, not yet packed
        self._deleted: set[int] = set()
        self._position: dict[int, int] | None = None

    def __len__(self) -> int:
        self._pack()
        return len(self._ids)

    def add(self, ids: np.ndarray, items: Sequence[np.ndarray]) -> None:
        """Add each passage's token vectors (tokens × dim, normalised) under ``ids``; present ids are replaced."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) != len(items):
            raise StoreError(f"{len(ids)} ids for {len(items)} token matrices")
        for rows in items:
            if rows.ndim != 2 or rows.shape[1] != self.dim or not len(rows):
                raise StoreError(f"expected token vectors of dimension {self.dim}, got shape {rows.shape}")
        self.delete(ids)
        self._pending.append((ids, list(items)))
        self._position = None

    def delete(self, ids: np.ndarray) -> None:
        """Remove ids; unknown ids are ignored. Nothing is repacked until the next read or save, so
        a writer adding file after file copies the packed arrays once, not once per file."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return
        self._deleted.update(int(i) for i in ids[np.isin(ids, self._ids)])
        self._pending = self._pending_without(ids)
        self._position = None

    def _pending_without(self, ids: np.ndarray) -> list[tuple[np.ndarray, list[np.ndarray]]]:
        kept = []
        for new, items in self._pending:
            keep = ~np.isin(new, ids)
            if keep.any():
                kept.append((new[keep], [rows for rows, k in zip(items, keep, strict=True) if k]))
        return kept

    def ids(self) -> np.ndarray:
        """All stored passage ids."""
        self._pack()
        return self._ids.copy()

    def rescore(self, query: np.ndarray, ids: Sequence[int]) -> np.ndarray:
        """MaxSim of ``query`` (its tokens × dim) against each of ``ids`` (NaN for an id without tokens)."""
        self._pack()
        position = self._positions()
        found = [(j, position[int(i)]) for j, i in enumerate(ids) if int(i) in position]
        out = np.full(len(ids), np.nan, dtype=np.float32)
        if found:
            at, pos = (np.array(x, dtype=np.int64) for x in zip(*found, strict=True))
            out[at] = self._maxsim(np.asarray(query, dtype=np.float32), pos)
        return out

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Best ``k`` (id, MaxSim) over every passage (or only ``allowed`` ones): a full scan."""
        self._pack()
        pos = np.arange(len(self._ids)) if allowed is None else np.flatnonzero(np.isin(self._ids, allowed))
        if not len(pos) or k <= 0:
            return []
        return top_k(self._ids[pos], self._maxsim(np.asarray(query, dtype=np.float32), pos), k)

    def _maxsim(self, query: np.ndarray, pos: np.ndarray) -> np.ndarray:
        starts, ends = self._offsets[pos], self._offsets[pos + 1]
        lengths = ends - starts
        first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        rows = np.arange(int(lengths.sum())) + np.repeat(starts - first, lengths)
        sims = product(self._codes[rows], query)
        sims *= self._scales[rows, None]
        return np.maximum.reduceat(sims, first, axis=0).mean(axis=1)

    def _positions(self) -> dict[int, int]:
        if self._position is None:
            self._position = {int(i): p for p, i in enumerate(self._ids)}
        return self._position

    def _pack(self) -> None:
        """Fold pending additions and deletions into the packed arrays."""
        if not self._pending and not self._deleted:
            return
        codes, scales, ids, lengths = [], [], [], []
        keep = ~np.isin(self._ids, np.fromiter(self._deleted, dtype=np.int64, count=len(self._deleted)))
        if keep.any():
            old_rows = np.repeat(keep, np.diff(self._offsets))
            codes.append(np.asarray(self._codes[old_rows]))
            scales.append(np.asarray(self._scales[old_rows]))
            ids.append(self._ids[keep])
            lengths.append(np.diff(self._offsets)[keep])
        for new_ids, items in self._pending:
            for rows in items:
                c, s = quantize_rows(rows)
                codes.append(c)
                scales.append(s)
            ids.append(new_ids)
            lengths.append(np.array([len(r) for r in items], dtype=np.int64))
        self._codes = np.concatenate(codes) if codes else np.zeros((0, self.dim), dtype=np.int8)
        self._scales = np.concatenate(scales) if scales else np.zeros(0, dtype=np.float32)
        self._ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        self._offsets = np.concatenate([[0], np.cumsum(np.concatenate(lengths) if lengths else [])]).astype(np.int64)
        self._pending, self._deleted, self._position = [], set(), None

    def save(self, directory: Path) -> None:
        """Write ``tokens.npz`` into ``directory``."""
        self._pack()
        with (directory / FILE).open("wb") as fh:
            np.savez(fh, codes=self._codes, scales=self._scales, ids=self._ids, offsets=self._offsets)

    @classmethod
    def load(cls, directory: Path, *, dim: int) -> TokenIndex:
        """Read ``tokens.npz``; its dimension must be the manifest's."""
        path = directory / FILE
        try:
            with np.load(path) as data:
                codes, scales, ids, offsets = (data[k] for k in ("codes", "scales", "ids", "offsets"))
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorrupt(f"cannot read {path}: {exc}") from exc
        if codes.ndim != 2 or codes.shape[1] != dim or len(offsets) != len(ids) + 1 or offsets[-1] != len(codes):
            raise IndexCorrupt(f"{path} does not hold token vectors of dimension {dim} for its {len(ids)} passages")
        index = cls(dim)
        index._codes, index._scales, index._ids, index._offsets = codes, scales, ids, offsets
        return index
