"""Verbatim minutes (会議録) as the Diet and most assemblies publish them: ``○名前役職　発言``.

A header gives the title, a kanji date (令和五年十一月一日), and rosters under 出席委員,
出席国務大臣, 出席政府参考人 … written as ``理事　山田　賢司君``; 本日の会議に付した案件 lists the
agenda. Each turn starts ``○田野瀬委員長　`` and runs to the next ``○``. Speakers are resolved
against the rosters, including disambiguated labels like ``山田（賢）委員`` and
``政府参考人（伊藤学司君）``. Stage directions (``〔「異議なし」と呼ぶ者あり〕``) and separator lines
are not speech.

Municipal and prefectural assemblies mark turns by who speaks as well: ``◎市長（山本三郎君）``
for the executive side, ``◆１番（佐藤花子君）`` for a member asking, ``○議長（…）`` for the chair;
the same marks open headings (``◎開議の宣告``, ``△日程第１　一般質問``), which become the topic
of the turns after them, and so does ``○`` before a standard section (``○議事日程``,
``○出席議員``). A seat number (``１番``) is a member's: role 議員, resolved against a
``出席議員`` roster of ``１番　佐藤花子`` entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rag.models import Attendee, Meeting, ParsedMinutes, Speaker, Turn
from rag.parsing.base import (
    MEETING_WORDS,
    Source,
    markdown_heading,
    meeting_id_for,
    no_turns,
    without_heading_marks,
    without_markup,
)
from rag.parsing.kokkai import is_diet_attendance, parse_diet_roster
from rag.parsing.marks import BULLET, ITEM_NUMBER
from rag.parsing.pages import is_page_number
from rag.parsing.rosters import LIST_SEPARATOR, parse_list, split_title
from rag.parsing.speech import (
    BILL_NUMBER,
    COUNCIL_MARKS,
    HONORIFIC_LABEL,
    ROLE_ONLY,
    SITTING_TIME,
    SPEAKER_LABEL,
    STRICT_SPEAKER_LABEL,
    agenda_topic,
    close_spread,
    name_then_post,
    split_role_head,
    split_speaker_prefix,
    strip_stage_directions,
)
from rag.people import (
    HONORIFICS,
    ROLE_SUFFIXES,
    SEAT,
    SECRETARIAT,
    bare_role,
    by_role,
    compact,
    holds_post,
    is_post_alone,
    name_and_role,
    person_id,
    roster_affiliation,
    split_label,
    without_honorific,
)
from rag.text import collapse_spaces, find_date, find_time_range, nfkc
from rag.tokenize import surname_and_title

name = "verbatim"

# ○名前役職, then a space and the speech, or the label alone with the speech on the next lines.
_TURN_START = re.compile(rf"^[○〇◯]\s*(?:(?:{SPEAKER_LABEL})(?:[\s　]+\S|$)|{HONORIFIC_LABEL}\S)")
# The other marks also open headings, so a turn needs a speaker's label (a name in brackets, or
# a role at its end) and the speech on the same line.
_MARKED_TURN = re.compile(rf"^[{COUNCIL_MARKS}]\s*(?:(?:{STRICT_SPEAKER_LABEL})[\s　]+\S|{HONORIFIC_LABEL}\S)")
_HEADING = re.compile(r"^[◎◇△▲□]\s*(\S.{0,80})$|^〔(?:議題|日程|案件)[^〕]{0,6}〕\s*(\S.{0,80})$")  # 〔議題1〕…
# Sections of assembly minutes opened by ○ as a turn is (○議事日程, ○出席議員（86名）, ○日程第１　…):
# the standard headings of a 会議録, none of which is a speaker's label.
_SECTION_HEAD = re.compile(
    rf"^[○〇◯{COUNCIL_MARKS}]\s*((?:議事日程|本日の会議に付した(?:事件|案件)|会議に付した事件|会議録署名(?:議員|委員)"
    r"|(?:出席|欠席)(?:議員|委員|者)|説明のため出席した者|職務のため出席した|事務局職員出席者"
    r"|理事者側出席者|(?:議会)?事務局出席者|本日審査した案件|日時|開催日時|場所|会議場所"
    r"|開議|散会|閉会|開会|休憩|再開|延会|日程第)\S*(?:[\s　]+\S.*)?)$"
)
# 〇日時 and 〇場所 over their values, as some councils' committee records begin
_FIELDS = {"日時": "when", "開催日時": "when", "場所": "place", "会議場所": "place", "開催場所": "place"}
# 1.日 時 平成22年…, 1.出席委員 ◎山川昌子 ○肥沼茂男 …各委員: numbered fields, the value beside
# the word (which a page may space out to the width of the longest)
_FIELD_WORDS = {
    "日時": "when",
    "場所": "place",
    "出席委員": "委員",
    "出席者": "委員",  # 3.出席者 over the committee's members and their posts
    "欠席委員": "absent",
    "欠席者": "absent",
    "出席説明員": "説明員",
    "事務局員": "事務局",
    "事務局": "事務局",
    "事務局職員": "事務局",
    "議会局職員": "事務局",
    "議題": "agenda",
}
# Numbered, as a meeting's outline is (1.次第, 2.議事内容): the order of business, and the head of
# the proceedings under it, which is no agenda item
_NUMBERED_WORDS = {**_FIELD_WORDS, "次第": "agenda", "議事次第": "agenda", "議事内容": "body", "議事概要": "body"}
_NUMBERED_FIELD = re.compile(
    r"^[0-9０-９]{1,2}[.．]\s*(" + "|".join(r"\s*".join(word) for word in _NUMBERED_WORDS) + r")\s*(.*)$"
)
# 場所　第１委員会室, 日時：令和…, 出席委員　山本会長、井上副会長: a field without a number, its
# value on the same line
_INLINE_FIELD = re.compile(r"^(" + "|".join({**_FIELDS, **_FIELD_WORDS}) + r")(?:[ 　]*[:：][ 　]*|[ 　]+)(\S.*)$")
# ◎山川昌子 ○肥沼茂男 佐藤真和 …各委員: full names apart by spaces, the chair and the vice-chair marked
_NAME_ROW = re.compile(r"^(?:[◎○〇]?[\u4e00-\u9fff々ヶ]{2,6}[ 　]+)+[◎○〇]?[\u4e00-\u9fff々ヶ]{2,6}(?:各委員)?$")
_ROW_MARKS = {"◎": "委員長", "○": "副委員長", "〇": "副委員長"}
_EACH = re.compile(r"の各(\S{1,6}?)$")  # …の各委員: the role of every name before it
_NOTE = re.compile(r"[（(][^）)]*[）)]$")  # (後藤副委員長は欠席)
_NUMBER = "[0-9０-９一二三四五六七八九十]+"
# 2.議長あいさつ, (1)議会のうごき: a numbered subject, which is a heading where a turn follows it
_NUMBERED = re.compile(r"^(?:[0-9０-９]{1,2}[.．]|[（(][0-9０-９]{1,2}[）)])[ 　]*([^。]{1,40})$")
# 【10:00】: the time a part began, between a heading and its turn
_TIMESTAMP = re.compile(r"^[【\[（(]?[0-9０-９]{1,2}[:：][0-9０-９]{2}[】\]）)]?$")
# 日程第１　会議録署名議員の指名 on a line of its own, without a mark: many councils set the item
# being taken up between rules like this; the chair's own words about it end in 。
_ITEM_HEADING = re.compile(rf"^(日程第{_NUMBER}(?:[\s　]+[^。]{{1,80}})?)$")
_ROSTER_GROUPS = "小委員|分科員|委員|議員|国務大臣|副大臣|大臣政務官|政府委員|政府参考人|参考人|説明員|政府特別補佐人"
# 出席委員　十五名, 欠席委員　なし (a section with no one in it)
_ROSTER_HEAD = re.compile(
    rf"^(出席|欠席)?({_ROSTER_GROUPS})(外の?出席者)?(?:[（(]?(?:[\d一二三四五六七八九十百]+名|なし)[）)]?)?$"
)
# 出席説明員　政策企画局局長中村 倫治君: a section's first entry on its head line, as a page's table
# puts it (an entry never starts 出席 or 欠席, so the head cannot be read into a role)
_ROSTER_LEAD = re.compile(rf"^(?:(?:出席|欠席)({_ROSTER_GROUPS})|(委員外の出席者))[\s　]*(\S.*君.*)$")
# Converted pages write a table's cells between bars: 委員長 | 渋谷のぶゆき君 |
_TABLE_BAR = re.compile(r"[|｜]")
# Roster sections of assembly minutes named by a phrase, and the group their people belong to.
# 地方自治法第121条の規定により説明のため出席した者の職氏名: the law that calls them may come first.
_ROSTER_PHRASES = re.compile(
    r"^(?:\S{1,30}により)?(説明のため出席した者|説明員|職務のため出席した事務局職員|事務局職員出席者"
    r"|議場に出席した事務局職員|職務のため議場に出席した者|理事者側出席者|議会事務局出席者|事務局出席者"
    r"|出席した者の職氏名)"  # 地方自治法第121条の規定により出席した者の職氏名: the executive's side
)
_PHRASE_GROUPS = {
    "説明のため出席した者": "説明員",
    "説明員": "説明員",
    "理事者側出席者": "説明員",
    "出席した者の職氏名": "説明員",
}
_ENCLOSED = re.compile(r"^[（(]([^（()）]+)[）)]$")
_SEAT = re.compile(r"(\d+)番\s*(\S.*?)(?=\s+\d+番|$)")
# An item of business that is only a bill's number (第一 第一号議案), its name on the line under it
_BILL_NUMBER = re.compile(rf"{BILL_NUMBER}$")
# A line that opens an item of its own: 第二, 日程第二, 諮問第一号
_ITEM_LEAD = re.compile(r"^(?:日程)?第[0-9一二三四五六七八九十百]+|^\S+第\S+号")
# 令和５年３月６日（月）午前10時開議: the sitting's date and hour under 議事日程, not an item of it
_DATE_LINE = re.compile(
    rf"^(?:令和|平成|昭和|\d{{4}}年)[^、。]{{0,12}}日(?:[（(][月火水木金土日]曜?日?[）)])?"
    rf"(?:(?:午前|午後){_NUMBER}時(?:{_NUMBER}分)?(?:開議|開会)?)?$"
)
_AGENDA_HEAD = re.compile(
    rf"^(?:議事日程(?:[（(]?第{_NUMBER}号[）)]?)?|本日審査した案件|(?:本日の)?会議に付した(?:案件|事件))$"
)
# A room named on a line of its own: 第一委員会室, 本会議場, 議事堂, 第２会議室, 都庁第一本庁舎
_ROOM = re.compile(r"^[^。、，．\s]{0,20}(?:室|議場|議事堂|庁舎)$")
_SEPARATOR = re.compile(r"^[―—－\-−─━=＝◇◆]{3,}$")  # − (U+2212) too, as some systems draw rules
# An agenda item as the House of Councillors marks it (○理事補欠選任の件, ○…に関する調査, ○…法律案（…）):
# no space, so no speech after a label, no 君, and an item's ending, so no label alone over its
# speech (○議長, ○議長（山田太郎君）)
_MARKED_ITEM = re.compile(r"^[○〇](?![^\s　]*君)[^\s　]{2,}(?:件|案|調査|[）)])$")
_ROLE_END = re.compile(r"(長|理事|大臣|臣|官|参考人|委員|者|員|監|補佐人|政務官)$")
# The name of a bureau or an office, as a table's first cell gives it (政策企画局, 総務部, 教育委員会)
_BODY_END = re.compile(r"(?:局|部|室|庁|本部|委員会|事務局)$")
# A post's first part, cut where the page's column ended (衆議院法制局法, 文部科学省初等): kanji or
# katakana only, not ending as a body's name or a head count does (政策企画局 over its officials, 十四名)
_POST_PIECE = re.compile(r"[\u4e00-\u9fff々ヶァ-ヺー]{2,20}(?<![局部室庁課省院会所名])")


def sniff(source: Source) -> float:
    """Several lines that open ``○名前役職`` followed by a space and speech; not JSON.

    A ``○label`` line with the speech on the next lines counts half: 議事要旨 pages use that shape
    too, and their 日時/出席者 headers then let the summary format claim them.
    """
    head = source.text[:30000]
    if head.lstrip().startswith(("{", "[")):
        return 0.0
    turns = 0.0
    for raw in head.split("\n"):
        line = raw.strip(" 　")
        if is_turn_start(line):
            turns += 1.0 if split_speaker_prefix(line)[1].strip() else 0.5
    return min(turns / 3, 1.0) * 0.9


def is_turn_start(line: str) -> bool:
    """Whether a (stripped) line opens a speaker's turn."""
    if _SECTION_HEAD.match(line):  # ○出席議員（２名）, ◇説明のため出席した者: the header's sections
        return False
    return bool(_TURN_START.match(line) or _MARKED_TURN.match(line) or name_then_post(line))


