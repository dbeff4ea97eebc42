"""議事要旨 (meeting summary) text, as extracted from the published PDF.

Header blocks (日時 / 場所 / 出席者 / 議事次第), then 議事 with topic headings (``■…について``) and
speaker turns that start with a line ``宮坂：`` or ``畑中（オブザーバー）：`` and continue as
``▪``/``•``/``・`` bullets. The PDF extraction leaves page numbers on their own lines, breaks lines
mid-word and sometimes glues a speaker marker onto the end of the previous line; all of that is
undone here.

Other summaries write the label at the head of its speech in other marks: ``（宮坂副知事）…``,
``・宮坂副知事：…``, ``**宮坂副知事**：…``, ``宮坂副知事　…`` (a full-width space) or
``■宮坂副知事`` over the speech. Those are taken only where the label surely names someone (a
roster person, an office, a surname with a role), since the same marks carry notes
(``・注意：``), stage directions (``（拍手）``) and topics (``■防災について``). A bare role
(``（委員）…``, ``委員：…``, ``会長　…``) names no one, and is taken where the document writes
enough of its turns that way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rag.errors import ParseError
from rag.models import UNATTRIBUTED, Attendee, Meeting, ParsedMinutes, Speaker, Turn
from rag.parsing.base import (
    MEETING_WORDS,
    Source,
    is_column_names,
    markdown_heading,
    meeting_id_for,
    no_turns,
    without_heading_marks,
    without_markup,
)
from rag.parsing.marks import (
    BULLET,
    GROUP_WORDS,
    ITEM_NUMBER,
    NAME_TOKEN,
    PAREN_LABEL,
    SENTENCE_BULLET,
    SURNAME_LABEL,
)
from rag.parsing.pages import is_page_number
from rag.parsing.rosters import LIST_SEPARATOR, parse_roster
from rag.parsing.speakers import SpeakerJudge, has_title, is_content, is_known, is_label_shaped, is_office
from rag.parsing.speech import is_note_line
from rag.people import NAME_MARK, compact, is_office_label, resolve_speaker, split_label, split_name_role
from rag.text import collapse_spaces, find_date, find_time_range, join_broken, nfkc
from rag.tokenize import continues_line, is_common_compound, is_common_word, reads_as_name

name = "summary"

_LABEL = r"[^\s：:。、「」]{1,24}?(?:[（(][^）)]{1,30}[）)])?"
_MARKER = re.compile(rf"^({_LABEL})\s*[：:]\s*$")
_GLUED = re.compile(rf"^(.*?[。．」）)!?！？])\s*({_LABEL})\s*[：:]\s*$")
_SECTION_WORDS = {
    "日時": "datetime",
    "開催日時": "datetime",
    "場所": "place",
    "開催場所": "place",
    "出席者": "attendees",
    "出席委員": "attendees",
    "議事次第": "agenda",
    "次第": "agenda",
    "会議次第": "agenda",
    "議事": "body",
    "議事概要": "body",
    "議事録": "body",
    # what city and town councils head the body with
    "会議の結果": "body",
    "会議の概要": "body",
    "会議概要": "body",
    "会議の経過": "body",
    "会議経過": "body",
    "審議経過": "body",
    "審議の経過": "body",
    "議事の経過": "body",
    "議事経過": "body",
    "会議内容": "body",
    "審議内容": "body",
    "議事内容": "body",
    # … or with what the body holds: the views and questions put
    "主な意見": "body",
    "主な意見等": "body",
    "主な発言": "body",
    "主な質疑": "body",
    "質疑応答": "body",
    "意見交換": "body",
    "議事要旨": "kind",
    # Blocks of the header that list no one: the papers handed out, and who was absent
    "資料": "papers",
    "配布資料": "papers",
    "配付資料": "papers",
    "当日資料": "papers",
    "会議資料": "papers",
    "参考資料": "papers",
    "会議動画": "papers",  # a page's recording of the meeting, after its agenda
    "欠席者": "absent",
    "欠席委員": "absent",
    "傍聴者": "public",
    "傍聴人": "public",
}
# Sections that only follow others: met before any, the word is a page's navigation, not a block
_AFTER_HEADER = ("papers", "absent", "public")
_TOPIC_SUFFIX = re.compile(r"について$")
_INLINE_SECTION = re.compile(
    r"^(?:[■□◆【\[•・\-]|[0-9０-９]{1,2}[.．]?)?\s*"
    r"(日時|開催日時|場所|開催場所|出席者|出席委員|欠席者|欠席委員|傍聴者|傍聴人|議事次第|会議次第|議題)"
    r"\s*[】\]]?\s*(?:[：:]\s*|\s+)(\S.*)$"
)
# 議題　1　…について beside its word is the agenda, and so is 議題 on a line of its own among the
# header's fields, whether a body heading (会議の経過) or the turns follow its items
_INLINE_ONLY = {"議題": "agenda"}
# 事務局：情報政策課　中村課長、小林係長 among the header's one-line fields: a group of attendees
_GROUP_FIELD = re.compile(r"^([^\s：:。、]{2,12})\s*[：:]\s*([^。]{1,80})$")
_CIRCLE = re.compile(r"^[○〇◯→⇒➡]\s*")  # ○ opens a turn, and so does an answer's arrow (→事務局：…)
_INLINE_MARKER = re.compile(rf"^({_LABEL})\s*[：:]\s*(\S.*)$")
# A name written with its space (``宮坂 学：``, ``宮坂　副知事：``) alone on its line.
_SPACED_MARKER = re.compile(r"^([^\s：:。、「」]{1,8})[ 　]+([^\s：:。、「」]{1,8})\s*[：:]\s*$")
# A line wholly in one pair of brackets: 【議事】, ＜GovTech 東京について＞, 〈防災〉, ［報告］, 《閉会》.
_BRACKET_HEADING = re.compile(
    r"^(?:【([^】]{1,40})】|[＜<]([^＜<＞>]{1,40})[＞>]|〈([^〉]{1,40})〉|《([^》]{1,40})》|[［\[]([^］\]]{1,40})[］\]])$"
)
# A label in brackets at the head of its speech: （宮坂副知事）それでは….
_PAREN_INLINE = re.compile(r"^[（(]([^（(）)0-9０-９]{1,30})[）)][ 　]*(\S.*)$")
# A label alone after a heading mark (■宮坂副知事), which a roster or a role tells from a topic.
_MARKED_LABEL = re.compile(r"^[■□◆][ 　]*([^\s：:。、「」]{1,24}(?:[（(][^）)]{1,30}[）)])?)$")
# A label closed by a bracket never opened, then the speech: 山本委員長)ただ今から….
_HALF_BRACKET_INLINE = re.compile(r"^([^\s（()）：:。、，,「」]{2,30})[)）][ 　]*(\S.*)$")
# A label and its speech apart by a full-width space or a tab (a table's two cells), with no mark:
# 宮坂副知事　それでは….
_SPACED_INLINE = re.compile(r"^([^\s：:。、「」（(]{1,24}(?:[（(][^）)]{1,30}[）)])?)[　\t]+(\S.*)$")
_GIVEN_NAME_MARKER = re.compile(r"^[^\s：:。、「」]{1,8}\s*[：:]")
# Emphasis around a label, as Markdown converters write it: **宮坂副知事**：それでは….
_EMPHASIS = re.compile(r"^(\*\*|__)([^*_]{1,30})\1")
# A line wholly in round brackets or between dashes that names no speaker: a note
# (（事務局から資料1に基づき説明）, -資料1に基づき、事務局から説明-)
_ROUND_NOTE = re.compile(r"^(?:[（(]([^（）()]{2,60})[）)]|[-－―─]\s*([^-－―─]{2,60}?)\s*[-－―─])$")
# …事務局から説明, 会長より報告: who gives the explanation the lines after the note sum up
_EXPLAINED = re.compile(r"(?:^|[、,\s])([^、,\s]{1,20}?)(?:から|より)[^。]{0,20}?(?:説明|報告)[^。、]{0,8}$")
# 事務局から資料１により説明。 on a line of its own, unbracketed: the record of that speaker's turn
_EXPLAINED_LINE = re.compile(
    r"^([^、,\s]{1,20}?)(?:から|より)[^。、]{0,20}?(?:説明|報告)(?:があった|した|を行った)?。?$"
)
_NUMBERED_HEADING = re.compile(r"^[（(][0-9０-９一二三四五六七八九十]{1,3}[）)]\s*(\S.{0,40})$")
_END_WORDS = ("以上",)
_SENTENCE = re.compile(r"[。．]")
# Shorter sentence-like lines before any speaker are more likely notes (（敬称略）。) than speech.
_MIN_UNCLAIMED = 12
_SESSION = re.compile(r"第\s*[0-9０-９一二三四五六七八九十]+\s*回")
# A numbered line without sentence punctuation: an agenda item used as a heading in the body.
_NUMBERED_ITEM = re.compile(r"^[0-9０-９]{1,2}(?:[.．、)）]\s*|[ 　]+)(\S[^。]{0,40})$")  # 3. 閉会, ３　閉会
# A bare role at a line's head (（委員）…, 委員：…, 会長　…) names no one, and the same marks carry
# notes; it is a label where this many lines of the document open with a role or an office that
# way, over speech.
_MIN_ROLE_LINES = 3


# A Markdown table's row and its rule under the header row
_TABLE_ROW = re.compile(r"^\|(.+)\|$")
_TABLE_RULE = re.compile(r"^\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?\s*)?$")


def _bullet(line: str) -> re.Match[str] | None:
    """The bullet that opens ``line`` (▪, ・, or a mark before a sentence: □ 人材の確保も課題。), or None."""
    return BULLET.match(line) or SENTENCE_BULLET.match(line)


@dataclass
class _Draft:
    label: str
    topic: str
    items: list[str] = field(default_factory=list)
    role: str = ""

    def add_line(self, line: str) -> None:
        bullet = _bullet(line)
        if bullet or not self.items:
            self.items.append(line[bullet.end() :] if bullet else line)
        else:
            self.items[-1] = join_broken(self.items[-1], line)


def clean_lines(text: str) -> list[str]:
    """Strip lines, drop blank lines, page numbers and HTML tags (``<a id=…></a>`` in Markdown); a
    Markdown table's rows become their cells apart by tabs, as a table copied from a page is."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = without_markup(raw).strip().strip("\u3000").strip()
        if _TABLE_RULE.match(line):
            if out and "\t" in out[-1] and is_column_names(out[-1].split("\t")):
                out.pop()  # | 発言者 | 発言要旨 |: the columns' names, over the rule
            continue
        row = _TABLE_ROW.match(line)
        if row:  # | 前田委員 | 中小事業者が… |: the speaker's cell, then what they said
            line = "\t".join(cell.strip() for cell in row.group(1).split("|"))
        if line and not is_page_number(line):
            out.append(line)
    return out


