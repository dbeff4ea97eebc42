"""議事要旨 variants: inline and half-width colons, （名前） and (役職 名前) lines, bare role or
organisation lines over bullets, ○ markers, headings in several styles, bullet attendee lists."""

from __future__ import annotations

import pytest

from rag.parsing import detect, parse_bytes, parse_path
from rag.parsing.base import decode
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def inline():
    return parse_path(FIXTURES / "summary-inline.txt")


@pytest.fixture(scope="module")
def paren():
    return parse_path(FIXTURES / "summary-paren.txt")


def test_inline_markers_headers_and_bullet_roster(inline):
    m = inline.meeting
    assert m.source_format == "summary"
    assert (m.title, m.date, m.start_time, m.end_time) == (
        "第3回 行政DX推進会議 議事要旨",
        "2024-04-10",
        "14:00",
        "15:30",
    )
    assert m.place == "都庁第一本庁舎 会議室"
    murai = m.attendees[0]
    assert (murai.name, murai.role, murai.affiliation, murai.title) == ("村井 純", "座長", "慶應義塾大学", "教授")
    assert m.topics == ("挨拶", "データ連携について", "論点1:人材育成")
    who = [(t.speaker.name, t.speaker.role, t.topic) for t in inline.turns]
    assert who == [
        ("村井 純", "座長", "挨拶"),
        ("宮坂 学", "東京都副知事", "挨拶"),
        ("山田 太郎", "委員", "データ連携について"),
        ("山田 花子", "委員", "データ連携について"),
        ("宮坂 学", "東京都副知事", "論点1:人材育成"),
    ]
    assert inline.turns[0].text == "本日はお集まりいただきありがとうございます。"
    assert inline.turns[-1].text == "職員のリスキリングを進める。\n研修の機会を増やす。"  # 〇 marker, then a bullet


def test_paren_speakers_and_organisation_lines(paren):
    m = paren.meeting
    assert (m.date, m.start_time, m.end_time, m.place) == ("2024-05-20", "10:00", "11:00", "オンライン")
    turns = paren.turns
    assert [t.speaker.label for t in turns] == ["宮坂", "宮坂 学", "事務局", "デジタルサービス局"]
    assert (turns[1].speaker.name, turns[1].speaker.role) == ("宮坂 学", "東京都CIO 副知事")
    assert turns[0].text == "防災アプリの改修を進めている。利用者の声を反映したい。"
    assert [t.speaker.is_person for t in turns] == [True, True, False, False]
    assert turns[2].text == "資料1に基づき説明。\n質疑応答なし。"


def test_half_width_colon_on_its_own_line():
    text = "第1回 会議 議事要旨\n日時：令和5年9月1日\n議事\n宮坂:\n・発言一。\n村井:\n・発言二。\n"
    parsed = parse_bytes(text.encode(), "colon.txt")
    assert [(t.speaker.label, t.text) for t in parsed.turns] == [("宮坂", "発言一。"), ("村井", "発言二。")]


def test_a_name_written_with_its_space_opens_a_turn():
    text = (
        "第1回 会議 議事要旨\n日時：令和5年9月1日\n出席者\n宮坂　学 東京都副知事\n村井 純 教授\n議事\n"
        "宮坂　学：\n・発言一。\n村井 純:\n・発言二。\n宮坂 副知事：\n・発言三。\n参考 資料：\n・資料を配布。\n"
    )
    parsed = parse_bytes(text.encode(), "spaced.txt")
    assert [(t.speaker.name, t.text) for t in parsed.turns] == [
        ("宮坂 学", "発言一。"),
        ("村井 純", "発言二。"),
        ("宮坂 学", "発言三。参考 資料：\n資料を配布。"),  # 参考資料 is a common noun, not a name
    ]


def test_a_bare_topic_line_before_a_bracketed_speaker_is_a_heading():
    text = "第1回 会議 議事要旨\n議事\n【宮坂副知事】\n・発言一。\n今後の予定について\n【事務局】\n・説明。\n"
    parsed = parse_bytes(text.encode(), "bracket.txt")
    assert [(t.speaker.label, t.topic, t.text) for t in parsed.turns][-1] == ("事務局", "今後の予定について", "説明。")


def test_a_marked_heading_whose_words_hold_an_office_ending_is_a_heading():
    # The Tokyo Digital Service Council's page: ■論点1:… over the turns, where 都民 made the line
    # read as an office's name, and so as part of the secretariat's bullet before it.
    text = (
        "第8回 会議 議事要旨\n日時：令和5年12月26日\n議事\n事務局:\n  • 資料に沿って説明。\n"
        "■論点1:都民の実感を伴うデジタル化の方向性\n宮坂:\n  • 調査を実施した。\n"
    )
    parsed = parse_bytes(text.encode(), "marked.txt")
    assert [(t.speaker.label, t.topic, t.text) for t in parsed.turns] == [
        ("事務局", "", "資料に沿って説明。"),
        ("宮坂", "論点1:都民の実感を伴うデジタル化の方向性", "調査を実施した。"),
    ]


