"""Full names from the minutes' own text for speakers labelled by surname (rag.parsing.introductions)."""

from __future__ import annotations

from rag.parsing import parse_bytes, parse_path
from rag.parsing.introductions import fold
from rag.people import person_id
from tests.conftest import shared_file


def _minutes(*turns: tuple[str, str]) -> bytes:
    body = "\n\n".join(f"【{label}】\n{text}" for label, text in turns)
    return f"## 2023.2.8 検討会（第８回） 議事（全文）\n\n### 1. 開会\n\n{body}\n".encode()


def _names(data: bytes) -> dict[str, str]:
    return {t.speaker.label: t.speaker.name for t in parse_bytes(data, "minutes.md").turns}


def test_an_introduction_names_the_speaker_in_full():
    data = _minutes(
        ("事務局", "今年度事業について、デジタルサービス局データ利活用担当部長の若井太郎より御説明します。"),
        ("若井部長", "データ利活用担当部長の若井と申します。"),
        ("事務局", "国土交通省の内山裕弥様より御講演いただきます。"),
        ("内山氏", "国土交通省の内山でございます。"),
        ("高橋部長", "データ利活用担当部長をしております高橋葉夏でございます。"),
        ("宮坂副知事", "宮坂学副知事、久我英男デジタルサービス局長が出席しています。"),
    )
    parsed = parse_bytes(data, "minutes.md")
    names = {t.speaker.label: t.speaker for t in parsed.turns}
    assert names["若井部長"].name == "若井 太郎"
    assert names["若井部長"].role == "部長"
    assert names["若井部長"].person_id == person_id("若井 太郎")
    assert names["内山氏"].name == "内山 裕弥"
    assert names["高橋部長"].name == "高橋 葉夏"
    assert names["宮坂副知事"].name == "宮坂 学"


def test_a_glyph_variant_in_the_text_still_names_the_label():
    data = _minutes(("事務局", "局長の寺﨑久明よりご挨拶を申し上げます。"), ("寺崎局長", "局長の寺﨑でございます。"))
    assert _names(data)["寺崎局長"] == "寺崎 久明"
    assert fold("寺﨑") == "寺崎"


def test_words_that_begin_with_a_surname_are_not_given_names():
    data = _minutes(
        ("瀬戸委員", "瀬戸内海の島々について申し上げます。"),
        ("高橋部長", "高橋部長代理からも説明があります。"),
        ("佐藤委員", "佐藤委員長、ありがとうございます。"),
    )
    assert _names(data) == {"瀬戸委員": "瀬戸", "高橋部長": "高橋", "佐藤委員": "佐藤"}


def test_a_surname_the_text_gives_two_given_names_keeps_its_surname():
    data = _minutes(
        ("事務局", "田中一郎委員と田中花子委員に御意見をいただきます。"),
        ("田中委員", "よろしくお願いします。"),
    )
    assert _names(data)["田中委員"] == "田中"


def test_two_speakers_who_share_a_surname_under_different_posts_keep_it():
    data = _minutes(
        ("事務局", "鈴木次郎部長より御説明します。"),
        ("鈴木部長", "御説明します。"),
        ("鈴木委員", "質問します。"),
    )
    assert _names(data) == {"事務局": "事務局", "鈴木部長": "鈴木", "鈴木委員": "鈴木"}


def test_a_member_and_the_chair_that_member_holds_are_one_speaker():
    data = _minutes(
        ("事務局", "東京大学大学院工学系研究科教授、関本義秀委員です。"),
        ("関本委員", "東京大学の関本です。"),
        ("関本座長", "それでは討議に入ります。"),
    )
    assert _names(data) == {"事務局": "事務局", "関本委員": "関本 義秀", "関本座長": "関本 義秀"}


def test_a_name_followed_by_another_post_is_someone_else():
    data = _minutes(("事務局", "佐藤一郎局長より御説明します。"), ("佐藤部長", "御説明します。"))
    assert _names(data)["佐藤部長"] == "佐藤"