def parse_seat_line(line: str, group: str) -> list[Attendee]:
    """``１番　佐藤花子　　２番　鈴木　一郎`` → two members (role 議員), as assembly rosters list them."""
    return [
        Attendee(name=_closed_up(without_honorific(person)), group=group, role="議員")  # ８番 野村 徹議員
        for _, person in _SEAT.findall(collapse_spaces(nfkc(line)))
    ]


def _closed_up(name: str) -> str:
    """``河 合 悠 祐`` → ``河合悠祐``: a name set one character at a time (three or more alone) is one
    word; ``林 誠`` stays a surname and a given name."""
    parts = collapse_spaces(name).split(" ")
    return "".join(parts) if len(parts) >= 3 and all(len(p) == 1 for p in parts) else " ".join(parts)


def _unglue_role(tokens: list[str]) -> list[str]:
    """``委員長大津 浩子`` → ``委員長 大津 浩子``: assembly rosters run the role into the surname
    (a listed role word first, or for longer runs such as ``総務局局長笠井`` the last role ending)."""
    first = tokens[0]
    concurrent = first.rfind("兼務") + 2  # 戦略広報部長…担当部長兼務久保田: posts held at once, then the name
    if 2 < concurrent < len(first):
        return [first[:concurrent], first[concurrent:], *tokens[1:]]
    if first in ROLE_SUFFIXES or _ROLE_END.search(first):  # 委員長 alone, or a role ending (文部科学大臣)
        return tokens
    listed = [r for r in ROLE_SUFFIXES if first.startswith(r)]
    if listed:
        role = max(listed, key=len)
        return [role, first[len(role) :], *tokens[1:]]
    role, rest = split_role_head(first) if len(first) >= 4 else ("", "")  # 技監荒井: a post of two
    if len(role) >= 2 and rest:
        return [role, rest, *tokens[1:]]
    return tokens


