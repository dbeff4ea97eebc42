"""In-memory filter columns: the same passage ids as the SQL filter, for every kind of value."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from index import metadata
from index.facets import PassageFacets
from index.metadata import Filters, MetadataStore

DATES = ["2023-01-05", "2023-08-31", "2024-12", "", None]
PERSONS = ["p-a", "p-b", "p-c", None]
GROUPS = ["委員", "東京都", "", None]
# (label, name, topic) per remark, cycled: the speaker filter matches label or name keys, the
# topic filter topic keys, both as substrings; "_" and "%" must be taken literally.
SPEAKERS = [
    ("宮坂副知事", "宮坂 学", "防災について"),
    ("村井座長", "村井 純", "GovTech東京について"),
    ("事務局", "", None),
    ("Ono_san", "小野 和俊", "100%デジタル"),
]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """A writable store (filters in SQL) and a reader of the same rows (filters from the columns)."""
    directory = tmp_path_factory.mktemp("facets")
    writer = MetadataStore(directory / metadata.FILE)
    passage_id = 0
    for m, date in enumerate(DATES * 2):
        meeting_id = f"m{m}"
        remarks, passages = [], []
        for n, (person, group) in enumerate(itertools.product(PERSONS, GROUPS)):
            remark_id = f"{meeting_id}-{n}"
            label, name, topic = SPEAKERS[(m + n) % len(SPEAKERS)]
            remarks.append(
                {"remark_id": remark_id, "meeting_id": meeting_id, "ord": n, "label": label, "name": name}
                | {"topic": topic, "person_id": person, "grp": group}
            )
            for ordinal in range(1 + n % 2):  # one or two passages per remark
                passages.append({"passage_id": passage_id, "remark_id": remark_id, "ordinal": ordinal, "text": "x"})
                passage_id += 1
        writer.replace_meeting({"meeting_id": meeting_id, "title": meeting_id, "date": date}, remarks, passages)
    writer.save_facets(directory)
    reader = MetadataStore(directory / metadata.FILE, readonly=True)
    yield writer, reader
    writer.close()
    reader.close()


FILTERS = [
    Filters(persons=("p-a",)),
    Filters(persons=("p-a", "p-c", "nobody")),
    Filters(persons=("nobody",)),
    Filters(group="委員"),
    Filters(group="nobody"),
    Filters(meeting="m3"),
    Filters(meeting="m3", persons=("p-b",), group="東京都"),
    Filters(date_from="2023-06-01"),
    Filters(date_to="2023-12-31"),  # the empty date sorts first and passes, as in SQL; NULL never does
    Filters(date_from="2023-01-05", date_to="2024-12-31", persons=("p-a", "p-b")),
    Filters(date_from="2025-01-01"),
    Filters(speaker="宮坂"),
    Filters(speaker="副知事", date_from="2023-06-01"),
    Filters(speaker="ＯＮＯ＿ＳＡＮ"),  # NFKC and case folded, as the keys are
    Filters(speaker="o_s"),
    Filters(speaker="n%"),  # a literal %, matching nothing
    Filters(speaker="p-b"),  # a person id
    Filters(speaker="nobody"),
    Filters(topic="防災"),
    Filters(topic="govtech"),
    Filters(topic="100%"),
    Filters(topic="0_"),
    Filters(topic="  "),  # keys to "": every remark with a topic, as LIKE '%%' gives
    Filters(topic="デジタル", persons=("p-a", "p-c"), group="委員"),
]


@pytest.mark.parametrize("filters", FILTERS, ids=str)
def test_columns_allow_what_sql_allows(stores, filters):
    writer, reader = stores
    from_sql = np.sort(writer.allowed_passages(filters))
    from_columns = reader.allowed_passages(filters)
    assert np.array_equal(from_columns, from_sql)
    assert "facets" in reader._kept  # answered from the columns, not SQL


def test_speaker_matches_agrees_with_sql(stores):
    writer, reader = stores
    for speaker in ("宮坂", "ono_san", "p-c", "nobody", "n%"):
        assert reader.speaker_matches(speaker) == writer.speaker_matches(speaker), speaker
    assert reader.allowed_passages(Filters()) is None


def test_columns_round_trip_and_are_built_when_a_generation_has_none(tmp_path, stores):
    writer, reader = stores
    writer.facets().save(tmp_path)
    loaded = PassageFacets.load(tmp_path)
    assert loaded is not None and np.array_equal(loaded.ids, reader.facets().ids)
    assert loaded.columns["date"].values == reader.facets().columns["date"].values
    assert PassageFacets.load(tmp_path / "missing") is None
    # An older generation without facets.npz: the reader builds the columns from SQLite.
    older = tmp_path / "older"
    older.mkdir()
    (older / metadata.FILE).write_bytes((writer.path).read_bytes())
    old_reader = MetadataStore(older / metadata.FILE, readonly=True)
    assert np.array_equal(old_reader.allowed_passages(FILTERS[0]), reader.allowed_passages(FILTERS[0]))
    old_reader.close()


def test_a_reader_maps_passages_to_remarks_as_sqlite_does(stores, monkeypatch):
    writer, reader = stores
    ids = [int(i) for i in writer.passage_ids()] + [-1, 10**9]  # and two ids no passage has
    expected = writer.remark_ids_of(ids)
    assert len(expected) == len(ids) - 2
    monkeypatch.setattr(reader, "_rows_in", lambda *a: pytest.fail("a reader asked SQLite"))
    assert reader.remark_ids_of(ids[::-1]) == expected
    assert reader.remark_ids_of([]) == {}


def test_a_reader_counts_each_remarks_passages_as_sqlite_does(stores, monkeypatch):
    writer, reader = stores
    remark_ids = sorted(set(writer.remark_ids_of(int(i) for i in writer.passage_ids()).values()))
    expected = writer.passage_counts([*remark_ids, "no-such-remark"])
    assert set(expected.values()) == {1, 2} and len(expected) == len(remark_ids)
    monkeypatch.setattr(reader, "_rows_in", lambda *a: pytest.fail("a reader asked SQLite"))
    assert reader.passage_counts(["no-such-remark", *remark_ids[::-1], remark_ids[0]]) == expected
    assert reader.passage_counts([]) == {}


def test_remark_ids_saved_unsorted_by_an_earlier_version_still_map_and_count(tmp_path, stores):
    writer, _ = stores
    writer.save_facets(tmp_path)
    with np.load(tmp_path / "facets.npz") as npz:
        arrays = {name: npz[name] for name in npz.files}
    flipped = len(arrays["remark_ids"]) - 1 - arrays["remark_codes"]  # the same owners, ids in reverse order
    np.savez(tmp_path / "facets.npz", **(arrays | {"remark_ids": arrays["remark_ids"][::-1], "remark_codes": flipped}))  # type: ignore[arg-type]
    loaded = PassageFacets.load(tmp_path)
    assert loaded is not None
    ids = [int(i) for i in writer.passage_ids()]
    assert loaded.remark_ids_of(ids) == writer.remark_ids_of(ids)
    remark_ids = list(writer.remark_ids_of(ids).values())
    assert loaded.passage_counts(remark_ids) == writer.passage_counts(remark_ids)


def test_remark_ids_of_any_script_survive_a_save_and_load(tmp_path):
    writer = MetadataStore(tmp_path / metadata.FILE)
    remarks = [
        {"remark_id": f"本会議-{n}", "meeting_id": "本会議", "ord": n, "label": "議長", "name": "", "topic": ""}
        for n in range(3)
    ]
    passages = [{"passage_id": 7 + 3 * n, "remark_id": f"本会議-{n}", "ordinal": 0, "text": "x"} for n in range(3)]
    writer.replace_meeting({"meeting_id": "本会議", "title": "本会議", "date": "2024-01-01"}, remarks, passages)
    writer.save_facets(tmp_path)
    loaded = PassageFacets.load(tmp_path)
    assert loaded is not None
    assert loaded.remark_ids_of([13, 7, 8]) == {13: "本会議-2", 7: "本会議-0"}
    assert loaded.passage_counts(["本会議-1", "本会議", "本会議-10"]) == {"本会議-1": 1}
    writer.close()


def test_columns_saved_before_remarks_were_kept_are_built_again(tmp_path, stores):
    writer, _ = stores
    writer.save_facets(tmp_path)
    with np.load(tmp_path / "facets.npz") as npz:
        older = {name: npz[name] for name in npz.files if not name.startswith("remark_")}
    np.savez(tmp_path / "facets.npz", **older)  # type: ignore[arg-type]
    assert PassageFacets.load(tmp_path) is None
