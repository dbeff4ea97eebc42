"""Choosing the fusion's settings, measured by k-fold cross-validation over every gold file.

    .venv/bin/python bench/crossval.py [--index DIR] [--precision float|int8] [--folds 5 10]
                                       [--out bench/results/crossval.json]

``bench/tune.py`` chooses on one fixed half of the questions and reports the other, so each
choice rests on 38 questions and two misses decide it. Here every setting of a grid (the dense,
lexical and second legs' weights × the length calibration) is measured on every question once.
Then, for each of k folds fixed by a hash of a question's file and id (``rag.evaluation.fold_of``),
the setting best on the other folds is scored on this fold's questions
(``rag.evaluation.cross_validate``): every question is held back once, and each choice rests on
(k − 1)/k of the questions. The mean estimates what choosing from the grid is worth on questions
nobody chose on; its paired difference with the default, question by question, says whether
choosing beats keeping the default or only fits the folds it was made on.

``--learned`` also measures a fusion learned from the gold questions instead of set by hand: a
linear scorer over each hit's evidence (each leg's log-rank gain as ``rag.fusion.log_rank_fusion``
computes it, English × the lexical gain and, in a second variant, each leg's score against its best
among the hits), fitted by pairwise logistic regression on the other folds' questions and used to
re-rank each fold's 30 best hybrid hits.

The questions are the shared gold files and the 72 written blind for this project
(``bench/gold/README.md``), or the files ``--gold`` names. Needs ../shared (the four corpora and
``eval/*.jsonl``). Without ``--index`` the index of the four corpora is built in a temporary
directory, as ``bench/tune.py`` builds it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.tune import corpora, gold_files  # noqa: E402
from rag.embedding.encoder import query_language  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.evaluation import (  # noqa: E402
    Question,
    bootstrap_interval,
    cross_validate,
    evaluate,
    fold_of,
    is_relevant,
    load_gold,
    paired_difference,
)
from rag.models import Hit  # noqa: E402
from rag.settings import Settings, load_settings  # noqa: E402

# Around the defaults: each knob below, at and on either side of its default where it has room.
GRID = {
    "dense_weight": (1.0, 1.5, 2.0),
    "lexical_weight": (0.5, 0.75, 1.0),
    "second_weight": (0.25, 0.5, 0.75),
    "length_penalty": (0.0625, 0.125, 0.25),
}


def name_of(change: dict) -> str:
    """A setting's name: its knobs' values in the grid's order."""
    return ", ".join(f"{knob} {change[knob]:g}" for knob in GRID)


def settings_grid(settings: Settings) -> dict[str, dict]:
    """Every combination of the grid's values, by name; English questions keep the default ratio
    of their lexical weight to the lexical weight (half)."""
    ratio = settings.english_lexical_weight / settings.lexical_weight
    grid = {}
    for values in itertools.product(*GRID.values()):
        change = dict(zip(GRID, values, strict=True))
        grid[name_of(change)] = {**change, "english_lexical_weight": change["lexical_weight"] * ratio}
    return grid


def reciprocal_ranks(base: Engine, settings: Settings, questions: list[Question]) -> list[float]:
    """Each question's MRR@10 under ``settings``: the same index, encoders and tokenizer."""
    engine = Engine(settings, encoder=base.encoder, tokenize=base.tokenize, second=base.second)
    _, outcomes = evaluate(questions, lambda q: engine.search(query=q, k=10).hits)
    return [o.scores["MRR@10"] for o in outcomes]


def summary(values: list[float], questions: list[Question]) -> dict[str, list[float]]:
    """Mean and 95% bootstrap interval overall, per gold file and per language."""
    groups: dict[str, list[float]] = {"all": values}
    for value, q in zip(values, questions, strict=True):
        for key in (f"file:{q.source}", f"lang:{q.lang}"):
            groups.setdefault(key, []).append(value)
    return {key: [round(x, 3) for x in (statistics.mean(v), *bootstrap_interval(v))] for key, v in groups.items()}


def folds_report(scores: dict[str, list[float]], questions: list[Question], *, folds: int, default: str) -> dict:
    """Cross-validated choice with ``folds`` folds, set against the default question by question."""
    held, picks = cross_validate(scores, [fold_of(q, folds) for q in questions], default=default)
    return {
        "chosen per fold": {str(f): name for f, name in sorted(picks.items())},
        "cross-validated": summary(held, questions),
        "minus default": paired_difference(held, scores[default]),
    }


def run(base: Engine, settings: Settings, questions: list[Question], folds: list[int]) -> dict:
    """Every setting of the grid on every question, then the cross-validated choice per fold count."""
    grid = settings_grid(settings)
    default = name_of(settings.model_dump())
    if default not in grid:
        raise SystemExit(f"the default setting ({default}) is not in the grid; widen GRID")
    scores = {}
    for name, change in grid.items():
        scores[name] = reciprocal_ranks(base, settings.model_copy(update=change), questions)
        print(f"{name:80s} MRR@10 {statistics.mean(scores[name]):.3f}", flush=True)
    best = sorted(scores, key=lambda n: -statistics.mean(scores[n]))[:5]
    report: dict = {
        "questions": len(questions),
        "settings": len(grid),
        "default": {"name": default, **summary(scores[default], questions)},
        "best on all questions (chosen and reported on the same questions)": {
            name: summary(scores[name], questions)["all"][0] for name in best
        },
    }
    for k in folds:
        found = report[f"{k} folds"] = folds_report(scores, questions, folds=k, default=default)
        print(f"{k} folds: cross-validated {found['cross-validated']}\n  minus default {found['minus default']}")
    return report