def parse_roster_line(line: str, group: str) -> list[Attendee]:
    """``理事　池田　佳隆君　理事　尾身　朝子君`` → two attendees with role 理事."""
    people: list[Attendee] = []
    tokens: list[str] = []
    seated = group == "議員"  # members by seat: 一番北口つよし君
    for token in collapse_spaces(nfkc(line)).replace("君", "君 ").split(" "):
        token = _ENCLOSED.sub(r"\1", token)  # (総務省自治行政局長) 山野 謙君: the post in brackets
        if not token:
            continue
        if not token.endswith("君"):
            tokens += _seat_apart(token) if seated else [token]
            continue
        tokens += _seat_apart(token[:-1]) if seated else [token[:-1]]
        tokens = _unglue_role(tokens)
        # 1番 鈴木花子: a seat before a name written without its space is no surname
        surname = len(tokens) >= 2 and not _ROLE_END.search(tokens[-2]) and not SEAT.fullmatch(tokens[-2])
        names = tokens[-2:] if surname else tokens[-1:]
        names = names if all(len(n) <= 4 for n in names) else names[-1:]
        role = " ".join(tokens[: len(tokens) - len(names)])
        role = "議員" if SEAT.fullmatch(role) else role  # １番　佐藤　花子君: a member's seat
        people.append(Attendee(name=" ".join(names), group=group, role=role))
        tokens = []
    return people


