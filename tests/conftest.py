"""Shared fixtures: the bundled sample, the shared corpora (skipped when absent), a hashing fake
encoder for fast hermetic tests, and, for slow tests, the real default model converted once."""

from __future__ import annotations

import hashlib
import itertools
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings as hypothesis_settings

from rag.embedding.encoder import Encoder
from rag.embedding.second import USE_MULTILINGUAL, SecondEncoder
from rag.engine import Engine
from rag.settings import Settings

# In CI the property-based tests draw the same examples on every run (a failure there is
# reproducible from the log); locally they explore new ones each time.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "rag" / "data" / "sample" / "tokyo-digital-service-kaigi-07-2023-08-31.txt"
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_file(name: str) -> Path:
    """A file of ../shared, or skip the test with the reason."""
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"../shared/{name} is not present (the shared corpora sit beside the repo in CI)")
    return path


class HashingModel:
    """A deterministic stand-in for a sentence-transformers model: hashed character bigrams."""

    dim = 64

    def get_embedding_dimension(self) -> int:
        return self.dim

    def encode(self, texts, prompt=None, **_: object) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in itertools.pairwise(text):
                digest = hashlib.md5((a + b).encode()).digest()
                out[row, digest[0] % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def fake_encoder() -> Encoder:
    """An ``Encoder`` over ``HashingModel``."""
    return Encoder(
        HashingModel(), name="test/hashing", query_prompt="", passage_prompt="", english_prompt="", batch_size=8
    )


@pytest.fixture(scope="session")
def sudachi():
    """The Sudachi tokenizer (loaded once per session)."""
    from rag.tokenize import make_sudachi_tokenizer

    return make_sudachi_tokenizer("C")


def make_settings(index_dir: Path, **overrides: object) -> Settings:
    """Settings for a test index with the fake model's name (no second dense leg unless asked for)."""
    values: dict = {"second_model": "none", **overrides}
    return Settings(index_dir=index_dir, model_name="test/hashing", **values)


class HashingSecondModel(HashingModel):
    """A stand-in for the second dense model: hashed character trigrams, another view of the text."""

    dim = 32

    def encode(self, texts, prompt=None, **_: object) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for i in range(len(text) - 2):
                out[row, hashlib.md5(text[i : i + 3].encode()).digest()[0] % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def fake_second() -> SecondEncoder:
    """A ``SecondEncoder`` over ``HashingSecondModel``, under the real second model's name."""
    return SecondEncoder(HashingSecondModel(), name=USE_MULTILINGUAL, dim=HashingSecondModel.dim)


@pytest.fixture
def fake_engine(tmp_path, sudachi) -> Engine:
    """An engine over an empty temporary index, with the hashing encoder."""
    return Engine(make_settings(tmp_path / "index"), encoder=fake_encoder(), tokenize=sudachi)


@pytest.fixture(scope="session")
def sample_engine(tmp_path_factory, sudachi) -> Engine:
    """An engine with the bundled sample ingested, fake encoder (fast)."""
    engine = Engine(
        make_settings(tmp_path_factory.mktemp("sample") / "index"), encoder=fake_encoder(), tokenize=sudachi
    )
    engine.ingest([SAMPLE])
    return engine


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """Where the real default model is converted: the configured cache (GIJIROKU_MODEL_CACHE_DIR)."""
    return Settings().model_cache_dir


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory, model_cache, sudachi) -> Engine:
    """An engine with the real default model over the bundled sample (slow: converts the model once)."""
    settings = Settings(index_dir=tmp_path_factory.mktemp("real") / "index", model_cache_dir=model_cache)
    engine = Engine(settings, tokenize=sudachi)
    engine.ingest([SAMPLE])
    return engine
