"""A JSON list of ``{Speaker, Utterance}`` (the assembly sample, from the PoliInfo dataset).

``{Date, Prefecture, ProceedingTitle, URL, Proceeding: [...]}``; the first utterance, with Speaker
``"null"``, is the header: room, time, a roster written as ``委員長大津　浩子君`` and the agenda
(本日の会議に付した事件). A plenary sitting's header opens with the day instead of a room and
lists its order of business under 議事日程.
A JSON list of such objects holds several meetings: ``split`` cuts it into one document each, as it
cuts a list of utterance records (one per line of the minutes) into one proceeding per sitting.
Later PoliInfo releases write the keys in lower camel case (``proceedingTitle``, ``proceeding``,
``speaker``, ``utterance``), add ``speakerPosition`` (the post) and ``localGovernmentName``, and
bundle local and Diet minutes as ``{"local": [...], "diet": [...]}``: ``split_bundle`` cuts that
into one document per meeting, each read by its own format.
"""

from __future__ import annotations

import json
import re

from rag.errors import ParseError
from rag.models import Attendee, Meeting, ParsedMinutes, Turn
from rag.parsing.base import Source, json_or_none, load_json, meeting_id_for, no_turns, wrong_shape
from rag.parsing.speech import agenda_topic, parse_kanji_roster, split_speaker_prefix, strip_stage_directions
from rag.people import compact, resolve_speaker
from rag.text import ERAS, find_date, find_time_range

name = "assembly-json"

_NO_SPEAKER = ("null", "None", "")
_HONORIFIC = re.compile(r"君$")  # 増子副委員長君: the honorific is not part of the role
_NUMERAL = "[一二三四五六七八九十百〇0-9０-９]+"
# A plenary dates its order of business: 八月八日議事日程第一号
_SECTION = re.compile(
    rf"^[\s　]*(?:{_NUMERAL}月{_NUMERAL}日)?"
    r"(出席委員|出席議員|欠席委員|欠席議員|出席説明員|委員外の出席者|本日の会議に付した事件|議事日程)"
)
# The sections that list the business: a committee's 本日の会議に付した事件, a plenary's 議事日程第八号.
_AGENDA_SECTIONS = ("本日の会議に付した事件", "議事日程")
# A plenary's item number (第一　一般質問, 日程第１　会議録署名議員の指名), which says nothing of the item.
_ITEM_NUMBER = re.compile(rf"^(?:日程)?第{_NUMERAL}[\s　]+")
# A bill's file number on a line of its own under its item: (一三財主議第三〇一号）
_FILE_NUMBER = re.compile(r"^[（(][^（()）]*第[^（()）]*号[）)]$")


def sniff(source: Source) -> float:
    """The PoliInfo shape: ``Proceeding`` with ``Speaker`` and ``Utterance`` keys (in either case)."""
    head = source.text[:5000].lower()
    return 0.9 if '"proceeding"' in head and '"utterance"' in head else 0.0


def _keyed(obj: dict) -> dict:
    """An object with its keys in lower case: PoliInfo wrote ``ProceedingTitle``, then ``proceedingTitle``."""
    return {str(k).lower(): v for k, v in obj.items()}


def _is_proceeding(obj: object) -> bool:
    return isinstance(obj, dict) and isinstance(_keyed(obj).get("proceeding"), list)


def split(data: bytes, name: str) -> list[tuple[bytes, str]]:
    """One ``(document, name#i)`` per proceeding of a JSON list of them (a list of one: the object under
    ``name``), or per meeting of a list of utterance records (``_from_records``); ``[(data, name)]``
    for anything else."""
    head = data[:5000].lower()
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[") or not (
        b'"utterance"' in head or b'"proceeding"' in head
    ):
        return [(data, name)]
    loaded = json_or_none(data)  # not JSON: the parser says what is wrong with it
    if not isinstance(loaded, list) or not loaded:
        return [(data, name)]
    if all(_is_record(x) for x in loaded):
        loaded = _from_records(loaded)
    elif not all(_is_proceeding(x) for x in loaded):
        return [(data, name)]
    if len(loaded) == 1:
        return [(json.dumps(loaded[0], ensure_ascii=False).encode(), name)]
    return [(json.dumps(one, ensure_ascii=False).encode(), f"{name}#{i}") for i, one in enumerate(loaded, start=1)]


def _is_record(obj: object) -> bool:
    return isinstance(obj, dict) and {"title", "speaker", "utterance"} <= set(_keyed(obj))


def _record_date(record: dict) -> str:
    """``2011/6/17`` from a record's Year (an era's, 23 for 平成23年, named in its Title or Volume),
    Month and Day; empty where they do not make a date."""
    era = re.search("|".join(ERAS), f"{record.get('title')}{record.get('volume')}")
    year = str(record.get("year") or "")
    if not year.isdigit() or (int(year) < 1000 and not era):
        return ""
    found = find_date(
        f"{era.group() if era and int(year) < 1000 else ''}{year}年{record.get('month')}月{record.get('day')}日"
    )
    return found.replace("-", "/")


