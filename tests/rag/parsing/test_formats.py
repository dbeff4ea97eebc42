"""The other formats on the shared corpora, and format detection."""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile

import pytest

from rag.errors import ParseError
from rag.parsing import FORMATS, detect, parse_bytes, parse_path
from rag.parsing.base import decode, without_markup
from tests.conftest import FIXTURES, SAMPLE, shared_file


def test_every_format_is_registered():
    assert set(FORMATS) == {"summary", "kokkai", "markdown", "assembly-json", "verbatim", "csv", "plain"}


def test_detects_the_sample():
    assert detect(decode(SAMPLE.read_bytes(), SAMPLE.name)).name == "summary"


def test_kokkai_json():
    parsed = parse_path(shared_file("corpora/kokkai-shugiin-monka-212-01-2023-11-01.json"))
    m = parsed.meeting
    assert m.source_format == "kokkai"
    assert m.date == "2023-11-01"
    assert "文部科学委員会" in m.title
    assert len(parsed.turns) == 19  # speechOrder 0 is the roster, not a turn
    first = parsed.turns[0]
    assert first.speaker.name == "田野瀬太道"
    assert first.speaker.role == "委員長"
    assert first.source_id == "121205124X00120231101_001"
    assert first.url.endswith("/1")
    assert first.text.startswith("これより会議を開きます。")
    moriyama = [t for t in parsed.turns if t.speaker.name == "盛山正仁"]
    assert moriyama and moriyama[0].speaker.role == "国務大臣"
    assert moriyama[0].speaker.group == "自由民主党・無所属の会" or moriyama[0].speaker.group
    assert m.agenda == ("理事の辞任及び補欠選任", "国政調査承認要求に関する件")
    assert first.topic == "文部科学委員会"  # before any agenda item is taken up
    assert moriyama[0].topic == "国政調査承認要求に関する件"
    assert all("〔" not in t.text for t in parsed.turns)


def test_the_diet_roster_is_who_attended_once_each_with_their_posts():
    parsed = parse_path(shared_file("corpora/kokkai-shugiin-monka-212-01-2023-11-01.json"))
    people = {a.name: (a.role, a.group) for a in parsed.meeting.attendees}
    assert len(people) == len(parsed.meeting.attendees) == 47  # 出席委員 and the government's side
    assert people["田野瀬太道"] == ("委員長", "委員") and people["井出 庸生"] == ("委員", "委員")
    assert people["盛山 正仁"] == ("文部科学大臣", "")  # the post, not part of the name
    # not the prose of 委員の異動 and the agenda (…君辞任につき、その補欠として…)
    assert not [name for name in people if re.search(r"[、（]|につき|及び", name)]


