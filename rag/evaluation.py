"""Retrieval evaluation on gold questions, scored as ``shared/eval/README.md`` defines.

A returned remark is relevant to a question when its speaker's name (or label) contains the gold
``speaker`` and its text, NFKC-normalised without whitespace, contains the gold ``contains``.

Several gold files are scored together and reported per file, per language, per kind and per
half of a split fixed up front (``split_of``): defaults are chosen on the ``choose`` half and
reported on the ``held-back`` half, which nothing was tuned on. Each group carries a bootstrap
interval over its questions, so a difference inside the noise shows as such. ``cross_validate``
measures a choice among settings over k folds fixed the same way (``fold_of``), so that every
question is held back once and each choice is made on most of the questions, not half.
"""

from __future__ import annotations

import json
import math
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import InputError
from rag.models import Hit
from rag.text import squash

METRICS = ("R@1", "R@5", "R@10", "MRR@10", "nDCG@10")
SPLITS = ("choose", "held-back")
BOOTSTRAP_ROUNDS = 2000


@dataclass(frozen=True)
class Question:
    """One gold question."""

    qid: str
    lang: str
    kind: str
    query: str
    relevant: tuple[tuple[str, str], ...]
    source: str = ""  # the gold file's stem (dev, dev-more, …)


def fold_of(question: Question, folds: int) -> int:
    """The fold (0 … ``folds`` − 1) a question belongs to: a hash of its file and id, never of its
    content or outcome, so the folds are fixed before anything is measured on them."""
    return zlib.crc32(f"{question.qid}{question.source}".encode()) % folds


def split_of(question: Question) -> str:
    """The fixed half a question belongs to (two folds): ``choose`` or ``held-back``."""
    return SPLITS[fold_of(question, 2)]


def cross_validate(
    scores: Mapping[str, Sequence[float]], folds: Sequence[int], *, default: str
) -> tuple[list[float], dict[int, str]]:
    """Each question's score under the setting chosen without its fold, and the choice per fold.

    ``scores`` maps a setting's name to its score per question (in one order); ``folds`` gives
    each question's fold. For every fold, the setting with the best mean over the other folds is
    chosen (a tie goes to ``default``, then to the first listed), and the fold's questions keep
    that setting's scores. The mean of the result estimates what choosing among ``scores`` is
    worth on questions nobody chose on; set against ``default``'s own mean, it says whether
    choosing helps or only fits the folds it was chosen on.
    """
    if default not in scores:
        raise ValueError(f"the default setting {default!r} is not among the scores")
    n = len(folds)
    if any(len(v) != n for v in scores.values()):
        raise ValueError("every setting needs one score per question")
    names = list(scores)
    out = [0.0] * n
    picks: dict[int, str] = {}
    for fold in sorted(set(folds)):
        train = [i for i in range(n) if folds[i] != fold]

        def mean(name: str, train: list[int] = train) -> float:
            return sum(scores[name][i] for i in train) / len(train) if train else 0.0

        best = max(names, key=lambda name: (round(mean(name), 9), name == default, -names.index(name)))
        picks[fold] = best
        for i in range(n):
            if folds[i] == fold:
                out[i] = scores[best][i]
    return out, picks


@dataclass
class Outcome:
    """How one question fared: the rank of the first relevant hit (0 = missed) and the top hit."""

    question: Question
    ranks: list[int]
    top: str = ""
    scores: dict[str, float] = field(default_factory=dict)


def load_questions(path: Path) -> list[Question]:
    """Read a gold JSONL file; ``InputError`` names the bad line."""
    questions = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            rel = tuple((r["speaker"], r["contains"]) for r in d["relevant"])
            questions.append(Question(d["id"], d.get("lang", ""), d.get("kind", ""), d["query"], rel, path.stem))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{n}: not a gold question ({exc})") from exc
    if not questions:  # an empty table would read as a result
        raise InputError(f"{path}: no gold questions (one JSON object a line)")
    return questions


