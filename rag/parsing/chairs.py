"""The person behind a chair named by its post alone.

Verbatim minutes name the chair in full once (``○議長（田中次郎君）``) and then by the post alone
(``○議長　市長。``). With no roster entry for the post, those turns had the post for a name, so
who-said-what never found them under 田中次郎. A post that one person holds at a time takes the
person who last spoke under it with a name, or, before anyone has, the one person who does in the
meeting. Posts that several hold at once (副委員長, 副知事, 委員, 理事) are left as they are.
"""

from __future__ import annotations

from dataclasses import replace

from rag.models import ParsedMinutes, Speaker, Turn

# Posts one person holds at a time in a sitting; a 臨時議長 is a post of its own
CHAIRS = frozenset(
    {
        "議長",
        "委員長",
        "座長",
        "会長",
        "部会長",
        "分科会長",
        "小委員長",
        "知事",
        "市長",
        "区長",
        "町長",
        "村長",
        "教育長",
    }
)


def _post_only(speaker: Speaker) -> bool:
    return speaker.is_person and speaker.role in CHAIRS and speaker.name == speaker.role


def _named(speaker: Speaker) -> bool:
    return speaker.is_person and speaker.role in CHAIRS and bool(speaker.name) and speaker.name != speaker.role


def with_chairs_named(parsed: ParsedMinutes) -> ParsedMinutes:
    """``parsed`` with each turn whose speaker is a chair's post alone given the person in that chair."""
    turns = parsed.turns
    if not any(_post_only(t.speaker) for t in turns):
        return parsed
    # each chair's one holder in the sitting, for its turns before anyone is named in it
    holders: dict[str, dict[str, Speaker]] = {}
    for speaker in (t.speaker for t in turns if _named(t.speaker)):
        holders.setdefault(speaker.role, {}).setdefault(speaker.person_id or speaker.name, speaker)
    sole = {role: next(iter(people.values())) for role, people in holders.items() if len(people) == 1}
    current: dict[str, Speaker] = {}
    named: list[Turn] = []
    for turn in turns:
        speaker = turn.speaker
        if _named(speaker):
            current[speaker.role] = speaker
        elif _post_only(speaker):
            holder = current.get(speaker.role) or sole.get(speaker.role)
            if holder is not None:
                turn = replace(turn, speaker=replace(holder, label=speaker.label))
        named.append(turn)
    return replace(parsed, turns=tuple(named))
