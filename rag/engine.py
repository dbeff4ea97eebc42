"""The service object that the CLI, the HTTP API and notebooks share: settings, model, tokenizer, index.

Heavy things (the model, the Sudachi dictionary, the index) load lazily, once, and are reused.
A reader picks up a newer index generation on ``refresh()``; writers go through ``ingest``.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from index.dense import set_search_threads
from index.errors import IndexMissing
from index.metadata import Filters
from index.store import IndexSpec, Snapshot, Writer, convert_dense, open_snapshot, read_manifest, verify
from rag.answer import Answer, compose
from rag.embedding.encoder import Encoder, load_encoder
from rag.embedding.second import SecondEncoder, load_second_encoder
from rag.errors import ConfigError, InputError, ReadOnlyIndex
from rag.ingest import FileReport, Found, Ingestor, expand_paths
from rag.query import Person, SpeakerLexicon
from rag.retrieval import Retriever, SearchResult, validate_query
from rag.settings import Settings
from rag.tokenize import Reader, make_sudachi_reader, make_sudachi_segmenter, make_sudachi_tokenizer, tokenizer_name
from rag.who import SpeakerOnTopic, who_said

Progress = Callable[[str], None]


def _limit_blas_threads(threads: int) -> None:
    """Cap numpy's BLAS threads for this process (0: leave them); a server of single queries wants 1.

    OpenBLAS helper threads spin for a while after every matrix product; between a query's small
    products they only keep the cores from ONNX Runtime and the other requests.
    """
    if threads <= 0:
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=threads, user_api="blas")


class Engine:
    """One index directory searched and updated with one model and one tokenizer."""

    def __init__(
        self,
        settings: Settings,
        *,
        progress: Progress | None = None,
        encoder: Encoder | None = None,
        tokenize: Callable[[str], list[str]] | None = None,
        second: SecondEncoder | None = None,
        snapshot: Snapshot | None = None,
        encoder_factory: Callable[[], Encoder] | None = None,
        second_factory: Callable[[], SecondEncoder] | None = None,
    ) -> None:
        self.settings = settings
        self.progress = progress
        self._encoder = encoder
        # How a Ray worker builds this engine's encoder (default: load the configured model).
        self._encoder_factory = encoder_factory
        self._second_factory = second_factory
        self._given = (encoder is not None, second is not None)  # models passed in, not loaded from settings
        self._second = second
        self._tokenize = tokenize
        # A given snapshot (a split index's shards, say) is served as it is: never reloaded from disk.
        self._snapshot: Snapshot | None = snapshot
        self._fixed = snapshot is not None
        self._reader: Reader | None = None
        self._segmenter: Callable[[str], list[str]] | None = None
        # Speaker lexicons by generation, shared with pinned views (building one takes seconds at scale).
        self._lexicons: dict[int, SpeakerLexicon] = {}
        self._pinned = False
        self._lock = threading.RLock()

    # -- heavy resources, loaded once --------------------------------------------------------
    @property
    def encoder(self) -> Encoder:
        """The embedding model (provisioned and loaded on first use)."""
        with self._lock:
            if self._encoder is None:
                self._encoder = load_encoder(self.settings, self.progress)
            return self._encoder

    @property
    def second(self) -> SecondEncoder | None:
        """The second dense leg's model (None when the ``second_model`` setting is ``none``)."""
        with self._lock:
            if self._second is None and self.settings.second_model != "none":
                # One BLAS thread: OpenBLAS helper threads spin after each product, and a server
                # calls this model for every query between others that need the cores.
                self._second = load_second_encoder(self.settings.second_model, threads=1)
            return self._second

    @property
    def tokenize(self) -> Callable[[str], list[str]]:
        """The Sudachi tokenizer callable."""
        with self._lock:
            if self._tokenize is None:
                self._tokenize = make_sudachi_tokenizer(
                    self.settings.sudachi_mode, workers=self.settings.index_threads or os.cpu_count() or 1
                )
            return self._tokenize

    @property
    def reader(self) -> Reader:
        """Katakana readings (for romaji names in English questions)."""
        with self._lock:
            if self._reader is None:
                self._reader = make_sudachi_reader()
            return self._reader

    @property
    def segmenter(self) -> Callable[[str], list[str]]:
        """Words of a text as written (where a name in a question may begin and end)."""
        with self._lock:
            if self._segmenter is None:
                self._segmenter = make_sudachi_segmenter()
            return self._segmenter

    def lexicon(self) -> SpeakerLexicon:
        """The people of the current index as a lexicon for query understanding (rebuilt per generation)."""
        snap = self.snapshot()
        with self._lock:
            lexicon = self._lexicons.get(snap.generation)
            if lexicon is None:
                people = [
                    Person(person_id=r["person_id"], name=r["name"], roles=tuple(r["roles"]), labels=tuple(r["labels"]))
                    for r in snap.meta.speakers()
                ]
                lexicon = SpeakerLexicon(people, read=self.reader, segment=self.segmenter)
                self._lexicons[snap.generation] = lexicon
                for old in [g for g in self._lexicons if g < snap.generation - 1]:
                    del self._lexicons[old]  # a view on the previous generation may still be answering
            return lexicon

    def warm(self) -> None:
        """Load everything a first query would: the model, tokenizer, index, speaker lexicon and filter columns.

        On a million remarks the lexicon and the filter columns take seconds to build from an index
        written without them; a server does it before it accepts requests.
        """
        set_search_threads(self.settings.faiss_threads)
        _limit_blas_threads(self.settings.blas_threads)
        snap = self.snapshot()
        self.tokenize("準備")
        _ = self.second
        self.lexicon()
        snap.meta.facets()
        snap.dense.background()
        if snap.second is not None:
            snap.second.background()  # the answers' evidence reads the second leg's margin too
        if snap.tokens is not None:
            snap.tokens.mean()  # an index written before the sum was kept sums its token vectors now

    def spec(self) -> IndexSpec:
        """What this engine's index must agree with."""
        return IndexSpec(
            model_name=self.settings.model_name,
            dim=self.encoder.dim,
            tokenizer=tokenizer_name(self.settings.sudachi_mode),
            dense_type=self.settings.dense_index,
            hnsw_m=self.settings.hnsw_m,
            ef_search=self.settings.hnsw_ef_search,
            nprobe=self.settings.ivf_nprobe,
            second_model=second.name if (second := self.second) is not None else None,
            second_dim=second.dim if second is not None else 0,
            tokens=self.settings.late_interaction and self.encoder.tokens,
        )

    @property
    def index_dir(self) -> Path:
        """The index directory."""
        return self.settings.index_dir

    def snapshot(self) -> Snapshot:
        """The loaded index generation; ``IndexMissing`` when nothing was ingested yet."""
        with self._lock:
            if self._snapshot is None:
                self._snapshot = open_snapshot(self.index_dir, self.spec())
            return self._snapshot

    def has_index(self) -> bool:
        """Whether the index directory holds a committed index."""
        if self._fixed:
            return True
        try:
            read_manifest(self.index_dir)
        except IndexMissing:
            return False
        return True

    def pinned(self) -> Engine:
        """A view of this engine fixed on its current snapshot, sharing its model, tokenizer and caches.

        A request served through a view sees one index generation from its first lookup to its
        last, even when a writer commits and the engine switches in the middle of it.
        """
        snapshot = self.snapshot()
        view = copy.copy(self)
        view._snapshot = snapshot
        view._pinned = True
        return view

    def over(self, snapshot: Snapshot) -> Engine:
        """An engine over another snapshot (a split index's, say), sharing this one's models and tokenizer."""
        return Engine(
            self.settings,
            progress=self.progress,
            encoder=self.encoder,
            tokenize=self.tokenize,
            second=self.second,
            snapshot=snapshot,
        )

    def refresh(self) -> bool:
        """Switch to a newer committed generation if there is one; True when it switched."""
        if self._pinned or self._fixed:
            return False
        with self._lock:
            try:
                generation = read_manifest(self.index_dir).get("generation")
            except IndexMissing:
                return False
            if self._snapshot is not None and self._snapshot.generation == generation:
                return False
            fresh = open_snapshot(self.index_dir, self.spec())
            self._snapshot = fresh  # the old snapshot is left to the garbage collector: readers may hold it
            return True

    # -- services -------------------------------------------------------------------------------
    def retriever(self) -> Retriever:
        """A retriever over the current snapshot."""
        return Retriever(
            snapshot=self.snapshot(),
            encoder=self.encoder,
            tokenize=self.tokenize,
            settings=self.settings,
            second=self.second,
        )

    def search(
        self,
        *,
        query: str,
        k: int | None = None,
        mode: str = "hybrid",
        filters: Filters | None = None,
        infer: bool | None = None,
    ) -> SearchResult:
        """Search the index (see ``Retriever.search``).

        With ``infer`` (default: the ``infer_speaker`` setting), a person or role named in the query
        restricts the search to them when no speaker filter is given; the result reports it, and if
        that speaker has no matching remark the search runs unrestricted with a note.
        """
        k = self.settings.default_k if k is None else k
        filters = filters or Filters()
        text = validate_query(query, k=k, mode=mode, settings=self.settings)
        retriever = self.retriever()
        infer = self.settings.infer_speaker if infer is None else infer
        notes: list[str] = []
        if infer and not (filters.speaker or filters.persons):
            inferred = self.lexicon().infer(text)
            if inferred is not None:
                narrowed = replace(filters, persons=inferred.person_ids)
                result = retriever.search(query=inferred.query or text, k=k, mode=mode, filters=narrowed)
                if result.hits:
                    return replace(result, query=text, inferred=inferred)
                notes.append(f"no remark by {'、'.join(inferred.names)} matched; searched every speaker")
        result = retriever.search(query=text, k=k, mode=mode, filters=filters)
        return replace(result, notes=notes + result.notes)

    def ask(
        self, *, question: str, k: int | None = None, filters: Filters | None = None, infer: bool | None = None
    ) -> Answer:
        """An extractive answer with verbatim citations (see ``rag.answer``)."""
        result = self.search(query=question, k=k, mode="hybrid", filters=filters, infer=infer)
        lexical = self.snapshot().lexical
        return compose(
            question=result.query,
            result=result,
            tokenize=self.tokenize,
            idf=lexical.idf,
            settings=self.settings,
            holding=getattr(lexical, "holding", None),  # a split index's leg answers by tokenizing
        )

    def who(
        self, *, query: str, filters: Filters | None = None, infer: bool | None = None, limit: int = 20
    ) -> tuple[SearchResult, list[SpeakerOnTopic]]:
        """Speakers ranked by how much and how relevantly they spoke about ``query``."""
        result = self.search(query=query, k=self.settings.who_candidates, filters=filters, infer=infer)
        return result, who_said(result, rrf_k=self.settings.rrf_k, limit=limit)

    @contextmanager
    def _writing(self, *, show_progress: bool = False) -> Iterator[Ingestor]:
        """An ingestor over the next generation; committed (and picked up) only if something changed."""
        if self._fixed:
            raise ReadOnlyIndex(
                "this server serves a split index, which is read-only: ingest into the source index "
                "and split it again (`gijiroku shard`, or restart `gijiroku serve --ray`)"
            )
        with Writer(self.index_dir, self.spec()) as writer:
            ingestor = Ingestor(
                writer=writer,
                encoder=self.encoder,
                tokenize=self.tokenize,
                settings=self.settings,
                show_progress=show_progress,
                second=self.second,
            )
            ingestor.backfill_second()
            ingestor.backfill_tokens()
            yield ingestor
            if ingestor.changed:
                writer.commit()
        self.refresh()

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        fmt: str | None = None,
        recursive: bool = False,
        show_progress: bool = False,
        on_report: Callable[[FileReport], None] | None = None,
        ray: str | None = None,
    ) -> list[FileReport]:
        """Ingest files and directories as one committed generation; returns a report per file, or
        per meeting for a file that holds several (a Diet API response, a list of assembly proceedings).

        With ``ray`` (a cluster address, or ``auto``), parsing and embedding run on a Ray cluster
        (``rag.distributed``); the index written is the one this process would write.
        """
        files = expand_paths(paths, recursive=recursive)
        if not files:
            raise InputError("no minutes files found at the given paths")
        if ray is not None:
            return self._ingest_on_ray(files, address=ray, fmt=fmt, on_report=on_report)
        reports = []
        with self._writing(show_progress=show_progress) as ingestor:
            for found in files:
                for report in ingestor.add_file(found.path, fmt=fmt, fallback=found.named):
                    reports.append(report)
                    if on_report:
                        on_report(report)
        return reports

    def _ingest_on_ray(
        self, files: list[Found], *, address: str, fmt: str | None, on_report: Callable[[FileReport], None] | None
    ) -> list[FileReport]:
        from rag.distributed import default_factories, ingest_on_ray
        from rag.ray_cluster import require_ray

        require_ray()  # before any model loads: say how to install it at once
        make_encoder, make_second = default_factories(self.settings, second=self.second is not None)
        factories = (self._encoder_factory, self._second_factory)
        if any(given and factory is None for given, factory in zip(self._given, factories, strict=True)):
            raise ConfigError("this engine was given its models; ingest on Ray also needs their factories")
        make_encoder = self._encoder_factory or make_encoder
        make_second = self._second_factory or make_second
        with self._writing() as ingestor:
            reports = ingest_on_ray(
                ingestor,
                files,
                address=address,
                fmt=fmt,
                make_encoder=make_encoder,
                make_second=make_second,
                on_report=on_report,
            )
        return reports

    def ingest_bytes(self, data: bytes, name: str, *, fmt: str | None = None) -> list[FileReport]:
        """Ingest one uploaded file: a report per meeting it holds (see ``ingest``)."""
        with self._writing() as ingestor:
            return ingestor.add_bytes(data, name, fmt=fmt)

    def delete_meeting(self, meeting_id: str) -> int:
        """Delete a meeting and commit; returns the number of passages removed."""
        with self._writing() as ingestor:
            return ingestor.delete_meeting(meeting_id)

    def reindex(self, *, dense_type: str | None = None) -> dict:
        """Rebuild the dense index as ``dense_type`` (default: the configured one) without re-embedding."""
        manifest = convert_dense(
            self.index_dir,
            dense_type=dense_type or self.settings.dense_index,
            hnsw_m=self.settings.hnsw_m,
            ef_search=self.settings.hnsw_ef_search,
            nprobe=self.settings.ivf_nprobe,
        )
        if self._snapshot is not None:  # a serving engine switches; a one-off command need not load the model
            self.refresh()
        return manifest

    def check(self) -> list[str]:
        """Consistency problems between the stores of the current index (empty when consistent)."""
        return verify(self.snapshot())
