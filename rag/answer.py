"""Extractive answers with citations: the sentences of the top remarks that answer a question,
grouped and attributed by speaker, each quote cut verbatim from the remark it cites.

Whether a remark answers at all is judged from two pieces of evidence: how far its dense score
stands above the question's similarity to a typical passage (the mean over a fixed random sample
of the corpus: an off-topic question finds the best passage hardly nearer than any other), and
how much of the question's IDF mass its best passage contains. Below the floor the answer says
plainly that nothing relevant was found instead of stitching unrelated sentences together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rag.chunking import sentence_spans
from rag.embedding.encoder import query_language
from rag.models import Hit, Remark
from rag.retrieval import SearchResult
from rag.settings import Settings

# Remarks quoted (hedged) for a question about a named speaker when none clears the floor.
_SCOPED_FALLBACK = 3
# Longest verbatim quote; a longer sentence is cut (still verbatim) and marked with … in the answer.
MAX_QUOTE_CHARS = 240
# Sentences on either side of the best passage that a quote may come from.
QUOTE_REACH = 2


@dataclass(frozen=True)
class Citation:
    """One quote: its number in the answer, the remark it comes from, and the verbatim text."""

    number: int
    remark: Remark
    quote: str
    evidence: float


@dataclass(frozen=True)
class Answer:
    """An extractive answer; ``status`` is ``answered``, ``related`` (hedged) or ``not_found``."""

    question: str
    language: str
    status: str
    text: str
    citations: list[Citation]
    result: SearchResult


def speaker_line(remark: Remark) -> str:
    """``宮坂 学（東京都副知事）`` — the attribution used in answers."""
    s = remark.speaker
    return f"{s.display}（{s.role}）" if s.role else s.display


def evidence(hit: Hit, *, result: SearchResult, coverage: float, second_weight: float = 0.0) -> float:
    """How strongly a hit answers: its dense margin over a typical passage plus a share of IDF
    coverage, or, where stronger, the second leg's margin scaled to the first's by ``second_weight``.

    The second leg (USE) tells an English question's answer from an off-topic question's best
    passage where e5's cross-lingual margins and an English question's Japanese terms cannot."""
    margin = _margin(hit, result, "dense") + 0.1 * coverage
    if not second_weight or "second" not in hit.scores or "second" not in result.baselines:
        return margin
    return max(margin, second_weight * _margin(hit, result, "second"))


def _margin(hit: Hit, result: SearchResult, leg: str) -> float:
    baseline = result.baselines.get(leg, 0.0)
    return hit.scores.get(leg, baseline) - baseline


def idf_coverage(question_terms: dict[str, float], text_terms: set[str]) -> float:
    """The share of the question's IDF mass that a text contains."""
    total = sum(question_terms.values())
    return sum(w for t, w in question_terms.items() if t in text_terms) / total if total else 0.0


def pick_quote(
    remark: Remark,
    passage: str,
    *,
    question_terms: dict[str, float],
    tokenize: Callable[[str], list[str]],
    max_sentences: int,
) -> str:
    """The best run of up to ``max_sentences`` sentences of a remark, verbatim.

    A sentence scores by the question's IDF mass it contains, plus one if it lies in the passage
    that retrieval ranked best (the only signal for an English question over Japanese text).
    """
    text = remark.text
    spans = sentence_spans(text)
    if not spans:
        return text[:MAX_QUOTE_CHARS]
    scores = [1.0 if text[a:b] in passage else 0.0 for a, b in spans]
    inside = [i for i, s in enumerate(scores) if s]
    # Only sentences near the passage are read: a Diet speech of 80 sentences tokenized whole cost
    # most of an answer's time, and the quote belongs where retrieval found the remark relevant.
    lo, hi = (inside[0] - QUOTE_REACH, inside[-1] + QUOTE_REACH) if inside else (0, len(spans) - 1)
    for i in range(len(spans)):
        if not lo <= i <= hi:
            scores[i] = -1.0
        elif question_terms:
            present = set(tokenize(text[spans[i][0] : spans[i][1]]))
            scores[i] += sum(w for t, w in question_terms.items() if t in present)
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    lo = hi = best
    while hi - lo + 1 < max_sentences:
        after = scores[hi + 1] if hi + 1 < len(spans) else -1.0
        before = scores[lo - 1] if lo > 0 else -1.0
        if max(after, before) <= 0:
            break
        if after >= before:
            hi += 1
        else:
            lo -= 1
        if spans[hi][1] - spans[lo][0] > MAX_QUOTE_CHARS:
            lo, hi = (lo + 1, hi) if before > after else (lo, hi - 1)
            break
    start, end = spans[lo][0], spans[hi][1]
    return text[start : min(end, start + MAX_QUOTE_CHARS)]


