"""The 議事要旨 parser on the bundled sample and on small variants."""

from __future__ import annotations

import pytest

from rag.errors import ParseError
from rag.parsing import parse_bytes, summary
from rag.parsing.base import decode
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def parsed():
    return summary.parse(decode(SAMPLE.read_bytes(), SAMPLE.name))


def turn_starting(parsed, prefix: str):
    matches = [t for t in parsed.turns if t.text.startswith(prefix)]
    assert len(matches) == 1, f"expected one turn starting {prefix!r}, found {len(matches)}"
    return matches[0]


def test_meeting_metadata(parsed):
    m = parsed.meeting
    assert m.title == "第７回東京デジタルサービス会議"
    assert m.date == "2023-08-31"
    assert (m.start_time, m.end_time) == ("10:00", "12:00")
    assert m.place.startswith("第一本庁舎 33 階特別会議室")
    assert m.agenda == ("開会", "議事「オール東京のＤＸ推進に向けた将来像について」", "閉会")


def test_roster(parsed):
    by_name = {a.name: a for a in parsed.meeting.attendees}
    assert len(by_name) == 8
    murai = by_name["村井 純"]
    assert (murai.group, murai.role, murai.affiliation, murai.title) == ("委員", "座長", "慶応義塾大学", "教授")
    assert by_name["宮坂 学"].group == "東京都"
    assert by_name["宮坂 学"].title == "東京都副知事（東京都ＣＩＯ）"
    assert by_name["畑中 洋亮"].group == "オブザーバー"
    assert by_name["畑中 洋亮"].affiliation == "一般財団法人 GovTech 東京"


def test_topics(parsed):
    assert parsed.meeting.topics[:4] == (
        "オール東京の DX推進に向けた将来像について",
        "GovTech 東京について",
        "防災について",
        "今後の活動予定について",
    )


def test_turn_count_and_order(parsed):
    assert len(parsed.turns) == 53
    assert [t.order for t in parsed.turns] == list(range(1, 54))


def test_named_turns(parsed):
    nankai = turn_starting(parsed, "南海トラフ巨大地震の危機が迫っている")
    assert nankai.speaker.name == "村井 純"
    assert (nankai.speaker.role, nankai.speaker.group) == ("座長", "委員")
    assert nankai.topic == "防災について"
    govtech = turn_starting(parsed, "GovTech 東京では、開発チームを強化していきたい")
    assert govtech.speaker.name == "宮坂 学"
    assert govtech.speaker.role == "東京都副知事（東京都ＣＩＯ）"
    assert govtech.speaker.group == "東京都"
    assert govtech.topic == "GovTech 東京について"


def test_observer_label_and_secretariat(parsed):
    hatanaka = turn_starting(parsed, "官民協働に当たっては")
    assert hatanaka.speaker.label == "畑中（オブザーバー）"
    assert hatanaka.speaker.name == "畑中 洋亮"
    secretariat = [t for t in parsed.turns if t.speaker.label == "事務局"]
    assert len(secretariat) == 4
    assert all(not t.speaker.is_person and t.speaker.group == "事務局" for t in secretariat)


def test_markers_after_page_breaks_start_new_turns(parsed):
    # " 村井： " follows 水町's last bullet after a page break; it must not be glued into 水町's turn.
    mizumachi = turn_starting(parsed, "都及び GovTech 東京に期待する役割の一つ")
    assert "村井" not in mizumachi.text
    assert parsed.turns[mizumachi.order].speaker.label == "村井"


def test_broken_words_and_pages_are_joined(parsed):
    text = "\n".join(t.text for t in parsed.turns)
    assert "DX 業界" in text
    assert "バックアップバッテリー" in text
    assert "デジタル人材も不足" in text
    assert not any(line.strip().isdigit() for line in text.split("\n"))


def test_bullets_become_lines(parsed):
    miyasaka = turn_starting(parsed, "GovTech 東京では、開発チームを強化していきたい")
    lines = miyasaka.text.split("\n")
    assert len(lines) == 2
    assert lines[1].startswith("GovTech 東京の取組の一つとして")
    assert not any(line.startswith(("▪", "•")) for line in lines)


VARIANT = """第3回 テスト会議
議事要旨
日時
令和6年1月15日（月）14:00～15:30
出席者
■委員
山田 太郎（座長） 東京大学 教授
■東京都
佐藤 花子 デジタルサービス局長
議事
■データ連携について
山田:
▪ データ連携基盤の整備が必要。
佐藤：
・ 都として取り組む。今後も議論したい。 山田：
▪ 期待している。
"""


def test_half_width_colon_and_glued_marker():
    parsed = parse_bytes(VARIANT.encode(), "variant.txt", fmt="summary")
    assert parsed.meeting.date == "2024-01-15"
    labels = [t.speaker.label for t in parsed.turns]
    assert labels == ["山田", "佐藤", "山田"]
    assert parsed.turns[1].text == "都として取り組む。今後も議論したい。"
    assert parsed.turns[0].speaker.role == "座長"
    assert parsed.turns[1].topic == "データ連携について"


def test_arrow_bullets_and_a_marked_sentence_are_items_not_topics():
    text = VARIANT.replace("▪ データ連携基盤の整備が必要。", "➢ データ連携基盤の整備が必要。\n□ 人材の確保も課題。")
    parsed = parse_bytes(text.encode(), "variant.txt", fmt="summary")
    assert parsed.turns[0].text == "データ連携基盤の整備が必要。\n人材の確保も課題。"
    assert parsed.meeting.topics == ("データ連携について",)  # □ before a sentence heads no topic


