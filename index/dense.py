"""Dense vectors in FAISS: inner product on L2-normalised vectors (cosine similarity).

``flat`` is exact search; ``hnsw`` is approximate, for corpora where exact search is too slow;
``hnsw_sq8`` and ``hnsw_sq4`` are HNSW over 8- or 4-bit scalar-quantised vectors, a quarter or an
eighth of the memory, whose candidates are re-ranked with exact vectors kept on disk (for millions
of passages; recall@10 against exact search is measured in bench/scale.py).
Filters are applied inside FAISS with an id selector, so a filtered search still returns ``k``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faiss as _faiss
import numpy as np

from index.errors import IndexCorrupt, StoreError
from index.exact import ExactStore

# faiss's SWIG annotations do not describe its Python API (search params, selectors); treat it as untyped.
faiss: Any = _faiss

FILE = "dense.faiss"
INDEX_TYPES = ("flat", "hnsw", "hnsw_sq8", "hnsw_sq4")
# Scalar quantisers of the quantised types: codes in memory, exact vectors on disk for the re-rank.
_QUANTISERS = {"hnsw_sq8": "QT_8bit", "hnsw_sq4": "QT_4bit"}
# Candidates a quantised index fetches before the exact re-rank: twice what is asked, at least 300.
RERANK_FACTOR = 2
RERANK_MIN = 300


class DenseIndex:
    """FAISS index mapping int64 passage ids to vectors."""

    def __init__(self, dim: int, *, index_type: str = "flat", hnsw_m: int = 32, ef_search: int = 128) -> None:
        if index_type not in INDEX_TYPES:
            raise StoreError(f"unknown dense index type {index_type!r}; choose one of {', '.join(INDEX_TYPES)}")
        self.dim = dim
        self.index_type = index_type
        self.hnsw_m = hnsw_m
        self.ef_search = ef_search
        if index_type == "hnsw":
            inner = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        elif index_type in _QUANTISERS:
            # Per-dimension ranges, learnt from the first vectors added (widened by 20%, values
            # beyond are clamped); a rebuild after deletes learns them again from all vectors.
            qtype = getattr(faiss.ScalarQuantizer, _QUANTISERS[index_type])
            inner = faiss.IndexHNSWSQ(dim, qtype, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            storage = faiss.downcast_index(inner.storage)
            storage.sq.rangestat = faiss.ScalarQuantizer.RS_minmax
            storage.sq.rangestat_arg = 0.2
        else:
            inner = faiss.IndexFlatIP(dim)
        if index_type != "flat":
            inner.hnsw.efConstruction = max(40, 2 * hnsw_m)
        self.index = faiss.IndexIDMap2(inner)
        # Quantised codes order near-ties badly: exact vectors on disk re-rank the candidates.
        self.exact: ExactStore | None = ExactStore(dim) if index_type in _QUANTISERS else None

    @property
    def approximate(self) -> bool:
        """Whether search is approximate (HNSW)."""
        return self.index_type != "flat"

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: np.ndarray, items: np.ndarray) -> None:
        """Add vectors (n × dim, float32, normalised) under ``ids``."""
        vectors = np.ascontiguousarray(items, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise StoreError(f"expected vectors of dimension {self.dim}, got shape {vectors.shape}")
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.delete(ids)
        if not self.index.is_trained:
            self.index.index.train(vectors)
            self.index.is_trained = True
        self.index.add_with_ids(vectors, ids)
        if self.exact is not None:
            self.exact.add(ids, vectors)

    def delete(self, ids: np.ndarray) -> None:
        """Remove ids (HNSW cannot remove in place, so it is rebuilt from the kept vectors)."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids) or not len(self):
            return
        if self.index_type == "flat":
            self.index.remove_ids(faiss.IDSelectorBatch(ids))
            return
        current = faiss.vector_to_array(self.index.id_map)
        keep = ~np.isin(current, ids)
        if keep.all():
            return
        kept = current[keep]
        if self.exact is not None:
            vectors = self.exact.get(kept)  # exact, not the quantised reconstruction
        else:
            vectors = self.index.reconstruct_batch(kept) if keep.any() else np.zeros((0, self.dim), "float32")
        fresh = DenseIndex(self.dim, index_type=self.index_type, hnsw_m=self.hnsw_m, ef_search=self.ef_search)
        if keep.any():
            fresh.add(kept, vectors)
        self.index, self.exact = fresh.index, fresh.exact

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (id, cosine) for one query vector."""
        if not len(self) or k <= 0:
            return []
        vec = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        params = None
        if allowed is not None:
            if not len(allowed):
                return []
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            if self.approximate:
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k))
            else:
                params = faiss.SearchParameters(sel=selector)
        elif self.approximate:
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k))
        fetch = min(max(k * RERANK_FACTOR, RERANK_MIN), len(self)) if self.exact is not None else min(k, len(self))
        if self.approximate and params is not None:
            params.efSearch = max(params.efSearch, fetch)
        scores, ids = self.index.search(vec, fetch, params=params)
        found = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
        if self.exact is None or not found:
            return found[:k]
        cand = np.array([i for i, _ in found], dtype=np.int64)
        exact = self.exact.get(cand) @ vec[0]
        order = np.argsort(-exact, kind="stable")[:k]
        return [(int(cand[j]), float(exact[j])) for j in order]

    def background(self, n: int = 256) -> np.ndarray:
        """A fixed random sample of up to ``n`` stored vectors (cached until the index changes).

        A query's mean similarity to it is its similarity to a typical passage: the level a relevant
        passage must rise above, whatever the size of the corpus.
        """
        cached = getattr(self, "_background", None)
        if cached is not None and cached[0] == (len(self), n):
            return cached[1]
        ids = self.ids()
        pick = np.random.default_rng(0).choice(ids, min(n, len(ids)), replace=False) if len(ids) else ids
        sample = self.vectors(pick) if len(pick) else np.zeros((0, self.dim), dtype=np.float32)
        self._background = ((len(self), n), sample)
        return sample

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """Stored vectors for ``ids`` (exact where a quantised index keeps them; for notebooks and benchmarks)."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        return self.exact.get(ids) if self.exact is not None else self.index.reconstruct_batch(ids)

    def ids(self) -> np.ndarray:
        """All stored ids."""
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def save(self, directory: Path) -> None:
        """Write ``dense.faiss`` (and the exact vectors of a quantised index) into ``directory``."""
        faiss.write_index(self.index, str(directory / FILE))
        if self.exact is not None:
            self.exact.save(directory)

    @classmethod
    def load(cls, directory: Path, *, dim: int, index_type: str, hnsw_m: int = 32, ef_search: int = 128) -> DenseIndex:
        """Read ``dense.faiss``; the dimension must match the manifest."""
        try:
            raw = faiss.read_index(str(directory / FILE))
        except RuntimeError as exc:
            raise IndexCorrupt(f"cannot read {directory / FILE}: {exc}") from exc
        if raw.d != dim:
            raise IndexCorrupt(f"{directory / FILE} has dimension {raw.d}, the manifest says {dim}")
        obj = cls(dim, index_type=index_type, hnsw_m=hnsw_m, ef_search=ef_search)
        obj.index = faiss.downcast_index(raw) if not isinstance(raw, faiss.IndexIDMap2) else raw
        if obj.exact is not None:
            obj.exact = ExactStore.load(directory, dim)  # None for an index written without it
        return obj
