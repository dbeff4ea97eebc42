"""Products of stored int8 rows with a few float query rows, on the CPU's int8 units.

Late interaction multiplies thousands of stored token codes (int8) by a question's twenty-odd
token vectors. As float32 (numpy, OpenBLAS) that product measured 0.68 ms for 3,079 × 384 by
384 × 22 on one Zen 5 core; ONNX Runtime's ``MatMulInteger`` with the codes as unsigned bytes
(zero point 128) and the query as signed bytes, the form VNNI multiplies natively, 0.13 ms.
The query is quantised per token to 7 bits (one scale each, at most ±63), which moved no MaxSim
by more than 0.003: without VNNI, x86 kernels add pairs of u8 × s8 products in 16 bits, and
255 · 63 · 2 still fits there where 255 · 127 · 2 would saturate.

Stored codes of 4 bits (``index.tokens``) are nibbles, two dimensions a byte, each the code plus
8: a mask and a shift in numpy split them into unsigned bytes that go in with zero point 8. For
2,000 stored tokens against 33 query tokens that took 0.19 ms (8-bit codes: 0.16 ms); with the
split done by ONNX Runtime's bitwise operators in the graph, 0.40 ms.

Without ONNX Runtime the float product is used; the two agree to that same margin.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

_SESSIONS: dict[tuple[str, int], Any] = {}
_LOCK = threading.Lock()


QUERY_LEVELS = 63  # 7 bits: see the module's docstring
NIBBLE_LEVELS = 7  # 4-bit codes: ±7, stored as code + 8


def quantize_rows(rows: np.ndarray, *, levels: int = 127) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 codes in ``±levels`` and one scale per row: ``rows ≈ codes * scales[:, None]``."""
    rows = np.asarray(rows, dtype=np.float32)
    scales = np.abs(rows).max(axis=1) / levels if len(rows) else np.zeros(0, np.float32)
    scales = np.where(scales > 0, scales, 1.0).astype(np.float32)
    codes = np.clip(np.rint(rows / scales[:, None]), -levels, levels).astype(np.int8)
    return codes, scales


def product(codes: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``codes @ query.T`` as float32 (rows × query rows): int8 codes times float query rows."""
    codes = np.ascontiguousarray(codes, dtype=np.int8)
    query = np.asarray(query, dtype=np.float32)
    session = _session("int8", codes.shape[1])
    if session is None or not len(codes) or not len(query):
        return codes.astype(np.float32) @ query.T
    # int8 → uint8 + 128 is the sign bit flipped; the zero point 128 takes the offset back out.
    return _run(session, codes.view(np.uint8) ^ np.uint8(0x80), query)


def pack_nibbles(codes: np.ndarray) -> np.ndarray:
    """Codes in ±7 (rows × dim, int8) as bytes of two nibbles, each the code plus 8: dimension
    ``j`` of the first half in the low nibble of byte ``j``, of the second half in its high nibble
    (an odd dimension's last byte has a zero code there)."""
    half = packed_width(codes.shape[1])
    offset = (codes.astype(np.int16) + 8).astype(np.uint8)
    low, high = offset[:, :half], offset[:, half:]
    if high.shape[1] < half:
        high = np.pad(high, ((0, 0), (0, half - high.shape[1])), constant_values=8)
    return low | (high << 4)


def packed_width(dim: int) -> int:
    """Bytes a row of ``dim`` 4-bit codes takes: two dimensions a byte."""
    return (dim + 1) // 2


def unpack_nibbles(packed: np.ndarray, dim: int) -> np.ndarray:
    """The int8 codes (rows × ``dim``) of ``pack_nibbles``."""
    return (_offset_codes(np.asarray(packed, dtype=np.uint8)).astype(np.int8) - 8)[:, :dim]


def _offset_codes(packed: np.ndarray) -> np.ndarray:
    """The nibbles as unsigned bytes, each a code plus 8, low nibbles then high ones: the first
    half of the dimensions, then the second (``pack_nibbles``)."""
    return np.concatenate([packed & 0x0F, packed >> 4], axis=1)


def nibble_product(packed: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``codes @ query.T`` as float32 for codes packed by ``pack_nibbles`` (``query`` rows × dim)."""
    packed = np.ascontiguousarray(packed, dtype=np.uint8)
    query = np.asarray(query, dtype=np.float32)
    width = 2 * packed.shape[1]
    if query.shape[1] < width:  # an odd dimension: the padding code is zero
        query = np.pad(query, ((0, 0), (0, width - query.shape[1])))
    session = _session("nibbles", width)
    if session is None or not len(packed) or not len(query):
        return unpack_nibbles(packed, width).astype(np.float32) @ query.T
    return _run(session, _offset_codes(packed), query)


def _run(session: Any, codes: np.ndarray, query: np.ndarray) -> np.ndarray:
    q8, scales = quantize_rows(query, levels=QUERY_LEVELS)
    (out,) = session.run(None, {"codes": codes, "query": np.ascontiguousarray(q8.T)})
    return out.astype(np.float32) * scales[None, :]


def _session(kind: str, dim: int) -> Any:
    """One ONNX Runtime session per kind of codes (``int8``, ``nibbles``) and dimension, built in
    memory on first use (None: not installed)."""
    with _LOCK:
        if (kind, dim) not in _SESSIONS:
            _SESSIONS[(kind, dim)] = _build(128 if kind == "int8" else 8, dim)
        return _SESSIONS[(kind, dim)]


def _build(zero: int, dim: int) -> Any:
    """``MatMulInteger`` of unsigned codes with zero point ``zero`` by a signed query."""
    try:
        import onnxruntime as ort
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        return None
    node = helper.make_node("MatMulInteger", ["codes", "query", "codes_zero", "query_zero"], ["product"])
    graph = helper.make_graph(
        [node],
        "int8-product",
        [
            helper.make_tensor_value_info("codes", TensorProto.UINT8, ["rows", dim]),
            helper.make_tensor_value_info("query", TensorProto.INT8, [dim, "query_rows"]),
        ],
        [helper.make_tensor_value_info("product", TensorProto.INT32, ["rows", "query_rows"])],
        [
            numpy_helper.from_array(np.array(zero, np.uint8), "codes_zero"),
            numpy_helper.from_array(np.array(0, np.int8), "query_zero"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    options = ort.SessionOptions()
    # One thread: the product is a fraction of a millisecond, and a server runs many at once.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
