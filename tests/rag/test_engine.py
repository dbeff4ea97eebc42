"""Ingest and search through the engine, with the hashing encoder (fast, hermetic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.metadata import Filters
from index.store import open_snapshot, verify
from rag.errors import InputError
from tests.conftest import SAMPLE


def test_sample_ingests_completely(sample_engine):
    snap = sample_engine.snapshot()
    counts = snap.meta.counts()
    assert counts["meetings"] == 1
    assert counts["remarks"] == 53
    assert counts["passages"] >= 53
    assert verify(snap) == []


def test_lexical_search_finds_the_remark(sample_engine):
    result = sample_engine.search(query="南海トラフ", mode="lexical", k=3)
    top = result.hits[0]
    assert top.remark.speaker.name == "村井 純"
    assert top.remark.topic == "防災について"
    assert "南海トラフ" in top.passage
    assert top.prev is not None and top.next is not None
    assert top.next.order == top.remark.order + 1


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_modes_return_k_hits(sample_engine, mode):
    result = sample_engine.search(query="デジタルインフラと防災", mode=mode, k=5)
    assert 1 <= len(result.hits) <= 5
    assert [h.rank for h in result.hits] == list(range(1, len(result.hits) + 1))


def test_filters_apply_before_the_cut(sample_engine):
    result = sample_engine.search(query="防災", k=10, filters=Filters(speaker="宮坂"))
    assert result.hits
    assert all(h.remark.speaker.name == "宮坂 学" for h in result.hits)
    by_topic = sample_engine.search(query="デジタル", k=10, filters=Filters(topic="防災"))
    assert all(h.remark.topic == "防災について" for h in by_topic.hits)
    by_group = sample_engine.search(query="デジタル", k=10, filters=Filters(group="オブザーバー"))
    assert {h.remark.speaker.group for h in by_group.hits} == {"オブザーバー"}


def test_date_filter(sample_engine):
    assert sample_engine.search(query="防災", filters=Filters(date_from="2023-09-01")).hits == []
    assert sample_engine.search(query="防災", filters=Filters(date_from="2023-08-31", date_to="2023-08-31")).hits


@pytest.mark.parametrize("query", ["。。。", "🙂 !?", "・・・「」"])
def test_a_query_without_words_is_not_searched_and_says_why(sample_engine, query):
    result = sample_engine.search(query=query)
    assert result.hits == [] and "no words" in result.notes[0]


def test_unknown_speaker_gives_a_note_not_an_error(sample_engine):
    result = sample_engine.search(query="防災", filters=Filters(speaker="存在しない人"))
    assert result.hits == []
    assert "存在しない人" in result.notes[0]


@pytest.mark.parametrize(
    ("query", "k", "mode"),
    [
        ("", 10, "hybrid"),
        ("   ", 10, "hybrid"),
        ("x" * 1001, 10, "hybrid"),
        ("防災", 0, "hybrid"),
        ("防災", 101, "hybrid"),
        ("防災", 10, "fuzzy"),
    ],
)
def test_bad_queries_are_refused(sample_engine, query, k, mode):
    with pytest.raises(InputError):
        sample_engine.search(query=query, k=k, mode=mode)


def test_reingest_is_skipped_and_changes_replace(fake_engine, tmp_path):
    first = fake_engine.ingest([SAMPLE])
    assert [r.status for r in first] == ["ingested"]
    again = fake_engine.ingest([SAMPLE])
    assert [r.status for r in again] == ["skipped"]
    changed = tmp_path / "changed.txt"
    changed.write_text(SAMPLE.read_text(encoding="utf-8").replace("南海トラフ", "相模トラフ"), encoding="utf-8")
    report = fake_engine.ingest([changed])[0]
    assert report.status == "ingested" and report.meeting_id == first[0].meeting_id
    snap = fake_engine.snapshot()
    assert snap.meta.counts()["remarks"] == 53
    assert verify(snap) == []
    assert fake_engine.search(query="相模トラフ", mode="lexical").hits


def test_bad_file_leaves_the_index_unchanged(fake_engine, tmp_path):
    fake_engine.ingest([SAMPLE])
    generation = fake_engine.snapshot().generation
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    reports = fake_engine.ingest([bad])
    assert reports[0].status == "failed" and "binary" in reports[0].reason
    assert open_snapshot(fake_engine.index_dir).generation == generation


def test_one_bad_file_does_not_stop_the_batch(fake_engine, tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    reports = fake_engine.ingest([bad, SAMPLE])
    assert [r.status for r in reports] == ["failed", "ingested"]


NOTES = "# Sources\n\n| file | body |\n|---|---|\n| minutes.txt | 東京都、2023-08-31 |\n\n会議録ではないただのメモ。\n"


def test_a_file_in_a_directory_that_is_not_minutes_is_skipped(fake_engine, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "minutes.txt").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "SOURCES.md").write_text(NOTES, encoding="utf-8")
    reports = fake_engine.ingest([folder])
    assert [(Path(r.path).name, r.status) for r in reports] == [("SOURCES.md", "skipped"), ("minutes.txt", "ingested")]
    assert "not minutes" in reports[0].reason and "name the file" in reports[0].reason
    assert fake_engine.snapshot().meta.counts()["meetings"] == 1


def test_two_councils_sitting_under_one_title_on_one_day_are_two_meetings(fake_engine, tmp_path):
    def sitting(council: str, said: str) -> dict:
        item = {"speakerPosition": "議長", "speaker": "山田太郎", "utterance": said}
        title = "令和元年第２回定例会（第３号）"
        return {"date": "2019-06-10", "localGovernmentName": council, "proceedingTitle": title, "proceeding": [item]}

    bundle = {"local": [sitting("茨城県", "防災について議論します。"), sitting("福岡市", "交通について議論します。")]}
    path = tmp_path / "poliinfo3.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    reports = fake_engine.ingest([path])
    assert [r.status for r in reports] == ["ingested", "ingested"]
    assert reports[0].meeting_id != reports[1].meeting_id  # the second does not replace the first
    assert fake_engine.snapshot().meta.counts()["meetings"] == 2


def test_a_meeting_replaced_from_another_file_says_so(fake_engine, tmp_path):
    record = "令和６年第１回定例会会議録（第２号）\n令和６年３月５日（火曜日）\n○議長（{}君）　{}の会議を開きます。\n"
    first, second = tmp_path / "tokiwa.txt", tmp_path / "midori.txt"
    first.write_text(record.format("田中次郎", "ときわ市"), encoding="utf-8")
    second.write_text(record.format("鈴木一郎", "みどり市"), encoding="utf-8")
    assert not any("replaces" in w for w in fake_engine.ingest([first])[0].warnings)
    first.write_text(record.format("田中次郎", "ときわ市議会"), encoding="utf-8")
    assert not any("replaces" in w for w in fake_engine.ingest([first])[0].warnings)  # its own update
    # a meeting is known by its title and date: the other city's record replaces it, and says so
    warnings = fake_engine.ingest([second])[0].warnings
    assert any("replaces the meeting" in w and "tokiwa.txt" in w for w in warnings)


def test_json_of_another_kind_in_a_directory_is_skipped_and_refused_when_named(fake_engine, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "package.json").write_text('{"name": "site", "scripts": {"build": "vite"}}', encoding="utf-8")
    report = fake_engine.ingest([folder])[0]
    assert report.status == "skipped" and "not minutes (JSON" in report.reason
    named = fake_engine.ingest([folder / "package.json"])[0]
    assert named.status == "failed" and "not in a shape this reads" in named.reason


def test_xml_in_a_directory_is_read_when_the_diet_api_wrote_it_and_skipped_otherwise(fake_engine, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "feed.xml").write_text('<?xml version="1.0"?><rss><channel/></rss>', encoding="utf-8")
    (folder / "cut.xml").write_text('<?xml version="1.0"?><data><numberOfRecords>1</numberOfRecords>', encoding="utf-8")
    reports = fake_engine.ingest([folder])
    assert [(Path(r.path).name, r.status) for r in reports] == [("cut.xml", "failed"), ("feed.xml", "skipped")]
    assert "not well-formed" in reports[0].reason and "not minutes" in reports[1].reason
    named = fake_engine.ingest([folder / "feed.xml"])[0]
    assert named.status == "failed" and "other than the Diet" in named.reason


def test_the_same_file_named_is_read_as_paragraphs(fake_engine, tmp_path):
    notes = tmp_path / "SOURCES.md"
    notes.write_text(NOTES, encoding="utf-8")
    report = fake_engine.ingest([notes])[0]
    assert report.status == "ingested" and report.remarks >= 1
    assert any("no speaker lines" in w or "no minutes format" in w for w in report.warnings)


def test_delete_meeting(fake_engine):
    report = fake_engine.ingest([SAMPLE])[0]
    assert fake_engine.delete_meeting(report.meeting_id) > 0
    assert fake_engine.snapshot().meta.counts() == {"meetings": 0, "remarks": 0, "passages": 0}
    assert fake_engine.delete_meeting(report.meeting_id) == 0


def test_a_table_of_speech_in_a_directory_is_ingested_one_meeting_a_day(fake_engine, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    rows = "会議名,開催日,発言者,発言内容\n定例会,2024-03-05,山田議長,開会します。\n定例会,2024-03-06,山田議長,再開します。\n"
    (folder / "kaigiroku.csv").write_text(rows, encoding="utf-8")
    reports = fake_engine.ingest([folder])
    assert [(r.status, r.remarks) for r in reports] == [("ingested", 1), ("ingested", 1)]
    assert fake_engine.snapshot().meta.counts()["meetings"] == 2
