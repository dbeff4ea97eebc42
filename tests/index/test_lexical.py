"""BM25 over token lists."""

from __future__ import annotations

import numpy as np
import pytest

from index.errors import IndexCorrupt
from index.lexical import LexicalIndex


def build() -> LexicalIndex:
    idx = LexicalIndex()
    idx.add(np.array([10, 11, 12]), [["防災", "デジタル"], ["調達", "制度", "調達"], ["防災", "避難所", "通信"]])
    return idx


def test_search_ranks_by_bm25():
    idx = build()
    hits = idx.search(["調達"], 5)
    assert [h[0] for h in hits] == [11]
    assert [h[0] for h in idx.search(["防災", "避難所"], 5)] == [12, 10]


def test_unknown_terms_and_zero_scores_return_nothing():
    assert build().search(["存在しない"], 5) == []


def test_allowed_filters_inside_the_search():
    hits = build().search(["防災"], 1, allowed=np.array([10]))
    assert [h[0] for h in hits] == [10]


def test_delete_and_replace():
    idx = build()
    idx.delete(np.array([12]))
    assert [h[0] for h in idx.search(["防災"], 5)] == [10]
    idx.add(np.array([10]), [["通信"]])  # replacing id 10
    assert idx.search(["防災"], 5) == []
    assert len(idx) == 2


def test_save_load_roundtrip(tmp_path):
    idx = build()
    idx.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded.search(["防災", "避難所"], 5) == idx.search(["防災", "避難所"], 5)


def test_many_adds_then_delete_and_freeze(tmp_path):
    idx = LexicalIndex()
    for start in range(0, 300, 3):  # one small add per meeting, as ingest does
        idx.add(np.arange(start, start + 3), [["防災"], ["調達", f"t{start}"], ["通信"]])
    assert len(idx) == 300
    assert [h[0] for h in idx.search(["t150"], 5)] == [151]
    idx.delete(np.array([151]))
    assert idx.search(["t150"], 5) == []
    idx.save(tmp_path)
    frozen = LexicalIndex.load(tmp_path)
    before = frozen.search(["防災", "通信"], 10)
    frozen.freeze()
    assert frozen.search(["防災", "通信"], 10) == before and frozen.idf(["防災"])["防災"] > 0
    with pytest.raises(IndexCorrupt):
        frozen.add(np.array([999]), [["x"]])


def test_holding_reads_which_terms_each_document_has_from_the_postings():
    idx = build()
    assert idx.holding(["防災", "通信", "未知"], [12, 10, 99]) == {12: {"防災", "通信"}, 10: {"防災"}}
    idx.delete(np.array([12]))
    idx.add(np.array([5]), [["通信"]])  # ids no longer ascending in row order
    assert idx.holding(["通信", "防災"], [5, 12, 10]) == {5: {"通信"}, 10: {"防災"}}
    idx.freeze()  # a reader's index: the weights, no term frequencies
    assert idx.holding(["調達"], [11, 5]) == {11: {"調達"}, 5: set()}
    assert idx.holding([], [11]) == {11: set()} and idx.holding(["調達"], []) == {}
