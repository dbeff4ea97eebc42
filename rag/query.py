"""Query understanding: a person or role named in a question becomes a speaker filter.

「宮坂副知事は防災について何と言ったか」, "What did Murai say about cloud outages?" and 「座長の発言」
name a speaker. The lexicon is built from the people in the index (full names, surnames, roles in
their labels and roster entries, and romaji readings of their names for English questions). The
inference is reported with the result and can be turned off per request.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from rag.people import NOT_A_KIND, ROLE_SUFFIXES, compact, split_name_role
from rag.romaji import to_romaji
from rag.text import nfkc

# Role words too common to point at one person (every member is a 委員, every Diet speaker a 君).
_GENERIC_ROLES = {
    "委員",
    "小委員",
    "分科員",
    "議員",
    "構成員",
    "君",
    "氏",
    "さん",
    "理事",
    "参考人",
    "公述人",
    "証人",
    "オブザーバー",
    "幹事",
    "教授",
    "准教授",
}
# English role phrases and the Japanese role words they mean; longest phrases are tried first.
ENGLISH_ROLES: dict[str, tuple[str, ...]] = {
    "vice governor": ("副知事",),
    "vice-governor": ("副知事",),
    "deputy governor": ("副知事",),
    "governor": ("知事",),
    "vice chair": ("副座長", "副委員長", "副会長", "副議長"),
    "vice chairman": ("副座長", "副委員長", "副会長", "副議長"),
    "chairperson": ("座長", "委員長", "会長", "議長"),
    "chairman": ("座長", "委員長", "会長", "議長"),
    "chair": ("座長", "委員長", "会長", "議長"),
    "speaker": ("議長",),
    "minister": ("大臣", "国務大臣"),
    "vice minister": ("副大臣",),
    "mayor": ("市長", "区長", "町長", "村長"),
    "deputy mayor": ("副市長",),
    "state minister": ("副大臣",),
    "deputy minister": ("副大臣",),
    "parliamentary vice-minister": ("大臣政務官", "政務官"),
    "parliamentary vice minister": ("大臣政務官", "政務官"),
    "director general": ("局長",),
    "bureau chief": ("局長",),
    "director": ("部長", "局長"),
    "section chief": ("課長",),
    "superintendent": ("教育長",),
}
_ENGLISH_ROLE_RE = re.compile(
    r"\b(?:the\s+)?(" + "|".join(re.escape(p) for p in sorted(ENGLISH_ROLES, key=len, reverse=True)) + r")s?\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]+")
_HONORIFIC_EN = re.compile(r"\b(?:mr|ms|mrs|dr|prof)\.?\s+$", re.IGNORECASE)
_ROLE_RE = re.compile("|".join(re.escape(r) for r in ROLE_SUFFIXES))
# A role after these words names a former holder (前の委員長, the former chair), whom the people
# holding it in the index are not: a question that names one restricts nothing by that role.
_FORMER = re.compile(r"(?:前|元|旧)の?$")
_FORMER_EN = re.compile(r"\b(?:former|previous|ex-?)\s*(?:the\s+)?$", re.IGNORECASE)
# Particles after a person (and an honorific) that make them the one addressed or talked about,
# not the speaker: 宮坂副知事への質問, 大臣に対する質疑, 参考人について, 委員長を選任. から (from: an
# answer, or a hearing the chair announces) and の (their remark, or a remark about them) say
# neither, so they are read as naming the speaker.
_NOT_SPEAKER = re.compile(r"(?:さん|氏|君|様)?(?:へ|に対[しす]|について|に関[しす]|をめぐ|を)")
_ROLE_AFTER = re.compile("|".join(map(re.escape, ROLE_SUFFIXES)))
# The same in English: a name after to, about, for … (a question to Murai, a report about him), or
# the subject of a passive (Otsu is nominated as chair). A past participle is read from its ending,
# so "Murai is concerned" is not read as naming the speaker either: a search left unrestricted
# can still find his remark, where one restricted to the wrong person cannot.
_TO_EN = re.compile(r"\b(?:to|towards?|about|regarding|concerning|on|against|for)\s+$", re.IGNORECASE)
_PASSIVE_EN = re.compile(r"\s+(?:is|was|were|are|be|been|being|gets|got)\s+(?:\w+\s+)?\w+(?:ed|en)\b", re.IGNORECASE)
# A role word names one person only if few people hold it; 座長 does, 部長 across a city may not.
MAX_ROLE_PEOPLE = 3


@dataclass(frozen=True)
class Person:
    """A person in the index as the lexicon sees them."""

    person_id: str
    name: str
    roles: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inferred:
    """A speaker inferred from a question: who, from which words, and the question without them."""

    person_ids: tuple[str, ...]
    names: tuple[str, ...]
    mention: str
    via: str
    query: str


def role_words(text: str) -> list[str]:
    """Role words in a role or label, longest match first (副知事 is not also 知事)."""
    return _ROLE_RE.findall(nfkc(text))


# A role that ends in another names a kind of it (国務大臣 is a 大臣, 担当部長 a 部長), except a deputy's
# or an associate's (people.NOT_A_KIND: 副大臣 is no 大臣, 准教授 no 教授).
@cache
def broader_roles(role: str) -> tuple[str, ...]:
    """The role words that ``role`` is a kind of: ``国務大臣`` → ``(大臣,)``, as "minister" means either.
    Cached: a lexicon asks for every person's roles, and people share a few dozen."""
    return tuple(
        word
        for word in ROLE_SUFFIXES
        if len(word) < len(role) and role.endswith(word) and not role[: -len(word)].endswith(NOT_A_KIND)
    )


