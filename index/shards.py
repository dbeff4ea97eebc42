"""A split index: N shard indexes, cut by meeting, searched as one with the whole index's ranking.

Layout::

    DIR/shards.json         format version, the source index and generation, the shards, meeting → shard
    DIR/shard-00/ ...       each an ordinary index directory (``index.store``), holding its meetings

A shard answers a few small, picklable calls (``Shard``); a ``ShardClient`` carries them, in
process (``LocalClient``) or to a remote replica (a Ray Serve handle in ``api.ray_serve``).
``ShardedSnapshot`` looks like a ``Snapshot`` to a reader and fans each call out:

- dense legs: every shard returns its top n; the merge keeps the n best by score (then id), which
  is the whole index's top n when the search is exact;
- the lexical leg runs in two rounds: the shards' collection statistics for the query's terms are
  summed, then every shard scores with the sums, so BM25 gives each passage the score the whole
  index would;
- metadata lookups go to every shard and the answers are merged (a meeting lives on one shard).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import numpy as np

from index.base import top_k
from index.dense import DenseIndex
from index.errors import IndexCorrupt, IndexMissing, ShardUnavailable, StoreError
from index.lexical import Collection, collection_idf, merge_collections
from index.metadata import Filters
from index.store import IndexSpec, Snapshot, Writer, check_manifest, open_snapshot, read_manifest

LAYOUT = "shards.json"
# The source index's lexical statistics: a split index never changes, so a reader scores a query
# with them at once instead of asking every shard for its share first.
COLLECTION = "collection.json"
LAYOUT_VERSION = 1

# What a shard answers about its metadata: the read-only lookups a reader makes.
META_CALLS = frozenset(
    {
        "passages",
        "remark_ids_of",
        "passage_counts",
        "remarks",
        "remarks_with_neighbours",
        "remarks_in_meeting",
        "meeting",
        "meetings_by_id",
        "meetings",
        "remark_counts",
        "speakers",
        "remarks_of",
        "speaker_matches",
        "counts",
    }
)


# -- splitting ---------------------------------------------------------------------------------
def assign(sizes: dict[str, int], shards: int) -> dict[str, int]:
    """meeting id → shard: the largest meetings first, each to the lightest shard (ties: lowest number)."""
    load = [0] * shards
    out: dict[str, int] = {}
    for meeting_id, size in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        target = min(range(shards), key=lambda i: (load[i], i))
        out[meeting_id] = target
        load[target] += size
    return out


def _spec_of(manifest: dict) -> IndexSpec:
    second = manifest.get("second") or {}
    dense = manifest.get("dense", {})
    return IndexSpec(
        model_name=manifest["model"]["name"],
        dim=manifest["model"]["dim"],
        tokenizer=manifest["tokenizer"],
        dense_type=dense.get("type", "flat"),
        hnsw_m=dense.get("hnsw_m", 32),
        second_model=second.get("name"),
        second_dim=second.get("dim", 0),
        tokens=bool(manifest.get("tokens")),
    )


def _build_shard(source: Path, manifest: dict, target: Path, drop: list[str]) -> dict:
    """A copy of the source generation with the other shards' meetings deleted, committed as a new one."""
    target.mkdir(parents=True)
    copied = target / manifest["directory"]
    shutil.copytree(source / manifest["directory"], copied)
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    with Writer(target, _spec_of(manifest)) as writer:
        snap = writer.snapshot
        assert snap is not None
        for meeting_id in drop:
            snap.delete_passages(np.asarray(snap.meta.delete_meeting(meeting_id), dtype=np.int64))
        committed = writer.commit()
    shutil.rmtree(copied, ignore_errors=True)
    return committed


