"""Rosters of summary-style minutes: who attended, from lines (``村井  純（座長） 慶応義塾大学 教授``),
lists (``村井座長、小野委員``), group lines (``■委員``, ``市執行部 【財務部】``) and posts before
names (``財務部長 古内勝人``), each entry read to a name, a role, a group and an affiliation."""

from __future__ import annotations

import re
from dataclasses import replace

from rag.models import Attendee
from rag.parsing.marks import BULLET, GROUP_LINE, GROUP_WORDS, ITEM_NUMBER, PAREN_LABEL, SURNAME_LABEL
from rag.people import ROLE_SUFFIXES, bare_role, compact, is_office_label, name_and_role, split_label, split_name_role
from rag.text import collapse_spaces
from rag.tokenize import reads_as_name

# After a roster entry: a note (※代理出席, ※オンライン参加) and the member's part in the body (【主査】)
_ROSTER_NOTE = re.compile(r"\s*※.*$")
_ROLE_TAG = re.compile(r"\s*【([^】]{1,12})】")
# A roster written as one list (出席者：村井座長、小野委員、宮坂学副知事): entries apart by 、 or commas.
LIST_SEPARATOR = re.compile(r"\s*[、，,]\s*")
_HEAD_COUNT = re.compile(r"\s*[（(][0-9０-９一二三四五六七八九十]+名[）)]\s*$")  # 岡本千栄子(5名): the count
# 出席委員：７名, 委員５名、事務局３名, 計８名: how many attended, no one's name
_COUNT_ONLY = re.compile(r"^(\S{0,8}?)[ 　]*[0-9０-９一二三四五六七八九十]+[ 　]*[名人]$")


def _is_head_count(entry: str) -> bool:
    """Whether a roster entry only counts people (``７名``, ``委員５名``, ``計８名``, ``(8人)``), maybe
    with a note in brackets (``委員６名（うち会長１名）``, ``事務局（こども政策課）４名``)."""
    enclosed = re.fullmatch(r"[（(]([^（()）]+)[）)]", entry.strip())
    if enclosed:  # (8人): the count alone in brackets, under 出席者
        return _is_head_count(enclosed.group(1))
    counted = _COUNT_ONLY.match(re.sub(r"[（(][^）)]*[）)]", "", entry).strip())
    return counted is not None and (not counted.group(1) or compact(counted.group(1)) in (*GROUP_WORDS, "計", "合計"))


def _name_entry(entry: str) -> bool:
    """Whether a list entry can be one person: a name, maybe with its space and a role (村井座長,
    村井 純（座長）), not a phrase."""
    bare = split_label(entry)[0]
    return len(bare) <= 12 and len(collapse_spaces(bare).split(" ")) <= 2 and not re.search(r"[：:。]", entry)


# 福祉総務課：岡田課長、山崎主査: an office, a colon, then its people
_OFFICE_HEAD = re.compile(r"^([^\s：:、，,]{2,16})[ 　]*[：:][ 　]*(\S.*)$")


def parse_list(line: str, group: str) -> list[Attendee] | None:
    """The attendees of a ``村井座長、小野 和俊、宮坂 学（副知事）`` line, or None when it is not such a list."""
    office = ""  # 企画政策課　伊藤課長、渡辺係長 or 福祉総務課：岡田課長、山崎主査: the list's office
    headed = _OFFICE_HEAD.match(line)
    if headed and is_office_label(headed.group(1)):
        office, line = headed.group(1), headed.group(2)
    listed = [e for e in LIST_SEPARATOR.split(_HEAD_COUNT.sub("", line).strip()) if e]
    entries = [e for e in listed if not _is_head_count(e)]
    if len(listed) >= 2 and not entries:
        return []  # 委員５名、事務局３名: counts, no one named
    if len(listed) < 2 or not all(_name_entry(e) or _post_then_name(e, group) for e in entries):
        return None  # 東京大学大学院 情報学環、学際情報学府 教授: an affiliation with a 、 in it
    people: list[Attendee] = []
    for entry in entries:
        attendee = _office_then_person(entry, group) or _post_then_name(entry, group) or _noted(entry, group)
        if attendee is None and (" " in collapse_spaces(entry) or split_label(entry)[1]):
            attendee = parse_attendee(entry, group)  # 村井 純（座長）
        elif attendee is None:
            who, role = name_and_role(entry)  # 村井座長, 宮坂学副知事
            attendee = Attendee(name=who, group=group, role=role, affiliation=office) if who else None
        elif not people and attendee.affiliation:
            office = attendee.affiliation
        if attendee is not None:
            people.append(attendee)
    return people


