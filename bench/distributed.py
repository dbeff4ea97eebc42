"""Ray benchmark: sharded vs single ranking, ingest on 1 vs 2 Ray workers (and one killed), and
/search through Ray Serve vs the plain server (paired).

    .ci/loopback .venv/bin/python bench/distributed.py [--index DIR] [--skip-ingest] [--skip-serve]

Uses the four shared corpora and every gold question of ../shared/eval, the real default model.
Ray runs on local clusters started here (``ray.cluster_utils.Cluster``, one CPU per node), inside
the loopback-only namespace that ``.ci/loopback`` makes. Writes ``bench/results/distributed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from bench.core import cpu_model, percentile  # noqa: E402
from bench.load import build_index, questions, start_server  # noqa: E402
from index.shards import open_sharded, split_index  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.evaluation import load_gold  # noqa: E402
from rag.ray_cluster import isolated_env, local_cluster  # noqa: E402
from rag.settings import load_settings  # noqa: E402

CORPORA = [p for p in sorted((SHARED / "corpora").glob("*.*")) if p.stem != "SOURCES"]


def ranking(index: Path, work: Path) -> dict:
    """Top-10 ids and order of every gold question: single index vs 2 shards (in process)."""
    gold = load_gold(sorted((SHARED / "eval").glob("*.jsonl")))
    single = Engine(load_settings(index_dir=index))
    split_index(index, work / "shards", shards=2)
    sharded = open_sharded(work / "shards", spec=single.spec())
    split = single.over(sharded.as_snapshot())
    same = 0
    differ = []
    for q in gold:
        a = [h.remark.remark_id for h in single.search(query=q.query, k=10).hits]
        b = [h.remark.remark_id for h in split.search(query=q.query, k=10).hits]
        same += a == b
        if a != b:
            differ.append(q.qid)
    return {"questions": len(gold), "identical_top10": same, "differ": differ}


def _kill_an_embedder_after(seconds: float, killed: list[int]) -> threading.Thread:
    """SIGKILL one embedding actor's process once it has been working for ``seconds``."""

    def run() -> None:
        deadline = time.monotonic() + 120
        time.sleep(seconds)
        while time.monotonic() < deadline and not killed:
            for proc in Path("/proc").iterdir():
                try:
                    cmd = (proc / "cmdline").read_bytes().decode(errors="replace")
                except OSError:
                    continue
                if proc.name.isdigit() and "MapWorker(MapBatches(EmbedActor))" in cmd:
                    os.kill(int(proc.name), signal.SIGKILL)
                    killed.append(int(proc.name))
                    return
            time.sleep(0.2)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _same_index(a: Engine, b: Engine) -> dict:
    sa, sb = a.snapshot(), b.snapshot()
    ids = np.sort(sa.dense.ids())
    same_ids = bool(np.array_equal(ids, np.sort(sb.dense.ids())))
    cos = float((sa.dense.vectors(ids) * sb.dense.vectors(ids)).sum(axis=1).min()) if same_ids else 0.0
    return {"same_ids": same_ids, "min_cosine": round(cos, 7), "same_counts": sa.meta.counts() == sb.meta.counts()}


def ingest(work: Path, reference: Path) -> dict:
    """Seconds to ingest the corpora on a local cluster of 1 and of 2 one-CPU workers, and with a kill."""
    out: dict = {}
    single = Engine(load_settings(index_dir=reference))
    for label, nodes, kill in (("1 worker", 1, False), ("2 workers", 2, False), ("2 workers, one killed", 2, True)):
        with isolated_env(work / "r"), local_cluster(nodes, object_store_mb=300) as (_, cluster):
            engine = Engine(load_settings(index_dir=work / f"ray-{nodes}-{kill}"))
            engine.spec()  # the driver's own model load is not part of the distributed work
            killed: list[int] = []
            if kill:
                _kill_an_embedder_after(8.0, killed)
            start = time.perf_counter()
            engine.ingest(CORPORA, ray=cluster.address)
            seconds = time.perf_counter() - start
            out[label] = {"seconds": round(seconds, 1), "killed_pids": killed, **_same_index(single, engine)}
    out["ratio_2_over_1"] = round(out["1 worker"]["seconds"] / out["2 workers"]["seconds"], 2)
    return out


def serve(index: Path, requests: int) -> dict:
    """/search p50 and p99, one client, requests alternating between the plain and the sharded server."""
    plain, plain_url = start_server(index, cache=False)
    sharded = None
    try:
        # Shard replicas reserve no CPU: the server and both replicas share this machine's two cores.
        sharded, sharded_url = start_server(
            index, cache=False, env={"GIJIROKU_SHARD_CPUS": "0"}, extra=("--ray", "auto", "--shards", "2")
        )
        pool = questions()
        times: dict[str, list[float]] = {"plain": [], "ray_serve": []}
        with httpx.Client(timeout=60) as client:
            for i in range(20):  # warm both
                client.get(plain_url + "/search", params={"q": pool[-1 - i]})
                client.get(sharded_url + "/search", params={"q": pool[-1 - i]})
            for i in range(requests):
                order = [("plain", plain_url), ("ray_serve", sharded_url)]
                for name, url in order if i % 2 == 0 else order[::-1]:
                    start = time.perf_counter()
                    response = client.get(url + "/search", params={"q": pool[i % len(pool)]})
                    times[name].append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.text
        stats = {
            name: {"p50_ms": round(statistics.median(t), 1), "p99_ms": round(percentile(t, 99), 1)}
            for name, t in times.items()
        }
        stats["p50_difference_ms"] = round(stats["ray_serve"]["p50_ms"] - stats["plain"]["p50_ms"], 1)
        stats["requests_each"] = requests
        return stats
    finally:
        plain.kill()
        if sharded is not None:
            sharded.send_signal(signal.SIGINT)
            sharded.wait(60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an index of the four corpora (default: built here)")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gjr-"))
    index = args.index
    if index is None:
        index = work / "index"
        build_index(index)
    results: dict = {"cpu": cpu_model(), "cores": os.cpu_count(), "ranking": ranking(index, work)}
    print(json.dumps(results["ranking"], ensure_ascii=False), flush=True)
    if not args.skip_ingest:
        results["ingest"] = ingest(work, index)
        print(json.dumps(results["ingest"], ensure_ascii=False), flush=True)
    if not args.skip_serve:
        with isolated_env(work / "s"):  # the servers started here inherit it
            results["serve"] = serve(index, args.requests)
        print(json.dumps(results["serve"], ensure_ascii=False), flush=True)
    out = ROOT / "bench" / "results" / "distributed.json"
    earlier = json.loads(out.read_text()) if out.exists() else {}  # a skipped part keeps its last figures
    out.write_text(json.dumps({**earlier, **results}, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
