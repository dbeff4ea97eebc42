"""Draw the remarks that ``bench/gold/blind.jsonl``'s questions were written about.

More gold questions are the only way to tell small retrieval changes apart (one of the 79 shared
questions moves MRR@10 by about 0.013). To keep a new set honest, what it asks about is drawn at
random, not picked: every sentence of at least ``--min-chars`` characters in a turn with a named
speaker, in the four shared corpora, less sentences that hold a shared gold question's answer,
shuffled by a fixed seed (so a long speech is drawn as often as it has sentences, as in the shared
files). Each meeting's first ``--per-meeting`` sentences from distinct remarks are listed, each
with a question kind from a fixed rotation and its whole remark. A question of that kind is
written about the sentence by reading the remark alone, before anything is measured on it; a
sentence is passed over (and the next one taken) only when no question could single its remark
out: a greeting, a chair's formula, or words another remark repeats.

    .venv/bin/python bench/draw_gold.py > /tmp/drawn.txt
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.chunking import sentences
from rag.evaluation import load_gold
from rag.parsing import parse_all
from rag.text import squash

SHARED = Path(__file__).resolve().parents[2] / "shared"
# The shared files' mix of kinds, as a rotation: a quarter of the questions in English.
KINDS = (
    "lexical", "paraphrase", "hard-paraphrase", "crosslingual", "paraphrase", "lexical",
    "hard-crosslingual", "paraphrase", "hard-paraphrase", "crosslingual", "paraphrase", "lexical",
)  # fmt: skip
# For a set that checks a change to English questions only: crosslingual and hard-crosslingual, 2:1.
ENGLISH_KINDS = ("crosslingual", "hard-crosslingual", "crosslingual")


def main() -> None:
    """Print the drawn sentences, each with its meeting, speaker, kind and whole remark."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--per-meeting", type=int, default=24)
    ap.add_argument("--min-chars", type=int, default=25)
    ap.add_argument("--exclude", nargs="+", type=Path, help="gold files whose answers are left out (default: shared)")
    ap.add_argument("--english", action="store_true", help="English kinds only, in the shared files' 2:1 mix")
    args = ap.parse_args()
    gold = load_gold(args.exclude or sorted((SHARED / "eval").glob("*.jsonl")))
    taken = [squash(c) for q in gold for _, c in q.relevant]
    rng = random.Random(args.seed)
    n = 0
    for path in sorted((SHARED / "corpora").glob("*-*.*")):
        for parsed in parse_all(path.read_bytes(), path.name):
            drawn = [
                (sentence, turn)
                for turn in parsed.turns
                if turn.speaker.label
                for sentence in sentences(turn.text)
                if len(squash(sentence)) >= args.min_chars and not any(c in squash(sentence) for c in taken)
            ]
            rng.shuffle(drawn)
            seen: set[int] = set()
            for sentence, turn in drawn:
                if turn.order in seen or len(seen) == args.per_meeting:
                    continue
                seen.add(turn.order)
                kinds = ENGLISH_KINDS if args.english else KINDS
                kind = kinds[n % len(kinds)]
                n += 1
                print(f"## {n:03d} {kind} | {path.name} | order {turn.order} | {turn.speaker.label}")
                print(f">> {sentence}")
                print(turn.text, end="\n\n")


if __name__ == "__main__":
    main()
