"""Query micro-batching and the query-vector cache: concurrent callers get their own vectors."""

from __future__ import annotations

import threading

import numpy as np

from rag.embedding.batching import QueryBatcher, VectorCache
from rag.embedding.hashing import HashingModel

MODEL = HashingModel()


def encode(texts: list[str], prompts: list[str]) -> np.ndarray:
    return MODEL.encode([p + t for t, p in zip(texts, prompts, strict=True)])


def test_concurrent_queries_get_their_own_vectors_in_shared_batches():
    sizes: list[int] = []

    def counting(texts: list[str], prompts: list[str]) -> np.ndarray:
        sizes.append(len(texts))
        return encode(texts, prompts)

    batcher = QueryBatcher(counting, max_batch=8, merge_prompts=True)
    texts = [f"防災の質問{i}" for i in range(64)]
    prompts = ["query: " if i % 2 else "" for i in range(64)]
    results: dict[int, np.ndarray] = {}

    def call(i: int) -> None:
        results[i] = batcher.encode(texts[i], prompts[i])

    threads = [threading.Thread(target=call, args=(i,)) for i in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(64):
        assert np.allclose(results[i], encode([texts[i]], [prompts[i]])[0])
    assert sum(sizes) == 64 and max(sizes) <= 8


def test_a_model_error_reaches_the_caller():
    def broken(texts: list[str], prompts: list[str]) -> np.ndarray:
        raise RuntimeError("model failed")

    batcher = QueryBatcher(broken, max_batch=4)
    try:
        batcher.encode("x", "")
    except RuntimeError as exc:
        assert "model failed" in str(exc)
    else:
        raise AssertionError("the error was swallowed")


def test_cache_is_lru_and_can_be_off():
    cache = VectorCache(2)
    for key in ("a", "b", "c"):
        cache.put(("", key), np.array([1.0]))
    assert cache.get(("", "a")) is None and cache.get(("", "c")) is not None
    off = VectorCache(0)
    off.put(("", "a"), np.array([1.0]))
    assert off.get(("", "a")) is None
