"""Remark ranking: length calibration of each leg, and the second dense leg through the engine."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.errors import IndexMismatch
from index.metadata import Filters
from index.store import open_snapshot, verify
from rag.embedding.late import QueryEncoding
from rag.engine import Engine
from rag.errors import InputError
from rag.retrieval import Retriever, _Leg, _Now, validate_filters
from tests.conftest import SAMPLE, fake_encoder, fake_second, make_settings


class _Counts:
    """A metadata stand-in that knows only how many passages each remark has."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts

    def passage_counts(self, remark_ids):
        return {r: self.counts[r] for r in remark_ids}


class _Snapshot:
    second_model = None

    def __init__(self, counts: dict[str, int]) -> None:
        self.meta = _Counts(counts)


def _retriever(tmp_path, **settings) -> Retriever:
    return Retriever(
        snapshot=_Snapshot({"speech": 40, "remark": 1}),  # type: ignore[arg-type]
        encoder=None,
        tokenize=str.split,
        settings=make_settings(tmp_path, **settings),
    )


def _legs() -> dict[str, _Leg]:
    # A 40-passage speech whose best passage is first in both legs; a one-passage remark second.
    dense = _Leg(best={"speech": (0.9, 1), "remark": (0.8, 2)}, passage_rank={1: 1, 2: 2})
    lexical = _Leg(best={"speech": (9.0, 1), "remark": (8.0, 2)}, passage_rank={1: 1, 2: 2})
    return {"dense": dense, "lexical": lexical}


def test_a_long_speech_pays_for_its_many_draws(tmp_path):
    weights = {"dense": 1.0, "lexical": 1.0}
    calibrated = _retriever(tmp_path, length_penalty=0.25)._fuse(_legs(), "hybrid", weights=weights)
    assert [rid for rid, _ in calibrated] == ["remark", "speech"]  # 1 × 40^0.25 ≈ 2.5 > 2
    plain = _retriever(tmp_path, length_penalty=0.0)._fuse(_legs(), "hybrid", weights=weights)
    assert [rid for rid, _ in plain] == ["speech", "remark"]


def test_rrf_fusion_is_still_available(tmp_path):
    fused = _retriever(tmp_path, fusion="rrf")._fuse(_legs(), "hybrid", weights={"dense": 1.0, "lexical": 1.0})
    assert [rid for rid, _ in fused] == ["speech", "remark"]


class _Tokens:
    """Token vectors whose MaxSim with any question is a fixed score per passage."""

    def __init__(self, scores: dict[int, float]) -> None:
        self.scores = scores

    def mean(self):
        return None

    def rescore(self, query, ids, *, centre=None):
        return np.array([self.scores[i] for i in ids])


def test_english_questions_can_have_the_second_legs_passages_rescored(tmp_path):
    retriever = _retriever(tmp_path, late_candidates=2, english_late_second=2)
    retriever.snapshot.tokens = _Tokens({1: 0.1, 2: 0.2, 3: 0.3, 4: 0.9, 5: 0.5})  # type: ignore[attr-defined]
    second = {"second": _Now([(4, 0.6), (3, 0.5), (5, 0.4)])}
    assert retriever._second_for_late("会議の所管は", second) == []
    extra = retriever._second_for_late("Who runs the shelters?", second)
    assert extra == [4, 3]  # the second leg's best two
    encoding = QueryEncoding(np.zeros(4, dtype=np.float32), tokens=np.zeros((1, 4), dtype=np.float32))
    found = [(1, 0.9), (2, 0.8), (3, 0.7), (6, 0.65)]
    # The dense leg's best two and the extra ones in MaxSim order, then the rest; passage 4, which
    # the dense leg did not return, takes its lowest cosine, and 3 keeps its own.
    assert retriever._late(encoding, found, extra) == [(4, 0.65), (3, 0.7), (2, 0.8), (1, 0.9), (6, 0.65)]
    assert retriever._late(encoding, found) == [(2, 0.8), (1, 0.9), (3, 0.7), (6, 0.65)]
    off = _retriever(tmp_path, late_candidates=2)
    assert off._second_for_late("Who runs the shelters?", second) == []  # off by default


@pytest.fixture
def second_engine(tmp_path, sudachi) -> Engine:
    settings = make_settings(tmp_path / "index", second_model="use-multilingual-v3")
    engine = Engine(settings, encoder=fake_encoder(), tokenize=sudachi, second=fake_second())
    engine.ingest([SAMPLE])
    return engine


def test_the_second_leg_is_stored_searched_and_checked(second_engine):
    snap = second_engine.snapshot()
    assert snap.second is not None and len(snap.second) == len(snap.dense)
    assert snap.manifest["second"] == {"name": "use-multilingual-v3", "dim": 32}
    assert verify(snap) == []
    hits = second_engine.search(query="避難所の通信環境", k=5).hits
    assert any("second" in h.sources for h in hits)


def test_each_dense_leg_gives_the_answers_its_typical_similarity(second_engine):
    """The answers' evidence is a margin over a typical passage, in either dense leg."""
    result = second_engine.search(query="避難所の通信環境", k=5)
    assert set(result.baselines) == {"dense", "second"}
    top = result.hits[0]
    assert "second" not in top.scores or top.scores["second"] > result.baselines["second"]
    assert set(second_engine.search(query="避難所の通信環境", k=5, mode="dense").baselines) == {"dense"}


def test_deleting_a_meeting_empties_the_second_leg_too(second_engine):
    meeting = second_engine.snapshot().meta.meetings()[0]["meeting_id"]
    second_engine.delete_meeting(meeting)
    snap = second_engine.snapshot()
    assert len(snap.second) == 0 and verify(snap) == []


