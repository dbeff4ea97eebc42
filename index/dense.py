"""Dense vectors in FAISS: inner product on L2-normalised vectors (cosine similarity).

``flat`` is exact search; ``hnsw`` is approximate, for corpora where exact search is too slow;
``ivf_sq8`` is an inverted file over 8-bit codes (``index.ivf``), the type for millions of
passages; ``hnsw_sq8`` and ``hnsw_sq4`` are HNSW over 8- or 4-bit codes. The quantised types keep
a quarter or an eighth of the memory and re-rank their candidates with exact vectors kept on disk
(recall@10 against exact search is measured in bench/scale.py).
Filters are applied inside FAISS with an id selector, so a filtered search still returns ``k``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import faiss as _faiss
import numpy as np

from index import ivf
from index.base import top_k
from index.errors import IndexCorrupt, StoreError
from index.exact import ExactStore

# faiss's SWIG annotations do not describe its Python API (search params, selectors); treat it as untyped.
faiss: Any = _faiss

# The file stem of the main dense index; a second dense leg (another model) is saved under its own.
STEM = "dense"
INDEX_TYPES = ("flat", "hnsw", "hnsw_sq8", "hnsw_sq4", "ivf_sq8")
# Scalar quantisers of the HNSW types with codes in memory and exact vectors on disk for the re-rank.
_QUANTISERS = {"hnsw_sq8": "QT_8bit", "hnsw_sq4": "QT_4bit"}
_IVF = "ivf_sq8"
_RERANKED = (*_QUANTISERS, _IVF)
# Candidates a quantised index fetches before the exact re-rank: twice what is asked, at least 300.
RERANK_FACTOR = 2
RERANK_MIN = 300
TIE_MARGIN = 16  # extra candidates fetched so that ties at the k-th place resolve by id


# Up to this many ids (16 MB of bits), a filter is a bitmap over the id range: passage ids are
# allocated in sequence, and a bit test is far cheaper than the hash lookup of IDSelectorBatch.
_BITMAP_MAX_IDS = 1 << 27


class _SearchThreads(threading.local):
    """The OpenMP thread count FAISS uses, as set in each thread that searches."""

    wanted = 0  # class attributes: what every thread wants (set_search_threads), ...
    applied = 0  # ... and, per thread, what it has told OpenMP


_THREADS = _SearchThreads()


def set_search_threads(threads: int) -> None:
    """OpenMP threads FAISS may use (0: its default, one per core), in every thread that searches.

    A server searches one query at a time, between model runs that keep their own threads: there
    FAISS's threads only wait for cores (a flat search of 848 passages measured 0.06 ms alone,
    5.6 ms after the second model's matrix products with 2 threads, 0.3 ms with 1). OpenMP keeps
    the count per thread, and a server searches from its pool's threads, not the one that started
    it: each thread applies the count before its first search.
    """
    _SearchThreads.wanted = threads
    _apply_search_threads()


def _apply_search_threads() -> None:
    wanted = _SearchThreads.wanted
    if wanted > 0 and _THREADS.applied != wanted:
        faiss.omp_set_num_threads(wanted)
        _THREADS.applied = wanted


def _selector(allowed: np.ndarray) -> Any:
    """A FAISS id selector for ``allowed`` (non-empty, non-negative ids)."""
    allowed = np.ascontiguousarray(allowed, dtype=np.int64)
    top = int(allowed.max()) + 1
    if top > _BITMAP_MAX_IDS:
        return faiss.IDSelectorBatch(allowed)
    members = np.zeros(top, dtype=bool)
    members[allowed] = True
    bitmap = np.packbits(members, bitorder="little")  # FAISS tests bit (id & 7) of byte id >> 3
    selector = faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap))  # its size in bytes, not bits
    selector.referenced_objects = [bitmap]  # FAISS reads the bits in place: keep them alive
    return selector


class DenseIndex:
    """FAISS index mapping int64 passage ids to vectors."""

    def __init__(
        self, dim: int, *, index_type: str = "flat", hnsw_m: int = 32, ef_search: int = 128, nprobe: int = 256
    ) -> None:
        if index_type not in INDEX_TYPES:
            raise StoreError(f"unknown dense index type {index_type!r}; choose one of {', '.join(INDEX_TYPES)}")
        self.dim = dim
        self.index_type = index_type
        self.hnsw_m = hnsw_m
        self.ef_search = ef_search
        self.nprobe = nprobe
        # Quantised codes order near-ties badly: exact vectors on disk re-rank the candidates.
        self.exact: ExactStore | None = ExactStore(dim) if index_type in _RERANKED else None
        self.index: Any
        if index_type == _IVF:
            self.index = ivf.empty(dim)  # ids live in its lists; trained on the first vectors added
            return
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

    @property
    def approximate(self) -> bool:
        """Whether search is approximate (HNSW or IVF)."""
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
        if self.index_type == _IVF:
            self._add_ivf(ids, vectors)
            return
        if not self.index.is_trained:
            self.index.index.train(vectors)
            self.index.is_trained = True
        self.index.add_with_ids(vectors, ids)
        if self.exact is not None:
            self.exact.add(ids, vectors)

    def _add_ivf(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        assert self.exact is not None
        self.exact.add(ids, vectors)
        if ivf.should_retrain(self.index, len(self.exact)):
            self.index = ivf.build(self.dim, self.exact.live_ids(), self.exact.get)
        else:
            self.index.add_with_ids(vectors, ids)

    def delete(self, ids: np.ndarray) -> None:
        """Remove ids (in place for flat and IVF; HNSW cannot, so it is rebuilt from the kept vectors)."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids) or not len(self):
            return
        if self.index_type in ("flat", _IVF):
            self.index.remove_ids(faiss.IDSelectorBatch(ids))
            if self.exact is not None:
                self.exact.delete(ids)
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
        fresh = DenseIndex(
            self.dim, index_type=self.index_type, hnsw_m=self.hnsw_m, ef_search=self.ef_search, nprobe=self.nprobe
        )
        if keep.any():
            fresh.add(kept, vectors)
        self.index, self.exact = fresh.index, fresh.exact

    def converted(self, index_type: str, *, hnsw_m: int, ef_search: int, nprobe: int) -> DenseIndex:
        """The same vectors in an index of another type (exact vectors where they are kept).

        An IVF target is trained and filled by streaming the vectors in chunks and takes over the
        exact rows on disk when this index has them, so converting a million passages does not
        hold their float vectors in memory.
        """
        fresh = DenseIndex(self.dim, index_type=index_type, hnsw_m=hnsw_m, ef_search=ef_search, nprobe=nprobe)
        ids = np.sort(self.ids())
        if index_type == _IVF:
            if self.exact is not None:
                fresh.exact = self.exact  # this index is discarded after the conversion
            else:
                assert fresh.exact is not None
                fresh.exact.add(ids, self.vectors(ids))
            fresh.index = ivf.build(self.dim, ids, self.vectors)
            return fresh
        for start in range(0, len(ids), ivf.ADD_CHUNK):
            chunk = ids[start : start + ivf.ADD_CHUNK]
            fresh.add(chunk, self.vectors(chunk))
        return fresh

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (id, cosine) for one query vector."""
        if not len(self) or k <= 0 or (allowed is not None and not len(allowed)):
            return []
        _apply_search_threads()
        vec = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        # Beyond k, so passages tied with the k-th are all seen and the id decides among them.
        wanted = max(k * RERANK_FACTOR, RERANK_MIN) if self.exact is not None else k + TIE_MARGIN
        fetch = min(wanted, len(self))
        # The selector must outlive the search: FAISS's parameters point at it without owning it.
        selector = None if allowed is None else _selector(allowed)
        params = self._params(fetch, selector, None if allowed is None else len(allowed))
        scores, ids = self.index.search(vec, fetch, params=params)
        live = ids[0] >= 0
        cand, found = ids[0][live].astype(np.int64), scores[0][live]
        if self.exact is not None and len(cand):
            found = self.exact.get(cand) @ vec[0]
        return top_k(cand, found.astype(np.float64), k)

    def _params(self, fetch: int, selector: Any, allowed: int | None) -> Any:
        """FAISS search parameters: the filter's id selector (of ``allowed`` ids), and the search breadth."""
        if self.index_type == _IVF:
            return ivf.params(self.index, nprobe=self.nprobe, selector=selector, allowed=allowed)
        if self.approximate:
            ef = max(self.ef_search, fetch)
            if selector is None:
                return faiss.SearchParametersHNSW(efSearch=ef)
            return faiss.SearchParametersHNSW(sel=selector, efSearch=ef)
        return None if selector is None else faiss.SearchParameters(sel=selector)

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
        if self.index_type == _IVF:
            assert self.exact is not None
            return self.exact.live_ids()  # the same ids as the lists hold, without walking them
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def save(self, directory: Path, *, stem: str = STEM) -> None:
        """Write ``{stem}.faiss`` (and the exact vectors of a quantised index) into ``directory``."""
        faiss.write_index(self.index, str(directory / f"{stem}.faiss"))
        if self.exact is not None:
            self.exact.save(directory, stem=stem)

    @classmethod
    def load(
        cls,
        directory: Path,
        *,
        dim: int,
        index_type: str,
        hnsw_m: int = 32,
        ef_search: int = 128,
        nprobe: int = 256,
        stem: str = STEM,
    ) -> DenseIndex:
        """Read ``{stem}.faiss``; the dimension must match the manifest."""
        path = directory / f"{stem}.faiss"
        try:
            raw = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise IndexCorrupt(f"cannot read {path}: {exc}") from exc
        if raw.d != dim:
            raise IndexCorrupt(f"{path} has dimension {raw.d}, the manifest says {dim}")
        obj = cls(dim, index_type=index_type, hnsw_m=hnsw_m, ef_search=ef_search, nprobe=nprobe)
        obj.index = raw  # read_index returns the concrete class, owning its C++ object
        if (index_type == _IVF) != isinstance(obj.index, faiss.IndexIVF):
            raise IndexCorrupt(f"{path} does not hold the {index_type} index the manifest names")
        if obj.exact is not None:
            obj.exact = ExactStore.load(directory, dim, stem=stem)  # None for an HNSW index written without it
            if obj.exact is None and index_type == _IVF:
                raise IndexCorrupt(f"{directory} has an {_IVF} index without its exact vectors")
        return obj
