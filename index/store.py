"""An index directory: generations of plain files behind one JSON manifest, written atomically.

Layout::

    DIR/manifest.json          format version, model name and dimension, tokenizer, counts, generation
    DIR/gen-000007/            dense.faiss, lexical.npz, lexical_vocab.json, meta.sqlite, facets.npz,
                               second.faiss (the second dense leg, when the index has one),
                               tokens.*.npy (token vectors for late interaction, when it has them;
                               memory-mapped by readers)
    DIR/.lock                  held by the one writer

A write builds the next generation in a temporary folder, fsyncs it, renames it into place and
only then replaces ``manifest.json`` (``os.replace`` is atomic). A crash at any point leaves the
previous manifest pointing at the previous, complete generation; readers load whichever
generation the manifest names, so they see the old or the new state, never a mix.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

import numpy as np

from index import metadata
from index.dense import STEM, DenseIndex
from index.errors import IndexCorrupt, IndexMismatch, IndexMissing, StoreError
from index.lexical import LexicalIndex
from index.metadata import MetadataStore
from index.tokens import TokenIndex

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_KEEP_GENERATIONS = 2


@dataclass(frozen=True)
class IndexSpec:
    """What an index must agree with to be searched: the model, its dimension and the tokenizer."""

    model_name: str
    dim: int
    tokenizer: str
    dense_type: str = "flat"
    hnsw_m: int = 32  # graph degree of a new HNSW index
    ef_search: int = 128  # search breadth of an HNSW index (a reading setting, not checked)
    nprobe: int = 256  # lists an IVF index scans per query (a reading setting, not checked)
    # A second dense leg: another embedding model over the same passages (None: no second leg).
    second_model: str | None = None
    second_dim: int = 0
    # Token vectors of the main model for late interaction (``index.tokens``).
    tokens: bool = False


SECOND_STEM = "second"


def read_manifest(directory: Path) -> dict:
    """The manifest of an index directory; ``IndexMissing`` if there is none."""
    path = directory / MANIFEST
    if not path.is_file():
        raise IndexMissing(f"no index at {directory} yet", details={"index": str(directory)})
    try:
        return json.loads(path.read_text())
    except ValueError as exc:
        raise IndexCorrupt(f"{path} is not valid JSON: {exc}") from exc


def check_manifest(manifest: dict, spec: IndexSpec, directory: Path) -> None:
    """Refuse an index built with another format, model, dimension or tokenizer."""
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatch(
            f"{directory} has index format {manifest.get('format_version')}, this gijiroku reads "
            f"{FORMAT_VERSION}; re-ingest into a new index directory"
        )
    model = manifest.get("model", {})
    if model.get("name") != spec.model_name or model.get("dim") != spec.dim:
        raise IndexMismatch(
            f"{directory} was built with model {model.get('name')} (dimension {model.get('dim')}), "
            f"but the configured model is {spec.model_name} (dimension {spec.dim}); set the model back "
            "or re-ingest into a new index directory",
            details={"index_model": model, "configured_model": spec.model_name},
        )
    second = manifest.get("second")
    if second and spec.second_model and (second.get("name"), second.get("dim")) != (spec.second_model, spec.second_dim):
        raise IndexMismatch(
            f"{directory} was built with the second dense model {second.get('name')} (dimension {second.get('dim')}), "
            f"but the configured one is {spec.second_model} (dimension {spec.second_dim}); set "
            "GIJIROKU_SECOND_MODEL back, or to none, or re-ingest into a new index directory",
            details={"index_second_model": second, "configured_second_model": spec.second_model},
        )
    if manifest.get("tokenizer") != spec.tokenizer:
        raise IndexMismatch(
            f"{directory} was built with tokenizer {manifest.get('tokenizer')}, "
            f"the configured one is {spec.tokenizer}; re-ingest into a new index directory"
        )


class Snapshot:
    """One loaded generation: dense and lexical indexes and the metadata, read-only by convention."""

    def __init__(
        self,
        directory: Path,
        manifest: dict,
        dense: DenseIndex,
        lexical: LexicalIndex,
        meta: MetadataStore,
        second: DenseIndex | None = None,
        tokens: TokenIndex | None = None,
    ):
        self.directory = directory
        self.manifest = manifest
        self.dense = dense
        self.lexical = lexical
        self.meta = meta
        self.second = second
        self.tokens = tokens

    def delete_passages(self, ids: np.ndarray) -> None:
        """Remove passage ids from every index of this snapshot (the metadata is the caller's)."""
        for store in (self.dense, self.lexical, self.second, self.tokens):
            if store is not None:
                store.delete(ids)

    @property
    def second_model(self) -> str | None:
        """The model name of the second dense leg, if this snapshot has one."""
        return (self.manifest.get("second") or {}).get("name") if self.second is not None else None

    @property
    def generation(self) -> int:
        """The generation number this snapshot was loaded from."""
        return int(self.manifest.get("generation", 0))

    def close(self) -> None:
        """Release the SQLite connection."""
        self.meta.close()


def _load_generation(directory: Path, manifest: dict, *, freeze: bool, spec: IndexSpec | None = None) -> Snapshot:
    gen_dir = directory / manifest["directory"]
    if not gen_dir.is_dir():
        raise IndexCorrupt(f"{directory}: the manifest names {gen_dir.name}, which is missing")
    dense_cfg = manifest.get("dense", {})

    def load_dense(dim: int, stem: str) -> DenseIndex:
        return DenseIndex.load(
            gen_dir,
            dim=dim,
            index_type=dense_cfg.get("type", "flat"),
            hnsw_m=dense_cfg.get("hnsw_m", 32),
            ef_search=spec.ef_search if spec else IndexSpec.ef_search,
            nprobe=spec.nprobe if spec else IndexSpec.nprobe,
            stem=stem,
        )

    dense = load_dense(manifest["model"]["dim"], STEM)
    second_cfg = manifest.get("second")
    # A reader configured without the second leg does not load it; a writer (spec None) keeps it.
    second = load_dense(second_cfg["dim"], SECOND_STEM) if second_cfg and (spec is None or spec.second_model) else None
    # Likewise the token vectors: a reader configured without late interaction leaves them on disk.
    has_tokens = bool(manifest.get("tokens")) and (spec is None or spec.tokens)
    tokens = TokenIndex.load(gen_dir, dim=manifest["model"]["dim"]) if has_tokens else None
    lexical = LexicalIndex.load(gen_dir)
    if freeze:
        lexical.freeze()  # a reader needs the BM25 weights only: half the memory
    meta = MetadataStore(gen_dir / metadata.FILE, readonly=True)
    return Snapshot(directory, manifest, dense, lexical, meta, second, tokens)


def open_snapshot(directory: Path, spec: IndexSpec | None = None, *, freeze: bool = True) -> Snapshot:
    """Load the current generation for reading; with ``spec``, refuse a mismatching index.

    ``freeze=False`` keeps the lexical term frequencies (a shard scores with other statistics).
    """
    manifest = read_manifest(directory)
    if spec is not None:
        check_manifest(manifest, spec, directory)
    return _load_generation(directory, manifest, freeze=freeze, spec=spec)


def verify(snapshot: Snapshot) -> list[str]:
    """Problems found when the dense, lexical and metadata stores disagree (empty when consistent)."""
    problems = []
    meta_ids = np.sort(snapshot.meta.passage_ids())
    stores = [("dense", snapshot.dense.ids()), ("lexical", snapshot.lexical.doc_ids)]
    if snapshot.second is not None:
        stores.append(("second dense", snapshot.second.ids()))
    if snapshot.tokens is not None:
        stores.append(("token", snapshot.tokens.ids()))
    for label, ids in stores:
        ids = np.sort(ids)
        if not np.array_equal(ids, meta_ids):
            missing = np.setdiff1d(meta_ids, ids)[:5].tolist()
            extra = np.setdiff1d(ids, meta_ids)[:5].tolist()
            problems.append(
                f"{label} index has {len(ids)} passages, metadata {len(meta_ids)}; missing {missing}, extra {extra}"
            )
    facet_ids = snapshot.meta.facets().ids
    if not np.array_equal(facet_ids, meta_ids):
        problems.append(f"filter columns have {len(facet_ids)} passages, metadata {len(meta_ids)}")
    counts = snapshot.meta.counts()
    if counts != snapshot.manifest.get("counts"):
        problems.append(f"manifest counts {snapshot.manifest.get('counts')} differ from metadata {counts}")
    return problems


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Writer:
    """Builds the next generation. Use as a context manager; nothing is visible until ``commit``."""

    def __init__(self, directory: Path, spec: IndexSpec) -> None:
        self.directory = directory
        self.spec = spec
        self._lock_fh: IO[str] | None = None
        self._work: Path | None = None
        self.snapshot: Snapshot | None = None
        self._next_id = 0
        self.committed = False

    def __enter__(self) -> Writer:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock_fh = (self.directory / ".lock").open("w")
        fcntl.flock(self._lock_fh, fcntl.LOCK_EX)
        self._clean_stale()
        self._work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.directory))
        self.snapshot = self._begin()
        self._next_id = self.snapshot.meta.max_passage_id() + 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.snapshot is not None:
            self.snapshot.close()
        if self._work is not None and self._work.exists():
            shutil.rmtree(self._work, ignore_errors=True)
        if self._lock_fh is not None:
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
            self._lock_fh.close()

    def _clean_stale(self) -> None:
        for stale in self.directory.glob(".tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)

    def _begin(self) -> Snapshot:
        assert self._work is not None
        try:
            manifest = read_manifest(self.directory)
        except IndexMissing:
            manifest = None
        if manifest is None:
            dense = DenseIndex(self.spec.dim, index_type=self.spec.dense_type, hnsw_m=self.spec.hnsw_m)
            meta = MetadataStore(self._work / metadata.FILE)
            tokens = TokenIndex(self.spec.dim) if self.spec.tokens else None
            return Snapshot(
                self.directory, {"generation": 0}, dense, LexicalIndex(), meta, self._empty_second(dense), tokens
            )
        check_manifest(manifest, self.spec, self.directory)
        shutil.copy2(self.directory / manifest["directory"] / metadata.FILE, self._work / metadata.FILE)
        current = _load_generation(self.directory, manifest, freeze=False)
        current.meta.close()
        current.meta = MetadataStore(self._work / metadata.FILE)
        if not self.spec.second_model:
            current.second = None  # configured off: the next generation has no second leg
        elif current.second is None:
            # Configured on over an index without it: an empty leg the writer's caller fills
            # (``needs_backfill``) before it adds anything.
            current.second = self._empty_second(current.dense)
        if not self.spec.tokens:
            current.tokens = None
        elif current.tokens is None:
            current.tokens = TokenIndex(self.spec.dim)  # filled like a new second leg (``needs_token_backfill``)
        return current

    def _empty_second(self, dense: DenseIndex) -> DenseIndex | None:
        if not self.spec.second_model:
            return None
        return DenseIndex(self.spec.second_dim, index_type=dense.index_type, hnsw_m=dense.hnsw_m)

    @property
    def needs_backfill(self) -> bool:
        """Whether the second dense leg lacks passages that the main one has (it is new to this index)."""
        snap = self.snapshot
        return snap is not None and snap.second is not None and len(snap.second) < len(snap.dense)

    @property
    def needs_token_backfill(self) -> bool:
        """Whether the token vectors lack passages that the dense index has (they are new to this index)."""
        snap = self.snapshot
        return snap is not None and snap.tokens is not None and len(snap.tokens) < len(snap.dense)

    def allocate_ids(self, n: int) -> np.ndarray:
        """``n`` fresh passage ids."""
        ids = np.arange(self._next_id, self._next_id + n, dtype=np.int64)
        self._next_id += n
        return ids

    def commit(self) -> dict:
        """Write the new generation and switch the manifest to it; returns the new manifest."""
        assert self.snapshot is not None and self._work is not None
        snap = self.snapshot
        snap.dense.save(self._work)
        if snap.second is not None:
            snap.second.save(self._work, stem=SECOND_STEM)
        if snap.tokens is not None:
            snap.tokens.save(self._work)
        snap.lexical.save(self._work)
        snap.meta.save_facets(self._work)
        counts = snap.meta.counts()
        snap.meta.close()
        generation = snap.generation + 1
        for f in self._work.iterdir():
            with f.open("rb") as fh:
                os.fsync(fh.fileno())
        name = f"gen-{generation:06d}"
        final = self.directory / name
        if final.exists():  # left by a crash after rename but before the manifest switch
            shutil.rmtree(final)
        os.replace(self._work, final)
        manifest = self._manifest(generation, name, counts)
        tmp = self.directory / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.directory / MANIFEST)
        _fsync_dir(self.directory)
        self.committed = True
        self._prune(generation)
        return manifest

    def _manifest(self, generation: int, name: str, counts: dict) -> dict:
        assert self.snapshot is not None
        dense = self.snapshot.dense
        second = self.snapshot.second
        return {
            "format_version": FORMAT_VERSION,
            "generation": generation,
            "directory": name,
            "model": {"name": self.spec.model_name, "dim": self.spec.dim},
            "tokenizer": self.spec.tokenizer,
            "dense": {"type": dense.index_type, "hnsw_m": dense.hnsw_m},
            **({"second": {"name": self.spec.second_model, "dim": second.dim}} if second is not None else {}),
            **({"tokens": {"dim": self.spec.dim, "type": "int4"}} if self.snapshot.tokens is not None else {}),
            "counts": counts,
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "spec": asdict(self.spec),
        }

    def _prune(self, generation: int) -> None:
        for old in self.directory.glob("gen-*"):
            try:
                number = int(old.name.split("-")[1])
            except (IndexError, ValueError):
                continue
            if number <= generation - _KEEP_GENERATIONS:
                shutil.rmtree(old, ignore_errors=True)