def test_no_turns_is_an_error():
    with pytest.raises(ParseError, match="no speaker turns"):
        summary.parse(decode("第1回会議\n議事要旨\n本日は特になし。\n".encode(), "empty.txt"))


def test_minutes_that_go_from_an_inline_header_straight_to_the_turns():
    text = (
        "第5回有識者会議 議事要旨\n日時：令和6年5月10日（金）\n場所：都庁第一本庁舎\n"
        "村井：\n・防災について、予算の確保を求める。\n越塚 登：\n・計画を見直すべき。\n"
    )
    parsed = parse_bytes(text.encode(), "minutes.txt")
    assert parsed.meeting.source_format == "summary"
    assert (parsed.meeting.date, parsed.meeting.place) == ("2024-05-10", "都庁第一本庁舎")  # not the turns
    assert [(t.speaker.name, t.text) for t in parsed.turns] == [
        ("村井", "防災について、予算の確保を求める。"),
        ("越塚 登", "計画を見直すべき。"),  # a name written with its space keeps it
    ]


@pytest.mark.parametrize("note", ["（主な意見）", "主な意見"])
def test_a_short_note_in_brackets_over_the_turns_is_no_ones_speech(note):
    text = (
        "第2回地域福祉推進委員会 議事要旨\n日時：令和6年9月12日（木）\n"
        "出席者：\n【委員】佐藤委員長、中島委員\n【事務局】福祉総務課：岡田課長\n議事\n"
        f"（１）地域福祉計画の進捗状況について\n事務局から資料１により説明。\n{note}\n"
        "中島委員：民生委員のなり手不足が深刻である。\n→岡田課長：担い手の募集方法を見直す。\n"
        "佐藤委員長：本日の議事を終了する。\n（休憩の後、閉会した。）\n"
    )
    parsed = parse_bytes(text.encode(), "minutes.txt")
    assert [(t.speaker.name, t.text) for t in parsed.turns] == [
        ("事務局", "事務局から資料１により説明。"),
        ("中島", "民生委員のなり手不足が深刻である。"),
        ("岡田", "担い手の募集方法を見直す。"),
        ("佐藤", "本日の議事を終了する。（休憩の後、閉会した。）"),  # a sentence, and no turn after it
    ]


def test_a_body_the_roster_lists_people_under_speaks_as_an_office():
    text = (
        "第8回デジタルサービス会議 議事要旨\n日時\n令和6年2月15日（木）\n出席者\n■委員（五十音順、敬称略）\n"
        "村井  純（座長） 慶應義塾大学 教授\n■GovTech 東京\n高野 克己 副理事長\n議事（敬称略）\n"
        "（1）GovTech 東京の取組状況について\nGovTech 東京：\n• 資料１に沿って説明。\n"
        "高野（GovTech 東京）：\n▪ 共同調達の対象を拡大する。\n村井：\n▪ 引き続き検討をお願いしたい。\n"
    )
    parsed = parse_bytes(text.encode(), "minutes.txt")
    assert [(t.speaker.is_person, t.speaker.name, t.speaker.group, t.text) for t in parsed.turns] == [
        (False, "GovTech 東京", "GovTech 東京", "資料１に沿って説明。"),  # one spelling, as the roster's
        (True, "高野 克己", "GovTech 東京", "共同調達の対象を拡大する。"),
        (True, "村井 純", "委員", "引き続き検討をお願いしたい。"),
    ]


def test_papers_and_absentees_are_no_attendees_and_agenda_bullets_are_dropped():
    text = (
        "第3回 データ連携検討会 議事要旨\n日時：令和6年7月1日（月）\n出席者：山田座長、佐藤委員\n"
        "欠席者：鈴木委員\n配布資料\n資料1 データ連携の現状\n議事次第\n• 開会\n• データ連携について\n議事\n"
        "山田座長：\n・進め方を議論したい。\n佐藤委員：\n・区市町村との連携が重要だ。\n"
    )
    parsed = parse_bytes(text.encode(), "minutes.txt")
    assert [a.name for a in parsed.meeting.attendees] == ["山田", "佐藤"]
    assert parsed.meeting.agenda == ("開会", "データ連携について")
    assert [(t.speaker.name, t.text) for t in parsed.turns] == [
        ("山田", "進め方を議論したい。"),
        ("佐藤", "区市町村との連携が重要だ。"),
    ]


def test_numbered_header_fields_and_a_numbered_body_heading_after_the_agenda():
    text = (
        "第2回 地域DX推進会議 議事要旨\n1．日時 令和6年2月5日（月）14:00～15:30\n2．場所 県庁本館5階会議室\n"
        "3．出席者 田中座長、佐藤委員\n4．議事次第\n（1）開会\n（2）地域DXの推進について\n（3）閉会\n5．議事\n"
        "田中座長：\n・地域DXの推進について議論したい。\n佐藤委員：\n・市町村への人材支援が必要だ。\n"
    )
    parsed = parse_bytes(text.encode(), "minutes.txt")
    m = parsed.meeting
    assert (m.date, m.start_time, m.place) == ("2024-02-05", "14:00", "県庁本館5階会議室")
    assert [a.name for a in m.attendees] == ["田中", "佐藤"]
    assert m.agenda == ("開会", "地域DXの推進について", "閉会")  # 5．議事 is numbered apart from the items: the body
    assert [(t.speaker.name, t.text) for t in parsed.turns] == [
        ("田中", "地域DXの推進について議論したい。"),
        ("佐藤", "市町村への人材支援が必要だ。"),
    ]


