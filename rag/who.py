"""Who said what about a subject: speakers ranked by how much and how relevantly they spoke on it.

A speaker's score is the sum, over their remarks among the top candidates, of the reciprocal
rank weight ``1 / (rrf_k + rank)``: many relevant remarks count, and a top remark counts most.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.models import Hit, Speaker
from rag.retrieval import SearchResult


@dataclass(frozen=True)
class SpeakerOnTopic:
    """One speaker's share of a subject: score, how many remarks, the best few, and their topics."""

    speaker: Speaker
    score: float
    remarks: int
    top: list[Hit]
    topics: list[str]
    meetings: list[str]


def who_said(result: SearchResult, *, rrf_k: int, per_speaker: int = 3, limit: int = 20) -> list[SpeakerOnTopic]:
    """Group a search result's hits by person (or by label for offices like 事務局) and rank them."""
    groups: dict[str, list[Hit]] = {}
    for hit in result.hits:
        s = hit.remark.speaker
        if s.attribution == "unknown":  # text no speaker line claimed answers no "who"
            continue
        groups.setdefault(s.person_id or f"label:{s.label}", []).append(hit)
    ranked = []
    for hits in groups.values():
        score = sum(1.0 / (rrf_k + h.rank) for h in hits)
        ranked.append(
            SpeakerOnTopic(
                speaker=hits[0].remark.speaker,
                score=score,
                remarks=len(hits),
                top=hits[:per_speaker],
                topics=list(dict.fromkeys(h.remark.topic for h in hits if h.remark.topic)),
                meetings=list(dict.fromkeys(h.remark.meeting_title for h in hits)),
            )
        )
    ranked.sort(key=lambda s: -s.score)
    return ranked[:limit]
