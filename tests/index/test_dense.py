"""FAISS dense index: exact and HNSW, filters, deletes."""

from __future__ import annotations

import numpy as np
import pytest

from index.dense import DenseIndex
from index.errors import IndexCorrupt, StoreError


def vectors(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "hnsw_sq8", "hnsw_sq4"])
def test_nearest_is_itself(kind):
    v = vectors(200)
    idx = DenseIndex(16, index_type=kind)
    idx.add(np.arange(100, 300), v)
    top = idx.search(v[5], 3)
    assert top[0][0] == 105
    assert top[0][1] == pytest.approx(1.0, abs=1e-4 if kind in ("flat", "hnsw") else 1e-2)  # quantised codes


@pytest.mark.parametrize("kind", ["flat", "hnsw", "hnsw_sq8", "hnsw_sq4"])
def test_filter_and_delete(kind):
    v = vectors(50)
    idx = DenseIndex(16, index_type=kind)
    idx.add(np.arange(50), v)
    allowed = np.array([7, 8, 9])
    assert {i for i, _ in idx.search(v[0], 10, allowed=allowed)} == {7, 8, 9}
    idx.delete(np.array([0]))
    assert idx.search(v[0], 1)[0][0] != 0
    assert len(idx) == 49


def test_wrong_dimension_is_refused(tmp_path):
    idx = DenseIndex(16)
    with pytest.raises(StoreError):
        idx.add(np.arange(2), vectors(2, dim=8))
    idx.add(np.arange(2), vectors(2))
    idx.save(tmp_path)
    with pytest.raises(IndexCorrupt):
        DenseIndex.load(tmp_path, dim=32, index_type="flat")


def test_hnsw_sq8_recall_and_reload(tmp_path):
    v = vectors(2000, dim=32, seed=3)
    exact = DenseIndex(32)
    approx = DenseIndex(32, index_type="hnsw_sq8", ef_search=64)
    exact.add(np.arange(2000), v)
    approx.add(np.arange(2000), v)
    queries = vectors(50, dim=32, seed=4)
    recall = np.mean(
        [len({i for i, _ in exact.search(q, 10)} & {i for i, _ in approx.search(q, 10)}) / 10 for q in queries]
    )
    assert recall >= 0.9
    approx.save(tmp_path)
    loaded = DenseIndex.load(tmp_path, dim=32, index_type="hnsw_sq8")
    assert loaded.search(v[7], 1)[0][0] == 7


def test_hnsw_sq8_reranks_with_exact_vectors_kept_on_disk(tmp_path):
    v = vectors(500, dim=32, seed=5)
    idx = DenseIndex(32, index_type="hnsw_sq8")
    idx.add(np.arange(500), v)
    assert idx.search(v[3], 1)[0][1] == pytest.approx(1.0, abs=1e-5)  # exact scores after the re-rank
    idx.delete(np.array([3]))
    idx.save(tmp_path)
    loaded = DenseIndex.load(tmp_path, dim=32, index_type="hnsw_sq8")
    assert loaded.exact is not None and len(loaded.exact) == 499
    top = loaded.search(v[4], 2)
    assert top[0] == (4, pytest.approx(1.0, abs=1e-5)) and 3 not in {i for i, _ in loaded.search(v[3], 5)}
    assert np.allclose(loaded.vectors(np.array([10])), v[10])
    loaded.add(np.array([900]), v[3:4])  # a writer extends the on-disk rows with new ones
    loaded.delete(np.array([10]))
    (tmp_path / "next").mkdir()
    loaded.save(tmp_path / "next")
    again = DenseIndex.load(tmp_path / "next", dim=32, index_type="hnsw_sq8")
    assert again.search(v[3], 1)[0][0] == 900 and len(again.exact) == 499
