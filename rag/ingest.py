"""Ingest minutes files into an index: parse, split into passages, embed, index, commit once.

Every file in a batch gets a report (ingested with counts, skipped as unchanged or, found in a
directory, as not minutes, or failed with a reason); one bad file never stops the rest, and a
failed file changes nothing. The batch is committed as one new index generation, so a crash
mid-ingest leaves the previous one intact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.store import Writer
from rag.chunking import split_remark
from rag.embedding.encoder import Encoder
from rag.embedding.second import SecondEncoder
from rag.errors import ConfigError, GijirokuError, InputError, NotMinutes
from rag.identity import (
    Known,
    is_anonymous,
    is_surname_only,
    link_turns,
    roles_agree,
    scope_anonymous,
    surname_of,
)
from rag.models import Meeting, ParsedMinutes, Passage, Turn
from rag.parsing import parse_bytes, split_meetings
from rag.parsing.base import content_hash
from rag.progress import progress_bar
from rag.records import meeting_row, remark_id, turn_row
from rag.settings import Settings

SUFFIXES = (".txt", ".md", ".json", ".xml", ".pdf", ".text", ".markdown", ".html", ".htm", ".docx", ".csv", ".tsv")


@dataclass(frozen=True)
class FileReport:
    """What happened to one file: ``ingested``, ``skipped`` or ``failed``."""

    path: str
    status: str
    meeting_id: str = ""
    title: str = ""
    remarks: int = 0
    passages: int = 0
    reason: str = ""
    # What the parser said about an ingested file (no speaker lines recognised, no date found).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Found:
    """A file to ingest, and whether the user named it (``named``) or it was found in a directory.

    A named file in which no format recognises minutes is still read as plain paragraphs: the user
    asked for it. A file found in a directory is then skipped with the reason, because a README or
    a list of sources kept beside the minutes is not a meeting, and its paragraphs would compete
    with the remarks in every search.
    """

    path: Path
    named: bool = True


def expand_paths(paths: Iterable[Path], *, recursive: bool = False) -> list[Found]:
    """Files to ingest: given files as they are, directories by their minutes-like files."""
    out: list[Found] = []
    for path in paths:
        if path.is_dir():
            pattern = "**/*" if recursive else "*"
            found = sorted(p for p in path.glob(pattern) if p.is_file() and p.suffix.lower() in SUFFIXES)
            out += [Found(p, named=False) for p in found]
        else:
            out.append(Found(path))
    return out


def embedding_text(text: str, turn: Turn, *, with_context: bool) -> str:
    """What is embedded for a passage: optionally prefixed by its speaker and topic."""
    if not with_context:
        return text
    who = turn.speaker.name if turn.speaker.is_person else turn.speaker.label
    role = f"（{turn.speaker.role}）" if turn.speaker.role and len(turn.speaker.role) <= 20 else ""
    topic = f"［{turn.topic}］" if turn.topic else ""
    return f"{topic}{who}{role}：{text}"


def read_minutes(path: Path) -> bytes | FileReport:
    """A file's bytes, or the ``failed`` report saying why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        return FileReport(str(path), "failed", reason=f"cannot read: {exc.strerror}")


def tokenize_passages(texts: list[str], tokenize: Callable[[str], list[str]]) -> list[list[str]]:
    """Tokens of each passage; in batches when the tokenizer offers ``many`` (fewer Sudachi calls)."""
    many = getattr(tokenize, "many", None)
    return many(texts) if many is not None else [tokenize(t) for t in texts]


@dataclass(frozen=True)
class Staged:
    """A file staged for indexing: its report, passage ids, texts to embed and passage texts."""

    report: FileReport
    ids: np.ndarray
    texts: list[str]
    passages: list[str]


def passages_of(rid: str, turn: Turn, settings: Settings) -> list[Passage]:
    """A remark's passages, as configured (the one place both ingest paths cut them)."""
    return split_remark(rid, turn.text, max_chars=settings.passage_max_chars, overlap=settings.passage_overlap_chars)


def _replaced(earlier: dict | None, meeting: Meeting) -> tuple[str, ...]:
    """A warning where the index holds a meeting of the same title and date from another file: a
    meeting is known by its title and date, so this one replaces it (the same file again, updated,
    replaces its own earlier version without one)."""
    if earlier is None or earlier.get("source_name") == meeting.source_name:
        return ()
    return (
        f"replaces the meeting of the same title and date ingested from {earlier.get('source_name')} "
        f"({earlier.get('title')}, {earlier.get('date') or 'undated'})",
    )


