"""Municipal and prefectural assembly minutes: ◎/◆ speaker marks, headings as topics, seat-number
rosters, and the Tokyo assembly committee pages' rosters."""

from __future__ import annotations

import pytest

from rag.parsing import detect, parse_bytes, parse_path
from rag.parsing.base import decode
from rag.parsing.speech import close_spread, name_then_post
from rag.parsing.verbatim import is_turn_start, parse_seat_line
from rag.people import compact
from tests.conftest import FIXTURES

PATH = FIXTURES / "verbatim-council.txt"


@pytest.fixture(scope="module")
def parsed():
    return parse_path(PATH)


def test_detected_as_verbatim():
    assert detect(decode(PATH.read_bytes(), PATH.name)).name == "verbatim"


def test_every_marked_turn_is_kept_with_its_speaker(parsed):
    who = [(t.speaker.name, t.speaker.role) for t in parsed.turns]
    assert who == [
        ("田中次郎", "議長"),
        ("田中次郎", "議長"),
        ("佐藤 花子", "議員"),
        ("山本三郎", "市長"),
        ("佐藤 花子", "議員"),
        ("田中次郎", "議長"),
        ("伊藤学", "総務部長"),
        ("田中次郎", "議長"),
        ("田中次郎", "議長"),
    ]
    assert parsed.turns[2].speaker.group == "議員"  # found in the 出席議員 roster by the name in brackets
    assert parsed.turns[3].text.endswith("入所手続きができるようにしております。")


def test_headings_are_topics_not_speech(parsed):
    topics = [t.topic for t in parsed.turns]
    assert topics[0] == "開議の宣告"
    assert topics[1:5] == ["日程第1 一般質問"] * 4
    assert topics[5:] == ["日程第2 議案第3号 みなと市手数料条例の一部改正について"] * 4
    assert not any(line.startswith(("◎", "△", "◇", "―")) for t in parsed.turns for line in t.text.split("\n"))
    assert "〔" not in parsed.turns[-2].text  # stage directions are not speech


def test_header_and_seat_roster(parsed):
    m = parsed.meeting
    assert (m.title, m.date) == ("令和６年第２回みなと市議会定例会会議録（第３号）", "2024-06-12")
    assert [(a.name, a.role) for a in m.attendees] == [
        ("佐藤 花子", "議員"),
        ("鈴木一郎", "議員"),
        ("高橋 恵子", "議員"),
        ("田中次郎", "議員"),
    ]


@pytest.mark.parametrize(
    ("line", "turn"),
    [
        ("◎市長（山本三郎君）　お答えします。", True),
        ("◆１番（佐藤花子君）　質問します。", True),
        ("◆佐藤花子議員　質問します。", True),
        ("◎開議の宣告", False),  # a heading
        ("△日程第１　一般質問", False),  # a heading with a space in it
        ("◎市長（山本三郎君）", False),  # these marks need the speech on the same line
        ("○議長（田中次郎君）", True),  # ○ does not: Diet minutes put it on the next line
        ("◆１番（佐藤花子君）質問します。", True),  # brackets closed on an honorific end the label
        ("△日程第１（議案第１号）について", False),  # other brackets need the space
        ("〇議事日程", False),  # ○ before a standard section of the minutes
        ("○出席議員（２名）", False),
        ("○日程第１　一般質問", False),
        ("○本日の会議に付した事件", False),
    ],
)
def test_what_opens_a_turn(line, turn):
    assert is_turn_start(line) is turn


def test_seat_line():
    assert [a.name for a in parse_seat_line("１番　佐藤　花子　　２番　鈴木一郎", "議員")] == ["佐藤 花子", "鈴木一郎"]


COUNCIL_WITH_HONORIFICS = """令和６年第２回みなと市議会定例会会議録（第３号）
令和６年６月12日（水曜日）
出席議員（２名）
　　１番　佐藤　花子君　　　　２番　田中　次郎君
説明のため出席した者
　　市長　山本　三郎君　　　　総務部長　伊藤　学君
職務のため出席した事務局職員
　　事務局長　小林　一君
－１－
◎開議の宣告
○議長（田中次郎君）　ただいまから本日の会議を開きます。
◆１番（佐藤花子君）　保育所の待機児童について伺います。
－２－
◎市長（山本三郎君）　お答えします。待機児童は解消しました。
"""


def test_rosters_by_phrase_seats_with_honorifics_and_page_numbers():
    parsed = parse_bytes(COUNCIL_WITH_HONORIFICS.encode(), "council.txt")
    assert [(a.name, a.role, a.group) for a in parsed.meeting.attendees] == [
        ("佐藤 花子", "議員", "議員"),
        ("田中 次郎", "議員", "議員"),
        ("山本 三郎", "市長", "説明員"),
        ("伊藤 学", "総務部長", "説明員"),
        ("小林 一", "事務局長", "事務局"),
    ]
    assert [(t.speaker.name, t.speaker.group, t.text) for t in parsed.turns] == [
        ("田中 次郎", "議員", "ただいまから本日の会議を開きます。"),
        ("佐藤 花子", "議員", "保育所の待機児童について伺います。"),  # no －２－ page number in the speech
        ("山本 三郎", "説明員", "お答えします。待機児童は解消しました。"),
    ]


