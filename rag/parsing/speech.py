"""Helpers shared by verbatim formats: stage directions, ``○名前役職`` prefixes and kanji rosters."""

from __future__ import annotations

import re

from rag.models import Attendee
from rag.people import ACTING_WORDS, SEAT
from rag.text import CLOCK_DIGIT, collapse_spaces, join_broken, kanji_to_int

# 〔「異議なし」と呼ぶ者あり〕; in round brackets, the clerk's words or a call from the floor
# quoted and reported (（「そうだ」と言う者あり）, （「異議なし」の声あり）, （「賛成」と呼ぶ者多し）)
_STAGE = re.compile(
    r"[〔［][^〕］]{0,80}[〕］]"
    r"|[（(](?:拍手|笑声|発言する者|速記中止|退席|退場|登壇|降壇|議場騒然)[^）)]{0,20}[）)]"
    r"|[（(]「[^」]{1,40}」[との][^）)]{0,12}(?:あり|多し)[）)]"
)
_SEPARATOR = re.compile(r"^[\s　]*(?:[―—－\-−─━=＝*＊・◇◆○][\s　]*){3,}$")  # also ――― ◇ ―――
_CLOCK = f"{CLOCK_DIGIT}+"
_SITTING_EVENT = "(?:開議|開会|再開|休憩|散会|閉会|延会)"
# 午前10時開議, 午後３時15分　散会, 午後一時三分開会・開議: the clerk's note of when the sitting
# opened, paused or closed, on a line of its own between turns or at the end of the chair's last one
SITTING_TIME = re.compile(
    rf"^(?:午前|午後)\s*{_CLOCK}時(?:{_CLOCK}分)?[\s　]*{_SITTING_EVENT}(?:[・、]{_SITTING_EVENT})*$"
)
# A label is one run without spaces, or one with a parenthesised name that may hold a space
# (◯12番（高橋 恵子君）); the speech follows after a space, or on the next lines.
# The third: a name run into posts held at once, longer than any other label (an assembly's
# 黒岩企画担当部長戦略広報担当部長…兼務), without a sentence's punctuation and ending as a post ends
SPEAKER_LABEL = (
    r"[^\s　（(]{1,30}(?:[（(][^）)\n]{0,30}[）)])?|[^\s　]{1,30}"
    r"|[^\s　、。，．「」（()）]{31,80}(?:長|監|官|理事|兼務)"
)
# Marks that assemblies put before a speaker besides ○ (◎ the executive side, ◆ a member asking…);
# they also open headings, so a label after them must look like a speaker's.
COUNCIL_MARKS = "◎◆◇△▲"
STRICT_SPEAKER_LABEL = (
    r"[^\s　（(]{1,20}[（(][^）)\n]{1,20}[）)]"
    r"|[^\s　（(]{1,20}(?:議員|委員|知事|理事者|長|監|官|君)"  # 教育長, 危機管理監, 審議官: a title's last word
)
# A label whose brackets close on an honorific (議長（田中次郎君）) ends there, whether a space
# follows or the speech is glued on (a web page's spans run together).
HONORIFIC_LABEL = r"[^\s　（(]{1,20}[（(][^）)\n]{1,20}(?:君|氏|さん)[）)]"
_SPEAKER_PREFIX = re.compile(
    rf"^[○〇◯{COUNCIL_MARKS}]\s*({HONORIFIC_LABEL})[\s　]*(?=\S)"
    rf"|^[○〇◯]\s*({SPEAKER_LABEL})(?:[\s　]+|$)|^[{COUNCIL_MARKS}]\s*({STRICT_SPEAKER_LABEL})[\s　]+"
)
_ROSTER_ENTRY = re.compile(r"(.{1,120}?)君")  # a post may run long: …担当部長兼務
# A post held for the time being, after the post: 局長心得, 危機管理監事務取扱, 部長代理
_ACTING = f"(?:{ACTING_WORDS})?"
# The last word of a post run into a name (総務局局長笠井, 主査上野, a 審査会's 幹事, a 公述人's 弁護士 鈴木)
_POST_END = "長|監|理事|幹事|知事|教授|委員|参考人|官|者|員|大臣|兼務|主査|弁護士|会計士|税理士|博士"
ROLE_HEAD = re.compile(rf"^(.*(?:{_POST_END}){_ACTING})[\s　]*(?=[^　\s])")
# A post's last word once more, then 長: a surname that starts with 長 (総務部長長谷川, 委員長長橋),
# for no post ends 部長長 or 監長
_NAME_AFTER_POST = re.compile(r"(?:長|監|官|者|大臣|教授|知事|参考人)長$")
# A post in brackets before the name (（文部科学省大臣官房長）　望月　禎君)
_BRACKETED_POST = re.compile(r"^[（(]([^）)]{2,60})[）)][\s　]*")
# A roster line that is only a role (企画担当部長戦略広報担当部長, …対策広報担当部長兼務): a post long
# enough to run over lines before the name and its 君
ROLE_ONLY = re.compile(rf"^[^\s　君]{{2,60}}(?:長|監|理事|官|兼務){_ACTING}$")


