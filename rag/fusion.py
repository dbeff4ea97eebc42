"""Reciprocal rank fusion: a small pure function over ranked lists."""

from __future__ import annotations

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
