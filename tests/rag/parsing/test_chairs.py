"""A chair named by its post alone is the person who holds it in that sitting."""

from __future__ import annotations

from rag.parsing import parse_bytes

HEAD = "令和６年第１回ときわ市議会定例会会議録（第２号）\n令和６年３月５日（火曜日）\n"


def _speakers(body: str) -> list[tuple[str, str, str]]:
    parsed = parse_bytes((HEAD + body).encode(), "kaigiroku.txt")
    return [(t.speaker.label, t.speaker.name, t.speaker.person_id) for t in parsed.turns]


def test_the_post_alone_is_the_person_last_named_in_it():
    speakers = _speakers(
        "○議長　ただいまから本日の会議を開きます。\n"
        "○議長（田中次郎君）　日程第１を議題とします。\n"
        "◆１番（佐藤花子君）　防災について伺います。\n"
        "○議長　市長。\n"
        "◎市長（山本三郎君）　お答えします。\n"
        "○議長（鈴木一郎君）　議長が交代しました。\n"
        "○議長　散会します。\n"
    )
    tanaka, suzuki = speakers[1], speakers[5]
    # before anyone is named in the chair, two people hold it in this sitting: nothing says which
    assert speakers[0][:2] == ("議長", "議長")
    assert speakers[3] == ("議長", tanaka[1], tanaka[2])
    assert speakers[6] == ("議長", suzuki[1], suzuki[2])


def test_before_the_chair_is_named_its_one_holder_in_the_sitting():
    speakers = _speakers("○議長　開会します。\n○議長（田中次郎君）　日程第１を議題とします。\n")
    assert [name for _, name, _ in speakers] == ["田中次郎", "田中次郎"]


def test_a_post_several_hold_at_once_stays_the_post():
    speakers = _speakers(
        "○副委員長（田中次郎君）　質疑を行います。\n◆委員（佐藤花子君）　伺います。\n○副委員長　答弁を求めます。\n"
    )
    assert speakers[2][:2] == ("副委員長", "副委員長")
