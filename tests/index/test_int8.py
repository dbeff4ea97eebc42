"""int8 products: codes and scales, and the ONNX Runtime product against the float one."""

from __future__ import annotations

import numpy as np
import pytest

from index import int8
from index.int8 import QUERY_LEVELS, product, quantize_rows


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


@pytest.mark.parametrize("dim", [16, 384])
def test_the_int8_product_agrees_with_the_float_one(dim):
    rng = np.random.default_rng(dim)
    codes, _ = quantize_rows(_unit(rng.standard_normal((300, dim))))
    codes[0] = 127  # extreme codes: the sign flip to unsigned bytes must not wrap them
    codes[1] = -127
    query = _unit(rng.standard_normal((22, dim)))
    got = product(codes, query)
    want = codes.astype(np.float32) @ query.T
    assert got.shape == (300, 22) and got.dtype == np.float32
    # per query row, within half a query step times the largest possible code sum
    step = np.abs(query).max(axis=1) / QUERY_LEVELS
    assert np.all(np.abs(got - want) <= 0.5 * step[None, :] * np.abs(codes).sum(axis=1)[:, None] + 1e-4)
    assert np.abs(got - want).mean() < 0.05 * np.abs(want).mean()


def test_the_product_uses_onnx_runtime_when_it_is_installed():
    pytest.importorskip("onnxruntime")
    assert int8._session(16) is not None


def test_without_onnx_runtime_the_product_is_the_float_one(monkeypatch):
    monkeypatch.setattr(int8, "_SESSIONS", {8: None})
    codes = np.arange(-12, 12, dtype=np.int8).reshape(3, 8)
    query = np.linspace(-1, 1, 16, dtype=np.float32).reshape(2, 8)
    assert np.array_equal(product(codes, query), codes.astype(np.float32) @ query.T)


def test_empty_inputs_give_empty_products():
    assert product(np.zeros((0, 8), np.int8), np.ones((3, 8), np.float32)).shape == (0, 3)
