"""Ideas measured beside centred late interaction, on every gold file, and not kept.

    .venv/bin/python bench/centred_trials.py [--index DIR] [--out bench/results/centred-trials.json]
                                             [--only GROUP ...]   (those groups, merged into --out)

Each trial is the real search path with one part swapped (``bench/trials.py``'s way), scored per
question on the shared gold files and ``bench/gold/blind.jsonl`` (float queries), and set
against the defaults question by question (``rag.evaluation.paired_difference``) and by a
cross-validated choice among the trial's settings and the default (5 and 10 folds):

- ``pooled``: the e5 leg's passage vectors, the second leg's, or both, centred on their corpus
  mean as the token vectors are (α · mean subtracted on both sides, then cosine), α 0.5 or 1;
- ``union``: centred MaxSim over the dense leg's best 50 passages and the lexical and second legs'
  best m (10, 25, 50), so that a passage only those legs find is re-ranked too;
- ``passage-level``: the legs fused per passage (each leg's log-rank gain for that passage), a
  remark scored by its best passage less γ × the passage's legs' weights × log(passages), γ 0,
  1/8 or 1/4: a long remark then needs one passage that several legs find, not a different
  lucky passage in each; alone, or averaged with the remark-level fusion (λ 0.5);
- ``weighted``: each question token's best cosine weighted by |token − centre|^β (β 1, 2, 4): a
  token close to the mean (a particle, a formula) carries little of its own, a soft IDF;
- ``chamfer``: MaxSim both ways, (1 − a) × each question token's best passage token plus a ×
  each passage token's best question token (a 0.1, 0.25, 0.5), so that a passage's own unrelated
  content counts against it;
- ``grammar words``: the lexical leg's question tokens without verbs and adjectives Sudachi marks
  非自立可能 (おく, いく, いただく: ～ておく, ～ていく), or without the stop list's words in
  Sudachi's normalised forms (為る, 有る, 居る, 成る, 為 …: ``rag.tokenize._STOP`` holds する,
  ある … and is matched against normalised forms, so most of it never applies), or both. The
  passages keep their tokens, so no index changes;
- ``soft MaxSim``: each question token's best cosine softened (its best two or three passage
  tokens, or a log-mean-exp);
- ``leg lengths``: each leg its own length calibration (rank × passages ** γ_leg) instead of one
  γ for all three;
- ``query views``: the question's MaxSim shared with its token vectors under another prompt
  (Japanese questions with ``passage: `` or none, English ones with ``query: `` or ``passage: ``);
- ``meeting prior``: a remark raised by its meeting's evidence among the fused results (the mean
  of the meeting's best remarks' scores, or its share of the best remarks overall);
- ``diverse lengths``: the length calibration's passage count replaced by the remark's effective
  number of distinct passages, n² / Σ cos²(i, j) over its e5 passage vectors (the participation
  ratio of their Gram matrix), plain or centred on the corpus mean, at γ 1/8 to 1/2; and the raw
  count at γ 1/4 to 1/2 beside it. Overlapping passages of one argument are one draw, a speech
  over many subjects many;
- ``english weights``: English questions' dense and second legs weighed apart from Japanese
  ones' (dense 1, 1.5 or 2 × second 0.25 to 1), now that MaxSim carries most of their gain;
- ``english length``: English questions their own length calibration (γ 1/16 to 1/2), the rest
  the shared 1/8: the English misses on the 7th Tokyo Digital Service Council lose to the longest
  remarks of other meetings;
- ``feedback`` and ``english feedback``: the lexical leg searched again with the question's words
  and the words that weigh most in the dense leg's best passages (RM3 read off the other leg), for
  every question or for English ones only;
- ``token layer``: MaxSim over token vectors from an earlier layer of e5 (8, 10 or 11 of 12), or
  the sum of the last two layers' MaxSim, in float on both sides (the last layer in float is the
  check that the copy reproduces the defaults): the last layer of a model trained for pooled
  vectors may keep less of each token's own meaning than the layers below it.

Needs ../shared. Without ``--index`` the index of the four corpora is built in a temporary
directory, as ``bench/tune.py`` builds it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from unittest.mock import patch

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.trials import Rescored, with_legs  # noqa: E402
from bench.tune import corpora, gold_files  # noqa: E402
from index import tokens as tokens_module  # noqa: E402
from rag import retrieval  # noqa: E402
from rag.embedding.encoder import _done, query_language  # noqa: E402
from rag.embedding.late import content_tokens, normalized  # noqa: E402
from rag.engine import Engine  # noqa: E402
from rag.evaluation import Question, cross_validate, evaluate, fold_of, load_gold, paired_difference  # noqa: E402
from rag.fusion import length_calibrated, log_rank_fusion  # noqa: E402
from rag.settings import load_settings  # noqa: E402
from rag.tokenize import SudachiTokenizer  # noqa: E402


class Centred(Rescored):
    """A dense leg scored by the cosine of query and passage vectors less α × the passages' mean."""

    def __init__(self, inner, ids: np.ndarray, vectors: np.ndarray, alpha: float) -> None:
        self.centre = vectors.mean(axis=0) * alpha
        moved = vectors - self.centre
        super().__init__(inner, ids, moved / np.linalg.norm(moved, axis=1, keepdims=True))

    def search(self, query: np.ndarray, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        moved = query - self.centre
        return super().search(moved / np.linalg.norm(moved), n, allowed)


def union_legs(extra: int) -> Callable:
    """``Retriever._legs`` with the dense leg's MaxSim pool widened by the other legs' best ``extra``."""

    def legs(self, text, pending, mode, allowed):
        n = self.settings.candidates
        others = {"lexical": self.snapshot.lexical.search(self.tokenize(text), n, allowed)}
        if self.second is not None and self.snapshot.second is not None:
            others["second"] = self.snapshot.second.search(self.second.encode_query(text), n, allowed)
        encoding = pending.result()
        found = self.snapshot.dense.search(encoding.vector, n, allowed)
        pool = found[: self.settings.late_candidates]
        have = {pid for pid, _ in pool}
        for hits in others.values():
            for pid, _ in hits[:extra]:
                if pid not in have:
                    have.add(pid)
                    pool.append((pid, 0.0))
        tokens = self.snapshot.tokens
        late = tokens.rescore(encoding.tokens, [pid for pid, _ in pool], centre=tokens.mean())
        order = np.argsort(-np.where(np.isnan(late), -np.inf, late), kind="stable")
        ranked = [pool[j] for j in order] + [hit for hit in found if hit[0] not in have]
        return encoding.vector, {"dense": self._rollup(ranked), **{k: self._rollup(v) for k, v in others.items()}}

    return legs


def passage_level_fuse(gamma: float, share: float) -> Callable:
    """``Retriever._fuse`` over passages: ``share`` of the passage-level score, the rest remark-level."""
    remark_level = retrieval.Retriever._fuse

    def fuse(self, legs, mode, *, weights):
        depth = self.settings.candidates
        gains = {name: dict(leg.passage_rank) for name, leg in legs.items()}
        owner = self.snapshot.meta.remark_ids_of({pid for ranks in gains.values() for pid in ranks})
        counts = self.snapshot.meta.passage_counts(set(owner.values()))
        found: dict[int, float] = {}
        for name, ranks in gains.items():
            for pid in ranks:
                found[pid] = found.get(pid, 0.0) + weights.get(name, 1.0)
        best: dict[str, float] = {}
        for pid, score in log_rank_fusion(gains, depth=depth, weights=weights):
            rid = owner.get(pid)
            if rid is not None:
                value = score - gamma * found[pid] * float(np.log(counts.get(rid, 1)))
                best[rid] = max(best.get(rid, -np.inf), value)
        if share < 1:
            whole = dict(remark_level(self, legs, mode, weights=weights))
            best = {r: share * best.get(r, 0.0) + (1 - share) * whole.get(r, 0.0) for r in best.keys() | whole.keys()}
        return sorted(best.items(), key=lambda item: -item[1])

    return fuse


def calibrated_fusion(retriever, legs, weights, gammas: dict[str, float], counts: dict[str, float] | None = None):
    """The log-rank fusion of ``legs`` with each remark's rank in a leg × (its count) ** γ of that
    leg (``rag.fusion.length_calibrated``, as ``Retriever._fuse`` calibrates), with the γ per leg
    and the count (the remark's passages by default) given."""
    if counts is None:
        counts = retriever.snapshot.meta.passage_counts({rid for leg in legs.values() for rid in leg.best})
    ranks = {name: length_calibrated(leg.remark_ranks(), counts, gamma=gammas[name]) for name, leg in legs.items()}
    return log_rank_fusion(ranks, depth=retriever.settings.candidates, weights=weights)


def leg_lengths_fuse(gammas: dict[str, float]) -> Callable:
    """``Retriever._fuse`` with a length calibration of each leg's own (rank × passages ** γ_leg)."""

    def fuse(self, legs, mode, *, weights):
        return calibrated_fusion(self, legs, weights, gammas)

    return fuse


class Diversity:
    """Each remark's effective number of distinct passages: n² / Σ cos²(i, j) over its e5 passage
    vectors (``centred``: less the corpus mean first), 1 for one passage or n identical ones, n for
    n orthogonal ones."""

    def __init__(self, engine: Engine, *, centred: bool) -> None:
        snap = engine.snapshot()
        ids = snap.dense.ids()
        self.meta, self.dense = snap.meta, snap.dense
        self.centre = snap.dense.vectors(ids).astype(np.float64).mean(axis=0) if centred else 0.0
        self.found: dict[str, float] = {}

    def __call__(self, rid: str) -> float:
        if rid not in self.found:
            ids = np.array([p["passage_id"] for p in self.meta.passages_of(rid)], dtype=np.int64)
            x = self.dense.vectors(ids).astype(np.float64) - self.centre
            x /= np.linalg.norm(x, axis=1, keepdims=True)
            self.found[rid] = len(ids) ** 2 / float(((x @ x.T) ** 2).sum()) if len(ids) else 1.0
        return self.found[rid]


def diverse_lengths_fuse(gamma: float, draws: Diversity | None) -> Callable:
    """``Retriever._fuse`` with rank × draws ** γ, draws the remark's effective passage count
    (``draws``) or its plain passage count (None)."""

    def fuse(self, legs, mode, *, weights):
        counts = None if draws is None else {rid: draws(rid) for leg in legs.values() for rid in leg.best}
        return calibrated_fusion(self, legs, weights, dict.fromkeys(legs, gamma), counts)

    return fuse


def english_length_fuse(gamma: float) -> Callable:
    """``Retriever._fuse`` with a length calibration of its own for English questions (rank ×
    passages ** γ), the shared 1/8 for the rest. ``_fuse`` sees the question only through its
    weights: an English one carries the English lexical weight, which differs from the lexical."""
    shared = retrieval.Retriever._fuse

    def fuse(self, legs, mode, *, weights):
        s = self.settings
        assert s.english_lexical_weight != s.lexical_weight, "the trial tells English questions by that weight"
        if weights.get("lexical") != s.english_lexical_weight:
            return shared(self, legs, mode, weights=weights)
        return calibrated_fusion(self, legs, weights, dict.fromkeys(legs, gamma))

    return fuse


def english_weights(dense: float, second: float) -> Callable:
    """``Retriever._weights`` with English questions' dense and second legs weighed apart."""
    shared = retrieval.Retriever._weights

    def weights(self, *, english):
        found = shared(self, english=english)
        return {**found, "dense": dense, "second": second} if english else found

    return weights


def diverse_trials(engine: Engine, questions: list[Question], measure: Callable[[], list[float]]) -> Scores:
    """The length calibration over effective passage counts, beside larger γ over plain counts."""
    variants = {f"passages, gamma {g:g}": diverse_lengths_fuse(g, None) for g in (0.25, 0.375, 0.5)}
    for centred in (False, True):
        draws = Diversity(engine, centred=centred)
        name = "centred" if centred else "plain"
        variants |= {
            f"distinct passages ({name}), gamma {g:g}": diverse_lengths_fuse(g, draws)
            for g in (0.125, 0.25, 0.375, 0.5)
        }
    return patched(retrieval.Retriever, "_fuse", variants, measure)


def views_legs(prompts: dict[str, str | None], share: float) -> Callable:
    """``Retriever._legs`` whose MaxSim is ``1 - share`` of the question's own token vectors' and
    ``share`` of those of the question encoded with another prompt (per language; None: none)."""
    own_legs = retrieval.Retriever._legs

    def legs(self, text, pending, mode, allowed):
        prompt = prompts[query_language(text)]
        if prompt is None:
            return own_legs(self, text, pending, mode, allowed)
        encoding = pending.result()
        other = self.encoder._encode_queries([text], [prompt])[0]
        vector, found = own_legs(self, text, _done(encoding), mode, allowed)
        dense = self.snapshot.dense.search(encoding.vector, self.settings.candidates, allowed)
        head = dense[: self.settings.late_candidates]
        tokens, pids = self.snapshot.tokens, [pid for pid, _ in head]
        late = (1 - share) * tokens.rescore(encoding.tokens, pids, centre=tokens.mean())
        late += share * tokens.rescore(other.tokens, pids, centre=tokens.mean())
        order = np.argsort(-np.where(np.isnan(late), -np.inf, late), kind="stable")
        return vector, {**found, "dense": self._rollup([head[j] for j in order] + dense[len(head) :])}

    return legs


def meeting_prior_fuse(weight: float, top: int, kind: str) -> Callable:
    """``Retriever._fuse`` plus ``weight`` × its meeting's evidence: the mean fused score of the
    meeting's best ``top`` remarks (``mean``), or the meeting's softmax share of the best ``top``
    remarks overall (``share``). Questions are mostly about one meeting's business, whose remarks
    should then rank together (the cluster hypothesis)."""
    remark_level = retrieval.Retriever._fuse

    def fuse(self, legs, mode, *, weights):
        ranked = remark_level(self, legs, mode, weights=weights)
        meeting = {rid: rid.rsplit("-", 1)[0] for rid, _ in ranked}
        evidence: dict[str, float] = {}
        if kind == "mean":
            scores: dict[str, list[float]] = {}
            for rid, score in ranked:
                scores.setdefault(meeting[rid], []).append(score)
            evidence = {m: sum(v[:top]) / top for m, v in scores.items()}
        else:
            best = ranked[:top]
            total = sum(float(np.exp(score)) for _, score in best)
            for rid, score in best:
                evidence[meeting[rid]] = evidence.get(meeting[rid], 0.0) + float(np.exp(score)) / total
        order = {rid: i for i, (rid, _) in enumerate(ranked)}
        moved = [(rid, score + weight * evidence.get(meeting[rid], 0.0)) for rid, score in ranked]
        return sorted(moved, key=lambda item: (-item[1], order[item[0]]))

    return fuse


def _centred_cosines(index, query: np.ndarray, pos: np.ndarray, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(centred cosines of the passages' token rows × the question's tokens, where each passage begins)."""
    rows, first = tokens_module._rows(index._offsets[pos], index._offsets[pos + 1])
    centred = np.vstack([tokens_module._centred(query, centre), centre[None, :]])
    sims = tokens_module.nibble_product(index._codes[rows], centred) * index._scales[rows, None]
    return tokens_module._centred_cosines(sims, centred, centre), first


def soft_maxsim(kind: str, value: float) -> Callable:
    """``TokenIndex._maxsim`` with each question token's best cosine softened: its ``value`` best
    passage tokens (the first counted whole, the rest half), or a log-mean-exp at temperature
    ``value``, so that one stray token match weighs less than a passage that matches it twice."""

    def maxsim(self, query, pos, centre=None):
        sims, first = _centred_cosines(self, query, pos, centre)
        scores = []
        for rows in np.split(sims, first[1:]):
            if kind == "top":
                k = min(int(value), len(rows))
                weights = np.array([1.0] + [0.5] * (k - 1))[:, None]
                best = (-np.sort(-rows, axis=0)[:k] * weights).sum(axis=0) / weights.sum()
            else:
                top = rows.max(axis=0)
                best = top + value * np.log(np.exp((rows - top) / value).mean(axis=0))
            scores.append(best.mean())
        return np.array(scores)

    return maxsim


def weighted_maxsim(beta: float) -> Callable:
    """``TokenIndex._maxsim`` with each question token's best cosine weighted by |token − centre|^β."""
    plain = tokens_module.TokenIndex._maxsim

    def maxsim(self, query, pos, centre=None):
        if centre is None:
            return plain(self, query, pos, centre)
        weights = np.linalg.norm(query - centre, axis=1) ** beta
        sims, first = _centred_cosines(self, query, pos, centre)
        return (np.maximum.reduceat(sims, first, axis=0) * weights[None, :]).sum(axis=1) / weights.sum()

    return maxsim


def chamfer_maxsim(share: float) -> Callable:
    """``TokenIndex._maxsim`` (centred) blended with the passage-to-question direction."""
    plain = tokens_module.TokenIndex._maxsim

    def maxsim(self, query, pos, centre=None):
        if centre is None:
            return plain(self, query, pos, centre)
        sims, first = _centred_cosines(self, query, pos, centre)
        forward = np.maximum.reduceat(sims, first, axis=0).mean(axis=1)
        backward = np.add.reduceat(sims.max(axis=1), first) / np.diff(np.append(first, len(sims)))
        return (1 - share) * forward + share * backward

    return maxsim


class GrammarFree(SudachiTokenizer):
    """The lexical tokenizer less auxiliary-capable verbs and adjectives and/or normalised stop words."""

    STOP = frozenset({"為る", "有る", "居る", "成る", "為", "物", "無い", "此れ", "其れ", "事"})

    def __init__(self, *, auxiliaries: bool, stop: bool) -> None:
        super().__init__("C")
        self.auxiliaries, self.stop = auxiliaries, stop

    def _keep(self, m) -> str:
        form = super()._keep(m)
        pos = m.part_of_speech()
        if self.auxiliaries and pos[0] in ("動詞", "形容詞") and pos[1] == "非自立可能":
            return ""
        return "" if self.stop and form in self.STOP else form


class LayerTokens:
    """Content token vectors of e5's hidden layers, for the passages of the index (centred once, on
    the passages' mean token of that layer) and for questions (float)."""

    def __init__(self, engine: Engine, layers: tuple[int, ...]) -> None:
        self.encoder, self.layers = engine.encoder, layers
        model = self.encoder.model
        self.model = model._loaded() if hasattr(model, "_loaded") else model
        meta = engine.snapshot().meta
        pids = [int(p) for p in meta.passage_ids()]
        rows = meta.passages(pids)
        found = self._hidden([rows[p]["text"] for p in pids], self.encoder.passage_prompt)
        self.centre = {layer: np.concatenate(found[layer]).mean(axis=0) for layer in layers}
        self.passages = {
            layer: dict(zip(pids, (tokens_module._centred(r, self.centre[layer]) for r in found[layer]), strict=True))
            for layer in layers
        }
        self.asked: dict[str, dict[int, np.ndarray]] = {}

    def _hidden(self, texts: list[str], prompt: str) -> dict[int, list[np.ndarray]]:
        import torch

        tokenizer, bert = self.model.tokenizer, self.model[0].auto_model
        skip = len(tokenizer(prompt.rstrip(), add_special_tokens=False)["input_ids"]) if prompt.strip() else 0
        out: dict[int, list[np.ndarray]] = {layer: [] for layer in self.layers}
        for start in range(0, len(texts), 16):
            batch = tokenizer(
                [prompt + t for t in texts[start : start + 16]],
                padding=True,
                truncation=True,
                max_length=self.model.max_seq_length,
                return_tensors="pt",
            )
            with torch.no_grad():
                states = bert(**batch, output_hidden_states=True).hidden_states
            mask = batch["attention_mask"].bool()
            for layer in self.layers:
                rows = [states[layer][i][m].numpy() for i, m in enumerate(mask)]
                out[layer] += [content_tokens(normalized(r), skip) for r in rows]
        return out

    def maxsim(self, text: str, layer: int, pids: list[int]) -> np.ndarray:
        """Centred MaxSim of the question's layer-``layer`` tokens against each passage's."""
        if text not in self.asked:
            prompt = self.encoder.english_prompt if query_language(text) == "en" else self.encoder.query_prompt
            self.asked[text] = {layer: rows[0] for layer, rows in self._hidden([text], prompt).items()}
        question = tokens_module._centred(self.asked[text][layer], self.centre[layer])
        return np.array([(question @ self.passages[layer][pid].T).max(axis=1).mean() for pid in pids])


def layer_legs(tokens: LayerTokens, layers: tuple[int, ...]) -> Callable:
    """``Retriever._legs`` whose dense leg's best passages are re-ranked by the sum of the MaxSim
    over the token vectors of ``layers``."""
    own_legs = retrieval.Retriever._legs

    def legs(self, text, pending, mode, allowed):
        vector, found = own_legs(self, text, pending, mode, allowed)
        if "dense" not in found:
            return vector, found
        dense = self.snapshot.dense.search(pending.result().vector, self.settings.candidates, allowed)
        head = dense[: self.settings.late_candidates]
        late = sum(tokens.maxsim(text, layer, [pid for pid, _ in head]) for layer in layers)
        order = np.argsort(-late, kind="stable")
        return vector, {**found, "dense": self._rollup([head[j] for j in order] + dense[len(head) :])}

    return legs


def layer_trials(engine: Engine, questions: list[Question], measure: Callable[[], list[float]]) -> Scores:
    """MaxSim over the token vectors of e5's other layers."""
    tokens = LayerTokens(engine, (8, 10, 11, 12))
    grid = {f"layer {layer}": (layer,) for layer in tokens.layers}
    grid["layers 11 and 12"] = (11, 12)
    return patched(retrieval.Retriever, "_legs", {name: layer_legs(tokens, ls) for name, ls in grid.items()}, measure)


def reciprocal_ranks(engine: Engine, questions: list[Question]) -> list[float]:
    """Each question's MRR@10 on the engine as it is now (hybrid search)."""
    _, outcomes = evaluate(questions, lambda q: engine.search(query=q, k=10).hits)
    return [o.scores["MRR@10"] for o in outcomes]


def report(scores: dict[str, list[float]], questions: list[Question]) -> dict:
    """Per setting: MRR@10 overall, per file and language, and the paired difference with the
    default; then the cross-validated choice among all of them."""
    groups = {
        "all": lambda q: True,
        **{f"file:{s}": (lambda q, s=s: q.source == s) for s in ("dev", "dev-more", "blind")},
    }
    groups["lang:en"] = lambda q: q.lang == "en"
    out: dict = {}
    for name, values in scores.items():
        row = {
            key: round(statistics.mean([v for v, q in zip(values, questions, strict=True) if keep(q)]), 3)
            for key, keep in groups.items()
        }
        out[name] = {**row, "minus default": paired_difference(values, scores["default"])}
        print(f"{name:24s} {row}  {out[name]['minus default']}", flush=True)
    for k in (5, 10):
        held, picks = cross_validate(scores, [fold_of(q, k) for q in questions], default="default")
        found = out[f"cross-validated, {k} folds"] = {
            "mean": round(statistics.mean(held), 3),
            "minus default": paired_difference(held, scores["default"]),
            "chosen": sorted(set(picks.values())),
        }
        print(f"{k} folds: {found}")
    return out


Scores = dict[str, list[float]]


def pooled_trials(engine: Engine, questions: list[Question], measure: Callable[[], list[float]]) -> Scores:
    """The pooled-vector legs centred as the token vectors are."""
    snap = engine.snapshot()
    ids = snap.dense.ids()
    e5, use = snap.dense.vectors(ids), snap.second.vectors(ids)
    out: Scores = {}
    for alpha in (0.5, 1.0):
        out[f"e5 centred {alpha}"] = with_legs(engine, Centred(snap.dense, ids, e5, alpha), snap.second, measure)
        out[f"second centred {alpha}"] = with_legs(engine, snap.dense, Centred(snap.second, ids, use, alpha), measure)
        out[f"both centred {alpha}"] = with_legs(
            engine, Centred(snap.dense, ids, e5, alpha), Centred(snap.second, ids, use, alpha), measure
        )
    return out


def patched(target: object, name: str, variants: dict[str, Callable], measure: Callable[[], list[float]]) -> Scores:
    """``measure()`` with ``target.name`` replaced by each variant in turn."""
    out: Scores = {}
    for label, variant in variants.items():
        with patch.object(target, name, variant):
            out[label] = measure()
    return out


def grammar_trials(engine: Engine, questions: list[Question], measure: Callable[[], list[float]]) -> Scores:
    """The lexical leg's questions without grammar words."""
    out: Scores = {}
    for auxiliaries, stop in ((True, False), (False, True), (True, True)):
        tokenize = GrammarFree(auxiliaries=auxiliaries, stop=stop)
        asking = Engine(engine.settings, encoder=engine.encoder, tokenize=tokenize, second=engine.second)
        out[f"without auxiliaries {auxiliaries}, normalised stop words {stop}"] = reciprocal_ranks(asking, questions)
    return out


def leg_length_grid() -> dict[str, Callable]:
    """Each leg's own length calibration, around the shared 1/8."""
    grid = itertools.product((0.0625, 0.125, 0.1875, 0.25), (0.0625, 0.125, 0.25), (0.0625, 0.125, 0.25))
    return {
        f"length dense {d:g}, lexical {x:g}, second {u:g}": leg_lengths_fuse({"dense": d, "lexical": x, "second": u})
        for d, x, u in grid
        if (d, x, u) != (0.125, 0.125, 0.125)
    }


def view_grid() -> dict[str, Callable]:
    """The question's MaxSim shared with another prompt's token vectors, per language."""
    views = {
        "Japanese with passage: ": {"ja": "passage: ", "en": None},
        "Japanese with no prompt": {"ja": "", "en": None},
        "English with query: ": {"ja": None, "en": "query: "},
        "English with passage: ": {"ja": None, "en": "passage: "},
    }
    return {f"{name}, {w:g}": views_legs(prompts, w) for name, prompts in views.items() for w in (0.25, 0.5)}


def meeting_grid() -> dict[str, Callable]:
    """A meeting's evidence added to its remarks' fused scores."""
    grid = [("mean", top, w) for top in (3, 10) for w in (0.1, 0.25, 0.5, 1.0)]
    grid += [("share", top, w) for top in (3, 10) for w in (0.4, 1.0, 2.0, 4.0)]
    return {f"meeting {kind} of {top}, weight {w:g}": meeting_prior_fuse(w, top, kind) for kind, top, w in grid}


def feedback_legs(top: int, terms: int, share: int, *, english_only: bool = False) -> Callable:
    """``Retriever._legs`` whose lexical leg is searched again with the question's tokens (each
    ``share`` times) and the ``terms`` words that weigh most in the dense leg's best ``top``
    passages (RM3's relevance model read off the other leg: each word's share of a passage's
    tokens, summed, × its IDF). A paraphrase or an English question shares few words with the
    remark it asks about; the passages e5 and MaxSim put first do."""
    original = retrieval.Retriever._legs

    def legs(self, text, pending, mode, allowed):
        vector, found = original(self, text, pending, mode, allowed)
        if mode != "hybrid" or "dense" not in found or (english_only and query_language(text) != "en"):
            return vector, found
        ranks = found["dense"].passage_rank
        best = sorted(ranks, key=ranks.get)[:top]
        rows = self.snapshot.meta.passages(best)
        question = self.tokenize(text)
        weight: Counter[str] = Counter()
        for pid in best:
            words = self.tokenize(rows[pid]["text"]) if pid in rows else []
            for word, count in Counter(words).items():
                weight[word] += count / len(words)
        idf = self.snapshot.lexical.idf(list(weight))
        asked = set(question)
        chosen = sorted((w for w in weight if w not in asked), key=lambda w: -weight[w] * idf[w])[:terms]
        query = question * share + chosen
        found["lexical"] = self._rollup(self.snapshot.lexical.search(query, self.settings.candidates, allowed))
        return vector, found

    return legs


GROUPS: dict[str, Callable[[Engine, list[Question], Callable[[], list[float]]], Scores]] = {
    "feedback": lambda e, q, m: patched(
        retrieval.Retriever,
        "_legs",
        {
            f"lexical feedback from the dense leg's best {top}, {terms} words, question × {share}": feedback_legs(
                top, terms, share
            )
            for top in (3, 5, 10)
            for terms in (5, 10, 20)
            for share in (1, 2)
        },
        m,
    ),
    "english feedback": lambda e, q, m: patched(
        retrieval.Retriever,
        "_legs",
        {
            f"English questions' lexical feedback from the best {top}, {terms} words, question × {share}": (
                feedback_legs(top, terms, share, english_only=True)
            )
            for top in (3, 5)
            for terms in (10, 20)
            for share in (1, 2)
        },
        m,
    ),
    "pooled": pooled_trials,
    "grammar words": grammar_trials,
    "chamfer": lambda e, q, m: patched(
        tokens_module.TokenIndex,
        "_maxsim",
        {f"MaxSim both ways, {a:g}": chamfer_maxsim(a) for a in (0.1, 0.25, 0.5)},
        m,
    ),
    "weighted": lambda e, q, m: patched(
        tokens_module.TokenIndex,
        "_maxsim",
        {f"question tokens weighted, beta {b:g}": weighted_maxsim(b) for b in (1.0, 2.0, 4.0)},
        m,
    ),
    "soft MaxSim": lambda e, q, m: patched(
        tokens_module.TokenIndex,
        "_maxsim",
        {
            **{f"MaxSim over the best {k}": soft_maxsim("top", k) for k in (2, 3)},
            **{f"MaxSim as log-mean-exp, temperature {t:g}": soft_maxsim("lse", t) for t in (0.02, 0.05, 0.1)},
        },
        m,
    ),
    "union": lambda e, q, m: patched(
        retrieval.Retriever, "_legs", {f"union with the other legs' best {x}": union_legs(x) for x in (10, 25, 50)}, m
    ),
    "passage-level": lambda e, q, m: patched(
        retrieval.Retriever,
        "_fuse",
        {
            f"passage-level {share:g}, length {gamma:g}": passage_level_fuse(gamma, share)
            for share in (1.0, 0.5)
            for gamma in (0.0, 0.125, 0.25)
        },
        m,
    ),
    "leg lengths": lambda e, q, m: patched(retrieval.Retriever, "_fuse", leg_length_grid(), m),
    "query views": lambda e, q, m: patched(retrieval.Retriever, "_legs", view_grid(), m),
    "meeting prior": lambda e, q, m: patched(retrieval.Retriever, "_fuse", meeting_grid(), m),
    "token layer": layer_trials,
    "diverse lengths": diverse_trials,
    "english weights": lambda e, q, m: patched(
        retrieval.Retriever,
        "_weights",
        {
            f"English dense {d:g}, second {u:g}": english_weights(d, u)
            for d in (1.0, 1.5, 2.0)
            for u in (0.25, 0.5, 0.75, 1.0)
            if (d, u) != (1.0, 0.5)
        },
        m,
    ),
    "english length": lambda e, q, m: patched(
        retrieval.Retriever,
        "_fuse",
        {f"English length {g:g}": english_length_fuse(g) for g in (0.0625, 0.1875, 0.25, 0.375, 0.5)},
        m,
    ),
}


def trials(engine: Engine, questions: list[Question], only: tuple[str, ...] = tuple(GROUPS)) -> dict:
    """The groups of trials in ``only``, each against the defaults."""
    measure = lambda: reciprocal_ranks(engine, questions)  # noqa: E731
    default = measure()
    return {name: report({"default": default, **GROUPS[name](engine, questions, measure)}, questions) for name in only}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", help="an index of the four corpora to reuse (default: build one)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "centred-trials.json"))
    parser.add_argument("--only", nargs="+", choices=tuple(GROUPS), help="these groups, merged into --out")
    args = parser.parse_args()
    questions = load_gold(gold_files())
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(args.index) if args.index else Path(tmp) / "index"
        engine = Engine(load_settings(index_dir=index, query_precision="float"))
        if not args.index:
            engine.ingest(corpora())
        engine.warm()
        found = trials(engine, questions, tuple(args.only or GROUPS))
    out = Path(args.out)
    result = json.loads(out.read_text()) if args.only and out.exists() else {}
    result.update({"questions": len(questions), **found})
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
