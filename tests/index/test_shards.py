"""A split index answers as the whole one: same top-k in the same order, the same lookups."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.errors import ShardUnavailable, StoreError
from index.metadata import Filters
from index.shards import ShardedSnapshot, assign, open_sharded, read_layout, split_index
from rag.engine import Engine
from tests.conftest import FIXTURES, SAMPLE, fake_encoder, fake_second, make_settings

QUERIES = [
    "防災DXについて",
    "デジタル人材の育成",
    "ありがとうございます",
    "東京都のデジタルツイン",
    "who talked about open data",
    "議員の質問",
    "予算",
]


@pytest.fixture(scope="module")
def whole(tmp_path_factory, sudachi) -> Engine:
    """An index of several meetings, with both dense legs (stand-in models)."""
    settings = make_settings(tmp_path_factory.mktemp("whole") / "index", second_model="use-multilingual-v3")
    engine = Engine(settings, encoder=fake_encoder(), tokenize=sudachi, second=fake_second())
    engine.ingest([SAMPLE, *sorted(FIXTURES.glob("*.txt")), *sorted(FIXTURES.glob("*.md"))])
    assert len(engine.snapshot().meta.meetings()) >= 4
    return engine


@pytest.fixture(scope="module")
def split(whole, tmp_path_factory, sudachi) -> Engine:
    """The same index split in two, served in process through the shard calls."""
    out = tmp_path_factory.mktemp("split") / "shards"
    split_index(whole.index_dir, out, shards=2)
    snapshot = open_sharded(out, spec=whole.spec())
    return whole.over(snapshot.as_snapshot())


def _ids(result) -> list[str]:
    return [h.remark.remark_id for h in result.hits]


def test_assign_balances_by_size_and_is_deterministic():
    sizes = {"a": 10, "b": 9, "c": 2, "d": 1}
    assert assign(sizes, 2) == {"a": 0, "b": 1, "c": 1, "d": 0}
    assert assign(sizes, 2) == assign(dict(reversed(sizes.items())), 2)


def test_split_keeps_every_meeting_on_one_shard(whole, split, tmp_path):
    layout = read_layout(split.snapshot().directory)
    assert sorted(layout["assignment"]) == sorted(m["meeting_id"] for m in whole.snapshot().meta.meetings())
    shard_counts = [entry["counts"] for entry in layout["shards"]]
    assert all(c["meetings"] > 0 for c in shard_counts)
    assert sum(c["passages"] for c in shard_counts) == whole.snapshot().meta.counts()["passages"]
    assert split.snapshot().meta.counts() == whole.snapshot().meta.counts()


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_sharded_search_ranks_as_the_whole_index(whole, split, mode):
    for query in QUERIES:
        a = whole.search(query=query, k=10, mode=mode, infer=False)
        b = split.search(query=query, k=10, mode=mode, infer=False)
        assert _ids(a) == _ids(b), query
        assert [h.score for h in a.hits] == pytest.approx([h.score for h in b.hits], abs=1e-9)
        assert [h.passage for h in a.hits] == [h.passage for h in b.hits]


def test_late_interaction_centres_every_shard_on_the_whole_index_mean(whole, split):
    tokens = split.snapshot().tokens
    parts = [client.submit("moments").result() for client in tokens.clients]
    total, count = whole.snapshot().tokens.moments()
    assert sum(n for _, n in parts) == count
    assert np.allclose(sum(t for t, _ in parts), total)
    assert np.allclose(tokens.mean(), whole.snapshot().tokens.mean(), atol=1e-6)
    # Each shard's own mean is another centre: scored on it, a split would rank otherwise.
    assert all(not np.allclose(t / n, total / count, atol=1e-3) for t, n in parts)


def test_lexical_scores_are_the_whole_index_scores(whole, split):
    tokens = whole.tokenize("デジタル人材の育成について")
    a = whole.snapshot().lexical.search(tokens, 50)
    b = split.snapshot().lexical.search(tokens, 50)
    assert a == b  # same ids, same order, bit-identical BM25
    assert whole.snapshot().lexical.idf(tokens) == split.snapshot().lexical.idf(tokens)


def test_filters_who_and_ask_work_across_shards(whole, split):
    meetings = whole.snapshot().meta.meetings()
    for m in meetings[:3]:
        f = Filters(meeting=m["meeting_id"])
        assert _ids(whole.search(query="デジタル", filters=f, infer=False)) == _ids(
            split.search(query="デジタル", filters=f, infer=False)
        )
    _, who_a = whole.who(query="デジタル人材", infer=False)
    _, who_b = split.who(query="デジタル人材", infer=False)
    assert [(s.speaker.person_id, s.score) for s in who_a] == [(s.speaker.person_id, s.score) for s in who_b]
    assert (
        whole.ask(question="防災DXについて", infer=False).text == split.ask(question="防災DXについて", infer=False).text
    )


def test_lookups_merge_across_shards(whole, split):
    w, s = whole.snapshot().meta, split.snapshot().meta
    assert [m["meeting_id"] for m in w.meetings()] == [m["meeting_id"] for m in s.meetings()]
    assert w.remark_counts() == s.remark_counts()
    people_w = {r["person_id"]: (r["remarks"], r["meetings"], r["name"]) for r in w.speakers()}
    people_s = {r["person_id"]: (r["remarks"], r["meetings"], r["name"]) for r in s.speakers()}
    assert people_w == people_s
    top = w.speakers()[0]["person_id"]
    assert [r["remark_id"] for r in w.remarks_of(top, limit=5, offset=2)] == [
        r["remark_id"] for r in s.remarks_of(top, limit=5, offset=2)
    ]
    mid = w.meetings()[0]["meeting_id"]
    assert w.remarks_in_meeting(mid, 2, 6) == s.remarks_in_meeting(mid, 2, 6)
    assert s.meeting("no-such-meeting") is None


def test_split_index_is_read_only(split, tmp_path):
    with pytest.raises(Exception, match="read-only"):
        split.delete_meeting("anything")


def test_split_refuses_more_shards_than_meetings(whole, tmp_path):
    with pytest.raises(StoreError, match="fewer than"):
        split_index(whole.index_dir, tmp_path / "out", shards=1000)
    assert not (tmp_path / "out").exists()


def test_resplit_replaces_the_layout_atomically(whole, tmp_path):
    out = tmp_path / "out"
    split_index(whole.index_dir, out, shards=2)
    split_index(whole.index_dir, out, shards=3)
    assert len(read_layout(out)["shards"]) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


class _DeadClient:
    def submit(self, method, *args):
        raise_later = ConnectionError("replica died")

        class _Answer:
            def result(self, timeout=None):
                raise raise_later

        return _Answer()


def test_a_dead_shard_is_reported_as_unavailable(whole, split):
    live = open_sharded(split.snapshot().directory, spec=whole.spec())
    clients = [*live.meta.clients[:1], _DeadClient()]
    with pytest.raises(ShardUnavailable, match="shard 1"):
        ShardedSnapshot(clients, directory=live.directory, spec=None, timeout=1.0)


def test_layout_file_is_plain_json(split):
    layout = json.loads((split.snapshot().directory / "shards.json").read_text())
    assert layout["format_version"] == 1 and len(layout["shards"]) == 2
    assert np.all([isinstance(v, int) for v in layout["assignment"].values()])


def test_without_stored_statistics_the_shards_are_asked_for_theirs(whole, split):
    live = split.snapshot()
    assert live.lexical.whole is not None  # the split stored the source's statistics
    asked = ShardedSnapshot(live.meta.clients, directory=live.directory, spec=whole.spec(), timeout=None)
    assert asked.lexical.whole is None
    for query in QUERIES:
        tokens = whole.tokenize(query)
        assert asked.lexical.collection(tokens) == live.lexical.collection(tokens)
        assert asked.lexical.search(tokens, 30) == whole.snapshot().lexical.search(tokens, 30)


def test_remarks_with_neighbours_brings_the_remarks_around(whole):
    meta = whole.snapshot().meta
    mid = meta.meetings()[0]["meeting_id"]
    rows = meta.remarks_in_meeting(mid)
    picked = [rows[0]["remark_id"], rows[3]["remark_id"]]
    got = meta.remarks_with_neighbours(picked)
    assert set(got) == {rows[i]["remark_id"] for i in (0, 1, 2, 3, 4)}
    assert got[rows[3]["remark_id"]] == meta.remarks([rows[3]["remark_id"]])[rows[3]["remark_id"]]


class _Counting:
    def __init__(self, inner) -> None:
        self.inner, self.calls = inner, []

    def submit(self, method, *args):
        self.calls.append(method if method != "meta" else f"meta.{args[0]}")
        return self.inner.submit(method, *args)


def test_a_search_sends_its_legs_to_each_shard_in_one_call(whole, split):
    live = split.snapshot()
    clients = [_Counting(c) for c in live.meta.clients]
    counted = ShardedSnapshot(
        clients, directory=live.directory, spec=whole.spec(), timeout=None, collection=live.lexical.whole
    )
    engine = whole.over(counted.as_snapshot())
    engine.warm()
    for c in clients:
        c.calls.clear()
    result = engine.search(query="デジタル人材の育成", infer=False)
    assert _ids(result) == _ids(whole.search(query="デジタル人材の育成", infer=False))
    for c in clients:
        assert c.calls.count("batch") == 1  # three legs, one round
        assert "dense_search" not in c.calls and "lexical_search" not in c.calls


def test_a_shard_answers_a_batch_with_one_lookup_per_table(split, monkeypatch):
    """Three legs' hits share one passage-owner and one passage-count query, not one per leg."""
    shard = split.snapshot().meta.clients[0].shard
    meta = shard.snapshot.meta
    asked: list[str] = []
    for name in ("remark_ids_of", "passage_counts", "remarks_with_neighbours", "passages"):
        real = getattr(meta, name)
        monkeypatch.setattr(meta, name, lambda *a, _real=real, _name=name, **k: asked.append(_name) or _real(*a, **k))
    vector = shard.snapshot.dense.vectors(shard.snapshot.dense.ids()[:1])[0]
    calls = [
        ("dense_search", ("dense", vector, 20, None), 10),
        ("dense_search", ("dense", -vector, 20, None), 10),
        ("lexical_search", (["デジタル"], 20, None, shard.collection(["デジタル"])), 10),
    ]
    answer = shard.call("batch", calls)
    assert sorted(asked) == ["passage_counts", "passages", "remark_ids_of", "remarks_with_neighbours"]
    found = {pid for leg in answer["legs"] for pid, _ in leg}
    assert len(answer["legs"]) == 3 and set(answer["owners"]) == found
    assert set(answer["counts"]) == set(answer["owners"].values())
    firsts = [list(dict.fromkeys(answer["owners"][pid] for pid, _ in leg))[:10] for leg in answer["legs"]]
    assert {rid for first in firsts for rid in first} <= set(answer["remarks"])