COUNCIL_WITH_TITLES = """令和６年第２回みなと市議会定例会会議録（第３号）
令和６年６月12日（水曜日）
出席議員（１名）
　　１番　佐藤　花子君
説明のため出席した者
　　教育長　比留間英人　　　　危機管理監　醍醐　勇司
◎開議の宣告
◆１番（佐藤花子君）　避難所の運営について伺います。
◎比留間教育長　学校の体育館を開放します。
◎醍醐危機管理監　備蓄も見直しました。
"""


def test_a_roster_without_honorifics_and_speakers_named_by_surname_and_title():
    parsed = parse_bytes(COUNCIL_WITH_TITLES.encode(), "council.txt")
    assert [(a.name, a.role) for a in parsed.meeting.attendees] == [
        ("佐藤 花子", "議員"),
        ("比留間英人", "教育長"),
        ("醍醐 勇司", "危機管理監"),
    ]
    assert [(t.speaker.name, t.speaker.role, t.text) for t in parsed.turns] == [
        ("佐藤 花子", "議員", "避難所の運営について伺います。"),
        ("比留間英人", "教育長", "学校の体育館を開放します。"),  # its own turn, not the member's
        ("醍醐 勇司", "危機管理監", "備蓄も見直しました。"),
    ]


COUNCIL_WITHOUT_HONORIFICS = """令和５年第３回みどり市議会定例会会議録（第２号）
令和５年９月12日（火曜日）
出席議員（２名）
　１番　田中　花子　　２番　山本　一郎
説明のため出席した者
　市長　佐藤　次郎　　教育長　高橋　三郎
○議長（山本一郎）　ただいまから本日の会議を開きます。
○１番（田中花子）　学校給食の無償化について伺います。
○教育長（高橋三郎）　準備を進めております。
"""


def test_names_in_brackets_without_honorifics_are_the_roster_people():
    parsed = parse_bytes(COUNCIL_WITHOUT_HONORIFICS.encode(), "council.txt")
    assert [(t.speaker.name, t.speaker.role, t.speaker.group) for t in parsed.turns] == [
        ("山本 一郎", "議長", "議員"),
        ("田中 花子", "議員", "議員"),  # a seat, then the name: not a person called 1番
        ("高橋 三郎", "教育長", "説明員"),
    ]


def test_a_given_name_in_brackets_still_tells_namesakes_apart():
    text = (
        "第１回文部科学委員会議録\n令和５年11月１日（水曜日）\n出席委員\n　　山田　賢司君　　山田　花子君\n"
        "○山田（賢）委員　質問します。\n○山田（花）委員　続けます。\n"
    )
    assert [t.speaker.name for t in parse_bytes(text.encode(), "c.txt").turns] == ["山田 賢司", "山田 花子"]


COUNCIL_WITH_CIRCLED_SECTIONS = """令和５年第３回みなと市議会定例会会議録（第２号）
令和５年９月12日（火曜日）
〇出席議員（２名）
　　１番　佐藤　花子　　　　２番　田中　次郎
〇議事日程
　日程第１　一般質問
─────────────────────────────
　　　　　午前10時開議
◎議長（田中次郎君）　ただいまから本日の会議を開きます。
〇日程第１　一般質問
◆１番（佐藤花子君）　防災について伺います。
"""


def test_sections_opened_by_a_circle_are_not_speakers():
    parsed = parse_bytes(COUNCIL_WITH_CIRCLED_SECTIONS.encode(), "council.txt")
    assert [(t.speaker.name, t.topic) for t in parsed.turns] == [("田中 次郎", ""), ("佐藤 花子", "日程第1 一般質問")]
    assert [a.name for a in parsed.meeting.attendees] == ["佐藤 花子", "田中 次郎"]
    assert parsed.meeting.agenda == ("日程第1 一般質問",)  # as the heading over the turns is written


