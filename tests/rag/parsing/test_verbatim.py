"""Verbatim ``○名前役職　発言`` minutes: header, rosters, agenda topics, speakers, stage directions."""

from __future__ import annotations

import pytest

from rag.parsing import detect, parse_bytes, parse_path
from rag.parsing.base import decode
from rag.parsing.speech import strip_stage_directions
from rag.parsing.verbatim import parse_roster_line
from tests.conftest import FIXTURES

PATH = FIXTURES / "verbatim-diet.txt"


@pytest.fixture(scope="module")
def parsed():
    return parse_path(PATH)


def test_detected():
    assert detect(decode(PATH.read_bytes(), PATH.name)).name == "verbatim"


def test_header(parsed):
    m = parsed.meeting
    assert (m.title, m.date) == ("第212回国会 衆議院 文部科学委員会 第1号", "2023-11-01")
    assert m.agenda == ("理事の補欠選任", "文部科学行政の基本施策に関する件")
    roster = {a.name: (a.group, a.role) for a in m.attendees}
    assert roster["田野瀬太道"] == ("委員", "委員長")
    assert roster["山田 賢司"] == ("委員", "理事")
    assert roster["盛山 正仁"] == ("国務大臣", "文部科学大臣")
    assert roster["伊藤 学司"] == ("政府参考人", "文部科学省総合教育政策局長")


def test_speakers_are_resolved_against_the_roster(parsed):
    who = [(t.speaker.name, t.speaker.role) for t in parsed.turns]
    assert who == [
        ("田野瀬太道", "委員長"),
        ("田野瀬太道", "委員長"),
        ("田野瀬太道", "委員長"),
        ("盛山 正仁", "国務大臣"),
        ("山田 賢司", "委員"),  # 山田（賢）委員
        ("山田 太郎", "委員"),  # 山田（太）委員: same surname, a different person
        ("伊藤 学司", "政府参考人"),  # 政府参考人（伊藤学司君）
        ("伊藤 学司", "政府参考人"),
    ]
    assert parsed.turns[4].speaker.person_id != parsed.turns[5].speaker.person_id
    assert parsed.turns[6].speaker.person_id == parsed.turns[7].speaker.person_id


def test_stage_directions_and_separators_are_not_speech(parsed):
    texts = "\n".join(t.text for t in parsed.turns)
    assert "異議なし」と呼ぶ者あり" not in texts and "――" not in texts and "（拍手）" not in texts
    assert parsed.turns[0].text == "これより会議を開きます。\n理事の補欠選任についてお諮りいたします。"


@pytest.mark.parametrize(
    ("text", "speech"),
    [
        ("御異議ありませんか。\n（「異議なし」と呼ぶ者あり）", "御異議ありませんか。"),
        ("伺います。（「そうだ」と言う者あり）次に", "伺います。次に"),
        ("賛成の方は。\n（「賛成」の声あり）", "賛成の方は。"),
        ("終わります。\n（登壇）", "終わります。"),
        ("散会いたします。\n午後零時三十六分散会", "散会いたします。"),  # the clerk's note of the hour
        ("暫時休憩します。\n　　午前11時５分　休憩", "暫時休憩します。"),
        # speech that quotes or brackets is kept
        ("「異議なし」という声もあります。", "「異議なし」という声もあります。"),
        ("（仮称）防災センターを午後３時に開会します", "（仮称）防災センターを午後３時に開会します"),
    ],
)
def test_stage_directions_in_round_brackets_and_sitting_times(text, speech):
    assert strip_stage_directions(text) == speech


def test_topics_follow_the_agenda(parsed):
    assert [t.topic for t in parsed.turns[:3]] == [
        "理事の補欠選任",
        "理事の補欠選任",
        "文部科学行政の基本施策に関する件",
    ]


