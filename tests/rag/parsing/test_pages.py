"""Running page lines in text extracted from a PDF elsewhere: by form feed, or the meeting's name
repeated over each page; page numbers alone on their lines."""

from __future__ import annotations

import pytest

from rag.parsing import parse_bytes
from rag.parsing.pages import is_page_number, without_page_furniture
from tests.conftest import SAMPLE


def _paged(every: int, furniture: list[str]) -> str:
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        if i and i % every == 0:
            out += [part.format(page=i // every) for part in furniture]
        out.append(line)
    return "\n".join(out)


def _turns(text: str) -> list[tuple[str, str]]:
    return [(t.speaker.name, t.text) for t in parse_bytes(text.encode(), "kaigi.txt").turns]


def test_a_title_over_every_page_no_longer_cuts_into_speech():
    copied = _paged(40, ["", "第７回東京デジタルサービス会議　議事要旨", ""])
    assert _turns(copied) == _turns(SAMPLE.read_text(encoding="utf-8"))


def test_pages_apart_by_form_feeds_lose_their_running_header_and_footer():
    extracted = _paged(40, ["- {page} -", "第７回東京デジタルサービス会議", "\f", "第７回東京デジタルサービス会議"])
    assert _turns(extracted) == _turns(SAMPLE.read_text(encoding="utf-8"))


def test_labels_sentences_and_a_title_met_once_stay():
    text = "第3回みなと市防災会議\n村井座長：\n・防災会議で議論した。\n村井座長：\n・防災会議で議論した。\n村井座長：\n・防災会議で議論した。\n"
    assert without_page_furniture(text) == text


def test_an_agenda_item_named_three_times_is_no_running_line():
    """The order of business, the business taken up and the heading over the turns each name an item."""
    item = "日程第1 会議録署名議員の指名"
    text = f"令和6年第1回みなと市議会定例会会議録\n議事日程\n{item}\n本日の会議に付した事件\n{item}\n{item}\n○議長（山田太郎君） 開会します。\n"
    assert without_page_furniture(text) == text


@pytest.mark.parametrize(
    ("line", "bare", "number"),
    [
        ("3", True, True),
        ("3", False, False),  # a verbatim record's bare number may be a seat's
        ("2030", True, False),  # a year the PDF left alone on a line
        ("- 3 -", False, True),
        ("－３－", False, True),
        ("3 / 12", False, True),
        ("Page 3 of 12", False, True),
        ("p. 3", False, True),
        ("3ページ", False, True),
        ("12/3", True, False),  # past its total: a date or a ratio
        ("3万人", True, False),
        ("（3）", True, False),  # an item's number
    ],
)
def test_a_page_number_alone_on_its_line(line, bare, number):
    assert is_page_number(line, bare=bare) is number
