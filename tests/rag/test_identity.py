"""Speaker identity across meetings: surnames link to the one full-named person they must be."""

from __future__ import annotations

from rag.engine import Engine
from rag.identity import Known, link_turns, roles_agree
from rag.models import Speaker, Turn
from rag.people import person_id
from tests.conftest import FIXTURES, SAMPLE, fake_encoder, make_settings


def turn(name: str, role: str = "", order: int = 1) -> Turn:
    return Turn(order, Speaker(label=name + role, name=name, role=role, person_id=person_id(name)), "", "text")


MIYASAKA = Known(person_id("宮坂 学"), "宮坂 学", ("東京都副知事（東京都ＣＩＯ）",))


def test_surname_links_to_the_one_full_name():
    linked = link_turns([turn("宮坂", "副知事")], lookup=lambda s: [MIYASAKA] if s == "宮坂" else [])
    assert (linked[0].speaker.name, linked[0].speaker.person_id) == ("宮坂 学", MIYASAKA.person_id)


def test_conflicting_roles_or_two_candidates_stay_distinct():
    clash = link_turns([turn("宮坂", "委員長")], lookup=lambda s: [MIYASAKA])
    assert clash[0].speaker.name == "宮坂"
    two = [Known(person_id("山田 太郎"), "山田 太郎"), Known(person_id("山田 花子"), "山田 花子")]
    assert link_turns([turn("山田")], lookup=lambda s: two)[0].speaker.name == "山田"


def test_full_names_in_the_same_meeting_count():
    linked = link_turns([turn("宮坂 学", "副知事", 1), turn("宮坂", "", 2)], lookup=lambda s: [])
    assert linked[1].speaker.person_id == person_id("宮坂 学")


def test_roles_agree():
    assert roles_agree(["東京都副知事（東京都ＣＩＯ）"], ["副知事"])
    assert not roles_agree(["副知事"], ["委員長"])
    assert roles_agree([""], ["委員長"]) and roles_agree(["委員"], ["座長"])


def test_across_meetings_in_either_order(tmp_path, sudachi):
    for order in ([SAMPLE, FIXTURES / "markdown-twin.md"], [FIXTURES / "markdown-twin.md", SAMPLE]):
        engine = Engine(make_settings(tmp_path / str(len(str(order[0])))), encoder=fake_encoder(), tokenize=sudachi)
        for path in order:
            engine.ingest([path])
        people = {r["name"]: r for r in engine.snapshot().meta.speakers()}
        assert people["宮坂 学"]["meetings"] == 2 and "宮坂" not in people
        assert "宮坂副知事" in people["宮坂 学"]["labels"]
        # 山田委員長 and 山田委員 share a surname and no full name: they stay apart from everyone
        assert people["山田"]["remarks"] == 2
        assert engine.check() == []


def test_anonymous_speakers_are_people_of_their_own_meeting(tmp_path, sudachi):
    engine = Engine(make_settings(tmp_path / "index"), encoder=fake_encoder(), tokenize=sudachi)
    for n, topic in ((5, "防災"), (6, "教育")):
        minutes = (
            f"第{n}回有識者会議 議事要旨\n日時：令和6年{n}月10日\n"
            f"Ａ委員：\n・{topic}について、予算の確保を求める。\n委員：\n・{topic}の計画を見直すべき。\n"
            f"宮坂 学：\n・{topic}の予算は確保した。\n"
            f"委員１：\n・{topic}の周知を求める。\n会長：\n・{topic}の議論はここまでとする。\n"
        )
        engine.ingest_bytes(minutes.encode(), f"{n}.txt")
    people = engine.snapshot().meta.speakers()
    meetings: dict[str, list[int]] = {}
    for row in people:
        meetings.setdefault(row["name"].replace(" ", ""), []).append(row["meetings"])
    assert meetings["宮坂学"] == [2]  # a name is one person across meetings
    assert meetings["Ａ"] == [1, 1] and meetings["委員"] == [1, 1]  # Ａ委員 of two meetings are two people
    assert meetings["１"] == [1, 1]  # 委員１, as Ａ委員
    assert meetings["会長"] == [1, 1]  # a post no roster names: whoever held it at that meeting
