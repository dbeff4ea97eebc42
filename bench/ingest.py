"""Ingest throughput: parsing plus lexical indexing in remarks/s, and end-to-end ingest with the
default model in passages/s (model-bound).

    .venv/bin/python bench/ingest.py [--rounds 20] [--out bench/results/ingest.json]

The minutes are the four sample corpora in ../shared plus the format fixtures of tests/fixtures
(and the bundled sample when ../shared is absent). Parsing and lexical indexing run ``--rounds``
times over them; end-to-end ingest runs once into a fresh index, timed after the model is loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from bench.core import machine  # noqa: E402
from index.lexical import LexicalIndex  # noqa: E402
from rag.chunking import split_remark  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.ingest import tokenize_passages  # noqa: E402
from rag.parsing import parse_all  # noqa: E402
from rag.settings import load_settings  # noqa: E402
from rag.tokenize import make_sudachi_tokenizer  # noqa: E402


def minutes_files() -> list[Path]:
    corpora = SHARED / "corpora"
    wanted = (".txt", ".json", ".md")
    files = (
        [p for p in sorted(corpora.glob("*")) if p.suffix in wanted and p.stem != "SOURCES"] if corpora.exists() else []
    )
    files += sorted((ROOT / "tests" / "fixtures").glob("*.*"))
    return files or sorted((ROOT / "rag" / "data" / "sample").glob("*.txt"))


def parse_and_index(blobs: list[tuple[str, bytes]], tokenize, settings) -> tuple[int, float]:
    """One round: parse every file, split into passages, tokenize, add to a lexical index."""
    start = time.perf_counter()
    index = LexicalIndex(k1=settings.bm25_k1, b=settings.bm25_b)
    remarks = 0
    next_id = 0
    for name, data in blobs:
        texts = []
        for turn in (turn for parsed in parse_all(data, name) for turn in parsed.turns):
            remarks += 1
            for p in split_remark(
                f"{turn.order}", turn.text, max_chars=settings.passage_max_chars, overlap=settings.passage_overlap_chars
            ):
                texts.append(p.text)
        ids = list(range(next_id, next_id + len(texts)))
        next_id += len(texts)
        index.add(ids, tokenize_passages(texts, tokenize))
    index.search(tokenize("防災"), 10)  # the BM25 weights are derived on first search
    return remarks, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest.json")
    args = parser.parse_args()
    settings = load_settings()
    files = minutes_files()
    blobs = [(p.name, p.read_bytes()) for p in files]
    tokenize = make_sudachi_tokenizer(settings.sudachi_mode, workers=settings.index_threads or os.cpu_count() or 1)
    parse_and_index(blobs, tokenize, settings)  # warm-up (dictionary load, regex compile)
    rates = []
    for _ in range(args.rounds):
        remarks, seconds = parse_and_index(blobs, tokenize, settings)
        rates.append(remarks / seconds)
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(load_settings(index_dir=Path(tmp) / "index"), tokenize=tokenize)
        t0 = time.perf_counter()
        engine.encoder.encode_passages(["準備"])
        _ = engine.second  # both models load before the clock starts (the second one builds its graph)
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        reports = engine.ingest(files)
        ingest_s = time.perf_counter() - t0
    passages = sum(r.passages for r in reports)
    result = {
        "machine": machine(),
        "files": [p.name for p in files],
        "parse_plus_lexical": {
            "remarks_per_round": remarks,
            "rounds": args.rounds,
            "remarks_per_s_median": round(statistics.median(rates)),
            "remarks_per_s_min": round(min(rates)),
        },
        "end_to_end": {
            "model_load_s": round(load_s, 1),
            "passages": passages,
            "remarks": sum(r.remarks for r in reports),
            "seconds": round(ingest_s, 1),
            "passages_per_s": round(passages / ingest_s, 1),
            "failed": [r.path for r in reports if r.status == "failed"],
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "files"}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
