"""The Diet minutes API's JSON (``meetingRecord[].speechRecord[]``), one meeting per record.

speechOrder 0 is the roster (会議録情報); each other speech starts ``○田野瀬委員長　``. The API gives
some fields as numbers and this sample gives strings, so every field is read as text.

A response of the meeting API holds up to ten meetings, and one of the speech API (``speechRecord[]``
at the top, each speech naming its meeting) speeches of many: ``split`` cuts either into one
single-meeting document per meeting, which is what ``parse`` reads.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from rag.errors import ParseError
from rag.models import Attendee, Meeting, ParsedMinutes, Speaker, Turn
from rag.parsing.base import Source, json_or_none, load_json, meeting_id_for, no_turns, wrong_shape
from rag.parsing.speech import (
    agenda_topic,
    parse_agenda_block,
    parse_kanji_roster,
    split_speaker_prefix,
    strip_stage_directions,
)
from rag.people import compact, person_id, split_label
from rag.text import find_time_range

name = "kokkai"

# Where speechOrder 0 lists who attended: 出席委員 (the House of Representatives), 出席者は左のとおり。
# (the House of Councillors). Before it, the committee's membership at the session's start; after
# it, 委員の異動 and the agenda, whose prose names people too (…君辞任につき、その補欠として…). A
# subcommittee lists 出席小委員, a budget committee's section 出席分科員.
_ATTENDANCE = re.compile(r"^[ 　]*(?:出席(?:小?委員|分科員|議員)|出席者は左のとおり。?)[ 　]*$", re.M)
_ATTENDANCE_END = re.compile(r"^[ 　]*(?:委員の異動|本日の会議に付した(?:案件|事件)|[―─━]{3,})", re.M)
# Where the business begins: a plenary's order of business, or the items of the sitting
_BUSINESS = re.compile(r"^[ 　]*[○〇]?[ 　]*(?:議事日程|本日の会議に付した(?:案件|事件))", re.M)
_DIVIDER = re.compile(r"^[ 　]*[…‥・.．]{3,}[ 　]*$", re.M)  # …… between the members and the government's side
# A post alone on its line over the names it covers (参議院: 理事, then 加田 裕之君, 上月 良祐君)
_POST_LINES = ("委員長", "理事", "委員", "会長", "副会長", "議長", "副議長", "幹事")  # 幹事: a 審査会's
# A group alone on its line (参議院: 国務大臣, 副大臣, 事務局側, 政府参考人, a public hearing's 公述人,
# a 証人, and a bill's movers who are no members of the committee: 委員以外の議員, 衆議院議員; and the
# House of Representatives' 委員外の出席者: the Speaker, the clerks and other committees' members at
# the sitting, and a subcommittee's or a section's 小委員外出席者, 分科員外の出席者)
_GROUP_LINE = re.compile(
    r"^(?:出席)?(国務大臣|副大臣|大臣政務官|政府特別補佐人|政府委員|政府参考人|参考人|公述人|証人|説明員"
    r"|\S{0,6}側|委員以外の議員|[衆参]議院議員|(?:小?委員|分科員)外の?出席者)$"
)

# ○斎藤（ア）委員: members who share a surname told apart by their given name's first sound or character
_DISAMBIGUATION = re.compile(r"^[（(][^）)]{1,3}[）)]")


def _str(value: object) -> str:
    return "" if value is None else str(value).strip()


def sniff(source: Source) -> float:
    """The API's JSON has ``meetingRecord`` and ``speechRecord`` keys, or, where a search matched
    nothing, its ``numberOfRecords`` alone."""
    head = source.text[:5000]
    if '"meetingRecord"' in head and "speechRecord" in source.text:
        return 0.95
    return 0.9 if head.lstrip().startswith("{") and '"numberOfRecords"' in head else 0.0


# The fields of a speech-API speech that describe its meeting, not the speech.
_MEETING_FIELDS = ("issueID", "imageKind", "searchObject", "session", "nameOfHouse", "nameOfMeeting", "issue", "date")
_MEETING_URLS = ("meetingURL", "pdfURL")


def split(data: bytes, name: str) -> list[tuple[bytes, str]]:
    """One ``(document, name)`` per meeting in a Diet API response; ``[(data, name)]`` for anything else.

    Parts are named ``name#1``, ``name#2``… in the response's order, so that each is reported and
    skipped when unchanged on its own.
    """
    head = data[:5000]
    if b'"meetingRecord"' not in head and b'"speechRecord"' not in head:
        return [(data, name)]
    loaded = json_or_none(data)  # not JSON: the parser says what is wrong with it
    records = _records(loaded)
    if records is None or (len(records) == 1 and isinstance(loaded, dict) and "meetingRecord" in loaded):
        return [(data, name)]
    if len(records) == 1 and isinstance(loaded, list):  # a bare list of one: the file itself, as a response
        return [(json.dumps({"meetingRecord": records}, ensure_ascii=False).encode(), name)]
    return [
        (json.dumps({"meetingRecord": [record]}, ensure_ascii=False).encode(), f"{name}#{i}")
        for i, record in enumerate(records, start=1)
    ]


def _records(loaded: object) -> list[dict] | None:
    """The meetings of a meeting-API or speech-API response, or of a bare list of meeting records (the
    ``meetingRecord`` list saved alone), or None for JSON of another shape."""
    if isinstance(loaded, list) and loaded and all(isinstance(m, dict) and "speechRecord" in m for m in loaded):
        return loaded
    if not isinstance(loaded, dict):
        return None
    meetings = loaded.get("meetingRecord")
    if isinstance(meetings, list) and meetings and all(isinstance(m, dict) for m in meetings):
        return meetings
    speeches = loaded.get("speechRecord")
    if not isinstance(speeches, list) or not speeches or not all(isinstance(s, dict) for s in speeches):
        return None
    grouped: dict[str, dict] = {}
    for speech in speeches:
        key = _str(speech.get("issueID")) or " ".join(_str(speech.get(f)) for f in _MEETING_FIELDS)
        record = grouped.get(key)
        if record is None:
            record = grouped[key] = {f: speech[f] for f in (*_MEETING_FIELDS, *_MEETING_URLS) if f in speech}
            record["speechRecord"] = []
        record["speechRecord"].append({k: v for k, v in speech.items() if k not in _MEETING_FIELDS})
    return list(grouped.values())


def _load(source: Source) -> list[dict]:
    data = load_json(source.text, source.name)
    records = data.get("meetingRecord") if isinstance(data, dict) else None
    if isinstance(data, dict) and not records and "numberOfRecords" in data:
        found = _records(data)  # a speech-API response, which split() regroups by meeting
        if found:
            return found
        if _str(data.get("numberOfRecords")) in ("0", ""):
            raise ParseError(
                f"{source.name}: this Diet API response holds no meetings (numberOfRecords 0): its search matched none",
                details={"file": source.name, "reason": "no_meetings"},
            )
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        raise ParseError(f"{source.name}: no meetingRecord or speechRecord list in this Diet API JSON")
    return records


def is_diet_attendance(text: str) -> bool:
    """Whether ``text`` (a record's header) lists its attendance as the Diet's speechOrder 0 does:
    the House of Councillors' 出席者は左のとおり, or the House of Representatives' 出席委員 whose
    members a dotted rule parts from the ministers and staff."""
    start = _ATTENDANCE.search(text)
    if start is None:
        return False
    return "出席者は左" in start.group() or _DIVIDER.search(text, start.end()) is not None


def parse_diet_roster(text: str) -> list[Attendee]:
    """Who attended, from speechOrder 0: the members (group 委員) under their posts, then the
    government's side and the staff, each once; the whole text where it has no attendance list."""
    start = _ATTENDANCE.search(text)
    if start is None:  # no list: names before the business (the agenda's bills name their movers 君)
        business = _BUSINESS.search(text)
        return parse_kanji_roster(text[: business.start()] if business else text, group="委員")
    end = _ATTENDANCE_END.search(text, start.end())
    # a member with no post is what the list's head calls its members: 委員, 小委員, 分科員, 議員
    member = next((word for word in ("小委員", "分科員", "議員") if word in start.group()), "委員")
    people: dict[str, Attendee] = {}
    group, post, wrapped = "委員", "", ""
    bracketed = False  # the group's people are listed by their posts in brackets (政府参考人)
    lines = text[start.end() : end.start() if end else len(text)].split("\n")
    for i, raw in enumerate(lines):
        line = wrapped + raw.strip(" 　")
        unspaced = re.sub(r"[ 　]", "", line)  # 理　事: a post set out over the width of 委員長
        wrapped = ""
        if _DIVIDER.match(line):
            group, post = "", ""  # the ministers and the committee's staff, named by their posts
        elif unspaced in _POST_LINES:
            post = unspaced
        elif group_line := _GROUP_LINE.match(line):  # older records head them 出席国務大臣, 出席政府委員
            group, post, bracketed = group_line.group(1), "", False
        elif _wraps(raw, lines[i + 1] if i + 1 < len(lines) else "") or _unclosed(line):
            wrapped = line
        elif line and "君" not in line and _bracketed_post(lines, i):
            group, post, bracketed = line, "", False  # 会計検査院当局者 over (会計検査院事務総局第一局長)　某君
        else:
            opens_bracket = line.startswith(("（", "("))
            if bracketed and "君" in line and not re.search(r"[（()）]", line):
                group = ""  # 予算委員会専門員 after the 政府参考人: the committee's staff, no group's
            bracketed = bracketed or opens_bracket
            for person in parse_kanji_roster(line, group=group):
                # 兼務 before a name: a member of another section who sits in this one as well
                role = "" if person.role == "兼務" else person.role
                role = role or post or (member if group == "委員" else "")
                people.setdefault(compact(person.name), replace(person, role=role))
    return list(people.values())


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" 　"))


