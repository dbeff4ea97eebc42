"""Exploring a corpus of minutes from notebooks: plain data for tables and plots.

Notebooks import these and hold no logic of their own. Every function returns lists, dicts or
numpy arrays; ``rag.plots`` draws them.
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.engine import Engine
from rag.models import Remark
from rag.records import remark_from_row
from rag.retrieval import SearchResult
from rag.settings import load_settings

SAMPLE_DIR = Path(__file__).resolve().parent / "data" / "sample"
SHARED_CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
# Where the notebooks keep their index (built on first run, reused after).
NOTEBOOK_INDEX = Path(tempfile.gettempdir()) / "gijiroku-notebooks" / "index"


def corpus_paths(*, include_shared: bool = True) -> list[Path]:
    """The bundled sample's folder, plus the sample corpora's in ../shared when it is there.

    Folders, not their files: ingest skips a file in a folder that is not minutes (the corpora's
    ``SOURCES.md``) instead of reading it as paragraphs.
    """
    return [SAMPLE_DIR, *([SHARED_CORPORA] if include_shared and SHARED_CORPORA.is_dir() else [])]


def open_engine(index_dir: Path | str, *, paths: list[Path] | None = None) -> Engine:
    """An engine over ``index_dir``, ingesting ``paths`` (default: ``corpus_paths()``) when they are new."""
    engine = Engine(load_settings(index_dir=Path(index_dir)))
    engine.ingest(paths if paths is not None else corpus_paths())
    return engine


def meetings(engine: Engine) -> list[dict]:
    """Meetings: id, title, date, format and remark count, newest first."""
    meta = engine.snapshot().meta
    return [
        {
            "id": m["meeting_id"],
            "title": m["title"],
            "date": m["date"],
            "format": m["source_format"],
            "remarks": len(meta.remarks_in_meeting(m["meeting_id"])),
        }
        for m in meta.meetings()
    ]


def remarks(engine: Engine, meeting_id: str) -> list[Remark]:
    """A meeting's remarks in order."""
    return [remark_from_row(r) for r in engine.snapshot().meta.remarks_in_meeting(meeting_id)]


@dataclass(frozen=True)
class SpeakerShare:
    """How much one speaker said in a meeting."""

    name: str
    role: str
    remarks: int
    characters: int


def speaker_shares(engine: Engine, meeting_id: str) -> list[SpeakerShare]:
    """Who spoke how much in a meeting (remarks and characters), most first."""
    count: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    role: dict[str, str] = {}
    for r in remarks(engine, meeting_id):
        who = r.speaker.name
        count[who] += 1
        chars[who] += len(r.text)
        role.setdefault(who, r.speaker.role)
    return [SpeakerShare(w, role[w], count[w], chars[w]) for w, _ in chars.most_common()]


def speaker_topic_matrix(engine: Engine, meeting_id: str) -> tuple[list[str], list[str], np.ndarray]:
    """(speakers, topics, characters spoken by each speaker under each topic)."""
    rs = remarks(engine, meeting_id)
    speakers = [s.name for s in speaker_shares(engine, meeting_id)]
    topics = list(dict.fromkeys(r.topic or "（議題なし）" for r in rs))
    matrix = np.zeros((len(speakers), len(topics)))
    for r in rs:
        matrix[speakers.index(r.speaker.name), topics.index(r.topic or "（議題なし）")] += len(r.text)
    return speakers, topics, matrix


def hits_table(result: SearchResult, *, width: int = 60) -> list[dict]:
    """Search hits as rows for display."""
    return [
        {
            "rank": h.rank,
            "speaker": h.remark.speaker.name,
            "role": h.remark.speaker.role,
            "topic": h.remark.topic,
            "date": h.remark.meeting_date,
            "passage": h.passage.replace("\n", " ")[:width],
            "remark_id": h.remark.remark_id,
        }
        for h in result.hits
    ]


def context(engine: Engine, remark_id: str, *, n: int = 2) -> list[dict]:
    """A remark with ``n`` remarks either side; the remark itself is marked ``current``."""
    meta = engine.snapshot().meta
    row = meta.remarks([remark_id]).get(remark_id)
    if row is None:
        return []
    return [
        {"current": r["remark_id"] == remark_id, "speaker": r["name"], "text": r["text"]}
        for r in meta.remarks_in_meeting(row["meeting_id"], row["ord"] - n, row["ord"] + n)
    ]


def subject_over_time(engine: Engine, subject: str, *, k: int = 50) -> list[tuple[str, int]]:
    """(date, number of remarks among the top ``k`` on ``subject``) per meeting date, in date order."""
    result = engine.search(query=subject, k=k, infer=False)
    per_date: Counter[str] = Counter(h.remark.meeting_date or "undated" for h in result.hits)
    return sorted(per_date.items())


@dataclass(frozen=True)
class RemarkMap:
    """Remarks placed in two dimensions from their embeddings, with labels to colour by."""

    xy: np.ndarray
    speakers: list[str]
    topics: list[str]
    meetings: list[str]
    explained: tuple[float, float]


def remark_map(engine: Engine) -> RemarkMap:
    """A 2-D PCA map of remarks: each remark is the mean of its passages' vectors."""
    snap = engine.snapshot()
    ids = snap.dense.ids()
    vectors = snap.dense.vectors(ids)
    rows = snap.meta.passages(ids)
    by_remark: dict[str, list[int]] = defaultdict(list)
    for i, pid in enumerate(ids):
        by_remark[rows[int(pid)]["remark_id"]].append(i)
    order = sorted(by_remark)
    mean = np.vstack([vectors[by_remark[r]].mean(axis=0) for r in order])
    centred = mean - mean.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    share = (s**2) / max(float((s**2).sum()), 1e-12)
    info = snap.meta.remarks(order)
    return RemarkMap(
        xy=centred @ vt[:2].T,
        speakers=[info[r]["name"] for r in order],
        topics=[info[r]["topic"] or "" for r in order],
        meetings=[info[r]["meeting_title"] for r in order],
        explained=(float(share[0]), float(share[1])),
    )
