"""Speaker lines recognised by their shape: minutes pages as people save them from the web."""

from __future__ import annotations

import pytest

from rag.parsing import parse_bytes, parse_path
from rag.parsing.speakers import SpeakerJudge, has_title, is_label_shaped, is_office
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def tokyo():
    return parse_path(FIXTURES / "web-tokyo-page.txt")


@pytest.fixture(scope="module")
def agency():
    return parse_path(FIXTURES / "web-agency-page.txt")


def test_a_marked_label_alone_opens_a_turn_that_runs_to_the_next(tokyo):
    m = tokyo.meeting
    assert m.title == "第3回 デジタル人材確保・育成検討会 議事要旨"  # not the navigation text before it
    assert (m.date, m.start_time, m.end_time) == ("2024-06-19", "10:00", "11:30")  # 6月19 日: a space before 日
    labels = [t.speaker.label for t in tokyo.turns]
    assert labels == [
        "事務局(デジタルサービス局戦略部戦略課)",
        "事務局(デジタルサービス局戦略部戦略課)",
        "村井座長",
        "小野委員",
        "深井戦略部長",
        "事務局(デジタルサービス局戦略部戦略課)",
        "村井座長",
    ]
    assert tokyo.turns[3].text == "民間との人材の行き来を前提にした制度が必要です。副業や兼業の仕組みも検討してほしい。"
    assert [t.topic for t in tokyo.turns][1:3] == ["デジタル人材の確保について"] * 2
    assert tokyo.turns[-1].topic == "閉会"  # a numbered agenda line before a speaker is a heading


def test_roster_people_and_offices_resolve(tokyo):
    murai, fukai, office = tokyo.turns[2].speaker, tokyo.turns[4].speaker, tokyo.turns[0].speaker
    assert (murai.name, murai.role) == ("村井 純", "座長")  # (座長) 村井 純 … in the roster
    assert fukai.name == "深井 一郎" and fukai.is_person
    assert not office.is_person and office.person_id.startswith("o-")
    assert office.affiliation == "デジタルサービス局戦略部戦略課"
    assert len({t.speaker.person_id for t in tokyo.turns if t.speaker.label == office.label}) == 1


def test_bare_office_lines_over_bullets(agency):
    m = agency.meeting
    assert m.title == "地方公共団体情報システムの標準化に関する検討会(第4回)"
    assert m.date == "2024-02-08"  # 議事概要 heads the page before its 日時 block
    turns = [(t.speaker.label, t.speaker.is_person, t.topic) for t in agency.turns]
    assert turns == [
        ("デジタル庁デジタル大臣政務官", False, "標準化の進捗状況について"),
        ("国分寺市", False, "標準化の進捗状況について"),
        ("中野区", False, "標準化の進捗状況について"),
        ("東京都CIO", False, "ガバメントクラウドについて"),
        ("国分寺市", False, "ガバメントクラウドについて"),
        ("デジタル庁デジタル大臣政務官", False, "ガバメントクラウドについて"),
    ]
    assert (
        agency.turns[1].text == "移行計画は策定済み。ベンダーの確保に課題がある。\n(参考)令和5年度の移行経費は約3億円。"
    )
    ids = {t.speaker.label: t.speaker.person_id for t in agency.turns}
    assert len(set(ids.values())) == 4


@pytest.mark.parametrize(
    ("label", "shaped", "office", "title"),
    [
        ("国分寺市", True, True, False),
        ("東京都CIO", True, False, True),
        ("深井戦略部長", True, False, True),
        ("事務局(デジタルサービス局戦略部戦略課)", True, True, False),
        ("防災について", False, False, False),
        ("1. 開会", False, False, False),
        ("閉会", True, False, False),
        ("本日は以上です。", False, False, False),
        ("注意：資料は後日配布", False, False, False),
    ],
)
def test_label_evidence(label, shaped, office, title):
    assert (is_label_shaped(label), is_office(label), has_title(label)) == (shaped, office, title)


def test_a_recurring_bare_label_is_a_speaker_and_a_one_off_short_line_is_not():
    lines = ["山本", "・一点目の意見を述べる。", "まとめ", "・全体の意見をまとめた。", "山本", "・二点目の意見。"]
    judge = SpeakerJudge(lines, [])
    assert judge.speaker("山本", lines[1]) is not None
    assert judge.speaker("まとめ", lines[3]) is None


def test_half_width_brackets_and_digits_after_nfkc():
    text = (
        "第1回 会議 議事要旨\n日時:令和5年9月1日\n議事\n(1)開会\n"
        "(座長)\n本日はよろしくお願いします。\n(宮坂)\n都として取り組みます。\n"
    )
    parsed = parse_bytes(text.encode(), "half.txt")
    assert [(t.speaker.label, t.topic) for t in parsed.turns] == [("座長", "開会"), ("宮坂", "開会")]


