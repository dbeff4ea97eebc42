"""Full names that minutes give in their own words, for speakers their labels name by surname only.

Minutes without a roster (the digital-twin study group's Markdown) label turns by surname and
post (【若井部長】, 【久我局長】), while their text introduces the person once in full: 「データ利活用
担当部長の若井太郎より御説明します」, 「宮坂学副知事、久我英男デジタルサービス局長」, 「高橋葉夏で
ございます」. A surname-only speaker takes the given name that follows its surname in the meeting's
text when SudachiPy reads the surname as a word of its own and what follows as a given name, and
the meeting gives that surname one given name only. Two speakers who share a surname under
different posts, or a roster that lists the surname, leave the name as it was: there the text
cannot say whose name it gives. A member's label and the chair they hold (関本委員 while
introduced, 関本座長 once chairing) are one speaker.

The same introductions give the organisation a speaker comes from, where the label gives none: in
the speaker's own words (「東京大学生産技術研究所の岩船でございます」, 「国土地理院の佐藤と申します」,
「東京都デジタルサービス局でデータ利活用担当部長をしております若井と申します」)
or before the full name (「立命館大学情報理工学部情報理工学科教授、木村朝子委員です」), when the words
before it end as an organisation's name does (大学, 研究所, 省, 局…).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from rag.identity import is_anonymous, is_surname_only, roles_agree
from rag.models import ParsedMinutes, Turn
from rag.people import ROLE_SUFFIXES, compact, person_id
from rag.text import nfkc
from rag.tokenize import trailing_noun_phrase, word_tokenizer

# Glyph variants that names are written in one place and not the other (寺﨑 in the text, 寺崎 in
# the label); NFKC keeps them apart. One character for one, so positions stay put.
_VARIANTS = str.maketrans("﨑髙德邉邊齋齊", "崎高徳辺辺斎斉")
# A given name as written after its surname: one to three kanji (some run into a post: 学副知事).
_RUN = re.compile(r"[\u4e00-\u9fff\uf900-\ufaff々〆ヶ]{1,8}")
_GIVEN_MAX = 3
# Words that may follow a full name: posts, and honorifics the post list does not hold.
_FOLLOWERS = (*ROLE_SUFFIXES, "様", "先生", "殿")
# SudachiPy's parts of speech for a given name (太郎: 名; 久明's 明: 一般).
_GIVEN_POS = (("固有名詞", "人名", "名"), ("固有名詞", "人名", "一般"))
# How an organisation's name ends (東京大学, 国土地理院, 国土交通省都市局都市政策課, 株式会社…).
_ORG_END = re.compile(
    r"(?:大学|大学院|研究所|研究科|学部|学科|院|省|庁|局|部|課|室|センター|機構|協会|財団|法人|会社|事務所|組合|銀行"
    r"|市|区|町|村|県|都|府)$"
)
# A post written between the organisation and the name (教授、木村朝子委員です): not part of the body.
_POST_AFTER_ORG = re.compile(
    r"(?:特任|特命|客員|名誉)?(?:准教授|教授|講師|助教|研究員|主任研究員|所長|室長|部長|課長|課長補佐|理事長|理事|代表|会長|社長)$"
)
# Chairs held by one of the members, so that the member's label and the chair's name one person.
_MEMBERS_CHAIRS = {"座長", "副座長", "会長", "副会長", "委員長", "副委員長", "部会長"}
# How a speaker ends an introduction of themself (岩船でございます, 佐藤と申します, 杉本と言います).
_SELF_INTRODUCED = "でございます|です|と申します|と言います|といいます"
# The post a speaker holds there, between the organisation and the name (東京都デジタルサービス局で
# データ利活用担当部長をしております若井と申します)
_POST_HELD = r"[^。、「」\s]{1,20}?(?:をしております|をしています|を務めております|を務めています)"
# Where the words before an organisation's name stop: punctuation, brackets or space. The noun
# phrase that ends them is the name (私は…局, ただいま御紹介いただきました…局).
_ORG_START = re.compile(r"(?:^|[。、，,「」『』（）()\s・:：])([^。、，,「」『』（）()\s・:：]{2,40})$")


def fold(text: str) -> str:
    """NFKC with glyph variants of names made one (寺﨑 → 寺崎), character for character."""
    return nfkc(text).translate(_VARIANTS)


def with_introduced_names(parsed: ParsedMinutes) -> ParsedMinutes:
    """``parsed`` with each surname-only speaker named in full where its own text introduces them."""
    speakers = _surname_speakers(parsed)
    if not speakers:
        return parsed
    text = fold("\n".join([parsed.meeting.title, *(t.text for t in parsed.turns)]))
    names = {}
    for surname, role in speakers.items():
        given = set(_given_names(text, surname, role))  # read off the folded text
        if len(given) == 1:
            names[surname] = given.pop()
    said = _own_words(parsed.turns, speakers)
    bodies = {
        surname: org
        for surname in speakers
        if (org := _affiliation(said.get(surname, ""), text, surname, names.get(surname, ""), role=speakers[surname]))
    }
    if not names and not bodies:
        return parsed
    return replace(parsed, turns=tuple(_renamed(parsed.turns, names, bodies)))


def _surname_speakers(parsed: ParsedMinutes) -> dict[str, str]:
    """Surnames of the person speakers known by surname only, each with its one post; a surname two
    posts share, or the roster lists, is left out."""
    on_roster = {fold(compact(a.name)) for a in parsed.meeting.attendees}
    roles: dict[str, set[str]] = {}
    for turn in parsed.turns:
        s = turn.speaker
        if s.is_person and is_surname_only(s.name) and not is_anonymous(s.name):
            roles.setdefault(fold(compact(s.name)), set()).add(s.role)
    return {
        surname: post
        for surname, posts in roles.items()
        if (post := _one_post(posts)) is not None and not any(name.startswith(surname) for name in on_roster)
    }


def _one_post(posts: set[str]) -> str | None:
    """The post of a surname's speakers where they are one person: one post, or 委員 and a chair
    that members hold (関本委員 while introduced, 関本座長 once chairing); None for two posts."""
    if len(posts) == 1:
        return next(iter(posts))
    chairs = posts - {"委員"}
    return chairs.pop() if len(posts) == 2 and len(chairs) == 1 and chairs <= _MEMBERS_CHAIRS else None


def _given_names(text: str, surname: str, role: str) -> Iterable[str]:
    """The given names the text writes right after ``surname`` (若井 → 太郎 in 若井太郎より)."""
    start = text.find(surname)
    while start >= 0:
        after = start + len(surname)
        run = _RUN.match(text, after)
        given, post = _strip_post(run.group()) if run else ("", "")
        if 0 < len(given) <= _GIVEN_MAX and roles_agree([role], [post]) and _reads_as_name(text, start, surname, given):
            yield given
        start = text.find(surname, after)


def _strip_post(run: str) -> tuple[str, str]:
    """``学副知事`` → (学, 副知事); ``裕弥様`` → (裕弥, 様): what follows the given name is taken off."""
    for word in _FOLLOWERS:
        if run.endswith(word):
            return run[: -len(word)], word
    return run, ""


def _reads_as_name(text: str, start: int, surname: str, given: str) -> bool:
    """Whether SudachiPy reads the surname as a word of its own followed by a given name that ends
    where a word ends (瀬戸内海 is one word, not 瀬戸 and 内海)."""
    lo = max(0, start - 8)
    end = start + len(surname) + len(given)
    morphemes = list(word_tokenizer().tokenize(text[lo : end + 4]))
    bounds = {lo + m.begin() for m in morphemes} | {lo + m.end() for m in morphemes}
    if not {start, start + len(surname), end} <= bounds:
        return False
    first = next((m for m in morphemes if lo + m.begin() == start + len(surname)), None)
    return first is not None and tuple(first.part_of_speech()[1:4]) in _GIVEN_POS


def _own_words(turns: Sequence[Turn], surnames: Iterable[str]) -> dict[str, str]:
    """Each surname's own speech, folded, in one pass over the turns: where a speaker introduces themself."""
    wanted, said = set(surnames), dict[str, list[str]]()
    for turn in turns:
        key = fold(compact(turn.speaker.name))
        if key in wanted:
            said.setdefault(key, []).append(turn.text)
    return {key: fold("\n".join(texts)) for key, texts in said.items()}