TOKYO_COMMITTEE = """総務委員会速記録第二号
令和七年三月十日（月曜日）
午後一時開議
出席委員　三名
委員長渋谷のぶゆき君
理事鈴木　烈君
増山あすか君
欠席委員　なし
出席説明員
デジタルサービス局局長山田　忠輝君
デジタル戦略部長芹沢　孝明君
本日の会議に付した事件
デジタルサービス局関係
○渋谷委員長　ただいまから総務委員会を開会いたします。
○増山委員　行政手続のデジタル化について伺います。
○芹沢デジタル戦略部長　約九割をデジタル化いたしました。
"""
TOKYO_ROSTER = [
    ("渋谷のぶゆき", "委員長", "委員"),
    ("鈴木 烈", "理事", "委員"),
    ("増山あすか", "", "委員"),
    ("山田 忠輝", "デジタルサービス局局長", "説明員"),
    ("芹沢 孝明", "デジタル戦略部長", "説明員"),
]


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda text: text, id="as published"),
        # a page's table flattened to text: the head beside its first entry
        pytest.param(lambda text: text.replace("出席説明員\n", "出席説明員　"), id="head with its first entry"),
        # a converter's table: cells between bars
        pytest.param(
            lambda text: text.replace("委員長渋谷", "委員長 | 渋谷").replace("君\n", "君 |\n"), id="table bars"
        ),
    ],
)
def test_a_tokyo_committee_roster_with_no_one_absent_and_its_explainers(variant):
    parsed = parse_bytes(variant(TOKYO_COMMITTEE).encode(), "soumu.txt")
    assert [(a.name, compact(a.role), a.group) for a in parsed.meeting.attendees] == TOKYO_ROSTER  # no one named なし
    assert [(t.speaker.name, t.speaker.group) for t in parsed.turns] == [
        ("渋谷のぶゆき", "委員"),
        ("増山あすか", "委員"),
        ("芹沢 孝明", "説明員"),
    ]


CONCURRENT_POSTS = """総務委員会速記録第四号
令和五年三月十四日（火曜日）
出席委員　一名
委員長松田　康将君
出席説明員
次長戦略広報調整監兼務山田　忠輝君
企画担当部長戦略広報担当部長
新型コロナウイルス感染症対策広報担当部長兼務
黒岩　幸三君
○松田委員長　ただいまから総務委員会を開会いたします。
○黒岩企画担当部長　お答えいたします。
"""


def test_posts_held_at_once_and_a_post_over_several_lines_are_the_role_not_the_name():
    parsed = parse_bytes(CONCURRENT_POSTS.encode(), "soumu.txt")
    assert [(a.name, a.role) for a in parsed.meeting.attendees] == [
        ("松田 康将", "委員長"),
        ("山田 忠輝", "次長戦略広報調整監兼務"),  # not 兼務山田, nor 次長 alone
        ("黒岩 幸三", "企画担当部長戦略広報担当部長新型コロナウイルス感染症対策広報担当部長兼務"),
    ]
    assert [t.speaker.name for t in parsed.turns] == ["松田 康将", "黒岩 幸三"]


CITY_COUNCIL = """令和５年第１回さくら市議会定例会会議録（第２号）
令和５年３月６日（月曜日）
議事日程（第２号）
　令和５年３月６日（月）午前10時開議
　第１　一般質問
出席議員（２名）
　　１番　山田　太郎君　　　　　２番　中村　五郎君
欠席議員（なし）
説明のため出席した者
　市長　　　　　田中　一夫君　　　総務部長　　　渡辺　三郎君
　　　　午前10時00分　開議
○議長（中村　五郎君）　ただいまから本日の会議を開きます。
◆１番（山田　太郎君）　避難所の混雑状況の可視化について伺います。
○議長（中村　五郎君）　暫時休憩いたします。
　　　　午前11時５分　休憩
◎市長（田中　一夫君）　来年度中にシステムを導入いたします。
○議長（石井　六郎君）　本日はこれにて散会いたします。
　　　　午後零時三十分　散会
"""


def test_a_city_council_record_with_spaced_names_in_brackets_and_sitting_times():
    parsed = parse_bytes(CITY_COUNCIL.encode(), "sakura.txt")
    assert parsed.meeting.agenda == ("第1 一般質問",)  # not the sitting's date and hour
    assert [a.name for a in parsed.meeting.attendees] == ["山田 太郎", "中村 五郎", "田中 一夫", "渡辺 三郎"]
    assert [(t.speaker.name, t.speaker.role, t.speaker.group, t.text) for t in parsed.turns] == [
        # the name in brackets, written with a space, is the roster's person
        ("中村 五郎", "議長", "議員", "ただいまから本日の会議を開きます。"),
        ("山田 太郎", "議員", "議員", "避難所の混雑状況の可視化について伺います。"),
        ("中村 五郎", "議長", "議員", "暫時休憩いたします。"),  # the clerk's 午前11時５分　休憩 is no speech
        ("田中 一夫", "市長", "説明員", "来年度中にシステムを導入いたします。"),
        ("石井 六郎", "議長", "", "本日はこれにて散会いたします。"),  # not listed: written as in the label
    ]
    assert len({t.speaker.person_id for t in parsed.turns if t.speaker.name == "中村 五郎"}) == 1


SEATS_AND_SPREAD_NAMES = """令和５年第４回さくら市議会定例会会議録（第２号）
令和５年12月５日（火曜日）午前10時開議
出席議員（３名）
　　１番　　鈴　木　花　子　君
　　２番　　田　中　　　誠　君
　　３番　　佐　藤　一　郎　君
議事日程（第２号）
　日程第１　一般質問
―――――――――――――――――――――――――――――――
◎議長（佐藤一郎君）　ただいまから本日の会議を開きます。
　　日程第１　一般質問
◎議長（佐藤一郎君）　日程第１、一般質問を行います。
◆１番（鈴木花子君）　避難所のWi-Fi整備の状況を伺います。
"""