def test_an_agenda_then_its_items_again_as_the_bodys_headings_with_no_議事_heading():
    text = (
        "第3回 人材検討会 議事要旨\n日時：令和6年6月19日（水）\n議事次第\n1. 開会\n2. 議事\n3. 閉会\n"
        "1. 開会\n〇事務局\n本日はお集まりいただき、ありがとうございます。\n"
        "2. デジタル人材の確保について\n〇村井座長\n人材の確保が急務である。\n"
    )
    parsed = parse_bytes(text.encode(), "minutes.txt")
    assert parsed.meeting.agenda == ("開会", "議事", "閉会")  # 1. 開会 again begins the body
    assert [(t.speaker.name, t.topic) for t in parsed.turns] == [
        ("事務局", "開会"),
        ("村井", "デジタル人材の確保について"),
    ]


def test_a_roster_written_as_one_list_names_the_speakers():
    text = (
        "第5回有識者会議 議事要旨\n日時：令和6年5月10日（金）\n"
        "出席者：村井純座長、越塚 登（委員）、宮坂副知事\n議事\n"
        "村井：\n・防災について、予算の確保を求める。\n越塚：\n・計画を見直すべき。\n宮坂：\n・予算は確保した。\n"
    )
    parsed = parse_bytes(text.encode(), "minutes.txt")
    assert [(a.name, a.role) for a in parsed.meeting.attendees] == [
        ("村井純", "座長"),
        ("越塚 登", "委員"),
        ("宮坂", "副知事"),
    ]
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("村井純", "座長"),
        ("越塚 登", "委員"),
        ("宮坂", "副知事"),
    ]


CITY_COUNCIL_MINUTES = (
    "第3回みなと市情報化推進審議会　会議録\n日時：令和5年11月20日（月）午後2時～午後4時\n"
    "場所：市役所本庁舎3階　第1会議室\n出席委員：山田会長、佐藤副会長、鈴木委員\n欠席委員：高橋委員\n"
    "事務局：情報政策課　中村課長、小林係長\n傍聴者：2名\n1　開会\n2　議題\n（1）DX推進計画の進捗について\n"
    "事務局：資料1に基づき説明。\n山田会長：ご意見はありますか。\n鈴木委員：普及率はどの程度か。\n"
    "中村課長：約75%です。\n（2）その他\n山田会長：以上で終了します。\n3　閉会\n"
)


def test_a_city_councils_one_line_fields_name_members_absentees_and_the_secretariat():
    parsed = parse_bytes(CITY_COUNCIL_MINUTES.encode(), "shingikai.txt")
    m = parsed.meeting
    assert [(a.name, a.role, a.group, a.affiliation) for a in m.attendees] == [
        ("山田", "会長", "委員", ""),  # 出席委員 lists the members
        ("佐藤", "副会長", "委員", ""),
        ("鈴木", "委員", "委員", ""),
        ("中村", "課長", "事務局", "情報政策課"),  # an office, then the person; 高橋, absent, is not here
        ("小林", "係長", "事務局", "情報政策課"),  # the list's office, named before its first entry
    ]
    assert [(t.speaker.label, t.speaker.group, t.topic, t.text) for t in parsed.turns] == [
        ("事務局", "事務局", "DX推進計画の進捗について", "資料1に基づき説明。"),
        ("山田会長", "委員", "DX推進計画の進捗について", "ご意見はありますか。"),
        ("鈴木委員", "委員", "DX推進計画の進捗について", "普及率はどの程度か。"),
        ("中村課長", "事務局", "DX推進計画の進捗について", "約75%です。"),
        ("山田会長", "委員", "その他", "以上で終了します。"),  # ３　閉会 is a heading, not speech
    ]


@pytest.mark.parametrize("agenda", ["議題　1　DX推進計画の進捗について\n", ""])
def test_fields_apart_by_a_space_a_note_in_brackets_and_labels_before_their_speech(agenda):
    text = (
        "令和5年度第3回みなと市情報化推進審議会 議事録\n開催日時　令和5年11月20日（月）14時00分～16時00分\n"
        f"出席者　山田会長、鈴木委員\n欠席者　高橋委員\n{agenda}議事\n1　DX推進計画の進捗について\n"
        "（事務局から資料1に基づき説明）\n山田会長　ご意見はありますか。\n鈴木委員　普及率はどの程度か。\n"
    )
    parsed = parse_bytes(text.encode(), "shingikai.txt")
    assert parsed.meeting.agenda == (("DX推進計画の進捗について",) if agenda else ())
    assert [a.name for a in parsed.meeting.attendees] == ["山田", "鈴木"]
    # the numbered subject is the topic, not the note in brackets under it
    assert [(t.speaker.label, t.topic) for t in parsed.turns] == [
        ("山田会長", "DX推進計画の進捗について"),
        ("鈴木委員", "DX推進計画の進捗について"),
    ]


COMMITTEE_WITH_HALF_BRACKETS = """令和5年度 総務委員会
第6回委員会 (令和5年8月18日)
出席委員 山本進委員長,高野要委員
市執行部 【財務部】
 財務部長 古内勝人,管財課長兼庁舎建設担当 栗原秀樹
議会事務局 庶務議事課主任(塚本志保)

山本委員長)ただ今から,総務委員会を開会いたします。
 本件について,執行部より説明を求めます。

財務部長)それでは,新庁舎建設の進捗状況についてご説明いたします。

高野委員)残土の処分先はどこか伺います。

管財課長兼庁舎建設担当)市内の処分場に搬出しております。
"""