def _wraps(line: str, following: str) -> bool:
    """Whether ``line`` is the start of a post that the printed page ran over into ``following``
    (``文部科学省初等`` over ``中等教育局長   矢野 和彦君``): no name of its own, and the next line
    goes on in the same column with one. A group's line (国務大臣) stands left of its posts."""
    stripped = line.strip(" 　")
    rest = following.strip(" 　")
    return (
        bool(stripped)
        and "君" not in stripped
        and "君" in rest
        and not rest.startswith(("（", "("))
        and _indent(line) == _indent(following)
    )


def _unclosed(line: str) -> bool:
    """Whether ``line`` opens a post in brackets that the next line closes (（文部科学省大臣官房 over
    審議官）　山田 太郎君, indented to the bracket's inside rather than to its column)."""
    return line.startswith(("（", "(")) and not re.search(r"[）)]", line) and "君" not in line


def _bracketed_post(lines: list[str], i: int) -> bool:
    """Whether the next non-blank line after ``lines[i]`` opens with a post in brackets, as the
    House of Representatives lists each 政府参考人 under the group's line."""
    following = next((line.strip(" 　") for line in lines[i + 1 :] if line.strip(" 　")), "")
    return following.startswith(("（", "("))


def _speaker(speech: dict, label: str, *, member: str) -> Speaker:
    """The speaker of ``speech``; ``member`` is the role of one labelled by name and 君 alone."""
    full = _str(speech.get("speaker"))
    common = 0
    while common < min(len(full), len(label)) and full[common] == label[common]:
        common += 1
    api_role = _str(speech.get("speakerRole"))
    # ○委員長（豊田俊郎君）: the title before the brackets, where the API gives no role
    role = _DISAMBIGUATION.sub("", label[common:]) if common else api_role or split_label(label)[0]
    if role == "君":
        # The House of Councillors' committees and both houses' plenaries label a member by name
        # and honorific alone (○石垣のりこ君, ○泉健太君)
        role = api_role or member
    return Speaker(
        label=label or full,
        name=full or label,
        role=role or _str(speech.get("speakerPosition")),
        group=_str(speech.get("speakerGroup")),
        affiliation=_str(speech.get("speakerPosition")),
        person_id=person_id(full or label),
    )


