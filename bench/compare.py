"""One change against the defaults, question by question, on every gold file.

    .venv/bin/python bench/compare.py late_centred=false [length_penalty=0.25 …]
                     [--index DIR] [--precision float|int8] [--out bench/results/compare.json]

A change is kept when it helps on questions nobody chose it on. With the 72 questions written
blind for this project (``bench/gold/README.md``) beside the shared ones, an idea proposed before
those were written can be judged on them: this prints the MRR@10 of the defaults and of the
change (``setting=value`` pairs, as ``GIJIROKU_*`` would set them), and their paired difference
with its 95% bootstrap interval and the questions that went up and down, over all questions, per
gold file, per language and per meeting (the meeting of the first remark a question's gold names;
``rag.evaluation.paired_difference``).

Needs ../shared (the four corpora and ``eval/*.jsonl``). Without ``--index`` the index of the four
corpora is built in a temporary directory, as ``bench/tune.py`` builds it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.crossval import reciprocal_ranks  # noqa: E402
from bench.tune import corpora, gold_files  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.evaluation import Question, is_relevant, load_gold, paired_difference  # noqa: E402
from rag.models import Hit  # noqa: E402
from rag.records import remark_from_row  # noqa: E402
from rag.settings import load_settings  # noqa: E402


def meetings_of(engine: Engine, questions: list[Question]) -> list[str]:
    """Each question's meeting date: that of the first stored remark its gold names ('' if none)."""
    meta = engine.snapshot().meta
    remarks = [remark_from_row(r) for m in meta.meetings() for r in meta.remarks_in_meeting(m["meeting_id"])]
    found = []
    for q in questions:
        hits = (Hit(rank=1, score=0.0, remark=r, passage="") for r in remarks)
        found.append(next((h.remark.meeting_date for h in hits if is_relevant(h, q)), ""))
    return found


def compare(changed: list[float], default: list[float], questions: list[Question], meetings: list[str]) -> dict:
    """Both means and their paired difference, over all questions, per gold file, per language, per
    meeting and per gold file and meeting."""
    groups: dict[str, list[int]] = {"all": list(range(len(questions)))}
    for i, (q, meeting) in enumerate(zip(questions, meetings, strict=True)):
        for key in (f"file:{q.source}", f"lang:{q.lang}", f"meeting:{meeting}", f"file:{q.source}, meeting:{meeting}"):
            groups.setdefault(key, []).append(i)
    report = {}
    for key, at in groups.items():
        a, b = [changed[i] for i in at], [default[i] for i in at]
        report[key] = {
            "n": len(at),
            "default": round(statistics.mean(b), 3),
            "changed": round(statistics.mean(a), 3),
            **paired_difference(a, b),
        }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("change", nargs="+", help="setting=value, as GIJIROKU_* would set it")
    parser.add_argument("--index", help="an index of the four corpora to reuse (default: build one)")
    parser.add_argument("--precision", choices=("float", "int8"), default="float", help="query vectors")
    parser.add_argument("--gold", nargs="+", type=Path, default=gold_files(), help="default: the shared ones and ours")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "compare.json"))
    args = parser.parse_args()
    change = dict(pair.split("=", 1) for pair in args.change if "=" in pair)
    if len(change) != len(args.change):
        parser.error("each change is setting=value")
    questions = load_gold(args.gold)
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(args.index) if args.index else Path(tmp) / "index"
        settings = load_settings(index_dir=index, query_precision=args.precision)
        changed = load_settings(index_dir=index, query_precision=args.precision, **change)
        base = Engine(settings)
        if not args.index:
            base.ingest(corpora())
        report = compare(
            reciprocal_ranks(base, changed, questions),
            reciprocal_ranks(base, settings, questions),
            questions,
            meetings_of(base, questions),
        )
    for key, row in sorted(report.items(), key=lambda item: (item[0] != "all", item[0])):
        print(
            f"{key:16s} n {row['n']:3d}  default {row['default']:.3f}  changed {row['changed']:.3f}  "
            f"difference {row['difference']:+.3f} {row['interval']}  up {row['up']} down {row['down']}"
        )
    result = {"change": change, "precision": args.precision, "questions": len(questions), "groups": report}
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
