"""Nothing readable is refused: text without speaker turns becomes paragraphs with an unknown speaker."""

from __future__ import annotations

import json

import pytest

from rag.errors import ParseError
from rag.parsing import parse_bytes

NOTES = """本文へ移動
お知らせ
第2回 地域防災懇談会 開催結果
開催日


令和6年 7月 3 日(水)

防災倉庫の点検結果を共有した。備蓄品の入れ替えは秋に行う。

避難訓練は地域ごとに実施する方向で意見がまとまった。
"""


def test_paragraphs_with_an_unknown_speaker_and_a_warning():
    parsed = parse_bytes(NOTES.encode(), "notes.txt")
    assert parsed.meeting.source_format == "plain"
    assert parsed.meeting.title == "第2回 地域防災懇談会 開催結果"
    assert parsed.meeting.date == "2024-07-03"  # a 開催日 block with blank lines and spaced digits
    texts = [t.text for t in parsed.turns]
    assert "防災倉庫の点検結果を共有した。備蓄品の入れ替えは秋に行う。" in texts
    assert all(t.speaker.attribution == "unknown" and not t.speaker.is_person for t in parsed.turns)
    assert parsed.warnings and "unknown speaker" in parsed.warnings[0]


def test_no_date_is_said():
    parsed = parse_bytes("ただの文章です。会議録ではありません。".encode(), "memo.txt")
    assert parsed.meeting.date == ""
    assert any("no meeting date" in w for w in parsed.warnings)


def test_long_paragraphs_are_cut_at_line_breaks():
    text = "\n".join(f"{i}行目の文章はここで終わる。" * 6 for i in range(40))
    parsed = parse_bytes(text.encode(), "long.txt")
    assert len(parsed.turns) > 3 and all(len(t.text) <= 900 for t in parsed.turns)


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02binary", b'{"not": "minutes"}'])
def test_empty_binary_and_foreign_json_keep_their_errors(data):
    with pytest.raises(ParseError):
        parse_bytes(data, "bad.txt")


def test_json_in_no_minutes_shape_is_not_read_as_text():
    # Its lines look like a summary's speaker lines ("speaker": "宮坂",) but the file is data
    data = json.dumps({"items": [{"speaker": "宮坂", "text": "こんにちは。"}]}, ensure_ascii=False, indent=1)
    with pytest.raises(ParseError, match="JSON, but not in a shape this reads"):
        parse_bytes(data.encode(), "export.json")


def test_a_forced_format_still_refuses_what_it_cannot_read():
    with pytest.raises(ParseError, match="no speaker turns"):
        parse_bytes("ただの文章です。".encode(), "memo.txt", fmt="summary")