def test_a_seat_before_a_name_written_without_its_space_is_not_part_of_the_name():
    parsed = parse_bytes(SEATS_AND_SPREAD_NAMES.encode(), "sakura.txt")
    # 均等割付 closes 鈴　木　花　子 to 鈴木花子: the seat 1番 before it is no surname
    assert [(a.name, a.role) for a in parsed.meeting.attendees] == [
        ("鈴木花子", "議員"),
        ("田中 誠", "議員"),
        ("佐藤一郎", "議員"),
    ]
    # so the chair and the member resolve to the roster, and the chair's seat is no affiliation
    assert [(t.speaker.name, t.speaker.role, t.speaker.group, t.speaker.affiliation) for t in parsed.turns] == [
        ("佐藤一郎", "議長", "議員", ""),
        ("佐藤一郎", "議長", "議員", ""),
        ("鈴木花子", "議員", "議員", ""),
    ]
    # the item the chair names and the heading over the turns are one topic, not two spellings
    assert parsed.meeting.topics == ("日程第1 一般質問",)


COMMITTEE_BY_POSTS = """さくら市議会総務常任委員会記録
令和５年12月８日（金曜日）
場所　第１委員会室
出席委員（３名）
　委員長　　山　田　太　郎　君　　副委員長　　鈴　木　　　誠　君
　委員　　　高　橋　花　子　君
○委員長　ただいまから総務常任委員会を開会いたします。
○副委員長　議案第45号について質疑を行います。
○高橋委員　防災行政無線のデジタル化の費用について伺います。
"""


def test_a_post_alone_is_its_one_holder_and_a_field_may_carry_its_value():
    parsed = parse_bytes(COMMITTEE_BY_POSTS.encode(), "soumu.txt")
    assert parsed.meeting.place == "第１委員会室"  # 場所 and its value on one line, unnumbered
    assert [(t.speaker.name, t.speaker.role, t.speaker.group) for t in parsed.turns] == [
        ("山田太郎", "委員長", "委員"),
        ("鈴木 誠", "副委員長", "委員"),  # not 副 the 委員長
        ("高橋花子", "委員", "委員"),
    ]


WARD_COMMITTEE = """平成30年 企画総務委員会(6月6日)
1.開会日時
平成30年6月6日(水)
午後1時30分 開会
2.開会場所
第一委員会室
3.出席者
(3人)
委員長 鈴木 久雄
副委員長 奥村 暁子
委員 堀田 弥生
4.欠席者
(1人)
委員 押田 まり子
5.出席説明員
矢田区長
6.議会局職員
田野議会局長
7.議題
・企画・総務及び財政の調査について
(午後1時30分 開会)
○鈴木委員長
 ただいまより企画総務委員会を開会いたします。
〔「異議なし」と呼ぶ者あり〕
○矢田区長
 (挨拶)
○鈴木委員長
 質疑に入ります。
○堀田委員
 財政について伺います。
○矢田区長
 お答えいたします。
"""


def test_a_ward_committee_numbers_its_attendance_absence_and_staff_fields():
    """3.出席者 lists the members, 4.欠席者 no one who attends, and the sitting's hour in brackets
    after the 議題 is no item of it."""
    parsed = parse_bytes(WARD_COMMITTEE.encode(), "kikaku.txt")
    assert [(a.name, a.role) for a in parsed.meeting.attendees if a.group == "委員"] == [
        ("鈴木 久雄", "委員長"),
        ("奥村 暁子", "副委員長"),
        ("堀田 弥生", "委員"),
    ]
    assert parsed.meeting.agenda == ("企画・総務及び財政の調査について",)
    assert [t.speaker.name for t in parsed.turns] == ["鈴木 久雄", "矢田", "鈴木 久雄", "堀田 弥生", "矢田"]


TOKYO_PLENARY = """令和五年東京都議会会議録第六号
令和五年三月二十四日(金曜日)
 出席議員 百二十一名
一番北口つよし君
二番かまた悦子君
百二十七番小松 大祐君
 出席説明員
知事小池百合子君
 議事日程第六号
第一 第一号議案
 令和五年度東京都一般会計予算
第二 第二号議案
 令和五年度東京都特別区財政調整会計予算
○議長(三宅しげき君) ただいまから本日の会議を開きます。
 日程第一、第一号議案を議題といたします。
○二番(かまた悦子君) 予算について質問いたします。
○知事(小池百合子君) お答えいたします。
"""


def test_an_assembly_plenary_runs_each_seat_into_its_members_name():
    parsed = parse_bytes(TOKYO_PLENARY.encode(), "honkaigi.txt")
    members = [(a.name, a.role) for a in parsed.meeting.attendees if a.group == "議員"]
    assert members == [("北口つよし", "議員"), ("かまた悦子", "議員"), ("小松 大祐", "議員")]
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns[1:]] == [
        ("かまた悦子", "議員"),
        ("小池百合子", "知事"),
    ]