# Which of some terms each of some passages holds (``LexicalIndex.holding``).
Holding = Callable[[list[str], list[int]], dict[int, set[str]]]


def passage_terms(
    hits: list[Hit], terms: list[str], *, tokenize: Callable[[str], list[str]], holding: Holding | None
) -> list[set[str]]:
    """The terms of each hit's passage: from the lexical index's postings where it can say (the
    passage was tokenized when indexed; 1.2–1.6 ms of SudachiPy an answer saved), else tokenized here."""
    known = holding(terms, [h.passage_id for h in hits if h.passage_id is not None]) if holding else {}
    return [
        known[h.passage_id] if h.passage_id is not None and h.passage_id in known else set(tokenize(h.passage))
        for h in hits
    ]


def compose(
    *,
    question: str,
    result: SearchResult,
    tokenize: Callable[[str], list[str]],
    idf: Callable[[list[str]], dict[str, float]],
    settings: Settings,
    holding: Holding | None = None,
) -> Answer:
    """The extractive answer to ``question`` from a search ``result``."""
    language = query_language(question)
    terms = idf(list(dict.fromkeys(tokenize(question))))
    hits = result.hits[: settings.answer_remarks]
    present = passage_terms(hits, list(terms), tokenize=tokenize, holding=holding)
    scored = [
        (
            hit,
            evidence(
                hit, result=result, coverage=idf_coverage(terms, held), second_weight=settings.answer_second_evidence
            ),
        )
        for hit, held in zip(hits, present, strict=True)
    ]
    chosen = [(h, e) for h, e in scored if e >= settings.answer_min_evidence]
    if not chosen and (result.filters.speaker or result.filters.persons):
        # The question names who spoke: their closest remarks are worth showing, hedged as such.
        chosen = scored[:_SCOPED_FALLBACK]
    citations = [
        Citation(
            number=i,
            remark=hit.remark,
            quote=pick_quote(
                hit.remark,
                hit.passage,
                question_terms=terms,
                tokenize=tokenize,
                max_sentences=settings.answer_sentences,
            ),
            evidence=strength,
        )
        for i, (hit, strength) in enumerate(chosen, start=1)
    ]
    if not citations:
        status = "not_found"
    elif max(c.evidence for c in citations) >= settings.answer_confident_evidence:
        status = "answered"
    else:
        status = "related"
    text = render(question=question, language=language, status=status, citations=citations, result=result)
    return Answer(question, language, status, text, citations, result)


_FRAMES = {
    ("ja", "answered"): "「{q}」について、{n}人の発言がありました。",
    ("ja", "related"): "「{q}」に直接答える発言は見つかりませんでしたが、近い内容の発言が{n}人からありました。",
    ("ja", "not_found"): "「{q}」に関係する発言は、検索した議事録には見つかりませんでした。",
    ("en", "answered"): "{n} speaker(s) addressed this in the minutes (quoted in the original Japanese):",
    ("en", "related"): "No remark answers this directly; the closest remarks, from {n} speaker(s), are:",
    ("en", "not_found"): "Nothing in the indexed minutes addresses this question.",
}
_SCOPE = {
    "ja": "（質問から発言者を「{who}」に絞って検索しました）",
    "en": "(The question names {who}, so only their remarks were searched.)",
}


def render(*, question: str, language: str, status: str, citations: list[Citation], result: SearchResult) -> str:
    """The answer text: a framing line in the question's language, then quotes grouped by speaker."""
    lang = "en" if language == "en" else "ja"
    by_speaker: dict[str, list[Citation]] = {}
    for c in citations:
        by_speaker.setdefault(speaker_line(c.remark), []).append(c)
    q = question.strip()
    lines = [_FRAMES[(lang, status)].format(q=q if len(q) <= 60 else q[:60] + "…", n=len(by_speaker))]
    if result.inferred is not None:
        lines.append(_SCOPE[lang].format(who="、".join(result.inferred.names)))
    for who, cs in by_speaker.items():
        quotes = " ".join(f"「{_shown(c)}」[{c.number}]" for c in cs)
        lines.append(f"- {who}: {quotes}" if lang == "en" else f"{who}: {quotes}")
    return "\n".join(lines)


def _shown(c: Citation) -> str:
    return c.quote + ("…" if not c.remark.text.endswith(c.quote) and len(c.quote) >= MAX_QUOTE_CHARS else "")
