"""Speaker labels as minutes write them, resolved against a roster (rag.people.resolve_speaker)."""

from __future__ import annotations

import pytest

from rag.models import Attendee
from rag.people import holds_post, is_office_label, resolve_speaker, roster_affiliation, split_name_role

ROSTER = [
    Attendee(name="中村 明彦", group="議員", role="議長"),
    Attendee(name="野島 善司", group="議員", role="議員"),
    Attendee(name="石原慎太郎", group="説明員", role="知事"),
    Attendee(name="猪瀬 直樹", group="説明員", role="副知事"),
    Attendee(name="比留間英人", group="説明員", role="教育長"),
]


@pytest.mark.parametrize(
    ("label", "name", "role"),
    [
        ("中村議長", "中村 明彦", "議長"),
        ("議長", "中村 明彦", "議長"),  # a role alone, held by one person
        ("石原知事", "石原慎太郎", "知事"),  # a surname of a name written without its space
        ("知事（石原慎太郎君）", "石原慎太郎", "知事"),  # the Diet's way: the name in brackets
        ("副知事（猪瀬直樹君）", "猪瀬 直樹", "副知事"),
        ("○三十番（野島善司君）", "野島 善司", "議員"),  # a seat number is a member's
        ("三十番（野島善司）", "野島 善司", "議員"),  # no 君: the seat says the name is inside
        ("副知事（猪瀬直樹）", "猪瀬 直樹", "副知事"),  # no 君: the roster says so
        ("三十番野島善司", "野島 善司", "議員"),
        ("比留間教育長", "比留間英人", "教育長"),  # 教育長 is in no list: SudachiPy finds the surname
        ("宮坂 学", "宮坂 学", ""),  # not on the roster: the label as written
        ("山田審議官", "山田", "審議官"),
        # not on the roster, and the role longer than the listed word it ends with: SudachiPy finds
        # where the surname ends; a given name stays with the surname
        ("深井戦略部長", "深井", "戦略部長"),
        ("芹沢デジタル戦略部長", "芹沢", "デジタル戦略部長"),
        ("宮坂学副知事", "宮坂学", "副知事"),
        ("大津浩子委員長", "大津浩子", "委員長"),
    ],
)
def test_labels_resolve_to_the_roster(sudachi, label, name, role):
    speaker = resolve_speaker(label, ROSTER)
    assert (speaker.name, speaker.role) == (name, role)
    assert speaker.is_person


@pytest.mark.parametrize(("label", "name", "role"), [("猪瀬さん", "猪瀬 直樹", "副知事"), ("内山氏", "内山", "")])
def test_a_courtesy_is_no_role(sudachi, label, name, role):
    speaker = resolve_speaker(label, ROSTER)
    assert (speaker.name, speaker.role) == (name, role)  # the roster's role, not さん; 氏 alone is none


def test_an_office_before_its_person_is_the_persons_affiliation(sudachi):
    speaker = resolve_speaker("総務局総合防災部・土屋課長", ROSTER)
    assert (speaker.name, speaker.role, speaker.affiliation, speaker.is_person) == (
        "土屋",
        "課長",
        "総務局総合防災部",
        True,
    )
    assert resolve_speaker("土屋課長", ROSTER).person_id == speaker.person_id
    assert resolve_speaker("ジョン・スミス", ROSTER).name == "ジョン・スミス"  # a name's own dot
    assert not resolve_speaker("経済産業省・商務情報政策局", ROSTER).is_person  # two offices: one office


def test_a_role_two_people_hold_names_no_one():
    roster = [*ROSTER, Attendee(name="鈴木 花子", group="議員", role="議員")]
    assert resolve_speaker("議員", roster).name == "議員"


def test_a_role_word_alone_is_not_a_name_and_a_role():
    assert split_name_role("副委員長") == ("副委員長", "")  # not 副 the 委員長
    assert split_name_role("鈴木副委員長") == ("鈴木", "副委員長")
    roster = [*ROSTER, Attendee(name="鈴木 誠", group="委員", role="副委員長")]
    speaker = resolve_speaker("副委員長", roster)  # the post its one holder speaks as
    assert (speaker.name, speaker.role) == ("鈴木 誠", "副委員長")


@pytest.mark.parametrize(
    ("label", "name", "role"), [("委員Ａ", "Ａ", "委員"), ("委員1", "1", "委員"), ("Ａ委員", "Ａ", "委員")]
)
def test_a_role_and_a_letter_for_the_name_is_an_anonymised_member(label, name, role):
    speaker = resolve_speaker(label, [])
    assert (speaker.name, speaker.role) == (name, role)


def test_a_role_no_one_on_the_roster_holds_is_the_speakers_role():
    speaker = resolve_speaker("会長", ROSTER)  # a role, not a name: a role=会長 filter finds it
    assert (speaker.name, speaker.role) == ("会長", "会長")
    assert resolve_speaker("内山氏", ROSTER).role == ""  # a courtesy stays none


def test_a_title_held_elsewhere_does_not_answer_for_the_meetings_role():
    member = Attendee(name="小林 正人", group="委員", role="委員", affiliation="交通事業者協会", title="会長")
    assert resolve_speaker("会長", [member]).name == "会長"  # 会長 of another body, not the chair here
    official = Attendee(name="宮坂 学", group="東京都", title="副知事")  # no role here: the post they speak as
    assert resolve_speaker("副知事", [official]).name == "宮坂 学"


