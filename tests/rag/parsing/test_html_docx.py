"""HTML pages and Word files: their text extracted, then parsed by the detected text format."""

from __future__ import annotations

import io

import pytest

from rag.errors import ParseError
from rag.parsing import parse_bytes, parse_path, to_source
from tests.conftest import FIXTURES


def test_kaigiroku_pre_block():
    parsed = parse_path(FIXTURES / "kaigiroku-pre.html")
    assert parsed.meeting.source_format == "verbatim"
    assert (parsed.meeting.title, parsed.meeting.date) == ("令和5年第4回定例会　総務委員会", "2023-12-05")
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("田中 一郎", "委員長"),
        ("鈴木 次郎", "委員"),
        ("佐藤 花子", "副委員長"),
        ("田中 一郎", "委員長"),
    ]
    assert (
        parsed.turns[0].text
        == "ただいまから総務委員会を開会いたします。\n本日は、防災情報システムの更新について審査を行います。"
    )


def test_kaigiroku_speaker_paragraphs():
    parsed = parse_path(FIXTURES / "kaigiroku-p.html")
    assert parsed.meeting.date == "2024-03-04"
    assert [(t.speaker.name, t.speaker.role) for t in parsed.turns] == [
        ("山田太郎", "議長"),
        ("高橋 恵子", "議員"),  # 12番: a member's seat number
        ("佐藤一郎", "市長"),
        ("高橋 恵子", "議員"),  # 12番: a member's seat number
    ]
    assert "自主防災組織の高齢化" in parsed.turns[1].text  # inline <b> kept inside the sentence
    assert parsed.turns[2].text == "自主防災組織への補助を拡充します。\nあわせて、若い世代の参加を促す研修を始めます。"


def test_government_page_drops_navigation_and_footers():
    data = (FIXTURES / "gov-page.html").read_bytes()
    text = to_source(data, "page.html").text
    for boilerplate in ("本文へ移動", "文字サイズ", "ホーム", "関連リンク", "Copyright", "ほかの会議"):
        assert boilerplate not in text
    parsed = parse_bytes(data, "page.html")
    assert parsed.meeting.title == "第4回 データ利活用推進会議 議事要旨"
    assert (parsed.meeting.date, parsed.meeting.start_time) == ("2024-09-10", "14:00")
    assert [t.speaker.label for t in parsed.turns] == [
        "事務局(デジタルサービス局データ利活用推進課)",
        "越塚委員",
        "事務局(デジタルサービス局データ利活用推進課)",
    ]
    assert parsed.turns[0].topic == "オープンデータの推進について"


def test_scripts_are_not_speech():
    text = to_source((FIXTURES / "kaigiroku-pre.html").read_bytes(), "x.html").text
    assert "偽の発言者" not in text and "会議録検索システム" not in text.split("\n", 1)[1]


def test_html_without_text_is_an_error_and_html_without_turns_is_paragraphs():
    with pytest.raises(ParseError, match="no text"):
        parse_bytes(b"<html><body><nav>menu</nav></body></html>", "empty.html")
    parsed = parse_bytes("<html><body><p>防災の予算を確認した。</p></body></html>".encode(), "memo.html")
    assert parsed.meeting.source_format == "plain" and parsed.turns[0].text == "防災の予算を確認した。"


def _docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(paragraphs[0])
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
    for text in paragraphs[1:]:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


ROWS = [
    ("○議長（田中次郎君）", "ただいまから本日の会議を開きます。"),
    ("◆１番（佐藤花子君）", "防災について伺います。"),
]
PAGE = "<html><body><main><h1>令和５年第３回みなと市議会定例会会議録（第２号）</h1><p>令和５年９月12日</p>{}</main></body></html>"