def _line_number(record: dict) -> int:
    line = str(record.get("line", ""))
    return int(line) if line.isdigit() else 0


def _from_records(records: list[dict]) -> list[dict]:
    """PoliInfo's minutes as one record per utterance (``{ID, Line, Title, Year, Month, Day, Speaker,
    Utterance}``: the dialogue summarisation task's Tokyo Assembly file) as proceedings, one per
    Title and day, each in Line order."""
    meetings: dict[tuple[str, str], list[dict]] = {}
    for record in map(_keyed, records):
        title = str(record.get("title") or "").replace("_", "")  # 平成23年_第２回定例会(第７号)
        meetings.setdefault((title, _record_date(record)), []).append(record)
    return [
        {
            "Date": date,
            "Prefecture": str(group[0].get("prefecture") or ""),
            "ProceedingTitle": title,
            "Proceeding": [
                {"Speaker": r.get("speaker"), "Utterance": r.get("utterance")} for r in sorted(group, key=_line_number)
            ],
        }
        for (title, date), group in meetings.items()
    ]


def split_bundle(data: bytes, name: str) -> list[tuple[bytes, str]] | None:
    """A PoliInfo bundle ``{"local": [proceeding…], "diet": [meeting record…]}`` as one document per
    meeting (``name#1``…: the local ones, then the Diet's as meeting-API responses of one record);
    None for anything else."""
    head = data[:200].lower()
    if b'"local"' not in head and b'"diet"' not in head:
        return None
    loaded = json_or_none(data)
    if not isinstance(loaded, dict) or not {"local", "diet"} & set(loaded):
        return None
    local, diet = loaded.get("local") or [], loaded.get("diet") or []
    if not isinstance(local, list) or not isinstance(diet, list) or not (local or diet):
        return None
    if not all(_is_proceeding(x) for x in local) or not all(isinstance(x, dict) and "speechRecord" in x for x in diet):
        return None
    docs = [*local, *({"meetingRecord": [record]} for record in diet)]
    return [(json.dumps(doc, ensure_ascii=False).encode(), f"{name}#{i}") for i, doc in enumerate(docs, start=1)]


# Roster sections of the header, and the group their people belong to: 委員外の出席者 are not the
# committee's members, and a line of its own in a section (参考人) names the group of those after it.
_ROSTERS = {"出席委員": "委員", "出席議員": "議員", "出席説明員": "説明員", "委員外の出席者": "委員外の出席者"}
_SUBGROUP = re.compile(r"^[\s　]*(参考人|説明員|議員|委員|専門員|事務局)[\s　]*$")


# A header line that gives the hour the sitting opened (午後零時三十分開議), not where it sat.
_CLOCK = re.compile(r"^(?:午前|午後)|(?:開議|開会)$")


# A header line that repeats the record's title (総務委員会速記録第四号), as the assembly's pages open.
_RECORD_TITLE = re.compile(r"(?:速記録|会議録)第.+号$")


def _place(lines: list[str]) -> str:
    """The room a committee sat in (第十二委員会室): the header's first line before its rosters that
    is neither the record's title, the day nor the hour. A plenary record opens with the day and
    names no room."""
    for line in (x.strip(" 　") for x in lines):
        if _SECTION.match(line):
            return ""
        if line and not find_date(line) and not _CLOCK.search(line) and not _RECORD_TITLE.search(line):
            return line
    return ""


def _roster(section: str, lines: list[str]) -> list[Attendee]:
    """The people of one roster section, each under its section's group or the sub-heading before it
    (委員外の出席者, then 参考人 over 東京大学地震研究所教授　平田　　直君)."""
    parts: list[tuple[str, list[str]]] = [(_ROSTERS[section], [])]
    for line in lines:
        sub = _SUBGROUP.match(line)
        if sub:
            parts.append((sub.group(1), []))
        else:
            parts[-1][1].append(line)
    # Each part whole, so that a post running over lines reaches its name (parse_kanji_roster)
    return [person for group, part in parts for person in parse_kanji_roster("\n".join(part), group=group)]


def _header(text: str) -> tuple[str, list[Attendee], list[str]]:
    place = _place([line for line in text.strip().split("\n") if line.strip(" 　")][:4])
    blocks: list[tuple[str, list[str]]] = [("", [])]
    for line in text.split("\n"):  # a plenary's header opens on its roster: 出席議員（百二十六名）
        match = _SECTION.match(line)
        if match:
            blocks.append((match.group(1), []))
            line = line[match.end() :]
            if "君" not in line:  # 出席説明員　総務局局長笠井　謙一君: its first entry beside it
                continue
        blocks[-1][1].append(line)
    roster = [person for section, lines in blocks if section in _ROSTERS for person in _roster(section, lines)]
    agenda = _agenda([line for section, lines in blocks if section in _AGENDA_SECTIONS for line in lines])
    return place, roster, agenda


