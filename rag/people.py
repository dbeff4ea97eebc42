"""Resolve a speaker label as written (宮坂, 畑中（オブザーバー）, 増子副委員長) to a person on the roster."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace

from rag.models import Attendee, Speaker
from rag.text import nfkc
from rag.tokenize import is_common_compound, reads_as_name, surname_and_title

# Labels that name an office, not a person.
SECRETARIAT = ("事務局", "司会", "書記", "議長席", "会議録情報")
_PAREN = re.compile(r"[（(]([^）)]*)[）)]")
# Endings of organisation names that speak as a body (デジタルサービス局, 総務部, 文部科学省).
ORG_SUFFIXES = ("局", "部", "課", "省", "庁", "室", "センター", "本部", "事務局", "委員会", "協議会", "財団", "機構")
# Role words that follow a name in labels like 宮坂副知事 or 田野瀬委員長; longest first.
ROLE_SUFFIXES = tuple(
    sorted(
        [
            "委員長",
            "副委員長",
            "委員",
            "小委員長",  # a subcommittee's, and its members (逢沢小委員)
            "小委員",
            "分科員",  # a budget committee's section's members
            "議員",
            "理事",
            "座長",
            "副座長",
            "会長",
            "副会長",
            "議長",
            "副議長",
            "知事",
            "副知事",
            "市長",
            "副市長",
            "区長",
            "町長",
            "村長",
            "国務大臣",
            "大臣",
            "副大臣",
            "大臣政務官",
            "政務官",
            "政府参考人",
            "参考人",
            "公述人",  # a public hearing's witnesses
            "証人",
            "説明員",
            "局長",
            "部長",
            "課長",
            "室長",
            "次長",
            "所長",
            "担当部長",
            "総務局長",
            "教授",
            "准教授",
            "構成員",
            "幹事",
            "オブザーバー",
            "君",
            "氏",
            "さん",
        ],
        key=len,
        reverse=True,
    )
)


def compact(name: str) -> str:
    """A name without spaces, NFKC-normalised: the key names are compared on."""
    return re.sub(r"\s+", "", nfkc(name))


def person_id(name: str) -> str:
    """A stable id for a person from their full name."""
    return "p-" + hashlib.sha1(compact(name).encode()).hexdigest()[:10]


def split_label(label: str) -> tuple[str, str]:
    """``畑中（オブザーバー）`` → (``畑中``, ``オブザーバー``)."""
    extras = ", ".join(m.strip() for m in _PAREN.findall(label))
    bare = _PAREN.sub("", label).strip()
    return bare, extras


# The letter or number that stands for a person's name in anonymised minutes (委員Ａ, Ａ委員, 委員1)
NAME_MARK = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]|[0-9０-９]{1,2}")
# A role, then that mark
_ROLE_THEN_MARK = re.compile(rf"^(\D+?)({NAME_MARK.pattern})$")


# A post held for the time being, after the post (局長心得, 部長事務取扱, 課長代理)
# Words after a post held for the time being (局長心得, 危機管理監事務取扱, 部長代理)
ACTING_WORDS = "心得|事務取扱|事務代理|代理|代行"
_ACTING_END = re.compile(rf"(?:{ACTING_WORDS})$")


def split_name_role(label: str) -> tuple[str, str]:
    """``宮坂副知事`` → (``宮坂``, ``副知事``); a label without a known role word is all name, and
    so is a role word alone (``副委員長`` is not 副 the 委員長)."""
    if label in ROLE_SUFFIXES:
        return label, ""
    marked = _ROLE_THEN_MARK.match(label)
    if marked and marked.group(1) in ROLE_SUFFIXES:
        return marked.group(2), marked.group(1)  # 委員Ａ, 委員1: an anonymised member, as Ａ委員 is
    for suffix in ROLE_SUFFIXES:
        if label.endswith(suffix) and len(label) > len(suffix):
            return label[: -len(suffix)], suffix
    acting = _ACTING_END.search(label)
    if acting and acting.start() > 0:  # 榎本雅朝局長心得: a post held for the time being
        who, role = split_name_role(label[: acting.start()])
        if role:
            return who, role + acting.group()
    return label, ""


def _surname(attendee: Attendee) -> str:
    parts = nfkc(attendee.name).split()
    return parts[0] if len(parts) > 1 else ""


def _given(person: Attendee) -> str:
    parts = nfkc(person.name).split()
    return parts[1] if len(parts) > 1 else ""


def match_attendee(bare: str, roster: Sequence[Attendee], *, hint: str = "") -> tuple[Attendee | None, str]:
    """The attendee a bare label names, and what the label says beyond the name (its role).

    ``hint`` is a disambiguator from the label (the 賢 of ``山田（賢）委員``): among people who
    share a surname, only those whose given name starts with it qualify.
    """
    key = compact(bare)
    if not key:
        return None, ""
    if hint and len(hint) <= 2:
        narrowed = [p for p in roster if _given(p).startswith(hint)]
        roster = narrowed or roster
    best: tuple[tuple[int, bool], Attendee, str] | None = None
    for person in roster:
        full = compact(person.name)
        surname = _surname(person)
        for candidate in (full, surname):
            if candidate and key.startswith(candidate):
                # Two people who share a surname: the one whose post the label gives (小林 the 副委員長,
                # 小林 the 構造改革担当部長), else the first
                rest = key[len(candidate) :]
                score = (len(candidate), holds_post(person, rest))
                if best is None or score > best[0]:
                    best = (score, person, rest)
        if full.startswith(key) and len(key) >= 2 and (best is None or len(key) > best[0][0]):
            best = ((len(key), False), person, "")
    if best is None:
        return None, ""
    return best[1], best[2]


# A deputy's or an associate's post ends in the post it stands below, which it is not (副委員長 is
# no 委員長, 准教授 no 教授)
NOT_A_KIND = ("副", "准")


def holds_post(person: Attendee, post: str) -> bool:
    """Whether ``post``, as a label writes it, is the roster's post for ``person`` (総務局長 for
    総務局局長, 部長 for 総務部長; a 副委員長 does not hold 委員長)."""
    said, held = _post_key(post), _post_key(person.role or person.title)
    if not (said and held):
        return False
    longer, shorter = (said, held) if len(said) >= len(held) else (held, said)
    return longer.endswith(shorter) and not longer[: -len(shorter)].endswith(NOT_A_KIND)


# Administrative units and government bodies: a label whose name part holds one of them
# (国分寺市, 東京都CIO, デジタル庁デジタル大臣政務官) names an office, not a person.
_BODIES = re.compile(r"[都道府県市区町村庁省]")


def office_id(label: str) -> str:
    """A stable id for an office or body that speaks (the same label, the same id)."""
    return "o-" + hashlib.sha1(compact(label).encode()).hexdigest()[:10]


def is_office_label(bare: str) -> bool:
    """Whether a label (without its parenthesised note) names an office rather than a person."""
    key = compact(bare)
    if not key:
        return False
    if key in SECRETARIAT:
        return True
    name, role = split_name_role(key)
    if not role and (key.endswith(ORG_SUFFIXES) or _BODIES.search(key[-1])):
        # 事務局, デジタルサービス局, 国分寺市, 中野区; not 阿部, 中村 or 田野瀬太道, names that end so
        return not reads_as_name(key)
    # A body and a title that is no person's name (東京都CIO, デジタル庁デジタル大臣政務官); 小池都知事's
    # 小池都 is a short kanji name and stays a person.
    return bool(_BODIES.search(name)) and not re.fullmatch(r"[\u4e00-\u9fff々ヶ]{1,4}", name)


# A member's seat number before the name (七十二番吉田信夫, ３番（佐藤花子君）): the role is 議員.
SEAT = re.compile(r"^[0-9０-９一二三四五六七八九十百千〇]+番")
# Marks some minutes put before a label (○議長, ◎教育長, ◆３番); they are not part of it.
_LABEL_MARKS = "○〇◯◎◆◇△▲"


def without_honorific(text: str) -> str:
    """``山田　太郎君`` → ``山田　太郎``, and ``森忠行議員`` → ``森忠行`` where what is left reads as a
    person's name (some city councils write 議員 where others write 君); ``text`` otherwise."""
    if text.endswith("君"):
        return text[:-1]
    if text.endswith("議員") and reads_as_name(compact(text[:-2])):
        return text[:-2]
    return text