def test_bracketed_speakers_unclaimed_speech_and_bracketed_affiliations():
    parsed = parse_path(FIXTURES / "web-agency-summary.txt")
    m = parsed.meeting
    assert (m.title, m.date, m.start_time) == (
        "データ戦略推進ワーキンググループ(第3回)",
        "2023-10-10",
        "10:00",
    )  # 令和5年(2023年)…
    assert [(a.name, a.group, a.affiliation, a.title) for a in m.attendees] == [
        ("越塚 登", "構成員", "東京大学大学院情報学環", "教授"),
        ("水町 雅子", "構成員", "宮内・水町IT法律事務所", "弁護士"),
    ]  # デジタル庁 and デジタル大臣政務官 head groups; they are not people
    turns = [(t.speaker.label, t.speaker.name, t.speaker.is_person) for t in parsed.turns]
    assert turns == [
        ("", "", False),  # 事務局より…説明。: speech before any speaker line is kept, unattributed
        ("越塚構成員", "越塚 登", True),
        ("水町構成員", "水町 雅子", True),
        ("デジタル庁", "デジタル庁", False),
    ]
    assert parsed.turns[0].speaker.attribution == "unknown"
    assert parsed.turns[2].text == "個人情報の取扱いについては、法的な整理を先に行うべき。"
    # 2. 議事 is an item of the 議事次第, not the body's heading; its one subject is every turn's topic
    assert m.agenda == ("開会", "議事", "ベース・レジストリの整備について", "閉会")
    assert {t.topic for t in parsed.turns} == {"ベース・レジストリの整備について"}


AGENCY_TRANSCRIPT_PAGE = """本文へ移動
第4回デジタル社会構想会議
概要
• 日時:令和4年4月14日(木)10時00分から11時30分まで
• 場所:オンライン開催
• 議事次第:
1. 開会
2. 議事
(1)次期重点計画の策定に向けて
(2)国民からの意見募集について
3. 閉会
会議の様子はYouTube(デジタル庁公式チャンネル)にて公開しています。
資料
参考資料
議事録
事務局: 定刻となりましたので、ただいまから「デジタル社会構想会議」を開催いたします。
村井座長: 皆さん、おはようございます。座長を務めております村井です。
牧島大臣: デジタル大臣の牧島でございます。規制の見直しを進めてまいります。
"""


def test_a_transcript_page_with_bulleted_header_fields_and_its_papers_between_agenda_and_body():
    parsed = parse_bytes(AGENCY_TRANSCRIPT_PAGE.encode(), "kousou.html.txt")
    m = parsed.meeting
    assert (m.title, m.date, m.start_time, m.place) == (
        "第4回デジタル社会構想会議",
        "2022-04-14",
        "10:00",
        "オンライン開催",
    )
    assert m.agenda == ("開会", "議事", "次期重点計画の策定に向けて", "国民からの意見募集について", "閉会")
    assert [(t.speaker.name, t.topic, t.text[:5]) for t in parsed.turns] == [
        ("事務局", "", "定刻となり"),  # two subjects and no heading: no topic is claimed
        ("村井", "", "皆さん、お"),
        ("牧島", "", "デジタル大"),
    ]


def test_bracket_turns_in_a_saved_page_take_their_title_and_date_from_the_text():
    text = "本文へ移動\n第6回 都市のデジタルツイン検討会 議事録\n日時\n\n令和6年3月1日(金)\n議事\n【事務局】\nそれでは開会いたします。\n【宮坂副知事】\nデジタルツインの実装を進めたい。\n"
    parsed = parse_bytes(text.encode(), "page.txt")
    assert (parsed.meeting.title, parsed.meeting.date) == ("第6回 都市のデジタルツイン検討会 議事録", "2024-03-01")
    assert [t.speaker.label for t in parsed.turns] == ["事務局", "宮坂副知事"]


@pytest.mark.parametrize("line", ["十月二十日", "同日", "同月三十一日", "11月1日", "――――◇―――――", "＊＊＊"])
def test_dates_and_separators_are_not_labels(line):
    assert not is_label_shaped(line)


AGENCY_SUMMARY_PAGE = """トラストを確保したDX推進サブワーキンググループ(第8回)
概要
- 日時:令和4年4月8日(金)16時から17時45分まで
- 場所:オンライン開催
- 議事次第:
1.開会
2.議事
(1)事務局資料説明(事務局)
(2)自由討議
3.閉会
資料
関連政策
議事概要
日時
令和4年4月8日(金)16時から17時45分まで
場所
オンライン開催
出席者
構成員
太田洋(西村あさひ法律事務所パートナー弁護士)
手塚悟(慶應義塾大学環境情報学部教授)【主査】
希代浩正(法務省民事局商事課補佐官)※代理出席
議事概要
手塚主査：
・本日は報告書の骨子について議論したい。
太田構成員：
・電子署名の法的効力について整理が必要だ。
"""


def test_a_summary_page_with_its_overview_first_and_roster_notes():
    parsed = parse_bytes(AGENCY_SUMMARY_PAGE.encode(), "trust.txt")
    m = parsed.meeting
    assert (m.date, m.start_time, m.place) == ("2022-04-08", "16:00", "オンライン開催")  # given twice, kept once
    assert m.agenda == ("開会", "議事", "事務局資料説明(事務局)", "自由討議", "閉会")
    assert [(a.name, a.role, a.affiliation) for a in m.attendees] == [
        ("太田洋", "", "西村あさひ法律事務所パートナー弁護士"),
        ("手塚悟", "主査", "慶應義塾大学環境情報学部"),  # 【主査】 after the entry is the role; 教授 the title
        ("希代浩正", "", "法務省民事局商事課補佐官"),  # ※代理出席 is a note, not the name
    ]
    assert [(t.speaker.name, t.speaker.role, t.topic) for t in parsed.turns] == [
        ("手塚悟", "主査", ""),
        ("太田洋", "構成員", ""),
    ]
