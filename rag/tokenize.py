"""Japanese tokenisation for the lexical index: NFKC, SudachiPy, normalised forms of content words.

The tokenizer is a plain callable ``str -> list[str]`` that the lexical index is given; the
index itself never tokenises. Sudachi's tokenizer objects are not thread-safe, so each thread
gets its own.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rag.errors import DependencyMissing
from rag.text import nfkc

Tokenizer = Callable[[str], list[str]]

# Parts of speech that carry content; particles, auxiliaries, symbols and blanks do not.
CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "接尾辞", "代名詞", "連体詞", "感動詞")
# Matched against Sudachi's normalised forms, which write most of these in kanji (する → 為る, ある →
# 有る, ため → 為), so only こと and よう apply; the rest reach the index, where BM25's IDF gives them
# little. Matching the normalised forms (or dropping 非自立可能 verbs) from questions measured
# neutral (README, "Tried with centred token vectors"); changing it would change every index's tokens.
_STOP = {"する", "ある", "いる", "なる", "れる", "られる", "こと", "もの", "よう", "ため", "の", "これ", "それ", "ない"}


def _sudachi(purpose: str) -> tuple:
    """(Dictionary, SplitMode): the core dictionary, loaded once per process, shared by tokenizer and reader."""
    try:
        return _load_sudachi()
    except ImportError as exc:
        raise DependencyMissing(f"{purpose} needs SudachiPy: pip install sudachipy sudachidict_core") from exc


@functools.cache
def _load_sudachi() -> tuple:
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core"), SplitMode


def tokenizer_name(mode: str) -> str:
    """The name recorded in the index manifest for this tokenizer configuration."""
    return f"sudachi-core-{mode}-normalized-content-v1"


class SudachiTokenizer:
    """NFKC, lower case, SudachiPy normalised forms of content words; a ``str -> list[str]`` callable,
    plus ``many`` for batches (used when indexing)."""

    # Sudachi refuses inputs over ~49 KB (UTF-8); longer texts go in pieces.
    MAX_CHARS = 10000

    def __init__(self, mode: str = "C", *, workers: int = 1) -> None:
        self.workers = workers
        self._dictionary, split_mode = _sudachi("lexical search")
        self._split = {"A": split_mode.A, "B": split_mode.B, "C": split_mode.C}[mode]
        self._local = threading.local()
        self._content: dict[int, bool] = {}  # part-of-speech id → carries content (the lookup is slow)

    def _tok(self):
        tok = getattr(self._local, "tok", None)
        if tok is None:
            tok = self._local.tok = self._dictionary.create(mode=self._split)
        return tok

    def _morphemes(self, text: str) -> Iterable:
        for start in range(0, len(text), self.MAX_CHARS):
            yield from self._tok().tokenize(text[start : start + self.MAX_CHARS])

    def _keep(self, m) -> str:
        pos = m.part_of_speech_id()
        keep = self._content.get(pos)
        if keep is None:
            keep = self._content[pos] = m.part_of_speech()[0] in CONTENT_POS
        if not keep:
            return ""
        form = m.normalized_form().lower()
        return form if form.strip() and form not in _STOP else ""

    def __call__(self, text: str) -> list[str]:
        return [form for m in self._morphemes(nfkc(text).lower()) if (form := self._keep(m))]

    def many(self, texts: Sequence[str]) -> list[list[str]]:
        """Tokens of each text, as ``[self(t) for t in texts]`` gives, on ``workers`` threads.

        SudachiPy releases the GIL while it tokenizes: two threads on two cores measured 1.65×.
        """
        if self.workers <= 1 or len(texts) < 32:
            return [self(t) for t in texts]
        size = -(-len(texts) // self.workers)
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            parts = list(pool.map(lambda chunk: [self(t) for t in chunk], chunks))
        return [tokens for part in parts for tokens in part]


def make_sudachi_tokenizer(mode: str = "C", *, workers: int = 1) -> SudachiTokenizer:
    """The SudachiPy tokenizer for the lexical index (see ``SudachiTokenizer``)."""
    return SudachiTokenizer(mode, workers=workers)


Reader = Callable[[str], str]


def _per_thread(purpose: str) -> Callable[[], Any]:
    """A function giving this thread's mode-C Sudachi tokenizer (they are not thread-safe)."""
    dictionary, split_mode = _sudachi(purpose)
    local = threading.local()

    def tok():
        found = getattr(local, "tok", None)
        if found is None:
            found = local.tok = dictionary.create(mode=split_mode.C)
        return found

    return tok


def make_sudachi_reader() -> Reader:
    """A callable giving the katakana reading of a text (for names: 村井 → ムライ)."""
    tok = _per_thread("reading names")

    def read(text: str) -> str:
        return "".join(m.reading_form() for m in tok().tokenize(nfkc(text)) if m.part_of_speech()[0] != "空白")

    return read


def make_sudachi_segmenter() -> Callable[[str], list[str]]:
    """A callable splitting a text into SudachiPy's words, as written (大津波で → 大津波, で): names in
    a question are looked for on these boundaries (``rag.query``)."""
    tok = _per_thread("finding names in questions")

    def segment(text: str) -> list[str]:
        return [m.surface() for m in tok().tokenize(text)]

    return segment


_WORDS = threading.local()


def is_common_word(text: str) -> bool:
    """Whether SudachiPy reads ``text`` as one dictionary word that is not a proper noun.

    Parsers use it as evidence against a speaker label: in 「注意：資料は後日配布」 or 「結論：…」 the
    word before the colon is a common noun, where 山田 or 宮坂 are proper nouns (or unknown words).
    """
    morphemes = list(word_tokenizer().tokenize(nfkc(text)))
    if len(morphemes) != 1 or morphemes[0].is_oov():
        return False
    pos = morphemes[0].part_of_speech()
    return pos[1] != "固有名詞"