def test_an_assembly_plenarys_item_is_its_bills_number_and_name_and_the_chair_names_it_by_number():
    parsed = parse_bytes(TOKYO_PLENARY.encode(), "honkaigi.txt")
    assert parsed.meeting.agenda == (
        "第一 第一号議案 令和五年度東京都一般会計予算",
        "第二 第二号議案 令和五年度東京都特別区財政調整会計予算",
    )
    assert parsed.turns[0].topic == "第一 第一号議案 令和五年度東京都一般会計予算"


BY_POSTS_WITH_A_SPACE = """平成18年社会常任委員会 本文
2006.09.15 : 平成18年社会常任委員会 本文
◎ 委員長 ただいまから社会常任委員会を開会いたします。
◎ 石井委員 医療費の助成の対象について伺います。
◎ 児童青少年課長 お答えいたします。
"""


def test_a_committee_named_by_posts_after_a_spaced_mark():
    parsed = parse_bytes(BY_POSTS_WITH_A_SPACE.encode(), "komae.txt")
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("委員長", "委員長"),
        ("石井", "委員"),
        ("児童青少年課長", "児童青少年課長"),  # not 児童青少年 the 課長
    ]


COUNCIL_OF_EXPERTS = """第３回東京都情報公開・個人情報保護審議会　議事録
日時　令和５年10月12日（木曜日）午後２時00分から午後３時30分まで
場所　東京都庁第一本庁舎42階　特別会議室Ａ
出席委員
　会長　山本　和彦（東京大学大学院法学政治学研究科教授）
　委員　佐々木　恵（弁護士）
○会長　それでは、ただいまから審議会を開会いたします。
○事務局（情報公開課長）　資料１について御説明いたします。
○佐々木委員　入力した個人情報が学習に使われることはないのでしょうか。
"""


def test_a_roster_of_posts_and_names_with_where_each_comes_from_in_brackets():
    parsed = parse_bytes(COUNCIL_OF_EXPERTS.encode(), "shingikai.txt")
    assert parsed.meeting.place == "東京都庁第一本庁舎42階　特別会議室Ａ"
    assert [(a.name, a.role, a.affiliation, a.title) for a in parsed.meeting.attendees] == [
        ("山本 和彦", "会長", "東京大学大学院法学政治学研究科", "教授"),  # the body, then the title held there
        ("佐々木 恵", "委員", "弁護士", ""),
    ]
    assert [(t.speaker.name, t.speaker.affiliation, t.speaker.is_person) for t in parsed.turns] == [
        ("山本 和彦", "東京大学大学院法学政治学研究科", True),
        ("事務局", "情報公開課長", False),  # the post in brackets, as the other formats keep it
        ("佐々木 恵", "弁護士", True),
    ]


TOWN_COUNCIL = """令和６年第２回あおば町議会定例会会議録
令和６年６月10日（月曜日）
出席議員（２名）
　　１番　　山　田　　太　郎　　君
　　２番　　佐　藤　　一　郎　　君
地方自治法第121条の規定により説明のため出席した者の職氏名
　町長　　　田中　一夫　　　教育長　　伊藤　次郎
　　　　　　──────────────────────
　　　　　　　日程第１　会議録署名議員の指名
○議長（佐藤一郎）　日程第１、会議録署名議員の指名を行います。これに御異議ありませんか。
　　　（「異議なし」と呼ぶ者あり）
○議長（佐藤一郎）　異議なしと認めます。
　　　　　　──────────────────────
　　　　　　　日程第２　一般質問
○１番（山田太郎）　ごみ収集アプリの導入について質問します。
　（「そうだ」と言う者あり）
　町の考えを伺います。
○町長（田中一夫）　来年度導入を予定しています。
"""


def test_a_town_council_with_spread_names_a_roster_called_by_law_and_unmarked_item_headings():
    parsed = parse_bytes(TOWN_COUNCIL.encode(), "aoba.txt")
    assert [(a.name, a.role, a.group) for a in parsed.meeting.attendees] == [
        ("山田 太郎", "議員", "議員"),  # set one character at a time to fill the column
        ("佐藤 一郎", "議員", "議員"),
        ("田中 一夫", "町長", "説明員"),  # a title, then its name after as wide a gap
        ("伊藤 次郎", "教育長", "説明員"),
    ]
    assert [(t.speaker.name, t.speaker.group, t.topic, t.text) for t in parsed.turns] == [
        (
            "佐藤 一郎",
            "議員",
            "日程第1 会議録署名議員の指名",
            "日程第１、会議録署名議員の指名を行います。これに御異議ありませんか。",
        ),
        ("佐藤 一郎", "議員", "日程第1 会議録署名議員の指名", "異議なしと認めます。"),  # not 日程第２ as speech
        ("山田 太郎", "議員", "日程第2 一般質問", "ごみ収集アプリの導入について質問します。\n町の考えを伺います。"),
        ("田中 一夫", "説明員", "日程第2 一般質問", "来年度導入を予定しています。"),
    ]