def test_an_office_with_its_persons_surname_and_post_in_brackets_is_that_person(sudachi):
    roster = [
        *ROSTER,
        Attendee(name="伊藤", group="事務局", role="課長", affiliation="企画政策課"),
        Attendee(name="渡辺", group="事務局", role="係長"),
    ]
    speaker = resolve_speaker("事務局（伊藤課長）", roster)
    assert (speaker.name, speaker.role, speaker.group, speaker.affiliation, speaker.is_person) == (
        "伊藤",
        "課長",
        "事務局",
        "企画政策課",
        True,
    )
    assert speaker.person_id == resolve_speaker("伊藤課長", roster).person_id
    # a post that names no one on the roster leaves the office an office
    assert not resolve_speaker("事務局（企画課長）", roster).is_person


@pytest.mark.parametrize(
    ("label", "name", "role", "affiliation"),
    [
        ("事務局（若井）", "若井", "", ""),
        ("事務局（若井課長）", "若井", "課長", ""),
        ("事務局（デジタル推進課 若井課長）", "若井", "課長", "デジタル推進課"),
        ("東京都（宮坂副知事）", "宮坂", "副知事", ""),
    ],
)
def test_an_office_names_its_speaker_in_brackets_where_no_roster_does(sudachi, label, name, role, affiliation):
    speaker = resolve_speaker(label, [])
    assert (speaker.name, speaker.role, speaker.affiliation, speaker.is_person) == (name, role, affiliation, True)
    assert speaker.group == label.split("（")[0]


@pytest.mark.parametrize(
    "label", ["事務局（総務課）", "事務局（説明）", "事務局（オンライン）", "国分寺市（若井、高橋）"]
)
def test_an_office_with_no_name_in_brackets_stays_an_office(sudachi, label):
    assert not resolve_speaker(label, []).is_person


def test_a_body_the_roster_lists_people_under_is_an_office_and_a_role_word_is_not(sudachi):
    roster = [
        Attendee(name="高野 克己", group="GovTech 東京", title="副理事長"),
        Attendee(name="村井 純", group="委員"),
    ]
    assert not resolve_speaker("GovTech 東京", roster).is_person
    assert resolve_speaker("委員", roster).role == "委員"  # a role word, whoever holds it


def test_offices_stay_offices(sudachi):
    assert not resolve_speaker("事務局", ROSTER).is_person
    assert not resolve_speaker("国分寺市", ROSTER).is_person


@pytest.mark.parametrize(
    ("post", "said", "affiliation"),
    [
        ("東京大学地震研究所教授", "参考人", "東京大学地震研究所教授"),  # the label names a category
        ("文部科学大臣", "国務大臣", "文部科学大臣"),
        ("文部科学副大臣", "副大臣", "文部科学副大臣"),  # a fuller post
        ("総務局局長", "総務局長", ""),  # the same post, its office written twice
        ("企画調整担当部長", "総務局企画調整担当部長", ""),  # the label says more than the roster
        ("議員", "委員", ""),  # a bare role word says nothing
        ("委員長", "委員長", ""),
    ],
)
def test_a_turn_carries_the_rosters_post_where_its_label_says_less(post, said, affiliation):
    person = Attendee(name="平田 直", role=post)
    assert roster_affiliation(person, said) == affiliation
    assert roster_affiliation(Attendee(name="平田 直", role=post, affiliation="東京大学"), said) == "東京大学"


@pytest.mark.parametrize("surname", ["阿部", "服部", "中村", "木村", "田野瀬太道"])
def test_a_name_that_ends_as_a_body_does_is_still_a_person(surname):
    """部, 村, 道 end offices and places (総務部, 檜原村, 北海道), and common names too."""
    assert not is_office_label(surname)
    speaker = resolve_speaker(surname, [])
    assert speaker.is_person and speaker.name == surname


@pytest.mark.parametrize("office", ["総務部", "檜原村", "北海道", "国分寺市", "中野区", "情報政策課"])
def test_offices_and_places_stay_offices(office):
    assert is_office_label(office)
    assert not resolve_speaker(office, []).is_person


@pytest.mark.parametrize(
    ("label", "name", "role"),
    [
        ("榎本雅朝局長", "榎本雅朝", "局長"),  # SudachiPy reads 朝 as a suffix: no title opens on it
        ("榎本雅朝局長心得", "榎本雅朝", "局長心得"),  # a post held for the time being
        ("山田課長代理", "山田", "課長代理"),
        ("深井戦略部長", "深井", "戦略部長"),  # a title that opens on a noun no list holds
    ],
)
def test_a_full_name_and_a_post_with_no_roster(label, name, role):
    speaker = resolve_speaker(label, [])
    assert (speaker.name, speaker.role) == (name, role)


@pytest.mark.parametrize(
    ("post", "held", "holds"),
    [
        ("総務局長", "総務局局長", True),  # the office named once in the label, twice on the roster
        ("部長", "総務部長", True),
        ("スタートアップ戦略担当部長構造改革担当部長兼務", "スタートアップ戦略担当部長構造改革担当部長兼務", True),
        ("委員長", "副委員長", False),  # a deputy does not hold the post
        ("副委員長", "委員長", False),
        ("委員長", "", False),
    ],
)
def test_a_label_holds_the_rosters_post(post, held, holds):
    assert holds_post(Attendee(name="小林 健二", role=held), post) is holds


@pytest.mark.parametrize(
    ("label", "name", "role"),
    [
        ("児童青少年課長", "児童青少年課長", "児童青少年課長"),  # a post no roster names the holder of
        ("まちづくり推進課長", "まちづくり推進課長", "まちづくり推進課長"),
        ("大橋課長", "大橋", "課長"),  # one word, common or not, may be a surname
        ("深井戦略部長", "深井", "戦略部長"),
    ],
)
def test_a_post_alone_with_no_roster_is_a_post_not_a_name(label, name, role):
    speaker = resolve_speaker(label, [])
    assert (speaker.name, speaker.role) == (name, role)
