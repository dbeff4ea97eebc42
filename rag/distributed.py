"""Ingest on a Ray cluster: parsing as Ray tasks, embedding as a Ray Data ``map_batches`` over an
actor pool, one atomic commit by the driver in the ordinary index format.

The work splits where it is cheap to split:

1. Ray tasks read nothing from disk: the driver sends each file's bytes, a task parses it, cuts its
   passages and tokenises them (SudachiPy), and sends back the parsed meeting and the tokens.
2. The driver stages the files in the order given (speakers linked against the ones before,
   metadata written, passage ids allocated): the same steps, in the same order, as one process.
3. Ray Data embeds every staged passage: actors load the model once each (``num_gpus=1`` actors
   where the cluster has GPUs) and batches stream back to the driver, which adds them and commits.
   Where the index keeps token vectors (late interaction), the actors make them in the same
   forward pass and send them as the index stores them, 4-bit codes with a scale per token
   (196 bytes a token instead of 1,536 as floats): the driver only adds them.

Ray retries a task or restarts an actor whose worker dies, and a batch is pure (the same texts give
the same vectors), so a killed worker changes nothing in the result. A killed driver commits
nothing: the writer's temporary generation is discarded and the previous one stays current.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from index.int8 import packed_width, unpack_nibbles
from index.tokens import quantize_packed
from rag.embedding.encoder import Encoder, load_encoder
from rag.embedding.second import SecondEncoder, load_second_encoder
from rag.errors import GijirokuError, NotMinutes
from rag.ingest import FileReport, Found, Ingestor, Staged, passages_of, read_minutes, tokenize_passages
from rag.models import ParsedMinutes
from rag.parsing import parse_bytes, split_meetings
from rag.parsing.base import content_hash
from rag.ray_cluster import connected
from rag.records import remark_id
from rag.settings import Settings
from rag.tokenize import make_sudachi_tokenizer

EncoderFactory = Callable[[], Encoder]
SecondFactory = Callable[[], SecondEncoder]
_TOKENIZERS: dict[str, Callable[[str], list[str]]] = {}


@dataclass(frozen=True)
class Prepared:
    """What a parse task sends back: the parsed meeting and its passages' tokens, or why it failed."""

    name: str
    parsed: ParsedMinutes | None = None
    passages: tuple[str, ...] = ()
    tokens: tuple[tuple[str, ...], ...] = ()
    reason: str = ""
    # Why not parsed: "failed", or "skipped" for a file found in a directory that is not minutes.
    status: str = "failed"


def prepare(data: bytes, name: str, fmt: str | None, settings: Settings, fallback: bool = True) -> Prepared:
    """Parse one file and tokenise its passages (runs as a Ray task; pure, so a retry is harmless)."""
    try:
        parsed = parse_bytes(data, Path(name).name, fmt=fmt, fallback=fallback)
    except NotMinutes as exc:
        return Prepared(name, reason=exc.message, status="skipped")
    except GijirokuError as exc:
        return Prepared(name, reason=exc.message)
    tokenize = _TOKENIZERS.get(settings.sudachi_mode)
    if tokenize is None:  # once per worker process: the dictionary takes a second to load
        tokenize = _TOKENIZERS[settings.sudachi_mode] = make_sudachi_tokenizer(settings.sudachi_mode)
    texts = [
        p.text
        for turn in parsed.turns
        for p in passages_of(remark_id(parsed.meeting.meeting_id, turn.order), turn, settings)
    ]
    tokens = tokenize_passages(texts, tokenize)
    return Prepared(name, parsed, tuple(texts), tuple(tuple(t) for t in tokens))


class EmbedActor:
    """A Ray Data actor: the model loaded once, then batches of passage texts → vectors (and, with
    ``tokens``, each passage's token vectors as the index's 4-bit ``codes`` and ``scales``, bytes per row)."""

    def __init__(self, make_encoder: EncoderFactory, make_second: SecondFactory | None, tokens: bool = False) -> None:
        self.encoder = make_encoder()
        self.second = make_second() if make_second is not None else None
        self.tokens = tokens

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Vectors of one batch, keyed by the passages' positions."""
        texts = [str(t) for t in batch["text"]]
        out = {"i": batch["i"]}
        if self.tokens:  # one forward pass for both, as one process does (Ingestor.add_parsed)
            out["vector"], token_vectors = self.encoder.encode_passage_tokens(texts)
            quantized = [quantize_packed(rows) for rows in token_vectors]
            out["codes"] = np.array([codes.tobytes() for codes, _ in quantized], dtype=object)
            out["scales"] = np.array([scales.tobytes() for _, scales in quantized], dtype=object)
        else:
            out["vector"] = self.encoder.encode_passages(texts)
        if self.second is not None:
            out["second"] = self.second.encode_passages(texts)
        return out