@pytest.mark.parametrize(
    ("line", "closed"),
    [
        ("１番　　山　田　　太　郎　　君", "１番　　山田　　太郎君"),
        ("会　議　録", "会議録"),
        ("１番　佐藤花子君　２番　鈴木　一郎君", "１番　佐藤花子君　２番　鈴木　一郎君"),  # nothing set apart
    ],
)
def test_close_spread(line, closed):
    assert close_spread(line) == closed


PLENARY_BRIEFING = """2023.07.20 全員協議会の会議録

1.開会

【10:00】
○児玉副議長
それでは定刻になりましたので、ただいまから全員協議会を開会いたします。

2.議長あいさつ

○大下議長
おはようございます。よろしくお願いいたします。

3.議長報告等

(1)議会のうごき

○児玉副議長
本日の議題は、
(1)議会のうごき
(2)地域懇談会
○大下議長
6月21日に、記念式典に出席をしております。
"""


def test_numbered_subjects_that_a_turn_follows_are_topics_and_a_dated_title_is_kept():
    parsed = parse_bytes(PLENARY_BRIEFING.encode(), "zenkyo.txt")
    assert parsed.meeting.title == "2023.07.20 全員協議会の会議録"  # not the file's name
    assert [(t.speaker.name, t.topic) for t in parsed.turns] == [
        ("児玉", "開会"),  # above the time it began
        ("大下", "議長あいさつ"),
        ("児玉", "議会のうごき"),
        ("大下", "議会のうごき"),
    ]
    # a list that a turn follows, led by 本日の議題は、, is speech
    assert parsed.turns[2].text == "本日の議題は、\n(1)議会のうごき\n(2)地域懇談会"


COMMITTEE_WITH_RULED_SECTIONS = """議会運営委員会記録(第7回)
1.日 時 平成22年12月13日(月) 午前10時8分~午前10時54分
午前10時8分開会
◎山川委員長 ただいまより、議会運営委員会を開会いたします。
―――――――――――――――― ◇ ――――――――――――――――
〔議題1〕所管事務調査事項「議会基本条例について」
◎山川委員長 所管事務調査事項を議題といたします。
○佐藤委員 市民参加の規定を加えるべきだと考えます。
"""


def test_a_rule_around_a_diamond_is_no_speech_and_a_bracketed_item_is_a_topic():
    parsed = parse_bytes(COMMITTEE_WITH_RULED_SECTIONS.encode(), "giun.txt")
    assert [(t.speaker.name, t.topic, t.text) for t in parsed.turns] == [
        ("山川", "", "ただいまより、議会運営委員会を開会いたします。"),
        ("山川", "所管事務調査事項「議会基本条例について」", "所管事務調査事項を議題といたします。"),
        ("佐藤", "所管事務調査事項「議会基本条例について」", "市民参加の規定を加えるべきだと考えます。"),
    ]


COMMITTEE_WITH_FIELDS = """議会運営委員会会議録
〇日時
令和7年(2025年)1月24日(金)10時00分開会 10時38分閉会
〇場所
議会全員協議会室
〇出席委員
日向委員長、くり林、中里の各委員(後藤副委員長は欠席)
〇理事者側出席者
なし
〇議会事務局出席者
茶木局長、岩原議事調査課長
〇本日審査した案件
1 議長からの諮問事項について
(1)議会選出監査委員の選任について
    ―――――――――――――――――――――――――――――――――――――――
○日向委員長  議会運営委員会を開会いたします。
○日向委員長  日程第1「議長からの諮問事項について」です。
○中里委員  監査委員は議会から選出すべきだと考えます。
○岩原議事調査課長  前回の協議結果の資料を配付しております。
"""


def test_circled_fields_and_rosters_written_as_lists_are_the_header_not_turns():
    parsed = parse_bytes(COMMITTEE_WITH_FIELDS.encode(), "giun.txt")
    m = parsed.meeting
    assert (m.title, m.date, m.place) == ("議会運営委員会会議録", "2025-01-24", "議会全員協議会室")
    assert m.agenda == ("議長からの諮問事項について", "議会選出監査委員の選任について")
    assert [(a.name, a.role, a.group) for a in m.attendees] == [
        ("日向", "委員長", "委員"),
        ("くり林", "委員", "委員"),  # …の各委員: each is a member; the absent vice-chair is not listed
        ("中里", "委員", "委員"),
        ("茶木", "局長", "事務局"),
        ("岩原", "議事調査課長", "事務局"),
    ]
    assert [(t.speaker.label, t.speaker.group, t.topic) for t in parsed.turns] == [
        ("日向委員長", "委員", ""),
        ("日向委員長", "委員", "議長からの諮問事項について"),
        ("中里委員", "委員", "議長からの諮問事項について"),
        ("岩原議事調査課長", "事務局", "議長からの諮問事項について"),
    ]


