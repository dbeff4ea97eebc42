"""Token vectors for late interaction: what a text's tokens contribute, and how they are kept.

A passage's score against a question is the mean over the question's tokens of each one's best
cosine among the passage's tokens (``index.tokens``, MaxSim). Special tokens and the prompt's own
tokens (``query: ``, ``passage: ``) are the same in every text, so they are left out on both sides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class QueryEncoding:
    """A query's vector and its token vectors (None where the encoder gives none)."""

    vector: np.ndarray
    tokens: np.ndarray | None = None


def content_tokens(rows: np.ndarray, prompt_tokens: int) -> np.ndarray:
    """A text's token vectors less the first (``<s>``), the prompt's and the last (``</s>``);
    all of them when nothing would be left."""
    inner = rows[1 + prompt_tokens : len(rows) - 1]
    return inner if len(inner) else rows


def normalized(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero)."""
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return (rows / np.maximum(norms, 1e-12)).astype(np.float32)


def model_tokens(
    model, texts: Sequence[str], prompts: Sequence[str], *, batch_size: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Vectors and content token vectors of each ``prompt + text``: the model's own ``encode_tokens``
    (the ONNX graph, the hashing test model), or a sentence-transformers model's token outputs."""
    own = getattr(model, "encode_tokens", None)
    if own is not None:
        return own(texts, prompts)
    out: list = [None] * len(texts)
    for prompt in set(prompts):
        rows = [i for i, p in enumerate(prompts) if p == prompt]
        vectors, tokens = _st_tokens(model, [texts[i] for i in rows], prompt, batch_size=batch_size)
        for j, i in enumerate(rows):
            out[i] = (vectors[j], tokens[j])
    return np.stack([v for v, _ in out]), [t for _, t in out]


def _st_tokens(model, texts: list[str], prompt: str, *, batch_size: int) -> tuple[np.ndarray, list[np.ndarray]]:
    rows = model.encode(
        texts,
        prompt=prompt or None,
        batch_size=batch_size,
        output_value=None,
        convert_to_numpy=False,
        show_progress_bar=False,
    )
    skip = len(model.tokenizer(prompt.rstrip(), add_special_tokens=False)["input_ids"]) if prompt.strip() else 0
    vectors = normalized(np.stack([r["sentence_embedding"].float().cpu().numpy() for r in rows]))
    tokens = [
        content_tokens(normalized(r["token_embeddings"][r["attention_mask"].bool()].float().cpu().numpy()), skip)
        for r in rows
    ]
    return vectors, tokens
