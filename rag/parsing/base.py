"""What every minutes format shares: decoding bytes, the format interface, and meeting ids."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Protocol

from rag.errors import ParseError
from rag.text import find_date, find_time_range, nfkc

# Shift_JIS (as cp932) and EUC-JP are still common for Japanese public documents.
_FALLBACK_ENCODINGS = ("cp932", "euc_jp")


@dataclass(frozen=True)
class Source:
    """A minutes file's decoded text and where it came from."""

    name: str
    text: str
    content_hash: str
    encoding: str = "utf-8"


class MinutesFormat(Protocol):
    """One minutes format: ``sniff`` scores how likely ``text`` is in it, ``parse`` reads it."""

    name: str

    def sniff(self, source: Source) -> float:
        """Confidence in 0..1 that the source is in this format."""
        ...

    def parse(self, source: Source):  # -> ParsedMinutes
        """Parse the source; raises ``ParseError`` naming the file and the reason."""
        ...


# Markup that minutes converted to Markdown or saved from a page keep: never speech.
# Only a tag's own grammar (an HTML element name, then name=value attributes) counts, so a heading
# in angle brackets (<GovTech 東京について>, ＜防災について＞ after NFKC) is kept as text.
_HTML_ELEMENTS = (
    "a|abbr|article|aside|b|big|blockquote|body|br|caption|center|cite|code|col|colgroup|dd|del|details|"
    "div|dl|dt|em|figcaption|figure|font|footer|h[1-6]|head|header|hr|html|i|img|ins|kbd|li|link|main|"
    "mark|meta|nav|nobr|ol|p|pre|q|rb|rp|rt|ruby|s|section|small|span|strike|strong|style|sub|summary|sup|"
    "table|tbody|td|tfoot|th|thead|time|title|tr|tt|u|ul|wbr"
)
_HTML_ATTRIBUTE = r"""\s+[A-Za-z_:][-A-Za-z0-9_:.]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>=`]+))?"""
HTML_TAG = re.compile(rf"</?(?i:{_HTML_ELEMENTS})(?:{_HTML_ATTRIBUTE})*\s*/?>")
# A Markdown link or image whose target is a URL, an anchor or a file ([資料1](https://…/a.pdf),
# [開会](#anchor1)): its text is what the minutes say
_MARKDOWN_LINK = re.compile(
    r"!?\[([^\[\]]*)\]\((?:(?:https?://|mailto:|#|\.{0,2}/)[^\s()]*|[^\s()]+\.(?i:pdf|html?|xlsx?|docx?|pptx?|png|jpe?g))\)"
)


def without_markup(line: str) -> str:
    """``line`` without HTML tags (``<a id=…></a>``, ``</details>``), and Markdown links as their text."""
    return _MARKDOWN_LINK.sub(r"\1", HTML_TAG.sub("", line))


# Words that name a meeting, which a title line holds
MEETING_WORDS = re.compile(r"会議|検討会|委員会|協議会|審議会|部会|懇談会|研究会|分科会|会合|議会|有識者")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(\S.*)$")
_HEADING_NUMBER = re.compile(r"^[0-9０-９]+[.．、\s　]+")


def markdown_heading(line: str) -> str | None:
    """The section a Markdown heading names (``### ６　討議（２）`` → 討議（２）), "" for a table of
    contents (目次) or a bare number, None when ``line`` is not a heading."""
    found = _MARKDOWN_HEADING.match(line.strip())
    if not found:
        return None
    text = _HEADING_NUMBER.sub("", found.group(1)).strip()
    return "" if text == "目次" else text


def without_heading_marks(line: str) -> str:
    """``## 第3回 検討会`` → ``第3回 検討会``; other lines as they are."""
    return _MARKDOWN_HEADING.sub(r"\1", line.strip())


# The longest name of a column (発言者, 発言内容, 発言要旨): a cell longer, or with a digit, is data
_MAX_COLUMN_NAME = 8


def is_column_names(cells: list[str]) -> bool:
    """Whether a table's header row names its columns (``発言者 | 発言内容``) rather than holds data
    (``日時 | 令和6年5月28日``, which a converter may make the header of a table without one)."""
    cells = [cell.strip() for cell in cells]
    return len(cells) >= 2 and all(0 < len(c) <= _MAX_COLUMN_NAME and not re.search(r"\d", c) for c in cells)


def content_hash(data: bytes) -> str:
    """sha256 of a file's bytes, used to skip unchanged files."""
    return hashlib.sha256(data).hexdigest()


def looks_binary(data: bytes) -> bool:
    """True for data that is clearly not text (NUL bytes or many control characters)."""
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.05


# ISO-2022-JP (JIS), as older documents and mail were written: seven-bit bytes, with escapes into
# and out of kanji, which would otherwise read as control characters of a binary file
_JIS_ESCAPE = re.compile(rb"\x1b\$[@B]|\x1b\$\(D|\x1b\(J|\x1b\(I")
_JIS_ENCODINGS = ("iso2022_jp_ext", "iso2022_jp_2004", "iso2022_jp_2")