NUMBERED_FIELDS = """議会運営委員会記録(第7回)
1.日 時 平成22年12月13日(月) 午前10時8分~午前10時54分
1.場 所 東村山市役所第1委員会室
1.出席委員 ◎山川昌子 ○肥沼茂男 佐藤真和 北久保眞道
島田久仁 駒崎高行各委員
1.欠席委員 なし
1.出席説明員 なし
1.議 題 1.所管事務調査事項「議会基本条例について」
午前10時8分開会
◎山川委員長 ただいまより、議会運営委員会を開会いたします。
○肥沼副委員長 パブリックコメントを実施してはどうか。
"""


def test_numbered_fields_with_their_values_and_a_roster_of_marked_names():
    parsed = parse_bytes(NUMBERED_FIELDS.encode(), "giun.txt")
    m = parsed.meeting
    assert (m.date, m.start_time, m.place) == ("2010-12-13", "", "東村山市役所第1委員会室")
    assert m.agenda == ("所管事務調査事項「議会基本条例について」",)
    assert [(a.name, a.role) for a in m.attendees] == [
        ("山川昌子", "委員長"),  # ◎ marks the chair, ○ the vice-chair
        ("肥沼茂男", "副委員長"),
        ("佐藤真和", "委員"),
        ("北久保眞道", "委員"),
        ("島田久仁", "委員"),  # on the next line, up to 各委員
        ("駒崎高行", "委員"),
    ]  # and no one called なし
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("山川昌子", "委員長"),
        ("肥沼茂男", "副委員長"),
    ]


LANDSCAPE_COUNCIL = """令和６年度第３回みなと区景観審議会　議事録

開催日時　令和６年11月20日（水）午後３時～午後５時
開催場所　みなと区役所　９階　会議室
出席委員　山本会長、井上副会長、森委員、林委員
事務局　都市計画課長　清水　浩、景観担当係長　池田　明

○会長　ただいまから第３回景観審議会を開会いたします。
○事務局　資料１「景観計画の改定素案」について説明いたします。
○森委員　重点地区の追加に当たって、住民説明会は開催するのか。
○副会長　屋外広告物の規制との整合はどう図るのか。
"""


def test_fields_with_their_lists_beside_them_name_the_speakers():
    parsed = parse_bytes(LANDSCAPE_COUNCIL.encode(), "keikan.txt")
    m = parsed.meeting
    assert (m.source_format, m.place) == ("verbatim", "みなと区役所　９階　会議室")
    assert [(a.name, a.role, a.group) for a in m.attendees] == [
        ("山本", "会長", "委員"),
        ("井上", "副会長", "委員"),
        ("森", "委員", "委員"),
        ("林", "委員", "委員"),
        ("清水 浩", "都市計画課長", "事務局"),  # a post, then a full name written with its space
        ("池田 明", "景観担当係長", "事務局"),
    ]
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("山本", "会長"),
        ("事務局", ""),
        ("森", "委員"),
        ("井上", "副会長"),
    ]


def test_a_post_alone_with_no_roster_is_the_speakers_role():
    text = "\n".join(line for line in LANDSCAPE_COUNCIL.split("\n") if not line.startswith(("出席委員", "事務局")))
    parsed = parse_bytes(text.encode(), "keikan.txt")
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns][:2] == [("会長", "会長"), ("事務局", "")]


NAME_SPACE_POST = """令和6年6月さくら市議会定例会会議録（第2号）
令和6年6月10日（月曜日）
○白石孝雄 議長　ただいまから本日の会議を開きます。
　発言を許します。
◆小川利八郎 議員　ネーミングライツの応募件数を伺います。
○白石孝雄 議長　坂田総合政策部長。
◎坂田 総合政策部長　１社から応募がございました。
　以上でございます。
"""


def test_a_name_then_its_post_apart_by_a_space_is_one_label():
    """``○白石孝雄 議長　…``: the post belongs to the label, not the speech, and ``◆``/``◎`` turns
    labelled so open turns rather than being glued on or taken for headings."""
    parsed = parse_bytes(NAME_SPACE_POST.encode(), "sakura.txt")
    assert [(t.speaker.name, t.speaker.role, t.text.split("\n")[0]) for t in parsed.turns] == [
        ("白石孝雄", "議長", "ただいまから本日の会議を開きます。"),
        ("小川利八郎", "議員", "ネーミングライツの応募件数を伺います。"),
        ("白石孝雄", "議長", "坂田総合政策部長。"),
        ("坂田", "総合政策部長", "１社から応募がございました。"),
    ]
    assert all(not t.topic for t in parsed.turns)
    # alone on its line, a name and a post under a mark may be a roster's entry: no turn opens there
    assert not is_turn_start("◎山田太郎 委員長") and is_turn_start("◎坂田 総合政策部長　答弁します。")
    # a first word that is a post or a seat is no name (○委員長 市長, ○三番 山田議員)
    assert name_then_post("○三番 山田議員　質問します。") is None
    assert name_then_post("○委員長 市長　答弁を求めます。") is None