# 越塚委員（オンライン出席）, 鈴木委員（途中退席）: how someone attended, in brackets after the entry
_ATTENDANCE_NOTE = re.compile(r"オンライン|ウェブ|[WwＷｗ][EeＥｅ][BbＢｂ]|リモート|代理|欠席|遅参|遅刻|早退|途中")


def _noted(entry: str, group: str) -> Attendee | None:
    """``Ａ委員（会長）`` or ``村井座長（慶應義塾大学教授）``: a surname and its role, then in brackets the
    post held (a role word) or where the person comes from; None for any other entry."""
    bare, extras = split_label(entry)
    if not extras or " " in collapse_spaces(bare):
        return None
    who, role = name_and_role(bare)
    if not (who and role):
        return None
    if _ATTENDANCE_NOTE.search(extras):  # 越塚委員（オンライン）: how they attended, not who they are
        return Attendee(name=who, group=group, role=role)
    if extras in ROLE_SUFFIXES:
        return Attendee(name=who, group=group, role=extras)
    affiliation, title = split_title(extras)
    return Attendee(name=who, group=group, role=role, affiliation=affiliation, title=title)


def _office_then_person(entry: str, group: str) -> Attendee | None:
    """``情報政策課　中村課長``: an office, then a surname and its post, or None."""
    office, _, person = collapse_spaces(entry).rpartition(" ")
    who, role = name_and_role(person)
    if not (office and " " not in office and is_office_label(office) and who and role):
        return None
    return Attendee(name=who, group=group, role=role, affiliation=office)


# Endings of a post that no role list holds whole (景観担当係長, 主任主査)
_POST_END = re.compile(r"(?:長|官|監|主査|主事|主任|参事|理事)$")


def _post_then_name(entry: str, group: str) -> Attendee | None:
    """``管財課長兼庁舎建設担当 栗原秀樹`` or ``都市計画課長　清水　浩``: a post, then the full name of
    who holds it (maybe written with its space), or None."""
    post, *names = collapse_spaces(entry).split(" ")
    person = "".join(names)
    spaced = len(names) == 2 and all(1 <= len(n) <= 4 for n in names)
    if not (len(names) == 1 or spaced) or not (2 <= len(person) <= 6) or is_office_label(person):
        return None
    # 管財課長兼庁舎建設担当, 財務部長, 景観担当係長, 会長: a post, by its office or its ending
    held = is_office_label(post) or bool(split_name_role(post)[1]) or bool(_POST_END.search(post))
    if not held or split_name_role(person)[1] or not re.fullmatch(r"[\u4e00-\u9fff々ヶ]+", person):
        return None
    return Attendee(name=" ".join(names), group=group, role=post)


def parse_roster(lines: list[str]) -> list[Attendee]:
    """``■委員`` group lines, then ``村井  純（座長） 慶応義塾大学 教授`` lines, or lists of names."""
    roster: list[Attendee] = []
    group = ""
    for raw in lines:
        line = ITEM_NUMBER.sub("", BULLET.sub("", raw))  # （１）委員（敬称略）: a numbered group
        if _is_head_count(line):
            continue
        heading = _group_heading(raw)
        if heading:
            group = heading
            continue
        marked = _PERSON_MARK.match(line)
        if marked:  # ■宮坂 学 副知事: a person under a mark of their own, in no group above them
            line, group = line[marked.end() :], ""
        listed = _group_list(line)
        listed = parse_list(line, group) if listed is None else listed
        if listed is not None:
            roster += listed
            continue
        if compact(split_label(line)[0]) in GROUP_WORDS or (len(line.split()) == 1 and _is_group_line(line)):
            group = compact(split_label(line)[0])  # 構成員, オブザーバー, デジタル庁 as a line of their own
            continue
        tagged = _TAGGED_GROUP.match(line)
        if tagged and is_office_label(tagged.group(1)):
            group = tagged.group(1)  # 市執行部 【財務部】: the body, then the department its people are from
            continue
        attendee = _roster_entry(line, group)
        if attendee:
            roster.append(attendee)
    return roster