def test_labels_closed_by_a_bracket_never_opened_and_a_roster_of_posts_then_names():
    parsed = parse_bytes(COMMITTEE_WITH_HALF_BRACKETS.encode(), "soumu.txt")
    assert [(a.name, a.role, a.group) for a in parsed.meeting.attendees] == [
        ("山本進", "委員長", "委員"),
        ("高野要", "委員", "委員"),
        ("古内勝人", "財務部長", "市執行部"),  # the group line with its department, then post and name
        ("栗原秀樹", "管財課長兼庁舎建設担当", "市執行部"),
        ("塚本志保", "庶務議事課主任", "議会事務局"),
    ]
    assert [(t.speaker.name, t.speaker.role, t.topic, t.text) for t in parsed.turns] == [
        ("山本進", "委員長", "", "ただ今から,総務委員会を開会いたします。本件について,執行部より説明を求めます。"),
        ("古内勝人", "財務部長", "", "それでは,新庁舎建設の進捗状況についてご説明いたします。"),
        ("高野要", "委員", "", "残土の処分先はどこか伺います。"),
        # a post its one holder speaks as
        ("栗原秀樹", "管財課長兼庁舎建設担当", "", "市内の処分場に搬出しております。"),
    ]


def test_a_line_broken_out_of_a_bracketed_phrase_opens_no_turn():
    text = (
        "第7回 デジタル会議 議事要旨\n日時：令和5年8月31日\n議事\n村井：\n"
        "・2002 年に米国では Department of Homeland Security （アメリカ合衆国国\n"
        "土安全保障省）を設置。省と連携している。\n宮坂：\n・連携は重要だ。\n"
    )
    parsed = parse_bytes(text.encode(), "minutes.txt")
    assert [t.speaker.name for t in parsed.turns] == ["村井", "宮坂"]
    assert "国土安全保障省）を設置" in parsed.turns[0].text


COUNCIL_RESULTS = """令和4年度第1回みなと市市民協働審議会
1 日時
令和4年4月27日(水曜日) 午後7時~8時50分
2 場所
市防災センター402会議室
3 出席者
委員:奥村隆一、関谷昇、西智子(3名)
事務局:政策室長 冨田泰、池田直子
傍聴者:1名
4 欠席者
なし
5 配布資料
資料1 令和4年度審議会の進め方 [50KB pdfファイル]
6 会議の結果
1.開会
2.議題
(1)今年度の審議会の進め方について
-資料1に基づき、事務局から説明-
  • 今年度の主な議題は昨年度と同様である。
(委員)
  • 条例の検証はどのような体制で行うのか。
(事務局)
  • 分科会を設けて検証する予定である。
"""


def test_a_councils_results_section_is_the_body_and_a_note_of_who_explains_opens_their_turn():
    parsed = parse_bytes(COUNCIL_RESULTS.encode(), "shingikai.txt")
    m = parsed.meeting
    assert m.place == "市防災センター402会議室"
    assert [(a.name, a.role, a.group) for a in m.attendees] == [
        ("奥村隆一", "", "委員"),
        ("関谷昇", "", "委員"),
        ("西智子", "", "委員"),  # not a role of 3名
        ("冨田泰", "政策室長", "事務局"),
        ("池田直子", "", "事務局"),
    ]
    assert [(t.speaker.label, t.topic, t.text) for t in parsed.turns] == [
        ("事務局", "今年度の審議会の進め方について", "今年度の主な議題は昨年度と同様である。"),
        ("委員", "今年度の審議会の進め方について", "条例の検証はどのような体制で行うのか。"),
        ("事務局", "今年度の審議会の進め方について", "分科会を設けて検証する予定である。"),
    ]


def test_a_table_of_speakers_and_what_they_said_with_a_post_held_on_the_roster():
    text = (
        "第2回みなと市地域公共交通会議 会議録\n日時：令和6年2月5日（月）\n出席者：山田会長、佐藤委員\n議事\n"
        "（1）デマンド交通の実証について\n発言者\t発言内容\n会長\tただいまから会議を開きます。\n"
        "事務局\t資料1により、実証結果を説明します。\n佐藤委員\t予約が取りにくいという声がある。\n"
    )
    parsed = parse_bytes(text.encode(), "kotsu.txt")
    assert [(t.speaker.name, t.speaker.role, t.text) for t in parsed.turns] == [
        ("山田", "会長", "ただいまから会議を開きます。"),  # the post alone is its holder's
        ("事務局", "", "資料1により、実証結果を説明します。"),
        ("佐藤", "委員", "予約が取りにくいという声がある。"),
    ]
    assert {t.topic for t in parsed.turns} == {"デマンド交通の実証について"}


TOWN_MEETING = """令和５年度 第２回 さくら市地域公共交通会議 会議録

１　日時　令和５年11月20日（月）午後１時30分～３時
２　場所　さくら市役所本庁舎３階 大会議室
３　出席者
　（委員）山田会長、鈴木副会長、田中委員
　（事務局）企画政策課　伊藤課長、渡辺係長
４　議事
（１）デマンド交通の実証運行について
（２）その他

５　会議の概要
【山田会長】
　それでは、議事（１）について事務局から説明をお願いします。
【事務局（伊藤課長）】
　資料１に基づき説明。デマンド交通の利用者は月平均420人。
【田中委員】
　高齢者の予約方法が電話だけでは不便。アプリ予約も必要ではないか。
"""


def test_a_town_record_whose_numbered_fields_list_the_agenda_then_head_the_speech():
    parsed = parse_bytes(TOWN_MEETING.encode(), "kotsu.txt")
    # ４　議事 lists the items; ５　会議の概要, numbered as the fields are, heads the speech
    assert parsed.meeting.agenda == ("デマンド交通の実証運行について", "その他")
    assert parsed.meeting.place == "さくら市役所本庁舎３階 大会議室"
    speakers = [(t.speaker.name, t.speaker.role, t.speaker.group, t.speaker.affiliation) for t in parsed.turns]
    assert speakers == [
        ("山田", "会長", "委員", ""),
        ("伊藤", "課長", "事務局", "企画政策課"),  # the office, then its person's surname and post
        ("田中", "委員", "委員", ""),
    ]