def _seat_apart(token: str) -> list[str]:
    """``一番北口つよし`` → [一番, 北口つよし]: a seat run into the name after it, as the Tokyo
    Assembly's plenary roster writes it; anything else as it is (一番ヶ瀬 is a surname)."""
    seat = SEAT.match(token)
    if seat is None or seat.end() == len(token) or token[seat.end()] in "ヶケがガ":
        return [token]
    return [token[: seat.end()], token[seat.end() :]]


def parse_titled_line(line: str, group: str) -> list[Attendee]:
    """``教育長　比留間英人　　危機管理監　醍醐　勇司`` → two attendees: a roster of titles and names
    without 君, as the 説明のため出席した者 lists of many councils write it (entries apart by wide gaps)."""
    people = []
    entries = [collapse_spaces(nfkc(e)) for e in re.split(r"[ \u3000]{2,}", line.strip(" \u3000"))]
    for i, entry in enumerate(entries):
        note = _NOTE.search(entry)  # 会長　山本　和彦（東京大学教授）: where the person comes from
        affiliation = note.group()[1:-1].strip() if note else ""
        role, *names = entry[: note.start()].strip().split(" ") if note else entry.split(" ")
        if not names and i + 1 < len(entries) and not _titled(entries[i + 1].split(" ")[0]):
            names = entries[i + 1].split(" ")  # 町長　　　田中　一夫: as wide a gap after the title
        if _titled(role) and 1 <= len(names) <= 2 and all(1 <= len(n) <= 5 for n in names):
            affiliation, title = split_title(affiliation)
            people.append(Attendee(name=" ".join(names), group=group, role=role, affiliation=affiliation, title=title))
    return people


