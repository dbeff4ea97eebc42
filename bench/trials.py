"""Retrieval ideas that were measured and not kept, reproducible on the same fixed split as tune.py.

    .venv/bin/python bench/trials.py [--out bench/results/trials.json] [--only GROUP ...]

``--only`` runs some groups of trials (hubness, ngrams, synonyms, …) and merges their scores
into an existing ``--out``.

Needs ../shared. Each trial swaps one dense leg's scoring for a variant computed here over every
stored vector (exact, 848 passages), leaving the rest of the search path as it is, and is scored on
the ``choose`` and ``held-back`` halves (``rag.evaluation.split_of``) like every default:

- **hubness correction** (CSLS, Lample et al. 2018): a passage's cosine minus ``alpha`` times its
  mean cosine to its ``K`` nearest pseudo-queries (600 corpus sentences encoded as queries), so
  that generic passages close to every question («ただいまの動議にご異議ありませんか。») stop
  taking first place;
- **contextual passages**: each passage embedded with its topic and/or its speaker's name and role
  before it, so that a speech's later passages keep what it is about;
- **character n-grams**: a further BM25 leg over character bigrams or trigrams (the classic
  segmentation-free Japanese index), beside or instead of Sudachi's words;
- **score fusion**: the legs' normalised scores summed (z-scores or min-max per leg, with a
  length term) in place of log-rank fusion;
- **BM25 parameters**: the Sudachi leg rebuilt over a grid of k1 (term saturation) and b (length
  normalisation) around the defaults 1.2 / 0.75;
- **fusion depth**: 50, 200 or 400 candidates per leg instead of 100;
- **Japanese query prefix**: none, or ``passage: ``, instead of e5's ``query: ``;
- **neighbour smoothing**: each passage vector plus a share of its neighbours' in the same remark;
- **passage length**: other lengths and overlaps than 160 / 60 characters (a fresh index each);
- **English second-leg weight**: the USE leg weighted on its own for English questions;
- **soft ranks**: each passage's rank in its leg replaced by 1 + Σ sigmoid((s_j − s_i) / τ·σ),
  so that near-tied scores give near-equal ranks instead of a whole rank apart;
- **symmetric passages**: passages encoded with e5's ``query: `` prefix (or none), the way e5
  compares two texts of one kind, as a further dense leg or instead of the e5 leg;
- **sentence legs**: a dense leg over each passage's sentences (a passage scores as its best
  sentence), for the second model, e5, or both;
- **synonyms**: the synonym-group ids that sudachidict_core gives each word, as a further BM25
  leg or beside the lexical leg's words;
- **leg confidence**: per question, each leg weighted by how far its best remark stands out
  (a lexical leg whose evidence is weak abstains in part);
- **remark BM25**: a further lexical leg over whole remarks rather than passages.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from pathlib import Path
from unittest.mock import patch

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.tune import SHARED, corpora  # noqa: E402
from index.lexical import LexicalIndex  # noqa: E402
from rag.chunking import sentences  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.evaluation import Outcome, Question, evaluate, load_gold, paired_difference, split_of  # noqa: E402
from rag.ingest import tokenize_passages  # noqa: E402
from rag.retrieval import Retriever  # noqa: E402
from rag.settings import load_settings  # noqa: E402
from rag.text import nfkc  # noqa: E402
from rag.tokenize import SudachiTokenizer  # noqa: E402

PSEUDO_QUERIES = 600


class Rescored:
    """A dense index whose scores are ``vectors @ query - offset``, over every stored vector."""

    def __init__(self, inner, ids: np.ndarray, vectors: np.ndarray, offset: np.ndarray | float = 0.0) -> None:
        self.inner, self.ids_, self.vectors_, self.offset = inner, ids, vectors, offset

    def search(self, query: np.ndarray, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        scores = self.vectors_ @ query - self.offset
        order = np.argsort(-scores)[:n]
        return [(int(self.ids_[i]), float(scores[i])) for i in order]

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def score(engine: Engine, questions: list[Question]) -> dict:
    """MRR@10 and R@5 by half, overall and for English questions, and each held-back question's RR@10."""
    summary, outcomes = evaluate(questions, lambda q: engine.search(query=q, k=10).hits)
    pick = {"choose": "split:choose", "held-back": "split:held-back", "all": "all", "en": "lang:en"}
    out: dict = {name: round(summary[group]["MRR@10"], 3) for name, group in pick.items()}
    out["R@5"] = round(summary["all"]["R@5"], 3)
    out["held-back RR"] = [reciprocal_rank(o) for o in outcomes if split_of(o.question) == "held-back"]
    return out


