"""FAISS dense index: exact, IVF and HNSW, filters, deletes, conversion."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from index import dense, ivf
from index.dense import INDEX_TYPES, DenseIndex, set_search_threads
from index.errors import IndexCorrupt, StoreError

KINDS = list(INDEX_TYPES)


def vectors(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", KINDS)
def test_nearest_is_itself(kind):
    v = vectors(200)
    idx = DenseIndex(16, index_type=kind)
    idx.add(np.arange(100, 300), v)
    top = idx.search(v[5], 3)
    assert top[0][0] == 105
    assert top[0][1] == pytest.approx(1.0, abs=1e-4 if kind in ("flat", "hnsw") else 1e-2)  # quantised codes


@pytest.mark.parametrize("kind", KINDS)
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


def recall_at_10(exact: DenseIndex, approx: DenseIndex, queries: np.ndarray, allowed=None) -> float:
    return float(
        np.mean(
            [
                len({i for i, _ in exact.search(q, 10, allowed)} & {i for i, _ in approx.search(q, 10, allowed)}) / 10
                for q in queries
            ]
        )
    )


def test_nlist_follows_the_corpus():
    assert ivf.nlist_for(0) == ivf.nlist_for(50) == 1
    assert ivf.nlist_for(100_000) == 1024 and ivf.nlist_for(1_000_000) == 4096
    for n in (100, 1000, 5000, 77_777, 3_000_000):
        lists = ivf.nlist_for(n)
        assert lists & (lists - 1) == 0 and n / lists >= 39


def test_ivf_is_reclustered_as_it_grows_and_keeps_recall():
    v = vectors(6000, dim=32, seed=7)
    exact, approx = DenseIndex(32), DenseIndex(32, index_type="ivf_sq8", nprobe=64)
    exact.add(np.arange(6000), v)
    lists = []
    for start in range(0, 6000, 1000):
        approx.add(np.arange(start, start + 1000), v[start : start + 1000])
        lists.append(approx.index.nlist)
    assert lists[0] == ivf.nlist_for(1000) and lists[-1] == ivf.nlist_for(6000) > lists[0]
    assert len(approx) == 6000 and np.array_equal(np.sort(approx.ids()), np.arange(6000))
    queries = vectors(40, dim=32, seed=8)
    assert recall_at_10(exact, approx, queries) >= 0.95
    # A filter that keeps 1% of the corpus still fills k: the lists probed widen with the filter.
    allowed = np.arange(0, 6000, 100)
    assert all(len(approx.search(q, 10, allowed)) == 10 for q in queries[:5])
    assert recall_at_10(exact, approx, queries, allowed) >= 0.95


def test_ivf_deletes_in_place_and_reloads(tmp_path):
    v = vectors(3000, dim=32, seed=9)
    idx = DenseIndex(32, index_type="ivf_sq8")
    idx.add(np.arange(3000), v)
    trained = idx.index
    idx.delete(np.array([5, 6]))
    assert idx.index is trained and len(idx) == 2998  # no re-clustering for a delete
    assert idx.search(v[7], 1) == [(7, pytest.approx(1.0, abs=1e-5))]
    assert 5 not in {i for i, _ in idx.search(v[5], 20)}
    idx.add(np.array([7]), v[8:9])  # re-adding an id replaces its vector
    assert idx.search(v[8], 2)[0][1] == pytest.approx(1.0, abs=1e-5) and len(idx) == 2998
    idx.save(tmp_path)
    loaded = DenseIndex.load(tmp_path, dim=32, index_type="ivf_sq8", nprobe=4)
    assert loaded.nprobe == 4 and len(loaded) == 2998 and loaded.index.nlist == idx.index.nlist
    assert loaded.search(v[100], 1) == [(100, pytest.approx(1.0, abs=1e-5))]
    with pytest.raises(IndexCorrupt):
        DenseIndex.load(tmp_path, dim=32, index_type="flat")  # the file is not what the manifest names


def test_ivf_without_its_exact_vectors_is_refused(tmp_path):
    idx = DenseIndex(32, index_type="ivf_sq8")
    idx.add(np.arange(100), vectors(100, dim=32))
    idx.save(tmp_path)
    (tmp_path / "dense_exact_ids.npy").unlink()
    with pytest.raises(IndexCorrupt, match="exact vectors"):
        DenseIndex.load(tmp_path, dim=32, index_type="ivf_sq8")


@pytest.mark.parametrize(("source", "target"), [("flat", "ivf_sq8"), ("hnsw_sq8", "ivf_sq8"), ("ivf_sq8", "flat")])
def test_conversion_keeps_every_vector(tmp_path, source, target):
    v = vectors(1500, dim=32, seed=11)
    ids = np.arange(10, 1510)
    old = DenseIndex(32, index_type=source)
    old.add(ids, v)
    old.save(tmp_path)
    old = DenseIndex.load(tmp_path, dim=32, index_type=source)  # exact rows read back from disk
    new = old.converted(target, hnsw_m=16, ef_search=64, nprobe=64)
    assert new.index_type == target and np.array_equal(np.sort(new.ids()), ids)
    assert np.allclose(new.vectors(ids[:50]), v[:50], atol=1e-6)
    assert all(new.search(v[i], 1)[0][0] == ids[i] for i in range(0, 1500, 150))


@pytest.mark.parametrize("base", [0, 1 << 40])  # a bitmap over compact ids, a hash set beyond
def test_a_filter_returns_exactly_its_members(base):
    v = vectors(300, dim=16, seed=12)
    idx = DenseIndex(16, index_type="ivf_sq8")
    idx.add(base + np.arange(300), v)
    allowed = base + np.array([3, 150, 151, 299])
    assert {i for i, _ in idx.search(v[0], 10, allowed=allowed)} == set(allowed.tolist())
    assert idx.search(v[0], 10, allowed=np.array([base + 1000])) == []


def test_the_search_thread_count_holds_in_threads_started_after_it_was_set():
    # OpenMP keeps the count per thread; a server sets it once and searches from a pool's threads.
    idx = DenseIndex(16)
    idx.add(np.arange(20), vectors(20))
    seen: list[int] = []

    def search_and_look() -> None:
        idx.search(vectors(1, seed=1)[0], 3)
        seen.append(dense.faiss.omp_get_max_threads())

    before, wanted = dense.faiss.omp_get_max_threads(), dense._SearchThreads.wanted
    try:
        set_search_threads(before + 3)  # a count no thread has by default
        worker = threading.Thread(target=search_and_look)
        worker.start()
        worker.join()
    finally:
        set_search_threads(before)  # this thread's count back as it was, and what other tests set
        dense._SearchThreads.wanted = wanted
    assert seen == [before + 3]
