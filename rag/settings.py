"""The one typed configuration of gijiroku, read from ``GIJIROKU_*`` environment variables and ``.env``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import ConfigError

DEFAULT_MODEL = "intfloat/multilingual-e5-small"
# Prompts per model family: e5 wants prefixes, ruri its Japanese ones; others get none.
KNOWN_PROMPTS: dict[str, tuple[str, str]] = {
    "multilingual-e5": ("query: ", "passage: "),
    "e5-": ("query: ", "passage: "),
    "ruri": ("検索クエリ: ", "検索文書: "),
}


def _data_home() -> Path:
    return Path.home() / ".local" / "share" / "gijiroku"


def _cache_home() -> Path:
    return Path.home() / ".cache" / "gijiroku"


class Settings(BaseSettings):
    """Every tunable of the pipeline, the retriever and the service, validated at start."""

    model_config = SettingsConfigDict(env_prefix="GIJIROKU_", env_file=".env", extra="ignore")

    index_dir: Path = Field(default_factory=lambda: _data_home() / "index")
    model_name: str = DEFAULT_MODEL
    model_cache_dir: Path = Field(default_factory=lambda: _cache_home() / "models")
    query_prompt: str | None = None
    passage_prompt: str | None = None
    # The prompt for English questions; None uses the model's query prompt. With e5 and 160-char
    # passages, English questions over Japanese remarks ranked better with no prefix at all
    # (dense MRR@10 on the English dev questions 0.857 without, 0.607 with "query: ").
    english_query_prompt: str | None = ""
    device: str = "auto"
    batch_size: int = Field(default=16, ge=1, le=1024)
    # OpenMP threads of FAISS searches (0: one per core); 1 suits a server of single queries (index/dense.py).
    faiss_threads: int = Field(default=1, ge=0, le=256)
    # BLAS threads of numpy in a server (0: numpy's default); see rag/engine.py.
    blas_threads: int = Field(default=1, ge=0, le=256)
    # Concurrent queries are encoded together, up to this many per forward pass (1: no batching;
    # 0: 2 when one query encoding runs on one thread, else 16; see rag/embedding/encoder.py).
    query_batch: int = Field(default=0, ge=0, le=256)
    # Query vectors remembered (LRU); 0 turns the cache off.
    query_cache_size: int = Field(default=1024, ge=0)
    torch_threads: int = Field(default=0, ge=0)
    # Which runtime encodes queries and passages. auto: ONNX Runtime over the default model's 4-bit
    # graph on a CPU (the same vectors, twice as fast, no torch in the server), torch elsewhere.
    query_backend: Literal["auto", "onnx", "torch"] = "auto"
    passage_backend: Literal["auto", "onnx", "torch"] = "auto"
    # int8: queries through an int8 graph of the same model (ONNX backend only; passages stay
    # float): /search 1.4× the requests/s on a CPU with int8 matrix units, for vectors at cosine
    # 0.998 to the float ones, which moved 2 of 79 gold questions by a rank or two (README, "The
    # service under load"). auto: int8 on a CPU with those units (VNNI or AMX), else float.
    query_precision: Literal["auto", "float", "int8"] = "auto"
    # Threads of one ONNX query encoding (0: 1 for int8, whose short operations lose more waking a
    # second thread than it saves, else as torch_threads); see rag/embedding/encoder.py.
    query_threads: int = Field(default=0, ge=0, le=256)

    # Measured on the dev set (README, "Quality"): short passages and a small RRF k rank best.
    passage_max_chars: int = Field(default=160, ge=50, le=4000)
    passage_overlap_chars: int = Field(default=60, ge=0)
    passage_context: bool = False

    sudachi_mode: Literal["A", "B", "C"] = "C"
    # Threads that tokenize passages while indexing (0: one per CPU core).
    index_threads: int = Field(default=0, ge=0, le=64)
    bm25_k1: float = Field(default=1.2, gt=0)
    bm25_b: float = Field(default=0.75, ge=0, le=1)
    # flat: exact (up to ~100k passages); ivf_sq8: inverted file over 8-bit codes in memory,
    # re-ranked with exact vectors on disk (millions); hnsw, hnsw_sq8, hnsw_sq4: graphs, measured
    # against it in bench/scale.py. Chosen when an index is created (recorded in its manifest);
    # `gijiroku reindex` converts an existing index.
    dense_index: Literal["flat", "ivf_sq8", "hnsw", "hnsw_sq8", "hnsw_sq4"] = "flat"
    # Lists an ivf_sq8 index scans per query. Recall@10 against exact search at 1M remarks
    # (4096 lists, bench/scale.py): 0.92 with 64, 0.95 with 128, 0.98 with 256 (7 ms), 0.99 with 512 (12 ms).
    ivf_nprobe: int = Field(default=256, ge=1)
    hnsw_m: int = Field(default=32, ge=4, le=128)
    # Search breadth of HNSW. Recall@10 against exact search (bench/scale.py): at 100k passages
    # 0.94 with 512, 0.99 with 2048 (8 ms); at 1M, 0.91 with 2048 and 0.95 with 4096 (24 ms).
    hnsw_ef_search: int = Field(default=2048, ge=8)

    # A second dense leg (another embedding model over the same passages) fused with the others;
    # "none" turns it off. Recorded in the index manifest.
    second_model: Literal["use-multilingual-v3", "none"] = "use-multilingual-v3"
    # Late interaction: the dense leg's best ``late_candidates`` passages re-ranked by MaxSim over
    # the model's token vectors (index/tokens.py), which the index stores beside the passage
    # vectors. Chosen on the choosing half of the dev questions (README, "Retrieval quality").
    # Recorded in the index manifest; an index without token vectors gains them on its next write.
    late_interaction: bool = True
    late_candidates: int = Field(default=50, ge=1, le=5000)
    # MaxSim between token vectors less the index's mean token vector (index/tokens.py): e5's
    # token vectors share one direction, which every cosine would otherwise carry. Measured on
    # questions written for it after it was proposed (README, "Centred token vectors").
    late_centred: bool = True
    # For an English question, the second leg's best this many passages are re-ranked by MaxSim
    # beside the dense leg's own (0: none), since e5's pooled vector misses Japanese remarks that
    # USE finds from English questions. 100 raised four questions and lowered none on the files it
    # was chosen on, and moved one each way on 39 English questions written to confirm it, so it
    # stays off (README, "Tried with centred token vectors").
    english_late_second: int = Field(default=0, ge=0, le=5000)
    # logrank: each leg adds weight · log(candidates / calibrated rank) (rag/fusion.py); rrf: the
    # reciprocal rank fusion of the earlier releases, kept for comparison (bench/core.py --fusion).
    fusion: Literal["logrank", "rrf"] = "logrank"
    # A remark's rank in a leg is its best passage's rank times (its passage count) ** this: a
    # remark of n passages gets n draws at a question, so long speeches would otherwise win every
    # vague one. Chosen on the choosing half of the dev questions (bench/tune.py).
    length_penalty: float = Field(default=0.125, ge=0, le=2)
    rrf_k: int = Field(default=5, ge=1)
    dense_weight: float = Field(default=1.0, ge=0)
    lexical_weight: float = Field(default=1.0, ge=0)
    # English questions share few words with Japanese remarks, so their lexical leg is mostly noise.
    english_lexical_weight: float = Field(default=0.5, ge=0)
    second_weight: float = Field(default=0.5, ge=0)
    candidates: int = Field(default=100, ge=10, le=5000)
    default_k: int = Field(default=10, ge=1, le=100)
    max_k: int = Field(default=100, ge=1, le=1000)
    max_query_chars: int = Field(default=1000, ge=10)

    # Query understanding: a person or role named in a question becomes a speaker filter.
    infer_speaker: bool = True
    # Answers: how many top remarks may be quoted, how many sentences per quote, and the evidence
    # (dense margin + 0.1 x IDF coverage, or the second leg's margin x answer_second_evidence where
    # stronger; rag/answer.py) below which a remark is not quoted, or the answer is hedged. Measured
    # on the gold questions' fixed split against off-topic ones: bench/answer_gate.py.
    answer_remarks: int = Field(default=5, ge=1, le=20)
    answer_sentences: int = Field(default=2, ge=1, le=5)
    answer_min_evidence: float = Field(default=0.055)
    answer_confident_evidence: float = Field(default=0.07)
    answer_second_evidence: float = Field(default=0.22, ge=0)
    # Who-said-what ranks speakers over this many top remarks.
    who_candidates: int = Field(default=50, ge=5, le=500)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    admin_token: str | None = None
    max_upload_mb: int = Field(default=50, ge=1)
    # Requests in flight, overall (503 past it) and per client address (429 past it), and the
    # largest JSON body and query string: a flood or an oversized request is turned away at once.
    max_inflight: int = Field(default=256, ge=1)
    max_client_inflight: int = Field(default=64, ge=1)
    max_body_kb: int = Field(default=64, ge=1)
    max_query_string: int = Field(default=16384, ge=256)  # a 1,000-character Japanese query is 9 KB encoded
    # Origins allowed to call the API from a browser page of their own; none by default (CORS closed).
    cors_origins: list[str] = Field(default_factory=list)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # glibc malloc arenas for the server (0: glibc's default); 2 keeps RSS down on million-remark indexes.
    malloc_arena_max: int = Field(default=0, ge=0, le=64)

    # Ray (the optional ``gijiroku[ray]`` extra): a local cluster's size when started for one command
    # (``--ray auto``), embedding actors and their batch, and how long a shard may take to answer.
    ray_num_cpus: int = Field(default=0, ge=0, le=4096)  # 0: every core of this machine
    ray_object_store_mb: int = Field(default=512, ge=75)
    ray_embed_actors: int = Field(default=0, ge=0, le=1024)  # 0: one per CPU (per GPU where the cluster has GPUs)
    ray_embed_batch: int = Field(default=64, ge=1, le=4096)
    ray_tmpdir: Path | None = None  # Ray's session files; a short path (AF_UNIX names stop at 108 bytes)
    shard_dir: Path | None = None  # the split index for sharded serving (None: beside the index, <index>-shards)
    shard_replicas: int = Field(default=1, ge=1, le=64)
    shard_cpus: float = Field(default=1.0, ge=0, le=64)  # CPUs Ray reserves for each shard replica
    shard_timeout_s: float = Field(default=10.0, gt=0, le=600)

    @field_validator("device")
    @classmethod
    def _device(cls, value: str) -> str:
        if value not in ("auto", "cpu", "cuda", "mps") and not value.startswith("cuda:"):
            raise ValueError("device must be auto, cpu, cuda, cuda:N or mps")
        return value

    def prompts(self) -> tuple[str, str]:
        """(query prompt, passage prompt) for the configured model."""
        default = next((p for k, p in KNOWN_PROMPTS.items() if k in self.model_name.lower()), ("", ""))
        query = default[0] if self.query_prompt is None else self.query_prompt
        passage = default[1] if self.passage_prompt is None else self.passage_prompt
        return query, passage

    def english_prompt(self) -> str:
        """The query prompt for English questions (falls back to the general one)."""
        return self.prompts()[0] if self.english_query_prompt is None else self.english_query_prompt


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment with explicit overrides; ``ConfigError`` explains bad values."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid settings: {problems}") from exc
