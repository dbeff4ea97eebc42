"""PDF minutes: a PDF the test generates (Japanese text, CID font) parses like its text; a PDF
with no text layer, and a broken PDF, get clear errors."""

from __future__ import annotations

import io

import pytest

from rag.errors import ParseError
from rag.parsing import parse_bytes
from rag.parsing.pdf import without_running_lines
from tests.conftest import SAMPLE

LINES = [
    "第1回 テスト会議 議事要旨",
    "日時：令和5年9月1日（金）10時00分～11時00分",
    "出席者",
    "村井 純（座長） 慶應義塾大学 教授",
    "議事",
    "防災について",
    "村井：",
    "・避難所の通信環境を整備する。",
    "事務局：",
    "・資料に沿って説明。",
]


def make_pdf(lines: list[str], *, pages: int = 1, glyph_step: float = 0) -> bytes:
    """A PDF of ``lines``; with ``glyph_step``, each glyph is placed on its own that far apart, as
    some publishing tools write Japanese text."""
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    out = io.BytesIO()
    c = canvas.Canvas(out)
    for page in range(pages):
        c.setFont("HeiseiKakuGo-W5", 10)
        y = 800
        for line in lines:
            if glyph_step:
                for i, glyph in enumerate(line):
                    c.drawString(50 + i * glyph_step, y, glyph)
            else:
                c.drawString(50, y, line)
            y -= 14
        c.drawString(290, 30, str(page + 1))  # a page number, as in real minutes
        c.showPage()
    c.save()
    return out.getvalue()


def test_pdf_minutes_parse():
    parsed = parse_bytes(make_pdf(LINES), "minutes.pdf")
    m = parsed.meeting
    assert (m.title, m.date, m.start_time) == ("第1回 テスト会議 議事要旨", "2023-09-01", "10:00")
    assert [(t.speaker.name, t.topic, t.text) for t in parsed.turns] == [
        ("村井 純", "防災について", "避難所の通信環境を整備する。"),
        ("事務局", "防災について", "資料に沿って説明。"),
    ]


@pytest.mark.parametrize("step", [11, 14])
def test_a_pdf_placed_glyph_by_glyph_parses_like_its_text(step):
    # pypdf's plain extraction gives such a page one glyph a line; read by position it is the text
    parsed = parse_bytes(make_pdf(LINES, glyph_step=step), "minutes.pdf")
    m = parsed.meeting
    assert (m.title, m.date) == ("第1回 テスト会議 議事要旨", "2023-09-01")
    assert [(t.speaker.name, t.topic, t.text) for t in parsed.turns] == [
        ("村井 純", "防災について", "避難所の通信環境を整備する。"),
        ("事務局", "防災について", "資料に沿って説明。"),
    ]


def test_a_scanned_pdf_has_no_text_layer():
    with pytest.raises(ParseError) as info:
        parse_bytes(make_pdf([], pages=2), "scan.pdf")
    assert info.value.details["reason"] == "no_text_layer" and "OCR" in info.value.message


def test_a_broken_pdf():
    with pytest.raises(ParseError) as info:
        parse_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF", "broken.pdf")
    assert "broken.pdf" in info.value.message


def flowing_pdf(text: str, *, width: int, header: str = "") -> bytes:
    """``text`` as a PDF of lines of at most ``width`` characters, over as many pages as it takes,
    with ``header`` at the top of each page and the page number at the bottom."""
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    lines = [line[i : i + width] for line in text.split("\n") for i in range(0, max(len(line.rstrip()), 1), width)]
    out = io.BytesIO()
    c = canvas.Canvas(out)
    y, page = 0, 0
    for line in lines:
        if y < 60:
            if page:
                c.drawString(290, 30, f"- {page} -")
                c.showPage()
            page, y = page + 1, 800
            c.setFont("HeiseiKakuGo-W5", 8)
            c.drawString(400, 820, header)
        c.setFont("HeiseiKakuGo-W5", 10)
        c.drawString(50, y, line)
        y -= 14
    c.drawString(290, 30, f"- {page} -")
    c.save()
    return out.getvalue()


@pytest.mark.parametrize(
    ("width", "header"),
    [(25, ""), (45, ""), (45, "第７回東京デジタルサービス会議　議事要旨"), (30, "東京都デジタルサービス局")],
)
def test_lines_broken_mid_word_and_running_headers_are_not_speech(width, header):
    """The sample as a PDF broken mid-word (し, の, 都道府 + 県… stay in the speech), with a running
    header on every page (not a heading that cuts the turn it falls in)."""
    text = SAMPLE.read_text()
    want = [(t.speaker.name, t.topic) for t in parse_bytes(text.encode(), SAMPLE.name).turns]
    parsed = parse_bytes(flowing_pdf(text, width=width, header=header), "sample.pdf")
    assert [(t.speaker.name, t.topic) for t in parsed.turns] == want
    assert parsed.meeting.title.startswith("第７回東京デジタルサービス会議")  # or the header naming it


def test_running_lines_are_kept_once():
    pages = [
        "会議録　第1号\n議長：\n開会します。\n- 1 -",
        "会議録　第1号\n続けます。\n- 2 -",
        "会議録　第1号\n以上。\n- 3 -",
    ]
    assert without_running_lines(pages) == ["会議録　第1号\n議長：\n開会します。\n- 1 -", "続けます。", "以上。"]
    assert without_running_lines(pages[:2]) == pages[:2]  # two pages are too few to tell