_PERSON_MARK = re.compile(r"^[■□◆][ 　]*")
# A group's line under its mark, with a note in brackets (■委員（五十音順、敬称略）) or a space in the
# body's name (■GovTech 東京)
_GROUP_WORD = r"[^\s、，,：:（(]{1,16}"
_MARKED_GROUP = re.compile(rf"^[■□◆]\s*({_GROUP_WORD}(?:[ 　]{_GROUP_WORD})?)\s*(?:[（(][^）)]*[）)])?\s*$")


def _group_heading(line: str) -> str:
    """The group a line heads under its mark or brackets (``■委員``, ``【事務局】``,
    ``■委員（五十音順、敬称略）`` → 委員, ``■GovTech 東京``), or ""; a name under the mark
    (``■宮坂 学``) is a person, not a group."""
    match = _MARKED_GROUP.match(line.strip())
    if match is None:
        bracketed = GROUP_LINE.match(line)
        return bracketed.group(1).strip() if bracketed and len(line.split()) == 1 else ""
    group = match.group(1)
    spaced = " " in group or "　" in group
    return "" if spaced and reads_as_name(compact(group)) else group


# （委員）山田会長、鈴木副会長 or 【事務局】企画政策課　伊藤課長: a group in brackets before its people
_LEAD_GROUP = re.compile(r"^[（(【]([^）)】]{1,12})[）)】][ 　]*(\S.*)$")


# 委員　森田会長、川口副会長, 委員：大野会長、… or 事務局　環境政策課　松本課長: a group's word, a gap
# or a colon, then its people
_LEAD_WORD = re.compile(r"^([^\s：:]{2,6})(?:[ 　]*[：:][ 　]*|[ 　]+)(\S.*)$")


def _group_list(line: str) -> list[Attendee] | None:
    """``（委員）山田会長、鈴木副会長`` or ``委員　森田会長、川口副会長``: a group, then a list of its
    people on that line; ``事務局　環境政策課　松本課長`` or ``委員　小林正人（…）``: a group, then one
    person, who holds the group's word as a role where it is one. In brackets, one person after a
    role's word (``(委員) 小野 和俊``) holds that role, which ``parse_attendee`` reads."""
    lead = _LEAD_GROUP.match(line)
    if lead and (compact(lead.group(1)) in GROUP_WORDS or is_office_label(lead.group(1))):
        return parse_list(lead.group(2), compact(lead.group(1)))
    word = _LEAD_WORD.match(line)
    if not word or compact(word.group(1)) not in GROUP_WORDS:
        return None
    group, rest = compact(word.group(1)), word.group(2)
    listed = parse_list(rest, group)
    if listed is not None:
        return listed
    if " " not in collapse_spaces(rest) and not split_label(rest)[1] and is_office_label(rest):
        return []  # 事務局　スマートシティ推進課: the office that serves, no one named
    person = _roster_entry(rest, group)
    if person is not None and group in ROLE_SUFFIXES and not person.role:
        person = replace(person, role=group)  # 委員　小林正人（…協会　会長）: a member, whatever their post there
    return [person] if person else None


# 市執行部 【財務部】; 議会事務局 庶務議事課主任(塚本志保): a group, then its people on the same line
_TAGGED_GROUP = re.compile(r"^(\S{2,12})[ 　]*【[^】]{1,20}】$")
_GROUP_AND_ENTRY = re.compile(r"^(\S{2,12})[ 　]+(\S{2,30}?)[（(]([\u4e00-\u9fff々ヶ]{2,6})[）)]$")


def _roster_entry(line: str, group: str) -> Attendee | None:
    """One person's roster line (``田中総務課長``, ``村井  純（座長） 慶応義塾大学 教授``), maybe with a
    note (``※代理出席``) or the member's part (``【主査】``) after it."""
    if " " not in collapse_spaces(line) and not split_label(line)[1]:
        who, role = name_and_role(line)
        if who and role:  # 田中総務課長 alone on its line
            return Attendee(name=who, group=group, role=role)
    office_first = _office_then_person(line, group)
    if office_first is not None:
        return office_first
    grouped = _GROUP_AND_ENTRY.match(collapse_spaces(line))
    who = grouped[3] if grouped else ""
    if grouped and is_office_label(grouped[1]) and not split_name_role(who)[1] and not is_office_label(who):
        return Attendee(name=who, group=grouped[1], role=grouped[2])  # 議会事務局 庶務議事課主任(塚本志保)
    note, tag = _ROSTER_NOTE.search(line), _ROLE_TAG.search(line)
    attendee = parse_attendee(line[: min(m.start() for m in (note, tag) if m)] if note or tag else line, group)
    if attendee and tag and not attendee.role:  # 手塚悟（慶應義塾大学教授）【主査】
        attendee = replace(attendee, role=tag.group(1))
    return attendee


