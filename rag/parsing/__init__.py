"""Minutes formats: automatic detection, an override by name, and one entry point for files.

Each format is one module exposing ``name``, ``sniff(source)`` and ``parse(source)``; adding a
format means adding a module and listing it in ``FORMATS``.
"""

from __future__ import annotations

from pathlib import Path

from rag.errors import ParseError
from rag.models import ParsedMinutes
from rag.parsing import assembly_json, kokkai, markdown_turns, pdf, summary, verbatim
from rag.parsing.base import MinutesFormat, Source, content_hash, decode

FORMATS: dict[str, MinutesFormat] = {m.name: m for m in (kokkai, assembly_json, markdown_turns, verbatim, summary)}
_MIN_CONFIDENCE = 0.2


def detect(source: Source) -> MinutesFormat:
    """The format that claims the source most confidently; ``ParseError`` when none does."""
    scored = sorted(((fmt.sniff(source), fmt.name) for fmt in FORMATS.values()), reverse=True)
    score, best = scored[0]
    if score < _MIN_CONFIDENCE:
        raise ParseError(
            f"{source.name}: not recognised as minutes (no speaker turns in any known format: {', '.join(FORMATS)})",
            details={"file": source.name, "reason": "unrecognised"},
        )
    return FORMATS[best]


def parse_bytes(data: bytes, name: str, *, fmt: str | None = None) -> ParsedMinutes:
    """Decode and parse one minutes file (text, JSON or PDF); ``fmt`` forces a text format by name."""
    if pdf.is_pdf(data):
        text = pdf.extract_text(data, name)
        source = Source(name, text, content_hash(data), "pdf")
    else:
        source = decode(data, name)
    if fmt is not None:
        if fmt not in FORMATS:
            raise ParseError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
        return FORMATS[fmt].parse(source)
    return detect(source).parse(source)


def parse_path(path: Path, *, fmt: str | None = None) -> ParsedMinutes:
    """Read and parse a minutes file from disk."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{path}: cannot read ({exc.strerror})", details={"file": str(path)}) from exc
    return parse_bytes(data, path.name, fmt=fmt)


__all__ = ["FORMATS", "detect", "parse_bytes", "parse_path"]
