"""Hybrid retrieval over remarks: dense, lexical and second-dense passage searches, filtered
inside each retriever, rolled up to remarks by their best passage, fused by their ranks.

The dense leg's best passages are re-ranked by late interaction where the index keeps token
vectors (``index.tokens``): each of the question's tokens finds its best match in a passage, so a
passage that holds the question's ideas anywhere outranks one that is only near it on average.

A remark's rank in a leg is its best passage's rank, calibrated by its length: a remark split
into n passages has n chances to score well by accident, so its rank is multiplied by
``n ** length_penalty`` before the legs are fused (``rag.fusion.log_rank_fusion``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import numpy as np

from index.metadata import Filters
from index.store import Snapshot
from rag.embedding.encoder import Encoder, query_language
from rag.embedding.late import QueryEncoding
from rag.embedding.second import SecondEncoder
from rag.errors import InputError
from rag.fusion import length_calibrated, log_rank_fusion, rrf
from rag.models import Hit
from rag.query import Inferred
from rag.records import remark_from_row, remark_id
from rag.settings import Settings

MODES = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class SearchResult:
    """Hits plus what the search did: the mode, the filters applied and any note for the user."""

    query: str
    mode: str
    filters: Filters
    hits: list[Hit]
    notes: list[str] = field(default_factory=list)
    inferred: Inferred | None = None
    # Per retriever, the score of a typical passage. Only dense has one: the query's mean cosine to
    # a fixed random sample of the corpus (stable across corpus sizes).
    baselines: dict[str, float] = field(default_factory=dict)


@dataclass
class _Leg:
    """One retriever's passages rolled up to remarks: remark id → (best score, best passage id)."""

    best: dict[str, tuple[float, int]] = field(default_factory=dict)  # the remark's best-ranked passage
    passage_rank: dict[int, int] = field(default_factory=dict)

    def ranked(self) -> list[str]:
        return sorted(self.best, key=lambda r: self.passage_rank[self.best[r][1]])

    def remark_ranks(self) -> dict[str, float]:
        """Each remark's rank in this leg: its best passage's."""
        return {rid: float(self.passage_rank[pid]) for rid, (_, pid) in self.best.items()}


class _Pending(Protocol):
    def result(self) -> list[tuple[int, float]]: ...


@dataclass(frozen=True)
class _Now:
    found: list[tuple[int, float]]

    def result(self) -> list[tuple[int, float]]:
        return self.found


def _submit(index: Any, query: Any, n: int, allowed: np.ndarray | None) -> _Pending:
    """A leg's search: sent ahead where the index can (``submit``), else done now."""
    submit = getattr(index, "submit", None)
    if submit is not None:
        return submit(query, n, allowed)
    return _Now(index.search(query, n, allowed))


def validate_query(query: str, *, k: int, mode: str, settings: Settings) -> str:
    """Reject what cannot be searched, with a message that says what to fix."""
    text = (query or "").strip()
    if not text:
        raise InputError("the query is empty; type some words to search for", details={"field": "q"})
    if len(text) > settings.max_query_chars:
        raise InputError(
            f"the query has {len(text)} characters; the limit is {settings.max_query_chars}",
            details={"field": "q", "limit": settings.max_query_chars},
        )
    if not 1 <= k <= settings.max_k:
        raise InputError(f"k must be between 1 and {settings.max_k}, got {k}", details={"field": "k"})
    if mode not in MODES:
        raise InputError(f"mode must be one of {', '.join(MODES)}, got {mode!r}", details={"field": "mode"})
    return text


def validate_filters(filters: Filters) -> None:
    """Reject a date that is not YYYY-MM-DD: it would silently match nothing (or the wrong range)."""
    for name in ("date_from", "date_to"):
        value = getattr(filters, name)
        if value and not _is_iso_date(value):
            raise InputError(f"{name} must be a date as YYYY-MM-DD, got {value!r}", details={"field": name})


def _is_iso_date(value: str) -> bool:
    """Exactly YYYY-MM-DD and a real date: the form stored dates have, which filters compare as text."""
    try:
        return date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