COUNCIL_VIEWS = """第３回ときわ市情報化推進懇話会　会議録

１　日時　令和６年７月１０日（水）午後２時～４時
２　場所　市役所本庁舎３階　会議室Ａ
３　出席者　（委員）山田会長、佐藤副会長、鈴木委員
　　　　　　（事務局）情報政策課　伊藤課長
４　議題　ときわ市ＤＸ推進計画の改定について
５　主な意見等
山田会長：本日は計画の改定案について御意見を伺います。
鈴木委員：高齢者への支援策も計画に盛り込むべきではないか。
伊藤課長：スマホ教室の拡充を検討しています。
"""


def test_a_body_headed_by_what_it_holds_and_an_agenda_of_one_subject():
    parsed = parse_bytes(COUNCIL_VIEWS.encode(), "johoka.txt")
    # ５　主な意見等 heads the speech, as ５　会議の概要 does; it is not an agenda item
    assert parsed.meeting.agenda == ("ときわ市ＤＸ推進計画の改定について",)
    assert [(t.speaker.name, t.topic) for t in parsed.turns] == [
        ("山田", "ときわ市ＤＸ推進計画の改定について"),  # no heading in the body: the one subject
        ("鈴木", "ときわ市ＤＸ推進計画の改定について"),
        ("伊藤", "ときわ市ＤＸ推進計画の改定について"),
    ]


COUNCIL_NUMBERED_BY_SPACE = """第４回みどり市環境審議会 議事要旨

日時　令和６年２月５日（月）午前10時～11時30分
場所　みどり市役所 第２会議室
出席者
　委員　森田会長、川口副会長、石井委員
　事務局　環境政策課　松本課長
議事次第
１　開会
２　議事
　（１）第３次環境基本計画の素案について
　（２）その他
３　閉会
議事概要
森田会長：それでは議事（１）について事務局から説明をお願いします。
松本課長：資料１に基づき、素案の概要を説明。
石井委員：脱炭素の目標年度を明記すべきではないか。
"""


def test_items_numbered_by_a_space_stay_in_the_agenda_and_a_group_word_leads_its_people():
    parsed = parse_bytes(COUNCIL_NUMBERED_BY_SPACE.encode(), "kankyo.txt")
    m = parsed.meeting
    # ２　議事 is the second item of the 議事次第, not the body's head
    assert m.agenda == ("開会", "議事", "第３次環境基本計画の素案について", "その他", "閉会")
    assert [(a.name, a.role, a.group, a.affiliation) for a in m.attendees] == [
        ("森田", "会長", "委員", ""),
        ("川口", "副会長", "委員", ""),
        ("石井", "委員", "委員", ""),
        ("松本", "課長", "事務局", "環境政策課"),
    ]
    assert [(t.speaker.name, t.speaker.group, t.text) for t in parsed.turns] == [
        ("森田", "委員", "それでは議事（１）について事務局から説明をお願いします。"),
        ("松本", "事務局", "資料１に基づき、素案の概要を説明。"),
        ("石井", "委員", "脱炭素の目標年度を明記すべきではないか。"),
    ]


TOWN_FIELDS_AND_ITEMS_NUMBERED_ALIKE = """令和６年度 第１回 ひかり町子ども・子育て会議 会議録

１　日時　令和６年７月８日（月）午後２時～３時30分
２　場所　ひかり町役場 大会議室
３　出席者　大野会長、小池副会長、村上委員
４　会議次第
１　開会
２　報告事項
３　閉会
５　会議の概要
大野会長：ただいまから会議を開きます。
村上委員：待機児童の状況を教えてほしい。
"""


def test_a_field_numbered_as_the_items_are_but_not_next_to_them_heads_the_speech():
    parsed = parse_bytes(TOWN_FIELDS_AND_ITEMS_NUMBERED_ALIKE.encode(), "kodomo.txt")
    assert parsed.meeting.agenda == ("開会", "報告事項", "閉会")  # ５　会議の概要 does not follow ３　閉会
    assert [a.name for a in parsed.meeting.attendees] == ["大野", "小池", "村上"]
    assert [(t.speaker.name, t.text) for t in parsed.turns] == [
        ("大野", "ただいまから会議を開きます。"),
        ("村上", "待機児童の状況を教えてほしい。"),
    ]


REVIEW_BOARD = """令和５年度第３回さくら市情報公開・個人情報保護審査会 会議録

１　日時　令和５年12月４日（月）午後２時から午後３時まで
２　場所　さくら市役所 第１会議室
３　出席者
　　委員　Ａ委員（会長）、Ｂ委員、Ｃ委員
　　事務局　総務課　高木課長、佐々木主査
４　議題
　（１）諮問第５号について
５　会議の経過
会長　ただいまから審査会を開会します。
Ｂ委員　不開示とした理由は何か。
事務局（高木課長）　第三者の権利利益を害するおそれがあるためです。
"""


def test_a_subject_field_on_its_own_line_among_the_header_fields_is_the_agenda_not_attendees():
    parsed = parse_bytes(REVIEW_BOARD.encode(), "shinsakai.txt")
    m = parsed.meeting
    assert m.agenda == ("諮問第５号について",)
    assert [(a.name, a.role, a.group, a.affiliation) for a in m.attendees] == [
        ("Ａ", "会長", "委員", ""),  # Ａ委員（会長）: a member named by letter, who chairs the board
        ("Ｂ", "委員", "委員", ""),
        ("Ｃ", "委員", "委員", ""),
        ("高木", "課長", "事務局", "総務課"),
        ("佐々木", "主査", "事務局", "総務課"),
    ]
    assert [(t.speaker.name, t.speaker.role, t.topic) for t in parsed.turns] == [
        ("Ａ", "会長", "諮問第５号について"),
        ("Ｂ", "委員", "諮問第５号について"),
        ("高木", "課長", "諮問第５号について"),
    ]