def _meeting(record: dict, source: Source, roster: list[Attendee]) -> Meeting:
    house, body, issue = (_str(record.get(k)) for k in ("nameOfHouse", "nameOfMeeting", "issue"))
    # Records of a local assembly written in the Diet API's shape name their council and a session
    # in words: 広島市, 令和8年第3回定例会
    house = house or _str(record.get("municipality"))
    session = _str(record.get("session"))
    title = " ".join(x for x in (f"第{session}回国会" if session.isdigit() else session, house, body, issue) if x)
    date = _str(record.get("date"))
    return Meeting(
        meeting_id=meeting_id_for(title, date),
        title=title,
        date=date,
        place=house,
        attendees=tuple(roster),
        url=_str(record.get("meetingURL")),
        source_format=name,
        source_name=source.name,
        content_hash=source.content_hash,
    )


def _parse_record(record: dict, source: Source) -> ParsedMinutes:
    speeches = sorted(record.get("speechRecord") or [], key=lambda s: int(_str(s.get("speechOrder")) or 0))
    roster: list[Attendee] = []
    agenda: list[str] = []
    turns: list[Turn] = []
    opened = ""  # 午後零時十一分開議 under the day, in the roster
    topic = _str(record.get("nameOfMeeting"))
    member = "議員" if "本会議" in topic else "委員"
    for speech in speeches:
        text = _str(speech.get("speech"))
        if _str(speech.get("speechOrder")) in ("0", ""):
            roster = parse_diet_roster(text)
            agenda = parse_agenda_block(text)
            opened = find_time_range(text)[0]
            continue
        label, body = split_speaker_prefix(text)
        body = strip_stage_directions(body)
        if not body:
            continue
        topic = agenda_topic(body, agenda, topic)
        turns.append(
            Turn(
                order=len(turns) + 1,
                speaker=_speaker(speech, label, member=member),
                topic=topic,
                text=body,
                source_id=_str(speech.get("speechID")),
                url=_str(speech.get("speechURL")),
            )
        )
    if not turns:
        raise _without_text(source.name) if not any("speech" in s for s in speeches) else no_turns(source.name)
    meeting = replace(
        _meeting(record, source, roster),
        start_time=opened,
        agenda=tuple(agenda),
        topics=tuple(dict.fromkeys(t.topic for t in turns if t.topic)),
    )
    return ParsedMinutes(meeting=meeting, turns=tuple(turns))


def _without_text(name: str) -> ParseError:
    """The error for a response whose speeches carry no text: the meeting_list API's, which lists
    each meeting's speakers and speech ids only."""
    return ParseError(
        f"{name}: this Diet API response lists speeches without their text, as the meeting_list API "
        "returns them; fetch the same meetings from the meeting API (https://kokkai.ndl.go.jp/api/meeting?…) "
        "or their speeches from the speech API (…/api/speech?…)",
        details={"file": name, "reason": "no_speech_text"},
    )


def parse(source: Source) -> ParsedMinutes:
    """Parse a single-meeting response; one of several meetings is refused (``split`` it first)."""
    records = _load(source)
    if len(records) > 1:
        raise ParseError(
            f"{source.name}: this Diet API response holds {len(records)} meetings; "
            "ingest reads each on its own (rag.parsing.parse_all reads them all)",
            details={"file": source.name, "reason": "several_meetings", "meetings": len(records)},
        )
    record = records[0]
    try:
        return _parse_record(record, source)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
        # JSON of another shape (a record or speech that is not an object, a list where text goes)
        raise wrong_shape(source.name, exc) from exc