class Retriever:
    """Searches one index snapshot with one encoder and one tokenizer."""

    def __init__(
        self,
        *,
        snapshot: Snapshot,
        encoder: Encoder | None,
        tokenize: Callable[[str], list[str]],
        settings: Settings,
        second: SecondEncoder | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.encoder = encoder
        self.tokenize = tokenize
        self.settings = settings
        # The second leg runs only where the index has it and the configured model is the one it was built with.
        self.second = second if second is not None and snapshot.second_model == second.name else None

    def search(self, *, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None) -> SearchResult:
        """The best ``k`` remarks for ``query`` in ``mode``, restricted by ``filters``."""
        text = validate_query(query, k=k, mode=mode, settings=self.settings)
        filters = filters or Filters()
        validate_filters(filters)
        if (why := self._excluded(text, filters)) is not None:
            return SearchResult(text, mode, filters, [], [f"{why}; nothing was searched"])
        allowed = self.snapshot.meta.allowed_passages(filters)
        dense = mode in ("hybrid", "dense") and self.encoder is not None
        pending = self.encoder.submit_query(text) if dense and self.encoder is not None else None
        vectors, legs = self._legs(text, pending, mode, allowed)
        english = query_language(text) == "en"
        ranked = self._fuse(legs, mode, weights=self._weights(english=english))[:k]
        return SearchResult(text, mode, filters, self._hits(ranked, legs), baselines=self._baselines(vectors))

    def _baselines(self, vectors: dict[str, np.ndarray]) -> dict[str, float]:
        """Each dense leg's similarity of the query to a typical passage (the mean over a fixed sample)."""
        baselines = {}
        for leg, vector in vectors.items():
            index = self.snapshot.dense if leg == "dense" else self.snapshot.second
            sample = index.background() if index is not None else None
            baselines[leg] = float((sample @ vector).mean()) if sample is not None and len(sample) else 0.0
        return baselines

    def _excluded(self, text: str, filters: Filters) -> str | None:
        """Why nothing is worth searching (a note says it), or None: ``filters`` exclude every
        remark, or the query holds no letter or digit (。。。 or 🙂 would match anything a little)."""
        if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
            return "the query has no words, only punctuation or symbols"
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            return f"date_from ({filters.date_from}) is after date_to ({filters.date_to}): no date is in that range"
        if filters.speaker and not self.snapshot.meta.speaker_matches(filters.speaker):
            return f"no speaker matches {filters.speaker!r}"
        return None

    def _legs(
        self, text: str, pending: Future | None, mode: str, allowed: np.ndarray | None
    ) -> tuple[dict[str, np.ndarray], dict[str, _Leg]]:
        """The dense legs' query vectors and the legs; the lexical and second legs run while the e5
        vector is computed.

        An index that can send a search ahead (a split index's shards) gets the lexical and second
        searches at once, so their round trips overlap with each other and with the encoding.
        """
        n = self.settings.candidates
        sent: dict[str, _Pending] = {}
        if mode in ("hybrid", "lexical"):
            sent["lexical"] = _submit(self.snapshot.lexical, self.tokenize(text), n, allowed)
        vectors: dict[str, np.ndarray] = {}
        if mode == "hybrid" and self.second is not None and self.snapshot.second is not None:
            vectors["second"] = self.second.encode_query(text)
            sent["second"] = _submit(self.snapshot.second, vectors["second"], n, allowed)
        encoding: QueryEncoding | None = pending.result() if pending is not None else None
        legs: dict[str, _Leg] = {}
        if encoding is not None:  # dense first: ties in the fusion keep the legs' order
            found = self.snapshot.dense.search(encoding.vector, n, allowed)
            legs["dense"] = self._rollup(self._late(encoding, found, self._second_for_late(text, sent)))
            vectors["dense"] = encoding.vector
        return vectors, {**legs, **{name: self._rollup(search.result()) for name, search in sent.items()}}

    def _second_for_late(self, text: str, sent: dict[str, _Pending]) -> list[int]:
        """The second leg's passages that MaxSim judges beside the dense leg's own: for an English
        question, its best ``english_late_second`` (none by default, and then nothing waits for
        the second leg here). e5's pooled vector finds a Japanese remark from an English question
        less often than USE does (the right passage is often not among its 100), and its token
        vectors can still tell the candidates apart."""
        wanted = self.settings.english_late_second
        if not wanted or "second" not in sent or query_language(text) != "en":
            return []
        second = sent["second"] = _Now(sent["second"].result())
        return [pid for pid, _ in second.found[:wanted]]

    def _late(
        self, encoding: QueryEncoding, found: list[tuple[int, float]], extra: list[int] | None = None
    ) -> list[tuple[int, float]]:
        """The dense leg's best ``late_candidates`` passages and the ``extra`` ones in MaxSim order
        (``index.tokens``), the rest after them. Each keeps its cosine as its score (the answers'
        evidence reads it); an extra passage the dense leg did not return takes the lowest cosine
        it did, which bounds its own from above."""
        tokens = self.snapshot.tokens
        if tokens is None or encoding.tokens is None or not self.settings.late_interaction:
            return found
        head = found[: self.settings.late_candidates]
        cosine = dict(found)
        floor = found[-1][1] if found else 0.0
        joined = {pid for pid, _ in head}
        head += [(pid, cosine.get(pid, floor)) for pid in dict.fromkeys(extra or []) if pid not in joined]
        centre = tokens.mean() if self.settings.late_centred else None
        late = tokens.rescore(encoding.tokens, [pid for pid, _ in head], centre=centre)
        late = np.where(np.isnan(late), -np.inf, late)  # a passage without token vectors goes last
        order = np.argsort(-late, kind="stable")
        judged = {pid for pid, _ in head}
        return [head[j] for j in order] + [hit for hit in found if hit[0] not in judged]

    def _weights(self, *, english: bool) -> dict[str, float]:
        s = self.settings
        lexical = s.english_lexical_weight if english else s.lexical_weight
        return {"dense": s.dense_weight, "lexical": lexical, "second": s.second_weight}

    def _rollup(self, scored: list[tuple[int, float]]) -> _Leg:
        leg = _Leg()
        owners = self.snapshot.meta.remark_ids_of(pid for pid, _ in scored)
        for rank, (pid, score) in enumerate(scored, start=1):
            rid = owners.get(pid)
            if rid is None:
                continue
            leg.passage_rank[pid] = rank
            if rid not in leg.best:  # passages come best first
                leg.best[rid] = (score, pid)
        return leg

    def _fuse(self, legs: dict[str, _Leg], mode: str, *, weights: dict[str, float]) -> list[tuple[str, float]]:
        if mode != "hybrid" or len(legs) == 1:
            leg = next(iter(legs.values()), _Leg())
            return [(rid, leg.best[rid][0]) for rid in leg.ranked()]
        if self.settings.fusion == "rrf":
            return rrf({name: leg.ranked() for name, leg in legs.items()}, k=self.settings.rrf_k, weights=weights)
        counts = self.snapshot.meta.passage_counts({rid for leg in legs.values() for rid in leg.best})
        ranks = {
            name: length_calibrated(leg.remark_ranks(), counts, gamma=self.settings.length_penalty)
            for name, leg in legs.items()
        }
        return log_rank_fusion(ranks, depth=self.settings.candidates, weights=weights)

    def _best_passage(self, rid: str, legs: dict[str, _Leg]) -> int | None:
        """The passage to show: of the remark's best passages per leg, the one the legs rank highest together."""
        candidates = [leg.best[rid][1] for leg in legs.values() if rid in leg.best]
        if not candidates:
            return None

        def fused(pid: int) -> float:
            return sum(1.0 / leg.passage_rank[pid] for leg in legs.values() if pid in leg.passage_rank)

        return max(candidates, key=fused)

    def _hits(self, ranked: list[tuple[str, float]], legs: dict[str, _Leg]) -> list[Hit]:
        meta = self.snapshot.meta
        rows = meta.remarks(rid for rid, _ in ranked)
        best = {rid: self._best_passage(rid, legs) for rid, _ in ranked}
        passages = meta.passages(p for p in best.values() if p is not None)
        # Neighbours by id (meeting id + order): a primary-key lookup, not a scan of the meeting.
        wanted = [remark_id(rows[rid]["meeting_id"], rows[rid]["ord"] + d) for rid, _ in ranked for d in (-1, 1)]
        around = {(r["meeting_id"], r["ord"]): r for r in meta.remarks(x for x in wanted if x).values()}
        leg_ranks = {name: {rid: i for i, rid in enumerate(leg.ranked(), start=1)} for name, leg in legs.items()}
        hits = []
        for rank, (rid, score) in enumerate(ranked, start=1):
            row = rows[rid]
            prev, nxt = around.get((row["meeting_id"], row["ord"] - 1)), around.get((row["meeting_id"], row["ord"] + 1))
            pid = best[rid]
            shown = pid if pid is not None and pid in passages else None
            hits.append(
                Hit(
                    rank=rank,
                    score=float(score),
                    remark=remark_from_row(row),
                    passage=passages[shown]["text"] if shown is not None else row["text"],
                    passage_id=shown,
                    prev=remark_from_row(prev) if prev else None,
                    next=remark_from_row(nxt) if nxt else None,
                    sources={name: ranks[rid] for name, ranks in leg_ranks.items() if rid in ranks},
                    scores={name: float(leg.best[rid][0]) for name, leg in legs.items() if rid in leg.best},
                )
            )
        return hits
