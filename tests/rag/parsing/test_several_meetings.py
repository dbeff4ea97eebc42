"""Files of several meetings: Diet API responses (the meeting API's, up to ten, and the speech API's;
the meeting_list API's and an empty one are refused with what to fetch instead) and a JSON list of
assembly proceedings."""

from __future__ import annotations

import json

import pytest

from rag.engine import Engine
from rag.errors import ParseError
from rag.parsing import parse_all, parse_bytes, split_meetings
from tests.conftest import FIXTURES, fake_encoder, make_settings

PATH = FIXTURES / "kokkai-two-meetings.json"  # a meeting-API response: two meetings
MEETING_API = PATH.read_bytes()
MEETINGS = json.loads(MEETING_API)["meetingRecord"]


def _speech_api() -> bytes:
    """The speech API's shape: speeches at the top, each naming its meeting; two meetings interleaved."""
    speeches = []
    for meeting in MEETINGS:
        fields = {k: v for k, v in meeting.items() if k != "speechRecord"}
        speeches += [{**fields, **speech} for speech in meeting["speechRecord"][1:]]
    order = [speeches[0], speeches[2], speeches[3], speeches[1]]
    return json.dumps({"numberOfRecords": 4, "speechRecord": order}, ensure_ascii=False).encode()


def test_a_meeting_response_splits_into_its_meetings():
    parts = split_meetings(MEETING_API, "diet.json")
    assert [name for _, name in parts] == ["diet.json#1", "diet.json#2"]
    parsed = parse_all(MEETING_API, "diet.json")
    assert [p.meeting.title for p in parsed] == [
        "第213回国会 参議院 内閣委員会 第1号",
        "第213回国会 参議院 総務委員会 第1号",
    ]
    assert [p.meeting.date for p in parsed] == ["2024-03-01", "2024-03-05"]
    assert [[t.speaker.name for t in p.turns] for p in parsed] == [["山田太郎", "佐藤一郎"], ["鈴木花子", "佐藤一郎"]]
    assert parsed[1].turns[0].source_id == "121315124X00120240305_001"


def test_one_meeting_stays_the_file_itself():
    one = json.dumps({"meetingRecord": MEETINGS[:1]}, ensure_ascii=False).encode()
    assert split_meetings(one, "diet.json") == [(one, "diet.json")]  # same bytes: same hash, skipped when unchanged
    assert split_meetings(b"not json", "x.txt") == [(b"not json", "x.txt")]
    assert split_meetings(MEETING_API, "diet.json", fmt="summary") == [(MEETING_API, "diet.json")]


def test_a_bare_list_of_meeting_records_is_read_as_the_meeting_apis_response():
    bare = json.dumps(MEETINGS, ensure_ascii=False).encode()  # the meetingRecord list saved alone
    assert [p.meeting.title for p in parse_all(bare, "diet.json")] == [
        p.meeting.title for p in parse_all(MEETING_API, "diet.json")
    ]
    one = json.dumps(MEETINGS[:1], ensure_ascii=False).encode()
    assert [name for _, name in split_meetings(one, "diet.json")] == ["diet.json"]
    fields = {k: v for k, v in MEETINGS[0].items() if k != "speechRecord"}
    speeches = [{**fields, **speech} for speech in MEETINGS[0]["speechRecord"][1:]]
    response = json.dumps({"numberOfRecords": len(speeches), "speechRecord": speeches}, ensure_ascii=False).encode()
    assert [name for _, name in split_meetings(response, "speeches.json")] == ["speeches.json#1"]  # as before
    assert parse_all(one, "diet.json")[0].meeting.date == "2024-03-01"


def test_parse_bytes_refuses_several_meetings_rather_than_reading_one():
    with pytest.raises(ParseError, match="holds 2 meetings") as caught:
        parse_bytes(MEETING_API, "diet.json")
    assert caught.value.details["reason"] == "several_meetings"


def test_a_speech_response_is_grouped_by_meeting_in_speech_order():
    parsed = parse_all(_speech_api(), "speeches.json")
    assert [p.meeting.title for p in parsed] == [
        "第213回国会 参議院 内閣委員会 第1号",
        "第213回国会 参議院 総務委員会 第1号",
    ]
    assert [[t.source_id[-3:] for t in p.turns] for p in parsed] == [["001", "002"], ["001", "002"]]
    assert parsed[0].meeting.url == "https://kokkai.ndl.go.jp/txt/121315124X00120240301"


