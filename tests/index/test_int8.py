"""int8 and 4-bit products: codes and scales, nibbles, and the ONNX Runtime products against the float ones."""

from __future__ import annotations

import numpy as np
import pytest

from index import int8
from index.int8 import NIBBLE_LEVELS, QUERY_LEVELS, nibble_product, pack_nibbles, product, quantize_rows, unpack_nibbles


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_int8_codes_keep_each_row_within_a_rounding_step():
    rows = _unit(np.random.default_rng(1).standard_normal((50, 16)))
    for levels in (127, QUERY_LEVELS):
        codes, scales = quantize_rows(rows, levels=levels)
        assert codes.dtype == np.int8 and np.abs(codes).max() == levels
        assert np.abs(codes * scales[:, None] - rows).max() <= scales.max() / 2 + 1e-6


def test_a_zero_row_gets_zero_codes_not_a_division_by_zero():
    codes, scales = quantize_rows(np.zeros((2, 4), np.float32))
    assert not codes.any() and np.all(scales == 1.0)


def _codes(dim: int, levels: int) -> np.ndarray:
    codes, _ = quantize_rows(_unit(np.random.default_rng(dim).standard_normal((300, dim))), levels=levels)
    codes[0] = levels  # extreme codes: the offset to unsigned bytes must not wrap them
    codes[1] = -levels
    return codes


@pytest.mark.parametrize(("dim", "nibbles"), [(16, False), (384, False), (16, True), (384, True), (7, True)])
def test_the_int8_and_4_bit_products_agree_with_the_float_one(dim, nibbles):
    codes = _codes(dim, NIBBLE_LEVELS if nibbles else 127)
    query = _unit(np.random.default_rng(dim + 1).standard_normal((22, dim)))
    got = nibble_product(pack_nibbles(codes), query) if nibbles else product(codes, query)
    want = codes.astype(np.float32) @ query.T
    assert got.shape == (300, 22) and got.dtype == np.float32
    # per query row, within half a query step times the largest possible code sum
    step = np.abs(query).max(axis=1) / QUERY_LEVELS
    assert np.all(np.abs(got - want) <= 0.5 * step[None, :] * np.abs(codes).sum(axis=1)[:, None] + 1e-4)
    assert np.abs(got - want).mean() < 0.05 * np.abs(want).mean()


@pytest.mark.parametrize("dim", [16, 7, 1])
def test_4_bit_codes_pack_two_a_byte_and_unpack_exactly(dim):
    codes = np.random.default_rng(dim).integers(-7, 8, size=(5, dim)).astype(np.int8)
    codes[0], codes[1] = -7, 7
    packed = pack_nibbles(codes)
    assert packed.dtype == np.uint8 and packed.shape == (5, (dim + 1) // 2)
    assert np.array_equal(unpack_nibbles(packed, dim), codes)


def test_the_products_use_onnx_runtime_when_it_is_installed():
    pytest.importorskip("onnxruntime")
    assert int8._session("int8", 16) is not None and int8._session("nibbles", 16) is not None


def test_without_onnx_runtime_the_products_are_the_float_ones(monkeypatch):
    monkeypatch.setattr(int8, "_SESSIONS", {("int8", 8): None, ("nibbles", 8): None})
    codes = np.arange(-12, 12, dtype=np.int8).reshape(3, 8)
    query = np.linspace(-1, 1, 16, dtype=np.float32).reshape(2, 8)
    assert np.array_equal(product(codes, query), codes.astype(np.float32) @ query.T)
    small = np.clip(codes, -7, 7)
    assert np.array_equal(nibble_product(pack_nibbles(small), query), small.astype(np.float32) @ query.T)


def test_empty_inputs_give_empty_products():
    assert product(np.zeros((0, 8), np.int8), np.ones((3, 8), np.float32)).shape == (0, 3)
    assert nibble_product(np.zeros((0, 4), np.uint8), np.ones((3, 8), np.float32)).shape == (0, 3)