WELFARE_COMMITTEE = """令和６年度第２回ふじ市地域福祉推進委員会 議事要旨

日時：令和６年９月12日（木）10:00～11:30
場所：ふじ市役所 ５階 501会議室
出席者：
【委員】佐藤委員長、田村副委員長、中島委員、北村委員
【事務局】福祉総務課：岡田課長、山崎主査

議事
（１）第４期地域福祉計画の進捗状況について
事務局から資料１により説明。
中島委員：民生委員のなり手不足が深刻である。対策は検討しているか。
→事務局：地区社協と連携して、担い手の募集方法を見直す。
北村委員：見守りアプリの登録者数はどうか。
⇒岡田課長：現在1,200人で、目標は2,000人である。
"""


def test_answers_marked_by_an_arrow_are_turns_and_an_unbracketed_note_of_who_explains_is_theirs():
    parsed = parse_bytes(WELFARE_COMMITTEE.encode(), "fukushi.txt")
    staff = [(a.name, a.role, a.group, a.affiliation) for a in parsed.meeting.attendees if a.group == "事務局"]
    # 福祉総務課：岡田課長、山崎主査: an office, a colon, then its people
    assert staff == [("岡田", "課長", "事務局", "福祉総務課"), ("山崎", "主査", "事務局", "福祉総務課")]
    assert [(t.speaker.name, t.text) for t in parsed.turns] == [
        ("事務局", "事務局から資料１により説明。"),
        ("中島", "民生委員のなり手不足が深刻である。対策は検討しているか。"),
        ("事務局", "地区社協と連携して、担い手の募集方法を見直す。"),
        ("北村", "見守りアプリの登録者数はどうか。"),
        ("岡田", "現在1,200人で、目標は2,000人である。"),
    ]


GENDER_COUNCIL = """第５回やまと市男女共同参画審議会 会議要旨

日時：令和６年11月１日（金）14時～15時30分
場所：やまと市役所 第３会議室
出席委員：７名
事務局：市民協働課

議題
（１）第５次プラン中間見直しについて

【質疑応答】
（委員）審議会の女性委員の割合はどの程度か。
（事務局）現在38％で、目標の40％に届いていない。
（委員）企業向けの啓発はどうしているか。
（注）商工会議所の資料による。
（事務局）商工会議所と連携してセミナーを開催している。
（会長）ほかに意見がなければ、本日はここまでとする。
"""


def test_bare_roles_in_brackets_open_turns_where_the_document_writes_its_turns_so():
    parsed = parse_bytes(GENDER_COUNCIL.encode(), "danjo.txt")
    assert parsed.meeting.source_format == "summary"
    assert parsed.meeting.agenda == ("第５次プラン中間見直しについて",)  # 議題 alone, no body heading after it
    assert parsed.meeting.attendees == ()  # ７名 counts the members; it names no one
    assert [(t.speaker.name, t.speaker.role, t.text) for t in parsed.turns] == [
        ("委員", "委員", "審議会の女性委員の割合はどの程度か。"),
        ("事務局", "", "現在38％で、目標の40％に届いていない。"),
        ("委員", "委員", "企業向けの啓発はどうしているか。（注）商工会議所の資料による。"),  # a note: no role
        ("事務局", "", "商工会議所と連携してセミナーを開催している。"),
        ("会長", "会長", "ほかに意見がなければ、本日はここまでとする。"),
    ]
    assert {t.topic for t in parsed.turns} == {"第５次プラン中間見直しについて"}


def test_bare_roles_before_a_colon_open_turns_as_well():
    text = GENDER_COUNCIL.replace("（委員）", "委員：").replace("（事務局）", "事務局：")
    parsed = parse_bytes(text.encode(), "danjo.txt")
    assert [t.speaker.name for t in parsed.turns] == ["委員", "事務局", "委員", "事務局", "会長"]


def test_one_bare_role_in_brackets_is_no_turn_where_the_document_writes_turns_otherwise():
    text = GENDER_COUNCIL.replace("（委員）", "山田委員：", 1).replace("（委員）", "鈴木委員：")
    text = text.replace("（事務局）", "田中課長：")
    parsed = parse_bytes(text.encode(), "danjo.txt")
    assert [t.speaker.name for t in parsed.turns] == ["山田", "田中", "鈴木", "田中"]
    assert parsed.turns[-1].text.endswith("（会長）ほかに意見がなければ、本日はここまでとする。")


REVIEW_BOARD_NO_BODY_HEADING = REVIEW_BOARD.replace("５　会議の経過\n", "\n")  # the turns follow 議題


def test_labels_before_a_space_open_the_body_where_no_heading_does():
    parsed = parse_bytes(REVIEW_BOARD_NO_BODY_HEADING.encode(), "shinsakai.txt")
    assert parsed.meeting.source_format == "summary"
    assert parsed.meeting.agenda == ("諮問第５号について",)  # the agenda's last item, and the body's subject
    assert len(parsed.meeting.attendees) == 5
    assert [(t.speaker.name, t.speaker.role, t.topic) for t in parsed.turns] == [
        ("Ａ", "会長", "諮問第５号について"),
        ("Ｂ", "委員", "諮問第５号について"),
        ("高木", "課長", "諮問第５号について"),
    ]