def token_vectors_of(codes: bytes, scales: bytes, dim: int) -> np.ndarray:
    """One passage's token vectors from an actor's bytes: the rows ``quantize_packed`` gives back
    the same codes and scales, so the index stores what the actor computed."""
    packed = np.frombuffer(codes, dtype=np.uint8).reshape(-1, packed_width(dim))
    rows = unpack_nibbles(packed, dim).astype(np.float32)
    return rows * np.frombuffer(scales, dtype=np.float32)[:, None]


def default_factories(settings: Settings, *, second: bool) -> tuple[EncoderFactory, SecondFactory | None]:
    """Factories that load the configured models on a worker (picklable: settings travel with them).

    A CPU actor holds one CPU of the cluster, so its model runs one thread unless told otherwise.
    """
    make_second = partial(load_second_encoder, settings.second_model, threads=1) if second else None
    one_thread = settings.model_copy(update={"torch_threads": settings.torch_threads or 1})
    return partial(load_encoder, one_thread), make_second


def ingest_on_ray(
    ingestor: Ingestor,
    files: Sequence[Found],
    *,
    address: str,
    fmt: str | None = None,
    make_encoder: EncoderFactory,
    make_second: SecondFactory | None = None,
    on_report: Callable[[FileReport], None] | None = None,
) -> list[FileReport]:
    """Ingest ``files`` through ``ingestor``'s open writer, with the heavy work on Ray (see the module docstring)."""
    settings = ingestor.settings
    with connected(address, settings) as ray:
        submit = ray.remote(num_cpus=1, max_retries=3)(prepare).remote
        reports: list[FileReport | None] = []
        refs: list[Any] = []
        names: list[str] = []
        for found in files:
            data = read_minutes(found.path)
            if isinstance(data, FileReport):
                reports.append(data)
                refs.append(None)
                names.append(str(found.path))
                continue
            # One part per meeting of a file that holds several.
            for part, name in split_meetings(data, str(found.path), fmt=fmt):
                reports.append(None)
                refs.append((content_hash(part) if part else "", submit(part, name, fmt, settings, found.named)))
                names.append(name)
        staged = _stage_all(ingestor, ray, refs, reports, names)
        _embed_and_apply(ingestor, ray, staged, make_encoder=make_encoder, make_second=make_second)
    done = [r for r in reports if r is not None]
    for report in done:
        if on_report is not None:
            on_report(report)
    return done


def _stage_all(
    ingestor: Ingestor, ray: Any, refs: list[Any], reports: list[FileReport | None], names: Sequence[str]
) -> list[tuple[Staged, tuple[tuple[str, ...], ...]]]:
    """Stage the parsed files (or meetings of a file) in the given order; fills ``reports``."""
    staged = []
    for i, ref in enumerate(refs):
        if ref is None:
            continue
        digest, task = ref
        skipped = ingestor.unchanged(names[i], digest=digest)  # since an earlier ingest, or earlier in this batch
        if skipped is not None:
            reports[i] = skipped
            continue
        prepared: Prepared = ray.get(task)
        if prepared.parsed is None:
            reports[i] = FileReport(prepared.name, prepared.status, reason=prepared.reason)
            continue
        try:
            one = ingestor.stage(prepared.parsed, prepared.name)
        except GijirokuError as exc:
            reports[i] = FileReport(prepared.name, "failed", reason=exc.message)
            continue
        # The task cut the same passages (same text, same settings); tokens are recomputed if not.
        tokens = prepared.tokens if tuple(one.passages) == prepared.passages else ()
        reports[i] = one.report
        staged.append((one, tokens))
    return staged


