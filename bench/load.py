"""Server load benchmark: ``gijiroku serve`` over loopback, N concurrent clients, p50/p99 and req/s.

    .venv/bin/python bench/load.py [--index DIR | --sample] [--clients 8 32] [--requests 400]

Builds an index of the four sample corpora in ../shared (or uses --index, or the bundled sample
with --sample), starts the server as a subprocess (default settings, access log off, query-vector
cache off), warms it up, then for each endpoint and client count sends questions from an asyncio
client with that many requests in flight. Every request is a question not asked before in the
run: a pool of over 500 distinct questions, the gold questions of ../shared/eval plus sentences of
the corpora, each sent once. Reports latency percentiles, throughput, errors, the server's RSS and
whether torch was loaded into it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from bench.core import machine, percentile  # noqa: E402

OFF_TOPIC = ["美味しいカレーの作り方", "How do I bake sourdough bread?", "量子コンピュータの誤り訂正", "猫の飼い方"]


def questions(minimum: int = 600) -> list[str]:
    """Distinct questions: every gold question, off-topic ones, then sentences of the minutes."""
    from rag.chunking import sentences
    from rag.parsing import parse_path

    pool = list(OFF_TOPIC)
    for gold in sorted((SHARED / "eval").glob("*.jsonl")) if (SHARED / "eval").exists() else []:
        pool += [json.loads(line)["query"] for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    files = sorted((SHARED / "corpora").glob("*.*")) if (SHARED / "corpora").exists() else []
    files = [p for p in files if p.name != "SOURCES.md"] or sorted((ROOT / "rag" / "data" / "sample").iterdir())
    said = [s for f in files for t in parse_path(f).turns for s in sentences(t.text) if 12 <= len(s) <= 80]
    step = max(1, len(said) // minimum)
    pool += said[::step]
    return list(dict.fromkeys(pool))


def build_index(index: Path, *, sample: bool = False) -> None:
    if sample:
        corpora = sorted((ROOT / "rag" / "data" / "sample").iterdir())
    else:
        corpora = [
            p
            for p in sorted((SHARED / "corpora").iterdir())
            if p.suffix in (".txt", ".json", ".md") and p.stem != "SOURCES"
        ]
    subprocess.run(
        [sys.executable, "-m", "api.cli", "ingest", *map(str, corpora), "--index", str(index), "--quiet"],
        check=True,
        cwd=ROOT,
    )


def start_server(
    index: Path, *, cache: bool, env: dict[str, str] | None = None, extra: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, str]:
    """``gijiroku serve`` (with ``extra`` arguments) on a free port; returns the process and its URL once ready."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The query-vector cache is off unless asked for: every request then runs the model, the
    # worst case, since the benchmark cycles through a few dozen questions.
    env = {
        **os.environ,
        "GIJIROKU_LOG_LEVEL": "warning",
        "GIJIROKU_QUERY_CACHE_SIZE": "1024" if cache else "0",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--index", str(index), "--port", str(port), *extra],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(900):
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("the server exited before it was ready")
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not become ready")


def torch_loaded(pid: int) -> bool:
    """Whether the server process has torch's library mapped."""
    return "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A memory figure of ``/proc/<pid>/status`` in MB: ``VmRSS`` (all resident pages), ``RssAnon``
    (the process's own memory) or ``RssFile`` (pages of mapped files: the Sudachi dictionary, the
    models' weights; shared with the page cache and other processes, reclaimable)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class Connection:
    """One keep-alive HTTP/1.1 connection on asyncio streams: the load generator's client.

    It shares the server's two cores, so it must take as little of them as it can: httpx's
    ``AsyncClient`` took 1.2-1.9 ms of CPU a request there, this one 0.2-0.3 ms (README,
    "The service under load"). It speaks only what the server answers: a status line, headers and a
    ``Content-Length`` body.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, target: str, body: bytes = b"") -> tuple[int, bytes]:
        """(status, body) of one request; the connection is opened on first use and reopened if closed."""
        if self._writer is None or self._reader is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self._writer.write(head.encode() + b"\r\n" + body)
        status_line = await self._reader.readline()
        if not status_line:
            self.close()
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length, closing = 0, False
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                closing = True
            elif name.lower() == "transfer-encoding":
                self.close()
                raise ConnectionError(f"the load client reads Content-Length bodies only, not {value.strip()}")
        payload = await self._reader.readexactly(length)
        if closing:
            self.close()
        return status, payload

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def load(
    url: str, endpoint: str, qs: list[str], clients: int, total: int, offset: int = 0, *, pid: int | None = None
) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))
    address = httpx.URL(url)

    async def one(client: Connection, i: int) -> None:
        nonlocal errors
        q = qs[(offset + i) % len(qs)]
        start = time.perf_counter()
        if endpoint == "ask":
            status, _ = await client.request("POST", "/ask", json.dumps({"question": q}).encode())
        else:
            status, _ = await client.request("GET", f"/{endpoint}?" + urlencode({"q": q}))
        latencies.append((time.perf_counter() - start) * 1000)
        errors += status != 200

    async def worker() -> None:
        client = Connection(address.host, address.port or 80)
        try:
            for i in counter:
                await one(client, i)
        finally:
            client.close()

    server_cpu = cpu_s(pid) if pid else 0.0
    client_cpu = time.process_time()
    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    wall = time.perf_counter() - start
    client_cpu = time.process_time() - client_cpu
    server_cpu = cpu_s(pid) - server_cpu if pid else 0.0
    return {
        "endpoint": f"/{endpoint}",
        "clients": clients,
        "requests": total,
        "errors": errors,
        "distinct_questions": min(total, len(qs)),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "req_per_s": round(total / wall, 1),
        # Both share the machine's cores: what the load generator spends is taken from the server.
        "server_cpu_ms_per_request": round(server_cpu * 1000 / total, 1) if pid else None,
        "client_cpu_ms_per_request": round(client_cpu * 1000 / total, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, help="an existing index (default: build one from ../shared)")
    parser.add_argument("--sample", action="store_true", help="index the bundled sample instead of ../shared")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--endpoints", nargs="+", default=["search", "ask", "who"])
    parser.add_argument("--cache", action="store_true", help="leave the server's query-vector cache on")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index or Path(tmp) / "index"
        if args.index is None:
            build_index(index, sample=args.sample)
        proc, url = start_server(index, cache=args.cache)
        try:
            precision = httpx.get(url + "/readyz", timeout=10).json().get("query_precision")
            qs = questions()
            asyncio.run(load(url, "search", OFF_TOPIC * 10, 4, 40))  # warm-up, on questions the runs do not ask
            rows = []
            offset = 0
            for endpoint in args.endpoints:
                for clients in args.clients:
                    rows.append(asyncio.run(load(url, endpoint, qs, clients, args.requests, offset, pid=proc.pid)))
                    offset += args.requests
                    print(json.dumps(rows[-1]), flush=True)
            rss, anon, mapped = (rss_mb(proc.pid, f) for f in ("VmRSS", "RssAnon", "RssFile"))
            torch = torch_loaded(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    result = {
        "machine": machine(),
        "query_cache": args.cache,
        "query_precision": precision,
        "index": "bundled sample" if args.sample else "the four shared corpora",
        "question_pool": len(qs),
        "server_rss_mb": round(rss, 1),
        "server_rss_anon_mb": round(anon, 1),
        "server_rss_file_mb": round(mapped, 1),
        "torch_loaded": torch,
        "runs": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(
        f"server RSS {rss:.0f} MB ({anon:.0f} its own, {mapped:.0f} mapped files), torch loaded: {torch}; "
        f"{len(qs)} distinct questions; written to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
