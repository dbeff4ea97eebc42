"""Word (.docx) minutes: paragraphs and tables in document order, then parsed as a text format.

Assemblies and secretariats often circulate 議事録 as Word files. python-docx reads the body;
each paragraph is a line, each table row a line of its cells separated by tabs (rosters and
agendas are often tables), in the order they appear.
"""

from __future__ import annotations

import io
import zipfile

from rag.errors import DependencyMissing, ParseError

SUFFIXES = (".docx",)
_ZIP = b"PK\x03\x04"


def is_docx(data: bytes, name: str) -> bool:
    """Whether the bytes are a Word document (a zip holding ``word/document.xml``)."""
    if not data.startswith(_ZIP):
        return False
    if name.lower().endswith(SUFFIXES):
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def extract_text(data: bytes, name: str) -> str:
    """The document's text, one line per paragraph or table row; ``ParseError`` for a broken file."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:
        raise DependencyMissing("reading Word minutes needs python-docx: pip install python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zip, XML and key errors alike for a damaged file
        details = {"file": name, "reason": "docx"}
        raise ParseError(f"{name}: cannot read this Word file ({exc})", details=details) from exc
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(element, document).text)
        elif tag == "tbl":
            for row in Table(element, document).rows:
                cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells))  # merged cells repeat
                lines.append("\t".join(c for c in cells if c))  # apart by tabs, as a page's table rows are
    text = "\n".join(lines)
    if not text.strip():
        raise ParseError(f"{name}: the Word file holds no text", details={"file": name, "reason": "empty"})
    return text
