"""What the two ONNX graphs share: a builder of nodes and initialisers, a writer, and a CPU session.

The default model's query graph (``onnx_query``) and the second model's (``second_onnx``) are
written node by node from their weights, and both run in sessions whose idle threads sleep.
Their weights go to a file beside the graph (``save``), which ONNX Runtime memory-maps instead
of copying into the process: a server's own memory was 56 MB less for e5's graph and 70 MB less
for USE's. The pages it reads (the embedding tables' rows of each question, which the kernel
maps with their neighbours, so most of a table after a few hundred questions) still count in
its RSS, but they are the page cache's, shared with other processes and reclaimable.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import DependencyMissing


def onnx_modules(purpose: str) -> tuple[Any, Any, Any, Any]:
    """``onnx``, its ``TensorProto``, ``helper`` and ``numpy_helper``; ``DependencyMissing`` says how to install."""
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError as exc:
        raise DependencyMissing(f"{purpose} needs onnx: pip install onnx") from exc
    return onnx, TensorProto, helper, numpy_helper


def save(model: Any, path: Path, onnx: Any) -> None:
    """Write ``model`` at ``path`` with its initialisers in ``<path>.data`` (see the module's docstring)."""
    onnx.save(
        model,
        str(path),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=path.name + ".data",
        size_threshold=1024,
    )


class GraphBuilder:
    """Accumulates the nodes and initialisers of a graph, each named after a hint and a counter."""

    def __init__(self, purpose: str) -> None:
        self.onnx, self.types, self.helper, self.numpy_helper = onnx_modules(purpose)
        self.nodes: list = []
        self.inits: list = []
        self._n = 0

    def name(self, hint: str) -> str:
        self._n += 1
        return f"{hint}_{self._n}"

    def const(self, value: np.ndarray, hint: str = "c") -> str:
        name = self.name(hint)
        self.inits.append(self.numpy_helper.from_array(value, name))
        return name

    def op(self, kind: str, inputs: Sequence[str], hint: str = "", domain: str = "", **attrs) -> str:
        out = self.name(hint or kind.lower())
        self.nodes.append(self.helper.make_node(kind, list(inputs), [out], domain=domain or None, **attrs))
        return out

    def layer_norm(self, x: str, weight: np.ndarray, bias: np.ndarray, eps: float) -> str:
        w, b = self.const(weight.astype(np.float32), "ln_w"), self.const(bias.astype(np.float32), "ln_b")
        return self.op("LayerNormalization", [x, w, b], "ln", axis=-1, epsilon=eps)


def cpu_session(graph: Path, *, threads: int, purpose: str) -> Any:
    """An ONNX Runtime session of ``graph`` on the CPU with ``threads`` intra-op threads."""
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise DependencyMissing(f"{purpose} needs onnxruntime: pip install onnxruntime") from exc
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle threads must sleep, not spin: a search runs FAISS, SQLite and the other model between
    # encodings, and spinning threads took their cores (FAISS 0.05 ms -> 5 ms).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
