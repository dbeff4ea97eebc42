"""Minutes as a CSV or TSV table of who said what: columns by their header's names, one turn a row,
one meeting per title and date."""

from __future__ import annotations

import csv
import io

import pytest

from rag.errors import ParseError
from rag.parsing import parse_all, parse_bytes
from tests.conftest import FIXTURES


def _csv(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(encoding)


SESSION = [
    ["会議名", "開催日", "発言者", "役職", "会派", "発言内容"],
    ["令和6年第1回定例会", "2024/3/5", "山田太郎", "議長", "", "ただいまから本日の会議を開きます。"],
    [
        "令和6年第1回定例会",
        "2024/3/5",
        "佐藤花子",
        "議員",
        "みらい",
        "防災DXについて伺います。\n避難所の通信はどうか。",
    ],
    ["令和6年第1回定例会", "2024/3/6", "山田太郎", "議長", "", "本日の会議を開きます。"],
]


def test_a_table_of_several_days_is_one_meeting_a_day_with_each_rows_speaker():
    """Shift_JIS, Japanese column names, a quoted cell with a line break, and a date that changes."""
    parsed = parse_all(_csv(SESSION, encoding="cp932"), "kaigiroku.csv")
    assert [(p.meeting.title, p.meeting.date, p.meeting.source_format) for p in parsed] == [
        ("令和6年第1回定例会", "2024-03-05", "csv"),
        ("令和6年第1回定例会", "2024-03-06", "csv"),
    ]
    first = parsed[0].turns
    assert [(t.speaker.name, t.speaker.role, t.speaker.group) for t in first] == [
        ("山田太郎", "議長", ""),
        ("佐藤花子", "議員", "みらい"),
    ]
    assert first[1].text == "防災DXについて伺います。\n避難所の通信はどうか。"
    assert parsed[0].meeting.meeting_id != parsed[1].meeting.meeting_id


def test_two_columns_named_in_english_as_tsv_take_the_title_from_the_file():
    data = _csv(
        [["Speaker", "Utterance"], ["宮坂副知事", "ただいまから会議を開きます。"], ["", "（休憩）"]], delimiter="\t"
    )
    parsed = parse_bytes(data, "kaigi-07.tsv")
    assert parsed.meeting.title == "kaigi-07"
    assert [(t.speaker.name, t.speaker.role, t.text) for t in parsed.turns] == [
        ("宮坂", "副知事", "ただいまから会議を開きます。"),
        ("", "", "（休憩）"),
    ]


def test_a_table_without_speaker_and_speech_columns_is_plain_paragraphs_or_an_error_when_forced():
    data = _csv([["品目", "金額"], ["会場費", "12000"]])
    assert parse_bytes(data, "costs.csv").meeting.source_format == "plain"
    with pytest.raises(ParseError, match="names no speaker and speech columns"):
        parse_bytes(data, "costs.csv", fmt="csv")


def test_the_diet_apis_speeches_as_a_table_lose_the_label_their_text_opens_with():
    rows = [
        ["nameOfMeeting", "date", "speaker", "speakerPosition", "speakerGroup", "speech"],
        [
            "文部科学委員会",
            "2023-11-01",
            "田野瀬太道",
            "委員長",
            "自由民主党",
            "○田野瀬委員長　これより会議を開きます。",
        ],
    ]
    turn = parse_bytes(_csv(rows), "speech.csv").turns[0]
    assert (turn.speaker.name, turn.speaker.role, turn.speaker.group) == ("田野瀬太道", "委員長", "自由民主党")
    assert turn.text == "これより会議を開きます。"


def test_the_fixture_an_export_with_a_bom_crlf_and_an_agenda_column():
    parsed = parse_all((FIXTURES / "table-council.csv").read_bytes(), "table-council.csv")
    assert [(p.meeting.date, len(p.turns), p.meeting.topics) for p in parsed] == [
        ("2024-03-05", 3, ("開会", "一般質問")),
        ("2024-03-06", 3, ("一般質問",)),
    ]
    assert parsed[0].turns[1].text == "防災DXについて伺います。\n避難所の通信環境は、どう整えるのか。"