def parse_listed_line(line: str, group: str) -> list[Attendee]:
    """``日向委員長、くり林、中里の各委員(後藤副委員長は欠席)`` → 日向 (委員長), くり林 and 中里 (委員):
    surnames with their posts in one list, read as a summary's roster list is, a note of who was
    absent left out."""
    text = _NOTE.sub("", nfkc(line).strip())
    each = _EACH.search(text)
    listed = parse_list(text[: each.start()] if each else text, group) or []
    post = each.group(1) if each else ""
    return [replace(p, role=p.role or post) for p in listed if len(compact(p.name)) <= 6]


def _name_row(line: str) -> bool:
    """Whether ``line`` is a row of full names (``◎山川昌子 ○肥沼茂男 佐藤真和``, ``…各委員``), not of
    titles and names (``町長　田中　一夫``) nor one name written with its space."""
    if not _NAME_ROW.match(line.strip()):
        return False
    tokens = [t.lstrip("◎○〇") for t in collapse_spaces(line).removesuffix("各委員").split(" ")]
    if any(_titled(t) for t in tokens):
        return False
    marked = line.strip()[:1] in _ROW_MARKS or line.strip().endswith("各委員")
    return marked or all(len(t) >= 3 for t in tokens)


def parse_name_row(line: str, group: str) -> list[Attendee]:
    """``◎山川昌子 ○肥沼茂男 佐藤真和 …各委員`` → the chair (◎), the vice-chair (○) and members."""
    people = []
    for token in collapse_spaces(line).removesuffix("各委員").split(" "):
        mark = _ROW_MARKS.get(token[:1], "")
        name = token[1:] if mark else token
        people.append(Attendee(name=name, group=group, role=mark or ("委員" if group == "委員" else "")))
    return people


def _titled(word: str) -> bool:
    return bool(_ROLE_END.search(word)) or word.endswith("事")  # 市長, 危機管理監, 知事


