"""Markdown minutes with ``【名前】`` turns and ``###`` section headings (the digital-twin sample).

The title line carries the date as ``2022.6.28``; raw ``<a id=…>`` anchors and the table of contents
are not speech. A label may be emphasised (``**【宮坂副知事】**``), or be a bold line without brackets
(``**若井部長**``) where the document's evidence says it names a speaker. The first ``#``/``##``
heading is the title; every other heading is a topic. A header before the first turn (日時, 場所,
出席者, 議事次第), as ministries' 議事録 in text write it, is read as the summary format reads it, and
its roster names the speakers.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from rag.models import Meeting, ParsedMinutes, Turn
from rag.parsing.base import Source, find_when, markdown_heading, meeting_id_for, no_turns, without_markup
from rag.parsing.rosters import parse_roster
from rag.parsing.speakers import SpeakerJudge, is_content, is_label_shaped
from rag.parsing.speech import is_note_line
from rag.parsing.summary import (
    clean_lines,
    meeting_title,
    parse_agenda,
    sole_subject,
    split_sections,
)
from rag.people import resolve_speaker
from rag.text import find_date, find_time_range

name = "markdown"

_TURN = re.compile(r"^【([^】]{1,30})】\s*(.*)$")
# Emphasis around a label (``**【宮坂副知事】**``), as Markdown editors and converters often write it.
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(【[^】]{1,30}】)\1")
_HEADING = re.compile(r"^\s*(#{1,6})\s+(.*)$")
# A bold line and nothing else (**若井部長**): a label where the minutes write no 【】.
_BOLD_LINE = re.compile(r"^(\*\*|__)([^*_]{1,30})\1$")
# A list item that opens with a label (- 【古橋委員】　点群データの…): a turn, where the label is a speaker's
_LISTED_TURN = re.compile(r"^[-*+]\s+【([^】]{1,30})】\s*(.*)$")
_TITLE_DATE = re.compile(r"^\s*(\d{4}\.\d{1,2}\.\d{1,2})\s*")


def sniff(source: Source) -> float:
    """Several ``【…】`` (or bold label) lines that open a paragraph, and Markdown headings."""
    lines = [line.strip() for line in source.text[:20000].split("\n")]
    turns = sum(1 for line in lines if _TURN.match(_EMPHASIS.sub(r"\2", line))) + len(_marked_labels(lines))
    headings = sum(1 for line in lines if _HEADING.match(line))
    return min(turns / 5, 1.0) * 0.7 + (0.2 if headings else 0.0)


def _marked_labels(lines: list[str]) -> dict[int, tuple[str, str]]:
    """The bold-only lines over speech and the list items that open with a 【label】 (index →
    label and the speech on its line), where the label is label-shaped and backed by the
    document's evidence (a title word, an office, or a label that recurs)."""
    if not any(_BOLD_LINE.match(line) or _LISTED_TURN.match(line) for line in lines):
        return {}  # most minutes have none: no judge to build
    plain = [m.group(2).strip() if (m := _BOLD_LINE.match(line)) else line for line in lines]
    judge = SpeakerJudge([m.group(1) if (m := _LISTED_TURN.match(x)) else x for x in plain if x], [])
    found = {}
    for i, line in enumerate(lines):
        listed = _LISTED_TURN.match(line)
        if listed and is_label_shaped(listed.group(1)) and judge.evidence(listed.group(1)):
            found[i] = (listed.group(1).strip(), listed.group(2).strip())
        if not _BOLD_LINE.match(line) or not is_label_shaped(plain[i]):
            continue
        nxt = next((plain[j] for j in range(i + 1, len(plain)) if plain[j]), None)
        if is_content(nxt) and judge.evidence(plain[i]):
            found[i] = (plain[i], "")
    return found


def _contents(lines: list[str]) -> tuple[list[str], set[int]]:
    """The items of a table of contents (a 目次 heading over a list, ``1. 開会`` once its link
    ``[開会](#anchor1)`` is read as its text), and the indexes of their lines."""
    items: list[str] = []
    at: set[int] = set()
    inside = False
    for i, line in enumerate(lines):
        heading = markdown_heading(line)
        if heading is not None:
            inside = heading == "" and "目次" in line  # 目次 is the one heading the topics leave out
        elif inside and line.strip():
            items.append(line.strip())
            at.add(i)
    return items, at


def _title(lines: list[str], source: Source) -> tuple[str, str, int]:
    """(title, date, index of the title's heading line, -1 when the title is not a heading)."""
    for i, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading and heading.group(1) in ("#", "##"):
            text = heading.group(2).strip()
            dated = _TITLE_DATE.match(text)
            if dated:
                return text[dated.end() :].strip(), find_date(dated.group(1).replace(".", "/")), i
            return text, find_date(text) or find_when([x.strip() for x in lines if x.strip()])[0], i
    # No Markdown title: the header line that names the meeting, the date from a 日時 block.
    header = list(itertools.takewhile(lambda line: not _TURN.match(line.strip()), (x for x in lines if x.strip())))
    return meeting_title(header, source.name), find_when([x.strip() for x in lines if x.strip()])[0], -1