COUNCILLORS_ROSTER = """令和五年十一月九日（木曜日）
   午前十時開会
    ─────────────
   委員の異動
    辞任         補欠選任
     山田 太郎君     佐藤 花子君
    ─────────────
  出席者は左のとおり。
    委員長         古賀友一郎君
    理事
                加田 裕之君
                上月 良祐君
    委員
                佐藤 花子君
   国務大臣
       文部科学大臣   盛山 正仁君
   事務局側
       常任委員会専門員 戸田 浩史君
    ─────────────
  本日の会議に付した案件
○教育、科学技術、学術、文化及びスポーツ等に関する調査
    ─────────────"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_the_house_of_councillors_lists_posts_and_groups_over_the_names_under_them(newline):
    # The API writes a speech's lines with \r\n inside the JSON string, out of the decoder's reach
    record = {
        "meetingRecord": [
            {
                "nameOfHouse": "参議院",
                "nameOfMeeting": "文教科学委員会",
                "issue": "第2号",
                "session": "212",
                "date": "2023-11-09",
                "speechRecord": [
                    {"speechOrder": "0", "speaker": "会議録情報", "speech": COUNCILLORS_ROSTER.replace("\n", newline)},
                    {
                        "speechOrder": "1",
                        "speaker": "古賀友一郎",
                        "speech": "○委員長（古賀友一郎君）　ただいまから文教科学委員会を開会いたします。",
                    },
                ],
            }
        ]
    }
    m = parse_bytes(json.dumps(record, ensure_ascii=False).encode(), "sangiin.json").meeting
    assert [(a.name, a.role, a.group) for a in m.attendees] == [
        ("古賀友一郎", "委員長", "委員"),
        ("加田 裕之", "理事", "委員"),
        ("上月 良祐", "理事", "委員"),
        ("佐藤 花子", "委員", "委員"),  # once: not the 委員の異動 above, where 山田 太郎 resigned
        ("盛山 正仁", "文部科学大臣", "国務大臣"),
        ("戸田 浩史", "常任委員会専門員", "事務局側"),
    ]
    assert m.agenda == ("教育、科学技術、学術、文化及びスポーツ等に関する調査",)


def _diet(*speeches: tuple[str, str], meeting: str = "文教科学委員会"):
    """A one-meeting Diet API response of (speaker, speech) in speechOrder from 0, parsed."""
    said = [{"speechOrder": str(i), "speaker": who, "speech": text} for i, (who, text) in enumerate(speeches)]
    record = {"meetingRecord": [{"nameOfMeeting": meeting, "date": "2023-11-09", "speechRecord": said}]}
    return parse_bytes(json.dumps(record, ensure_ascii=False).encode(), "diet.json")


@pytest.mark.parametrize(
    ("fields", "title"),
    [
        ({"session": 212, "nameOfHouse": "衆議院", "issue": "第1号"}, "第212回国会 衆議院 本会議 第1号"),
        ({"session": "令和8年第3回定例会", "municipality": "広島市"}, "令和8年第3回定例会 広島市 本会議"),
    ],
    ids=["diet", "local-council"],
)
def test_a_record_in_the_diet_api_shape_is_titled_by_its_session_house_and_meeting(fields, title):
    speech = {"speechOrder": 1, "speaker": "議長", "speech": "ただいまから会議を開きます。"}
    record = {"nameOfMeeting": "本会議", "date": "2026-09-10", "speechRecord": [speech], **fields}
    parsed = parse_bytes(json.dumps({"meetingRecord": [record]}, ensure_ascii=False).encode(), "record.json")
    assert parsed.meeting.title == title


def _diet_attendees(roster: str) -> list[tuple[str, str, str]]:
    m = _diet(("会議録情報", roster), ("高橋克法", "○委員長（高橋克法君）　開会いたします。")).meeting
    return [(a.name, a.role, a.group) for a in m.attendees]


def test_a_councillors_plenary_whose_business_is_as_scheduled_takes_the_order_of_business():
    info = (
        "令和五年十月二十四日（火曜日）\n   午前十時一分開議\n    ━━━━━━━━━━━━━\n議事日程 第三号\n"
        "  令和五年十月二十四日\n   午前十時開議\n 第一 国務大臣の演説に関する件（第二日）\n"
        "    ━━━━━━━━━━━━━\n○本日の会議に付した案件\n 一、議事日程のとおり\n"
    )
    chair = "○議長（尾辻秀久君）　これより会議を開きます。\n　日程第一、国務大臣の演説に関する件（第二日）。"
    parsed = _diet(("会議録情報", info), ("尾辻秀久", chair), meeting="本会議")
    assert parsed.meeting.agenda == ("国務大臣の演説に関する件（第二日）",)
    assert parsed.turns[0].topic == "国務大臣の演説に関する件（第二日）"


def test_a_councillors_plenary_reads_items_the_page_ran_over_and_the_order_of_business_they_name():
    info = (
        "平成二十一年三月三十一日（火曜日）\n議事日程 第十四号\n  平成二十一年三月三十一日\n   午前十時開議\n"
        " 第一 在外公館の名称及び位置並びに在外公館\n  に勤務する外務公務員の給与に関する法律の\n"
        "  一部を改正する法律案（内閣提出、衆議院送\n  付）\n"
        " 第二 関税定率法等の一部を改正する法律案（\n  内閣提出、衆議院送付）\n    ━━━━━━━━━━━━━\n"
        "○本日の会議に付した案件\n 一、北朝鮮による飛翔体発射に対して自制を求\n"
        "  める決議案（西岡武夫君外七名発議）\n 一、日程第一及び第二\n"
    )
    chair = (
        "○議長（江田五月君）　日程第二　関税定率法等の一部を改正する法律案（内閣提出、衆議院送付）を議題といたします。"
    )
    parsed = _diet(("会議録情報", info), ("江田五月", chair), meeting="本会議")
    assert parsed.meeting.agenda == (
        "北朝鮮による飛翔体発射に対して自制を求める決議案（西岡武夫君外七名発議）",
        "在外公館の名称及び位置並びに在外公館に勤務する外務公務員の給与に関する法律の一部を改正する法律案（内閣提出、衆議院送付）",
        "関税定率法等の一部を改正する法律案（内閣提出、衆議院送付）",
    )
    assert parsed.turns[0].topic == "関税定率法等の一部を改正する法律案（内閣提出、衆議院送付）"
    assert parsed.meeting.attendees == ()  # no roster: not 西岡武夫君 of the resolution's movers


def test_an_older_representatives_record_names_those_from_outside_the_committee_and_its_business():
    info = (
        "昭和二十八年二月二十五日（水曜日）\n 出席委員\n   委員長 福永 健司君\n      森   清君\n"
        " 委員外の出席者\n        議     長 大野 伴睦君\n        事 務 総 長 大池  眞君\n"
        "    ―――――――――――――\n本日の会議に付した事件\n 懲罰動議取扱いの件\n    ―――――――――――――\n"
    )
    parsed = _diet(("会議録情報", info), ("福永健司", "○福永委員長　懲罰動議取扱いの件についてお諮りいたします。"))
    assert [(a.name, a.role, a.group) for a in parsed.meeting.attendees] == [
        ("福永 健司", "委員長", "委員"),
        ("森 清", "委員", "委員"),
        ("大野 伴睦", "議長", "委員外の出席者"),  # not a member; the post set out over the width, closed up
        ("大池 眞", "事務総長", "委員外の出席者"),
    ]
    assert parsed.meeting.agenda == ("懲罰動議取扱いの件",)  # 事件, as older records and assemblies write it
    assert parsed.turns[0].topic == "懲罰動議取扱いの件"


# A subcommittee's speechOrder 0: its members under 出席小委員, and those from outside it, one post
# run over two lines as the page's column ends
SUBCOMMITTEE_INFO = (
    "平成十一年六月二十九日(火曜日)\n    午後三時二十三分開議\n 出席小委員\n   小委員長 中川 秀直君\n"
    "      逢沢 一郎君    遠藤 武彦君\n 小委員外出席者\n         議院運営委員  東中 光雄君\n"
    "         事 務 総 長 谷  福丸君\n         衆議院法制局法\n         制企画調整部長 郡山 芳一君\n"
    "    ―――――――――――――\n本日の会議に付した案件\n 国会法の一部改正の件\n"
)
SUBCOMMITTEE_ROSTER = [
    ("中川 秀直", "小委員長", "委員"),
    ("逢沢 一郎", "小委員", "委員"),
    ("遠藤 武彦", "小委員", "委員"),
    ("東中 光雄", "議院運営委員", "小委員外出席者"),
    ("谷 福丸", "事務総長", "小委員外出席者"),
    ("郡山 芳一", "衆議院法制局法制企画調整部長", "小委員外出席者"),
]


def test_a_subcommittees_members_and_those_from_outside_it():
    parsed = _diet(
        ("会議録情報", SUBCOMMITTEE_INFO),
        ("中川秀直", "○中川委員長　ただいまから小委員会を開会いたします。"),
        ("逢沢一郎", "○逢沢小委員　議論をしました。"),
        meeting="議院運営委員会国会法改正等に関する小委員会",
    )
    assert [(a.name, a.role, a.group) for a in parsed.meeting.attendees] == SUBCOMMITTEE_ROSTER
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [("中川秀直", "委員長"), ("逢沢一郎", "小委員")]


def test_a_subcommittees_record_as_text_reads_the_same_roster():
    text = (
        "第145回国会　衆議院　議院運営委員会国会法改正等に関する小委員会　第4号\n"
        + SUBCOMMITTEE_INFO
        + "○中川委員長　ただいまから小委員会を開会いたします。\n○逢沢小委員　議論をしました。\n"
    )
    parsed = parse_bytes(text.encode(), "shou.txt")
    # the text reader keeps the head's word as the members' group and gives them no post of their own
    want = [(n, "" if r == "小委員" else r, "小委員" if g == "委員" else g) for n, r, g in SUBCOMMITTEE_ROSTER]
    assert [(a.name, a.role, a.group) for a in parsed.meeting.attendees] == want
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("中川 秀直", "委員長"),
        ("逢沢 一郎", "小委員"),
    ]


# A budget committee's section: its chair is 主査, members of other sections sit in it 兼務, and
# the committee's staff follow the 政府参考人 without a group's line of their own
SECTION_INFO = (
    "令和五年二月二十日（月曜日）\n    午前八時開議\n 出席分科員\n   主査 上野賢一郎君\n"
    "      井野 俊郎君    大西 英男君\n   兼務 青柳陽一郎君 兼務 石川 香織君\n"
    "    …………………………………\n   総務大臣     松本 剛明君\n   政府参考人\n"
    "   （総務省自治行政局長）  吉川 浩民君\n   予算委員会専門員     小池 章子君\n"
    "    ―――――――――――――\n本日の会議に付した案件\n 令和五年度一般会計予算\n"
)
SECTION_ROSTER = [
    ("上野賢一郎", "主査", "委員"),
    ("井野 俊郎", "分科員", "委員"),
    ("大西 英男", "分科員", "委員"),
    ("青柳陽一郎", "分科員", "委員"),
    ("石川 香織", "分科員", "委員"),
    ("松本 剛明", "総務大臣", ""),
    ("吉川 浩民", "総務省自治行政局長", "政府参考人"),
    ("小池 章子", "予算委員会専門員", ""),
]


def test_a_budget_sections_chair_concurrent_members_and_staff():
    parsed = _diet(
        ("会議録情報", SECTION_INFO),
        ("上野賢一郎", "○上野主査　これより予算委員会第二分科会を開会いたします。"),
        meeting="予算委員会第二分科会",
    )
    assert [(a.name, a.role, a.group) for a in parsed.meeting.attendees] == SECTION_ROSTER


def test_the_representatives_speech_order_0_as_text_is_read_by_the_diets_roster_reader():
    text = (
        "第211回国会　衆議院　予算委員会第二分科会　第1号\n"
        + SECTION_INFO
        + "○上野主査　これより予算委員会第二分科会を開会いたします。\n○松本国務大臣　お答え申し上げます。\n"
    )
    parsed = parse_bytes(text.encode(), "bunka.txt")
    assert [(a.name, a.role, a.group) for a in parsed.meeting.attendees] == SECTION_ROSTER
    assert [(t.speaker.name, t.speaker.group) for t in parsed.turns] == [("上野賢一郎", "委員"), ("松本 剛明", "")]


def test_a_public_hearings_witnesses_are_a_group_under_their_posts():
    roster = (
        "  出席者は左のとおり。\n    委員長         末松 信介君\n   公述人\n"
        "       東京大学大学院教授  山田 太郎君\n       弁護士       鈴木 花子君\n"
    )
    assert _diet_attendees(roster) == [
        ("末松 信介", "委員長", "委員"),
        ("山田 太郎", "東京大学大学院教授", "公述人"),
        ("鈴木 花子", "弁護士", "公述人"),  # not 弁護士 鈴木 花子, a member
    ]


@pytest.mark.parametrize(
    "roster",
    [
        " 出席委員\n   会長 森  英介君\n   幹事 新藤 義孝君 幹事 中谷  元君\n      井出 庸生君\n",  # 衆議院
        "  出席者は左のとおり。\n    会 長   森 英介君\n    幹 事\n     新藤 義孝君\n     中谷 元君\n"
        "    委 員\n     井出 庸生君\n",  # 参議院: the post alone over its names
    ],
    ids=["representatives", "councillors"],
)
def test_a_commission_on_the_constitution_names_its_幹事(roster):
    assert _diet_attendees(roster) == [
        ("森 英介", "会長", "委員"),
        ("新藤 義孝", "幹事", "委員"),
        ("中谷 元", "幹事", "委員"),
        ("井出 庸生", "委員", "委員"),
    ]


def test_a_bracketed_post_the_page_ran_over_lines_is_read_whole():
    roster = (
        " 出席委員\n   委員長 田野瀬太道君\n    …………………………………\n   政府参考人\n"
        "   （文部科学省大臣官房\n    審議官）     山田 太郎君\n   文部科学委員会専門員  中村  清君\n"
    )
    assert _diet_attendees(roster) == [
        ("田野瀬太道", "委員長", "委員"),
        ("山田 太郎", "文部科学省大臣官房審議官", "政府参考人"),  # not ） 山田 太郎, 審議官
        ("中村 清", "文部科学委員会専門員", ""),
    ]


def test_an_older_representatives_record_heads_its_ministers_and_delegates_出席():
    roster = (
        " 出席委員\n   委員長 中村  靖君\n      佐藤 信二君\n 出席国務大臣\n       文 部 大 臣 西岡 武夫君\n"
        " 出席政府委員\n       文部省初等中\n       等教育局長   菱村 幸彦君\n"
    )
    assert _diet_attendees(roster) == [
        ("中村 靖", "委員長", "委員"),
        ("佐藤 信二", "委員", "委員"),
        ("西岡 武夫", "文部大臣", "国務大臣"),  # not a member named 文 部 大 臣 西岡 武夫
        ("菱村 幸彦", "文部省初等中等教育局長", "政府委員"),
    ]


def test_a_bills_movers_from_outside_the_committee_are_groups_of_their_own():
    roster = (
        "  出席者は左のとおり。\n    委員長         高橋 克法君\n   委員以外の議員\n"
        "       発議者       舟山 康江君\n   衆議院議員\n       発議者       松野 博一君\n"
    )
    assert _diet_attendees(roster) == [
        ("高橋 克法", "委員長", "委員"),
        ("舟山 康江", "発議者", "委員以外の議員"),
        ("松野 博一", "発議者", "衆議院議員"),
    ]


def test_a_diet_roster_spaced_posts_and_posts_the_page_ran_over_two_lines():
    roster = (
        "  出席者は左のとおり。\n    委員長         高橋 克法君\n    理 事\n                赤池 誠章君\n"
        "    委 員\n                江島  潔君\n   大臣政務官\n       文部科学大臣政\n"
        "       務官       本田 顕子君\n   事務局側\n       常任委員会専門\n       員        戸田 浩史君\n"
        "   政府参考人\n       文部科学省初等\n       中等教育局長   矢野 和彦君\n"
    )
    assert _diet_attendees(roster) == [
        ("高橋 克法", "委員長", "委員"),
        ("赤池 誠章", "理事", "委員"),
        ("江島 潔", "委員", "委員"),
        ("本田 顕子", "文部科学大臣政務官", "大臣政務官"),
        ("戸田 浩史", "常任委員会専門員", "事務局側"),
        ("矢野 和彦", "文部科学省初等中等教育局長", "政府参考人"),
    ]


def test_a_diet_roster_post_in_brackets_under_its_group():
    roster = (
        "　出席委員\n　　　委員長　田野瀬太道君\n　　　　…………………………………\n"
        "　　　政府参考人\n　　　（文部科学省大臣官房長）　　　望月　　禎君\n"
        "　　　会計検査院当局者\n　　　（会計検査院事務総局第四局長）　　片桐　　聡君\n"
    )
    assert _diet_attendees(roster) == [
        ("田野瀬太道", "委員長", "委員"),
        ("望月 禎", "文部科学省大臣官房長", "政府参考人"),
        ("片桐 聡", "会計検査院事務総局第四局長", "会計検査院当局者"),
    ]


def test_a_plenary_agenda_ends_where_the_sitting_opens():
    roster = "令和五年十月二十三日（月曜日）\n○本日の会議に付した案件\n 国務大臣の演説\n    午後一時二分開議"
    opened = ("額賀福志郎", "○議長（額賀福志郎君）　これより会議を開きます。")
    assert _diet(("会議録情報", roster), opened, meeting="本会議").meeting.agenda == ("国務大臣の演説",)


def test_members_who_share_a_surname_keep_the_role_their_label_gives():
    parsed = _diet(
        ("会議録情報", ""),
        ("斎藤アレックス", "○斎藤（ア）委員　国民民主党の斎藤アレックスです。"),
        ("斎藤洋明", "○斎藤（洋）委員　自由民主党の斎藤洋明です。"),
    )
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("斎藤アレックス", "委員"),
        ("斎藤洋明", "委員"),
    ]


def test_kokkai_numbers_as_numbers():
    record = {
        "meetingRecord": [
            {
                "nameOfHouse": "参議院",
                "nameOfMeeting": "内閣委員会",
                "issue": "第2号",
                "session": 213,
                "date": "2024-03-01",
                "speechRecord": [
                    {"speechOrder": 0, "speaker": "会議録情報", "speech": "委員長\u3000山田\u3000太郎君"},
                    {
                        "speechOrder": 1,
                        "speechID": "X_001",
                        "speaker": "山田太郎",
                        "speech": "○山田委員長\u3000開会します。",
                    },
                ],
            }
        ]
    }
    parsed = parse_bytes(json.dumps(record, ensure_ascii=False).encode(), "diet.json")
    assert parsed.meeting.title == "第213回国会 参議院 内閣委員会 第2号"
    assert [t.speaker.role for t in parsed.turns] == ["委員長"]


def test_markdown_turns():
    parsed = parse_path(shared_file("corpora/tokyo-digitaltwin-kentoukai05-2022-06-28.md"))
    m = parsed.meeting
    assert m.source_format == "markdown"
    assert m.date == "2022-06-28"
    assert m.title.startswith("東京都における「都市のデジタルツイン」社会実装に向けた検討会")
    assert len(parsed.turns) == 56
    second = parsed.turns[1]
    assert (second.speaker.label, second.speaker.name, second.speaker.role) == ("宮坂副知事", "宮坂 学", "副知事")
    assert second.topic == "開会"
    assert all("<a" not in t.text for t in parsed.turns)


def test_assembly_json():
    parsed = parse_path(shared_file("corpora/tokyo-gikai-bousai-tokubetsu-iinkai-2012-05-14.json"))
    m = parsed.meeting
    assert m.source_format == "assembly-json"
    assert m.date == "2012-05-14"
    assert m.title == "防災対策特別委員会速記録第四号"
    assert m.place == "第十二委員会室"
    assert len(parsed.turns) == 55
    first = parsed.turns[0]
    assert (first.speaker.name, first.speaker.role) == ("増子 博樹", "副委員長")
    hirata = [t for t in parsed.turns if t.speaker.label == "平田参考人"]
    assert hirata[0].speaker.name == "平田 直"
    assert hirata[0].topic == "参考人からの意見聴取"
    assert parsed.turns[7].topic == "委員長の互選"
    assert all("異議なし」と呼ぶ者あり" not in t.text for t in parsed.turns)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b'{"unrelated": "json"}', "unrecognised"),
        (b'{"meetingRecord": [ {"speechRecord": [', "invalid JSON"),
    ],
)
def test_bad_files_get_clear_errors(data, reason):
    from rag.errors import ParseError

    with pytest.raises(ParseError) as info:
        parse_bytes(data, "bad.txt")
    assert "bad.txt" in info.value.message
    assert reason in (info.value.details.get("reason", "") + info.value.message)


def _workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "hint"),
    [(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "save it as .docx"), (_workbook(), "save the sheet as CSV")],
    ids=["doc-or-xls", "xlsx"],
)
def test_an_office_file_this_does_not_read_says_what_to_save_it_as(data, hint):
    with pytest.raises(ParseError, match=hint):
        parse_bytes(data, "minutes.bin")


def test_shift_jis_is_decoded():
    parsed = parse_bytes(SAMPLE.read_text(encoding="utf-8").encode("cp932", errors="replace"), "sjis.txt")
    assert len(parsed.turns) == 53


def test_iso_2022_jp_is_decoded_not_refused_as_binary():
    """JIS, as older documents and mail are written: seven bits, with escapes into and out of kanji."""
    text = unicodedata.normalize("NFKC", SAMPLE.read_text(encoding="utf-8"))
    parsed = parse_bytes(text.encode("iso2022_jp_ext", errors="replace"), "jis.txt")
    assert (parsed.meeting.title, len(parsed.turns)) == ("第7回東京デジタルサービス会議", 53)


@pytest.mark.parametrize("mark", ["**", "__", "*"])
def test_markdown_labels_may_be_emphasised(mark):
    plain = (FIXTURES / "markdown-twin.md").read_text()
    emphasised = re.sub(r"^(【[^】]+】)", rf"{mark}\1{mark}", plain, flags=re.M)
    assert emphasised != plain
    want = parse_bytes(plain.encode(), "twin.md")
    got = parse_bytes(emphasised.encode(), "twin.md")
    assert got.meeting.source_format == "markdown"
    assert [(t.speaker.label, t.text) for t in got.turns] == [(t.speaker.label, t.text) for t in want.turns]


def test_bold_lines_are_labels_only_where_the_document_says_so():
    text = (
        "# 第1回検討会\n\n## 1. 開会\n\n**若井部長**\n\n定刻となりましたので開会いたします。\n\n**重要な点**\n\n費用を抑えることが大切だと考えています。\n\n"
        "**岩船委員**\n\nその方向性に賛成いたします。\n\n**若井部長**\n\n御意見ありがとうございます。\n"
    )
    parsed = parse_bytes(text.encode(), "twin.md")
    assert parsed.meeting.source_format == "markdown" and parsed.meeting.title == "第1回検討会"
    assert [(t.speaker.label, t.topic, t.text) for t in parsed.turns] == [
        (
            "若井部長",
            "開会",
            "定刻となりましたので開会いたします。\n**重要な点**\n費用を抑えることが大切だと考えています。",
        ),
        ("岩船委員", "開会", "その方向性に賛成いたします。"),
        ("若井部長", "開会", "御意見ありがとうございます。"),
    ]


def test_markdown_list_items_that_open_with_a_speaker_are_turns_and_the_contents_is_the_agenda():
    text = (
        "# 第6回検討会 議事録\n\n## 目次\n1. [開会](#anchor1)\n2. [議事](#anchor2)\n3. [閉会](#anchor3)\n\n"
        "### 1. 開会\n\n【事務局】\nただいまから開会いたします。\n\n### 2. 議事\n\n"
        "- 【古橋委員】　点群データの更新頻度が重要です。\n- 【事務局】　年１回の更新を基本としております。\n"
        "- 【参考】資料２のとおり。\n\n【関本座長】　ほかにいかがでしょうか。\n"
    )
    parsed = parse_bytes(text.encode(), "twin.md")
    assert parsed.meeting.agenda == ("開会", "議事", "閉会")
    assert [(t.speaker.label, t.topic, t.text) for t in parsed.turns] == [
        ("事務局", "開会", "ただいまから開会いたします。"),
        ("古橋委員", "議事", "点群データの更新頻度が重要です。"),
        # a list item under a bracketed word that names no one stays in the speech
        ("事務局", "議事", "年１回の更新を基本としております。\n- 【参考】資料２のとおり。"),
        ("関本座長", "議事", "ほかにいかがでしょうか。"),
    ]


def test_markdown_speech_under_a_new_heading_with_no_label_goes_on_as_its_own_turn():
    text = (
        "## 2022.2.3 第4回検討会 議事（全文）\n\n### 3. 討議説明\n\n【事務局】\nロードマップの論点を説明します。\n\n"
        "### ４. 今年度事業紹介\n\n引き続き、今年度事業を紹介します。\n\n### ５. 討議\n\n"
        "【吉村委員】　東京大学の吉村です。\n\nまずは論点2からいきたいと思います。\n"
    )
    parsed = parse_bytes(text.encode(), "twin.md")
    assert [(t.speaker.label, t.topic, t.text) for t in parsed.turns] == [
        ("事務局", "討議説明", "ロードマップの論点を説明します。"),
        ("事務局", "今年度事業紹介", "引き続き、今年度事業を紹介します。"),  # the same speaker, under its heading
        ("吉村委員", "討議", "東京大学の吉村です。\nまずは論点2からいきたいと思います。"),  # 【label】　speech
    ]


def test_markdown_notes_in_brackets_between_paragraphs_are_no_ones_speech():
    text = (
        "## 2022.2.3 第4回検討会 議事（全文）\n\n### 1. 開会\n\n【事務局】\nドローンの試行をご覧ください。\n\n"
        "（動画上映）\n\nただいまの動画のとおりです。\n\n【吉村委員】\n（スライド１）の点群は、（仮称）東京モデルですか。\n"
    )
    parsed = parse_bytes(text.encode(), "twin.md")
    assert [(t.speaker.label, t.text) for t in parsed.turns] == [
        ("事務局", "ドローンの試行をご覧ください。\nただいまの動画のとおりです。"),
        ("吉村委員", "（スライド１）の点群は、（仮称）東京モデルですか。"),  # brackets inside speech stay
    ]


def test_markdown_speech_under_a_new_heading_that_calls_on_the_next_speaker_is_the_moderators():
    text = (
        "## 2021.11.29 第3回検討会 議事（全文）\n\n### 1. 開会\n\n"
        "【事務局】\n開会します。宮坂副知事、よろしくお願いいたします。\n\n"
        "【宮坂副知事】\n皆さん、おはようございます。\n\n"
        "【事務局】\n宮坂副知事、ありがとうございました。高橋部長、お願いします。\n\n"
        "【高橋部長】\n振り返りを御説明します。\n\n"
        "### 4. 討議キックオフ\n\n"
        "それではここから討議に入ります。吉村委員、よろしくお願いします。\n\n"
        "【吉村委員】\n東京大学の吉村です。\n\n"
        "### 5. 討議\n\nもう一点申し上げます。\n"
    )
    turns = parse_bytes(text.encode(), "twin.md").turns
    assert [(t.speaker.label, t.topic) for t in turns[-3:]] == [
        ("事務局", "討議キックオフ"),  # the handover, though 高橋部長 spoke last
        ("吉村委員", "討議キックオフ"),
        ("吉村委員", "討議"),  # calls on no one: the last speaker goes on
    ]


MINISTRY_TRANSCRIPT = """情報通信審議会　情報通信政策部会（第５０回）議事録