def word_tokenizer():
    """A SudachiPy tokenizer in split mode C for this thread: parsers read words with it."""
    tok = getattr(_WORDS, "tok", None)
    if tok is None:
        dictionary, split_mode = _sudachi("reading speaker labels")
        tok = _WORDS.tok = dictionary.create(mode=split_mode.C)
    return tok


def surname_and_title(label: str) -> tuple[str, str] | None:
    """``比留間教育長`` → (比留間, 教育長), ``鈴木主税局長`` → (鈴木, 主税局長): a name (one or two proper
    nouns: a surname, often read as a place name, and a given name) followed only by common nouns
    and suffixes, a title, as SudachiPy reads the label; else None. Titles are too many to list
    (教育長, 危機管理監, 消防総監, 審議官), so the dictionary says where the name ends."""
    morphemes = list(word_tokenizer().tokenize(nfkc(label)))
    names = 0
    while names < min(2, len(morphemes) - 1) and morphemes[names].part_of_speech()[1:3] in (
        ("固有名詞", "人名"),
        ("固有名詞", "地名"),
    ):
        names += 1
    rest = morphemes[names:]
    if not names or not rest:
        return None
    if not all(m.part_of_speech()[:2] in (("名詞", "普通名詞"), ("接尾辞", "名詞的")) for m in rest):
        return None
    if len(rest) > 1 and rest[0].part_of_speech()[0] == "接尾辞":
        return None  # 榎本雅朝局長: 朝 read as a suffix ends the given name; a title opens on a noun
    return "".join(m.surface() for m in morphemes[:names]), "".join(m.surface() for m in rest)


def is_common_compound(text: str) -> bool:
    """Whether SudachiPy reads ``text`` as two or more dictionary words, none a proper noun
    (質疑 + 応答, 意見 + 交換): a phrase of the language, where a surname is one proper noun or an
    unknown word."""
    morphemes = list(word_tokenizer().tokenize(nfkc(text)))
    return len(morphemes) > 1 and not any(m.is_oov() or m.part_of_speech()[1] == "固有名詞" for m in morphemes)


# Parts of speech a name of an organisation is made of (東京都 + デジタル + サービス + 局, 工学 + 系).
_NOUN_PHRASE_POS = ("名詞", "接頭辞", "接尾辞", "補助記号", "記号")


def trailing_noun_phrase(text: str) -> str:
    """The words at the end of ``text`` that form one noun phrase, as SudachiPy reads it: what follows
    its last verb, auxiliary or particle (ただいま御紹介いただきました東京都デジタルサービス局 →
    東京都デジタルサービス局)."""
    morphemes = list(word_tokenizer().tokenize(text)) if text else []
    start = len(morphemes)
    while start and morphemes[start - 1].part_of_speech()[0] in _NOUN_PHRASE_POS:
        start -= 1
    return text[morphemes[start].begin() :] if start < len(morphemes) else ""


def reads_as_name(text: str) -> bool:
    """Whether SudachiPy reads ``text`` as a person's name: a surname, then perhaps a given name
    (若井, 若井太郎; not 総務 or デジタル推進課)."""
    morphemes = list(word_tokenizer().tokenize(nfkc(text))) if text else []
    parts = [tuple(m.part_of_speech()[1:4]) for m in morphemes]
    return bool(parts) and parts[0] == ("固有名詞", "人名", "姓") and parts[1:] in ([], [("固有名詞", "人名", "名")])


# Parts of speech that never open a label: particles and auxiliaries (の, とは, です).
_FUNCTION_POS = ("助詞", "助動詞")


def continues_line(line: str, previous: str) -> bool:
    """Whether ``line`` can only be the rest of ``previous``, which a PDF broke at the page's edge:
    it opens with a particle, an auxiliary or a suffix (的な方向性, 化について), or a word runs across
    the break (…課題や基本 + 方針について → 基本方針)."""
    text, before = nfkc(line).strip(), nfkc(previous).strip()
    if not text or not before:
        return False
    tok = word_tokenizer()
    first = next(iter(tok.tokenize(text)), None)
    if first is not None and first.part_of_speech()[0] in (*_FUNCTION_POS, "接尾辞"):
        return True
    tail = before[-8:]
    return any(m.begin() < len(tail) < m.end() and not m.is_oov() for m in tok.tokenize(tail + text[:8]))


def is_line_fragment(line: str, following: str) -> bool:
    """Whether ``line`` is a piece of a sentence that a PDF broke over lines, not a label of its own.

    It is when it opens with a particle or an auxiliary (とは市 → と), is one or two kana of
    hiragana (し, の), or when it ends in a stray character that SudachiPy reads as part of a word
    across the break into ``following`` (都道府 + 県と… → 都道府県).
    """
    text, after = nfkc(line).strip(), nfkc(following).strip()
    if not text:
        return False
    if len(text) <= 2 and all("\u3041" <= ch <= "\u309f" for ch in text):
        return True
    tok = word_tokenizer()
    morphemes = list(tok.tokenize(text + after[:8]))
    if morphemes and morphemes[0].part_of_speech()[0] in _FUNCTION_POS:
        return True
    # Read alone, a broken word leaves a stray character (都/道/府); a whole word (国分寺市) does not,
    # even where the next line's first character would also join it (国分寺市 + 市民 → 市市).
    alone = list(tok.tokenize(text))
    stray = bool(alone) and len(alone[-1].surface()) == 1 and alone[-1].surface().isalnum()
    return stray and any(m.begin() < len(text) < m.end() and not m.is_oov() for m in morphemes)
