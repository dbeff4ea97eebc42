"""Minutes formats: automatic detection, an override by name, and one entry point for files.

Each format is one module exposing ``name``, ``sniff(source)`` and ``parse(source)``; adding a
format means adding a module and listing it in ``FORMATS``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rag.errors import NotMinutes, ParseError
from rag.models import ParsedMinutes
from rag.parsing import (
    assembly_json,
    csv_table,
    docx,
    html,
    kokkai,
    kokkai_xml,
    markdown_turns,
    pdf,
    plain,
    summary,
    verbatim,
)
from rag.parsing.base import MinutesFormat, Source, content_hash, decode, json_or_none
from rag.parsing.chairs import with_chairs_named
from rag.parsing.introductions import with_introduced_names
from rag.parsing.pages import without_page_furniture
from rag.people import compact
from rag.text import plain_spaces

FORMATS: dict[str, MinutesFormat] = {
    m.name: m for m in (kokkai, assembly_json, csv_table, markdown_turns, verbatim, summary, plain)
}
_MIN_CONFIDENCE = 0.2
_JSON_FORMATS = (kokkai.name, assembly_json.name)
# Text formats that can claim the same document; a second one this sure is parsed too (``_best_parse``).
_TEXT_FORMATS = (summary.name, verbatim.name, markdown_turns.name)
_RIVAL = 0.5
# Why a text may still be read as plain paragraphs: no format claimed it, or the one that did found no turns.
_FALLBACK_REASONS = {"unrecognised": "no minutes format was recognised", "no_turns": "no speaker lines were recognised"}


def _ranked(source: Source) -> list[tuple[float, MinutesFormat]]:
    """Every format with its confidence, most confident first; ``ParseError`` when none is confident.

    JSON is only ever one of the JSON formats: read as text, its ``"speaker": "宮坂",`` lines look
    like a summary's speaker lines."""
    as_json = _is_json(source.text)
    names = _JSON_FORMATS if as_json else tuple(FORMATS)
    scored = sorted(((FORMATS[fmt_name].sniff(source), fmt_name) for fmt_name in names), reverse=True)
    if scored[0][0] < _MIN_CONFIDENCE:
        what = (
            f"JSON, but not in a shape this reads ({', '.join(names)})"
            if as_json
            else (f"no speaker turns in any known format: {', '.join(FORMATS)}")
        )
        raise ParseError(
            f"{source.name}: not recognised as minutes ({what})",
            details={"file": source.name, "reason": "unrecognised"},
        )
    return [(score, FORMATS[fmt_name]) for score, fmt_name in scored]


def detect(source: Source) -> MinutesFormat:
    """The format that claims the source most confidently; ``ParseError`` when none does."""
    return _ranked(source)[0][1]


def _is_json(text: str) -> bool:
    """Whether ``text`` is a JSON object or list (which no text format reads)."""
    return text.lstrip().startswith(("{", "[")) and json_or_none(text) is not None


def _best_parse(source: Source) -> ParsedMinutes:
    """The most confident format's parse; where another text format claims the text too, the parse
    that attributes the most turns (the Diet's text, a long roster then ``○`` turns, has 出席委員
    headers a summary also has: read as a summary, its 19 turns were 2)."""
    (_, best), *others = _ranked(source)  # each format sniffs once
    if best.name not in _TEXT_FORMATS:
        return best.parse(source)
    rivals = [fmt for score, fmt in others if fmt.name in _TEXT_FORMATS and score >= _RIVAL]
    if not rivals:
        return best.parse(source)
    parses, errors = [], []
    for fmt in (best, *rivals):
        try:
            parses.append(fmt.parse(source))
        except ParseError as exc:
            errors.append(exc)
    if not parses:
        raise errors[0]
    return max(parses, key=_reading)  # ties: the most confident format's


def _reading(parsed: ParsedMinutes) -> tuple[int, int]:
    """How well a parse reads its file: turns with a speaker, then turns whose speaker is on its
    roster (田野瀬 read as a surname loses to 田野瀬太道 resolved)."""
    names = {compact(a.name) for a in parsed.meeting.attendees}
    attributed = sum(1 for t in parsed.turns if t.speaker.attribution == "speaker")
    return attributed, sum(1 for t in parsed.turns if compact(t.speaker.name) in names)


def to_source(data: bytes, name: str) -> Source:
    """The text of a file: a PDF's text layer, a Word document's paragraphs, an HTML page's main
    text, or decoded plain text (UTF-8, Shift_JIS, EUC-JP, JIS), less the running lines of the
    pages it was extracted from; odd spaces (a page's &nbsp;) read as spaces in every one."""
    if pdf.is_pdf(data):
        return Source(name, plain_spaces(pdf.extract_text(data, name)), content_hash(data), "pdf")
    if docx.is_docx(data, name):
        return Source(name, plain_spaces(docx.extract_text(data, name)), content_hash(data), "docx")
    source = decode(data, name)
    if html.is_html(data, name):
        return Source(name, plain_spaces(html.extract_text(source.text, name)), source.content_hash, "html")
    text = plain_spaces(source.text)
    if not text.lstrip().startswith(("{", "[", "<")):  # JSON and XML have no pages
        text = without_page_furniture(text)
    return replace(source, text=text)


