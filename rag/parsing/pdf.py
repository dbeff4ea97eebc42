"""PDF minutes: extract the text layer with pypdf, then parse it as one of the text formats.

Most minutes are published as PDF. A scanned PDF has no text layer; it gets a clear error that
says to run OCR first, rather than an empty meeting.
"""

from __future__ import annotations

import io
import logging

from rag.errors import DependencyMissing, ParseError

MAGIC = b"%PDF-"
# Fewer characters than this per page means there is no usable text layer (a scan).
_MIN_CHARS_PER_PAGE = 20


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
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ParseError(f"{name}: cannot read this PDF ({exc})", details={"file": name, "reason": "pdf"}) from exc
    text = "\n".join(pages)
    if len(text.strip()) < _MIN_CHARS_PER_PAGE * max(len(pages), 1):
        raise ParseError(
            f"{name}: the PDF has no text layer (a scanned image?); run OCR on it first, then ingest the text",
            details={"file": name, "reason": "no_text_layer", "pages": len(pages)},
        )
    return text
