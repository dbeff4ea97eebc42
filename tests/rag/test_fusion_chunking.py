"""Rank fusion (reciprocal and log-rank) and passage splitting."""

from __future__ import annotations

import math

import pytest

from rag.chunking import sentences, split_remark
from rag.fusion import length_calibrated, log_rank_fusion, rrf


def test_rrf_rewards_agreement():
    fused = rrf({"dense": ["a", "b", "c"], "lexical": ["b", "c", "a"]}, k=60)
    assert fused[0][0] == "b"
    assert fused[0][1] == 1 / 61 + 1 / 62


def test_rrf_weights_and_ties():
    fused = rrf({"dense": ["a"], "lexical": ["b"]}, k=1, weights={"dense": 2.0})
    assert [x for x, _ in fused] == ["a", "b"]
    tie = rrf({"dense": ["a"], "lexical": ["b"]}, k=1)
    assert [x for x, _ in tie] == ["a", "b"]


def test_log_rank_fusion_adds_each_legs_evidence():
    fused = dict(log_rank_fusion({"dense": {"a": 1, "b": 4}, "lexical": {"b": 2}}, depth=100))
    assert fused["a"] == math.log(100)
    assert fused["b"] == math.log(25) + math.log(50)


def test_log_rank_fusion_gives_nothing_beyond_the_depth_and_honours_weights():
    fused = log_rank_fusion({"dense": {"a": 150.0, "b": 10}, "lexical": {"a": 10}}, depth=100, weights={"dense": 0.5})
    scores = dict(fused)
    assert scores["a"] == math.log(10)  # rank 150 is past the candidates: no evidence, not negative
    assert scores["b"] == 0.5 * math.log(10)
    assert [x for x, _ in fused] == ["a", "b"]


def test_log_rank_fusion_ties_keep_first_appearance():
    fused = log_rank_fusion({"dense": {"x": 3}, "lexical": {"y": 3}}, depth=10)
    assert [x for x, _ in fused] == ["x", "y"]


def test_a_fractional_calibrated_rank_orders_between_whole_ones():
    fused = log_rank_fusion({"leg": {"long": 1 * 40**0.5, "short": 2}}, depth=100)
    assert [x for x, _ in fused] == ["short", "long"]


def test_length_calibration_scales_a_rank_by_its_count_to_the_gamma():
    ranks = {"long": 1.0, "short": 2.0, "unknown": 3.0}
    calibrated = length_calibrated(ranks, {"long": 40, "short": 1}, gamma=0.5)
    assert calibrated == pytest.approx({"long": 40**0.5, "short": 2.0, "unknown": 3.0})
    assert length_calibrated(ranks, {"long": 40}, gamma=0.0) == ranks


def test_short_remark_is_one_passage():
    passages = split_remark("r", "一行目。\n二行目。", max_chars=100, overlap=10)
    assert [p.text for p in passages] == ["一行目。\n二行目。"]


def test_long_remark_splits_on_sentences_with_overlap():
    text = "".join(f"これは{i}番目の文です。" for i in range(40))
    passages = split_remark("r", text, max_chars=60, overlap=15)
    assert len(passages) > 5
    assert all(len(p.text) <= 60 for p in passages)
    assert all(p.text.startswith("これは") and p.text.endswith("。") for p in passages)
    last_sentence = sentences(passages[0].text)[-1]
    assert passages[1].text.startswith(last_sentence)


def test_run_on_sentence_is_windowed():
    passages = split_remark("r", "あ" * 250, max_chars=100, overlap=20)
    assert [len(p.text) for p in passages] == [100, 100, 90]
