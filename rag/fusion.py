"""Rank fusion: small pure functions over ranked lists (reciprocal rank fusion, log-rank fusion,
and the length calibration of ranks that log-rank fusion reads)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def rrf(
    rankings: Mapping[str, Sequence[K]], *, k: int = 60, weights: Mapping[str, float] | None = None
) -> list[tuple[K, float]]:
    """Fuse ranked lists: score(d) = Σ weight_leg / (k + rank_leg(d)), ranks from 1; best first.

    Ties keep the order in which items first appear across the legs, so results are deterministic.
    """
    scores: dict[K, float] = {}
    for leg, ranked in rankings.items():
        weight = 1.0 if weights is None else weights.get(leg, 1.0)
        for rank, item in enumerate(ranked, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))


def log_rank_fusion(
    ranks: Mapping[str, Mapping[K, float]], *, depth: int, weights: Mapping[str, float] | None = None
) -> list[tuple[K, float]]:
    """Fuse per-leg ranks by their log: score(d) = Σ weight_leg · log(depth / min(rank_leg(d), depth)).

    ``depth / rank`` is the inverse of a rank's tail share among a leg's ``depth`` candidates, so
    each leg adds its evidence as a log-odds-like amount (Fisher's method over rank p-values): a
    leg that ranks an item first adds the most, one that did not find it adds nothing, and no
    smoothing constant flattens the top of the list the way RRF's ``k`` does. Ranks may be
    fractional (calibrated). Ties keep first appearance across legs, so results are deterministic.
    """
    scores: dict[K, float] = {}
    for leg, items in ranks.items():
        weight = 1.0 if weights is None else weights.get(leg, 1.0)
        for item, rank in items.items():
            gain = weight * math.log(depth / min(max(rank, 1.0), depth))
            scores[item] = scores.get(item, 0.0) + gain
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))


def length_calibrated(ranks: Mapping[K, float], counts: Mapping[K, float], *, gamma: float) -> dict[K, float]:
    """Each item's rank × (its count) ** ``gamma``; an item without a count counts 1.

    An item that is the best of n draws (a remark scored by the best of its n passages) ranks well
    by accident n times as often; the factor is the correction ``log_rank_fusion`` reads as a
    fractional rank.
    """
    return {item: rank * counts.get(item, 1) ** gamma for item, rank in ranks.items()}
