"""The Diet minutes API's XML, its default ``recordPacking``, read as the JSON it gives for ``json``.

The API wraps each meeting (``meeting`` API) or speech (``speech`` API) of a response in
``<records><record><recordData>…</recordData></record></records>`` under ``<data>``, with the same
field names as its JSON. ``as_json`` rewrites such a response as that JSON, so that the Diet
format (``kokkai``) reads, splits and reports it as it reads a JSON response: one parser, two
packings. Elements are found wherever they sit, so another wrapper reads the same.
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

from rag.errors import ParseError

# The API's own elements, one of which a response names near its start (an empty search:
# numberOfRecords; a refused request: its message)
_DIET_XML = re.compile(rb"<(?:meetingRecord|speechRecord|numberOfRecords)[\s/>]|<data>\s*<message>")
# A declaration of entities, which the API never sends and which an XML bomb needs
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_COUNTS = ("numberOfRecords", "numberOfReturn", "startRecord", "nextRecordPosition")


def is_xml(data: bytes, name: str) -> bool:
    """Whether ``data`` is XML: it opens with an XML declaration, or the file is named ``.xml``."""
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<?xml") or (name.lower().endswith(".xml") and head.startswith(b"<"))


def as_json(data: bytes, name: str) -> bytes | None:
    """A Diet API XML response as the API's JSON; None for anything that is not XML.

    Raises ``ParseError`` for XML that is not the API's, that is not well formed, or that declares
    entities.
    """
    if not is_xml(data, name):
        return None
    if not _DIET_XML.search(data[:20000]):
        raise ParseError(
            f"{name}: XML other than the Diet minutes API's is not read; save the minutes as text, "
            "HTML, PDF or the API's JSON or XML",
            details={"file": name, "reason": "unrecognised"},
        )
    if _DECLARATION.search(data):
        raise ParseError(
            f"{name}: this XML declares a document type or entities, which the Diet minutes API's never does",
            details={"file": name, "reason": "xml_declarations"},
        )
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ParseError(f"{name}: not well-formed XML ({exc})", details={"file": name, "reason": "bad_xml"}) from exc
    return json.dumps(_response(root, name), ensure_ascii=False).encode()


def _response(root: ElementTree.Element, name: str) -> dict[str, object]:
    """The response's counts, meetings (each with its speeches) and speeches that stand alone."""
    found = {key: root.find(f".//{key}") for key in _COUNTS}
    out: dict[str, object] = {key: _text(element) for key, element in found.items() if element is not None}
    records = list(root.iter("meetingRecord"))
    inside = {id(s) for m in records for s in m.iter("speechRecord")}
    speeches = [_fields(s) for s in root.iter("speechRecord") if id(s) not in inside]
    if records:
        out["meetingRecord"] = [_meeting(m) for m in records]
    if speeches:
        out["speechRecord"] = speeches
    message = root.find(".//message")
    if not records and not speeches and message is not None:
        raise ParseError(
            f"{name}: the Diet minutes API answered with an error: {_text(message)}",
            details={"file": name, "reason": "api_error"},
        )
    return out


def _meeting(element: ElementTree.Element) -> dict[str, object]:
    record: dict[str, object] = {c.tag: _text(c) for c in element if c.tag != "speechRecord"}
    record["speechRecord"] = [_fields(s) for s in element.iter("speechRecord")]
    return record


def _fields(element: ElementTree.Element) -> dict[str, str]:
    return {c.tag: _text(c) for c in element}


def _text(element: ElementTree.Element | None) -> str:
    return "" if element is None else "".join(element.itertext())
