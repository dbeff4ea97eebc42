"""The service object that the CLI, the HTTP API and notebooks share: settings, model, tokenizer, index.

Heavy things (the model, the Sudachi dictionary, the index) load lazily, once, and are reused.
A reader picks up a newer index generation on ``refresh()``; writers go through ``ingest``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import IndexMissing
from index.metadata import Filters
from index.store import IndexSpec, Snapshot, Writer, open_snapshot, read_manifest, verify
from rag.embedding.encoder import Encoder, load_encoder
from rag.errors import InputError
from rag.ingest import FileReport, Ingestor, expand_paths
from rag.retrieval import Retriever, SearchResult
from rag.settings import Settings
from rag.tokenize import make_sudachi_tokenizer, tokenizer_name

Progress = Callable[[str], None]


class Engine:
    """One index directory searched and updated with one model and one tokenizer."""

    def __init__(
        self,
        settings: Settings,
        *,
        progress: Progress | None = None,
        encoder: Encoder | None = None,
        tokenize: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.settings = settings
        self.progress = progress
        self._encoder = encoder
        self._tokenize = tokenize
        self._snapshot: Snapshot | None = None
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
    def tokenize(self) -> Callable[[str], list[str]]:
        """The Sudachi tokenizer callable."""
        with self._lock:
            if self._tokenize is None:
                self._tokenize = make_sudachi_tokenizer(self.settings.sudachi_mode)
            return self._tokenize

    def spec(self) -> IndexSpec:
        """What this engine's index must agree with."""
        return IndexSpec(
            model_name=self.settings.model_name,
            dim=self.encoder.dim,
            tokenizer=tokenizer_name(self.settings.sudachi_mode),
            dense_type=self.settings.dense_index,
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
        try:
            read_manifest(self.index_dir)
        except IndexMissing:
            return False
        return True

    def refresh(self) -> bool:
        """Switch to a newer committed generation if there is one; True when it switched."""
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
        return Retriever(snapshot=self.snapshot(), encoder=self.encoder, tokenize=self.tokenize, settings=self.settings)

    def search(
        self, *, query: str, k: int | None = None, mode: str = "hybrid", filters: Filters | None = None
    ) -> SearchResult:
        """Search the index; see ``Retriever.search``."""
        return self.retriever().search(
            query=query, k=self.settings.default_k if k is None else k, mode=mode, filters=filters
        )

    @contextmanager
    def _writing(self, *, show_progress: bool = False) -> Iterator[Ingestor]:
        """An ingestor over the next generation; committed (and picked up) only if something changed."""
        with Writer(self.index_dir, self.spec()) as writer:
            ingestor = Ingestor(
                writer=writer,
                encoder=self.encoder,
                tokenize=self.tokenize,
                settings=self.settings,
                show_progress=show_progress,
            )
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
    ) -> list[FileReport]:
        """Ingest files and directories as one committed generation; returns a report per file."""
        files = expand_paths(paths, recursive=recursive)
        if not files:
            raise InputError("no minutes files found at the given paths")
        reports = []
        with self._writing(show_progress=show_progress) as ingestor:
            for path in files:
                report = ingestor.add_file(path, fmt=fmt)
                reports.append(report)
                if on_report:
                    on_report(report)
        return reports

    def ingest_bytes(self, data: bytes, name: str, *, fmt: str | None = None) -> FileReport:
        """Ingest one uploaded file."""
        with self._writing() as ingestor:
            return ingestor.add_bytes(data, name, fmt=fmt)

    def delete_meeting(self, meeting_id: str) -> int:
        """Delete a meeting and commit; returns the number of passages removed."""
        with self._writing() as ingestor:
            return ingestor.delete_meeting(meeting_id)

    def check(self) -> list[str]:
        """Consistency problems between the stores of the current index (empty when consistent)."""
        return verify(self.snapshot())