def word_at(text: str, word: str, bounds: set[int] | None) -> int:
    """Where ``word`` first occurs in ``text`` as whole words (starting and ending on ``bounds``, the
    offsets where the text's words begin and end), or -1; anywhere when ``bounds`` is None."""
    at = text.find(word)
    while at >= 0 and bounds is not None and not (at in bounds and at + len(word) in bounds):
        at = text.find(word, at + 1)
    return at


class SpeakerLexicon:
    """Names, surnames, romaji and role words of the people in an index.

    ``segment`` splits a question into its words (SudachiPy's surfaces): a name counts only where it
    is whole words, so 大津 is not found in 大津波 nor 小野 in 小野寺. Without it, any occurrence counts.
    """

    def __init__(
        self,
        people: Iterable[Person],
        *,
        read: Callable[[str], str] | None = None,
        segment: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.people = {p.person_id: p for p in people}
        self.segment = segment
        self.names: dict[str, set[str]] = defaultdict(set)
        self.roles: dict[str, set[str]] = defaultdict(set)
        self.romaji: dict[str, set[str]] = defaultdict(set)
        for p in self.people.values():
            self._add(p, read)

    def _add(self, person: Person, read: Callable[[str], str] | None) -> None:
        parts = nfkc(person.name).split()
        self.names[compact(person.name)].add(person.person_id)
        if len(parts) > 1 and len(parts[0]) >= 2:
            self.names[parts[0]].add(person.person_id)
        for label in person.labels:
            bare, role = split_name_role(compact(label))
            if len(bare) >= 2 and bare in compact(person.name):
                self.names[bare].add(person.person_id)
            if role:
                for word in (role, *broader_roles(role)):
                    self.roles[word].add(person.person_id)
        for role in person.roles:
            for word in role_words(role):
                for each in (word, *broader_roles(word)):
                    self.roles[each].add(person.person_id)
        if read is not None:
            for part in parts:
                romaji = to_romaji(read(part))
                if len(romaji) >= 3:
                    self.romaji[romaji].add(person.person_id)

    def infer(self, question: str) -> Inferred | None:
        """The speaker a question names, or None."""
        text = nfkc(question)
        if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text):
            return self._infer_japanese(text)
        return self._infer_english(text)

    def _bounds(self, key: str) -> set[int] | None:
        """Offsets where the words of ``key`` begin and end (None without a segmenter, or where its
        words do not spell ``key`` back)."""
        if self.segment is None:
            return None
        words = self.segment(key)
        if "".join(words) != key:
            return None
        ends = itertools.accumulate(len(w) for w in words)
        return {0, *ends}

    def _infer_japanese(self, text: str) -> Inferred | None:
        key = compact(text)
        bounds = self._bounds(key)
        found = {name: at for name in self.names if (at := word_at(key, name, bounds)) >= 0}
        if found:
            return self._by_name(key, found)
        mentions = list(_ROLE_RE.finditer(key))
        excluded = {
            m.group(0) for m in mentions if _FORMER.search(key[: m.start()]) or _NOT_SPEAKER.match(key, m.end())
        }
        role_hits = [
            r for m in mentions if (r := m.group(0)) not in _GENERIC_ROLES and r in self.roles and r not in excluded
        ]
        for role in role_hits:
            pids = self.roles[role]
            if len(pids) <= MAX_ROLE_PEOPLE:
                return self._result(set(pids), role, "role", key.replace(role, "", 1))
        return None

    def _by_name(self, key: str, found: dict[str, int]) -> Inferred | None:
        """The speaker among the names ``found`` in ``key`` (name → where): the longest one named
        as a speaker, narrowed by the role written after it; None when every name is addressed."""
        speakers = {}
        for name, at in found.items():
            follow = _ROLE_AFTER.match(key, at + len(name))
            mention = name + (follow.group(0) if follow else "")
            if not _NOT_SPEAKER.match(key, at + len(mention)):
                speakers[name] = (at, mention, follow.group(0) if follow else "")
        if not speakers:
            return None
        name = max(speakers, key=len)
        at, mention, role = speakers[name]
        pids = set(self.names[name])
        if role and len(pids) > 1 and self.roles.get(role, set()) & pids:
            pids &= self.roles[role]
        return self._result(pids, mention, "name", key[:at] + key[at + len(mention) :])

    def _infer_english(self, text: str) -> Inferred | None:
        named = False
        for match in _WORD.finditer(text):
            pids = self.romaji.get(match.group(0).lower())
            if pids:
                named = True
                start = match.start()
                prefix = _HONORIFIC_EN.search(text[:start])
                if prefix:
                    start = prefix.start()
                if _TO_EN.search(text[:start]) or _PASSIVE_EN.match(text, match.end()):
                    continue  # a question to or about them, or something done to them
                rest = (text[:start] + text[match.end() :]).strip()
                return self._result(set(pids), text[start : match.end()], "name", rest)
        if named:
            return None
        role = _ENGLISH_ROLE_RE.search(text)
        if role and not _FORMER_EN.search(text[: role.start()]):
            pids = set().union(*(self.roles.get(r, set()) for r in ENGLISH_ROLES[role.group(1).lower()]))
            if pids and len(pids) <= MAX_ROLE_PEOPLE:
                rest = (text[: role.start()] + text[role.end() :]).strip()
                return self._result(pids, role.group(0), "role", rest)
        return None

    def _result(self, pids: set[str], mention: str, via: str, rest: str) -> Inferred:
        ordered = tuple(sorted(pids))
        rest = re.sub(r"\s+", " ", rest).strip()
        return Inferred(
            person_ids=ordered,
            names=tuple(self.people[p].name for p in ordered),
            mention=mention,
            via=via,
            query=rest if len(re.sub(r"\W", "", rest)) >= 2 else "",
        )