def test_a_header_section_under_a_council_mark_is_no_turn():
    """``◇出席議員 4名`` heads the roster as ``○出席議員（４名）`` does; it is nobody's speech."""
    text = "令和4年ふじ市議会12月定例会会議録\n令和4年12月15日（木曜日）\n◇出席議員 2名\n  1番  河合悠祐君\n  2番  川崎久範君\n○議長（川崎久範君）　ただいまから本日の会議を開きます。\n"
    parsed = parse_bytes(text.encode(), "fuji.txt")
    assert [a.name for a in parsed.meeting.attendees] == ["河合悠祐", "川崎久範"]
    assert [t.speaker.name for t in parsed.turns] == ["川崎久範"]
    assert not is_turn_start("◇説明のため出席した者")


CITY_RECORD = """          平成24年第3回にら市議会定例会
議事日程(第1号)
                   平成24年9月6日(木曜日)午前10時開会
日程第1 会議録署名議員の指名
−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−
出席議員(2名)
    1番 守屋 久君     2番 清水康雄君
−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−
地方自治法第121条の規定により出席した者の職氏名
   市長       横内公明君   総務課長     水川秋人君
−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−
◎議長(清水康雄君) ただいまから本日の会議を開きます。
−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−−
△日程第1 会議録署名議員の指名
◎市長(横内公明君) 所信を申し上げます。
"""


def test_the_day_under_the_order_of_business_the_executives_roster_and_minus_sign_rules():
    """The title names no day, 議事日程 does; 地方自治法第121条の規定により出席した者の職氏名 lists the
    executive's side; rules drawn in minus signs (−, U+2212) are neither agenda items nor speech."""
    parsed = parse_bytes(CITY_RECORD.encode(), "nira.txt")
    assert (parsed.meeting.date, parsed.meeting.start_time) == ("2012-09-06", "10:00")
    assert parsed.meeting.agenda == ("日程第1 会議録署名議員の指名",)
    assert [(a.name, a.group) for a in parsed.meeting.attendees][2:] == [("横内公明", "説明員"), ("水川秋人", "説明員")]
    assert [(t.speaker.name, t.topic, t.text) for t in parsed.turns] == [
        ("清水康雄", "", "ただいまから本日の会議を開きます。"),
        ("横内公明", "日程第1 会議録署名議員の指名", "所信を申し上げます。"),
    ]


MEMBERS_AS_GIIN = """平成22年12月みさと市議会定例会
平成22年12月14日(火曜日)
出席議員(3名)
  1番  森 忠行議員    2番  青山宏明議員
  3番  河  合  悠  祐   議 員
◎議長(森忠行議員) ただいまから本日の会議を開きます。
◆2番(青山宏明議員) 防災について伺います。
◆3番(河合悠祐議員) 子育てについて伺います。
"""


def test_members_written_with_giin_where_others_write_kun():
    """Some city councils write 議員 after a member's name where others write 君; it is no part of
    the name, in the roster or in a label's brackets. A name set out a character at a time is one."""
    parsed = parse_bytes(MEMBERS_AS_GIIN.encode(), "misato.txt")
    assert [a.name for a in parsed.meeting.attendees] == ["森 忠行", "青山宏明", "河合悠祐"]
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("森 忠行", "議長"),
        ("青山宏明", "議員"),
        ("河合悠祐", "議員"),
    ]


def test_the_title_under_the_day_that_opens_the_record():
    text = "平成29年5月31日\n\n第3回みずなみ市議会定例会会議録(第1号)\n\n○議長(成瀬徳夫君) ただいまから本日の会議を開きます。\n"
    meeting = parse_bytes(text.encode(), "h290531.txt").meeting
    assert (meeting.title, meeting.date) == ("第3回みずなみ市議会定例会会議録(第1号)", "2017-05-31")


def test_a_bureau_in_a_tables_spanning_cell_is_its_officials_affiliation():
    """A page's table of officials: 政策企画局 spans the rows of its officials (the first row holds
    it, the next ones do not), until the next bureau's row or the next roster."""
    text = (
        "総務委員会速記録第二号\n令和七年二月二十一日（金曜日）\n出席説明員\n"
        "政策企画局\t局長\t佐藤　章君\n次長\t土村　武史君\n"
        "デジタルサービス局\t局長\t山田　忠輝君\nデジタル戦略部長\t芹沢　孝明君\n"
        "○渋谷委員長　ただいまから総務委員会を開会いたします。\n○土村次長　お答えいたします。\n"
    )
    parsed = parse_bytes(text.encode(), "soumu.html.txt")
    assert [(a.name, a.role, a.affiliation) for a in parsed.meeting.attendees] == [
        ("佐藤 章", "局長", "政策企画局"),
        ("土村 武史", "次長", "政策企画局"),
        ("山田 忠輝", "局長", "デジタルサービス局"),
        ("芹沢 孝明", "デジタル戦略部長", "デジタルサービス局"),
    ]
    assert parsed.turns[1].speaker.affiliation == "政策企画局"
