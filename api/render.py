"""The JSON shape of search results, shared by ``gijiroku search --json`` and ``GET /search``."""

from __future__ import annotations

from dataclasses import asdict

from rag.models import Hit, Remark
from rag.retrieval import SearchResult


def speaker_dict(remark: Remark) -> dict:
    """A remark's speaker as JSON."""
    s = remark.speaker
    return {
        "label": s.label,
        "name": s.name,
        "role": s.role,
        "group": s.group,
        "affiliation": s.affiliation,
        "person_id": s.person_id,
    }


def context_dict(remark: Remark | None) -> dict | None:
    """A neighbouring remark, shortly."""
    if remark is None:
        return None
    return {"remark_id": remark.remark_id, "speaker": remark.speaker.name, "text": remark.text}


def hit_dict(hit: Hit) -> dict:
    """One hit as JSON."""
    r = hit.remark
    return {
        "rank": hit.rank,
        "score": round(hit.score, 6),
        "remark_id": r.remark_id,
        "speaker": speaker_dict(r),
        "topic": r.topic,
        "meeting": {"id": r.meeting_id, "title": r.meeting_title, "date": r.meeting_date},
        "text": r.text,
        "passage": hit.passage,
        "url": r.url,
        "context": {"prev": context_dict(hit.prev), "next": context_dict(hit.next)},
        "sources": hit.sources,
    }


def result_dict(result: SearchResult) -> dict:
    """A whole search result as JSON."""
    return {
        "query": result.query,
        "mode": result.mode,
        "filters": {k: v for k, v in asdict(result.filters).items() if v},
        "notes": result.notes,
        "hits": [hit_dict(h) for h in result.hits],
    }