def shown(name: str, scores: dict) -> None:
    """Print a trial's scores as it finishes (without the per-question list)."""
    print(name, {k: v for k, v in scores.items() if k != "held-back RR"}, flush=True)


def measure(results: dict, name: str, engine: Engine, questions: list[Question], within=None) -> None:
    """Score the questions into ``results[name]`` inside the context manager ``within``, and show it."""
    with within if within is not None else nullcontext():
        results[name] = score(engine, questions)
    shown(name, results[name])


def reciprocal_rank(outcome: Outcome) -> float:
    """1 / the first relevant rank within the top 10, else 0."""
    first = outcome.ranks[0] if outcome.ranks else 0
    return 1.0 / first if 0 < first <= 10 else 0.0


def paired(default: dict, variant: dict) -> dict:
    """The held-back MRR@10 difference, question by question, with its bootstrap interval."""
    return paired_difference(variant["held-back RR"], default["held-back RR"])


def pseudo_queries(texts: list[str]) -> list[str]:
    """A fixed sample of the corpus' sentences of question length (15–80 characters)."""
    found = [s for t in texts for s in sentences(t) if 15 <= len(s) <= 80]
    random.Random(0).shuffle(found)
    return found[:PSEUDO_QUERIES]


def hubness(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Each passage's mean cosine to its ``k`` nearest pseudo-queries."""
    sims = vectors @ queries.T
    return -np.sort(-sims, axis=1)[:, :k].mean(axis=1)


def with_legs(engine: Engine, dense, second, measure: Callable[[], dict]) -> dict:
    """``measure()`` with the snapshot's two dense legs swapped, then put back."""
    snap = engine.snapshot()
    with patch.object(snap, "dense", dense), patch.object(snap, "second", second):
        return measure()


def hubness_trials(engine: Engine, questions: list[Question], ids: np.ndarray, texts: list[str]) -> dict[str, dict]:
    """CSLS on both dense legs over a grid of K and alpha."""
    snap = engine.snapshot()
    e5, use = snap.dense.vectors(ids), snap.second.vectors(ids)
    asked = pseudo_queries(texts)
    q_e5 = np.stack([engine.encoder.encode_query(t) for t in asked])
    q_use = np.stack([engine.second.encode_query(t) for t in asked])
    results = {}
    for k in (10, 30, 50, 100, 600):
        hub_e5, hub_use = hubness(e5, q_e5, k), hubness(use, q_use, k)
        for alpha in (0.25, 0.5, 0.75, 1.0):
            dense = Rescored(snap.dense, ids, e5, alpha * hub_e5)
            second = Rescored(snap.second, ids, use, alpha * hub_use)
            name = f"hubness K={k} alpha={alpha}, both dense legs"
            results[name] = with_legs(engine, dense, second, lambda: score(engine, questions))
            shown(name, results[name])
    return results


def context_trials(engine: Engine, questions: list[Question], ids: np.ndarray) -> dict[str, dict]:
    """Passages embedded with their topic, their speaker, or both, in one leg or both."""
    snap = engine.snapshot()
    passages = snap.meta.passages(ids.tolist())
    owners = snap.meta.remark_ids_of(ids.tolist())
    remarks = snap.meta.remarks(set(owners.values()))

    def framed(kind: str, pid: int) -> str:
        row, text = remarks[owners[pid]], passages[pid]["text"]
        who = f"{row['name'] or row['label']}（{row['role']}）"
        head = {"topic": row["topic"], "speaker": who, "topic and speaker": f"{row['topic']}\n{who}"}[kind]
        return f"{head}\n{text}" if head.strip() else text

    results = {}
    for kind in ("topic", "speaker", "topic and speaker"):
        texts = [framed(kind, int(p)) for p in ids]
        dense = Rescored(snap.dense, ids, engine.encoder.encode_passages(texts))
        second = Rescored(snap.second, ids, engine.second.encode_passages(texts))
        for legs, swapped in (("e5 leg", snap.second), ("both dense legs", second)):
            name = f"contextual passages ({kind} first), {legs}"
            results[name] = with_legs(engine, dense, swapped, lambda: score(engine, questions))
            shown(name, results[name])
    return results


_NOT_TEXT = re.compile(r"[\s\W_]+")


def char_grams(text: str, n: int) -> list[str]:
    """Character n-grams of each run of letters in ``text`` (NFKC, lower case); a shorter run is one token."""
    runs = [run for run in _NOT_TEXT.split(nfkc(text).lower()) if run]
    return [run[i : i + n] for run in runs for i in range(max(len(run) - n + 1, 1))]


@contextmanager
def extra_lexical_leg(index: LexicalIndex, tokens: Callable[[str], list[str]], *, weight: float):
    """Searches with a further BM25 leg over ``index``, the question tokenised by ``tokens``
    (not for English questions)."""
    legs, weights = Retriever._legs, Retriever._weights

    def with_leg(self, text, pending, mode, allowed):
        vector, found = legs(self, text, pending, mode, allowed)
        if mode == "hybrid":
            found["further"] = self._rollup(index.search(tokens(text), self.settings.candidates, allowed))
        return vector, found

    def weighted(self, *, english):
        return {**weights(self, english=english), "further": 0.0 if english else weight}

    with patch.object(Retriever, "_legs", with_leg), patch.object(Retriever, "_weights", weighted):
        yield


def ngram_trials(engine: Engine, questions: list[Question], ids: np.ndarray, texts: list[str]) -> dict[str, dict]:
    """Character bigrams or trigrams (BM25, the project's own index) as a fourth leg, or instead of Sudachi's."""
    results = {}
    base = engine.settings
    for n in (2, 3):
        index = LexicalIndex()
        index.add(ids, [char_grams(t, n) for t in texts])
        index.freeze()
        for weight, sudachi in ((0.25, 1.0), (0.5, 1.0), (1.0, 1.0), (1.0, 0.0), (0.5, 0.5), (0.5, 0.75), (1.5, 1.0)):
            engine.settings = base.model_copy(update={"lexical_weight": sudachi})
            name = f"character {n}-grams as a further leg, weight {weight}, Sudachi lexical weight {sudachi}"
            with extra_lexical_leg(index, lambda text, n=n: char_grams(text, n), weight=weight):
                results[name] = score(engine, questions)
            engine.settings = base
            shown(name, results[name])
    return results


def remark_bm25_trials(engine: Engine, questions: list[Question], ids: np.ndarray) -> dict[str, dict]:
    """A further BM25 leg over whole remarks: each remark's text is one document, filed under one
    of its passages so the search path maps it to its remark like any passage."""
    snap, s = engine.snapshot(), engine.settings
    owners = snap.meta.remark_ids_of(ids.tolist())
    filed: dict[str, int] = {}
    for pid in ids.tolist():
        filed.setdefault(owners[pid], pid)
    rows = snap.meta.remarks(filed)
    results = {}
    for b in (0.75, 1.0):
        index = LexicalIndex(k1=s.bm25_k1, b=b)
        index.add(np.array(list(filed.values())), tokenize_passages([rows[r]["text"] for r in filed], engine.tokenize))
        index.freeze()
        for weight in (0.25, 0.5, 1.0):
            name = f"BM25 over whole remarks (b {b}) as a further leg, weight {weight}"
            measure(results, name, engine, questions, extra_lexical_leg(index, engine.tokenize, weight=weight))
    return results


def leg_confidence(leg) -> float:
    """How far a leg's best remark stands out among its candidates: its score's z-score (0 for a
    leg with fewer than two candidates, such as an English question's lexical leg)."""
    values = np.array([best for best, _ in leg.best.values()])
    return float((values.max() - values.mean()) / (values.std() + 1e-9)) if len(values) > 1 else 0.0


@contextmanager
def confidence_weights(alpha: float, typical: dict[str, float]):
    """Each leg's weight times (its confidence / its typical confidence) ** ``alpha``, per question:
    a leg whose best remark does not stand out abstains in part."""
    fuse = Retriever._fuse

    def weighted(self, legs, mode, *, weights):
        scaled = {
            name: weight * (leg_confidence(legs[name]) / typical[name]) ** alpha if name in legs else weight
            for name, weight in weights.items()
        }
        return fuse(self, legs, mode, weights=scaled)

    with patch.object(Retriever, "_fuse", weighted):
        yield


def confidence_trials(engine: Engine, questions: list[Question]) -> dict[str, dict]:
    """Per-question leg weights from how far each leg's best remark stands out (its typical
    confidence: the median over the questions, which uses no answer)."""
    legs = Retriever._legs
    seen: dict[str, list[float]] = {}

    def recorded(self, text, pending, mode, allowed):
        vector, found = legs(self, text, pending, mode, allowed)
        for name, leg in found.items():
            seen.setdefault(name, []).append(leg_confidence(leg))
        return vector, found

    with patch.object(Retriever, "_legs", recorded):
        score(engine, questions)
    typical = {name: float(np.median(values)) for name, values in seen.items()}
    results = {}
    for alpha in (0.25, 0.5, 1.0, 2.0):
        name = f"leg confidence weights, alpha {alpha}"
        measure(results, name, engine, questions, confidence_weights(alpha, typical))
    return results


def synonym_tokens(tokenizer: SudachiTokenizer, *, words: bool) -> Callable[[str], list[str]]:
    """Each content word's Sudachi synonym groups as tokens (``#syn21402`` for both 自治体 and
    地方公共団体), after the word itself as the lexical leg reads it when ``words``."""

    def tokens(text: str) -> list[str]:
        out: list[str] = []
        for morpheme in tokenizer._morphemes(nfkc(text).lower()):
            if form := tokenizer._keep(morpheme):
                out += [form] if words else []
                out += [f"#syn{group}" for group in morpheme.synonym_group_ids()]
        return out

    return tokens


def synonym_trials(engine: Engine, questions: list[Question], ids: np.ndarray, texts: list[str]) -> dict[str, dict]:
    """Synonyms from the dictionary the lexical leg already loads: sudachidict_core gives each word
    the ids of its synonym groups (the groups' members are in a separate file that no package
    here ships), so two words of one group share a token. As a further BM25 leg, or added to the
    lexical leg's words."""
    s = engine.settings
    groups, both = synonym_tokens(engine.tokenize, words=False), synonym_tokens(engine.tokenize, words=True)
    results = {}
    index = LexicalIndex(k1=s.bm25_k1, b=s.bm25_b)
    index.add(ids, [groups(t) for t in texts])
    index.freeze()
    for weight in (0.25, 0.5, 0.75, 1.0):
        name = f"Sudachi synonym groups as a further leg, weight {weight}"
        measure(results, name, engine, questions, extra_lexical_leg(index, groups, weight=weight))
    merged = LexicalIndex(k1=s.bm25_k1, b=s.bm25_b)
    merged.add(ids, [both(t) for t in texts])
    merged.freeze()
    with patch.object(engine.snapshot(), "lexical", merged), patch.object(engine, "_tokenize", both):
        measure(results, "Sudachi synonym groups added to the lexical leg's words", engine, questions)
    return results


@contextmanager
def score_fusion(kind: str, *, length: float):
    """Searches that fuse the legs by their normalised scores (z-scores or min-max over each leg's
    remarks), less ``length`` × log(passages), instead of by their ranks."""
    ranked = Retriever._fuse

    def fuse(self, legs, mode, *, weights):
        if mode != "hybrid":
            return ranked(self, legs, mode, weights=weights)
        counts = self.snapshot.meta.passage_counts({rid for leg in legs.values() for rid in leg.best})
        fused: dict[str, float] = {}
        for name, leg in legs.items():
            rids = list(leg.best)
            if not rids:  # a leg that found nothing (an English question's lexical leg)
                continue
            values = np.array([leg.best[rid][0] for rid in rids])
            if kind == "z":
                normal = (values - values.mean()) / (values.std() + 1e-9)
            else:
                normal = (values - values.min()) / (np.ptp(values) + 1e-9)
            for rid, value in zip(rids, normal, strict=True):
                gain = weights.get(name, 1.0) * (value - length * math.log(counts.get(rid, 1)))
                fused[rid] = fused.get(rid, 0.0) + gain
        return sorted(fused.items(), key=lambda kv: -kv[1])

    with patch.object(Retriever, "_fuse", fuse):
        yield


def score_fusion_trials(engine: Engine, questions: list[Question]) -> dict[str, dict]:
    """Score-based fusion in place of log-rank fusion, over normalisations and length terms."""
    results = {}
    for kind in ("z", "min-max"):
        for length in (0.0, 0.1, 0.25):
            name = f"score fusion ({kind} per leg), length term {length}"
            measure(results, name, engine, questions, score_fusion(kind, length=length))
    return results


def bm25_trials(engine: Engine, questions: list[Question], ids: np.ndarray, texts: list[str]) -> dict[str, dict]:
    """The Sudachi leg rebuilt with other BM25 saturation (k1) and length normalisation (b) values."""
    results = {}
    tokens = tokenize_passages(texts, engine.tokenize)
    snap = engine.snapshot()
    for k1 in (0.6, 0.9, 1.2, 1.6, 2.0):
        for b in (0.3, 0.5, 0.75, 0.9):
            if (k1, b) == (engine.settings.bm25_k1, engine.settings.bm25_b):
                continue  # the default
            index = LexicalIndex(k1=k1, b=b)
            index.add(ids, tokens)
            index.freeze()
            name = f"BM25 k1 {k1}, b {b}"
            with patch.object(snap, "lexical", index):
                results[name] = score(engine, questions)
            shown(name, results[name])
    return results


def depth_trials(engine: Engine, questions: list[Question]) -> dict[str, dict]:
    """Fusion over more or fewer candidates per leg than the default 100."""
    results = {}
    base = engine.settings
    for depth in (50, 200, 400):
        engine.settings = base.model_copy(update={"candidates": depth})
        name = f"{depth} candidates per leg"
        results[name] = score(engine, questions)
        engine.settings = base
        shown(name, results[name])
    return results


def prompt_trials(engine: Engine, questions: list[Question]) -> dict[str, dict]:
    """Japanese questions encoded with no prefix, or as passages, instead of ``query: ``."""
    results = {}
    for prompt in ("", "passage: "):
        with patch.object(engine.encoder, "query_prompt", prompt):
            name = f"Japanese questions with the prefix {prompt!r}"
            results[name] = score(engine, questions)
        shown(name, results[name])
    return results


def smoothed(vectors: np.ndarray, ids: np.ndarray, engine: Engine, weight: float) -> np.ndarray:
    """Each passage's vector plus ``weight`` times its neighbours' in the same remark, renormalised."""
    rows = engine.snapshot().meta.passages(ids.tolist())
    position = {(rows[int(p)]["remark_id"], rows[int(p)]["ordinal"]): i for i, p in enumerate(ids)}
    out = vectors.copy()
    for (rid, ordinal), i in position.items():
        for step in (-1, 1):
            j = position.get((rid, ordinal + step))
            if j is not None:
                out[i] += weight * vectors[j]
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def smoothing_trials(engine: Engine, questions: list[Question], ids: np.ndarray) -> dict[str, dict]:
    """Passage vectors smoothed with their neighbours in the remark, so a passage keeps its context."""
    snap = engine.snapshot()
    e5, use = snap.dense.vectors(ids), snap.second.vectors(ids)
    results = {}
    for weight in (0.15, 0.3, 0.5):
        dense = Rescored(snap.dense, ids, smoothed(e5, ids, engine, weight))
        second = Rescored(snap.second, ids, smoothed(use, ids, engine, weight))
        for legs, swapped in (("e5 leg", snap.second), ("both dense legs", second)):
            name = f"neighbour smoothing {weight}, {legs}"
            results[name] = with_legs(engine, dense, swapped, lambda: score(engine, questions))
            shown(name, results[name])
    return results


def english_weight_trials(engine: Engine, questions: list[Question]) -> dict[str, dict]:
    """A second-leg weight of its own for English questions, in place of the 0.5 every question gets."""
    results = {}
    weights = Retriever._weights
    for weight in (0.25, 0.75, 1.0, 1.5):

        def english_second(self, *, english, weight=weight):
            return {**weights(self, english=english), **({"second": weight} if english else {})}

        with patch.object(Retriever, "_weights", english_second):
            name = f"second-leg weight {weight} for English questions"
            results[name] = score(engine, questions)
        shown(name, results[name])
    return results


def soft_ranks(scored: list[tuple[int, float]], tau: float) -> np.ndarray:
    """1 + Σ_j sigmoid((s_j − s_i) / (tau · σ)) for each scored passage i (σ: the leg's score spread):
    a hard rank where scores are far apart, and close ranks where they nearly tie."""
    s = np.array([score for _, score in scored], dtype=np.float64)
    diff = (s[None, :] - s[:, None]) / (tau * s.std() + 1e-12)
    return 0.5 + (1.0 / (1.0 + np.exp(-np.clip(diff, -50, 50)))).sum(axis=1)  # the i = j term adds 0.5


def soft_rank_trials(engine: Engine, questions: list[Question]) -> dict[str, dict]:
    """Log-rank fusion over soft ranks: a near tie between two passages' scores no longer costs
    the one behind a whole rank (int8 query vectors moved questions at such ties)."""
    hard = Retriever._rollup
    results = {}
    for tau in (0.02, 0.05, 0.1, 0.2, 0.4):

        def rollup(self, scored, tau=tau):
            leg = hard(self, scored)
            if len(scored) > 1:
                for (pid, _), rank in zip(scored, soft_ranks(scored, tau), strict=True):
                    if pid in leg.passage_rank:
                        leg.passage_rank[pid] = float(rank)
            return leg

        measure(results, f"soft ranks, tau {tau}", engine, questions, patch.object(Retriever, "_rollup", rollup))
    return results


@contextmanager
def extra_dense_leg(index: Rescored, *, weight: float):
    """Searches with a further leg that scores the passages of ``index`` against the e5 query vector."""
    legs, weights = Retriever._legs, Retriever._weights

    def with_leg(self, text, pending, mode, allowed):
        vector, found = legs(self, text, pending, mode, allowed)
        if mode == "hybrid" and vector is not None:
            found["symmetric"] = self._rollup(index.search(vector, self.settings.candidates, allowed))
        return vector, found

    def weighted(self, *, english):
        return {**weights(self, english=english), "symmetric": weight}

    with patch.object(Retriever, "_legs", with_leg), patch.object(Retriever, "_weights", weighted):
        yield


def symmetric_trials(engine: Engine, questions: list[Question], ids: np.ndarray, texts: list[str]) -> dict[str, dict]:
    """Passages encoded as e5 encodes questions (``query: ``) or with no prefix, searched by the question's vector."""
    snap = engine.snapshot()
    results = {}
    for label, prompt in (("query-prefixed", "query: "), ("unprefixed", "")):
        with patch.object(engine.encoder, "passage_prompt", prompt):
            leg = Rescored(snap.dense, ids, engine.encoder.encode_passages(texts))
        name = f"{label} passages instead of the e5 leg"
        results[name] = with_legs(engine, leg, snap.second, lambda: score(engine, questions))
        shown(name, results[name])
        for weight in (0.25, 0.5, 1.0):
            name = f"{label} passages as a further leg, weight {weight}"
            measure(results, name, engine, questions, extra_dense_leg(leg, weight=weight))
    return results


class BestSentence:
    """A dense index over sentences that answers with passage ids: each passage scores as its best sentence."""

    def __init__(self, inner, owners: np.ndarray, vectors: np.ndarray) -> None:
        self.inner, self.owners, self.vectors = inner, owners, vectors

    def search(self, query: np.ndarray, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        scores = self.vectors @ query
        best: dict[int, float] = {}
        for i in np.argsort(-scores):
            best.setdefault(int(self.owners[i]), float(scores[i]))
            if len(best) >= n:
                break
        return list(best.items())

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def sentence_trials(engine: Engine, questions: list[Question], ids: np.ndarray, texts: list[str]) -> dict[str, dict]:
    """The second leg, the e5 leg, or both over sentences instead of passages."""
    snap = engine.snapshot()
    split = [(int(pid), s) for pid, text in zip(ids, texts, strict=True) for s in sentences(text) or [text]]
    owners = np.array([pid for pid, _ in split])
    rows = [s for _, s in split]
    use = BestSentence(snap.second, owners, engine.second.encode_passages(rows))
    e5 = BestSentence(snap.dense, owners, engine.encoder.encode_passages(rows))
    results = {}
    for name, dense, second in (
        ("second leg over sentences", snap.dense, use),
        ("e5 leg over sentences", e5, snap.second),
        ("both dense legs over sentences", e5, use),
    ):
        results[name] = with_legs(engine, dense, second, lambda: score(engine, questions))
        shown(name, results[name])
    return results


def passage_trials(questions: list[Question]) -> dict[str, dict]:
    """Other passage lengths and overlaps than 160 / 60 characters (each a fresh index)."""
    results = {}
    for size, overlap in ((100, 40), (120, 40), (120, 60), (160, 30), (160, 90), (200, 60), (200, 100), (240, 80)):
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                index_dir=Path(tmp) / "index",
                passage_max_chars=size,
                passage_overlap_chars=overlap,
                query_precision="float",
                late_interaction=False,
            )
            engine = Engine(settings)
            engine.ingest(corpora())
            name = f"passages of {size} characters, overlap {overlap}"
            results[name] = score(engine, questions)
        shown(name, results[name])
    return results


Group = Callable[[Engine, list[Question], np.ndarray, list[str]], dict[str, dict]]

# Each group of trials by name (``--only``), called with the engine, the questions and the passages.
GROUPS: dict[str, Group] = {
    "hubness": hubness_trials,
    "context": lambda engine, questions, ids, texts: context_trials(engine, questions, ids),
    "ngrams": ngram_trials,
    "score-fusion": lambda engine, questions, ids, texts: score_fusion_trials(engine, questions),
    "bm25": bm25_trials,
    "depth": lambda engine, questions, ids, texts: depth_trials(engine, questions),
    "prompt": lambda engine, questions, ids, texts: prompt_trials(engine, questions),
    "smoothing": lambda engine, questions, ids, texts: smoothing_trials(engine, questions, ids),
    "english-weight": lambda engine, questions, ids, texts: english_weight_trials(engine, questions),
    "soft-ranks": lambda engine, questions, ids, texts: soft_rank_trials(engine, questions),
    "symmetric": symmetric_trials,
    "sentences": sentence_trials,
    "passages": lambda engine, questions, ids, texts: passage_trials(questions),
    "synonyms": synonym_trials,
    "confidence": lambda engine, questions, ids, texts: confidence_trials(engine, questions),
    "remark-bm25": lambda engine, questions, ids, texts: remark_bm25_trials(engine, questions, ids),
}
# The groups whose best variant on the choose half is compared with the default question by question.
PAIRED = ("hubness", "ngrams", "bm25", "passages", "synonyms")


def trials(engine: Engine, questions: list[Question], only: tuple[str, ...] = tuple(GROUPS)) -> dict[str, dict]:
    """The scores of the trials in the groups ``only``, the unchanged default first."""
    snap = engine.snapshot()
    ids = snap.dense.ids()
    passages = snap.meta.passages(ids.tolist())
    texts = [passages[int(p)]["text"] for p in ids]
    default = score(engine, questions)
    results, comparisons = {"default": default}, {}
    for name, run in GROUPS.items():
        if name not in only:
            continue
        found = run(engine, questions, ids, texts)
        results.update(found)
        if name in PAIRED:
            best = max(found, key=lambda trial: found[trial]["choose"])
            comparisons[f"paired, held-back: {best} (best on choose) minus default"] = paired(default, found[best])
    results.update(comparisons)
    for scores in results.values():
        scores.pop("held-back RR", None)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "trials.json"))
    parser.add_argument("--only", nargs="+", choices=list(GROUPS), default=list(GROUPS), help="these groups only")
    args = parser.parse_args()
    questions = load_gold(sorted((SHARED / "eval").glob("*.jsonl")))
    with tempfile.TemporaryDirectory() as tmp:
        # Float queries on every CPU, as bench/tune.py, and no late interaction: the baseline the
        # trials were measured against (they came before it; README, "Retrieval quality").
        settings = load_settings(index_dir=Path(tmp) / "index", query_precision="float", late_interaction=False)
        engine = Engine(settings)
        engine.ingest(corpora())
        results = trials(engine, questions, tuple(args.only))
    out = Path(args.out)
    if set(args.only) != set(GROUPS) and out.exists():
        results = {**json.loads(out.read_text(encoding="utf-8"))["trials"], **results}
    report = {"questions": len(questions), "trials": results}
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
