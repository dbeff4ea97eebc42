"""The JSON shape of search results, shared by ``gijiroku search --json`` and ``GET /search``."""

from __future__ import annotations

from dataclasses import asdict

from rag.answer import Answer, speaker_line
from rag.models import Hit, Remark
from rag.query import Inferred
from rag.retrieval import SearchResult
from rag.who import SpeakerOnTopic


def speaker_dict(remark: Remark) -> dict:
    """A remark's speaker as JSON."""
    s = remark.speaker
    return {
        "label": s.label,
        "name": s.name if s.attribution == "speaker" else None,
        "attribution": s.attribution,
        "role": s.role,
        "group": s.group,
        "affiliation": s.affiliation,
        "person_id": s.person_id,
    }


def context_dict(remark: Remark | None) -> dict | None:
    """A neighbouring remark, shortly."""
    if remark is None:
        return None
    return {"remark_id": remark.remark_id, "speaker": remark.speaker.display, "text": remark.text}


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


def inferred_dict(inferred: Inferred | None) -> dict | None:
    """The speaker filter inferred from a question, or None."""
    if inferred is None:
        return None
    return {
        "person_ids": list(inferred.person_ids),
        "names": list(inferred.names),
        "mention": inferred.mention,
        "via": inferred.via,
        "searched_for": inferred.query,
    }


def filters_dict(result: SearchResult) -> dict:
    """The filters a search applied (the inferred speaker included), without empty ones."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(result.filters).items() if v}


def scope_dict(result: SearchResult) -> dict:
    """What a search was restricted to and why: filters, the inferred speaker, notes."""
    return {"filters": filters_dict(result), "inferred": inferred_dict(result.inferred), "notes": result.notes}


def result_dict(result: SearchResult) -> dict:
    """A whole search result as JSON."""
    return {
        "query": result.query,
        "mode": result.mode,
        **scope_dict(result),
        "hits": [hit_dict(h) for h in result.hits],
    }


def answer_dict(answer: Answer) -> dict:
    """An extractive answer with its citations and the hits it was drawn from."""
    return {
        "question": answer.question,
        "language": answer.language,
        "status": answer.status,
        "answer": answer.text,
        "citations": [
            {
                "n": c.number,
                "remark_id": c.remark.remark_id,
                "speaker": speaker_line(c.remark),
                "person_id": c.remark.speaker.person_id,
                "meeting": c.remark.meeting_title,
                "meeting_id": c.remark.meeting_id,
                "date": c.remark.meeting_date,
                "topic": c.remark.topic,
                "quote": c.quote,
                "permalink": f"/remarks/{c.remark.remark_id}",
            }
            for c in answer.citations
        ],
        **scope_dict(answer.result),
        "hits": [hit_dict(h) for h in answer.result.hits],
    }


def who_dict(result: SearchResult, speakers: list[SpeakerOnTopic]) -> dict:
    """Speakers ranked on a subject, each with their top remarks."""
    return {
        "query": result.query,
        **scope_dict(result),
        "speakers": [
            {
                "speaker": speaker_dict(s.top[0].remark),
                "score": round(s.score, 6),
                "remarks": s.remarks,
                "topics": s.topics,
                "meetings": s.meetings,
                "top": [hit_dict(h) for h in s.top],
            }
            for s in speakers
        ],
    }


def person_dict(row: dict) -> dict:
    """One person of ``MetadataStore.speakers`` as JSON."""
    return {
        "person_id": row["person_id"],
        "name": row["name"],
        "roles": row["roles"],
        "groups": row["groups"],
        "affiliations": row["affiliations"],
        "labels": row["labels"],
        "meetings": row["meetings"],
        "remarks": row["remarks"],
    }