def _affiliation(own: str, text: str, surname: str, given: str, *, role: str = "") -> str:
    """The organisation the speaker of ``surname`` introduces themself from in ``own``, their own
    words (東京大学生産技術研究所の岩船でございます; …局戦略部長の深井でございます, their ``role`` taken
    off), or that an introduction of their full name in ``text`` puts before it (立命館大学…教授、木村
    朝子委員です); empty when none is said, or two are."""
    name = re.escape(surname) + (f"(?:{re.escape(given)})?" if given else "")
    said = rf"(?:{_POST_HELD})?{name}(?:{_SELF_INTRODUCED})"
    before = re.finditer(rf"の(?={name}(?:{_SELF_INTRODUCED}))|で(?={said})", own)
    found = {_org_before(own, m.start(), role=role) for m in before}
    if given:
        full = re.escape(surname + given)
        found |= {_org_before(text, m.start()) for m in re.finditer(rf"[、\sの]?(?={full})", text)}
    orgs = sorted(found - {""}, key=len)
    # 青山学院大学 and 青山学院大学地球社会共生学部 name one place, the longer more closely
    return orgs[-1] if orgs and all(orgs[-1].startswith(org) for org in orgs) else ""


def _org_before(text: str, end: int, *, role: str = "") -> str:
    """The organisation's name that ends at ``end``, the speaker's ``role`` or a post after it taken
    off, or ""."""
    words = _ORG_START.search(text[max(0, end - 41) : end])
    org = trailing_noun_phrase(words.group(1)) if words else ""
    if role and org.endswith(role):
        org = org[: -len(role)]
    org = _POST_AFTER_ORG.sub("", org)
    return org if len(org) >= 2 and _ORG_END.search(org) else ""


def _renamed(turns: Sequence[Turn], names: dict[str, str], bodies: dict[str, str]) -> Iterable[Turn]:
    for turn in turns:
        s = turn.speaker
        key = fold(compact(s.name)) if s.is_person and is_surname_only(s.name) else ""
        given, org = names.get(key), bodies.get(key, "")
        if given is None and not org:
            yield turn
            continue
        if given:
            full = f"{compact(s.name)} {given}"
            s = replace(s, name=full, person_id=person_id(full))
        yield replace(turn, speaker=replace(s, affiliation=s.affiliation or org))