def split_role_head(entry: str) -> tuple[str, str]:
    """``総務局局長笠井　謙一`` → (``総務局局長``, ``笠井　謙一``): the post run into a name, by its last
    role ending; ``("", entry)`` where none. ``総務部長長谷川　明`` is 総務部長 and 長谷川."""
    head = ROLE_HEAD.match(entry)
    if head is None:
        return "", entry
    role = head.group(1)
    if _NAME_AFTER_POST.search(role):
        return role[:-1], entry[len(role) - 1 :]
    return role.strip(" 　"), entry[head.end() :]


# A line wholly in round brackets, short and no sentence: the clerk's note of what happened or what
# follows ((動画上映), (資料投影), (主な意見)), never anyone's speech
_NOTE_LINE = re.compile(r"^[（(]([^（）()。．]{1,12})[）)]$")


def is_note_line(line: str) -> bool:
    """Whether ``line`` is a short note in round brackets (``（動画上映）``), not speech."""
    return bool(_NOTE_LINE.match(line.strip(" 　")))


def strip_stage_directions(text: str) -> str:
    """Drop ``〔「異議なし」と呼ぶ者あり〕``, separator lines and sitting times; they are not speech."""
    lines = []
    for line in text.split("\n"):
        if _SEPARATOR.match(line) or SITTING_TIME.match(line.strip(" 　")):
            continue
        cleaned = _STAGE.sub("", line).rstrip()
        if cleaned.strip(" 　"):
            lines.append(cleaned.strip(" 　"))
    return "\n".join(lines)


# 均等割付: a roster sets a short name over the width of a long one (山　田　　太　郎　　君), one
# character at a time, with the wider gap between surname and given name
_SPREAD = re.compile(r"(?<![^ 　])\S(?:[ 　]\S)+(?![^ 　])")
# 議　　　長, 事 務 総 長: a post set out over the width of the longest one, a character at a time
# with gaps of any width (a roster's post, before its name)
_SPREAD_POST = re.compile(r"\S(?:[ 　]+\S)+")
_LONE_HONORIFIC = re.compile(r"(?<=\S)[ 　]+君(?=[ 　]|$)")


def close_spread(line: str) -> str:
    """``１番　　山　田　　太　郎　　君`` → ``１番　　山田　　太郎君``: characters set apart one by one
    are closed up, and a 君 set apart rejoins its name."""
    closed = _SPREAD.sub(lambda m: re.sub(r"[ 　]", "", m.group()), line)
    return _LONE_HONORIFIC.sub("君", closed)


# A name, a space, then the post (○白石孝雄 議長, ◆小川利八郎 議員, ◎坂田 総合政策部長, as some city
# councils write their labels), then the speech after a space on the same line (alone on its
# line, ○山田太郎 委員長 may be a roster's entry)
_NAME_THEN_POST = re.compile(
    rf"^[○〇◯{COUNCIL_MARKS}]\s*([^\s　（()）、。0-9０-９]{{1,10}}) "
    r"([^\s　（()）、。]{0,16}(?:議長|議員|委員|知事|長|監|官|理事|員|者))[\s　]+(?=\S)"
)
_POST_ENDING = re.compile(r"(?:長|監|官|理事|員|者|大臣|知事|君|番)$")


def name_then_post(line: str) -> re.Match[str] | None:
    """The label of a name and a post apart by a space (``○白石孝雄 議長　…``), or None; a first word
    that is a post itself (○委員長 市長) is no name."""
    found = _NAME_THEN_POST.match(line)
    return None if found is None or _POST_ENDING.search(found.group(1)) else found