@dataclass
class _Header:
    """What a verbatim header holds, read line by line: the section a line is in decides its parser."""

    title: list[str] = field(default_factory=list)
    roster: list[Attendee] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)
    place: list[str] = field(default_factory=list)
    section: str = "title"
    group: str = ""
    held: str = ""  # a post long enough to run over lines, waiting for the name with 君
    dated: str = ""  # the sitting's day under 議事日程, where the title lines give none
    body: str = ""  # the bureau a table's spanning cell gives the officials under it

    def opens(self, line: str, bare: str) -> bool:
        """Take ``line`` as a section's head, if it is one (出席委員, 説明のため出席した者, 議事日程, 〇日時)."""
        head, phrase, lead = _ROSTER_HEAD.match(bare), _ROSTER_PHRASES.match(bare), _ROSTER_LEAD.match(line)
        if head or phrase or lead:
            self.body = ""  # a new roster: no bureau spans into it
        if head:
            # 委員外の出席者 (a committee's staff, members of other committees) are not its members
            self.section, self.group = "roster", head.group(2) + (head.group(3) or "")
        elif lead:
            self.section, self.group = "roster", lead.group(1) or lead.group(2)
            self.roster += parse_roster_line(lead.group(3), self.group)
        elif phrase:  # 説明のため出席した者, 職務のため出席した事務局職員
            self.section, self.group = "roster", _PHRASE_GROUPS.get(phrase.group(1), "事務局")
        elif _AGENDA_HEAD.match(bare):
            self.section = "agenda"
        elif bare in _FIELDS:  # 〇日時, 〇場所 over their values
            self.section = _FIELDS[bare]
        else:
            return False
        return True

    def field(self, line: str) -> bool:
        """Take a numbered field (``1.出席委員 ◎山川昌子 …``) or a field with its value beside it
        (``場所　第１委員会室``), if ``line`` is one."""
        found = _NUMBERED_FIELD.match(line) or _INLINE_FIELD.match(line)
        if not found:
            return False
        word = compact(found.group(1))
        kind = _NUMBERED_WORDS.get(word) or _FIELDS[word]
        if kind in ("when", "place", "agenda", "absent", "body"):
            self.section = kind
        else:
            self.section, self.group = "roster", kind
        if found.group(2).strip():
            self.read(found.group(2).strip(), compact(found.group(2)))
        return True

    def read(self, line: str, bare: str) -> None:
        """Take a line of the current section."""
        if self.section in ("title", "when"):
            if self.section == "title" and find_date(line):
                self.section = "date"  # the lines after the date and before a section are no title
            self.title.append(without_heading_marks(line))
        elif self.section == "date" and all(find_date(t) for t in self.title) and MEETING_WORDS.search(line):
            self.title.append(without_heading_marks(line))  # the day first, then 第3回…定例会会議録(第1号)
        elif self.section == "place" or (self.section == "date" and not self.place and _ROOM.match(bare)):
            self.place.append(line)  # 第一委員会室 under the day, as an assembly's record names its room
        elif self.section == "roster" and bare != "なし":  # 出席説明員 なし: no one
            self._roster_line(line)
        elif self.section == "agenda" and _DATE_LINE.match(bare):
            self.dated = self.dated or line
        elif self.section == "agenda":
            # 1 議長からの諮問事項について, (1)…; written as a heading is (日程第1 一般質問), so the
            # item a chair names and the heading over the turns are one topic
            item = collapse_spaces(nfkc(ITEM_NUMBER.sub("", BULLET.sub("", line))))
            if self.agenda and _BILL_NUMBER.search(self.agenda[-1]) and not _ITEM_LEAD.match(item):
                self.agenda[-1] += " " + item  # 第一 第一号議案, then its name on the next line
            else:
                self.agenda.append(item)

    def _under_body(self, person: Attendee) -> Attendee:
        """A page's table of officials gives the bureau in a cell that spans its rows
        (``政策企画局 | 局長 | 佐藤 章君``, then ``次長 | 土村 武史君``): the bureau is the affiliation
        of its first official and of those under it, until the next bureau or section."""
        body, _, post = person.role.partition(" ")
        if post and _BODY_END.search(body):
            self.body = body
            return replace(person, role=post, affiliation=body)
        if self.body and " " not in person.role and not _BODY_END.search(person.role):
            return replace(person, affiliation=self.body)
        return person

    def _roster_line(self, line: str) -> None:
        if "君" in line:
            self.roster += [self._under_body(p) for p in parse_roster_line(self.held + line, self.group)]
            self.held = ""
        elif LIST_SEPARATOR.search(line):  # a list, before a post alone: 茶木局長、土屋議会総務課長 ends as one does
            self.roster += parse_listed_line(line, self.group)
        elif _name_row(line):
            self.roster += parse_name_row(line, self.group)
        elif ROLE_ONLY.match(compact(line)):
            self.held += compact(line)
        elif self.group == "議員" and _SEAT.search(nfkc(line)):
            self.roster += parse_seat_line(line, self.group)
        elif (people := parse_titled_line(line, self.group)) or not _POST_PIECE.fullmatch(compact(line)):
            self.roster += people
        else:  # 衆議院法制局法 over 制企画調整部長　郡山 芳一君: a post the page ran over lines
            self.held += compact(line)


def _header(lines: list[str]) -> tuple[_Header, int]:
    """The header, and the index of the first turn."""
    header = _Header()
    for i, raw in enumerate(lines):
        stripped = raw.strip(" 　")
        if header.section == "agenda" and _MARKED_ITEM.match(stripped):
            header.agenda.append(collapse_spaces(nfkc(stripped[1:])))  # ○…法律案（内閣提出）: 参議院's items
            continue
        if is_turn_start(stripped):
            return header, i
        line = close_spread(_TABLE_BAR.sub(" ", raw).strip(" 　"))
        circled = _SECTION_HEAD.match(line)  # ○出席議員（２名）: read without its ○
        bare = compact(circled.group(1) if circled else line)
        if _SEPARATOR.match(compact(line)):
            if header.section == "roster":
                header.section = ""  # the Diet's rule under its rosters: 委員の異動's prose follows, no one's entry
            continue
        if header.field(line) or header.opens(line, bare) or not line:
            continue
        enclosed = _ENCLOSED.match(bare)  # (午後1時30分開会): the sitting's hour in brackets
        if SITTING_TIME.match(enclosed.group(1) if enclosed else bare):
            continue
        header.read(line, bare)
    return header, len(lines)