def _xml_as_json(data: bytes, name: str, *, fallback: bool) -> bytes:
    """The Diet API's XML as its JSON, anything else as it is; XML of another kind found in a
    directory (without ``fallback``) is not minutes, as a README beside them is not."""
    try:
        return kokkai_xml.as_json(data, name) or data
    except ParseError as exc:
        if fallback or exc.details.get("reason") != "unrecognised":
            raise
        raise NotMinutes(
            "not minutes (XML other than the Diet minutes API's)", details={"file": name, "reason": "not_minutes"}
        ) from exc


def _named(parsed: ParsedMinutes) -> ParsedMinutes:
    """Speakers named as the whole meeting names them: a chair's post alone as its holder, a
    surname as the full name the text introduces."""
    return with_introduced_names(with_chairs_named(parsed))


def parse_bytes(data: bytes, name: str, *, fmt: str | None = None, fallback: bool = True) -> ParsedMinutes:
    """Decode and parse one minutes file (text, JSON, PDF, HTML or Word); ``fmt`` forces a text format by name.

    A readable text in which no format finds speaker turns is read as plain paragraphs, or, without
    ``fallback``, raises ``NotMinutes``.
    """
    source = to_source(_xml_as_json(data, name, fallback=fallback), name)
    if fmt is not None:
        if fmt not in FORMATS:
            raise ParseError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
        if fmt in (*_TEXT_FORMATS, plain.name) and _is_json(source.text):
            raise ParseError(
                f"{name}: this is JSON, not {fmt} text; choose the format {kokkai.name} or {assembly_json.name}, "
                "or leave the format out to detect it",
                details={"file": name, "reason": "json_as_text"},
            )
        return _named(FORMATS[fmt].parse(source))
    try:
        return _named(_best_parse(source))
    except ParseError as exc:
        reason = _FALLBACK_REASONS.get(exc.details.get("reason", ""))
        as_json = source.text.lstrip().startswith(("{", "["))
        if not fallback and as_json and exc.details.get("reason") == "unrecognised":
            # found in a directory beside the minutes, as a package.json or a data schema may be
            raise NotMinutes(
                "not minutes (JSON in none of the minutes shapes this reads)",
                details={"file": name, "reason": "not_minutes"},
            ) from exc
        if reason is None or as_json:
            raise  # JSON that fits no format, and other errors, keep their message
        if not fallback:
            raise NotMinutes(
                f"not minutes ({reason}); name the file itself to ingest it as paragraphs",
                details={"file": name, "reason": "not_minutes"},
            ) from exc
        return plain.parse(source, reason=reason)


# Formats whose files may hold several meetings, each with a ``split(data, name)`` into one document per meeting.
_SPLITTERS = {kokkai.name: kokkai.split, assembly_json.name: assembly_json.split, csv_table.name: csv_table.split}


def split_meetings(data: bytes, name: str, *, fmt: str | None = None) -> list[tuple[bytes, str]]:
    """A file's meetings as ``(document, name)`` parts: one per meeting of a Diet API response or of a
    list of assembly proceedings (``name#1``, ``name#2``…), the file itself for every other file;
    ingest reads each part on its own. A PoliInfo bundle of local and Diet minutes is cut into both.
    The Diet API's XML is cut as its JSON is."""
    try:
        data = kokkai_xml.as_json(data, name) or data
    except ParseError:
        return [(data, name)]  # parse_bytes says what is wrong with it, for this file alone
    bundle = assembly_json.split_bundle(data, name) if fmt is None else None
    if bundle:
        return bundle
    for fmt_name, split in _SPLITTERS.items():
        if fmt not in (None, fmt_name):
            continue
        parts = split(data, name)
        if len(parts) > 1 or parts[0][0] is not data:  # cut, or rewritten (a speech-API response)
            return parts
    return [(data, name)]


def parse_all(data: bytes, name: str, *, fmt: str | None = None) -> list[ParsedMinutes]:
    """Every meeting in a file (see ``split_meetings``), each parsed like ``parse_bytes``."""
    return [parse_bytes(part, part_name, fmt=fmt) for part, part_name in split_meetings(data, name, fmt=fmt)]


def parse_path(path: Path, *, fmt: str | None = None) -> ParsedMinutes:
    """Read and parse a minutes file from disk."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{path}: cannot read ({exc.strerror})", details={"file": str(path)}) from exc
    return parse_bytes(data, path.name, fmt=fmt)


__all__ = ["FORMATS", "detect", "parse_all", "parse_bytes", "parse_path", "split_meetings"]