def split_speaker_prefix(speech: str) -> tuple[str, str]:
    """``○田野瀬委員長　これより…`` → (``田野瀬委員長``, ``これより…``)."""
    spaced = name_then_post(speech)
    if spaced is not None:
        return f"{spaced.group(1)} {spaced.group(2)}", speech[spaced.end() :]
    match = _SPEAKER_PREFIX.match(speech)
    if not match:
        return "", speech
    return next(label for label in match.groups() if label), speech[match.end() :]


def parse_kanji_roster(text: str, group: str = "") -> list[Attendee]:
    """Roster lines like ``委員長大津　浩子君``, ``総務局局長笠井　謙一君`` (role run into the name) or
    ``七十二番　吉田　信夫君`` (a member's seat: role 議員)."""
    people = []
    lines = text.split("\n")
    joined = "".join(line.strip(" 　") + ("" if ROLE_ONLY.match(line.strip(" 　")) else "\n") for line in lines)
    for entry in _ROSTER_ENTRY.findall(joined):
        entry = _closed_post(entry.strip(" 　"))
        role = ""
        head = ROLE_HEAD.match(entry)
        seat = SEAT.match(entry)
        bracketed = _BRACKETED_POST.match(entry)
        if bracketed:  # （文部科学省大臣官房長）　望月　禎君: the House of Representatives' 政府参考人
            role, entry = bracketed.group(1).strip(" 　"), entry[bracketed.end() :]
        elif seat:  # 七十二番　吉田　信夫君: a member's seat
            role, entry = "議員", entry[seat.end() :]
        elif head and len(head.group(1)) >= 2:
            role, entry = split_role_head(entry)
            role = re.sub(r"[ 　]+", "", role) if _SPREAD_POST.fullmatch(role) else role
        name = collapse_spaces(entry)
        if name:
            people.append(Attendee(name=name, group=group, role=role))
    return people


# A post set out a character at a time before a name (文 部 大 臣 石橋 一弥): three or more lone
# characters, then a word of two or more
_SPREAD_HEAD = re.compile(r"^((?:\S[ 　]+){2,}\S)(?=[ 　]+\S\S)")
_SPREAD_POST_END = re.compile(rf"(?:{_POST_END}){_ACTING}$")


def _closed_post(entry: str) -> str:
    """``文 部 大 臣 石橋 一弥`` → ``文部大臣 石橋 一弥``: a post spread over the width closed up, where
    it ends as a post does; a name set a character at a time (山 田 太 郎) stays as it is."""
    spread = _SPREAD_HEAD.match(entry)
    if spread is None:
        return entry
    post = re.sub(r"[ 　]+", "", spread.group(1))
    return post + entry[spread.end() :] if _SPREAD_POST_END.search(post) else entry


_ITEM_TAIL = re.compile(r"(に関する件|の件|について|等)$")


# A bill by its number (第一号議案, 第百二十三号報告), as an agenda item and a chair name it
BILL_NUMBER = r"第[^第号\s]{1,8}号(?:議案|報告|諮問|請願|陳情)"
_BILL_ID = re.compile(rf"^.{{0,8}}?{BILL_NUMBER}")  # at an item's head: a chair may name it for the whole


def agenda_topic(text: str, agenda: list[str] | tuple[str, ...], current: str) -> str:
    """The agenda item a turn takes up (the chair names it: 「…に関する件について調査を進めます」), else ``current``.

    An item counts as named when its core (without に関する件/の件) appears in the turn's opening, or
    most of its character pairs do (理事の辞任及び補欠選任 ~ 理事辞任の件 … 補欠選任).
    """
    head = re.sub(r"\s+", "", text[:300])
    best, best_score = current, 0.0
    for item in agenda:
        core = _ITEM_TAIL.sub("", re.sub(r"\s+", "", item))
        numbered = _BILL_ID.search(core)  # 第一第一号議案令和五年度…予算: the chair may name the number alone
        for named in (core, core[: numbered.end()]) if numbered else (core,):
            if len(named) < 4:
                continue
            if named in head:
                return item
            pairs = {named[i : i + 2] for i in range(len(named) - 1)}
            score = sum(1 for p in pairs if p in head) / len(pairs)
            if score >= 0.7 and score > best_score:
                best, best_score = item, score
    return best