@pytest.mark.parametrize(
    "layout",
    [
        "<dl>" + "".join(f"<dt>{label}</dt><dd>{speech}</dd>" for label, speech in ROWS * 2) + "</dl>",
        "".join(f"<div><span>{label}</span><span>{speech}</span></div>" for label, speech in ROWS * 2),
        "<table><tr><th>発言者</th><th>発言</th></tr>"
        + "".join(f"<tr><td> {label} </td><td>{speech}</td></tr>" for label, speech in ROWS * 2)
        + "</table>",
    ],
    ids=["definition list", "spans", "table"],
)
def test_labels_in_their_own_elements_open_turns(layout):
    """A label in a <dt> before its <dd>, or in a <span> glued to the speech's, still opens a turn."""
    parsed = parse_bytes(PAGE.format(layout).encode(), "page.html")
    assert [(t.speaker.name, t.text) for t in parsed.turns] == [
        ("田中次郎", "ただいまから本日の会議を開きます。"),
        ("佐藤花子", "防災について伺います。"),
    ] * 2


COUNCIL_TABLE_PAGE = """<html><head><title>第4回 はやま町環境審議会 会議録 | はやま町</title></head><body>
<nav><a href="/">トップ</a></nav><main><h1>第4回 はやま町環境審議会 会議録</h1>
<table>
<tr><th>日時</th><td>令和6年12月2日（月曜日）午後2時から4時</td></tr>
<tr><th>出席者</th><td>委員：大野会長、谷口副会長、松井委員<br>事務局：環境課 上田課長</td></tr>
</table>
<h2>会議の経過</h2>
<table>
<tr><th>発言者</th><th>発言内容</th></tr>
<tr><td>会長</td><td>ただいまから第4回環境審議会を開会します。</td></tr>
<tr><td>事務局</td><td>ごみ減量化の取組について、資料1により説明します。</td></tr>
<tr><td>松井委員</td><td>生ごみの堆肥化はどの程度進んでいるのか。</td></tr>
</table></main></body></html>"""


def test_a_table_of_speakers_and_speech_on_a_page():
    """A row's cells are apart by a tab, as a table copied from a page is; the columns' names are no row."""
    parsed = parse_bytes(COUNCIL_TABLE_PAGE.encode(), "kankyo.html")
    assert [(a.name, a.role, a.group) for a in parsed.meeting.attendees] == [
        ("大野", "会長", "委員"),
        ("谷口", "副会長", "委員"),
        ("松井", "委員", "委員"),
        ("上田", "課長", "事務局"),
    ]
    assert [(t.speaker.name, t.speaker.role, t.text) for t in parsed.turns] == [
        ("大野", "会長", "ただいまから第4回環境審議会を開会します。"),
        ("事務局", "", "ごみ減量化の取組について、資料1により説明します。"),
        ("松井", "委員", "生ごみの堆肥化はどの程度進んでいるのか。"),
    ]


def test_a_header_row_that_holds_data_is_kept():
    page = COUNCIL_TABLE_PAGE.replace("<tr><th>日時</th><td>", "<tr><th>日時</th><th>")
    text = to_source(page.encode(), "kankyo.html").text
    assert "日時\t令和6年12月2日（月曜日）午後2時から4時" in text  # all <th>, but a date is no column's name
    assert "発言者" not in text
    assert parse_bytes(page.encode(), "kankyo.html").meeting.date == "2024-12-02"


def test_a_verbatim_pages_header_table_gives_its_fields_and_roster():
    page = """<html><body><main><h1>令和6年第4回 みなと市議会 総務委員会 会議録</h1><table>
<tr><th>日時</th><td>令和6年12月10日（火）午前10時</td></tr><tr><th>場所</th><td>第1委員会室</td></tr>
<tr><th>出席委員</th><td>山川委員長、肥沼副委員長、佐藤委員</td></tr></table>
<p>○委員長（山川昌子君）　ただいまから総務委員会を開会いたします。</p>
<p>○佐藤委員　防災無線の更新について伺います。</p></main></body></html>"""
    parsed = parse_bytes(page.encode(), "soumu.html")
    assert (parsed.meeting.source_format, parsed.meeting.place) == ("verbatim", "第1委員会室")
    assert [(a.name, a.role) for a in parsed.meeting.attendees] == [
        ("山川", "委員長"),
        ("肥沼", "副委員長"),
        ("佐藤", "委員"),
    ]