def _section_key(line: str) -> str:
    """A line as a section word: no marks, numbers or notes in brackets (``４　議事（公開）`` → 議事,
    ``## 出席者`` → 出席者)."""
    line = without_heading_marks(line)
    return re.sub(r"[（(][^）)]*[）)]", "", compact(line)).strip("■□◆•・-【】[]:：0123456789.")


def _section_of(line: str) -> str | None:
    return _SECTION_WORDS.get(_section_key(line))


def _field_only(line: str, current: str | None) -> str | None:
    """The section a word that is a header field only among others heads (``４　議題`` after 出席者,
    before ``５　会議の経過``)."""
    return None if current in (None, "body", "kind") else _INLINE_ONLY.get(_section_key(line))


def _numbering(line: str) -> tuple[str, str] | None:
    """How a line is numbered, digits left out, and its Arabic digits (``1. 開会`` → (``0.``, ``1``),
    ``（2）…`` → (``(0)``, ``2``), ``三、…`` → (``0、``, ""), ``２　議事`` → (``0``, ``2``)), or None."""
    # the line as written first: a space after the number may be its only mark (２　議事)
    number = ITEM_NUMBER.match(nfkc(line).strip()) or ITEM_NUMBER.match(compact(line))
    if not number:
        return None
    digits = re.sub(r"\D", "", number.group())
    return re.sub(r"\s+", "", re.sub(r"[0-9一二三四五六七八九十]+", "0", number.group())), digits


