"""PDF minutes: extract the text layer with pypdf, then parse it as one of the text formats.

Most minutes are published as PDF. A scanned PDF has no text layer; it gets a clear error that
says to run OCR first, rather than an empty meeting. Running headers and footers (a line at the top
or bottom of most pages: the meeting's name, ``- 3 -``) are kept once, not cut into every page's
speech. A PDF whose glyphs are placed one by one is read by position (pypdf's layout mode).
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from rag.errors import DependencyMissing, ParseError
from rag.parsing.pages import without_running_lines

MAGIC = b"%PDF-"
# Fewer characters than this per page means there is no usable text layer (a scan).
_MIN_CHARS_PER_PAGE = 20
# A page of at least this many lines, most of one glyph, was placed glyph by glyph (``_page_text``).
_GLYPH_LINES = 10
_GAP = re.compile(r"[ \u3000]+")


def is_pdf(data: bytes) -> bool:
    """Whether the bytes are a PDF file."""
    return data[:1024].lstrip().startswith(MAGIC)


def extract_text(data: bytes, name: str) -> str:
    """The text of every page, pages separated by newlines; ``ParseError`` for a scan or a broken file."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:
        raise DependencyMissing("reading PDF minutes needs pypdf: pip install pypdf") from exc
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns on every odd font; errors still raise
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ParseError(f"{name}: the PDF is encrypted", details={"file": name, "reason": "encrypted"})
        pages = [_page_text(page) for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ParseError(f"{name}: cannot read this PDF ({exc})", details={"file": name, "reason": "pdf"}) from exc
    text = "\n".join(without_running_lines(pages))
    if len(text.strip()) < _MIN_CHARS_PER_PAGE * max(len(pages), 1):
        raise ParseError(
            f"{name}: the PDF has no text layer (a scanned image?); run OCR on it first, then ingest the text",
            details={"file": name, "reason": "no_text_layer", "pages": len(pages)},
        )
    return text


def _page_text(page: Any) -> str:  # a pypdf PageObject: pypdf is imported only when a PDF is read
    """A page's text; where its glyphs are placed one by one, so that pypdf gives each glyph a
    line of its own, the text read by position instead, less the spaces it puts between glyphs."""
    text = page.extract_text() or ""
    if not _glyph_per_line(text):
        return text
    placed = page.extract_text(extraction_mode="layout") or ""
    return "\n".join(_GAP.sub(_gap, line).strip() for line in placed.split("\n"))


def _glyph_per_line(text: str) -> bool:
    """Whether most of a page's lines hold one glyph: the plain extraction of positioned glyphs."""
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) >= _GLYPH_LINES and sum(len(line.strip()) == 1 for line in lines) >= 0.6 * len(lines)


def _gap(match: re.Match[str]) -> str:
    """Read by position, glyphs of a word stand a space apart and words two or more: 議 事 要 旨   村井."""
    return "" if len(match.group()) == 1 else " "