def test_ingest_indexes_every_meeting_and_skips_them_when_unchanged(tmp_path, sudachi):
    engine = Engine(make_settings(tmp_path / "index"), encoder=fake_encoder(), tokenize=sudachi)
    path = tmp_path / "diet.json"
    path.write_bytes(MEETING_API)
    reports = engine.ingest([path])
    assert [(r.path, r.status, r.remarks) for r in reports] == [
        (f"{path}#1", "ingested", 2),
        (f"{path}#2", "ingested", 2),
    ]
    assert len({r.meeting_id for r in reports}) == 2
    assert engine.snapshot().manifest["counts"]["meetings"] == 2
    assert [r.status for r in engine.ingest([path])] == ["skipped", "skipped"]


def _meeting_list() -> bytes:
    """The meeting_list API's shape: each meeting with its speeches' ids and speakers, no text."""
    listed = [
        {
            **{k: v for k, v in m.items() if k != "speechRecord"},
            "speechRecord": [{k: v for k, v in speech.items() if k != "speech"} for speech in m["speechRecord"]],
        }
        for m in MEETINGS
    ]
    return json.dumps({"numberOfRecords": 2, "meetingRecord": listed}, ensure_ascii=False).encode()


def test_a_meeting_list_response_says_where_the_text_is():
    parts = split_meetings(_meeting_list(), "list.json")
    assert len(parts) == 2
    for part, name in parts:
        with pytest.raises(ParseError, match=r"without their text.*api/meeting") as caught:
            parse_bytes(part, name)
        assert caught.value.details["reason"] == "no_speech_text"


@pytest.mark.parametrize("count", [0, "0"])
def test_a_response_whose_search_matched_nothing_says_so(count):
    empty = json.dumps({"numberOfRecords": count, "numberOfReturn": count, "startRecord": 1}).encode()
    assert split_meetings(empty, "none.json") == [(empty, "none.json")]
    with pytest.raises(ParseError, match=r"holds no meetings \(numberOfRecords 0\)") as caught:
        parse_bytes(empty, "none.json")
    assert caught.value.details["reason"] == "no_meetings"
    counted = json.dumps({"numberOfRecords": 3}).encode()  # a count, and no list to read: another shape
    with pytest.raises(ParseError, match="no meetingRecord or speechRecord list"):
        parse_bytes(counted, "counted.json")


def test_a_speech_response_read_whole_is_refused_for_its_several_meetings():
    with pytest.raises(ParseError, match="holds 2 meetings"):
        parse_bytes(_speech_api(), "speeches.json")


@pytest.mark.parametrize("key", ["meetingRecord", "speechRecord", "Proceeding"])
def test_json_nested_too_deep_under_a_known_key_is_a_parse_error(key):
    deep = b'{"%s": ' % key.encode() + b"[" * 200_000 + b"]" * 200_000 + b', "speechRecord": []}'
    assert split_meetings(deep, "deep.json") == [(deep, "deep.json")]
    with pytest.raises(ParseError, match=r"deep\.json"):
        parse_bytes(deep, "deep.json")


ASSEMBLY = (FIXTURES / "assembly-two-proceedings.json").read_bytes()  # a list of two PoliInfo proceedings


def test_a_list_of_assembly_proceedings_splits_into_its_meetings():
    assert [name for _, name in split_meetings(ASSEMBLY, "gikai.json")] == ["gikai.json#1", "gikai.json#2"]
    parsed = parse_all(ASSEMBLY, "gikai.json")
    assert [(p.meeting.title, p.meeting.date) for p in parsed] == [
        ("総務委員会速記録第一号", "2013-02-01"),
        ("総務委員会速記録第二号", "2013-03-08"),
    ]
    assert [[(t.speaker.name, t.speaker.role) for t in p.turns] for p in parsed] == [
        [("山本 一郎", "委員長"), ("高橋 春子", "委員")]
    ] * 2
    assert "〔" not in parsed[0].turns[1].text
    with pytest.raises(ParseError, match="a list of proceedings"):
        parse_bytes(ASSEMBLY, "gikai.json")


def test_a_list_of_one_proceeding_is_that_proceeding():
    one = json.dumps(json.loads(ASSEMBLY)[:1], ensure_ascii=False).encode()
    (part, name), *rest = split_meetings(one, "gikai.json")
    assert not rest and name == "gikai.json"
    assert parse_bytes(part, name).meeting.title == "総務委員会速記録第一号"