def convert_dense(directory: Path, *, dense_type: str, hnsw_m: int, ef_search: int, nprobe: int) -> dict:
    """Rebuild the dense index of ``directory`` as ``dense_type`` from its stored vectors, as a new generation.

    Nothing is re-embedded: the model, tokenizer, lexical index and metadata are kept. Returns the
    new manifest.
    """
    manifest = read_manifest(directory)
    spec = IndexSpec(
        model_name=manifest["model"]["name"],
        dim=manifest["model"]["dim"],
        tokenizer=manifest["tokenizer"],
        dense_type=dense_type,
        hnsw_m=hnsw_m,
        ef_search=ef_search,
        nprobe=nprobe,
        second_model=(manifest.get("second") or {}).get("name"),
        second_dim=(manifest.get("second") or {}).get("dim", 0),
        tokens=bool(manifest.get("tokens")),
    )
    with Writer(directory, spec) as writer:
        snap = writer.snapshot
        assert snap is not None
        snap.dense = snap.dense.converted(dense_type, hnsw_m=hnsw_m, ef_search=ef_search, nprobe=nprobe)
        if snap.second is not None:
            snap.second = snap.second.converted(dense_type, hnsw_m=hnsw_m, ef_search=ef_search, nprobe=nprobe)
        return writer.commit()


__all__ = [
    "IndexSpec",
    "Snapshot",
    "StoreError",
    "Writer",
    "convert_dense",
    "open_snapshot",
    "read_manifest",
    "verify",
]
