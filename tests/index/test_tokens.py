"""Token vectors for late interaction: MaxSim scores, 4-bit storage, add/delete/save/load, older
layouts, the mean token vector kept up to date, centred MaxSim."""

from __future__ import annotations

import numpy as np
import pytest

from index import tokens as tokens_module
from index.errors import IndexCorrupt, StoreError
from index.int8 import quantize_rows, unpack_nibbles
from index.tokens import FILE, FILES, INT8_CODES, SUM_FILE, TokenIndex, quantize_tokens

DIM = 16
# Codes in ±7 with one scale per token: a MaxSim of these 16-dimensional vectors within this of
# the exact one (the model's 384 dimensions average their errors out further).
TOL = 0.04


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _passages(n: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [_unit(rng.standard_normal((int(rng.integers(1, 9)), DIM))) for _ in range(n)]


def _maxsim(query: np.ndarray, passage: np.ndarray) -> float:
    return float((query @ passage.T).max(axis=1).mean())


def test_rescore_is_the_mean_of_each_query_tokens_best_match():
    passages = _passages(20)
    index = TokenIndex(DIM)
    index.add(np.arange(100, 120), passages)
    query = _unit(np.random.default_rng(2).standard_normal((5, DIM)))
    got = index.rescore(query, [105, 100, 119, 7])
    want = [_maxsim(query, passages[i]) for i in (5, 0, 19)]
    assert np.allclose(got[:3], want, atol=TOL)
    assert np.isnan(got[3])  # not in the index


def test_a_passage_holding_every_query_token_beats_one_near_them_on_average():
    rng = np.random.default_rng(3)
    words = _unit(rng.standard_normal((6, DIM)))
    holds_both = np.vstack([words[0], words[1], words[4]])
    average = _unit(np.vstack([words[0] + words[1] + words[2] + words[3]]))
    index = TokenIndex(DIM)
    index.add(np.array([1, 2]), [holds_both, average])
    hits = index.search(words[:2], 2)
    assert [pid for pid, _ in hits] == [1, 2]
    assert hits[0][1] == pytest.approx(1.0, abs=TOL)


def test_add_replaces_delete_removes_and_allowed_restricts():
    passages = _passages(6)
    index = TokenIndex(DIM)
    index.add(np.arange(6), passages)
    index.add(np.array([2]), [passages[5]])  # replaced, not duplicated
    index.delete(np.array([0, 99]))
    assert sorted(index.ids().tolist()) == [1, 2, 3, 4, 5] and len(index) == 5
    query = passages[5][:1]
    assert {pid for pid, _ in index.search(query, 2)} == {2, 5}
    assert [pid for pid, _ in index.search(query, 5, allowed=np.array([3]))] == [3]


def test_save_and_load_round_trip_and_a_wrong_dimension_is_refused(tmp_path):
    passages = _passages(8)
    index = TokenIndex(DIM)
    index.add(np.arange(8), passages)
    index.delete(np.array([3]))
    index.save(tmp_path)
    loaded = TokenIndex.load(tmp_path, dim=DIM)
    assert isinstance(loaded._codes, np.memmap)  # mapped, not read: a server's memory does not grow with it
    query = passages[4][:2]
    assert np.allclose(loaded.rescore(query, list(range(8))), index.rescore(query, list(range(8))), equal_nan=True)
    with pytest.raises(IndexCorrupt, match="dimension 32"):
        TokenIndex.load(tmp_path, dim=32)
    (tmp_path / FILES["nibbles"]).write_bytes(b"not an array")
    with pytest.raises(IndexCorrupt, match="cannot read"):
        TokenIndex.load(tmp_path, dim=DIM)


def _int8_layout(passages: list[np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays the code before wrote: one int8 code a dimension (127 levels), a scale a token."""
    codes, scales = quantize_rows(np.vstack(passages))
    offsets = np.concatenate([[0], np.cumsum([len(p) for p in passages])]).astype(np.int64)
    return {"codes": codes, "scales": scales, "ids": np.arange(len(passages), dtype=np.int64), "offsets": offsets}


@pytest.mark.parametrize("layout", ["npz", "int8 files"])
def test_the_layouts_before_are_still_read_and_a_write_stores_4_bits(tmp_path, layout):
    passages = _passages(5)
    arrays = _int8_layout(passages)
    if layout == "npz":
        with (tmp_path / FILE).open("wb") as fh:
            np.savez(fh, **arrays)
    else:
        np.save(tmp_path / INT8_CODES, arrays["codes"])
        for name in ("scales", "ids", "offsets"):
            np.save(tmp_path / FILES[name], arrays[name])
    old = TokenIndex.load(tmp_path, dim=DIM)
    query = passages[2][:3]
    want = [_maxsim(query, p) for p in passages]
    assert np.allclose(old.rescore(query, list(range(5))), want, atol=0.01)  # 8 bits, as stored
    out = tmp_path / "next"
    out.mkdir()
    old.save(out)
    assert {p.name for p in out.iterdir()} == {*FILES.values(), SUM_FILE}
    again = TokenIndex.load(out, dim=DIM)
    assert np.allclose(again.rescore(query, list(range(5))), want, atol=TOL)
    (tmp_path / (FILE if layout == "npz" else INT8_CODES)).write_bytes(b"not an array")
    with pytest.raises(IndexCorrupt, match="cannot read"):
        TokenIndex.load(tmp_path, dim=DIM)


def test_a_writer_over_a_mapped_generation_streams_what_is_left_and_what_is_new(tmp_path, monkeypatch):
    monkeypatch.setattr(tokens_module, "_COPY_PASSAGES", 2)  # several steps even for a few passages
    passages = _passages(9, seed=5)
    first = TokenIndex(DIM)
    first.add(np.arange(9), passages)
    (tmp_path / "a").mkdir()
    first.save(tmp_path / "a")
    writer = TokenIndex.load(tmp_path / "a", dim=DIM)
    writer.delete(np.array([0, 4, 5]))
    extra = _passages(2, seed=6)
    writer.add(np.array([20, 2]), extra)  # a new passage, and one replaced
    assert len(writer) == 7
    (tmp_path / "b").mkdir()
    writer.save(tmp_path / "b")
    second = TokenIndex.load(tmp_path / "b", dim=DIM)
    query = _unit(np.random.default_rng(7).standard_normal((3, DIM)))
    want = [_maxsim(query, extra[0]), _maxsim(query, extra[1]), _maxsim(query, passages[8])]
    for index in (second, writer):  # the writer, after saving, is what it wrote
        assert sorted(index.ids().tolist()) == [1, 2, 3, 6, 7, 8, 20] and len(index) == 7
        got = index.rescore(query, [20, 2, 8, 0])
        assert np.allclose(got[:3], want, atol=TOL) and np.isnan(got[3])


def test_ids_added_out_of_order_are_found():
    passages = _passages(6, seed=8)
    index = TokenIndex(DIM)
    index.add(np.array([50, 10, 40, 20, 30, 60]), passages)
    query = passages[3][:2]
    got = index.rescore(query, [20, 99, 50])
    assert np.allclose(got[[0, 2]], [_maxsim(query, passages[3]), _maxsim(query, passages[0])], atol=TOL)
    assert np.isnan(got[1])


def test_malformed_token_matrices_are_refused():
    index = TokenIndex(DIM)
    with pytest.raises(StoreError, match="dimension 16"):
        index.add(np.array([1]), [np.zeros((3, 8), np.float32)])
    with pytest.raises(StoreError, match="2 ids for 1"):
        index.add(np.array([1, 2]), [np.ones((1, DIM), np.float32)])
    assert len(index) == 0


def _stored(index: TokenIndex) -> np.ndarray:
    """Every stored token vector as the index holds it (dequantised)."""
    index._pack()
    return unpack_nibbles(np.asarray(index._codes), DIM).astype(np.float64) * np.asarray(index._scales)[:, None]


def test_the_mean_follows_adds_deletes_and_replacements_through_saves_and_loads(tmp_path):
    passages = _passages(12, seed=7)
    index = TokenIndex(DIM)
    assert index.mean() is None
    index.add(np.arange(12), passages)
    (tmp_path / "a").mkdir()
    index.save(tmp_path / "a")
    loaded = TokenIndex.load(tmp_path / "a", dim=DIM)
    loaded.delete(np.array([3, 4]))
    loaded.add(np.array([5, 40]), _passages(2, seed=8))  # 5 replaced, 40 new
    for when in ("folded in memory", "saved and loaded"):
        if when == "saved and loaded":
            (tmp_path / "b").mkdir()
            loaded.save(tmp_path / "b")
            loaded = TokenIndex.load(tmp_path / "b", dim=DIM)
        total, count = loaded.moments()
        rows = _stored(loaded)
        assert count == len(rows), when
        assert np.allclose(total, rows.sum(axis=0), atol=1e-9), when
        assert np.allclose(loaded.mean(), rows.mean(axis=0), atol=1e-6), when


def test_an_index_written_before_the_sum_was_kept_sums_its_rows_once(tmp_path):
    index = TokenIndex(DIM)
    index.add(np.arange(6), _passages(6, seed=9))
    index.save(tmp_path)
    want = index.moments()
    (tmp_path / SUM_FILE).unlink()
    old = TokenIndex.load(tmp_path, dim=DIM)
    assert old._sum is None
    total, count = old.moments()
    assert count == want[1] and np.allclose(total, want[0])
    np.save(tmp_path / SUM_FILE, np.zeros(DIM + 1))  # a sum that counts other rows is not trusted
    assert np.allclose(TokenIndex.load(tmp_path, dim=DIM).moments()[0], want[0])


def _centred_maxsim(query: np.ndarray, passage: np.ndarray, centre: np.ndarray) -> float:
    q, p = _unit(query - centre), _unit(passage - centre)
    return float((q @ p.T).max(axis=1).mean())


def test_centred_rescore_is_maxsim_of_both_sides_less_the_centre():
    rng = np.random.default_rng(11)
    shared = _unit(rng.standard_normal((1, DIM)))[0] * 6  # every vector leans one way, as e5's do
    passages = [_unit(rng.standard_normal((int(rng.integers(2, 8)), DIM)) + shared) for _ in range(15)]
    index = TokenIndex(DIM)
    index.add(np.arange(15), passages)
    centre = index.mean()
    assert np.linalg.norm(centre) > 0.8  # the shared direction dominates the mean
    query = _unit(rng.standard_normal((4, DIM)) + shared)
    got = index.rescore(query, list(range(15)), centre=centre)
    want = [_centred_maxsim(query, p, centre) for p in passages]
    # The 4-bit error is relative to a vector's length, and a centred one is shorter.
    assert np.allclose(got, want, atol=2 * TOL)
    assert np.corrcoef(got, want)[0, 1] > 0.95
    plain = [_maxsim(query, p) for p in passages]
    assert np.corrcoef(plain, want)[0, 1] < 0.95  # centring ranks them differently
    assert [pid for pid, _ in index.search(query, 3, centre=centre)] == list(np.argsort(-got, kind="stable")[:3])


def test_4_bit_scales_keep_each_vectors_length_and_requantise_to_themselves():
    rows = np.vstack(_passages(10, seed=12))
    codes, scales = quantize_tokens(rows)
    back = codes.astype(np.float32) * scales[:, None]
    assert np.allclose(np.linalg.norm(back, axis=1), 1.0, atol=1e-6)  # unit in, unit out
    again_codes, again_scales = quantize_tokens(back)  # what a Ray driver's re-add stores
    assert np.array_equal(again_codes, codes) and np.allclose(again_scales, scales)
    assert np.all(np.abs(codes).max(axis=1) == 7)  # the grid is still set by the largest value
