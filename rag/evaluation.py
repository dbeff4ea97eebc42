"""Retrieval evaluation on gold questions, scored as ``shared/eval/README.md`` defines.

A returned remark is relevant to a question when its speaker's name (or label) contains the gold
``speaker`` and its text, NFKC-normalised without whitespace, contains the gold ``contains``.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import InputError
from rag.models import Hit
from rag.text import squash

METRICS = ("R@1", "R@5", "R@10", "MRR@10", "nDCG@10")


@dataclass(frozen=True)
class Question:
    """One gold question."""

    qid: str
    lang: str
    kind: str
    query: str
    relevant: tuple[tuple[str, str], ...]


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
            questions.append(Question(d["id"], d.get("lang", ""), d.get("kind", ""), d["query"], rel))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{n}: not a gold question ({exc})") from exc
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


def aggregate(outcomes: Iterable[Outcome]) -> dict[str, dict[str, float]]:
    """Mean metrics overall, per ``lang:…`` and per ``kind:…``, with question counts under ``n``."""
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        for key in ("all", f"lang:{o.question.lang}", f"kind:{o.question.kind}"):
            groups[key].append(o)
    return {
        key: {"n": float(len(items)), **{m: sum(o.scores[m] for o in items) / len(items) for m in METRICS}}
        for key, items in groups.items()
    }


def evaluate(questions: list[Question], search: Callable[[str], list[Hit]]) -> tuple[dict, list[Outcome]]:
    """Run every question through ``search`` (which returns at least 10 hits) and aggregate."""
    outcomes = [score(q, search(q.query)) for q in questions]
    return aggregate(outcomes), outcomes
