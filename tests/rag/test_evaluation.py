"""Gold-question scoring: several files, the fixed split, bootstrap intervals."""

from __future__ import annotations

import json

import pytest

from rag.errors import InputError
from rag.evaluation import (
    Outcome,
    Question,
    aggregate,
    bootstrap_interval,
    cross_validate,
    fold_of,
    load_gold,
    paired_difference,
    split_of,
)


def _gold(path, ids):
    relevant = [{"speaker": "宮坂", "contains": "x"}]
    rows = [{"id": i, "lang": "ja", "kind": "lexical", "query": f"問{i}", "relevant": relevant} for i in ids]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_several_files_keep_their_source(tmp_path):
    questions = load_gold([_gold(tmp_path / "dev.jsonl", ["q1", "q2"]), _gold(tmp_path / "more.jsonl", ["q1"])])
    assert [(q.source, q.qid) for q in questions] == [("dev", "q1"), ("dev", "q2"), ("more", "q1")]


def test_the_split_is_fixed_and_balanced():
    questions = [Question(f"q{i}", "ja", "lexical", "問", (("a", "b"),), "dev") for i in range(400)]
    halves = [split_of(q) for q in questions]
    assert halves == [split_of(q) for q in questions]  # a hash, not a draw
    assert 150 < halves.count("choose") < 250
    same_id_other_file = Question("q1", "ja", "lexical", "別の問", (), "more")
    assert split_of(same_id_other_file) in ("choose", "held-back")


def test_folds_are_fixed_balanced_and_agree_with_the_halves():
    questions = [Question(f"q{i}", "ja", "lexical", "問", (("a", "b"),), "dev") for i in range(500)]
    folds = [fold_of(q, 5) for q in questions]
    assert folds == [fold_of(q, 5) for q in questions]
    assert all(60 < folds.count(f) < 140 for f in range(5))
    assert [("choose", "held-back")[fold_of(q, 2)] for q in questions] == [split_of(q) for q in questions]


def test_cross_validation_chooses_each_fold_on_the_others():
    # "fits" is best overall only because of fold 0's questions; on fold 0 it was chosen without them.
    folds = [0, 0, 1, 1, 2, 2]
    scores = {"default": [0.5] * 6, "fits": [1.0, 1.0, 0.5, 0.5, 0.5, 0.0]}
    held, picks = cross_validate(scores, folds, default="default")
    assert picks == {0: "default", 1: "fits", 2: "fits"}
    assert held == [0.5, 0.5, 0.5, 0.5, 0.5, 0.0]
    assert sum(held) / 6 < sum(scores["fits"]) / 6  # choosing is worth less than it seemed


def test_cross_validation_prefers_the_default_on_a_tie_and_checks_its_input():
    _, picks = cross_validate({"a": [1.0, 1.0], "default": [1.0, 1.0], "b": [0.0, 0.0]}, [0, 1], default="default")
    assert picks == {0: "default", 1: "default"}
    _, picks = cross_validate({"a": [1.0, 1.0], "b": [1.0, 1.0], "default": [0.0, 0.0]}, [0, 1], default="default")
    assert picks == {0: "a", 1: "a"}  # then the first listed
    with pytest.raises(ValueError, match="default"):
        cross_validate({"a": [1.0]}, [0], default="b")
    with pytest.raises(ValueError, match="one score per question"):
        cross_validate({"a": [1.0], "b": [1.0, 0.0]}, [0], default="a")


def test_a_paired_difference_counts_questions_up_and_down():
    out = paired_difference([1.0, 0.5, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0])
    assert out["difference"] == 0.125 and (out["up"], out["down"]) == (1, 1)
    assert out["interval"][0] <= 0.125 <= out["interval"][1]


def test_bootstrap_interval_brackets_the_mean_and_narrows_with_more_questions():
    lo, hi = bootstrap_interval([1.0, 0.0] * 10)
    assert lo < 0.5 < hi
    wide, narrow = bootstrap_interval([1.0, 0.0] * 5), bootstrap_interval([1.0, 0.0] * 200)
    assert narrow[1] - narrow[0] < wide[1] - wide[0]
    assert bootstrap_interval([1.0] * 7) == (1.0, 1.0)


def test_aggregate_reports_files_splits_and_intervals():
    def outcome(qid, source, mrr):
        q = Question(qid, "en" if qid.endswith("e") else "ja", "lexical", "問", (), source)
        scores = dict.fromkeys(("R@1", "R@5", "R@10", "MRR@10", "nDCG@10"), mrr)
        return Outcome(q, [1] if mrr else [], scores=scores)

    summary = aggregate([outcome("a", "dev", 1.0), outcome("b", "dev", 0.0), outcome("ce", "more", 1.0)])
    assert next(iter(summary)) == "all" and summary["all"]["n"] == 3
    assert summary["file:dev"]["MRR@10"] == 0.5 and summary["file:more"]["n"] == 1
    assert {k for k in summary if k.startswith("split:")} <= {"split:choose", "split:held-back"}
    assert summary["all"]["MRR@10 lo"] <= summary["all"]["MRR@10"] <= summary["all"]["MRR@10 hi"]


def test_a_bad_or_empty_gold_file_is_named(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "q1"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:1"):
        load_gold([bad])
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="no gold questions"):
        load_gold([empty])