１　日時　令和５年６月２０日（火）１０時００分～１２時００分

２　場所　Ｗｅｂ会議による開催

３　出席者
（１）委員（敬称略）
山田　太郎（部会長）、佐藤　花子（部会長代理）、鈴木　一郎

（２）総務省
田中総務課長

４　議事
（１）デジタル時代の放送制度について

【山田部会長】　それでは、定刻になりましたので、部会を開催いたします。

【田中総務課長】　資料に基づきまして御説明いたします。

【鈴木委員】　ブロードバンドによる代替も検討すべきと考えます。
"""


def test_a_ministry_transcript_in_text_reads_its_numbered_header_and_names_speakers_from_it():
    parsed = parse_bytes(MINISTRY_TRANSCRIPT.encode(), "bukai50.txt")
    m = parsed.meeting
    assert m.source_format == "markdown"  # 【label】　speech turns
    assert (m.date, m.start_time, m.end_time, m.place) == ("2023-06-20", "10:00", "12:00", "Ｗｅｂ会議による開催")
    assert [(a.name, a.role, a.group) for a in m.attendees] == [
        ("山田 太郎", "部会長", "委員"),  # （１）委員（敬称略） heads a group, not a person
        ("佐藤 花子", "部会長代理", "委員"),
        ("鈴木 一郎", "", "委員"),
        ("田中", "総務課長", "総務省"),
    ]
    assert m.agenda == ("デジタル時代の放送制度について",)
    assert [(t.speaker.name, t.speaker.role, t.topic) for t in parsed.turns] == [
        ("山田 太郎", "部会長", "デジタル時代の放送制度について"),
        ("田中", "総務課長", "デジタル時代の放送制度について"),
        ("鈴木 一郎", "委員", "デジタル時代の放送制度について"),
    ]


def test_the_diet_minutes_as_text_are_verbatim_turns():
    """The kokkai site's text: a long roster with 出席委員 and dated 委員の異動 lines, then ○ turns."""
    record = json.loads(shared_file("corpora/kokkai-shugiin-monka-212-01-2023-11-01.json").read_text())
    speeches = [s["speech"] for s in record["meetingRecord"][0]["speechRecord"]]
    text = "第212回国会 衆議院 文部科学委員会 第1号\n令和五年十一月一日（水曜日）\n" + "\n".join(speeches)
    parsed = parse_bytes(text.encode(), "monka.txt")
    assert parsed.meeting.source_format == "verbatim"
    assert len(parsed.turns) == 19 and parsed.turns[0].speaker.name == "田野瀬太道"
    assert parsed.meeting.date == "2023-11-01"


