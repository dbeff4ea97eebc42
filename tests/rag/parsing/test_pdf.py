"""PDF minutes: a PDF the test generates (Japanese text, CID font) parses like its text; a PDF
with no text layer, and a broken PDF, get clear errors."""

from __future__ import annotations

import io

import pytest

from rag.errors import ParseError
from rag.parsing import parse_bytes

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