def _agenda(lines: list[str]) -> list[str]:
    """The business listed in the header, a line each; where the items are numbered (第一　議長選挙),
    one per number, the lines under it joined on (議員提出議案第二十四号, then the bill's title) but
    for a file number, and the hour the sitting began (午後一時一分) left out."""
    kept = [
        line.strip(" 　・")
        for line in lines
        if re.search(r"\w", line)  # not a rule (――――) between the business and what follows
        and not _CLOCK.search(line.strip(" 　"))
    ]
    if not any(_ITEM_NUMBER.match(line) for line in kept):
        return kept
    items: list[str] = []
    for line in kept:
        if _ITEM_NUMBER.match(line) or not items:
            items.append(_ITEM_NUMBER.sub("", line))
        elif not _FILE_NUMBER.match(line):
            items[-1] += "　" + line
    return list(dict.fromkeys(items))  # 東京都監査委員の選任の同意について, once for each of two bills


def _load(source: Source) -> dict:
    data = load_json(source.text, source.name)
    keyed = _keyed(data) if isinstance(data, dict) else {}
    if not isinstance(keyed.get("proceeding"), list):
        several = isinstance(data, list) or {"local", "diet"} & set(keyed)
        what = "a list of proceedings: read it with rag.parsing.parse_all" if several else ""
        raise ParseError(f"{source.name}: {what or 'expected an object with a Proceeding list'}")
    keyed["proceeding"] = [_keyed(p) for p in keyed["proceeding"] if isinstance(p, dict)]
    return keyed


def parse(source: Source) -> ParsedMinutes:
    """Parse the header into metadata and every other utterance into a turn."""
    data = _load(source)
    try:
        return _parse(data, source)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
        raise wrong_shape(source.name, exc) from exc


def _speaker_and_speech(item: dict) -> tuple[str, str]:
    """The Speaker label (``増子副委員長``; ``"null"`` is none) and the utterance, without a ``○label　``
    that repeats it at the start, which names the speaker where the Speaker field does not."""
    label = str(item.get("speaker") or "").strip()
    label = "" if label in _NO_SPEAKER else _HONORIFIC.sub("", label)
    post = str(item.get("speakerposition") or "").strip()
    if label and post and not label.endswith(post):
        label += post  # 大津浩子 with the post 委員長: 大津浩子委員長, read as name and role
    said = str(item.get("utterance") or "").strip()
    prefix, rest = split_speaker_prefix(said)
    prefix = _HONORIFIC.sub("", prefix)
    if prefix and (not label or compact(prefix) == compact(label)):
        return label or prefix, rest
    return label, said


def _body(data: dict) -> str:
    """The council whose record this is (東京都; PoliInfo's later releases bundle many): part of the
    meeting's identity, for 令和元年第２回定例会（第３号） is many councils' title on the same day."""
    return str(data.get("localgovernmentname") or data.get("prefecture") or "").strip()


def _parse(data: dict, source: Source) -> ParsedMinutes:
    items = data["proceeding"]
    place, roster, agenda = "", list[Attendee](), list[str]()
    opened = ""
    if items and str(items[0].get("speaker") or "").strip() in _NO_SPEAKER:
        place, roster, agenda = _header(str(items[0].get("utterance") or ""))
        opened = find_time_range(str(items[0].get("utterance") or ""))[0]  # 午後一時開議
        items = items[1:]
    title = str(data.get("proceedingtitle") or source.name)
    topic = agenda[0] if agenda else ""
    turns: list[Turn] = []
    for item in items:
        label, said = _speaker_and_speech(item)
        body = strip_stage_directions(said)
        if body:  # without a Speaker, the speech is kept with an unknown speaker, not dropped
            topic = agenda_topic(body, agenda, topic)
            turns.append(Turn(order=len(turns) + 1, speaker=resolve_speaker(label, roster), topic=topic, text=body))
    if not turns:
        raise no_turns(source.name)
    date = find_date(str(data.get("date") or "").replace("/", "年", 1).replace("/", "月", 1) + "日")
    meeting = Meeting(
        meeting_id=meeting_id_for(f"{_body(data)}|{title}", date),
        title=title,
        date=date,
        start_time=opened,
        place=place,
        agenda=tuple(agenda),
        attendees=tuple(roster),
        topics=tuple(agenda),
        url=str(data.get("url") or ""),
        source_format=name,
        source_name=source.name,
        content_hash=source.content_hash,
    )
    return ParsedMinutes(meeting=meeting, turns=tuple(turns))