def _named_inside(bare: str, extras: str, roster: Sequence[Attendee]) -> tuple[str, str] | None:
    """``知事（石原慎太郎君）`` → (石原慎太郎, 知事), ``三十番（野島善司）`` → (野島善司, 議員): a role with the
    name in brackets, marked by 君, a seat, or a roster name, or a roster surname with its post
    (``事務局（伊藤課長）`` → (伊藤, 課長)); else None (``畑中（オブザーバー）``)."""
    named = without_honorific(extras)
    inner, honoured = compact(named), named != extras
    seat = bool(SEAT.fullmatch(compact(bare)))
    if len(inner) >= 2 and (honoured or seat or _by_name_part(inner, roster) is not None):
        return inner, "議員" if seat else compact(bare)
    who, post = name_and_role(inner) if len(inner) >= 3 else ("", "")
    if post and _by_name_part(who, roster) is not None:
        return who, post  # 事務局（伊藤課長）: the office, then its person's surname and post
    return None


def _office_staff(extras: str) -> tuple[str, str, str] | None:
    """``デジタル推進課 若井課長`` → (若井, 課長, デジタル推進課), ``若井`` → (若井, "", ""): the person
    whom an office's label names in its brackets, where SudachiPy reads a name there; else None
    (事務局（総務課）, 事務局（説明）)."""
    *body, last = nfkc(extras).split() or [""]
    who, post = name_and_role(last)
    return (who, post, "".join(body)) if reads_as_name(who) else None