def test_of_two_text_formats_that_claim_a_file_the_one_that_finds_the_turns_wins(monkeypatch):
    from rag.parsing import summary

    monkeypatch.setattr(summary, "sniff", lambda source: 1.0)  # claims it more surely than verbatim's 0.9
    parsed = parse_bytes((FIXTURES / "verbatim-diet.txt").read_bytes(), "diet.txt")
    assert parsed.meeting.source_format == "verbatim" and len(parsed.turns) == 8
    summary_text = (FIXTURES / "summary-inline.txt").read_bytes()
    assert parse_bytes(summary_text, "s.txt").meeting.source_format == "summary"  # verbatim finds 1 turn there


@pytest.mark.parametrize("fmt", ["summary", "verbatim", "markdown", "plain"])
def test_json_forced_into_a_text_format_is_refused(fmt):
    data = (FIXTURES / "kokkai-two-meetings.json").read_bytes()
    with pytest.raises(ParseError, match="this is JSON") as caught:
        parse_bytes(data, "diet.json", fmt=fmt)
    assert caught.value.details["reason"] == "json_as_text"


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ('<a id="section-2"></a>', ""),  # anchors of minutes converted to Markdown
        ('<p class="c">防災</p><br/>', "防災"),
        ("<BR>", ""),
        ("期待しております。</details>", "期待しております。"),  # a folded block's end left in the text
        ("<details><summary>議事</summary>", "議事"),
        ("<GovTech 東京について>", "<GovTech 東京について>"),  # a heading in angle brackets, not markup
        ("<Tokyo DX推進>", "<Tokyo DX推進>"),
        ("<防災について>", "<防災について>"),
        # a Markdown link or image is read as its text; brackets around anything else stay
        ("資料は[資料1](https://example.jp/a.pdf)と[こちら](#anchor2)を参照", "資料は資料1とこちらを参照"),
        ("![図1](figures/map.png)のとおり", "図1のとおり"),
        ("[1](2)", "[1](2)"),
        ("［注］（後日配布）", "［注］（後日配布）"),
    ],
)
def test_only_html_and_markdown_markup_is_taken_out(line, kept):
    assert without_markup(line) == kept