def split_index(source: Path, out: Path, *, shards: int) -> dict:
    """Split the index at ``source`` into ``shards`` indexes under ``out`` (by meeting); returns the layout.

    Passage ids are kept, so a passage has the same id in its shard as in the source. The layout
    is built beside ``out`` and renamed into place, so a crash leaves the previous layout (or none).
    """
    if shards < 1:
        raise StoreError(f"a split needs at least 1 shard, got {shards}")
    manifest = read_manifest(source)
    snap = open_snapshot(source, freeze=False)
    try:
        sizes = snap.meta.remark_counts()
        stats = snap.lexical.collection(list(snap.lexical.vocab))
    finally:
        snap.close()
    if len(sizes) < shards:
        raise StoreError(f"{source} has {len(sizes)} meetings, fewer than the {shards} shards asked for")
    owner = assign(sizes, shards)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        entries = []
        for i in range(shards):
            name = f"shard-{i:02d}"
            drop = sorted(m for m, s in owner.items() if s != i)
            committed = _build_shard(source, manifest, work / name, drop)
            entries.append({"directory": name, "counts": committed["counts"]})
        layout = {
            "format_version": LAYOUT_VERSION,
            "source": str(source),
            "source_generation": manifest.get("generation", 0),
            "shards": entries,
            "assignment": owner,
        }
        (work / LAYOUT).write_text(json.dumps(layout, ensure_ascii=False, indent=2))
        (work / COLLECTION).write_text(json.dumps(asdict(stats), ensure_ascii=False))
        _swap_into_place(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return layout


def _swap_into_place(work: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out, old)
    os.replace(work, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_layout(directory: Path) -> dict:
    """The layout of a split index; ``IndexMissing`` when ``directory`` holds none."""
    path = directory / LAYOUT
    if not path.is_file():
        raise IndexMissing(f"no split index at {directory} (run `gijiroku shard` first)")
    try:
        layout = json.loads(path.read_text())
    except ValueError as exc:
        raise IndexCorrupt(f"{path} is not valid JSON: {exc}") from exc
    if layout.get("format_version") != LAYOUT_VERSION:
        raise IndexCorrupt(f"{path} has layout version {layout.get('format_version')}, expected {LAYOUT_VERSION}")
    return layout


def read_collection(directory: Path) -> Collection | None:
    """The lexical statistics a split index was cut with (None for a layout written without them)."""
    path = directory / COLLECTION
    if not path.is_file():
        return None
    try:
        return Collection(**json.loads(path.read_text()))
    except (ValueError, TypeError) as exc:
        raise IndexCorrupt(f"{path} cannot be read: {exc}") from exc


def shard_dirs(directory: Path) -> list[Path]:
    """The shard index directories of a split index, in shard order."""
    return [directory / entry["directory"] for entry in read_layout(directory)["shards"]]


# -- the shard side ----------------------------------------------------------------------------
class Shard:
    """The calls one shard answers, over its own snapshot (loaded unfrozen: it scores with others' statistics)."""

    def __init__(self, directory: Path, spec: IndexSpec | None = None) -> None:
        manifest = read_manifest(directory)
        if spec is not None:
            check_manifest(manifest, spec, directory)
        self.snapshot = open_snapshot(directory, spec, freeze=False)

    def info(self) -> dict:
        """The shard's manifest."""
        return self.snapshot.manifest

    def _allowed(self, allowed: Filters | np.ndarray | None) -> np.ndarray | None:
        if isinstance(allowed, Filters):
            return self.snapshot.meta.allowed_passages(allowed)
        return allowed

    def _dense(self, leg: str) -> DenseIndex:
        index = self.snapshot.dense if leg == "dense" else self.snapshot.second
        if index is None:
            raise IndexCorrupt(f"{self.snapshot.directory} has no {leg} leg")
        return index

    def _rows_for(self, legs: list[list[tuple[int, float]]], prefetch: list[int]) -> dict:
        """What ranking the legs' hits looks up next, for all legs at once (one query each).

        The remark of every passage found and each remark's passage count, and the rows of the
        first ``prefetch`` remarks of each leg (a page of results is likely to show them), with
        their neighbours and the passage each leg found first for them.
        """
        meta = self.snapshot.meta
        owners = meta.remark_ids_of({pid for hits in legs for pid, _ in hits})
        counts = meta.passage_counts(set(owners.values()))
        first: dict[str, None] = {}
        for hits, n in zip(legs, prefetch, strict=True):
            first.update(dict.fromkeys(list(dict.fromkeys(owners[pid] for pid, _ in hits if pid in owners))[:n]))
        pids = set()  # a remark's best passage in each leg: the one a hit shows
        for hits in legs:
            seen: set[str] = set()
            for pid, _ in hits:
                rid = owners.get(pid)
                if rid in first and rid not in seen:
                    seen.add(rid)
                    pids.add(pid)
        remarks = meta.remarks_with_neighbours(list(first)) if first else {}
        return {"owners": owners, "counts": counts, "remarks": remarks, "passages": meta.passages(pids) if pids else {}}

    def dense_search(
        self, leg: str, vector: np.ndarray, k: int, allowed: Filters | np.ndarray | None
    ) -> list[tuple[int, float]]:
        """Top ``k`` (id, cosine) of a dense leg (``dense`` or ``second``)."""
        return self._dense(leg).search(vector, k, self._allowed(allowed))

    def background(self, leg: str, n: int) -> np.ndarray:
        """The dense leg's fixed random sample of ``n`` vectors."""
        return self._dense(leg).background(n)

    def rescore(self, tokens: np.ndarray, ids: list[int], centre: np.ndarray | None = None) -> np.ndarray:
        """MaxSim of a question's token vectors against those of ``ids`` this shard holds (NaN for
        the others), less ``centre`` (the whole split index's mean token vector) when given."""
        if self.snapshot.tokens is None:
            return np.full(len(ids), np.nan, dtype=np.float32)
        return self.snapshot.tokens.rescore(tokens, ids, centre=centre)

    def moments(self) -> tuple[np.ndarray, int] | None:
        """(sum, count) of this shard's token vectors, or None without them."""
        return self.snapshot.tokens.moments() if self.snapshot.tokens is not None else None

    def collection(self, terms: list[str]) -> Collection:
        """The lexical statistics of this shard for ``terms``."""
        return self.snapshot.lexical.collection(terms)

    def lexical_search(
        self,
        tokens: list[str],
        k: int,
        allowed: Filters | np.ndarray | None,
        collection: Collection,
    ) -> list[tuple[int, float]]:
        """Top ``k`` (id, BM25) scored with the whole split index's statistics."""
        return self.snapshot.lexical.search(tokens, k, self._allowed(allowed), collection=collection)

    def meta(self, method: str, args: tuple, kwargs: dict) -> Any:
        """One read-only metadata lookup (one of ``META_CALLS``)."""
        if method not in META_CALLS:
            raise StoreError(f"a shard does not answer {method!r}")
        return getattr(self.snapshot.meta, method)(*args, **kwargs)

    def batch(self, calls: list[tuple[str, tuple, int]]) -> dict:
        """A request's searches in one call, ``(method, args, prefetch)`` each: their hits (``legs``)
        and the rows ranking and a page of results look up next (``_rows_for``)."""
        if any(method not in _SEARCHES for method, _, _ in calls):
            raise StoreError("a shard batches searches only")
        legs = [getattr(self, method)(*args) for method, args, _ in calls]
        return {"legs": legs, **self._rows_for(legs, [prefetch for _, _, prefetch in calls])}

    def call(self, method: str, *args: Any) -> Any:
        """Dispatch by name: what a remote replica exposes as its one entry point."""
        if method not in _SHARD_CALLS:
            raise StoreError(f"a shard does not answer {method!r}")
        return getattr(self, method)(*args)


_SEARCHES = frozenset({"dense_search", "lexical_search"})
_SHARD_CALLS = frozenset({"info", "background", "collection", "meta", "batch", "rescore", "moments"})


# -- the client side ---------------------------------------------------------------------------
class Pending(Protocol):
    """An answer on its way."""

    def result(self, timeout: float | None = None) -> Any: ...


class ShardClient(Protocol):
    """Sends calls to one shard."""

    def submit(self, method: str, *args: Any) -> Pending: ...


class LocalClient:
    """A shard in this process (tests, notebooks, and a split index served without a cluster)."""

    def __init__(self, shard: Shard) -> None:
        self.shard = shard

    def submit(self, method: str, *args: Any) -> Pending:
        """Run the call now; the answer (or its error) waits in a finished future."""
        future: Future = Future()
        try:
            future.set_result(self.shard.call(method, *args))
        except Exception as exc:
            future.set_exception(exc)
        return future


@dataclass(frozen=True)
class ShardFilter:
    """Filters sent to the shards, which each turn them into their own allowed passages."""

    filters: Filters


def send(clients: Sequence[ShardClient], method: str, *args: Any) -> list[Pending]:
    """Send one call to every shard; the answers are collected later (``collect``)."""
    pending = []
    for i, client in enumerate(clients):
        try:
            pending.append(client.submit(method, *args))
        except Exception as exc:
            raise _unavailable(i, method, exc) from exc
    return pending


def collect(pending: Sequence[Pending], method: str, *, timeout: float | None) -> list[Any]:
    """The answers of ``send``, in shard order.

    A shard's own refusal (a ``StoreError``) passes through; anything else (a dead replica, a
    timeout, a lost connection) is ``ShardUnavailable``, which the API answers with 503.
    """
    out = []
    for i, answer in enumerate(pending):
        try:
            out.append(answer.result(timeout))
        except StoreError:
            raise
        except Exception as exc:
            raise _unavailable(i, method, exc) from exc
    return out


def gather(clients: Sequence[ShardClient], method: str, *args: Any, timeout: float | None = None) -> list[Any]:
    """The answer of every shard to one call, sent to all before any is awaited."""
    return collect(send(clients, method, *args), method, timeout=timeout)


class LegBatch:
    """The legs one request submits, sent to each shard as one ``batch`` call when the first is needed.

    A request runs in one thread, so the batch is per thread: legs submitted while the query is
    still being encoded wait, and the dense leg that follows the encoding goes with them.
    """

    def __init__(self, clients: Sequence[ShardClient], *, timeout: float | None, cache: RowCache) -> None:
        self.clients, self.timeout, self.cache = clients, timeout, cache
        self._local = threading.local()

    def add(self, method: str, args: tuple, *, k: int, prefetch: int) -> Searching:
        """A leg's search, sent with the others of this thread's request; the answer brings the rows
        of its first ``prefetch`` remarks."""
        calls = getattr(self._local, "calls", None)
        if calls is None:
            calls = self._local.calls = []
        searching = Searching(self, len(calls), k=k)
        calls.append((method, args, prefetch, searching))
        return searching

    def flush(self) -> None:
        """Send this thread's waiting legs, one call per shard."""
        calls = getattr(self._local, "calls", None) or []
        self._local.calls = None
        if calls:
            sent = _Sent(send(self.clients, "batch", [(m, a, p) for m, a, p, _ in calls]), timeout=self.timeout)
            for _, _, _, searching in calls:
                searching.sent = sent


class _Sent:
    """One batch in flight; its answers are collected once, by the first leg that asks."""

    def __init__(self, pending: list[Pending], *, timeout: float | None) -> None:
        self.pending, self.timeout = pending, timeout
        self._answers: list[list[Any]] | None = None

    def answers(self, cache: RowCache) -> list[list[Any]]:
        if self._answers is None:
            batches = collect(self.pending, "batch", timeout=self.timeout)
            cache.add_prefetched(batches)
            self._answers = [b["legs"] for b in batches]
        return self._answers


class Searching:
    """A leg's search in a batch; ``result()`` sends the batch if needed and merges the shards' answers."""

    def __init__(self, batch: LegBatch, position: int, *, k: int) -> None:
        self.batch, self.position, self.k = batch, position, k
        self.sent: _Sent | None = None

    def result(self) -> list[tuple[int, float]]:
        """The merged top ``k``."""
        if self.sent is None:
            self.batch.flush()
        assert self.sent is not None
        return _merge_top([shard[self.position] for shard in self.sent.answers(self.batch.cache)], self.k)


class _Done:
    def __init__(self, value: list[tuple[int, float]]) -> None:
        self.value = value

    def result(self) -> list[tuple[int, float]]:
        return self.value


def _unavailable(shard: int, method: str, exc: Exception) -> ShardUnavailable:
    reason = str(exc).splitlines()[0][:200] if str(exc) else ""
    return ShardUnavailable(
        f"shard {shard} did not answer ({method}): {type(exc).__name__} {reason}".strip(),
        details={"shard": shard, "call": method},
    )


class RowCache:
    """Rows a split index has sent (passages, remarks, passage counts); they never change, so they are kept.

    A shard sends the rows of the passages it found with the hits, so the lookups a search makes
    next are answered here instead of in another round to every shard. Bounded: cleared when full.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self.passages: dict[int, dict] = {}
        self.owners: dict[int, str] = {}
        self.counts: dict[str, int] = {}
        self.remarks: dict[str, dict] = {}
        self.absent: set = set()  # keys asked for that no shard has (the remark after a meeting's last)

    def _room(self, table: dict, extra: int) -> None:
        if len(table) + extra > self.limit:
            table.clear()
        if len(self.absent) > self.limit:
            self.absent.clear()

    def add_prefetched(self, answers: Iterable[dict]) -> None:
        """Keep the rows that shard batches sent along with their hits (``Shard._rows_for``)."""
        for answer in answers:
            self.add(self.owners, answer["owners"])
            self.add(self.counts, answer["counts"])
            self.add(self.remarks, answer["remarks"])
            self.add(self.passages, answer["passages"])

    def add(self, table: dict, rows: dict) -> None:
        """Keep ``rows`` in one of the tables."""
        self._room(table, len(rows))
        table.update(rows)


def _merge_top(parts: Iterable[list[tuple[int, float]]], k: int) -> list[tuple[int, float]]:
    pairs = [p for part in parts for p in part]
    if not pairs:
        return []
    ids = np.array([i for i, _ in pairs], dtype=np.int64)
    scores = np.array([s for _, s in pairs], dtype=np.float64)
    return top_k(ids, scores, k)


def _unwrap(allowed: object) -> Filters | np.ndarray | None:
    if isinstance(allowed, ShardFilter):
        return allowed.filters
    return cast(np.ndarray | None, allowed)


class ShardedDense:
    """A dense leg over shards: each shard's top ``k``, merged."""

    def __init__(
        self,
        clients: Sequence[ShardClient],
        leg: str,
        *,
        size: int,
        dim: int,
        timeout: float | None,
        batch: LegBatch,
        prefetch: int = 0,
    ) -> None:
        self.clients, self.leg, self.size, self.dim, self.timeout = clients, leg, size, dim, timeout
        self.batch, self.prefetch = batch, prefetch
        self._background: tuple[int, np.ndarray] | None = None

    def __len__(self) -> int:
        return self.size

    def search(self, query: np.ndarray, k: int, allowed: object = None) -> list[tuple[int, float]]:
        """Top ``k`` (id, cosine) across the shards."""
        return self.submit(query, k, allowed).result()

    def submit(self, query: np.ndarray, k: int, allowed: object = None) -> Searching:
        """``search``, sent now and merged on ``result()``: a reader sends its legs together."""
        vector = np.ascontiguousarray(query, dtype=np.float32)
        return self.batch.add("dense_search", (self.leg, vector, k, _unwrap(allowed)), k=k, prefetch=self.prefetch)

    def background(self, n: int = 256) -> np.ndarray:
        """Every shard's fixed sample, together (cached)."""
        if self._background is None or self._background[0] != n:
            per = max(1, n // max(len(self.clients), 1))
            parts = gather(self.clients, "background", self.leg, per, timeout=self.timeout)
            self._background = (n, np.concatenate(parts) if parts else np.zeros((0, self.dim), np.float32))
        return self._background[1]


class ShardedTokens:
    """Token vectors over shards: each shard scores the candidates it holds, centred (when asked)
    on the whole index's mean token vector, so that a split index ranks as the whole one does."""

    def __init__(self, clients: Sequence[ShardClient], *, timeout: float | None) -> None:
        self.clients, self.timeout = clients, timeout
        self._mean: np.ndarray | None = None

    def mean(self) -> np.ndarray | None:
        """The whole index's mean token vector: the shards' sums and counts added up (asked once;
        a served split does not change)."""
        if self._mean is None:
            found = [m for m in gather(self.clients, "moments", timeout=self.timeout) if m is not None]
            count = sum(n for _, n in found)
            if count:
                self._mean = (sum(total for total, _ in found) / count).astype(np.float32)
        return self._mean

    def rescore(self, query: np.ndarray, ids: Sequence[int], *, centre: np.ndarray | None = None) -> np.ndarray:
        """MaxSim of ``query`` against each of ``ids`` (NaN for an id no shard holds)."""
        query = np.ascontiguousarray(query, dtype=np.float32)
        parts = gather(self.clients, "rescore", query, list(ids), centre, timeout=self.timeout)
        out = np.full(len(ids), np.nan, dtype=np.float32)
        for part in parts:
            out = np.where(np.isnan(out), part, out)
        return out


class ShardedLexical:
    """The lexical leg over shards: every shard scores with the whole index's statistics.

    Those are the ones the split was cut with when the layout has them (``collection.json``), or
    else the shards' own, asked for and summed first (one more round).
    """

    def __init__(
        self,
        clients: Sequence[ShardClient],
        *,
        size: int,
        timeout: float | None,
        batch: LegBatch,
        collection: Collection | None = None,
        prefetch: int = 0,
    ) -> None:
        self.clients, self.size, self.timeout, self.batch = clients, size, timeout, batch
        self.whole, self.prefetch = collection, prefetch

    def __len__(self) -> int:
        return self.size

    def collection(self, terms: Sequence[str]) -> Collection:
        """The whole split index's statistics for ``terms``."""
        unique = list(dict.fromkeys(terms))
        if self.whole is not None:
            df = self.whole.df
            return Collection(self.whole.n_docs, self.whole.total_length, {t: df[t] for t in unique if t in df})
        return merge_collections(gather(self.clients, "collection", unique, timeout=self.timeout))

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """BM25 IDF of each term over all shards."""
        return collection_idf(self.collection(terms), terms)

    def search(self, query: Sequence[str], k: int, allowed: object = None) -> list[tuple[int, float]]:
        """Top ``k`` (id, BM25) across the shards, as the whole index would score them."""
        return self.submit(query, k, allowed).result()

    def submit(self, query: Sequence[str], k: int, allowed: object = None) -> Searching | _Done:
        """``search``, sent now and merged on ``result()``."""
        tokens = list(query)
        stats = self.collection(tokens)
        if not stats.df:
            return _Done([])
        return self.batch.add("lexical_search", (tokens, k, _unwrap(allowed), stats), k=k, prefetch=self.prefetch)


class ShardedMeta:
    """Metadata lookups over shards, each answered by every shard and merged."""

    def __init__(self, clients: Sequence[ShardClient], *, timeout: float | None, cache: RowCache) -> None:
        self.clients, self.timeout, self.cache = clients, timeout, cache

    def _cached(self, table: dict, keys: list, method: str) -> dict:
        """Rows of ``keys`` from ``table``, the missing ones asked of the shards (and kept)."""
        missing = [k for k in dict.fromkeys(keys) if k not in table and (method, k) not in self.cache.absent]
        if missing:
            found = self._union(method, missing)
            self.cache.add(table, found)
            self.cache.absent.update((method, k) for k in missing if k not in found)
        return {k: table[k] for k in keys if k in table}

    def _all(self, method: str, *args: Any, **kwargs: Any) -> list[Any]:
        return gather(self.clients, "meta", method, args, kwargs, timeout=self.timeout)

    def _union(self, method: str, *args: Any) -> dict:
        out: dict = {}
        for part in self._all(method, *args):
            out.update(part)
        return out

    def allowed_passages(self, filters: Filters) -> ShardFilter | None:
        """The filters themselves: each shard resolves them to its passages."""
        return None if filters.is_empty() else ShardFilter(filters)

    def facets(self) -> None:
        """Nothing to build here: each shard keeps its own filter columns."""

    def passages(self, passage_ids: Iterable[int]) -> dict[int, dict]:
        """passage id → row, from whichever shard holds it."""
        return self._cached(self.cache.passages, [int(i) for i in passage_ids], "passages")

    def remark_ids_of(self, passage_ids: Iterable[int]) -> dict[int, str]:
        """passage id → its remark's id."""
        return self._cached(self.cache.owners, [int(i) for i in passage_ids], "remark_ids_of")

    def passage_counts(self, remark_ids: Iterable[str]) -> dict[str, int]:
        """remark id → number of passages."""
        return self._cached(self.cache.counts, list(remark_ids), "passage_counts")

    def remarks(self, remark_ids: Iterable[str]) -> dict[str, dict]:
        """remark id → remark row; the remarks around each come along (a page of hits shows them next)."""
        return self._cached(self.cache.remarks, list(remark_ids), "remarks_with_neighbours")

    def remarks_in_meeting(self, meeting_id: str, lo: int = 0, hi: int = 1 << 30) -> list[dict]:
        """Remarks of a meeting in order (one shard holds them)."""
        rows = [r for part in self._all("remarks_in_meeting", meeting_id, lo, hi) for r in part]
        return sorted(rows, key=lambda r: r["ord"])

    def meeting(self, meeting_id: str) -> dict | None:
        """One meeting row, or None."""
        return next((m for m in self._all("meeting", meeting_id) if m is not None), None)

    def meetings_by_id(self, meeting_ids: Iterable[str]) -> dict[str, dict]:
        """meeting id → meeting row."""
        return self._union("meetings_by_id", list(meeting_ids))

    def meetings(self) -> list[dict]:
        """All meetings, newest first (then by title), as one index orders them."""
        rows = sorted((m for part in self._all("meetings") for m in part), key=lambda m: m["title"])
        return sorted(rows, key=lambda m: m["date"] or "", reverse=True)

    def remark_counts(self) -> dict[str, int]:
        """meeting id → number of remarks."""
        return self._union("remark_counts")

    def counts(self) -> dict[str, int]:
        """Rows per table, summed."""
        total: dict[str, int] = {}
        for part in self._all("counts"):
            for name, n in part.items():
                total[name] = total.get(name, 0) + n
        return total

    def speaker_matches(self, speaker: str) -> bool:
        """Whether any shard has a remark the speaker filter matches."""
        return any(self._all("speaker_matches", speaker))

    def remarks_of(self, person_id: str, *, limit: int, offset: int = 0) -> list[dict]:
        """A person's remarks, newest meeting first, in order within a meeting."""
        rows = [r for part in self._all("remarks_of", person_id, limit=limit + offset) for r in part]
        rows.sort(key=lambda r: (r["meeting_id"], r["ord"]))
        rows.sort(key=lambda r: r["meeting_date"] or "", reverse=True)
        return rows[offset : offset + limit]

    def speakers(self, person_id: str = "") -> list[dict]:
        """People across shards: counts summed, lists joined in shard order."""
        merged: dict[str, dict] = {}
        for part in self._all("speakers", person_id):
            for row in part:
                into = merged.setdefault(row["person_id"], {**row, "remarks": 0, "meetings": 0})
                into["name"] = max(into["name"], row["name"])
                into["remarks"] += row["remarks"]
                into["meetings"] += row["meetings"]
                for col in ("roles", "groups", "affiliations", "labels", "meeting_ids"):
                    if col in row:
                        into[col] = list(dict.fromkeys([*into.get(col, []), *row[col]]))
        return sorted(merged.values(), key=lambda r: (-r["remarks"], r["name"]))

    def close(self) -> None:
        """Nothing held here."""


class ShardedSnapshot:
    """What a reader needs from a ``Snapshot``, answered by shards (see the module docstring)."""

    def __init__(
        self,
        clients: Sequence[ShardClient],
        *,
        directory: Path,
        spec: IndexSpec | None,
        timeout: float | None,
        collection: Collection | None = None,
        prefetch: int = 10,
    ) -> None:
        manifests = gather(clients, "info", timeout=timeout)
        for i, manifest in enumerate(manifests):
            if spec is not None:
                check_manifest(manifest, spec, directory / f"shard-{i:02d}")
        first = manifests[0]
        counts = {name: sum(m["counts"].get(name, 0) for m in manifests) for name in first["counts"]}
        self.directory = directory
        self.manifest = {**first, "counts": counts, "shards": len(clients)}
        self.manifest["generation"] = max(int(m.get("generation", 0)) for m in manifests)
        passages = counts.get("passages", 0)
        cache = RowCache()
        batch = LegBatch(clients, timeout=timeout, cache=cache)
        dim = first["model"]["dim"]
        # Each leg's answer brings the rows of its first ``prefetch`` remarks: a page of results.
        self.dense = ShardedDense(
            clients, "dense", size=passages, dim=dim, timeout=timeout, batch=batch, prefetch=prefetch
        )
        second = first.get("second")
        use_second = second and (spec is None or spec.second_model)
        self.second = (
            ShardedDense(
                clients, "second", size=passages, dim=second["dim"], timeout=timeout, batch=batch, prefetch=prefetch
            )
            if use_second
            else None
        )
        self.lexical = ShardedLexical(
            clients, size=passages, timeout=timeout, batch=batch, collection=collection, prefetch=prefetch
        )
        self.meta = ShardedMeta(clients, timeout=timeout, cache=cache)
        use_tokens = first.get("tokens") and (spec is None or spec.tokens)
        self.tokens = ShardedTokens(clients, timeout=timeout) if use_tokens else None

    # The manifest's reading: the same as a snapshot's (its generation is the newest shard's).
    second_model = Snapshot.second_model
    generation = Snapshot.generation

    def close(self) -> None:
        """Nothing held here: the shards hold the files."""

    def as_snapshot(self) -> Snapshot:
        """This object typed as the ``Snapshot`` whose reading side it provides."""
        return cast(Snapshot, self)


def open_sharded(
    directory: Path,
    *,
    spec: IndexSpec | None = None,
    clients: Sequence[ShardClient] | None = None,
    timeout: float | None = None,
) -> ShardedSnapshot:
    """A split index for reading, through ``clients`` in shard order (default: each shard loaded in process)."""
    if clients is None:
        clients = [LocalClient(Shard(d, spec)) for d in shard_dirs(directory)]
    return ShardedSnapshot(
        clients, directory=directory, spec=spec, timeout=timeout, collection=read_collection(directory)
    )


__all__ = [
    "LocalClient",
    "Shard",
    "ShardClient",
    "ShardedSnapshot",
    "assign",
    "open_sharded",
    "read_collection",
    "read_layout",
    "shard_dirs",
    "split_index",
]
