"""Speaker lines recognised by their shape and by the document, not by a list of names.

A line that opens a turn in minutes as people get them takes one of a few shapes:

- ``○宮坂副知事`` / ``〇事務局(デジタルサービス局戦略部戦略課)``: a marker and a label, the speech on
  the next lines; or ``○村井座長　本日は…``: a marker, a label, a space and the speech;
- ``国分寺市`` / ``デジタル庁デジタル大臣政務官`` / ``東京都CIO``: a bare label over bullets or a paragraph.

Whether a candidate is a speaker is judged from evidence: the label's own shape (short, no
sentence punctuation, not a heading), what it says (a person known to the roster, a surname with
a title word, an office or organisation ending such as 市・区・庁・局・事務局), what follows it (bullets or
a paragraph, not another label), and the document (a label that recurs as a line of its own is a
speaker; a one-off short line is more likely a heading). The judge is shared by the text formats.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rag.models import Attendee
from rag.people import ORG_SUFFIXES, SECRETARIAT, compact, match_attendee, roster_body, split_label, split_name_role
from rag.tokenize import is_common_word, is_line_fragment

MARKS = "○〇◯"
_MARKED = re.compile(rf"^[{MARKS}]\s*(\S.*)$")
# ○ label, a space, then the speech: the label is one run of non-space characters.
_MARKED_INLINE = re.compile(r"^([^\s　：:。、]{1,30}?(?:[（(][^）)]{1,30}[）)])?)[\s　]+(\S.*)$")
_BULLET = re.compile(r"^[▪•・●◦\-*]\s*")
# Endings of a body that speaks as one: administrative units, ministries, bureaux, offices, councils.
# Not a bare 会: 開会 and 閉会 are agenda words.
OFFICE_SUFFIXES = (
    *ORG_SUFFIXES,
    "都",
    "道",
    "府",
    "県",
    "市",
    "区",
    "町",
    "村",
    "審議会",
    "議会",
    "協会",
    "連合会",
    "グループ",
)
# Title words that end a label which names someone by office (大臣政務官, 戦略部長, CIO).
TITLE_WORDS = (
    "大臣",
    "政務官",
    "知事",
    "市長",
    "区長",
    "町長",
    "村長",
    "局長",
    "部長",
    "課長",
    "室長",
    "次長",
    "参事",
    "委員長",
    "委員",
    "座長",
    "会長",
    "議長",
    "理事",
    "理事長",
    "構成員",
    "参考人",
    "説明員",
    "オブザーバー",
    "教授",
    "CIO",
    "CDO",
    "CTO",
    "CISO",
    "統括官",
    "審議官",
    "参与",
    "監",
)
_HEADING_END = re.compile(r"(について|に関して|に関する[^\s]{0,10}|等|など)$")
_KANJI_DIGITS = "0-9０-９一二三四五六七八九十"
_NUMBERED = re.compile(rf"^([（(]?[{_KANJI_DIGITS}]{{1,3}}[）).．、]|[①-⑳]|第[{_KANJI_DIGITS}]+)")
_SYMBOLS = re.compile(r"[\W_]+")
_DATE_LINE = re.compile(rf"^(?:同|[{_KANJI_DIGITS}]{{1,3}}月)月?[{_KANJI_DIGITS}]{{0,3}}日$")
_NOT_LABEL_CHARS = re.compile(r"[。、，,！？!?「」『』：:]")
_MAX_LABEL = 40
_MAX_BARE = 24


@dataclass(frozen=True)
class SpeakerLine:
    """A line judged to open a turn: the label as written and any speech on the same line."""

    label: str
    text: str = ""


def is_label_shaped(text: str) -> bool:
    """Short, no sentence punctuation or colon, not numbered, not a heading ending (…について), not a
    separator (――――◇―――――) or a date (十月二十日, 同日), which recur on lines of their own too."""
    text = text.strip()
    if not text or len(text) > _MAX_LABEL or _NOT_LABEL_CHARS.search(text) or _BULLET.match(text):
        return False
    if _SYMBOLS.fullmatch(text) or _DATE_LINE.match(compact(text)):
        return False
    bare, _ = split_label(text)
    if not bare or len(bare) > _MAX_BARE or len(bare.split()) > 3 or _NUMBERED.match(bare):
        return False
    return not _HEADING_END.search(compact(bare))


def is_known(label: str, roster: Sequence[Attendee]) -> bool:
    """Whether the roster names the label's person, or a body it lists people under (or the label
    is the secretariat)."""
    bare, _ = split_label(label)
    return (
        compact(bare) in SECRETARIAT or match_attendee(bare, roster)[0] is not None or bool(roster_body(bare, roster))
    )


def is_office(label: str) -> bool:
    """A label naming an office or a body (国分寺市, 事務局(…課), デジタルサービス局)."""
    key = compact(split_label(label)[0])
    return key in SECRETARIAT or key.endswith(OFFICE_SUFFIXES)


def has_title(label: str) -> bool:
    """A label ending in a title word (宮坂副知事, 深井戦略部長, デジタル大臣政務官, 東京都CIO)."""
    key = compact(split_label(label)[0])
    return key.endswith(TITLE_WORDS) or bool(split_name_role(key)[1])


def is_content(line: str | None) -> bool:
    """A line that can carry speech: a bullet, or a sentence-like line."""
    if line is None:
        return False
    if _BULLET.match(line):
        return True
    return (len(line) >= 8 and bool(re.search(r"[。．!?！？]", line))) or len(line) >= 30


class SpeakerJudge:
    """Judges candidate speaker lines against the evidence of one document and its roster."""

    def __init__(self, lines: Sequence[str], roster: Sequence[Attendee]) -> None:
        self.roster = list(roster)
        self._alone: Counter[str] = Counter()
        for i, line in enumerate(lines):
            label = _alone_label(line)
            if label and is_content(lines[i + 1] if i + 1 < len(lines) else None):
                self._alone[compact(label)] += 1

    def recurs(self, label: str) -> bool:
        """Whether ``label`` stands on a line of its own, over speech, more than once in the document."""
        return self._alone[compact(label)] >= 2

    def evidence(self, label: str) -> bool:
        """Whether anything beyond its shape says ``label`` names a speaker."""
        return is_known(label, self.roster) or is_office(label) or has_title(label) or self.recurs(label)

    def speaker(self, line: str, nxt: str | None) -> SpeakerLine | None:
        """The turn ``line`` opens, or None when it is speech, a heading or anything else."""
        marked = _MARKED.match(line)
        if marked:
            return self._marked(marked.group(1).strip(), nxt)
        if is_label_shaped(line) and is_content(nxt) and not _alone_label(nxt or "") and self.evidence(line):
            return None if is_line_fragment(line, nxt or "") else SpeakerLine(line)
        return None

    def _marked(self, rest: str, nxt: str | None) -> SpeakerLine | None:
        if is_label_shaped(rest):
            # A marked label alone: speech follows unless the next line is another label.
            if self.evidence(rest) or (nxt is not None and is_content(nxt) and _looks_like_name(rest)):
                return SpeakerLine(rest)
            return None
        inline = _MARKED_INLINE.match(rest)
        if inline and is_label_shaped(inline.group(1)) and self.evidence(inline.group(1)):
            return SpeakerLine(inline.group(1), inline.group(2).strip())
        return None


def _alone_label(line: str) -> str:
    """The label of a line that holds a label only (marked or bare), else ''."""
    marked = _MARKED.match(line)
    text = marked.group(1).strip() if marked else line.strip()
    return text if is_label_shaped(text) else ""


def _looks_like_name(label: str) -> bool:
    """Two to four kanji (a surname or a full name), not a common noun (防災, 結論), possibly with a note."""
    bare = split_label(label)[0]
    shaped = re.fullmatch(r"[\u4e00-\u9fff々ヶ]{2,4}(?:\s?[\u4e00-\u9fff々ヶ]{1,3})?", bare)
    return bool(shaped) and not is_common_word(compact(bare))


__all__ = [
    "MARKS",
    "SpeakerJudge",
    "SpeakerLine",
    "has_title",
    "is_content",
    "is_known",
    "is_label_shaped",
    "is_office",
]