def test_word_minutes_paragraphs_and_tables_in_order():
    data = _docx(
        ["第5回 防災DX検討会 議事要旨", "日時", "令和6年10月1日(火)", "議事", "宮坂:", "・避難所の通信を強化する。", "村井:",
         "・クラウドの冗長化が要る。"],
        table=[["出席者", ""], ["村井 純", "座長"]],
    )  # fmt: skip
    parsed = parse_bytes(data, "minutes.docx")
    assert (parsed.meeting.title, parsed.meeting.date) == ("第5回 防災DX検討会 議事要旨", "2024-10-01")
    assert [(t.speaker.label, t.text) for t in parsed.turns] == [
        ("宮坂", "避難所の通信を強化する。"),
        ("村井", "クラウドの冗長化が要る。"),
    ]
    assert "村井 純\t座長" in to_source(data, "minutes.docx").text  # a row's cells, apart by a tab
    assert [(a.name, a.role) for a in parsed.meeting.attendees] == [("村井 純", "座長")]


def test_a_word_table_of_speakers_and_speech():
    import docx

    document = docx.Document()
    for text in ("第4回 はやま町環境審議会 会議録", "日時　令和6年12月2日", "出席者　大野会長、松井委員", "会議の経過"):
        document.add_paragraph(text)
    rows = [("会長", "ただいまから開会します。"), ("事務局", "資料1により説明します。"), ("松井委員", "進捗はどうか。")]
    grid = document.add_table(rows=len(rows), cols=2)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            grid.cell(r, c).text = cell
    out = io.BytesIO()
    document.save(out)
    parsed = parse_bytes(out.getvalue(), "kankyo.docx")
    assert [(t.speaker.label, t.text) for t in parsed.turns] == list(rows)
    assert [t.speaker.name for t in parsed.turns] == ["大野", "事務局", "松井"]


def test_a_damaged_word_file_is_a_clear_error():
    data = _docx(["第1回 会議", "宮坂:", "・発言。"])
    with pytest.raises(ParseError, match="cannot read this Word file"):
        parse_bytes(data[: len(data) // 2], "broken.docx")


NBSP_PAGE = """<html><head><title>第七回東京デジタルサービス会議 議事要旨</title></head><body><main>
<h1>第七回東京デジタルサービス会議 議事要旨</h1>
<h2>日時</h2><p>令和5年8月31日(木)10:00~12:00</p>
<h2>出席者</h2>
<p>■委員</p><p>村井&nbsp;&nbsp;純(座長) 慶応義塾大学 教授</p><p>越塚&nbsp;&nbsp;登 東京大学大学院 教授</p>
<h2>議事(敬称略)</h2>
<h3>■GovTech東京について</h3>
<p>越塚:</p><ul><li>プロモーションを強化してもよいかと思う。</li></ul>
<p>村井:</p><ul><li>区市町村との連携が鍵になる。</li></ul>
</main></body></html>"""


def test_a_pages_no_break_spaces_part_names_as_spaces_do():
    """``村井&nbsp;&nbsp;純``: the web page's spaces are spaces, so the name and its title come apart."""
    parsed = parse_bytes(NBSP_PAGE.encode(), "kaigi_07_giji.html")
    assert [(a.name, a.affiliation, a.title) for a in parsed.meeting.attendees] == [
        ("村井 純", "慶応義塾大学", "教授"),
        ("越塚 登", "東京大学大学院", "教授"),
    ]
    assert [t.speaker.name for t in parsed.turns] == ["越塚 登", "村井 純"]