def _embed_and_apply(
    ingestor: Ingestor,
    ray: Any,
    staged: list[tuple[Staged, tuple[tuple[str, ...], ...]]],
    *,
    make_encoder: EncoderFactory,
    make_second: SecondFactory | None,
) -> None:
    """Embed every staged passage on the cluster, then add vectors and postings file by file."""
    texts = [t for one, _ in staged for t in one.texts]
    if not texts:
        return
    snap = ingestor.writer.snapshot
    assert snap is not None
    second = make_second if snap.second is not None else None
    embedded = embed_on_ray(
        ray,
        texts,
        make_encoder=make_encoder,
        make_second=second,
        settings=ingestor.settings,
        token_dim=snap.tokens.dim if snap.tokens is not None else None,
    )
    start = 0
    for one, tokens in staged:
        end = start + len(one.texts)
        ingestor.apply(
            one,
            embedded.vectors[start:end],
            second=embedded.second[start:end] if embedded.second is not None else None,
            tokens=[list(t) for t in tokens] if tokens else None,
            token_vectors=embedded.tokens[start:end] if embedded.tokens is not None else None,
        )
        start = end


@dataclass(frozen=True)
class Embedded:
    """What the actors computed for a list of texts, in its order."""

    vectors: np.ndarray
    second: np.ndarray | None = None
    tokens: list[np.ndarray] | None = None


def embed_on_ray(
    ray: Any,
    texts: list[str],
    *,
    make_encoder: EncoderFactory,
    make_second: SecondFactory | None,
    settings: Settings,
    token_dim: int | None = None,
) -> Embedded:
    """Vectors of ``texts`` (in order) from a Ray Data actor pool; GPU actors where the cluster has
    GPUs. With ``token_dim``, each text's token vectors too (of that dimension)."""
    ds = _embedding_dataset(
        ray, texts, make_encoder=make_encoder, make_second=make_second, settings=settings, tokens=token_dim is not None
    )
    vectors: np.ndarray | None = None
    second: np.ndarray | None = None
    tokens: list[np.ndarray] | None = [np.zeros((0, token_dim), np.float32)] * len(texts) if token_dim else None
    for batch in ds.iter_batches(batch_size=4096, batch_format="numpy"):
        idx = np.asarray(batch["i"], dtype=np.int64)
        if vectors is None:
            vectors = np.zeros((len(texts), batch["vector"].shape[1]), dtype=np.float32)
        vectors[idx] = batch["vector"]
        if "second" in batch:
            if second is None:
                second = np.zeros((len(texts), batch["second"].shape[1]), dtype=np.float32)
            second[idx] = batch["second"]
        if tokens is not None and token_dim is not None:
            for i, codes, scales in zip(idx, batch["codes"], batch["scales"], strict=True):
                tokens[i] = token_vectors_of(codes, scales, token_dim)
    assert vectors is not None
    return Embedded(vectors, second, tokens)


def _embedding_dataset(
    ray: Any,
    texts: list[str],
    *,
    make_encoder: EncoderFactory,
    make_second: SecondFactory | None,
    settings: Settings,
    tokens: bool,
) -> Any:
    """The Ray Data pipeline that embeds ``texts`` on an actor pool (not yet run)."""
    import ray.data

    # Ray Data sets up its loggers when imported; its per-run progress lines would bury the report.
    for name in ("ray.data", "ray.data._internal.execution.streaming_executor"):
        logging.getLogger(name).setLevel(logging.ERROR)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    gpus = int(ray.cluster_resources().get("GPU", 0))
    cpus = int(ray.cluster_resources().get("CPU", 1))
    actors = settings.ray_embed_actors or max(1, gpus or cpus)
    resources = {"num_gpus": 1} if gpus else {"num_cpus": 1}
    # Ray Data restarts an actor whose worker died and sends its batch again (its defaults:
    # max_restarts=-1, max_task_retries=-1); a batch is pure, so the retry changes nothing.
    ds = ray.data.from_items([{"i": i, "text": t} for i, t in enumerate(texts)])
    return ds.map_batches(
        EmbedActor,
        fn_constructor_kwargs={"make_encoder": make_encoder, "make_second": make_second, "tokens": tokens},
        compute=ray.data.ActorPoolStrategy(size=actors),
        batch_size=settings.ray_embed_batch,
        batch_format="numpy",
        **resources,
    )
