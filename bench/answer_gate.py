"""The answers' gate: how often ``/ask`` answers, hedges or finds nothing, on the gold questions and
on questions about nothing in the minutes.

    .venv/bin/python bench/answer_gate.py [--out bench/results/answer-gate.json]

Every gold file (the shared ones and ours, ``bench/gold/README.md``) and ``bench/gold/offtopic.jsonl``
(40 questions about cooking, sport, pets, the sky…, 20 Japanese and 20 English, written before
anything was measured on them). Each question falls in the fixed split (``rag.evaluation.split_of``),
the off-topic ones too; ``answer_second_evidence`` is chosen on the choose half and reported on the
held-back half. Per language and half: of the gold questions whose first remark is relevant, how
many are answered and how many get "nothing found"; of those whose first remark is not, how many
get "nothing found"; of the off-topic ones, how many get "nothing found" and how many an answer.
Float queries, so the figures reproduce on any CPU. Needs ../shared (corpora and eval).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.core import machine  # noqa: E402
from bench.tune import corpora, gold_files  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.evaluation import Question, is_relevant, load_gold, split_of  # noqa: E402
from rag.settings import Settings, load_settings  # noqa: E402

OFF_TOPIC = ROOT / "bench" / "gold" / "offtopic.jsonl"
WEIGHTS = (0.0, 0.15, 0.18, 0.2, 0.22, 0.25, 0.3)


def off_topic() -> list[Question]:
    rows = [json.loads(line) for line in OFF_TOPIC.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Question(r["id"], r["lang"], "off-topic", r["query"], (), "offtopic") for r in rows]


def tally(engine: Engine, questions: list[Question]) -> dict:
    """Counts of each outcome by half and language."""
    counts: Counter[str] = Counter()
    for q in questions:
        answer = engine.ask(question=q.query)
        hits = answer.result.hits
        kind = _kind(q, hits)
        for half in (split_of(q), "all"):
            counts[f"{half}|{q.lang}|{kind}|{answer.status}"] += 1
            counts[f"{half}|{q.lang}|{kind}|n"] += 1
    return dict(sorted(counts.items()))


def _kind(question: Question, hits: list) -> str:
    if not question.relevant:
        return "off-topic"
    return "first-relevant" if hits and is_relevant(hits[0], question) else "first-not"


def row(counts: dict, half: str, lang: str) -> str:
    def c(kind: str, status: str) -> int:
        return counts.get(f"{half}|{lang}|{kind}|{status}", 0)

    return (
        f"{lang}: first relevant answered {c('first-relevant', 'answered')}/{c('first-relevant', 'n')}, "
        f"nothing found {c('first-relevant', 'not_found')}; first not relevant, nothing found "
        f"{c('first-not', 'not_found')}/{c('first-not', 'n')}; off-topic nothing found "
        f"{c('off-topic', 'not_found')}/{c('off-topic', 'n')}, answered {c('off-topic', 'answered')}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "answer-gate.json"))
    args = parser.parse_args()
    questions = load_gold([*gold_files(), *sorted((ROOT / "bench" / "gold").glob("blind?*.jsonl"))]) + off_topic()
    with tempfile.TemporaryDirectory() as tmp:
        base = Engine(load_settings(index_dir=Path(tmp) / "index", query_precision="float"))
        base.ingest(corpora())
        result: dict = {"machine": machine(), "questions": len(questions), "by_weight": {}}
        for weight in WEIGHTS:
            settings: Settings = base.settings.model_copy(update={"answer_second_evidence": weight})
            engine = Engine(settings, encoder=base.encoder, tokenize=base.tokenize, second=base.second)
            counts = tally(engine, questions)
            result["by_weight"][str(weight)] = counts
            for half in ("choose", "held-back"):
                print(f"{weight:.2f} {half:9}", " | ".join(row(counts, half, lang) for lang in ("ja", "en")))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