def _continues_numbering(block: list[str], line: str) -> bool:
    """Whether ``line`` is numbered as the block's first line is and, where the numbers are digits,
    follows the last of them (``２　議事`` after ``１　開会``; not ``５　会議の概要`` after ``３　閉会``):
    one more item of that list."""
    numbered = _numbering(line)
    first = _numbering(block[0]) if block else None
    if numbered is None or first is None or numbered[0] != first[0]:
        return False
    if not numbered[1]:
        return True
    # the last item numbered alike, looked for from the end: a block the body runs into may be long
    last = next((n[1] for item in reversed(block) if (n := _numbering(item)) and n[0] == first[0] and n[1]), "")
    return not last or int(numbered[1]) == int(last) + 1


def _inline_section(inline: re.Match[str]) -> str:
    word = inline.group(1)
    return _SECTION_WORDS.get(word) or _INLINE_ONLY[word]


def split_sections(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Split the header into the title lines and the blocks under 日時, 場所, 出席者, 議事次第, 議事.

    A section word may head its own block or carry its value on the same line (``日時：令和…``).
    """
    head: list[str] = []
    blocks: dict[str, list[str]] = {}
    current: str | None = None
    field = False  # the body's word was written as a field's (議事:), which may list the items first
    for line in lines:
        if field and current == "body" and not _agenda_item(line):
            field = False
            if _listed_items(blocks["body"]) and "agenda" not in blocks:
                blocks["agenda"], blocks["body"] = blocks["body"], []  # 議事: over • 挨拶, • 報告事項, then 【1.挨拶】
        inline = _INLINE_SECTION.match(line)
        if inline and current != "body":
            current = _inline_section(inline)
            group_line = ["委員"] if inline.group(1) == "出席委員" else []  # the members, listed on one line
            blocks.setdefault(current, []).extend([*group_line, inline.group(2).strip()])
            continue
        group = _GROUP_FIELD.match(line)
        if group and current not in (None, "body") and "attendees" in blocks and compact(group[1]) in GROUP_WORDS:
            blocks["attendees"] += [group[1], group[2]]  # 事務局：中村課長、小林係長, a group among the fields
            continue
        section = _section_of(line) or _field_only(line, current)
        if (current == "agenda" and _continues_numbering(blocks["agenda"], line)) or (
            current is None and section in _AFTER_HEADER
        ):
            section = None  # 2. 議事 after 1. 開会 is an item; 資料 above the title is a page's navigation
        if current == "body" and section == "body" and _lists_items_before(blocks, line):
            blocks["agenda"] = blocks.pop("body")  # ４　議事 listed the items; ５　会議の概要 heads the speech
            blocks["body"] = []
            continue
        if current == "body" and not blocks["body"] and section in ("datetime", "place", "attendees", "agenda"):
            del blocks["body"]  # 議事概要 as the page's kind, before its 日時/場所 blocks: not the body yet
            current = None
        if section and section != "kind" and (current != "body" or (section == "body" and "body" not in blocks)):
            current = section
            blocks.setdefault(section, [])
            field = section == "body" and line.rstrip().endswith((":", "："))
            continue
        if current is None:
            head.append(line)
        elif section != "kind" or current == "body":
            blocks[current].append(line)
    return head, blocks


def _agenda_item(line: str) -> bool:
    """Whether ``line`` can be an item of a list of business (• 挨拶, 「つながる東京」…について): no
    sentence, no speaker's label or heading in brackets."""
    return (
        "。" not in line
        and len(compact(line)) <= 60
        and not _MARKER.match(line)
        and _bracketed(line) is None
        and not PAREN_LABEL.match(line)
    )


def _listed_items(body: list[str]) -> bool:
    """Whether the body so far only listed items, two or more and the first bulleted: the business
    under a 議事: written as a field, before the proceedings' own first heading or speaker."""
    return len(body) >= 2 and bool(BULLET.match(body[0])) and all(_agenda_item(line) for line in body)


def _lists_items_before(blocks: dict[str, list[str]], line: str) -> bool:
    """Whether a numbered body heading (``５　会議の概要``) follows a body that only listed numbered
    items under ``４　議事``: that block was the agenda, and the speech begins here."""
    body = blocks["body"]
    return (
        "agenda" not in blocks
        and _numbering(line) is not None  # ５　会議の概要
        and bool(body)
        and all(_numbering(item) is not None for item in body)
        and not _continues_numbering(body, line)
    )


def parse_agenda(lines: list[str]) -> list[str]:
    """``1. 開会`` or ``• 開会`` → ``開会``; a quoted subject ``議事「…」`` keeps its quote."""
    items = (ITEM_NUMBER.sub("", BULLET.sub("", line)).strip() for line in lines)
    return [item for item in items if item and not item.endswith("。")]  # a sentence is a note, not an item


def _names_person(label: str, roster: list[Attendee]) -> bool:
    """Whether ``label`` is a roster person or a surname with a role (宮坂副知事)."""
    name, role = split_name_role(compact(split_label(label)[0]))
    return is_known(label, roster) or bool(role and SURNAME_LABEL.match(name))


def _looks_like_speaker(label: str, roster: list[Attendee], *, loose: bool) -> bool:
    """Whether an inline ``label: text`` names a speaker rather than being prose with a colon."""
    bare, extras = split_label(label)
    if _names_person(label, roster) or (extras and SURNAME_LABEL.match(compact(bare))):
        return True
    # Loose (the document writes turns inline): a surname-like word, unless it is a common noun (注意, 結論).
    return loose and bool(SURNAME_LABEL.match(compact(bare))) and not is_common_word(compact(bare))


def _agenda_names(agenda: list[str]) -> set[str]:
    names = set()
    for item in agenda:
        names.add(compact(item))
        quoted = re.search(r"「([^」]+)」", item)
        if quoted:
            names.add(compact(quoted.group(1)))
    return names


def _is_marker(line: str, roster: list[Attendee]) -> bool:
    line = _CIRCLE.sub("", line)
    inline = _INLINE_MARKER.match(line)
    return bool(
        _MARKER.match(line)
        or (inline and _looks_like_speaker(inline.group(1), roster, loose=False))
        or _spaced_label(line, roster)
    )


def _spaced_label(line: str, roster: list[Attendee]) -> str:
    """The label of a ``宮坂 学：`` line: a roster person, a name with a role, or two name-like words; else ""."""
    spaced = _SPACED_MARKER.match(line)
    if not spaced:
        return ""
    first, second = spaced.groups()
    label = first + second
    named = bool(NAME_TOKEN.match(first) and NAME_TOKEN.match(second)) and not is_common_word(label)
    if named and not split_name_role(label)[1]:
        return f"{first} {second}"  # 宮坂 学: the name keeps its space, as rosters write it
    return label if named or _looks_like_speaker(label, roster, loose=False) else ""


def _bracketed(line: str | None) -> str | None:
    """What ``line`` holds inside its one pair of brackets, or None."""
    match = _BRACKET_HEADING.match(line or "")
    return next(g for g in match.groups() if g is not None) if match else None


def _bracket_speaker(content: str, walk: _Walk) -> bool:
    """Whether 【content】 names a speaker (事務局, 宮坂副知事, 古橋委員) rather than a section."""
    return is_label_shaped(content) and (walk.judge.evidence(content) or bool(SURNAME_LABEL.match(compact(content))))


# The marks a summary sets before a topic heading (■GovTech 東京について)
_HEADING_MARKS = ("■", "□", "◆")


def _heading(line: str, nxt: str | None, agenda: set[str], walk: _Walk, after: str | None = None) -> str | None:
    """The topic ``line`` opens, or None; ``nxt`` and ``after`` are the two lines that follow it."""
    markdown = markdown_heading(line)  # ### 1. 開会: minutes converted to Markdown keep their sections so
    if markdown is not None:
        return markdown
    bracket = _bracketed(line)
    if bracket and not _bracket_speaker(bracket, walk):  # 【1.挨拶】, not 【宮坂副知事】
        return ITEM_NUMBER.sub("", bracket).strip()
    if line.startswith(_HEADING_MARKS) and not _MARKER.match(line[1:].strip()) and not _named(line[1:], walk.roster):
        return line[1:].strip()
    numbered = _NUMBERED_HEADING.match(line)
    if numbered and "。" not in line:  # （1）データ連携について
        return numbered.group(1).strip()
    if compact(line) in agenda or compact(ITEM_NUMBER.sub("", line)) in agenda:
        return ITEM_NUMBER.sub("", line).strip() or line
    if nxt and _ROUND_NOTE.match(nxt) and _paren_label(nxt, walk.roster) is None:
        nxt, after = after, None  # 1　…について, （事務局から説明）, then 山田会長　…
    opens_turn = nxt is None or _opens_turn(nxt, after, walk)
    item = _NUMBERED_ITEM.match(line)
    if item and opens_turn:  # 2. デジタル人材の確保について, then 〇事務局
        return item.group(1).strip()
    if len(line) <= 40 and _TOPIC_SUFFIX.search(line) and opens_turn:
        return line
    return None


def _heading_goes_on(line: str, nxt: str, after: str | None, walk: _Walk) -> bool:
    """Whether ``nxt`` is the rest of the heading ``line``, which a PDF broke at the page's edge: a
    heading left open (no 。, no closing bracket, not Markdown's), then a line that is no bullet,
    turn or marked heading and that cannot stand alone (``rag.tokenize.continues_line``)."""
    if "。" in line or line.endswith(("）", ")", "】", "」", "＞", ">")) or markdown_heading(line) is not None:
        return False
    if BULLET.match(nxt) or _opens_turn(nxt, after, walk) or nxt.startswith((*_HEADING_MARKS, "#")):
        return False
    if _NUMBERED_HEADING.match(nxt) or _NUMBERED_ITEM.match(nxt) or _bracketed(nxt) is not None:
        return False  # a heading of its own; …について unmarked may be the rest (課題や基本 + 方針について)
    return continues_line(nxt, line)


def _opens_turn(line: str, nxt: str | None, walk: _Walk) -> bool:
    """Whether ``line`` (``nxt`` after it) opens a turn in any of the styles a heading may stand over."""
    if _is_marker(line, walk.roster) or walk.judge.speaker(line, nxt) is not None:
        return True
    bracketed = _bracketed(line)
    if bracketed and _bracket_speaker(bracketed, walk):  # 【事務局】
        return True
    if _paren_label(line, walk.roster) is not None or _spaced_speech(line, walk.roster) is not None:
        return True  # （事務局）, 山田会長　…
    if walk.role_labels and _role_turn(line) is not None:  # 会長　…
        return True
    explained = _EXPLAINED_LINE.match(line)
    return bool(explained and _named(explained.group(1), walk.roster))  # 事務局から説明。


def _sub_heading(line: str, nxt: str | None, after: str | None, walk: _Walk) -> bool:
    """Whether ``line`` is a short note in brackets over the turns that follow it, naming no one
    (（主な意見）, （質疑応答）), or the same words bare (主な意見): it heads them, and is no one's speech."""
    bare = _SECTION_WORDS.get(compact(line)) == "body"  # not numbered: 2. 意見交換 is a topic
    if not (is_note_line(line) or bare) or nxt is None:
        return False
    return _paren_label(line, walk.roster) is None and _opens_turn(nxt, after, walk)


def _opens_exchange(line: str, walk: _Walk) -> bool:
    """Whether ``line`` is a note of what the lines under it hold (（質疑応答）, （意見交換）) where
    no speaker line follows: the questions and answers under it are not the last speaker's."""
    note = PAREN_LABEL.match(line) if is_note_line(line) else None
    if note is None or _SECTION_WORDS.get(compact(note.group(1))) != "body":
        return False
    return _paren_label(line, walk.roster) is None


def _paren_speaker(content: str, roster: list[Attendee]) -> tuple[str, str] | None:
    """``宮坂`` → (宮坂, ""); ``東京都CIO 副知事 宮坂 学`` → (宮坂 学, 東京都CIO 副知事); else None."""
    tokens = collapse_spaces(content).split(" ")
    if len(tokens) == 1:
        bare = compact(tokens[0])
        known = is_known(bare, roster) or bool(split_name_role(bare)[1]) or is_office_label(bare)
        # （宮坂） is a surname; （質疑応答） two words of the language, a heading over the questions
        surname = SURNAME_LABEL.match(bare) and not is_common_compound(bare)
        return (tokens[0], "") if known or surname else None
    names = tokens[-2:] if all(NAME_TOKEN.match(t) for t in tokens[-2:]) else tokens[-1:]
    if not all(NAME_TOKEN.match(t) for t in names) or split_name_role(names[-1])[1]:
        return None
    return " ".join(names), " ".join(tokens[: len(tokens) - len(names)])


def _paren_label(line: str, roster: list[Attendee]) -> tuple[str, str] | None:
    """The speaker a ``（宮坂）`` line names, as (label, role), or None."""
    paren = PAREN_LABEL.match(line)
    return _paren_speaker(paren.group(1), roster) if paren else None


@dataclass
class _Walk:
    """State of the body walk: topics met so far and the turns being drafted."""

    roster: list[Attendee]
    loose: bool
    # Whether the minutes close labels with a bracket never opened (山本委員長)…): lines broken out of
    # a bracketed phrase (土安全保障省）を設置) start the same way, so it takes two such turns to say so.
    half_brackets: bool
    judge: SpeakerJudge
    topic: str = ""
    topics: list[str] = field(default_factory=list)
    drafts: list[_Draft] = field(default_factory=list)
    # A heading ends the turn before it: speech after it, before any speaker line, is no one's.
    turn_open: bool = False
    # Whether bare roles open turns here (``_role_lines``).
    role_labels: bool = False

    def start(self, label: str, first: str = "", role: str = "") -> None:
        self.turn_open = True
        self.drafts.append(_Draft(label, self.topic, role=role))
        if first:
            self.drafts[-1].add_line(first)

    def new_topic(self, topic: str) -> None:
        self.topic = topic
        if topic:
            self.topics.append(topic)
        self.turn_open = False


def _named(label: str, roster: list[Attendee]) -> bool:
    """Whether a label met at the head of a line surely names a speaker: a roster person, the
    secretariat or an office, or a surname with a role (宮坂副知事), never a bare word."""
    if not is_label_shaped(label):  # 論点1:都民の…: a heading's words, however an office's name ends
        return False
    bare = compact(split_label(label)[0])
    held = any(bare == compact(person.role) for person in roster)  # 会長, a roster person's post
    return _names_person(label, roster) or is_office_label(split_label(label)[0]) or held


def _role_word(label: str) -> bool:
    """Whether ``label`` is a role or an office alone (委員, 会長, 事務局, not 山田委員), or a role and
    the letter anonymised minutes write for the name (委員Ａ): a label that names no one by itself."""
    who, role = split_name_role(compact(split_label(label)[0]))
    bare_role = has_title(label) and not role
    anonymised = bool(role) and bool(NAME_MARK.fullmatch(who))  # 委員Ａ, Ａ委員, 委員1: no one's name either
    return is_label_shaped(label) and (bare_role or anonymised or is_office(label))


def _role_turn(line: str) -> re.Match[str] | None:
    """``（委員）…``, ``委員：…`` or ``会長　…``: a bare role or an office at the head of a line, then
    speech (label and speech as groups 1 and 2); else None. A label only where the document writes
    its turns so."""
    headed = _PAREN_INLINE.match(line) or _INLINE_MARKER.match(line)
    if headed:
        return headed if _role_word(headed.group(1)) and is_content(headed.group(2)) else None
    spaced = _SPACED_INLINE.match(line)
    if not spaced or not _role_word(spaced.group(1)) or _GIVEN_NAME_MARKER.match(spaced.group(2)):
        return None
    # a sentence, not 委員　山田太郎（…研究所　主任研究員）, a roster line as long as speech
    return spaced if _SENTENCE.search(spaced.group(2)) else None


def _role_lines(lines: list[str]) -> bool:
    """Whether the document opens its turns with bare roles (（委員）…, 会長　…): enough lines do."""
    return sum(1 for line in lines if _role_turn(line)) >= _MIN_ROLE_LINES


def _half_bracket_turn(line: str, roster: list[Attendee]) -> bool:
    """Whether ``line`` is ``山本委員長)ただ今から…``: a person's label closed by a bracket never opened."""
    half = _HALF_BRACKET_INLINE.match(line)
    return half is not None and _names_person(half.group(1), roster)


def _explainer(line: str, roster: list[Attendee]) -> str:
    """Who a note says explains or reports (``（事務局から資料1について説明）``), where it names a
    speaker; else ""."""
    note = _ROUND_NOTE.match(line)
    said = _EXPLAINED.search(note.group(1) or note.group(2)) if note else None
    return said.group(1) if said and _named(said.group(1), roster) else ""


def _spaced_speech(line: str, roster: list[Attendee]) -> re.Match[str] | None:
    """``宮坂副知事　それでは…``: a speaker's label, a full-width space and the speech (label and
    speech as groups 1 and 2), not ``宮坂　学：``, a name written with its space; else None."""
    spaced = _SPACED_INLINE.match(line)
    if spaced and _named(spaced.group(1), roster) and not _GIVEN_NAME_MARKER.match(spaced.group(2)):
        return spaced
    return None


def _label_at_head(walk: _Walk, line: str) -> bool:
    """Start a turn at a label written before its speech in brackets, before a full-width space,
    after a heading mark or a bullet, or emphasised (（宮坂副知事）…, 宮坂副知事　…, ■宮坂副知事,
    ・宮坂副知事：…, **宮坂副知事**：…) when it surely names a speaker; True when it did."""
    paren = _PAREN_INLINE.match(line) or (_HALF_BRACKET_INLINE.match(line) if walk.half_brackets else None)
    if paren and _named(paren.group(1), walk.roster):
        walk.start(paren.group(1), paren.group(2))
        return True
    spaced = _spaced_speech(line, walk.roster) or (_role_turn(line) if walk.role_labels else None)
    if spaced is not None:  # also （委員）… where the document writes turns so
        walk.start(spaced.group(1), spaced.group(2))
        return True
    marked = _MARKED_LABEL.match(line)
    if marked and _named(marked.group(1), walk.roster):  # ■宮坂副知事 over its speech
        walk.start(marked.group(1))
        return True
    bare = _EMPHASIS.sub(r"\2", line)
    bare = bare if bare != line else _EMPHASIS.sub(r"\2", BULLET.sub("", line))  # ** is no bullet
    inline = _INLINE_MARKER.match(bare) if bare != line else None
    if inline and _named(inline.group(1), walk.roster):
        walk.start(inline.group(1), inline.group(2))
        return True
    return False


def _speaker_line(walk: _Walk, line: str, nxt: str | None) -> bool:
    """Start a turn if ``line`` opens one in any of the marker styles; True when it did."""
    body = _CIRCLE.sub("", line)
    if _label_at_head(walk, body):
        return True
    marker = _MARKER.match(body)
    if marker and not BULLET.match(line):
        walk.start(marker.group(1))
        return True
    spaced = _spaced_label(body, walk.roster) if not BULLET.match(line) else ""
    if spaced:
        walk.start(spaced)
        return True
    inline = _INLINE_MARKER.match(body)
    if inline and (
        _looks_like_speaker(inline.group(1), walk.roster, loose=walk.loose or body != line)
        or (walk.role_labels and _role_turn(body))
    ):
        walk.start(inline.group(1), inline.group(2))
        return True
    found = _paren_label(line, walk.roster)
    if found:
        walk.start(found[0], role=found[1])
        return True
    bracket = _bracketed(line)
    if bracket and _bracket_speaker(bracket, walk):  # 【宮坂副知事】 over a paragraph
        walk.start(bracket)
        return True
    judged = walk.judge.speaker(line, nxt)  # ○ label lines, bare office or title lines over speech
    if judged is not None:
        walk.start(judged.label, judged.text)
        return True
    return False


def _plain_line(walk: _Walk, line: str) -> None:
    """A line that opens nothing: the open turn's, unclaimed speech, or the agenda's subject."""
    if walk.turn_open:
        walk.drafts[-1].add_line(line)
    elif _SENTENCE.search(line) and len(line) >= _MIN_UNCLAIMED:  # speech no speaker line claims
        walk.start("", line)
    elif walk.drafts:
        walk.drafts[-1].add_line(line)
    elif _NUMBERED_ITEM.match(line):  # the agenda listed again at the top of the body
        return
    elif not walk.topic and not _ROUND_NOTE.match(line):  # the agenda subject before the first heading
        walk.new_topic(line)


def parse_body(lines: list[str], roster: list[Attendee], agenda: list[str]) -> tuple[list[str], list[_Draft]]:
    """Walk the 議事 block: topic headings, speaker markers (also glued ones), bullets, broken lines."""
    agenda_names = _agenda_names(agenda)
    inline_count = sum(1 for line in lines if _INLINE_MARKER.match(_CIRCLE.sub("", line)))
    half_brackets = sum(1 for line in lines if _half_bracket_turn(line, roster)) >= 2
    walk = _Walk(
        roster=roster,
        loose=inline_count >= 2,
        half_brackets=half_brackets,
        judge=SpeakerJudge(lines, roster),
        role_labels=_role_lines(lines),
    )
    joined = -1  # a heading's second line, read with it
    for i, line in enumerate(lines):
        if line in _END_WORDS:
            break
        if i == joined:
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        after = lines[i + 2] if i + 2 < len(lines) else None
        explainer = _explainer(line, roster)
        if explainer:  # -資料1に基づき、事務局から説明-: the bullets after it are the secretariat's
            walk.start(explainer)
            continue
        explained = _EXPLAINED_LINE.match(line)
        if explained and _named(explained.group(1), roster):  # 事務局から資料１により説明。
            walk.start(explained.group(1), line)
            continue
        if _sub_heading(line, nxt, after, walk):
            continue
        if _opens_exchange(line, walk):  # （質疑応答） over Ｑ／Ａ lines: no one is named, so no one's
            walk.start("")
            continue
        heading = None if _bullet(line) else _heading(line, nxt, agenda_names, walk, after)
        if heading is not None and nxt is not None and _heading_goes_on(line, nxt, after, walk):
            heading, joined = join_broken(heading, nxt), i + 1  # ■論点１：…基本, then 的な方向性
        if heading is not None:
            walk.new_topic(heading)
            continue
        if _speaker_line(walk, line, nxt):
            continue
        glued = _GLUED.match(line)
        if glued and walk.drafts and is_known(glued.group(2), roster):
            walk.drafts[-1].add_line(glued.group(1))
            walk.start(glued.group(2))
            continue
        _plain_line(walk, line)
    for draft in walk.drafts:
        draft.items = [item for item in draft.items if item.strip()]  # a bare bullet (・) says nothing
    return walk.topics, [d for d in walk.drafts if d.items]


def meeting_title(head: list[str], fallback: str) -> str:
    """The line of the header that names the meeting: saved web pages begin with navigation text
    (本文へ移動, メニュー, 概要), so a line with a meeting word wins over the first line."""
    index = _title_index(head)
    return fallback if index is None else without_heading_marks(head[index])


def _title_index(head: list[str]) -> int | None:
    candidates = [i for i, line in enumerate(head) if not _section_of(line)]
    if not candidates:
        return None
    return max(candidates, key=lambda i: (_title_score(without_heading_marks(head[i])), -i))


def _after_title(head: list[str]) -> list[str]:
    """The header's lines after its title (令和5年度 総務委員会, then 第6回委員会 (令和5年8月18日))."""
    index = _title_index(head)
    return head[(0 if index is None else index) + 1 :]


def _title_score(line: str) -> int:
    """How much a header line looks like a meeting's title: a meeting word, a session number, length."""
    score = 2 * bool(MEETING_WORDS.search(line)) + 2 * bool(_SESSION.search(line)) + (len(line) >= 10)
    return score - 2 * (len(line) <= 6)


def _meeting(source: Source, head: list[str], blocks: dict[str, list[str]], topics: list[str]) -> Meeting:
    title = meeting_title(head, source.name)
    when = " ".join(blocks.get("datetime", [])) or " ".join(head)
    date = find_date(when) or find_date(" ".join(head[:5]))
    start, end = find_time_range(when)
    agenda = parse_agenda(blocks.get("agenda", []))
    return Meeting(
        meeting_id=meeting_id_for(title, date),
        title=title,
        date=date,
        start_time=start,
        end_time=end,
        place=" ".join(dict.fromkeys(blocks.get("place", []))),  # a page may give it twice
        agenda=tuple(agenda),
        attendees=tuple(parse_roster(blocks.get("attendees", []))),
        topics=tuple(topics),
        source_format=name,
        source_name=source.name,
        content_hash=source.content_hash,
    )


def _speaker(draft: _Draft, roster: list[Attendee]) -> Speaker:
    if not draft.label:
        return UNATTRIBUTED  # speech no speaker line claimed
    speaker = resolve_speaker(draft.label, roster)
    if draft.role:  # (東京都CIO 副知事 宮坂 学): the minutes say the role right there
        return replace(speaker, role=draft.role)
    return speaker


def _label_alone(judge: SpeakerJudge, line: str, nxt: str | None) -> bool:
    """A speaker line holding only its label (``○label speech`` on one line is the verbatim shape)."""
    judged = judge.speaker(line, nxt)
    return judged is not None and not judged.text


def sniff(source: Source) -> float:
    """Summary minutes have speaker lines (``name：``, ``○name``, an office over bullets) and usually
    議事要旨/出席者 headers."""
    lines = clean_lines(source.text[:20000])
    judge = SpeakerJudge(lines, [])
    markers = sum(
        1
        for i, line in enumerate(lines)
        if _MARKER.match(_CIRCLE.sub("", line))
        or PAREN_LABEL.match(line)
        or (_INLINE_MARKER.match(_CIRCLE.sub("", line)) and len(line) > 12)
        or _half_bracket_turn(line, [])
        or _label_alone(judge, line, lines[i + 1] if i + 1 < len(lines) else None)
    )
    score = min(markers / 5, 1.0) * 0.7
    header = ("attendees", "datetime", "body")
    if any(_section_of(line) in header or _INLINE_SECTION.match(line) for line in lines[:80]):
        score += 0.3  # 日時 over its block, or 日時：令和… on one line
    return score


def _first_speaker_line(lines: list[str], first: int, roster: list[Attendee]) -> int | None:
    """The index of the first line from ``first`` on that opens a turn (``宮坂：``, ``○事務局``,
    ``中村委員　…``, or ``会長　…`` where the lines write their turns with bare roles), or None."""
    judge = SpeakerJudge(lines, roster)
    role_labels = _role_lines(lines[first:])
    for j in range(first, len(lines)):
        nxt = lines[j + 1] if j + 1 < len(lines) else None
        if _heads_roster(lines[j], nxt):
            continue
        if _is_marker(lines[j], roster) or _half_bracket_turn(lines[j], roster) or _paren_label(lines[j], roster):
            return j
        if role_labels and _role_turn(lines[j]):
            return j
        spaced = _spaced_speech(lines[j], roster)  # 中村委員　利用者の…, not 委員　森田会長、川口副会長
        if spaced and _SENTENCE.search(spaced.group(2)) and not _names_list(spaced.group(2)):
            return j
        judged = judge.speaker(lines[j], nxt)
        if judged is not None and (judged.text or not nxt or not _no_speech(nxt, roster)):
            return j
    return None


def _heads_roster(line: str, nxt: str | None) -> bool:
    """Whether ``line`` is a group's word over the first person of its roster (``構成員`` over
    ``• 太田洋（西村あさひ法律事務所パートナー弁護士）``) rather than a label over its speech."""
    if nxt is None or compact(split_label(line)[0]) not in GROUP_WORDS:
        return False
    entry = BULLET.sub("", nxt.strip())
    people = [] if _SENTENCE.search(entry) else parse_roster([entry])
    return len(people) == 1 and bool(people[0].affiliation or people[0].title) and reads_as_name(people[0].name)


def _no_speech(line: str, roster: list[Attendee]) -> bool:
    """Whether a label alone over ``line`` has no speech: the line lists people (市執行部 【財務部】
    over 財務部長 古内勝人,管財課長 栗原秀樹) or opens a turn of its own."""
    return _names_list(line) or _is_marker(line, roster) or _half_bracket_turn(line, roster)


def _names_list(line: str) -> bool:
    """Whether ``line`` lists people (``財務部長 古内勝人,管財課長 栗原秀樹``) rather than says something."""
    entries = [e for e in LIST_SEPARATOR.split(line.strip()) if e]
    return len(entries) >= 2 and not _SENTENCE.search(line) and all(len(e) <= 25 for e in entries)


def _body_in_last_section(lines: list[str], blocks: dict[str, list[str]], roster: list[Attendee]) -> list[str]:
    """The turns of minutes with no 議事 heading, taken back from the header's last section (the
    議事次第 or 出席者 list, or a one-line ``場所：…``), which took them for its own lines: the section
    keeps its lines up to the first speaker line, less a topic heading just before it (which an
    agenda keeps as well where it is numbered as an item: ``（１）諮問第５号について``)."""
    found: list[tuple[str, bool]] = []
    for line in lines:
        inline = _INLINE_SECTION.match(line)
        section = _inline_section(inline) if inline else _section_of(line)
        section = section or _field_only(line, found[-1][0] if found else None)  # 議題 after 出席者
        if section and section not in ("kind", "body"):
            found.append((section, bool(inline)))
    if not found:
        return []
    section, one_line = found[-1]
    block = blocks.get(section, [])
    first = 1 if one_line else 0  # a one-line section's first line is its value
    start = _first_speaker_line(block, first, roster)
    if start is None:
        return []
    restart = _restart(block, first, start)
    keep = start
    if restart is not None:
        start = keep = restart  # 1. 開会 again after 3. 閉会: the body's headings follow the agenda
    elif start > first and _heads_body(block[start - 1]):
        start -= 1  # オール東京の DX推進に向けた将来像について (or ### 1. 開会, 【質疑応答】), then 事務局：
        keep = start + (section == "agenda" and _numbering(block[start]) is not None)
    rest = block[start:]
    del block[keep:]
    return rest


def _heads_body(line: str) -> bool:
    """Whether ``line``, just before the first turn, is the body's heading rather than the header's
    last line: a subject (…について), a Markdown heading, a line wholly in brackets (【質疑応答】)."""
    return bool(_TOPIC_SUFFIX.search(line) or markdown_heading(line) or _BRACKET_HEADING.match(line))


def _restart(block: list[str], first: int, start: int) -> int | None:
    """The index of the line before ``start`` where a numbered list begins again (``1. 開会`` after
    ``3. 閉会``, numbered alike), or None."""
    last: tuple[str, int] | None = None
    for i in range(first, start):
        numbered = _numbering(block[i])
        if not numbered or not numbered[1]:
            continue
        style, number = numbered[0], int(numbered[1])
        if last is not None and style == last[0] and number <= last[1]:
            return i
        last = (style, number)
    return None


def sole_subject(agenda: list[str]) -> str:
    """The subject of a 議事次第 whose 議事 has one numbered item (``2. 議事`` then ``(1) …について``
    alone), or of an agenda of one line (``４　議題　ときわ市ＤＸ推進計画の改定について``), or ""."""
    items = [m.group(1).strip() for line in agenda if (m := _NUMBERED_HEADING.match(BULLET.sub("", line)))]
    if not items and len(lines := [x for x in agenda if x.strip()]) == 1:
        items = [BULLET.sub("", lines[0]).strip()]
    return items[0] if len(items) == 1 else ""


def parse(source: Source) -> ParsedMinutes:
    """Parse 議事要旨 text into a meeting and its speaker turns."""
    lines = clean_lines(source.text)
    head, blocks = split_sections(lines)
    body = blocks.get("body")
    if body is None:  # no 議事 header: everything after the header blocks is the body
        body = _after_title(head)
    agenda = parse_agenda(blocks.get("agenda", []))
    roster = parse_roster(blocks.get("attendees", []))
    topics, drafts = parse_body(body, roster, agenda)
    if not drafts and "body" not in blocks:
        rest = _body_in_last_section(lines, blocks, roster)
        agenda = parse_agenda(blocks.get("agenda", []))
        roster = parse_roster(blocks.get("attendees", []))
        topics, drafts = parse_body(_after_title(head) + rest, roster, agenda)
    if not drafts:
        raise no_turns(source.name)
    subject = sole_subject(blocks.get("agenda", []))
    if subject and not topics:  # no heading in the body: every turn is on the agenda's one subject
        topics = [subject]
        for draft in drafts:
            draft.topic = subject
    meeting = _meeting(source, head, blocks, topics)
    turns = tuple(
        Turn(order=i, speaker=_speaker(d, roster), topic=d.topic, text="\n".join(d.items))
        for i, d in enumerate(drafts, start=1)
    )
    if not meeting.title:
        raise ParseError(f"{source.name}: no meeting title found", details={"file": source.name})
    return ParsedMinutes(meeting=meeting, turns=turns)
