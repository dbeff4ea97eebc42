"""Search at scale: latency per mode at 1k, 100k and 1M remarks, approximate-index recall against
exact search, index size on disk, server memory and server throughput.

    .venv/bin/python bench/scale.py [--sizes 1000 100000 1000000] [--work /tmp/gijiroku-scale]

How the large corpora are made (so that the index sizes are real but the build takes minutes):

* The material is the real index of the four sample corpora in ../shared (built first with the
  default model if ``--source`` is not given): its passages, their vectors, speakers and topics.
* A synthetic remark is one passage long: one or two real sentences drawn at random from the
  pool of every sentence in the real passages. Remarks come 100 to a meeting; meetings get titles,
  dates spread over 2000–2025 and real speakers and topics at random.
* Its vector is a perturbed copy of real vectors: ``normalize(a·x_i + (1−a)·x_j + noise)`` with
  ``x_i`` the vector of the passage its first sentence came from, ``x_j`` a random real passage,
  ``a`` uniform in [0.5, 1] and Gaussian noise of σ = 0.02 per dimension. Copies spread over the
  region the real vectors occupy instead of piling onto 848 points, so nearest-neighbour recall
  is measured on a realistic, not a degenerate, distribution. Nothing is encoded by the model
  except the queries.
* Tokens for the lexical index are the real tokens of the sentences (each sentence is tokenized
  once).

Queries are the dev questions (encoded by the real model at query time, query cache off). The
dense index is exact (flat) up to 100k remarks and ``ivf_sq8`` (an inverted file over 8-bit codes
in memory, exact re-ranking from disk) at 1M, scanning ``--nprobe`` lists; recall@10 against exact
search is measured on the same vectors for several nprobe values (and, up to 100k, for the HNSW
types over several efSearch values).

``--reuse`` measures an index already built by an earlier ``--keep`` run; ``gijiroku reindex``
turns a kept index into another dense type without rebuilding the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from bench.core import machine, percentile  # noqa: E402
from bench.load import load, questions, rss_mb, start_server  # noqa: E402
from index.dense import DenseIndex  # noqa: E402
from index.metadata import Filters  # noqa: E402
from index.store import IndexSpec, Writer, open_snapshot  # noqa: E402
from rag.chunking import sentences  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.settings import load_settings  # noqa: E402
from rag.tokenize import make_sudachi_tokenizer, tokenizer_name  # noqa: E402

PER_MEETING = 100


@dataclass
class Material:
    """What synthetic remarks are made of, taken from a real index."""

    vectors: np.ndarray
    pool: list[tuple[str, int, list[str]]]  # sentence, index of its passage, its tokens
    speakers: list[dict]
    topics: list[str]


def material(source: Path) -> Material:
    snap = open_snapshot(source)
    ids = snap.dense.ids()
    vectors = snap.dense.vectors(ids).astype(np.float32)
    rows = snap.meta.passages(ids)
    tokenize = make_sudachi_tokenizer("C")
    pool = []
    for i, pid in enumerate(ids):
        for s in sentences(rows[int(pid)]["text"].replace("\n", "。")):
            if 8 <= len(s) <= 150:
                pool.append((s, i, tokenize(s)))
    speakers = []
    topics = set()
    for m in snap.meta.meetings():
        for r in snap.meta.remarks_in_meeting(m["meeting_id"]):
            speakers.append(
                {k: r[k] for k in ("label", "name", "role", "grp", "affiliation", "is_person", "person_id")}
            )
            if r["topic"]:
                topics.add(r["topic"])
    return Material(vectors, pool, speakers, sorted(topics))


def synth_meeting(
    m: int, rng: np.random.Generator, mat: Material
) -> tuple[dict, list[dict], list[str], np.ndarray, list]:
    """One synthetic meeting: its row, remark rows, passage texts, vectors and token lists."""
    date = np.datetime64("2000-01-01") + int(rng.integers(0, 26 * 365))
    meeting_id = f"syn-{m:07d}"
    meeting = {
        "meeting_id": meeting_id,
        "title": f"合成議事録 第{m}回 {mat.topics[m % len(mat.topics)][:20]}",
        "date": str(date),
        "place": "",
        "agenda": [],
        "attendees": [],
        "topics": [],
        "source_format": "synthetic",
        "source_name": f"synthetic-{m}",
        "content_hash": f"synthetic-{m}",
    }
    remarks, texts, tokens, first = [], [], [], []
    for order in range(1, PER_MEETING + 1):
        picks = rng.integers(0, len(mat.pool), 1 + int(rng.random() < 0.5))
        parts = [mat.pool[p] for p in picks]
        text = "".join(p[0] for p in parts)
        speaker = mat.speakers[int(rng.integers(0, len(mat.speakers)))]
        remarks.append(
            {
                **speaker,
                "remark_id": f"{meeting_id}-{order:04d}",
                "meeting_id": meeting_id,
                "ord": order,
                "topic": mat.topics[int(rng.integers(0, len(mat.topics)))],
                "text": text,
                "source_id": "",
                "url": "",
            }
        )
        texts.append(text)
        tokens.append([t for p in parts for t in p[2]])
        first.append(parts[0][1])
    x = mat.vectors
    a = rng.uniform(0.5, 1.0, (PER_MEETING, 1)).astype(np.float32)
    other = x[rng.integers(0, len(x), PER_MEETING)]
    v = a * x[first] + (1 - a) * other + rng.normal(0, 0.02, (PER_MEETING, x.shape[1])).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return meeting, remarks, texts, v.astype(np.float32), tokens


def build(directory: Path, n: int, dense_type: str, mat: Material, spec: IndexSpec) -> float:
    """Write a synthetic index of ``n`` remarks; returns the seconds it took."""
    rng = np.random.default_rng(n)
    start = time.perf_counter()
    spec = IndexSpec(spec.model_name, spec.dim, spec.tokenizer, dense_type, hnsw_m=spec.hnsw_m)
    with Writer(directory, spec) as writer:
        snap = writer.snapshot
        assert snap is not None
        meetings = max(n // PER_MEETING, 1)
        batch_ids, batch_vecs, batch_tokens = [], [], []
        for m in range(meetings):
            meeting, remarks, texts, vectors, tokens = synth_meeting(m, rng, mat)
            ids = writer.allocate_ids(len(texts))
            passages = [
                {"passage_id": int(pid), "remark_id": r["remark_id"], "ordinal": 0, "text": t}
                for pid, r, t in zip(ids, remarks, texts, strict=True)
            ]
            snap.meta.replace_meeting(meeting, remarks, passages)
            batch_ids.append(ids)
            batch_vecs.append(vectors)
            batch_tokens += tokens
            if len(batch_tokens) >= 100_000 or m == meetings - 1:
                ids_all, vecs = np.concatenate(batch_ids), np.vstack(batch_vecs)
                snap.dense.add(ids_all, vecs)
                snap.lexical.add(ids_all, batch_tokens)
                batch_ids, batch_vecs, batch_tokens = [], [], []
                print(f"  {n}: {(m + 1) * PER_MEETING} remarks, {time.perf_counter() - start:.0f} s", flush=True)
        writer.commit()
    return time.perf_counter() - start


def all_vectors(directory: Path) -> np.ndarray:
    """Every vector of an index (exact ones), for the ground truth of recall."""
    dense = open_snapshot(directory).dense
    return dense.vectors(np.sort(dense.ids()))


def disk_mb(directory: Path) -> float:
    manifest = json.loads((directory / "manifest.json").read_text())
    gen = directory / manifest["directory"]
    return round(sum(f.stat().st_size for f in gen.iterdir()) / 2**20, 1)


def timed(fn, queries: list[str], repeats: int) -> dict:
    for q in queries[:5]:
        fn(q)
    times = []
    for _ in range(repeats):
        for q in queries:
            t0 = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": round(statistics.median(times), 1), "p99_ms": round(percentile(times, 0.99), 1)}


EF_SWEEP = (128, 512, 1024, 2048, 4096, 8192)
NPROBE_SWEEP = (32, 64, 128, 256, 512)
LARGE = 100_000  # above this the index is approximate (--large-type), searched with --nprobe / --large-ef
LARGE_EF = 4096


def recall(vectors: np.ndarray, qv: np.ndarray, indexes: dict[str, DenseIndex]) -> dict:
    """Recall@10 and dense-only latency of approximate indexes against exact search, per efSearch."""
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    t0 = time.perf_counter()
    truth = [set(exact.search(q.reshape(1, -1), 10)[1][0]) for q in qv]
    out: dict = {"flat": {"recall@10": 1.0, "dense_ms": round((time.perf_counter() - t0) / len(qv) * 1000, 2)}}
    del exact
    for kind, idx in indexes.items():
        ivf = kind.startswith("ivf")
        for breadth in NPROBE_SWEEP if ivf else EF_SWEEP:
            if ivf:
                idx.nprobe = breadth
            else:
                idx.ef_search = breadth
            t0 = time.perf_counter()
            got = [{i for i, _ in idx.search(q, 10)} for q in qv]
            ms = (time.perf_counter() - t0) / len(qv) * 1000
            r = float(np.mean([len(a & b) / 10 for a, b in zip(truth, got, strict=True)]))
            label = f"{kind} nprobe={breadth}" if ivf else f"{kind} ef={breadth}"
            out[label] = {"recall@10": round(r, 3), "dense_ms": round(ms, 2)}
    return out


def approximate_indexes(directory: Path, vectors: np.ndarray, n: int) -> dict[str, DenseIndex]:
    """IVF-SQ8, HNSW and HNSW-SQ8 over the same vectors (built here up to 100k; at 1M, the index on disk)."""
    if n > LARGE:
        snap = open_snapshot(directory)
        return {snap.dense.index_type: snap.dense}
    built = {}
    for kind in ("ivf_sq8", "hnsw", "hnsw_sq8"):
        idx = DenseIndex(vectors.shape[1], index_type=kind)
        idx.add(np.arange(len(vectors)), vectors)
        built[kind] = idx
    return built


def measure(directory: Path, n: int, args: argparse.Namespace) -> dict:
    ef = args.large_ef if n > LARGE else load_settings().hnsw_ef_search
    settings = load_settings(index_dir=directory, query_cache_size=0, hnsw_ef_search=ef, ivf_nprobe=args.nprobe)
    engine = Engine(settings)
    qs = questions()
    dense_type = engine.snapshot().manifest["dense"]["type"]
    result: dict = {"remarks": n, "dense_index": dense_type}
    result.update({"nprobe": args.nprobe} if dense_type.startswith("ivf") else {"ef_search": ef})
    for mode in ("hybrid", "dense", "lexical"):
        result[mode] = timed(lambda q, m=mode: engine.search(query=q, mode=m), qs, args.repeats)
    # The most prolific speaker as a filter: the who-said-what case, and the largest filter there is.
    speaker = engine.snapshot().meta.speakers()[0]
    only = Filters(persons=(speaker["person_id"],))
    result["hybrid_one_speaker"] = {
        "remarks_of_speaker": speaker["remarks"],
        **timed(lambda q: engine.search(query=q, filters=only, infer=False), qs, args.repeats),
    }
    qv = np.vstack([engine.encoder.encode_query(q) for q in qs])
    vectors = all_vectors(directory)
    result["approximate"] = recall(vectors, qv, approximate_indexes(directory, vectors, n))
    del vectors
    result["disk_mb"] = disk_mb(directory)
    env = {
        "GIJIROKU_HNSW_EF_SEARCH": str(ef),
        "GIJIROKU_IVF_NPROBE": str(args.nprobe),
        "GIJIROKU_MALLOC_ARENA_MAX": "2" if n > LARGE else "0",
    }
    proc, url = start_server(directory, cache=False, env=env)
    try:
        asyncio.run(load(url, "search", qs, 4, 40))  # warm-up
        result["server"] = [asyncio.run(load(url, "search", qs, c, args.requests)) for c in (8, 32)]
        result["server_rss_mb"] = round(rss_mb(proc.pid), 1)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000, 1_000_000])
    parser.add_argument("--source", type=Path, help="a real index to draw from (default: build one from ../shared)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "gijiroku-scale")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the synthetic indexes")
    parser.add_argument("--reuse", action="store_true", help="measure indexes kept by an earlier run (and keep them)")
    parser.add_argument("--hnsw-m", type=int, default=32, help="graph degree of the 1M index")
    parser.add_argument("--large-ef", type=int, default=LARGE_EF, help="efSearch of the 1M index")
    parser.add_argument("--large-type", default="ivf_sq8", help="dense index type of the 1M index")
    parser.add_argument("--nprobe", type=int, default=256, help="lists an ivf_sq8 index scans")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    source = args.source or args.work / "source"
    if args.source is None and not (source / "manifest.json").exists():
        from bench.load import build_index

        build_index(source)
    mat = material(source)
    settings = load_settings()
    spec = IndexSpec(
        settings.model_name, int(mat.vectors.shape[1]), tokenizer_name(settings.sudachi_mode), hnsw_m=args.hnsw_m
    )
    results = []
    for n in args.sizes:
        directory = args.work / f"n{n}"
        build_s = None
        if not (args.reuse and (directory / "manifest.json").exists()):
            shutil.rmtree(directory, ignore_errors=True)
            build_s = round(build(directory, n, "flat" if n <= LARGE else args.large_type, mat, spec), 1)
        row = measure(directory, n, args)
        row["build_s"] = build_s
        results.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        if not (args.keep or args.reuse):  # a reused index is kept: it was kept on purpose
            shutil.rmtree(directory, ignore_errors=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {"machine": machine(), "results": results},
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