def test_roster_lines():
    people = parse_roster_line("　　理事　池田　佳隆君　理事　尾身　朝子君", "委員")
    assert [(p.name, p.role) for p in people] == [("池田 佳隆", "理事"), ("尾身 朝子", "理事")]
    people = parse_roster_line("　　井出　庸生君　　　　上杉謙太郎君", "委員")
    assert [p.name for p in people] == ["井出 庸生", "上杉謙太郎"]
    # the Diet writes a government witness's post in brackets before the name
    people = parse_roster_line("       (総務省自治行政局長) 山野  謙君", "政府参考人")
    assert [(p.name, p.role) for p in people] == [("山野 謙", "総務省自治行政局長")]
    # a surname may start with the post's last word: 長谷川 after 部長, 長橋 after 委員長
    people = parse_roster_line("総務部長長谷川　明君", "説明員") + parse_roster_line("委員長長橋　桂一君", "委員")
    assert [(p.name, p.role) for p in people] == [("長谷川 明", "総務部長"), ("長橋 桂一", "委員長")]


DIET_OUTSIDE = """第213回国会　衆議院　総務委員会　第8号
令和六年四月二日（火曜日）
　出席委員
　　　委員長　古屋　範子君
　　　　　　石田　真敏君
{outside}
本日の会議に付した案件
　地方自治法の一部を改正する法律案
○古屋委員長　これより会議を開きます。
○宍戸参考人　お答えいたします。
"""


@pytest.mark.parametrize(
    "outside",
    [
        " 委員外の出席者\n　　　総務委員会専門員　白井　　誠君\n　参考人\n　　　(東京大学教授)　宍戸　常寿君",
        " 委員外の出席者　総務委員会専門員　白井　　誠君\n　参考人\n　　　(東京大学教授)　宍戸　常寿君",
    ],
    ids=["head-alone", "head-beside-its-first"],
)
def test_attendees_from_outside_the_committee_are_not_its_members(outside):
    parsed = parse_bytes(DIET_OUTSIDE.format(outside=outside).encode(), "soumu.txt")
    roster = [(a.name, a.role, a.group) for a in parsed.meeting.attendees]
    assert roster == [
        ("古屋 範子", "委員長", "委員"),
        ("石田 真敏", "", "委員"),
        ("白井 誠", "総務委員会専門員", "委員外の出席者"),
        ("宍戸 常寿", "東京大学教授", "参考人"),
    ]
    witness = parsed.turns[1].speaker
    assert (witness.name, witness.role, witness.group, witness.affiliation) == (
        "宍戸 常寿",
        "参考人",
        "参考人",
        "東京大学教授",
    )


DIET_1969 = """第061回国会 逓信委員会 第23号
昭和四十四年五月二十九日(木曜日)
    午後零時二十五分開議
 出席委員
   委員長 井原 岸高君
   理事 小渕 恵三君 理事 加藤常太郎君
 出席国務大臣
        郵 政 大 臣 河本 敏夫君
 出席政府委員
        郵政大臣官房長 溝呂木 繁君
    ―――――――――――――
五月二十九日
 委員内海英男君、齋藤憲三君辞任につき、その補欠として葉
 梨信行君、進藤一馬君が議長の指名で委員に選任された。
    ―――――――――――――
本日の会議に付した案件
 委員長不信任動議
○井原委員長 これより会議を開きます。
○溝呂木政府委員 御説明申し上げます。
"""


def test_the_rule_under_the_rosters_ends_them_and_government_delegates_are_a_group():
    # Older Diet records (政府委員 until 1999) give 委員の異動's prose after the rule with no head of
    # its own: the people it names changed seats, and are not this sitting's attendees.
    parsed = parse_bytes(DIET_1969.encode(), "teishin.txt")
    roster = [(a.name, a.group, a.role) for a in parsed.meeting.attendees]
    assert roster == [
        ("井原 岸高", "委員", "委員長"),
        ("小渕 恵三", "委員", "理事"),
        ("加藤常太郎", "委員", "理事"),
        ("河本 敏夫", "国務大臣", "郵政大臣"),
        ("溝呂木 繁", "政府委員", "郵政大臣官房長"),
    ]
    official = parsed.turns[1].speaker
    assert (official.name, official.role, official.group) == ("溝呂木 繁", "政府委員", "政府委員")


