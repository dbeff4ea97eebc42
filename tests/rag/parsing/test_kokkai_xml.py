"""The Diet API's XML packing reads as its JSON does."""

from __future__ import annotations

import json
from dataclasses import replace
from xml.sax.saxutils import escape

import pytest

from rag.errors import ParseError
from rag.ingest import expand_paths
from rag.parsing import parse_all
from tests.conftest import FIXTURES

RESPONSE = json.loads((FIXTURES / "kokkai-two-meetings.json").read_text(encoding="utf-8"))


def _element(tag: str, value: object) -> str:
    if isinstance(value, list):
        return "".join(f"<{tag}>{''.join(_element(k, v) for k, v in item.items())}</{tag}>" for item in value)
    return f"<{tag}/>" if value in (None, "") else f"<{tag}>{escape(str(value))}</{tag}>"


def _xml(response: dict, records: str = "meetingRecord") -> bytes:
    """``response`` packed as the API packs XML: counts, then each record in records/record/recordData."""
    counts = "".join(_element(k, v) for k, v in response.items() if not isinstance(v, list))
    wrapped = "".join(
        f"<record><recordData>{_element(records, [item])}</recordData><recordPosition>{i}</recordPosition></record>"
        for i, item in enumerate(response.get(records, []), start=1)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<data>{counts}<records>{wrapped}</records></data>'.encode()


def _same(parsed) -> list:
    return [(replace(p.meeting, content_hash="", source_name=""), p.turns) for p in parsed]


def test_a_meeting_api_response_in_xml_reads_as_the_same_response_in_json():
    from_json = parse_all((FIXTURES / "kokkai-two-meetings.json").read_bytes(), "diet.json")
    from_xml = parse_all(_xml(RESPONSE), "diet.xml")
    assert [name for name in (p.meeting.source_name for p in from_xml)] == ["diet.xml#1", "diet.xml#2"]
    assert _same(from_xml) == _same(from_json)
    assert from_xml[0].turns[0].speaker.name and from_xml[0].meeting.attendees == from_json[0].meeting.attendees


def test_a_speech_api_response_in_xml_is_grouped_into_its_meetings():
    meeting_fields = ("issueID", "session", "nameOfHouse", "nameOfMeeting", "issue", "date")
    speeches = [
        {**{k: m[k] for k in meeting_fields}, **speech}
        for m in RESPONSE["meetingRecord"]
        for speech in m["speechRecord"]
        if str(speech["speechOrder"]) != "0"
    ]
    parsed = parse_all(_xml({"numberOfRecords": len(speeches), "speechRecord": speeches}, "speechRecord"), "s.xml")
    assert [len(p.turns) for p in parsed] == [
        len([s for s in m["speechRecord"] if str(s["speechOrder"]) != "0"]) for m in RESPONSE["meetingRecord"]
    ]
    assert [p.meeting.date for p in parsed] == [m["date"] for m in RESPONSE["meetingRecord"]]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (_xml({"numberOfRecords": 0}), "matched none"),
        (b'<?xml version="1.0"?><data><numberOfRecords>1</numberOfRecords><records>', "not well-formed"),
        (b'<?xml version="1.0"?><rss><channel><title>news</title></channel></rss>', "other than the Diet"),
        (
            b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY a "aaaa">]><data><numberOfRecords>&a;</numberOfRecords></data>',
            "declares",
        ),
        (b"<data><message>Invalid parameter</message></data>", "error: Invalid parameter"),
    ],
    ids=["empty-search", "cut-short", "other-xml", "entities", "api-error"],
)
def test_xml_that_holds_no_diet_meeting_is_refused_with_the_reason(data, says):
    with pytest.raises(ParseError, match=says):
        parse_all(data, "diet.xml")


def test_a_directory_gives_its_xml_files_to_ingest(tmp_path):
    (tmp_path / "diet.xml").write_bytes(_xml(RESPONSE))
    (tmp_path / "notes.xlsx").write_bytes(b"PK\x03\x04")  # a spreadsheet: not read
    assert [f.path.name for f in expand_paths([tmp_path])] == ["diet.xml"]