def test_a_member_named_with_the_honorific_alone_is_a_member_of_the_house_or_committee():
    speeches = [
        {"speechOrder": "0", "speaker": "会議録情報", "speech": "議事日程\u3000第五号"},
        {
            "speechOrder": "1",
            "speaker": "額賀福志郎",
            "speakerRole": "議長",
            "speech": "○議長（額賀福志郎君）\u3000質疑に入ります。",
        },
        {"speechOrder": "2", "speaker": "泉健太", "speech": "○泉健太君\u3000総理に伺います。（拍手）"},
        {
            "speechOrder": "3",
            "speaker": "岸田文雄",
            "speakerPosition": "内閣総理大臣",
            "speech": "○内閣総理大臣（岸田文雄君）\u3000お答えいたします。",
        },
    ]
    record = {"meetingRecord": [{"nameOfHouse": "衆議院", "nameOfMeeting": "本会議", "speechRecord": speeches}]}
    parsed = parse_bytes(json.dumps(record, ensure_ascii=False).encode(), "plenary.json")
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("額賀福志郎", "議長"),
        ("泉健太", "議員"),
        ("岸田文雄", "内閣総理大臣"),
    ]
    assert parsed.turns[1].text == "総理に伺います。"
    record["meetingRecord"][0]["nameOfMeeting"] = "文教科学委員会"  # the House of Councillors' committees
    speeches[1] = {"speechOrder": "1", "speaker": "豊田俊郎", "speech": "○委員長（豊田俊郎君）\u3000開会します。"}
    committee = parse_bytes(json.dumps(record, ensure_ascii=False).encode(), "committee.json")
    assert [t.speaker.role for t in committee.turns] == ["委員長", "委員", "内閣総理大臣"]


def test_links_in_markdown_minutes_are_read_as_their_text():
    text = (
        "## 2022.7.1 テスト検討会（第1回） 議事（全文）\n\n### 1. 開会\n【事務局】\n"
        "資料は[資料1](https://example.jp/a.pdf)を御覧ください。\n\n【宮坂副知事】\nよろしくお願いします。\n"
    )
    parsed = parse_bytes(text.encode(), "minutes.md")
    assert parsed.turns[0].text == "資料は資料1を御覧ください。"
