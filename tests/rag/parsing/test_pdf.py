"""PDF minutes: a PDF the test generates (Japanese text, CID font) parses like its text; a PDF
with no text layer, and a broken PDF, get clear errors."""

from __future__ import annotations

import io

import pytest

from rag.errors import ParseError
from rag.parsing import parse_bytes
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


def make_pdf(lines: list[str], *, pages: int = 1) -> bytes:
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


def test_a_scanned_pdf_has_no_text_layer():
    with pytest.raises(ParseError) as info:
        parse_bytes(make_pdf([], pages=2), "scan.pdf")
    assert info.value.details["reason"] == "no_text_layer" and "OCR" in info.value.message


def test_a_broken_pdf():
    with pytest.raises(ParseError) as info:
        parse_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF", "broken.pdf")
    assert "broken.pdf" in info.value.message


def flowing_pdf(text: str, *, width: int) -> bytes:
    """``text`` as a PDF of lines of at most ``width`` characters, over as many pages as it takes."""
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    lines = [line[i : i + width] for line in text.split("\n") for i in range(0, max(len(line.rstrip()), 1), width)]
    out = io.BytesIO()
    c = canvas.Canvas(out)
    y = 800
    for line in lines:
        if y < 60:
            c.showPage()
            y = 800
        c.setFont("HeiseiKakuGo-W5", 10)
        c.drawString(50, y, line)
        y -= 14
    c.save()
    return out.getvalue()


@pytest.mark.parametrize("width", [25, 45])
def test_lines_broken_mid_word_are_not_taken_for_speakers(width):
    """The sample as a PDF broken mid-word: short pieces (し, の, 都道府 + 県…) stay in the speech."""
    text = SAMPLE.read_text()
    want = [(t.speaker.name, t.topic) for t in parse_bytes(text.encode(), SAMPLE.name).turns]
    got = [(t.speaker.name, t.topic) for t in parse_bytes(flowing_pdf(text, width=width), "sample.pdf").turns]
    assert got == want