COUNCILLORS_TEXT = """第217回国会 参議院 厚生労働委員会 第14号
令和七年五月二十二日（木曜日）
   午前十時開会
    ─────────────
   委員の異動
 五月二十一日
    辞任         補欠選任
     山田 太郎君     鈴木 一郎君
    ─────────────
  出席者は左のとおり。
    委員長         藤木 眞也君
    理 事
                加田 裕之君
                上月 良祐君
    委 員
                石橋 通宏君
   国務大臣
       厚生労働大臣   福岡 資麿君
   事務局側
       常任委員会専門員 佐伯 道子君
    ─────────────
  本日の会議に付した案件
○理事補欠選任の件
○労働安全衛生法の一部を改正する法律案（内閣提出、衆議院送付）
    ─────────────
○委員長（藤木眞也君）　ただいまから厚生労働委員会を開会いたします。
○石橋通宏君　質問いたします。
○国務大臣（福岡資麿君）　お答えいたします。
"""


def test_the_house_of_councillors_text_record_reads_its_roster_and_marked_agenda():
    # The header is what the Diet API's speechOrder 0 holds: posts (理 事) and groups (事務局側) alone
    # on their lines over the names, and agenda items marked ○ as turns are
    parsed = parse_bytes(COUNCILLORS_TEXT.encode(), "sangiin.txt")
    m = parsed.meeting
    assert [(a.name, a.role, a.group) for a in m.attendees] == [
        ("藤木 眞也", "委員長", "委員"),
        ("加田 裕之", "理事", "委員"),
        ("上月 良祐", "理事", "委員"),
        ("石橋 通宏", "委員", "委員"),  # not 山田 太郎 or 鈴木 一郎, of 委員の異動 above
        ("福岡 資麿", "厚生労働大臣", "国務大臣"),
        ("佐伯 道子", "常任委員会専門員", "事務局側"),
    ]
    assert m.agenda == ("理事補欠選任の件", "労働安全衛生法の一部を改正する法律案(内閣提出、衆議院送付)")
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("藤木 眞也", "委員長"),
        ("石橋 通宏", "委員"),
        ("福岡 資麿", "国務大臣"),
    ]


ASSEMBLY_TEXT = """防災対策特別委員会速記録第四号

平成二十四年五月十四日（月曜日）
第十二委員会室
　出席委員　十七名
委員長大津　浩子君
理事吉原　　修君
加藤　雅之君
　出席説明員
総務局局長笠井　謙一君
企画調整担当部長箕輪　泰夫君
○大津委員長　ただいまから防災対策特別委員会を開会いたします。
○箕輪企画調整担当部長　資料について御説明申し上げます。
○吉原委員　帰宅困難者対策について伺います。
"""


def test_an_assembly_record_as_text_runs_roles_into_names():
    """The Tokyo assembly's text: a kanji head count, roles glued to surnames, roles no list holds."""
    parsed = parse_bytes(ASSEMBLY_TEXT.encode(), "gikai.txt")
    roster = [(a.name, a.role, a.group) for a in parsed.meeting.attendees]
    assert roster == [
        ("大津 浩子", "委員長", "委員"),
        ("吉原 修", "理事", "委員"),
        ("加藤 雅之", "", "委員"),
        ("笠井 謙一", "総務局局長", "説明員"),
        ("箕輪 泰夫", "企画調整担当部長", "説明員"),
    ]
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("大津 浩子", "委員長"),
        ("箕輪 泰夫", "企画調整担当部長"),
        ("吉原 修", "委員"),
    ]


def test_a_label_of_a_name_and_its_honorific_has_no_role_of_君():
    text = "第213回国会　衆議院本会議録　第5号\n令和6年2月1日（木曜日）\n○議長（額賀福志郎君）　これより会議を開きます。\n○泉健太君　代表質問を行います。\n"
    parsed = parse_bytes(text.encode(), "honkaigi.txt")
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [("額賀福志郎", "議長"), ("泉健太", "")]


