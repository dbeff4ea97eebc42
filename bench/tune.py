"""Retrieval choices measured on a split fixed up front: choose on one half, report the other.

    .venv/bin/python bench/tune.py [--out bench/results/tune.json]

Needs ../shared (the four corpora and every ``eval/*.jsonl`` gold file). The index of the four
corpora is built once, with the second dense leg; each variant is the real search path with some
settings changed. Every question belongs to a half by a hash of its file and id
(``rag.evaluation.split_of``): a default is chosen by its MRR@10 on the ``choose`` half, and only
the ``held-back`` half says whether it generalises. Both are printed, with bootstrap intervals.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from rag.engine import Engine  # noqa: E402
from rag.evaluation import evaluate, load_gold  # noqa: E402
from rag.settings import Settings, load_settings  # noqa: E402

# The releases' retrieval, then one change at a time, then the defaults and their neighbours.
_BEFORE_LATE = {"late_interaction": False}
_BEFORE_CENTRING = {"late_centred": False}
VARIANTS: dict[str, dict] = {
    "previous default: rrf k=5, 2 legs": {**_BEFORE_LATE, "fusion": "rrf", "second_weight": 0.0, "length_penalty": 0.0},
    "rrf, 3 legs (second 0.5)": {**_BEFORE_LATE, "fusion": "rrf", "length_penalty": 0.0},
    "logrank, 2 legs, no length penalty": {**_BEFORE_LATE, "second_weight": 0.0, "length_penalty": 0.0},
    "logrank, 2 legs, length 0.125": {**_BEFORE_LATE, "second_weight": 0.0},
    "logrank, 3 legs, no length penalty": {**_BEFORE_LATE, "length_penalty": 0.0},
    "logrank, 3 legs, length 0.125": _BEFORE_LATE,
    "logrank, 3 legs, length 0.25": {**_BEFORE_LATE, "length_penalty": 0.25},
    "logrank, 3 legs, length 0.5": {**_BEFORE_LATE, "length_penalty": 0.5},
    "logrank, 3 legs, second 0.25": {**_BEFORE_LATE, "second_weight": 0.25},
    "logrank, 3 legs, second 1.0": {**_BEFORE_LATE, "second_weight": 1.0},
    "logrank, 3 legs, lexical 0.75": {**_BEFORE_LATE, "lexical_weight": 0.75},
    "logrank, 3 legs, English lexical 0": {**_BEFORE_LATE, "english_lexical_weight": 0.0},
    # Late interaction: the dense leg's best passages re-ranked by MaxSim over token vectors.
    "+ late interaction, 50 candidates": _BEFORE_CENTRING,
    "late interaction, 25 candidates": {**_BEFORE_CENTRING, "late_candidates": 25},
    "late interaction, 100 candidates": {**_BEFORE_CENTRING, "late_candidates": 100},
    "late interaction, 200 candidates": {**_BEFORE_CENTRING, "late_candidates": 200, "candidates": 200},
    "late interaction, no length penalty": {**_BEFORE_CENTRING, "length_penalty": 0.0},
    "late interaction, length 0.25": {**_BEFORE_CENTRING, "length_penalty": 0.25},
    "late interaction, second 0.25": {**_BEFORE_CENTRING, "second_weight": 0.25},
    "late interaction, second 1.0": {**_BEFORE_CENTRING, "second_weight": 1.0},
    "late interaction, lexical 0.75": {**_BEFORE_CENTRING, "lexical_weight": 0.75},
    "late interaction, English lexical 0": {**_BEFORE_CENTRING, "english_lexical_weight": 0.0},
    # MaxSim over token vectors less the index's mean one (measured on bench/gold/blind.jsonl too).
    "+ centred token vectors (default)": {},
}


def corpora() -> list[Path]:
    """The shared minutes files."""
    return sorted(
        p for p in (SHARED / "corpora").iterdir() if p.suffix in (".txt", ".json", ".md") and p.name != "SOURCES.md"
    )


def gold_files(*, ours: bool = True) -> list[Path]:
    """The shared gold files and (``ours``) the questions written blind for this project
    (``bench/gold/README.md``)."""
    return [*sorted((SHARED / "eval").glob("*.jsonl")), *([ROOT / "bench" / "gold" / "blind.jsonl"] if ours else [])]


def measure(base: Engine, settings: Settings, questions: list) -> dict:
    """The metrics of one variant: the same index, encoders and tokenizer, other settings."""
    engine = Engine(settings, encoder=base.encoder, tokenize=base.tokenize, second=base.second)
    summary, _ = evaluate(questions, lambda q: engine.search(query=q, k=10).hits)
    return {g: {k: round(v, 3) for k, v in m.items()} for g, m in summary.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "tune.json"))
    args = parser.parse_args()
    questions = load_gold(gold_files(ours=False))  # the halves every row below was chosen on
    results: dict = {"questions": len(questions), "variants": {}}
    with tempfile.TemporaryDirectory() as tmp:
        # Float queries, the vectors of the torch model, on every CPU: the recorded choices were
        # made with them, and auto would pick int8 on some machines (rag.embedding.encoder.query_precision).
        settings = load_settings(index_dir=Path(tmp) / "index", query_precision="float")
        base = Engine(settings)
        base.ingest(corpora())
        for name, change in VARIANTS.items():
            summary = measure(base, settings.model_copy(update=change), questions)
            results["variants"][name] = {"settings": change, "metrics": summary}
            c, h = summary["split:choose"], summary["split:held-back"]
            print(
                f"{name:44s} choose {c['MRR@10']:.3f}  held-back {h['MRR@10']:.3f} "
                f"[{h['MRR@10 lo']:.3f}, {h['MRR@10 hi']:.3f}]  all {summary['all']['MRR@10']:.3f}  "
                f"en {summary['lang:en']['MRR@10']:.3f}",
                flush=True,
            )
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
