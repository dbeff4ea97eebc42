"""The Ray ingest's pure parts, without a cluster: what an embedding actor sends back and how the
driver reads it (the cluster itself: tests/ray)."""

from __future__ import annotations

import numpy as np

from index.tokens import quantize_packed
from rag.distributed import EmbedActor, prepare, token_vectors_of
from rag.embedding.hashing import hashing_encoder, hashing_second
from rag.settings import load_settings

TEXTS = ["避難所の通信環境について", "デジタル人材の育成を進めます", "open data"]


def _batch() -> dict[str, np.ndarray]:
    return {"i": np.arange(len(TEXTS)), "text": np.array(TEXTS, dtype=object)}


def test_an_actor_sends_the_token_vectors_the_index_would_store_from_one_process():
    actor = EmbedActor(hashing_encoder, hashing_second, tokens=True)
    out = actor(_batch())
    vectors, token_vectors = hashing_encoder().encode_passage_tokens(TEXTS)
    assert np.allclose(out["vector"], vectors)
    assert out["second"].shape[0] == len(TEXTS)
    for codes, scales, rows in zip(out["codes"], out["scales"], token_vectors, strict=True):
        got = token_vectors_of(codes, scales, rows.shape[1])
        assert got.shape == rows.shape
        want_codes, want_scales = quantize_packed(rows)
        again_codes, again_scales = quantize_packed(got)  # what TokenIndex.add will store
        assert np.array_equal(again_codes, want_codes) and np.allclose(again_scales, want_scales)


def test_without_token_vectors_an_actor_sends_only_vectors():
    out = EmbedActor(hashing_encoder, None)(_batch())
    assert set(out) == {"i", "vector"}
    assert np.allclose(out["vector"], hashing_encoder().encode_passages(TEXTS))


def test_a_parse_task_skips_what_is_not_minutes_when_found_in_a_directory():
    notes = "会議録ではないただのメモ。\n\n防災の予算について確認した。".encode()
    settings = load_settings()
    found = prepare(notes, "folder/notes.txt", None, settings, fallback=False)
    assert found.parsed is None and found.status == "skipped" and "not minutes" in found.reason
    named = prepare(notes, "notes.txt", None, settings)
    assert named.parsed is not None and named.passages
    broken = prepare(b"", "empty.txt", None, settings, fallback=False)
    assert broken.parsed is None and broken.status == "failed"