LEGS = ("dense", "lexical", "second")
RERANKED = 30  # the hybrid hits a learned fusion re-orders


def hit_features(
    hits: list[Hit], counts: dict[str, int], *, english: bool, settings: Settings, scores: bool
) -> np.ndarray:
    """One row per hit: each leg's log-rank gain (0 where the leg did not find it), English × the
    lexical gain and, with ``scores``, each leg's score against its best among the hits."""
    depth = settings.candidates
    rows = []
    for hit in hits:
        n = counts.get(hit.remark.remark_id, 1) ** settings.length_penalty
        ranks = [hit.sources.get(leg) for leg in LEGS]
        gains = [math.log(depth / min(max(r * n, 1.0), depth)) if r else 0.0 for r in ranks]
        rows.append([*gains, gains[1] * english])
    if scores:
        for leg in LEGS:
            for row, value in zip(rows, _relative_scores(hits, leg), strict=True):
                row.append(value)
    return np.asarray(rows, dtype=np.float64)


def _relative_scores(hits: list[Hit], leg: str) -> list[float]:
    """Each hit's score in ``leg`` less the best (BM25's as a share of the best, its scale being the
    question's); where the leg did not find a hit, its lowest relative score less 0.1."""
    found = [h.scores[leg] for h in hits if leg in h.scores]
    best = max(found, default=1.0) or 1.0
    relative = {
        i: h.scores[leg] / best if leg == "lexical" else h.scores[leg] - best
        for i, h in enumerate(hits)
        if leg in h.scores
    }
    floor = min(relative.values(), default=0.0) - 0.1
    return [relative.get(i, floor) for i in range(len(hits))]


def fit_pairwise(groups: list[tuple[np.ndarray, np.ndarray]], *, c: float) -> np.ndarray:
    """Weights w such that a relevant hit's ``x @ w`` tops the others': the logistic loss of their
    differences summed, plus |w|²/(2c) (``c`` as scikit-learn's ``C``); ``groups`` holds each
    question's (features, which hits are relevant)."""
    pairs = [x[i] - x[j] for x, rel in groups for i in np.flatnonzero(rel) for j in np.flatnonzero(~rel)]
    d = np.asarray(pairs)
    if not len(d):
        return np.zeros(groups[0][0].shape[1])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        margin = d @ w
        p = expit(-margin)
        value = np.logaddexp(0.0, -margin).mean() + w @ w / (2 * c * len(d))
        return float(value), -(d * p[:, None]).mean(axis=0) + w / (c * len(d))

    return minimize(loss, np.ones(d.shape[1]), jac=True, method="L-BFGS-B").x


def learned_fusion(base: Engine, settings: Settings, questions: list[Question], *, folds: int) -> dict:
    """The learned fusion's cross-validated MRR@10 per variant, against the hand-set fusion's on the same hits."""
    engine = Engine(settings, encoder=base.encoder, tokenize=base.tokenize, second=base.second)
    meta = engine.snapshot().meta
    found = []
    for q in questions:
        hits = engine.search(query=q.query, k=RERANKED).hits
        counts = meta.passage_counts(h.remark.remark_id for h in hits)
        relevant = np.array([is_relevant(h, q) for h in hits], dtype=bool)
        found.append((hits, counts, query_language(q.query) == "en", relevant))
    fold = [fold_of(q, folds) for q in questions]
    report = {"hand-set fusion": summary([_rr(r) for *_, r in found], questions)}
    for scores in (False, True):
        x = [hit_features(h, n, english=e, settings=settings, scores=scores) for h, n, e, _ in found]
        for c in (0.1, 1.0, 10.0):
            held = [0.0] * len(questions)
            for f in sorted(set(fold)):
                w = fit_pairwise([(x[i], found[i][3]) for i in range(len(x)) if fold[i] != f], c=c)
                for i in (i for i in range(len(x)) if fold[i] == f):
                    held[i] = _rr(found[i][3][np.argsort(-(x[i] @ w), kind="stable")])
            name = f"learned, {'ranks and scores' if scores else 'ranks'}, C {c:g}"
            report[name] = summary(held, questions)
            print(f"{name:40s} {report[name]['all']}", flush=True)
    return report


def _rr(relevant: np.ndarray) -> float:
    """MRR@10 of hits in order, given which are relevant."""
    top = np.flatnonzero(relevant[:10])
    return 1.0 / float(top[0] + 1) if len(top) else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", help="an index of the four corpora to reuse (default: build one)")
    parser.add_argument("--precision", choices=("float", "int8"), default="float", help="query vectors")
    parser.add_argument("--folds", type=int, nargs="+", default=[5, 10])
    parser.add_argument("--learned", action="store_true", help="also measure a fusion learned from the gold")
    parser.add_argument("--gold", nargs="+", type=Path, default=gold_files(), help="default: the shared ones and ours")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "crossval.json"))
    args = parser.parse_args()
    questions = load_gold(args.gold)
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(args.index) if args.index else Path(tmp) / "index"
        settings = load_settings(index_dir=index, query_precision=args.precision)
        base = Engine(settings)
        if not args.index:
            base.ingest(corpora())
        report = {"precision": args.precision, **run(base, settings, questions, args.folds)}
        if args.learned:
            report["learned fusion, 5 folds"] = learned_fusion(base, settings, questions, folds=5)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
