"""Two shards of the four shared corpora rank every dev question exactly as the whole index (slow)."""

from __future__ import annotations

import pytest

from index.shards import open_sharded, split_index
from rag.evaluation import load_gold
from tests.conftest import SHARED

pytestmark = pytest.mark.slow


def test_two_shards_rank_every_dev_question_as_one_index(corpora_engine, tmp_path):
    whole = corpora_engine
    split_index(whole.index_dir, tmp_path / "shards", shards=2)
    sharded = open_sharded(tmp_path / "shards", spec=whole.spec())
    split = whole.over(sharded.as_snapshot())
    gold = load_gold(sorted((SHARED / "eval").glob("*.jsonl")))
    assert len(gold) >= 39
    for question in gold:
        a = whole.search(query=question.query, k=10)
        b = split.search(query=question.query, k=10)
        assert [h.remark.remark_id for h in a.hits] == [h.remark.remark_id for h in b.hits], question.qid
        assert [h.score for h in a.hits] == pytest.approx([h.score for h in b.hits], rel=1e-9)