TRANSPORT_COUNCIL = """令和６年度第１回ひかり町地域公共交通会議　会議録

日時：令和６年６月１０日（月）午後１時３０分から午後３時まで
場所：ひかり町役場　２階会議室
出席者
委員　小林正人（ひかり町交通事業者協会　会長）
委員　中村由美（国立研究開発法人交通安全環境研究所　主任研究員）
事務局　企画課　松本課長、吉田係長
会長　ただいまから、令和６年度第１回地域公共交通会議を開会します。
事務局　デマンド交通の利用状況について、資料２により説明します。
中村委員　利用者の年齢構成は把握しているか。
事務局（松本課長）　７０歳以上が約８割を占めています。
会長　事務局で検討をお願いします。以上で閉会します。
"""


def test_a_bare_role_before_a_space_where_the_roster_names_no_chair():
    parsed = parse_bytes(TRANSPORT_COUNCIL.encode(), "koutsu.txt")
    assert [(a.name, a.role, a.group, a.affiliation, a.title) for a in parsed.meeting.attendees][:2] == [
        ("小林正人", "委員", "委員", "ひかり町交通事業者協会", "会長"),
        ("中村由美", "委員", "委員", "国立研究開発法人交通安全環境研究所", "主任研究員"),
    ]
    # 会長 here chairs the meeting; 小林 is 会長 of another body, so the turn names no one
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("会長", "会長"),
        ("事務局", ""),
        ("中村由美", "委員"),
        ("松本", "課長"),
        ("会長", "会長"),
    ]
    assert parsed.turns[-1].text == "事務局で検討をお願いします。以上で閉会します。"


TOWN_COUNCIL_ROLES = """第３回あおば区まちづくり協議会　議事録

日時　令和６年９月５日（木）午後７時～午後８時３０分
場所　あおば区民センター　第２会議室
出席者　委員１２名、事務局３名

議事
１　開会
会長　皆さんこんばんは。本日もよろしくお願いします。
２　公園再整備について
事務局　資料１により、公園再整備の基本方針案を説明します。
委員　遊具の更新はいつ頃になるのか。
副会長　防災機能を持たせることも検討してほしい。
３　閉会
会長　以上で本日の協議会を終了します。
"""


def test_numbered_headings_over_bare_role_turns_are_topics():
    parsed = parse_bytes(TOWN_COUNCIL_ROLES.encode(), "aoba.txt")
    assert parsed.meeting.attendees == ()
    assert [(t.speaker.role or t.speaker.name, t.topic, t.text) for t in parsed.turns] == [
        ("会長", "開会", "皆さんこんばんは。本日もよろしくお願いします。"),
        ("事務局", "公園再整備について", "資料１により、公園再整備の基本方針案を説明します。"),
        ("委員", "公園再整備について", "遊具の更新はいつ頃になるのか。"),
        ("副会長", "公園再整備について", "防災機能を持たせることも検討してほしい。"),
        ("会長", "閉会", "以上で本日の協議会を終了します。"),
    ]


def test_a_numbered_subject_over_a_note_of_who_explains_is_a_topic():
    text = """ときわ市行政改革推進委員会（第２回）会議概要

開催日時　令和６年10月15日（火）午前10時から11時30分まで
出席者　委員６名（うち会長１名）、事務局４名

会議の経過
１　行政改革大綱の進捗について
事務局から資料に基づき説明を行った。
田中委員：デジタル化による業務削減効果はどの程度か。
"""
    parsed = parse_bytes(text.encode(), "gyokaku.txt")
    assert parsed.meeting.attendees == ()
    assert [(t.speaker.name, t.topic) for t in parsed.turns] == [
        ("事務局", "行政改革大綱の進捗について"),
        ("田中", "行政改革大綱の進捗について"),
    ]


SMART_CITY_TABLE = """# 第2回 きた市スマートシティ推進協議会 議事概要

- 日時：令和6年5月28日（火）13:00～14:30
- 場所：きた市役所 本庁舎 3階 302会議室

## 出席者
- 会長 石井 健一（きた大学 教授）
- 委員 前田 彩（きた商工会議所）

## 議事
| 発言者 | 発言要旨 |
|---|---|
| 事務局 | 資料2に基づき、データ連携基盤の整備状況を説明した。 |
| 前田委員 | 中小事業者がデータを使えるような支援はあるか。 |
| 事務局 | 来年度から相談窓口を設ける予定である。 |
| 会長 | 利用者目線での設計を引き続きお願いしたい。 |
"""


def test_a_markdown_tables_first_row_is_dropped_only_where_it_names_the_columns():
    text = SMART_CITY_TABLE.replace(
        "- 日時：令和6年5月28日（火）13:00～14:30\n- 場所：きた市役所 本庁舎 3階 302会議室\n",
        "| 日時 | 令和6年5月28日（火）13:00～14:30 |\n|---|---|\n| 場所 | きた市役所 本庁舎 3階 302会議室 |\n",
    )
    parsed = parse_bytes(text.encode(), "smartcity.md")
    assert (parsed.meeting.date, parsed.meeting.place) == ("2024-05-28", "きた市役所 本庁舎 3階 302会議室")
    assert len(parsed.turns) == 4


