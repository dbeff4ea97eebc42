"""Exact float32 vectors kept on disk beside a compressed dense index, for re-ranking.

An approximate index over 8-bit codes (``ivf_sq8``, ``hnsw_sq8``) fits millions of passages in
memory, but its scores are too coarse to order near-ties. The exact vectors live in a plain file of float32 rows
sorted by id (``dense_exact.f32`` and ``dense_exact_ids.npy``, named after the dense index they
serve); a search re-scores its few hundred
candidates by reading their rows with ``pread``. Those reads go through the page cache, not the
process's memory, so the server's resident size does not grow with the corpus.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from index.errors import IndexCorrupt


def _files(stem: str) -> tuple[str, str]:
    """(rows file, ids file) of the exact store beside the dense index named ``stem``."""
    return f"{stem}_exact.f32", f"{stem}_exact_ids.npy"


_CHUNK = 65536


class ExactStore:
    """id → float32 vector: rows on disk from the last generation, plus rows added since."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._base_ids = np.zeros(0, dtype=np.int64)
        self._base_live = np.zeros(0, dtype=bool)
        self._fd: int | None = None
        self._new: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return int(self._base_live.sum()) + len(self._new)

    def __del__(self) -> None:
        if self._fd is not None:
            os.close(self._fd)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Remember exact vectors for ``ids`` (replacing earlier ones)."""
        self.delete(ids)
        for i, v in zip(ids.tolist(), np.asarray(vectors, dtype=np.float32), strict=True):
            self._new[int(i)] = v

    def delete(self, ids: np.ndarray) -> None:
        """Forget ``ids``."""
        for i in ids.tolist():
            self._new.pop(int(i), None)
        if len(self._base_ids):
            pos = np.searchsorted(self._base_ids, ids)
            hit = (pos < len(self._base_ids)) & (self._base_ids[np.minimum(pos, len(self._base_ids) - 1)] == ids)
            self._base_live[pos[hit]] = False

    def get(self, ids: np.ndarray) -> np.ndarray:
        """Exact vectors for ``ids`` (rows of zeros for unknown ids)."""
        ids = np.asarray(ids, dtype=np.int64)
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        row_bytes = self.dim * 4
        base = len(self._base_ids)
        pos = np.searchsorted(self._base_ids, ids) if base else np.zeros(len(ids), dtype=np.int64)
        for n, (i, p) in enumerate(zip(ids.tolist(), pos.tolist(), strict=True)):
            vector = self._new.get(i)
            if vector is not None:
                out[n] = vector
            elif self._fd is not None and p < base and self._base_ids[p] == i and self._base_live[p]:
                out[n] = np.frombuffer(os.pread(self._fd, row_bytes, p * row_bytes), dtype=np.float32)
        return out

    def live_ids(self) -> np.ndarray:
        """Every id with a vector, sorted."""
        return np.union1d(self._base_ids[self._base_live], np.fromiter(self._new, dtype=np.int64))

    def save(self, directory: Path, *, stem: str = "dense") -> None:
        """Write every live row, sorted by id, into ``directory``."""
        rows_file, ids_file = _files(stem)
        ids = self.live_ids()
        with (directory / rows_file).open("wb") as fh:
            for start in range(0, len(ids), _CHUNK):
                fh.write(self.get(ids[start : start + _CHUNK]).tobytes())
        np.save(directory / ids_file, ids)

    @classmethod
    def load(cls, directory: Path, dim: int, *, stem: str = "dense") -> ExactStore | None:
        """The store written by ``save``, or None when the generation has none."""
        rows_file, ids_file = _files(stem)
        if not (directory / ids_file).exists():
            return None
        store = cls(dim)
        try:
            store._base_ids = np.load(directory / ids_file).astype(np.int64)
            store._fd = os.open(directory / rows_file, os.O_RDONLY)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(f"cannot read the exact vectors in {directory}: {exc}") from exc
        if os.fstat(store._fd).st_size != len(store._base_ids) * dim * 4:
            raise IndexCorrupt(f"{directory / rows_file} does not hold {len(store._base_ids)} rows of {dim} floats")
        store._base_live = np.ones(len(store._base_ids), dtype=bool)
        return store