@pytest.mark.parametrize(
    ("first", "rest", "topic"),
    [
        ("■論点１：都民の実感を伴うデジタル化を目指す上での課題や基本", "的な方向性", "課題や基本的な方向性"),
        ("■論点２：区市町村との協働を進める上での課題や基本", "方針について", "課題や基本方針について"),
    ],
    ids=["suffix", "word-across-the-break"],
)
def test_a_heading_the_pdf_broke_over_two_lines_is_one_topic(first, rest, topic):
    text = (
        "第8回 会議 議事要旨\n日時：令和5年12月26日\n議事\n事務局：\n▪ 資料に沿って説明。\n"
        f"{first}\n{rest}\n宮坂：\n▪ 調査を実施した。\n"
    )
    turns = parse_bytes(text.encode(), "broken.txt").turns
    assert [t.text for t in turns] == ["資料に沿って説明。", "調査を実施した。"]  # not 説明。的な方向性
    assert turns[1].topic.endswith(topic)


def test_a_line_that_can_stand_alone_is_not_read_into_the_heading_above_it():
    text = "第1回 会議 議事要旨\n議事\n宮坂：\n▪ 発言一。\n■防災について\n本日は防災について議論した。\n"
    turns = parse_bytes(text.encode(), "heading.txt").turns
    assert turns[-1].topic == "防災について"


def test_prose_with_a_colon_is_not_a_speaker():
    text = "第1回 会議 議事要旨\n議事\n宮坂：\n・注意：資料は後日配布する。\n・以上の点を確認。\n"
    parsed = parse_bytes(text.encode(), "prose.txt")
    assert len(parsed.turns) == 1 and "注意：資料は後日配布する。" in parsed.turns[0].text


@pytest.mark.parametrize("name", ["summary-inline.txt", "summary-paren.txt"])
def test_variants_are_detected_as_summaries(name):
    path = FIXTURES / name
    assert detect(decode(path.read_bytes(), name)).name == "summary"


def test_markdown_headings_and_tags_in_text_minutes():
    """Minutes converted to Markdown but marked with ○: ### headings are topics, <a id> tags are dropped."""
    text = (
        "## 第3回 検討会 議事要旨\n日時：令和5年9月1日\n"
        '<a id="anchor1"></a>\n### 目次\n1. [開会](#anchor1)\n'
        '<a id="anchor2"></a>\n### ２　防災について\n○宮坂副知事\n避難所の通信環境を整備する。\n'
        '<a id="anchor3"></a>\n### 3. 閉会\n○事務局\n以上で閉会します。\n'
    )
    parsed = parse_bytes(text.encode(), "converted.txt")
    assert parsed.meeting.title == "第3回 検討会 議事要旨"
    assert [(t.speaker.label, t.topic, t.text) for t in parsed.turns] == [
        ("宮坂副知事", "防災について", "避難所の通信環境を整備する。"),
        ("事務局", "閉会", "以上で閉会します。"),
    ]
    assert parsed.meeting.topics == ("防災について", "閉会")


def test_a_bare_label_with_a_bracketed_note_over_bullets():
    text = (
        "第1回 会議 議事要旨\n日時：令和5年9月1日\n出席者\n■オブザーバー\n畑中 洋亮 一般財団法人 理事\n"
        "宮坂 学 東京都副知事\n議事\n宮坂\n▪ 発言一。\n畑中（オブザーバー）\n▪ 官民協働に当たっては対話が重要。\n"
    )
    parsed = parse_bytes(text.encode(), "bare.txt")
    assert [(t.speaker.name, t.text) for t in parsed.turns] == [
        ("宮坂 学", "発言一。"),
        ("畑中 洋亮", "官民協働に当たっては対話が重要。"),
    ]


LABELLED_HEAD = (
    "第３回 デジタル推進会議 議事録\n日時：令和５年10月２日（月）\n出席者：村井座長、宮坂副知事、小野委員\n\n議事\n"
)
LABELLED_TURNS = [("村井座長", "本日は防災について議論します。"), ("宮坂副知事", "避難所の通信を整備します。")]


@pytest.mark.parametrize(
    "write",
    [
        lambda label, text: f"（{label}）{text}\n",  # a label in brackets before its speech
        lambda label, text: f"・{label}：{text}\n",  # after a bullet
        lambda label, text: f"**{label}**：{text}\n",  # emphasised, as Markdown converters write it
        lambda label, text: f"■{label}\n{text}\n",  # after a heading mark, over its speech
        lambda label, text: f"{label}　{text}\n",  # no mark: a full-width space between them
    ],
    ids=["paren", "bullet", "bold", "square", "full-width space"],
)
def test_labels_at_the_head_of_speech_in_other_marks(write):
    text = LABELLED_HEAD + "".join(write(label, speech) for label, speech in LABELLED_TURNS * 3)
    parsed = parse_bytes(text.encode(), "labels.txt")
    assert [(t.speaker.label, t.text) for t in parsed.turns] == [(a, b) for a, b in LABELLED_TURNS * 3]


def test_words_in_those_marks_that_name_no_speaker_stay_speech_or_topics():
    text = LABELLED_HEAD + (
        "■防災について\n"
        "村井座長：本日は防災について議論します。\n"
        "（拍手）会場から拍手があった。\n"
        "・注意：資料は後日配布する。\n"
        "**結論**：通信整備を進める。\n"
        "今後　検討を続ける。\n"
    )
    parsed = parse_bytes(text.encode(), "words.txt")
    assert [(t.speaker.label, t.topic) for t in parsed.turns] == [("村井座長", "防災について")]
    assert all(words in parsed.turns[0].text for words in ("資料は後日配布する", "通信整備を進める", "検討を続ける"))
