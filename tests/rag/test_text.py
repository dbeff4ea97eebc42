"""Dates, numerals and line joining."""

from __future__ import annotations

import pytest

from rag.text import find_date, find_time_range, join_broken, kanji_to_int, plain_spaces, squash


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("令和５年８月 31 日（木）", "2023-08-31"),
        ("令和五年十月二十日", "2023-10-20"),
        ("平成２４年５月１４日", "2012-05-14"),
        ("平成元年1月8日", "1989-01-08"),
        ("昭和六十四年一月七日", "1989-01-07"),
        ("2022.6.28 検討会", "2022-06-28"),
        ("2012/5/14", "2012-05-14"),
        ("二〇二三年", ""),
        ("二〇二四年六月十九日", "2024-06-19"),
        ("令和5年（2023年）10月10日（火）", "2023-10-10"),
        ("令和6年6月19 日(水)", "2024-06-19"),
        ("日付なし", ""),
    ],
)
def test_find_date(text, iso):
    assert find_date(text) == iso


def test_kanji_numerals():
    assert kanji_to_int("三十一") == 31
    assert kanji_to_int("二〇二三") == 2023
    assert kanji_to_int("百二") == 102
    assert kanji_to_int("１２") == 12


def test_time_range():
    assert find_time_range("10:00～12:00") == ("10:00", "12:00")
    assert find_time_range("14時～15時30分") == ("14:00", "15:30")


def test_join_broken():
    assert join_broken("バックアップバ", "ッテリー") == "バックアップバッテリー"
    assert join_broken("公務員は DX", "業界とは") == "公務員は DX 業界とは"
    assert join_broken("General Data", "Protection") == "General Data Protection"


def test_squash():
    assert squash("ＲＦＩ を 柔軟な\n内容") == "RFIを柔軟な内容"


def test_odd_spaces_read_as_the_ascii_space_and_zero_width_ones_as_nothing():
    assert plain_spaces("村井\u00a0\u00a0純\u2009教授\u200b") == "村井  純 教授"
    assert plain_spaces("宮坂\u3000学") == "宮坂\u3000学"  # the ideographic space is a roster's gap


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和五年十一月一日（水曜日）\n午後零時十一分開議", ("12:11", "")),
        ("平成24年9月6日(木曜日)午前10時開会", ("10:00", "")),
        ("午後一時三分開会・開議", ("13:03", "")),
        ("令和5年8月31日(木)10:00~12:00", ("10:00", "12:00")),
        ("午前10時から説明を聴取", ("", "")),  # an hour, but no sitting opened at it
    ],
)
def test_the_hour_a_sitting_opened(text, expected):
    assert find_time_range(text) == expected
