"""Speaker identity across meetings: 宮坂 学 in one set of minutes and 宮坂副知事 in another are
one person id, while different people who share a surname stay distinct.

A speaker known only by surname (the label gave no full name and the roster did not resolve it)
takes the id and full name of the one person with that surname, whose roles do not conflict, among
the full-named speakers of the same meeting and of the index. Two candidates, or a clash of roles
(宮坂委員 against 宮坂 学, 副知事), leave the surname-only speaker distinct.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from rag.models import Turn
from rag.people import ROLE_SUFFIXES, compact, person_id
from rag.query import role_words
from rag.text import nfkc

_GENERIC = {"委員", "小委員", "分科員", "君", "氏", "さん", "構成員"}
# Anonymised minutes name speakers by a letter (Ａ委員, C委員: name C) or by the role every member
# shares (委員：): the same label in two meetings is not the same person.
_PSEUDONYM = re.compile(r"[A-Za-z]|[0-9]{1,2}|[甲乙丙丁]|[○〇◯]{1,3}")
_SHARED_ROLES = _GENERIC | {"議員", "オブザーバー", "出席者", "発言者"}


def is_anonymous(name: str) -> bool:
    """Whether a speaker's name is a pseudonym (C) or a role many people share (委員), not a person's name."""
    key = compact(name)
    # a post alone (会長, 議長) where no roster named its holder: whoever held it at that meeting
    return bool(_PSEUDONYM.fullmatch(key)) or key in _SHARED_ROLES or key in ROLE_SUFFIXES


def scope_anonymous(turns: Iterable[Turn], *, meeting_id: str) -> tuple[Turn, ...]:
    """Turns whose anonymous speakers (``is_anonymous``) get an id of this meeting, so that who said
    what never adds up two meetings' Ａ委員 as one person."""
    out = []
    for turn in turns:
        s = turn.speaker
        if s.is_person and is_anonymous(s.name):
            turn = replace(turn, speaker=replace(s, person_id=person_id(f"{meeting_id}/{compact(s.name)}")))
        out.append(turn)
    return tuple(out)


@dataclass(frozen=True)
class Known:
    """A full-named person as the linker sees them."""

    person_id: str
    name: str
    roles: tuple[str, ...] = ()


def surname_of(name: str) -> str:
    """``宮坂 学`` → ``宮坂``; empty when the name is not written as surname and given name."""
    parts = nfkc(name).split()
    return parts[0] if len(parts) > 1 else ""


def is_surname_only(name: str) -> bool:
    """A name with no given name: one short run of characters (宮坂, 田野瀬)."""
    return bool(name) and " " not in nfkc(name).strip() and len(compact(name)) <= 4


def roles_agree(a: Iterable[str], b: Iterable[str]) -> bool:
    """False only when both sides name specific roles and none of them match."""
    words_a = {w for r in a for w in role_words(r)} - _GENERIC
    words_b = {w for r in b for w in role_words(r)} - _GENERIC
    return not words_a or not words_b or bool(words_a & words_b)


def candidates_for(surname: str, roles: Iterable[str], people: Iterable[Known]) -> list[Known]:
    """Full-named people with this surname whose roles do not conflict; one entry per person id."""
    roles = tuple(roles)
    found: dict[str, Known] = {}
    for person in people:
        full = compact(person.name)
        if full != surname and full.startswith(surname) and " " in person.name and roles_agree(roles, person.roles):
            found.setdefault(person.person_id, person)
    return list(found.values())


def link_turns(turns: Iterable[Turn], *, lookup: Callable[[str], list[Known]]) -> tuple[Turn, ...]:
    """Turns whose surname-only speakers are linked to the one full-named person they must be."""
    turns = tuple(turns)
    here = [
        Known(t.speaker.person_id, t.speaker.name, (t.speaker.role,))
        for t in turns
        if t.speaker.is_person and not is_surname_only(t.speaker.name)
    ]
    out = []
    cache: dict[tuple[str, str], Known | None] = {}
    for turn in turns:
        s = turn.speaker
        if not (s.is_person and is_surname_only(s.name)) or is_anonymous(s.name):
            out.append(turn)
            continue
        key = (compact(s.name), s.role)
        if key not in cache:
            found = candidates_for(compact(s.name), [s.role], [*here, *lookup(compact(s.name))])
            cache[key] = found[0] if len(found) == 1 else None
        match = cache[key]
        if match is None:
            out.append(turn)
        else:
            speaker = replace(s, name=match.name, person_id=match.person_id)
            out.append(replace(turn, speaker=speaker))
    return tuple(out)