def is_relevant(hit: Hit, question: Question) -> bool:
    """The README's relevance rule."""
    s = hit.remark.speaker
    text = squash(hit.remark.text)
    return any(
        (speaker in s.name or speaker in s.label or squash(speaker) in squash(s.name)) and squash(contains) in text
        for speaker, contains in question.relevant
    )


def score(question: Question, hits: list[Hit]) -> Outcome:
    """Metrics of one question from its ranked hits."""
    ranks = [h.rank for h in hits if is_relevant(h, question)]
    first = ranks[0] if ranks else 0
    dcg = sum(1 / math.log2(r + 1) for r in ranks if r <= 10)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(question.relevant), 10)))
    scores = {
        "R@1": float(0 < first <= 1),
        "R@5": float(0 < first <= 5),
        "R@10": float(0 < first <= 10),
        "MRR@10": 1 / first if 0 < first <= 10 else 0.0,
        "nDCG@10": min(dcg / ideal, 1.0) if ideal else 0.0,
    }
    top = f"{hits[0].remark.speaker.label}: {hits[0].remark.text[:60]}" if hits else ""
    return Outcome(question, ranks, top, scores)


def load_gold(paths: Iterable[Path]) -> list[Question]:
    """Questions of several gold files; the same id in two files stays two questions (their source differs)."""
    return [q for path in paths for q in load_questions(path)]


def bootstrap_interval(values: list[float], *, rounds: int = BOOTSTRAP_ROUNDS, seed: int = 0) -> tuple[float, float]:
    """The 95% percentile interval of the mean of ``values``, resampling questions with replacement."""
    import numpy as np

    if not values:
        return (0.0, 0.0)
    data = np.asarray(values, dtype=np.float64)
    picks = np.random.default_rng(seed).integers(0, len(data), size=(rounds, len(data)))
    means = data[picks].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def paired_difference(variant: Sequence[float], baseline: Sequence[float]) -> dict:
    """``variant`` less ``baseline``, question by question: the mean difference, its 95% bootstrap
    interval, and how many questions went up and down (rounded for a report)."""
    diffs = [v - b for v, b in zip(variant, baseline, strict=True)]
    low, high = bootstrap_interval(diffs)
    return {
        "difference": round(sum(diffs) / len(diffs), 3) if diffs else 0.0,
        "interval": [round(low, 3), round(high, 3)],
        "up": sum(d > 0 for d in diffs),
        "down": sum(d < 0 for d in diffs),
    }


_GROUP_ORDER = ("all", "file", "split", "lang", "kind")


def _groups(question: Question, several_files: bool) -> list[str]:
    keys = ["all", f"lang:{question.lang}", f"kind:{question.kind}", f"split:{split_of(question)}"]
    if several_files:
        keys.insert(1, f"file:{question.source}")
    return keys


def aggregate(outcomes: Iterable[Outcome]) -> dict[str, dict[str, float]]:
    """Mean metrics overall, per ``file:…`` (when there are several), ``lang:…``, ``kind:…`` and
    ``split:…``, with question counts under ``n`` and MRR@10's bootstrap interval under ``MRR@10 lo/hi``."""
    outcomes = list(outcomes)
    several = len({o.question.source for o in outcomes}) > 1
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        for key in _groups(o.question, several):
            groups[key].append(o)
    summary = {}
    for key, items in sorted(groups.items(), key=lambda kv: _GROUP_ORDER.index(kv[0].split(":")[0])):
        lo, hi = bootstrap_interval([o.scores["MRR@10"] for o in items])
        means = {m: sum(o.scores[m] for o in items) / len(items) for m in METRICS}
        summary[key] = {"n": float(len(items)), **means, "MRR@10 lo": lo, "MRR@10 hi": hi}
    return summary


def evaluate(questions: list[Question], search: Callable[[str], list[Hit]]) -> tuple[dict, list[Outcome]]:
    """Run every question through ``search`` (which returns at least 10 hits) and aggregate."""
    outcomes = [score(q, search(q.query)) for q in questions]
    return aggregate(outcomes), outcomes