def _is_group_line(line: str) -> bool:
    """A roster line naming a body or a bare office (デジタル庁, デジタル大臣政務官), not a person."""
    bare = split_label(line)[0]
    name, role = split_name_role(compact(bare))
    return is_office_label(bare) or bool(role and not SURNAME_LABEL.match(name))


_AFFILIATION_IN_PARENS = re.compile(r"^([^（(]+?)\s*[（(]([^）)]+)[）)]\s*$")
# 東京大学大学院法学政治学研究科教授: a body, then the title its member holds there, run together
_BODY = (
    r"大学院?|研究科|研究所|研究院|学部|学環|学府|センター|機構|協会|連合会|会議所|株式会社|法人|財団|事務所"
    r"|病院|銀行|組合|学会"
)
_BODY_THEN_TITLE = re.compile(
    rf"^(.+?(?:{_BODY}))"
    r"[ 　]?((?:特任|名誉|客員)?准?教授|助教|講師|(?:主任|上席|主席)?研究員|(?:代表|専務|常務)?理事(?:長)?"
    r"|副?会長|副?社長|代表取締役(?:社長)?|取締役|所長|事務局長|弁護士|院長|学長)$"
)
# 前田 彩（きた商工会議所）: a body's name in brackets after a name is where the person comes from
_BODY_NAME = re.compile(rf"(?:{_BODY})$")


def split_title(text: str) -> tuple[str, str]:
    """``東京大学大学院法学政治学研究科教授`` → (東京大学大学院法学政治学研究科, 教授): the affiliation
    and the title where a body's name runs into the title held there; ``(text, "")`` otherwise."""
    found = _BODY_THEN_TITLE.match(text.strip())
    return (found.group(1), found.group(2)) if found else (text, "")


def parse_attendee(line: str, group: str) -> Attendee | None:
    """One roster line: family and given name, an optional （役）, then affiliation and title;
    or ``越塚 登（東京大学大学院情報学環 教授）``, the affiliation and title in brackets; a role word
    may come first (``会長 石井 健一（きた大学 教授）``)."""
    first, _, after = collapse_spaces(line).partition(" ")
    if after and bare_role(first):
        found = parse_attendee(after, group)
        return replace(found, role=found.role or first) if found else None
    bracketed = _AFFILIATION_IN_PARENS.match(collapse_spaces(line))
    if (
        bracketed
        and len(bracketed.group(1).split()) <= 2
        and (" " in bracketed.group(2) or len(bracketed.group(2)) > 8)
    ):
        inner = bracketed.group(2).split(" ")
        affiliation, title = (" ".join(inner[:-1]), inner[-1]) if len(inner) > 1 else split_title(inner[0])
        return Attendee(name=bracketed.group(1), group=group, affiliation=affiliation, title=title)
    tokens = collapse_spaces(line).split(" ")
    role = ""
    lead = PAREN_LABEL.match(tokens[0]) if tokens else None
    if lead and len(tokens) > 1:  # (座長) 村井 純 慶應義塾大学 教授
        role, tokens = lead.group(1).strip(), tokens[1:]
    if not tokens or not tokens[0]:
        return None
    names: list[str] = []
    body = ""
    for token in tokens[:2]:
        bare, extras = split_label(token)
        names.append(bare)
        if _BODY_NAME.search(extras):
            body = extras  # 前田 彩（きた商工会議所）
        else:
            role = role or extras
        if extras:
            break
    rest = tokens[len(names) :]
    if not role and rest:  # 村井 純 座長（慶應義塾大学教授）: a role word after the name
        bare, extras = split_label(rest[0])
        if bare in ROLE_SUFFIXES:
            role, rest = bare, ([extras] if extras else []) + rest[1:]
    affiliation, title = " ".join(rest[:-1]), rest[-1] if rest else ""
    if len(rest) == 1:  # 村井 純 座長（慶應義塾大学教授）: one word, a body and its title run together
        held_at, held = split_title(title)
        affiliation, title = (held_at, held) if held else ("", title)
    name = " ".join(n for n in names if n)
    return Attendee(name=name, group=group, role=role, affiliation=affiliation or body, title=title)