def _as_jis(data: bytes) -> str | None:
    """The text of ISO-2022-JP bytes, or None for any other encoding."""
    if not _JIS_ESCAPE.search(data[:4096]) or not data.isascii():
        return None
    for encoding in _JIS_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


# Office files that are not read, and what to save them as instead
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .ppt before 2007
_ZIP = b"PK\x03\x04"


def _office_hint(data: bytes) -> str:
    """What to do with an office file this does not read ("" for anything else)."""
    if data.startswith(_OLE2):
        return " (an older Office file, .doc or .xls: save it as .docx, or a sheet as CSV, and ingest that)"
    if data.startswith(_ZIP) and any(part.startswith("xl/") for part in _zip_names(data)):
        return " (an Excel workbook: save the sheet as CSV, with a 発言者 and a 発言内容 column, and ingest that)"
    return ""


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except zipfile.BadZipFile:
        return []


def decode(data: bytes, name: str) -> Source:
    """Decode minutes bytes: UTF-8 (with or without BOM), else Shift_JIS/cp932, else EUC-JP; ISO-2022-JP
    where its escapes show it."""
    if not data.strip():
        raise ParseError(f"{name}: the file is empty", details={"file": name, "reason": "empty"})
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Source(name, unix_newlines(data.decode("utf-16")), content_hash(data), "utf-16")
    jis = _as_jis(data)
    if jis is not None:
        return Source(name, unix_newlines(jis), content_hash(data), "iso2022_jp")
    if looks_binary(data):
        raise ParseError(
            f"{name}: this is a binary file, not minutes text{_office_hint(data)}",
            details={"file": name, "reason": "binary"},
        )
    for encoding in ("utf-8-sig", *_FALLBACK_ENCODINGS):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return Source(name, unix_newlines(text), content_hash(data), encoding)
    raise ParseError(
        f"{name}: the text is neither UTF-8 nor Shift_JIS/EUC-JP; re-save it as UTF-8",
        details={"file": name, "reason": "encoding"},
    )


# How far into a document its date is looked for, and the headings that introduce it.
_HEAD_LINES = 60
_DATE_HEADS = re.compile(r"^[■□◆【\[(（]?\s*(日時|開催日時|開催日|日付|開催年月日|期日)\s*[】\])）]?\s*[:：]?\s*(.*)$")


def find_when(lines: list[str]) -> tuple[str, str, str]:
    """(date, start, end) from a 日時 block in the first lines (its value on the same or a later line),
    else the first date in them."""
    head = lines[:_HEAD_LINES]
    for i, line in enumerate(head):
        match = _DATE_HEADS.match(line)
        if not match:
            continue
        value = " ".join([match.group(2), *head[i + 1 : i + 3]])
        if find_date(value):
            return find_date(value), *find_time_range(value)
    text = " ".join(head)
    return find_date(text), *find_time_range(text)


def meeting_id_for(title: str, date: str) -> str:
    """A stable meeting id from its date and title: ``2023-08-31-3f2a9c1b``."""
    key = re.sub(r"\s+", "", nfkc(title))
    digest = hashlib.sha1(f"{date}|{key}".encode()).hexdigest()[:8]
    return f"{date or 'undated'}-{digest}"


def json_or_none(data: bytes | str) -> Any:
    """Parsed JSON, or None for anything that is not JSON (undecodable, invalid, nested too deep)."""
    try:
        return json.loads(data.decode("utf-8-sig") if isinstance(data, bytes) else data)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def unix_newlines(text: str) -> str:
    """``text`` with its Windows (``\\r\\n``) and old Mac (``\\r``) line ends as ``\\n``, which the
    parsers split on."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _json_newlines(value: object) -> object:
    """Every string of parsed JSON with ``unix_newlines``: the Diet API writes a speech's lines with
    ``\\r\\n`` inside the string, where decoding the file could not reach them."""
    if isinstance(value, str):
        return unix_newlines(value)
    if isinstance(value, list):
        return [_json_newlines(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_newlines(v) for k, v in value.items()}
    return value


def load_json(text: str, name: str) -> object:
    """Parsed JSON, its strings' line ends made ``\\n``, or a ``ParseError`` that says why not
    (invalid, or nested too deep to read)."""
    try:
        return _json_newlines(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ParseError(f"{name}: invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:
        raise ParseError(f"{name}: the JSON is nested too deeply to read", details={"file": name}) from exc


def wrong_shape(name: str, exc: Exception) -> ParseError:
    """The error for JSON whose values are not of the types its format has (a number where a speech goes)."""
    return ParseError(
        f"{name}: the JSON does not have the shape of its format ({type(exc).__name__}: {exc})",
        details={"file": name, "reason": "wrong_shape"},
    )


def no_turns(name: str) -> ParseError:
    """The error for a file in which no speaker turns were found."""
    return ParseError(
        f"{name}: no speaker turns were found; is this a minutes file?",
        details={"file": name, "reason": "no_turns"},
    )
