"""Shared fixtures: the bundled sample, the shared corpora (skipped when absent), a hashing fake
encoder for fast hermetic tests, and, for slow tests, the real default model converted once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from rag.embedding.encoder import Encoder
from rag.embedding.hashing import hashing_encoder, hashing_second
from rag.embedding.second import SecondEncoder
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


def fake_encoder() -> Encoder:
    """An ``Encoder`` over hashed character bigrams (``rag.embedding.hashing``)."""
    return hashing_encoder()


@pytest.fixture(scope="session")
def sudachi():
    """The Sudachi tokenizer (loaded once per session)."""
    from rag.tokenize import make_sudachi_tokenizer

    return make_sudachi_tokenizer("C")


def make_settings(index_dir: Path, **overrides: object) -> Settings:
    """Settings for a test index with the fake model's name (no second dense leg unless asked for)."""
    values: dict = {"second_model": "none", **overrides}
    return Settings(index_dir=index_dir, model_name="test/hashing", **values)


def fake_second() -> SecondEncoder:
    """A ``SecondEncoder`` over hashed character trigrams, under the real second model's name."""
    return hashing_second()


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


@pytest.fixture(scope="session")
def corpora_engine(tmp_path_factory, model_cache, sudachi) -> Engine:
    """An engine with the real default model over the four shared corpora (slow; skipped without them)."""
    shared_file("eval/dev.jsonl")
    files = sorted(p for p in CORPORA.iterdir() if p.suffix in (".txt", ".json", ".md") and p.name != "SOURCES.md")
    settings = Settings(index_dir=tmp_path_factory.mktemp("corpora") / "index", model_cache_dir=model_cache)
    engine = Engine(settings, tokenize=sudachi)
    assert all(r.status == "ingested" for r in engine.ingest(files))
    return engine
