"""A model-free stand-in embedder: hashed character n-grams, deterministic in every process.

For tests and benchmarks where the real model is not the point (a distributed pipeline's
plumbing, its scheduling overhead): it needs no weights, runs anywhere, and gives the same
vector for the same text on every machine (md5, never Python's salted ``hash``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from rag.embedding.encoder import Encoder
from rag.embedding.second import USE_MULTILINGUAL, SecondEncoder

HASHING_MODEL = "test/hashing"


class HashingModel:
    """A sentence-transformers-like model: hashed character ``n``-grams into ``dim`` buckets, unit length."""

    def __init__(self, *, dim: int = 64, n: int = 2) -> None:
        self.dim, self.n = dim, n

    def get_embedding_dimension(self) -> int:
        """The vector width."""
        return self.dim

    def encode(self, texts: Sequence[str], prompt: str | None = None, **_: object) -> np.ndarray:
        """One unit vector per text."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for i in range(len(text) - self.n + 1):
                out[row, self._bucket(text[i : i + self.n])] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    def _bucket(self, gram: str) -> int:
        return hashlib.md5(gram.encode()).digest()[0] % self.dim

    def encode_tokens(self, texts: Sequence[str], prompts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """The vectors of ``encode`` and, as token vectors, each text's n-grams one by one."""
        full = [p + t for t, p in zip(texts, prompts, strict=True)]
        tokens = []
        for text in full:
            grams = [text[i : i + self.n] for i in range(max(1, len(text) - self.n + 1))]
            rows = np.zeros((len(grams), self.dim), dtype=np.float32)
            for row, gram in enumerate(grams):
                rows[row, self._bucket(gram)] = 1.0
            tokens.append(rows)
        return self.encode(full), tokens


def hashing_encoder() -> Encoder:
    """An ``Encoder`` over hashed character bigrams, named ``test/hashing``."""
    return Encoder(
        HashingModel(),
        name=HASHING_MODEL,
        query_prompt="",
        passage_prompt="",
        english_prompt="",
        batch_size=8,
        tokens=True,
    )


def hashing_second() -> SecondEncoder:
    """A ``SecondEncoder`` over hashed trigrams (another view of the text), under the real second model's name."""
    return SecondEncoder(HashingModel(dim=32, n=3), name=USE_MULTILINGUAL, dim=32)
