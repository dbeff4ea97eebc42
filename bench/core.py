"""Core benchmark: ingest the four sample corpora, score every gold file, time warm searches.

    .venv/bin/python bench/core.py [--out bench/results/core.json]

The gold files are the shared ones and the questions written blind for this project
(``bench/gold/README.md``). Needs ../shared (corpora and eval). Reports ingest wall time
including model load, passages/s, retrieval metrics per mode, and warm single-query latency
p50/p99 per mode on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.tune import corpora, gold_files  # noqa: E402
from rag.embedding.encoder import INT8_UNITS, cpu_flags  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.evaluation import evaluate, load_gold  # noqa: E402
from rag.settings import load_settings  # noqa: E402


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict:
    """What a figure was measured on: cores, CPU model and the CPU's int8 matrix units (which decide
    ``auto`` query precision; two machines of one model name may differ in them)."""
    return {"cpus": os.cpu_count(), "cpu": cpu_model(), "int8_units": sorted(cpu_flags() & INT8_UNITS)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "core.json"))
    parser.add_argument("--repeats", type=int, default=5, help="timed passes over the dev questions")
    args = parser.parse_args()
    questions = load_gold(gold_files())
    with tempfile.TemporaryDirectory() as tmp:
        # The query-vector cache is off: the timed passes repeat the questions, and every search
        # should run the model, as a new question does.
        settings = load_settings(index_dir=Path(tmp) / "index", query_cache_size=0)
        engine = Engine(settings)
        start = time.perf_counter()
        reports = engine.ingest(corpora())
        ingest_s = time.perf_counter() - start
        engine.warm()  # as the server does before it answers: one FAISS and one BLAS thread
        passages = sum(r.passages for r in reports)
        result: dict = {
            "machine": machine(),
            "query_precision": engine.encoder.query_precision,
            "ingest": {"files": len(reports), "passages": passages, "seconds_incl_model_load": round(ingest_s, 1)},
            "quality": {},
            "latency_ms": {},
        }
        for mode in ("hybrid", "dense", "lexical"):
            summary, _ = evaluate(questions, lambda q, m=mode: engine.search(query=q, k=10, mode=m).hits)
            result["quality"][mode] = {g: {k: round(v, 3) for k, v in vals.items()} for g, vals in summary.items()}
            for q in questions[:5]:  # warm-up
                engine.search(query=q.query, mode=mode)
            times = []
            for _ in range(args.repeats):
                for q in questions:
                    t0 = time.perf_counter()
                    engine.search(query=q.query, mode=mode)
                    times.append((time.perf_counter() - t0) * 1000)
            result["latency_ms"][mode] = {
                "p50": round(statistics.median(times), 1),
                "p99": round(percentile(times, 0.99), 1),
                "n": len(times),
            }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "quality"}, indent=2))
    for mode, groups in result["quality"].items():
        for g in [g for g in groups if g.split(":")[0] in ("all", "file", "split", "lang")]:
            m = groups[g]
            print(
                f"{mode:8s} {g:16s} R@1 {m['R@1']:.3f} R@5 {m['R@5']:.3f} R@10 {m['R@10']:.3f} "
                f"MRR@10 {m['MRR@10']:.3f} [{m['MRR@10 lo']:.3f}, {m['MRR@10 hi']:.3f}] nDCG@10 {m['nDCG@10']:.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