def resolve(label: str, roster: list[Attendee]) -> Speaker:
    """``山田（賢）委員``, ``盛山国務大臣`` or ``政府参考人（伊藤学司君）`` → the roster's person."""
    bare, extras = split_label(label)
    if compact(bare) in SECRETARIAT:
        # 事務局（情報公開課長）: the post in brackets, as the other formats keep it
        return Speaker(label=label, name=compact(bare), group=compact(bare), affiliation=extras, is_person=False)
    written = collapse_spaces(nfkc(without_honorific(extras)))  # ◆１番（山田　太郎君）: 山田 太郎
    inner = compact(written)
    if _name_inside(bare, extras, roster):
        surname, role, given = inner, compact(bare), ""  # 政府参考人（伊藤学司君）: the name is inside
    else:
        surname, role = name_and_role(compact(bare))
        given, written = inner, surname
    role = "議員" if SEAT.fullmatch(role) else "" if role in HONORIFICS else role  # 泉健太君: no role
    candidates = [p for p in roster if surname and compact(p.name).startswith(surname)]
    if given:
        candidates = [p for p in candidates if _given(p, surname).startswith(given)]
    elif not candidates:  # 箕輪総務局企画調整担当部長: a surname of the roster, then a role no list holds
        led = [p for p in roster if (s := _surname(p)) and compact(bare).startswith(s) and len(compact(bare)) > len(s)]
        if len(led) > 1:  # two 小林: the one whose post follows the surname
            led = [p for p in led if holds_post(p, compact(bare)[len(_surname(p)) :])]
        if len(led) == 1:
            candidates, role = led, compact(bare)[len(_surname(led[0])) :]
    if not candidates and (holder := by_role(surname, roster)) is not None:
        candidates, role = [holder], surname  # ○委員長 alone: the post its one holder speaks as
    if len(candidates) > 1 and role:  # 小林副委員長 among two 小林: the one who holds the post
        candidates = [p for p in candidates if holds_post(p, role)] or candidates
    if len(candidates) == 1:
        person = candidates[0]
        return Speaker(
            label=label,
            name=person.name,
            role=role or person.role,
            group=person.group,
            affiliation=roster_affiliation(person, role),
            person_id=person_id(person.name),
        )
    if role and is_post_alone(surname):  # ◎児童青少年課長: a post, as ○委員長 is
        surname = written = role = compact(bare)
    role = role or bare_role(surname)  # ○会長 with no roster to name its holder: a role without a name
    return Speaker(label=label, name=written, role=role, person_id=person_id(surname))


def _name_inside(bare: str, extras: str, roster: list[Attendee]) -> bool:
    """Whether the brackets hold the speaker's name (議長（山田太郎君）, １番（田中花子）, 教育長（高橋三郎）)
    rather than a given name that tells namesakes apart (山田（賢）委員)."""
    named = without_honorific(extras)
    inner, key = compact(named), compact(bare)
    if len(inner) < 2:
        return False
    if named != extras or SEAT.fullmatch(key) or any(compact(p.name).startswith(inner) for p in roster):
        return True
    titled = key in (*ROLE_SUFFIXES, "政府参考人") or (bool(_ROLE_END.search(key)) and surname_and_title(key) is None)
    return len(inner) >= 3 and titled  # 教育長, not 山田委員: no name before the title


def _surname(person: Attendee) -> str:
    """The surname of a roster name written with its space (``箕輪 泰夫``), else ""."""
    parts = nfkc(person.name).split()
    return parts[0] if len(parts) > 1 and len(parts[0]) >= 2 else ""


def _given(person: Attendee, surname: str) -> str:
    parts = nfkc(person.name).split()
    return parts[1] if len(parts) > 1 else compact(person.name)[len(surname) :]


def _with_heading(lines: list[str], start: int) -> int:
    """Where the turns begin: the first turn, or the heading just above it (``◎開議の宣告``, ``### 1. 開会``)."""
    i = start - 1
    while i >= 0 and (
        not lines[i].strip(" 　") or _SEPARATOR.match(compact(lines[i])) or _TIMESTAMP.match(compact(lines[i]))
    ):
        i -= 1
    line = lines[i].strip(" 　") if i >= 0 else ""
    heading = _heading(line) or markdown_heading(line) or (_NUMBERED.match(line) and not _body_head(line))
    return i if heading else start


def _body_head(line: str) -> bool:
    """Whether ``line`` heads the proceedings as a whole (``2.議事内容``), no topic of their own."""
    found = _NUMBERED_FIELD.match(line)
    return found is not None and _NUMBERED_WORDS.get(compact(found.group(1))) == "body"


def _heading(line: str) -> str | None:
    """The text of a heading line (``◎開議の宣告``, ``〔議題1〕…``, ``日程第１　一般質問``), or None."""
    found = _HEADING.match(line) or _ITEM_HEADING.match(line)
    return collapse_spaces(nfkc(next(g for g in found.groups() if g))) if found else None