def _bodies(data: bytes) -> dict[str, str]:
    return {t.speaker.label: t.speaker.affiliation for t in parse_bytes(data, "minutes.md").turns}


def test_an_introduction_gives_the_speakers_organisation():
    data = _minutes(
        ("岩船委員", "東京大学生産技術研究所の岩船でございます。よろしくお願いします。"),
        ("事務局", "続いて、立命館大学情報理工学部情報理工学科教授、木村朝子委員です。"),
        ("木村委員", "よろしくお願いします。"),
        ("古橋委員", "今年度も委員を担当させていただきます、青山学院大学の古橋と申します。"),
        ("事務局", "青山学院大学地球社会共生学部教授、古橋大地委員です。"),
        ("事務局", "データ利活用担当部長の若井太郎より御説明します。"),
        ("若井部長", "担当部長の若井と申します。"),
        ("杉本臨時委員", "皆さん、こんにちは。静岡県庁の杉本と言います。"),
    )
    assert _bodies(data) == {
        "岩船委員": "東京大学生産技術研究所",  # in the speaker's own words
        "事務局": "",
        "木村委員": "立命館大学情報理工学部情報理工学科",  # before the full name, the post taken off
        "古橋委員": "青山学院大学地球社会共生学部",  # the university and its faculty: one place, said closer
        "若井部長": "",  # a post, not an organisation, before the name
        "杉本臨時委員": "静岡県庁",
    }


def test_a_speaker_who_says_where_they_hold_their_post_gives_that_organisation():
    data = _minutes(
        ("若井部長", "私は東京都デジタルサービス局でデータ利活用担当部長をしております若井と申します。"),
        ("佐藤課長", "国土交通省都市局で課長を務めております佐藤です。"),
        ("鈴木委員", "大学で教えております鈴木です。"),  # no post held: not an introduction of where
        # the sentence's own words before the organisation are not part of its name
        ("高橋部長", "ただいま御紹介いただきました東京都デジタルサービス局で担当部長をしております高橋でございます。"),
        # the speaker's own post, or a post, between the organisation and the name is taken off
        ("深井戦略部長", "東京都デジタルサービス局戦略部長の深井でございます。"),
        ("森委員", "東京大学教授の森です。"),
    )
    assert _bodies(data) == {
        "若井部長": "東京都デジタルサービス局",
        "佐藤課長": "国土交通省都市局",
        "鈴木委員": "",
        "高橋部長": "東京都デジタルサービス局",
        "深井戦略部長": "東京都デジタルサービス局",
        "森委員": "東京大学",
    }


def test_two_organisations_for_one_speaker_give_none():
    data = _minutes(
        ("吉村委員", "東京大学の吉村です。"),
        ("事務局", "慶應義塾大学の吉村有司委員です。"),
        ("事務局", "東京大学の吉村有司委員です。"),
    )
    assert _bodies(data)["吉村委員"] == ""


def test_the_study_groups_members_are_named_in_full():
    parsed = parse_path(shared_file("corpora/tokyo-digitaltwin-kentoukai05-2022-06-28.md"))
    names = {t.speaker.label: t.speaker.name for t in parsed.turns if t.speaker.is_person}
    bodies = {t.speaker.label: t.speaker.affiliation for t in parsed.turns if t.speaker.affiliation}
    assert bodies == {
        "岩船委員": "東京大学生産技術研究所",
        "木村委員": "立命館大学情報理工学部情報理工学科",
        "瀬戸委員": "駒澤大学文学部地理学科",
        "古橋委員": "青山学院大学地球社会共生学部",
        "吉村委員": "東京大学先端科学技術研究センター",
        "若井部長": "東京都デジタルサービス局",  # 「…局でデータ利活用担当部長をしております若井と申します」
    }
    assert names == {
        "宮坂副知事": "宮坂 学",
        "若井部長": "若井 太郎",
        "久我局長": "久我 英男",
        "岩船委員": "岩船 由美子",
        "木村委員": "木村 朝子",
        "瀬戸委員": "瀬戸 寿一",
        "古橋委員": "古橋 大地",
        "吉村委員": "吉村 有司",
    }