def roster_body(label: str, roster: Sequence[Attendee]) -> str:
    """The body ``label`` names, as the roster writes it, where the roster lists people under it
    (``GovTech東京`` → ``GovTech 東京``): it speaks as an office does; "" for anything else. A group
    that is a role word (委員, オブザーバー) names no body."""
    key = compact(split_label(label)[0])
    if not key or key in ROLE_SUFFIXES:
        return ""
    return next((a.group for a in roster if compact(a.group) == key), "")


def _unique(people: Sequence[Attendee]) -> Attendee | None:
    return people[0] if len({compact(p.name) for p in people}) == 1 else None


def _by_name_part(who: str, roster: Sequence[Attendee]) -> Attendee | None:
    """The one roster person whose name starts with ``who`` (a surname, or a full name without its space)."""
    key = compact(who)
    return _unique([p for p in roster if len(key) >= 2 and compact(p.name).startswith(key)]) if key else None


def by_role(role: str, roster: Sequence[Attendee]) -> Attendee | None:
    """The one roster person who holds ``role`` (``議長`` alone names the chair): as their role, or
    as their title where they have no role here (a member who is 会長 of another body is no chair)."""
    key = compact(role)
    held = [p for p in roster if key == compact(p.role) or (not p.role and key == compact(p.title))]
    return _unique(held) if key else None


def roster_affiliation(person: Attendee, role: str) -> str:
    """What a turn by ``person``, labelled with ``role``, carries as its affiliation: the roster's,
    else the roster's fuller post where the label names another role (平田参考人 listed as
    東京大学地震研究所教授, 盛山国務大臣 as 文部科学大臣); a bare role word (議員) says nothing."""
    if person.affiliation:
        return person.affiliation
    post, said = _post_key(person.role), _post_key(role)
    # 総務局長 for 総務局局長, or 総務局企画調整担当部長 for 企画調整担当部長: the label says as much
    return person.role if said and post not in ROLE_SUFFIXES and not said.endswith(post) else ""


# 総務局局長: a post that names its office twice, as 総務局長 does once
_DOUBLED_OFFICE = re.compile(r"(局|部|課|室|所)\1長")


def _post_key(post: str) -> str:
    """A post as labels and rosters are compared on: closed up, its office named once (総務局長)."""
    return _DOUBLED_OFFICE.sub(r"\1長", compact(post))


def name_and_role(bare: str) -> tuple[str, str]:
    """``宮坂副知事`` → (宮坂, 副知事) by the role words; ``比留間教育長`` → (比留間, 教育長) and
    ``深井戦略部長`` → (深井, 戦略部長) by SudachiPy (a proper noun, then a title no list holds or
    longer than the listed word it ends with); ``七十二番吉田信夫`` → (吉田信夫, 議員)."""
    key = compact(bare)
    seat = SEAT.match(key)
    if seat and len(key) > seat.end():
        return key[seat.end() :], "議員"
    who, role = split_name_role(bare)
    if not 3 <= len(key) <= 16 or key != bare:  # a name written with its space is a name
        return who, role
    read = surname_and_title(key)
    if not role:
        return read or (who, role)
    # 深井戦略部長: the list knows 部長, and SudachiPy that 戦略 belongs to the title, not to the name
    return read if read and read[1].endswith(role) and len(read[0]) < len(who) else (who, role)