def _numbered_headings(lines: list[str]) -> set[int]:
    """The indexes of numbered lines (``2.議長あいさつ``) that a turn follows, maybe after another
    such line or a time (``【10:00】``), and that follow a blank line, a sentence's end or another
    such line: a numbered point inside a speech has more speech after it or a list's lead before it
    (本日の議題は、)."""
    leading: set[int] = set()
    leads = False  # whether the next line with text opens a turn or is such a heading
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i].strip(" 　")
        if not line or _TIMESTAMP.match(nfkc(line)):
            continue
        if is_turn_start(line):
            leads = True
        elif leads and _NUMBERED.match(line):
            leading.add(i)
        else:
            leads = False
    found: set[int] = set()
    for i in sorted(leading):
        before = lines[i - 1].strip(" 　") if i > 0 else ""
        if not before or i - 1 in found or before.endswith(("。", "」")) or _TIMESTAMP.match(nfkc(before)):
            found.add(i)
    return found


def _blocks(lines: list[str]) -> list[tuple[str, list[str]]]:
    """Each turn's lines, with the heading (``◎開議の宣告``) last seen before it ("" for none)."""
    blocks: list[tuple[str, list[str]]] = []
    heading = ""
    numbered = _numbered_headings(lines)
    for i, raw in enumerate(lines):
        line = raw.strip(" 　")
        if is_turn_start(line):
            blocks.append((heading, [line]))
        elif (markdown := markdown_heading(line)) is not None:  # ### 2. 議事
            heading = collapse_spaces(nfkc(markdown))
        elif i in numbered and (item := _NUMBERED.match(line)):
            heading = collapse_spaces(nfkc(item.group(1)))
        elif (text := _heading(line)) and not _SEPARATOR.match(compact(line)):
            heading = text
        elif (section := _SECTION_HEAD.match(line)) and not _SEPARATOR.match(compact(line)):
            heading = collapse_spaces(nfkc(section.group(1)))
        elif is_page_number(line, bare=False):  # －２－ between a page's speech and the next's
            continue
        elif blocks:
            blocks[-1][1].append(line)
    return blocks


def _turns(lines: list[str], roster: list[Attendee], agenda: list[str]) -> list[Turn]:
    turns: list[Turn] = []
    topic = heading_seen = ""
    for heading, block in _blocks(lines):
        if heading != heading_seen:
            topic = heading_seen = heading
        label, first = split_speaker_prefix(block[0])
        text = strip_stage_directions("\n".join([first, *block[1:]]))
        if not text:
            continue
        topic = agenda_topic(text, agenda, topic)
        turns.append(Turn(order=len(turns) + 1, speaker=resolve(label, roster), topic=topic, text=text))
    return turns


def parse(source: Source) -> ParsedMinutes:
    """Parse verbatim ``○`` minutes into a meeting and its turns."""
    # a page's or a document's table cells come apart by tabs; here, as wide gaps (教育長　　比留間英人)
    lines = [without_markup(line).replace("\t", "  ") for line in source.text.split("\n")]
    header, start = _header(lines)
    title_lines, roster, agenda = header.title, header.roster, header.agenda
    head = "\n".join(lines[:start])
    if is_diet_attendance(head):  # the Diet's posts and groups over the names, as the API's speechOrder 0
        roster = parse_diet_roster(head)
    turns = _turns(lines[_with_heading(lines, start) :], roster, agenda)
    if not turns:
        raise no_turns(source.name)
    heading = " ".join(title_lines)
    undated = next((t for t in title_lines if not find_date(t)), "")
    title = undated or next((t for t in title_lines if MEETING_WORDS.search(t)), "") or source.name
    date = find_date(heading)
    if not date:  # 平成24年第3回…定例会, then 議事日程 over the day it sits
        heading = f"{heading} {header.dated}"
        date = find_date(heading)
    start_time, end_time = find_time_range(heading)
    meeting = Meeting(
        meeting_id=meeting_id_for(title, date),
        title=title,
        date=date,
        start_time=start_time,
        end_time=end_time,
        place=" ".join(header.place),
        agenda=tuple(agenda),
        attendees=tuple(roster),
        topics=tuple(dict.fromkeys(t.topic for t in turns if t.topic)),
        source_format=name,
        source_name=source.name,
        content_hash=source.content_hash,
    )
    return ParsedMinutes(meeting=meeting, turns=tuple(turns))
