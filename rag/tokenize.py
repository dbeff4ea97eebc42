"""Japanese tokenisation for the lexical index: NFKC, SudachiPy, normalised forms of content words.

The tokenizer is a plain callable ``str -> list[str]`` that the lexical index is given; the
index itself never tokenises. Sudachi's tokenizer objects are not thread-safe, so each thread
gets its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from rag.errors import DependencyMissing
from rag.text import nfkc

Tokenizer = Callable[[str], list[str]]

# Parts of speech that carry content; particles, auxiliaries, symbols and blanks do not.
CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "接尾辞", "代名詞", "連体詞", "感動詞")
_STOP = {"する", "ある", "いる", "なる", "れる", "られる", "こと", "もの", "よう", "ため", "の", "これ", "それ", "ない"}


def tokenizer_name(mode: str) -> str:
    """The name recorded in the index manifest for this tokenizer configuration."""
    return f"sudachi-core-{mode}-normalized-content-v1"


def make_sudachi_tokenizer(mode: str = "C") -> Tokenizer:
    """A SudachiPy tokenizer: NFKC, lower case, normalised forms, content words only."""
    try:
        from sudachipy import Dictionary, SplitMode
    except ImportError as exc:
        raise DependencyMissing("lexical search needs SudachiPy: pip install sudachipy sudachidict_core") from exc
    dictionary = Dictionary(dict="core")
    split = {"A": SplitMode.A, "B": SplitMode.B, "C": SplitMode.C}[mode]
    local = threading.local()

    def tokenize(text: str) -> list[str]:
        tok = getattr(local, "tok", None)
        if tok is None:
            tok = local.tok = dictionary.create(mode=split)
        out = []
        # Sudachi refuses inputs over ~49 KB; remarks are far shorter, but be safe.
        for start in range(0, len(text), 10000):
            for m in tok.tokenize(nfkc(text[start : start + 10000]).lower()):
                pos = m.part_of_speech()
                if pos[0] not in CONTENT_POS:
                    continue
                form = m.normalized_form().lower()
                if form.strip() and form not in _STOP:
                    out.append(form)
        return out

    return tokenize


Reader = Callable[[str], str]


def make_sudachi_reader() -> Reader:
    """A callable giving the katakana reading of a text (for names: 村井 → ムライ)."""
    try:
        from sudachipy import Dictionary, SplitMode
    except ImportError as exc:
        raise DependencyMissing("readings need SudachiPy: pip install sudachipy sudachidict_core") from exc
    dictionary = Dictionary(dict="core")
    local = threading.local()

    def read(text: str) -> str:
        tok = getattr(local, "tok", None)
        if tok is None:
            tok = local.tok = dictionary.create(mode=SplitMode.C)
        return "".join(m.reading_form() for m in tok.tokenize(nfkc(text)) if m.part_of_speech()[0] != "空白")

    return read