def parse_agenda_block(text: str) -> list[str]:
    """The items listed under 本日の会議に付した案件, up to the next separator or the sitting's
    opening time (a plenary's record runs on into 午後一時二分開議). Where an item stands for items
    of the order of business above it (the House of Councillors' 一、議事日程のとおり, 一、日程第一及び
    第二), those items."""
    found = re.search(r"本日の会議に付した(?:案件|事件)", text)  # 事件 in older records and assemblies
    if found is None:
        return []
    start = found.start()
    lines = []
    for line in text[start:].split("\n")[1:]:
        line = line.strip(" 　")
        if not line or _is_rule(line) or SITTING_TIME.match(line):
            break
        lines.append(re.sub(r"^[○〇◯]\s*", "", line))  # ○政府参考人の出席要求に関する件
    items = _marked_items(lines, _LISTED)
    if not any(_SCHEDULED_REF.search(item) for item in items):
        return items
    scheduled = _scheduled(text)
    return [each for item in items for each in (_referred(item, scheduled) or [item])]


def _is_rule(line: str) -> bool:
    return bool(_SEPARATOR.match(line) or re.match(r"^[―—－\-─━◇◆]{3,}", line))


_NUMERAL = "[一二三四五六七八九十百〇0-9０-９]"
# 一、裁判官訴追委員辞任の件: the House of Councillors' mark before each item of its business
_LISTED = re.compile(r"^[一二三四五六七八九十]+、\s*")
# 第一　国務大臣の演説に関する件（第二日）, 日程第１　…: an item of the order of business, by its number
_SCHEDULE_ITEM = re.compile(rf"^(?:日程)?第{_NUMERAL}+[\s　]+")
_SCHEDULE_HEAD = re.compile(rf"^[ 　]*議事日程(?:[ 　]*第{_NUMERAL}+号)?[ 　]*$", re.M)
# 議事日程のとおり, 日程第一及び第二, 日程第一より第九まで: items that stand for the order of business
_SCHEDULED_REF = re.compile(
    rf"議事日程のとおり|^日程第{_NUMERAL}+(?:(?:及び|並びに|、|より|から)第{_NUMERAL}+)*(?:まで)?$"
)


def _marked_items(lines: list[str], mark: re.Pattern[str]) -> list[str]:
    """Items of lines where each item opens with ``mark`` and a line without it goes on with the item
    above it, as the page ran it over (…自制を求 / める決議案); one item a line where none is marked."""
    if not lines or not mark.match(lines[0]):
        return lines
    items: list[str] = []
    for line in lines:
        opened = mark.match(line)
        if opened or not items:
            items.append(line[opened.end() :] if opened else line)
        else:
            items[-1] = join_broken(items[-1], line)
    return [item.strip() for item in items]


def _scheduled(text: str) -> list[str]:
    """The numbered items of the order of business (議事日程 第三号, its day and hour, then 第一 …),
    up to the rule under it."""
    head = _SCHEDULE_HEAD.search(text)
    if head is None:
        return []
    lines: list[str] = []
    for line in text[head.end() :].split("\n")[1:]:
        line = line.strip(" 　")
        if lines and _is_rule(line):
            break
        if lines or _SCHEDULE_ITEM.match(line):  # its day and hour come before the first item
            lines.append(line)
    return _marked_items(lines, _SCHEDULE_ITEM)


def _referred(item: str, scheduled: list[str]) -> list[str]:
    """The items of the order of business that ``item`` stands for: all of them for 議事日程のとおり,
    the numbered ones (a range with より/から … まで) for 日程第一及び第二; [] if it stands for none."""
    if not scheduled or not _SCHEDULED_REF.search(item):
        return []
    if "議事日程のとおり" in item:
        return scheduled
    numbers = [kanji_to_int(n) for n in re.findall(rf"第({_NUMERAL}+)", item)]
    if len(numbers) == 2 and re.search(r"より|から", item):
        numbers = list(range(numbers[0], numbers[1] + 1))
    picked = [scheduled[n - 1] for n in numbers if 0 < n <= len(scheduled)]
    return picked or scheduled