_Draft = tuple[str, str, list[str], bool]  # label, topic, lines, carried over a heading without a label


def _walk(lines: list[str], titled: int, marked: dict[int, tuple[str, str]]) -> tuple[list[str], list[_Draft]]:
    """The topics (headings other than the title) and the turns' drafts, in order."""
    topics: list[str] = []
    drafts: list[_Draft] = []
    topic = ""
    for i, line in enumerate(lines):
        if _HEADING.match(line):
            text = markdown_heading(line) if i != titled else ""  # the title is not a topic
            if text:
                topic = text
                topics.append(text)
            continue
        if i in marked:
            label, said = marked[i]
            drafts.append((label, topic, [said] if said else [], False))
            continue
        turn = _TURN.match(line.strip())
        if turn:
            drafts.append((turn.group(1).strip(), topic, [turn.group(2)] if turn.group(2).strip() else [], False))
        elif drafts and line.strip() and not is_note_line(line):  # (動画上映): the clerk's, not speech
            if drafts[-1][1] != topic and drafts[-1][2]:
                drafts.append((drafts[-1][0], topic, [], True))  # the speaker goes on under a new heading
            drafts[-1][2].append(line.strip())
    return topics, _handed_over(drafts)


def _calls_on(text: str, label: str) -> bool:
    """Whether ``text`` names the speaker of ``label`` (吉村委員、よろしくお願いします; 土屋課長 for
    the label 総務局総合防災部・土屋課長)."""
    return any(part and part in text for part in {label, re.split(r"[・\s]", label)[-1]})


def _moderator(drafts: list[_Draft]) -> str | None:
    """The label that hands the floor over: most of the labelled turns that call on the next
    speaker are its, two at least (the 事務局 that says 「吉村委員、お願いします」)."""
    labelled = [d for d in drafts if not d[3] and d[2]]
    counts = Counter(a[0] for a, b in itertools.pairwise(labelled) if a[0] != b[0] and _calls_on("\n".join(a[2]), b[0]))
    if not counts:
        return None
    label, n = counts.most_common(1)[0]
    return label if n >= 2 and 2 * n > counts.total() else None


def _handed_over(drafts: list[_Draft]) -> list[_Draft]:
    """Speech under a new heading with no label of its own is the last speaker's going on, unless
    it calls on the next speaker: that is the moderator's handover (「それではここから討議に入らせて
    いただきます…吉村委員、よろしくお願いします」 after the vice-governor's greeting)."""
    moderator = _moderator(drafts)
    if moderator is None:
        return drafts
    out = list(drafts)
    for i, (label, topic, body, carried) in enumerate(out):
        if not carried or label == moderator:
            continue  # only speech carried over a heading can be a handover
        after = next((d[0] for d in itertools.islice(out, i + 1, None) if not d[3] and d[2]), None)
        if after not in (None, label) and _calls_on("\n".join(body), after):
            out[i] = (moderator, topic, body, carried)
    return out


def parse(source: Source) -> ParsedMinutes:
    """Parse the Markdown into a meeting and its turns; paragraphs stay as lines."""
    lines = [_EMPHASIS.sub(r"\2", without_markup(line).strip()) for line in source.text.split("\n")]
    title, date, titled = _title(lines, source)
    marked = _marked_labels(lines)
    topics, drafts = _walk(lines, titled, marked)
    first = min([i for i, line in enumerate(lines) if _TURN.match(line.strip())] + list(marked) + [len(lines)])
    contents, at = _contents(lines[:first])
    header = [line for i, line in enumerate(lines[:first]) if i not in at]
    blocks = split_sections(clean_lines("\n".join(header)))[1]  # a header before the first turn
    roster = parse_roster(blocks.get("attendees", []))
    # before the first turn, 議事次第, else the table of contents, else what 議事 lists is the agenda
    listed = blocks.get("agenda") or contents or blocks.get("body", [])
    subject = "" if topics else sole_subject(listed)
    if subject:  # no headings, and the agenda's one subject: every turn's topic
        topics, drafts = [subject], [(label, subject, body, carried) for label, _, body, carried in drafts]
    turns = tuple(
        Turn(order=i, speaker=resolve_speaker(label, roster), topic=t, text="\n".join(body))
        for i, (label, t, body, _) in enumerate((d for d in drafts if d[2]), start=1)
    )
    if not turns:
        raise no_turns(source.name)
    start, end = find_time_range(" ".join(blocks.get("datetime", [])))
    meeting = Meeting(
        meeting_id=meeting_id_for(title, date),
        title=title,
        date=date,
        start_time=start,
        end_time=end,
        place=" ".join(dict.fromkeys(blocks.get("place", []))),
        agenda=tuple(parse_agenda(listed)),
        attendees=tuple(roster),
        topics=tuple(topics),
        source_format=name,
        source_name=source.name,
        content_hash=source.content_hash,
    )
    return ParsedMinutes(meeting=meeting, turns=turns)