class Ingestor:
    """Adds parsed minutes to an open ``Writer``."""

    def __init__(
        self,
        *,
        writer: Writer,
        encoder: Encoder,
        tokenize: Callable[[str], list[str]],
        settings: Settings,
        show_progress: bool = False,
        second: SecondEncoder | None = None,
    ) -> None:
        self.writer = writer
        self.encoder = encoder
        self.second = second
        self.tokenize = tokenize
        self.settings = settings
        self.show_progress = show_progress
        self.changed = False

    def add_file(self, path: Path, *, fmt: str | None = None, fallback: bool = True) -> list[FileReport]:
        """Ingest one file (a report per meeting it holds), or report why not; never raises for a bad file.

        Without ``fallback``, a file in which no format recognises minutes is skipped, not read as
        plain paragraphs (``Found``).
        """
        data = read_minutes(path)
        if isinstance(data, FileReport):
            return [data]
        return self.add_bytes(data, str(path), fmt=fmt, fallback=fallback)

    def unchanged(self, name: str, *, digest: str) -> FileReport | None:
        """The ``skipped`` report when a file of this content hash is indexed already (this batch included)."""
        snap = self.writer.snapshot
        assert snap is not None
        known = snap.meta.meeting_by_hash(digest) if digest else None
        if known:
            return FileReport(name, "skipped", known["meeting_id"], known["title"], reason="unchanged")
        return None

    def add_bytes(self, data: bytes, name: str, *, fmt: str | None = None, fallback: bool = True) -> list[FileReport]:
        """Ingest one file's bytes under a display ``name``: a report per meeting it holds."""
        return [
            self._add_meeting(part, part_name, fmt=fmt, fallback=fallback)
            for part, part_name in split_meetings(data, name, fmt=fmt)
        ]

    def _add_meeting(self, data: bytes, name: str, *, fmt: str | None, fallback: bool) -> FileReport:
        skipped = self.unchanged(name, digest=content_hash(data) if data else "")
        if skipped is not None:
            return skipped
        try:
            parsed = parse_bytes(data, Path(name).name, fmt=fmt, fallback=fallback)
            return self.add_parsed(parsed, name)
        except NotMinutes as exc:
            return FileReport(name, "skipped", reason=exc.message)
        except GijirokuError as exc:
            return FileReport(name, "failed", reason=exc.message)

    def add_parsed(self, parsed: ParsedMinutes, name: str) -> FileReport:
        """Index a parsed meeting, replacing an earlier version of the same meeting."""
        staged = self.stage(parsed, name)
        snap = self.writer.snapshot
        if snap is not None and snap.tokens is not None:  # one pass gives the vectors and the token vectors
            vectors, token_vectors = self.encoder.encode_passage_tokens(staged.texts, show_progress=self.show_progress)
            self.apply(staged, vectors, token_vectors=token_vectors)
        else:
            self.apply(staged, self.encoder.encode_passages(staged.texts, show_progress=self.show_progress))
        return staged.report

    def stage(self, parsed: ParsedMinutes, name: str) -> Staged:
        """Everything but the vectors: speakers linked, passages cut, metadata written, old passages removed.

        Staging runs file by file in order (each file's speakers are linked against the ones before
        it); the embedding of what was staged can then run anywhere, in any order (``apply``).
        """
        snap = self.writer.snapshot
        assert snap is not None
        meeting = parsed.meeting
        linked = link_turns(parsed.turns, lookup=self._people_by_surname)
        parsed = replace(parsed, turns=scope_anonymous(linked, meeting_id=meeting.meeting_id))
        texts: list[str] = []
        rows: list[dict] = []
        for turn in parsed.turns:
            rid = remark_id(meeting.meeting_id, turn.order)
            for passage in passages_of(rid, turn, self.settings):
                rows.append({"remark_id": rid, "ordinal": passage.ordinal, "text": passage.text})
                texts.append(embedding_text(passage.text, turn, with_context=self.settings.passage_context))
        if not rows:
            raise InputError(f"{name}: the remarks are empty")
        ids = self.writer.allocate_ids(len(rows))
        for row, pid in zip(rows, ids, strict=True):
            row["passage_id"] = int(pid)
        warnings = parsed.warnings + _replaced(snap.meta.meeting(meeting.meeting_id), meeting)
        old = snap.meta.replace_meeting(
            meeting_row(meeting), [turn_row(meeting.meeting_id, t) for t in parsed.turns], rows
        )
        snap.delete_passages(np.asarray(old, dtype=np.int64))
        self._link_earlier(parsed)
        self.changed = True
        report = FileReport(
            name, "ingested", meeting.meeting_id, meeting.title, len(parsed.turns), len(rows), warnings=warnings
        )
        return Staged(report, ids, texts, [r["text"] for r in rows])

    def apply(
        self,
        staged: Staged,
        vectors: np.ndarray,
        *,
        second: np.ndarray | None = None,
        tokens: list[list[str]] | None = None,
        token_vectors: list[np.ndarray] | None = None,
    ) -> None:
        """Add a staged file's vectors and postings (computed here when not given)."""
        snap = self.writer.snapshot
        assert snap is not None
        snap.dense.add(staged.ids, vectors)
        if snap.tokens is not None:
            if token_vectors is None:  # vectors made elsewhere without them: the token vectors are made here
                token_vectors = self.encoder.encode_passage_tokens(staged.texts)[1]
            snap.tokens.add(staged.ids, token_vectors)
        if snap.second is not None:
            snap.second.add(staged.ids, second if second is not None else self._second().encode_passages(staged.texts))
        if tokens is None:
            tokens = tokenize_passages(staged.passages, self.tokenize)
        snap.lexical.add(staged.ids, tokens)

    def _people_by_surname(self, surname: str) -> list[Known]:
        snap = self.writer.snapshot
        assert snap is not None
        return [
            Known(r["person_id"], r["name"], (r["role"] or "",))
            for r in snap.meta.people_by_surname(surname)
            if r["person_id"]
        ]

    def _link_earlier(self, parsed: ParsedMinutes) -> None:
        """Earlier surname-only speakers (宮坂副知事) that this meeting's full names (宮坂 学) identify."""
        snap = self.writer.snapshot
        assert snap is not None
        for speaker in {t.speaker.person_id: t.speaker for t in parsed.turns if t.speaker.is_person}.values():
            surname = surname_of(speaker.name)
            if not surname:
                continue
            people = self._people_by_surname(surname)
            full = [p for p in people if not is_surname_only(p.name)]
            if {p.person_id for p in full} != {speaker.person_id}:
                continue  # another full-named person shares the surname: leave them apart
            earlier = {p.person_id: p for p in people if is_surname_only(p.name) and not is_anonymous(p.name)}
            for old in earlier.values():
                earlier_roles = [p.roles[0] for p in people if p.person_id == old.person_id]
                if old.person_id != speaker.person_id and roles_agree(earlier_roles, [speaker.role]):
                    snap.meta.relink_person(old.person_id, speaker.person_id, speaker.name)

    def delete_meeting(self, meeting_id: str) -> int:
        """Remove a meeting; returns how many passages went with it (0 when unknown)."""
        snap = self.writer.snapshot
        assert snap is not None
        old = np.asarray(snap.meta.delete_meeting(meeting_id), dtype=np.int64)
        snap.delete_passages(old)
        self.changed = self.changed or bool(len(old))
        return len(old)

    def backfill_second(self, *, chunk: int = 4096) -> int:
        """Embed every passage into a second dense leg that is new to this index; returns how many.

        An index written before the second leg existed (or with it off) gets it on its next write,
        from the passage texts in its metadata, before anything is added.
        """
        snap = self.writer.snapshot
        if snap is None or snap.second is None or not self.writer.needs_backfill:
            return 0
        return self._backfill(
            snap.second, lambda texts: self._second().encode_passages(texts), chunk=chunk, what="the second dense leg"
        )

    def backfill_tokens(self, *, chunk: int = 1024) -> int:
        """Token vectors for every passage of an index that had none (written before late interaction,
        or with it off); returns how many passages were encoded."""
        snap = self.writer.snapshot
        if snap is None or snap.tokens is None or not self.writer.needs_token_backfill:
            return 0
        return self._backfill(
            snap.tokens, lambda texts: self.encoder.encode_passage_tokens(texts)[1], chunk=chunk, what="token vectors"
        )

    def _backfill(self, store: Any, encode: Callable[[list[str]], Any], *, chunk: int, what: str) -> int:
        """Add to ``store`` what ``encode`` makes of every passage it lacks, from the metadata's texts
        (a pass over the whole index, once: it shows its own progress bar)."""
        snap = self.writer.snapshot
        assert snap is not None
        missing = np.setdiff1d(np.sort(snap.meta.passage_ids()), store.ids())
        with progress_bar(len(missing), "passages", show=self.show_progress, desc=f"adding {what}") as bar:
            for start in range(0, len(missing), chunk):
                part = missing[start : start + chunk]
                rows = snap.meta.passages(part.tolist())
                store.add(part, encode([rows[int(i)]["text"] for i in part]))
                bar.update(len(part))
        self.changed = self.changed or bool(len(missing))
        return len(missing)

    def _second(self) -> SecondEncoder:
        if self.second is None:
            raise ConfigError("this index has a second dense leg, but no second encoder was given to the writer")
        return self.second
