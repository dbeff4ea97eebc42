"""Index directories: manifest checks, atomic generations, crash safety."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.errors import IndexMismatch, IndexMissing, StoreError
from index.store import MANIFEST, IndexSpec, Writer, convert_dense, open_snapshot, read_manifest, verify

SPEC = IndexSpec(model_name="m", dim=4, tokenizer="t")


def add_meeting(writer: Writer, meeting_id: str, n: int = 2) -> None:
    snap = writer.snapshot
    ids = writer.allocate_ids(n)
    remarks = [
        {
            "remark_id": f"{meeting_id}-{i}",
            "meeting_id": meeting_id,
            "ord": i,
            "label": "宮坂",
            "name": "宮坂 学",
            "role": "",
            "grp": "",
            "affiliation": "",
            "is_person": 1,
            "person_id": "p",
            "topic": "t",
            "text": "x",
            "source_id": "",
            "url": "",
        }
        for i in range(n)
    ]
    passages = [
        {"passage_id": int(p), "remark_id": f"{meeting_id}-{i}", "ordinal": 0, "text": "x"} for i, p in enumerate(ids)
    ]
    old = snap.meta.replace_meeting(
        {"meeting_id": meeting_id, "title": meeting_id, "content_hash": meeting_id}, remarks, passages
    )
    snap.dense.delete(np.array(old, dtype=np.int64))
    snap.lexical.delete(np.array(old, dtype=np.int64))
    snap.dense.add(ids, np.eye(4, dtype=np.float32)[:n])
    snap.lexical.add(ids, [["x"]] * n)


def test_missing_index(tmp_path):
    with pytest.raises(IndexMissing):
        open_snapshot(tmp_path / "none")


def test_commit_and_reload(tmp_path):
    with Writer(tmp_path, SPEC) as w:
        add_meeting(w, "a")
        manifest = w.commit()
    assert manifest["counts"] == {"meetings": 1, "remarks": 2, "passages": 2}
    snap = open_snapshot(tmp_path, SPEC)
    assert verify(snap) == []
    assert snap.generation == 1


def test_reingest_replaces_not_duplicates(tmp_path):
    for _ in range(2):
        with Writer(tmp_path, SPEC) as w:
            add_meeting(w, "a")
            w.commit()
    snap = open_snapshot(tmp_path, SPEC)
    assert snap.meta.counts() == {"meetings": 1, "remarks": 2, "passages": 2}
    assert len(snap.dense) == 2 and len(snap.lexical) == 2
    assert verify(snap) == []


def test_mismatched_model_is_refused(tmp_path):
    with Writer(tmp_path, SPEC) as w:
        add_meeting(w, "a")
        w.commit()
    with pytest.raises(IndexMismatch, match="was built with model m"):
        open_snapshot(tmp_path, IndexSpec(model_name="other", dim=4, tokenizer="t"))
    with pytest.raises(IndexMismatch, match="tokenizer"):
        open_snapshot(tmp_path, IndexSpec(model_name="m", dim=4, tokenizer="other"))


def test_uncommitted_writer_changes_nothing(tmp_path):
    with Writer(tmp_path, SPEC) as w:
        add_meeting(w, "a")
        w.commit()
    before = (tmp_path / MANIFEST).read_text()
    with pytest.raises(RuntimeError), Writer(tmp_path, SPEC) as w:
        add_meeting(w, "b")
        raise RuntimeError("crash before commit")
    assert (tmp_path / MANIFEST).read_text() == before
    assert open_snapshot(tmp_path, SPEC).meta.counts()["meetings"] == 1
    assert not list(tmp_path.glob(".tmp-*"))


def test_crash_after_generation_rename_keeps_old_manifest(tmp_path):
    with Writer(tmp_path, SPEC) as w:
        add_meeting(w, "a")
        w.commit()
    # A generation directory left behind by a crash before the manifest switch is ignored and replaced.
    (tmp_path / "gen-000002").mkdir()
    (tmp_path / "gen-000002" / "junk").write_text("partial")
    snap = open_snapshot(tmp_path, SPEC)
    assert snap.generation == 1
    with Writer(tmp_path, SPEC) as w:
        add_meeting(w, "b")
        w.commit()
    snap = open_snapshot(tmp_path, SPEC)
    assert snap.meta.counts()["meetings"] == 2
    assert not (tmp_path / snap.manifest["directory"] / "junk").exists()


def test_corrupt_manifest_is_reported(tmp_path):
    (tmp_path / MANIFEST).write_text("{not json")
    from index.errors import IndexCorrupt

    with pytest.raises(IndexCorrupt):
        open_snapshot(tmp_path, SPEC)


def test_old_generations_are_pruned(tmp_path):
    for name in "abcd":
        with Writer(tmp_path, SPEC) as w:
            add_meeting(w, name)
            w.commit()
    assert sorted(p.name for p in tmp_path.glob("gen-*")) == ["gen-000003", "gen-000004"]
    assert json.loads((tmp_path / MANIFEST).read_text())["generation"] == 4


def test_convert_dense_is_a_new_generation_with_everything_else_kept(tmp_path):
    with Writer(tmp_path, SPEC) as w:
        for m in ("a", "b", "c"):
            add_meeting(w, m, n=3)
        before = w.commit()
    after = convert_dense(tmp_path, dense_type="ivf_sq8", hnsw_m=32, ef_search=64, nprobe=8)
    assert after["generation"] == before["generation"] + 1 and after["counts"] == before["counts"]
    assert after["dense"]["type"] == "ivf_sq8"
    snap = open_snapshot(tmp_path, IndexSpec(model_name="m", dim=4, tokenizer="t", nprobe=8))
    assert snap.dense.index_type == "ivf_sq8" and snap.dense.nprobe == 8 and verify(snap) == []
    assert snap.dense.search(np.eye(4, dtype=np.float32)[1], 1)[0][1] == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(StoreError, match="unknown dense index type"):
        convert_dense(tmp_path, dense_type="annoy", hnsw_m=32, ef_search=64, nprobe=8)
    assert read_manifest(tmp_path)["generation"] == after["generation"]  # a refused conversion writes nothing


def test_meetings_by_id_looks_up_only_the_ids_asked(tmp_path):
    with Writer(tmp_path, SPEC) as w:
        for m in ("a", "b", "c"):
            add_meeting(w, m)
        w.commit()
    meta = open_snapshot(tmp_path, SPEC).meta
    asked = ["c", *(f"missing-{i}" for i in range(1000)), "a", "a"]  # more ids than one IN (...) takes
    found = meta.meetings_by_id(asked)
    assert sorted(found) == ["a", "c"] and found["c"]["title"] == "c" and found["a"]["agenda"] == []


def test_remark_counts_per_meeting(tmp_path):
    with Writer(tmp_path, SPEC) as w:
        add_meeting(w, "a", n=3)
        add_meeting(w, "b", n=1)
        assert w.snapshot.meta.remark_counts() == {"a": 3, "b": 1}
        w.commit()
    meta = open_snapshot(tmp_path, SPEC).meta
    assert meta.remark_counts() == {"a": 3, "b": 1} and meta.remark_counts() is meta.remark_counts()