ASSEMBLY_POSTS = """総務委員会速記録第四号
令和五年三月十四日（火曜日）
第一委員会室
午後一時開議
　出席委員　三名
委員長松田　康将君
理事五十嵐えり君
原　のり子君
　出席説明員
技監荒井　俊之君
企画担当部長戦略広報担当部長デジタル広報担当部長
新型コロナウイルス感染症対策広報担当部長兼務
黒岩　幸三君
本日の会議に付した事件
　政策企画局関係
　　・第一号議案　令和五年度東京都一般会計予算中、歳出　政策企画局所管分
○松田委員長　ただいまから総務委員会を開会いたします。
○五十嵐委員　戦略広報について伺います。
○黒岩企画担当部長戦略広報担当部長デジタル広報担当部長新型コロナウイルス感染症対策広報担当部長兼務　ＳＮＳを活用した発信を強化しております。
○荒井技監　都市の基盤について申し上げます。
"""


def test_an_assembly_record_as_text_with_posts_held_at_once():
    """A label of a name and four posts, longer than any other, is still a speaker; a post of two
    characters runs into its name; the room under the day is the place; an agenda bullet is no text."""
    parsed = parse_bytes(ASSEMBLY_POSTS.encode(), "soumu.txt")
    meeting = parsed.meeting
    assert meeting.place == "第一委員会室"
    assert meeting.agenda == ("政策企画局関係", "第一号議案 令和五年度東京都一般会計予算中、歳出 政策企画局所管分")
    assert ("荒井 俊之", "技監") in [(a.name, a.role) for a in meeting.attendees]
    assert [t.speaker.name for t in parsed.turns] == ["松田 康将", "五十嵐えり", "黒岩 幸三", "荒井 俊之"]
    assert parsed.turns[1].text == "戦略広報について伺います。"
    assert parsed.turns[2].speaker.role.endswith("感染症対策広報担当部長兼務")


def test_namesakes_in_an_assembly_record_as_text_are_told_apart_by_their_posts():
    text = ASSEMBLY_POSTS.replace("原　のり子君", "副委員長小林　健二君").replace(
        "技監荒井　俊之君", "スタートアップ戦略担当部長構造改革担当部長兼務小林　直樹君"
    )
    text += "○小林スタートアップ戦略担当部長構造改革担当部長兼務　お答えします。\n○小林副委員長　伺います。\n"
    parsed = parse_bytes(text.encode(), "soumu.txt")
    assert [(t.speaker.name, t.speaker.group) for t in parsed.turns[-2:]] == [
        ("小林 直樹", "説明員"),
        ("小林 健二", "委員"),
    ]


OUTLINED = """第三回 東京デジタルフォローアップ官民連携連絡会議事録
令和4年5月27日(水)15:00~16:30
(オンライン開催)
1.次第
(1)東京都事業説明
①令和3年度の取組実績
②令和4年度事業の方針
(2)連絡会会員活動 紹介
2.議事内容
〇事務局(デジタルサービス局戦略部戦略課)
定刻となりましたので、開会させていただきます。
〇深井戦略部長
東京都デジタルサービス局戦略部長の深井でございます。
〇事務局(デジタルサービス局戦略部戦略課)
まず、令和3年度の取組実績について、ご説明いたします。
〇岩﨑アドバイザー
高齢者のデジタルデバイド対策は、継続的な支援が重要です。
"""


def test_a_numbered_outline_gives_the_agenda_and_heads_the_proceedings():
    """``1.次第`` lists the business (① items too); ``2.議事内容`` heads the turns and is no topic."""
    parsed = parse_bytes(OUTLINED.encode(), "renrakukai.txt")
    assert parsed.meeting.agenda == (
        "東京都事業説明",
        "令和3年度の取組実績",
        "令和4年度事業の方針",
        "連絡会会員活動 紹介",
    )
    assert [(t.speaker.name, t.topic) for t in parsed.turns] == [
        ("事務局", ""),
        ("深井", ""),
        ("事務局", "令和3年度の取組実績"),  # named by the turn
        ("岩﨑", "令和3年度の取組実績"),
    ]