def test_an_index_without_the_second_leg_gets_it_on_its_next_write(tmp_path, sudachi):
    index = tmp_path / "index"
    Engine(make_settings(index), encoder=fake_encoder(), tokenize=sudachi).ingest([SAMPLE])
    assert "second" not in json.loads((index / "manifest.json").read_text())
    on = Engine(
        make_settings(index, second_model="use-multilingual-v3"),
        encoder=fake_encoder(),
        tokenize=sudachi,
        second=fake_second(),
    )
    assert on.snapshot().second is None  # a reader searches the legs the index has
    assert on.search(query="防災", k=3).hits
    meeting = on.snapshot().meta.meetings()[0]["meeting_id"]
    on.delete_meeting("no-such-meeting")  # a write that changes nothing else still fills the leg
    snap = on.snapshot()
    assert snap.second is not None and len(snap.second) == len(snap.dense) > 0 and verify(snap) == []
    assert meeting in {m["meeting_id"] for m in snap.meta.meetings()}


def test_another_second_model_is_refused(second_engine):
    manifest = second_engine.index_dir / "manifest.json"
    data = json.loads(manifest.read_text())
    data["second"]["name"] = "some/other-model"
    manifest.write_text(json.dumps(data))
    spec = second_engine.spec()
    with pytest.raises(IndexMismatch, match="second dense model some/other-model"):
        open_snapshot(second_engine.index_dir, spec)


def test_turning_the_second_leg_off_drops_it_on_the_next_write(second_engine, sudachi):
    off = Engine(make_settings(second_engine.index_dir), encoder=fake_encoder(), tokenize=sudachi)
    assert off.snapshot().second is None
    off.ingest([SAMPLE])  # unchanged: skipped, nothing committed
    meeting = off.snapshot().meta.meetings()[0]["meeting_id"]
    off.delete_meeting(meeting)
    assert "second" not in json.loads((second_engine.index_dir / "manifest.json").read_text())
    assert np.array_equal(off.snapshot().dense.ids(), off.snapshot().lexical.doc_ids)


def test_token_vectors_are_stored_kept_in_step_and_rerank_the_dense_leg(tmp_path, sudachi):
    engine = Engine(make_settings(tmp_path / "index"), encoder=fake_encoder(), tokenize=sudachi)
    engine.ingest([SAMPLE])
    snap = engine.snapshot()
    assert snap.tokens is not None and len(snap.tokens) == len(snap.dense) > 0
    assert snap.manifest["tokens"] == {"dim": 64, "type": "int4"} and verify(snap) == []
    query = "避難所の通信環境"
    late = engine.search(query=query, k=10, mode="dense").hits
    plain = Engine(
        make_settings(tmp_path / "index", late_interaction=False), encoder=fake_encoder(), tokenize=sudachi
    ).search(query=query, k=10, mode="dense")
    # The first remark owns the passage of best MaxSim among the dense leg's best late_candidates,
    # both sides less the index's mean token vector (or not, with late_centred off).
    encoding = engine.encoder.submit_query(query).result()
    head = [pid for pid, _ in snap.dense.search(encoding.vector, engine.settings.late_candidates)]
    for centred in (True, False):
        centre = snap.tokens.mean() if centred else None
        best = head[int(np.argmax(snap.tokens.rescore(encoding.tokens, head, centre=centre)))]
        found = Engine(
            make_settings(tmp_path / "index", late_centred=centred), encoder=fake_encoder(), tokenize=sudachi
        ).search(query=query, k=10, mode="dense")
        assert found.hits[0].remark.remark_id == snap.meta.remark_ids_of([best])[best], centred
    assert [h.remark.remark_id for h in late] != [h.remark.remark_id for h in plain.hits]
    meeting = snap.meta.meetings()[0]["meeting_id"]
    engine.delete_meeting(meeting)
    snap = engine.snapshot()
    assert len(snap.tokens) == len(snap.dense) and verify(snap) == []


def test_an_index_without_token_vectors_gets_them_on_its_next_write(tmp_path, sudachi):
    index = tmp_path / "index"
    Engine(make_settings(index, late_interaction=False), encoder=fake_encoder(), tokenize=sudachi).ingest([SAMPLE])
    assert "tokens" not in json.loads((index / "manifest.json").read_text())
    on = Engine(make_settings(index), encoder=fake_encoder(), tokenize=sudachi)
    assert on.snapshot().tokens is None and on.search(query="防災", k=3).hits  # read as it is
    on.delete_meeting("no-such-meeting")
    snap = on.snapshot()
    assert snap.tokens is not None and len(snap.tokens) == len(snap.dense) > 0 and verify(snap) == []


def test_a_malformed_date_is_refused_and_an_empty_range_is_said(fake_engine):
    validate_filters(Filters(date_from="2023-08-01", date_to="2023-08-31"))
    with pytest.raises(InputError, match="date_to") as exc:
        validate_filters(Filters(date_to="2023-02-30"))
    assert exc.value.details == {"field": "date_to"}
    with pytest.raises(InputError, match="date_from"):
        validate_filters(Filters(date_from="20230801"))  # compared as text with YYYY-MM-DD, it would mislead
    fake_engine.ingest([SAMPLE])
    same_day = fake_engine.search(query="防災", filters=Filters(date_from="2023-08-31", date_to="2023-08-31"))
    assert same_day.hits and not same_day.notes
    reversed_range = fake_engine.search(query="防災", filters=Filters(date_from="2023-09-01", date_to="2023-08-01"))
    assert reversed_range.hits == [] and "after date_to" in reversed_range.notes[0]