def test_a_markdown_table_of_speakers_and_what_they_said():
    parsed = parse_bytes(SMART_CITY_TABLE.encode(), "smartcity.md")
    assert parsed.meeting.place == "きた市役所 本庁舎 3階 302会議室"
    assert [(a.name, a.role) for a in parsed.meeting.attendees] == [("石井 健一", "会長"), ("前田 彩", "委員")]
    assert [(t.speaker.name, t.text) for t in parsed.turns] == [  # the columns' names are no turn
        ("事務局", "資料2に基づき、データ連携基盤の整備状況を説明した。"),
        ("前田 彩", "中小事業者がデータを使えるような支援はあるか。"),
        ("事務局", "来年度から相談窓口を設ける予定である。"),
        ("石井 健一", "利用者目線での設計を引き続きお願いしたい。"),
    ]


def test_anonymised_members_inline_before_a_colon():
    text = """令和６年度第２回さかえ市都市計画審議会　会議要旨

１　開催日時　令和６年８月２９日（木）午前１０時～１１時１５分
２　出席者　委員８名、事務局５名
３　議事
委員Ａ：生産緑地の指定解除が続いているが、今後の見通しはどうか。
事務局：特定生産緑地への移行を働きかけており、約８割が移行済みである。
Ｂ委員：農地の保全に向けた支援策を充実させてほしい。
会長：原案どおり承認することとしてよいか。
"""
    parsed = parse_bytes(text.encode(), "toshikei.txt")
    assert parsed.meeting.attendees == ()
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("Ａ", "委員"),  # 委員Ａ is Ａ委員
        ("事務局", ""),
        ("Ｂ", "委員"),
        ("会長", "会長"),
    ]


SUB_WORKING_GROUP = """トラストを確保したDX推進サブワーキンググループ(第8回)
日時
令和4年4月8日(金)16時から17時45分まで
場所
オンライン開催
出席者
構成員
  • 太田洋(西村あさひ法律事務所パートナー弁護士)
  • 手塚悟(慶應義塾大学環境情報学部教授)【主査】
オブザーバー
  • 小川幹夫(全国銀行協会事務・決済システム部長)
概要
事務局から資料に基づき説明を行い、その後意見交換が行われた。
(太田構成員)
  • eシールについては、民間の認定制度から始めるのがよいのではないか。
(手塚主査)
  • 本日の議論を踏まえ、事務局で整理をお願いしたい。
"""


def test_a_groups_word_over_its_first_member_heads_the_roster_not_a_turn():
    """With no 議事 heading, the turns are looked for in the header's last block, the roster; a group's
    word over a person with an affiliation (構成員 over • 太田洋(…弁護士)) heads the roster there."""
    parsed = parse_bytes(SUB_WORKING_GROUP.encode(), "trust.txt")
    assert [(a.name, a.group) for a in parsed.meeting.attendees] == [
        ("太田洋", "構成員"),
        ("手塚悟", "構成員"),
        ("小川幹夫", "オブザーバー"),
    ]
    assert [t.speaker.name for t in parsed.turns if t.speaker.name] == ["太田洋", "手塚悟"]
    assert not any("西村あさひ" in t.text for t in parsed.turns)


AGENCY_PAGE = """第4回デジタル社会構想会議
概要
  • 日時:令和4年4月14日(木)10時00分から11時30分まで
  • 場所:オンライン開催
  • 議事次第:
  1. 開会
  2. 議事
  3. 閉会
会議動画
会議の様子はYouTube(デジタル庁公式チャンネル)にて公開しています。
資料
議事録
事務局: 定刻となりましたので、ただいまから「デジタル社会構想会議」を開催いたします。
村井座長: 座長を務めております村井です。よろしくお願いいたします。
"""


def test_a_pages_recording_after_the_agenda_is_no_item_of_it():
    parsed = parse_bytes(AGENCY_PAGE.encode(), "kousou.txt")
    assert parsed.meeting.agenda == ("開会", "議事", "閉会")
    assert [t.speaker.name for t in parsed.turns] == ["事務局", "村井"]


QUESTIONS_AND_ANSWERS = """第2回みなと市DX推進会議 議事要旨
日時：令和6年5月28日
出席者：山田会長、佐藤委員
議事
■防災アプリについて
事務局：
・防災アプリの概要を説明した。
（質疑応答）
Ｑ　防災アプリの利用者数は。
Ａ　約10万人が利用している。
"""


def test_questions_and_answers_under_a_note_are_no_ones_and_the_note_no_speaker():
    """（質疑応答） is two words of the language, not a surname in brackets; the Ｑ and Ａ under it
    name no one, so they are not the secretariat's, whose turn ends there."""
    turns = parse_bytes(QUESTIONS_AND_ANSWERS.encode(), "qa.txt").turns
    assert [(t.speaker.name, t.text) for t in turns] == [
        ("事務局", "防災アプリの概要を説明した。"),
        ("", "Ｑ　防災アプリの利用者数は。Ａ　約10万人が利用している。"),
    ]


FIELD_AGENDA = """第3回都・区市町村CIO協議会 議事要旨
日時:令和6年6月25日(火) 13時30分から15時まで
場所:新宿NSビル24階 イベントスペース
議事:
  • 挨拶
  • 報告事項
    こどもDXの推進について
【1.挨拶】
(東京都CIO 副知事 宮坂 学)
  • GovTech東京の設立から間もなく1年を迎える。
【2.報告事項】
(デジタルサービス局長 山田 忠輝)
  • 今年度は正念場となる重要な1年である。
"""


def test_a_議事_written_as_a_field_lists_the_business_before_the_proceedings():
    parsed = parse_bytes(FIELD_AGENDA.encode(), "cio.txt")
    assert parsed.meeting.agenda == ("挨拶", "報告事項", "こどもDXの推進について")
    assert parsed.meeting.topics == ("挨拶", "報告事項")  # not • 挨拶
    assert [(t.speaker.name, t.topic) for t in parsed.turns] == [("宮坂 学", "挨拶"), ("山田 忠輝", "報告事項")]