# Label endings that are courtesies, read off a label as its role words are but never a role
HONORIFICS = ("君", "氏", "さん")


def bare_role(word: str) -> str:
    """``word`` where it is a role word alone (会長, 委員長), the role a speaker or an entry with no
    name holds; "" for anything else, a courtesy (君) included."""
    return word if word in ROLE_SUFFIXES and word not in HONORIFICS else ""


def _office_speaker(label: str, bare: str, extras: str, roster: Sequence[Attendee]) -> Speaker | None:
    """The speaker when ``bare`` names an office or a roster group rather than a person: the person who
    speaks for the office where the label says who, else the office itself; None for anything else."""
    staff = _office_staff(extras) if is_office_label(bare) else None
    if staff is not None:  # 事務局（デジタル推進課 若井課長）: the person who speaks for the office
        who, role, body = staff
        return Speaker(
            label=label, name=who, role=role, group=compact(bare), affiliation=body, person_id=person_id(who)
        )
    body = roster_body(bare, roster)
    if is_office_label(bare) or body:
        key = body or compact(bare)  # GovTech 東京: one spelling with the group its people are in
        return Speaker(
            label=label, name=key, group=key, affiliation=extras, is_person=False, person_id=office_id(label)
        )
    return None


def is_post_alone(who: str) -> bool:
    """Whether the part of a label before its role word is the rest of a post, not a name: two or
    more common words (児童青少年 of 児童青少年課長). One word may be a surname as well (醍醐, 山手,
    大橋), so it is read as one."""
    return len(compact(who)) >= 3 and is_common_compound(compact(who))


def resolve_speaker(label: str, roster: Sequence[Attendee], *, default_group: str = "") -> Speaker:
    """Resolve ``label`` against the roster; unknown people keep their label as their name, and a
    label that names an office (事務局, 国分寺市, 東京都CIO) is a speaker that is not a person."""
    label = label.strip()
    bare, extras = split_label(label.lstrip(_LABEL_MARKS).strip())
    office, dot, member = bare.rpartition("・")
    if dot and member and is_office_label(office) and not is_office_label(member):
        # 総務局総合防災部・土屋課長: an office, then its person
        found = resolve_speaker(member + (f"（{extras}）" if extras else ""), roster, default_group=default_group)
        return replace(found, label=label, affiliation=found.affiliation or compact(office))
    inside = _named_inside(bare, extras, roster)
    if inside is not None:
        who, role = inside
        person = _by_name_part(who, roster)
        extras = ""
    else:
        person, role = (None, "") if compact(bare) in SECRETARIAT else match_attendee(bare, roster, hint=extras)
        if person is None and is_office_label(bare) and compact(bare) not in SECRETARIAT:
            person = by_role(compact(bare), roster)  # 管財課長兼庁舎建設担当: the post its one holder speaks as
        if person is None:
            for_office = _office_speaker(label, bare, extras, roster)
            if for_office is not None:
                return for_office
            who, role = name_and_role(bare)
            person = _by_name_part(who, roster)
            if person is None:  # 議長 alone, or 財務部長 (not 財務 the 部長): a post its one holder speaks as
                person = by_role(compact(bare), roster)
                role = compact(bare) if person is not None else role
    role = "" if role in HONORIFICS else role  # 内山氏, 宮坂さん: a courtesy, not a role
    if person is None and role and is_post_alone(who):
        who = role = compact(bare)  # 児童青少年課長: a post no roster names the holder of, as 委員長 is
    if person is None:
        role = role or bare_role(compact(who))  # 会長 alone, whom no roster names: a role without a name
        return Speaker(
            label=label,
            name=who,
            role=role or extras,
            group=default_group or extras,
            person_id=person_id(who),
        )
    return Speaker(
        label=label,
        name=person.name,
        role=role or person.role or person.title,
        group=person.group or extras or default_group,
        affiliation=roster_affiliation(person, role),
        person_id=person_id(person.name),
    )
