"""Retrieval quality on the dev questions may only rise on purpose: CI fails below the floor."""

from __future__ import annotations

import pytest

from rag.engine import Engine
from rag.evaluation import evaluate, load_questions
from rag.settings import Settings
from tests.conftest import CORPORA, shared_file

pytestmark = pytest.mark.slow

# Measured 0.893 (hybrid MRR@10, all 39 dev questions); the floor sits just under it.
HYBRID_MRR_FLOOR = 0.88
JA_RECALL5_FLOOR = 0.95
EN_RECALL5_FLOOR = 0.85


def test_dev_set_quality(tmp_path, model_cache, sudachi):
    gold = shared_file("eval/dev.jsonl")
    files = sorted(p for p in CORPORA.iterdir() if p.suffix in (".txt", ".json", ".md") and p.name != "SOURCES.md")
    engine = Engine(Settings(index_dir=tmp_path / "index", model_cache_dir=model_cache), tokenize=sudachi)
    assert all(r.status == "ingested" for r in engine.ingest(files))
    summary, _ = evaluate(load_questions(gold), lambda q: engine.search(query=q, k=10).hits)
    assert summary["all"]["MRR@10"] >= HYBRID_MRR_FLOOR
    assert summary["lang:ja"]["R@5"] >= JA_RECALL5_FLOOR
    assert summary["lang:en"]["R@5"] >= EN_RECALL5_FLOOR
