"""A BM25 index over pre-tokenised text, stored as sparse matrices (in the spirit of bm25s).

The index never tokenises: callers pass token lists, so the tokenizer (SudachiPy in gijiroku) is
injected at the edge and recorded in the manifest. Term frequencies are stored; BM25 weights are
derived on demand, so adding documents keeps IDF exact. A query costs one sparse column slice per
query term, linear in the postings it touches.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from index.errors import IndexCorrupt

MATRIX_FILE = "lexical.npz"
VOCAB_FILE = "lexical_vocab.json"


def _idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Lucene-style BM25 IDF, never negative."""
    return np.log1p((n_docs - df + 0.5) / (df + 0.5))


class LexicalIndex:
    """BM25 (Okapi, Lucene-style IDF) over token lists keyed by int64 passage ids.

    Added rows are buffered and stacked once, on the next read, so adding many meetings in one
    batch stays linear. A reader may ``freeze`` the index: the BM25 weights are built and the raw
    term frequencies dropped, halving its memory; a frozen index cannot be changed or saved.
    """

    def __init__(self, *, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.vocab: dict[str, int] = {}
        self._ids = np.zeros(0, dtype=np.int64)
        self._tf = sp.csr_matrix((0, 0), dtype=np.float32)
        self._pending: list[tuple[np.ndarray, list, list, list, int]] = []
        self._weights: sp.csc_matrix | None = None
        self._df: np.ndarray | None = None
        self.frozen = False

    def __len__(self) -> int:
        return len(self._ids) + sum(len(p[0]) for p in self._pending)

    @property
    def doc_ids(self) -> np.ndarray:
        """Ids of the indexed rows, in row order."""
        self._flush()
        return self._ids

    @property
    def tf(self) -> sp.csr_matrix:
        """Term frequencies (rows: documents, columns: vocabulary)."""
        self._flush()
        if self.frozen:
            raise IndexCorrupt("a frozen lexical index has no term frequencies")
        return self._tf

    def add(self, ids: np.ndarray, items: Sequence[Sequence[str]]) -> None:
        """Add token lists under ``ids``; ids already present are replaced."""
        self._writable()
        ids = np.asarray(ids, dtype=np.int64)
        self.delete(ids)
        rows, cols, vals = [], [], []
        for row, tokens in enumerate(items):
            for term, count in Counter(tokens).items():
                rows.append(row)
                cols.append(self.vocab.setdefault(term, len(self.vocab)))
                vals.append(count)
        self._pending.append((ids, rows, cols, vals, len(ids)))
        self._invalidate()

    def _flush(self) -> None:
        if not self._pending:
            return
        width = len(self.vocab)
        blocks = [self._tf] if self._tf.shape[0] else []
        if blocks:
            blocks[0].resize((blocks[0].shape[0], width))
        for _, rows, cols, vals, n in self._pending:
            blocks.append(sp.csr_matrix((vals, (rows, cols)), shape=(n, width), dtype=np.float32))
        self._tf = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, width), dtype=np.float32)
        self._ids = np.concatenate([self._ids, *(p[0] for p in self._pending)])
        self._pending = []

    def delete(self, ids: np.ndarray) -> None:
        """Remove the rows of ``ids``."""
        self._writable()
        if not len(self) or not len(ids):
            return
        self._flush()
        keep = ~np.isin(self._ids, np.asarray(ids, dtype=np.int64))
        if keep.all():
            return
        self._tf = self._tf[keep]
        self._ids = self._ids[keep]
        self._invalidate()

    def _writable(self) -> None:
        if self.frozen:
            raise IndexCorrupt("this lexical index was frozen for reading; it cannot change")

    def _invalidate(self) -> None:
        self._weights = None
        self._df = None

    def freeze(self) -> None:
        """Build the BM25 weights now and drop the term frequencies (for read-only snapshots)."""
        self._bm25_weights()
        self._document_frequencies()
        self._tf = sp.csr_matrix((0, 0), dtype=np.float32)
        self.frozen = True

    def _document_frequencies(self) -> np.ndarray:
        if self._df is None:
            tf = self.tf
            self._df = np.bincount(tf.indices, minlength=tf.shape[1])
        return self._df

    def _bm25_weights(self) -> sp.csc_matrix:
        if self._weights is None:
            tf = self.tf.tocsr(copy=True)
            n_docs = max(tf.shape[0], 1)
            lengths = np.asarray(tf.sum(axis=1)).ravel()
            avg = lengths.mean() if len(lengths) else 1.0
            idf = _idf(self._document_frequencies(), n_docs)
            norm = np.repeat(self.k1 * (1 - self.b + self.b * lengths / max(avg, 1e-9)), np.diff(tf.indptr))
            tf.data = (tf.data * (self.k1 + 1) / (tf.data + norm) * idf[tf.indices]).astype(np.float32)
            self._weights = tf.tocsc()
        return self._weights

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """BM25 IDF of each term; a term the index has never seen gets the largest possible IDF."""
        n_docs = max(len(self), 1)
        df = self._document_frequencies()
        out = {}
        for term in terms:
            count = int(df[self.vocab[term]]) if term in self.vocab else 0
            out[term] = float(_idf(np.array(count, dtype=np.float64), n_docs))
        return out

    def search(self, query: Sequence[str], k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (id, BM25 score) for a token list; documents scoring zero are not returned.

        Cost: the postings of the query's terms, plus one pass over a score per document.
        """
        counts = Counter(t for t in query if t in self.vocab)
        if not counts or not len(self) or k <= 0:
            return []
        weights = self._bm25_weights()
        cols = [self.vocab[t] for t in counts]
        qtf = np.array([counts[t] for t in counts], dtype=np.float32)
        scores = np.asarray(weights[:, cols] @ qtf).ravel()
        candidates = np.flatnonzero(scores > 0)
        if allowed is not None:  # only documents with a term need the membership test
            candidates = candidates[np.isin(self.doc_ids[candidates], allowed)]
        if not len(candidates):
            return []
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        top = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(int(self.doc_ids[i]), float(scores[i])) for i in top]

    def save(self, directory: Path) -> None:
        """Write the term-frequency matrix, ids and vocabulary."""
        self._writable()
        tf = self.tf.tocsr()
        with (directory / MATRIX_FILE).open("wb") as fh:
            np.savez(
                fh,
                data=tf.data,
                indices=tf.indices,
                indptr=tf.indptr,
                shape=np.array(tf.shape),
                doc_ids=self.doc_ids,
                params=np.array([self.k1, self.b]),
            )
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        (directory / VOCAB_FILE).write_text(json.dumps(terms, ensure_ascii=False))

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """Read an index written by ``save``."""
        try:
            with np.load(directory / MATRIX_FILE) as npz:
                k1, b = (float(x) for x in npz["params"])
                obj = cls(k1=k1, b=b)
                shape = tuple(int(x) for x in npz["shape"])
                obj._tf = sp.csr_matrix((npz["data"], npz["indices"], npz["indptr"]), shape=shape)
                obj._ids = npz["doc_ids"].astype(np.int64)
            terms = json.loads((directory / VOCAB_FILE).read_text())
        except (OSError, KeyError, ValueError) as exc:
            raise IndexCorrupt(f"cannot read the lexical index in {directory}: {exc}") from exc
        obj.vocab = {t: i for i, t in enumerate(terms)}
        if obj._tf.shape != (len(obj._ids), len(terms)):
            raise IndexCorrupt(f"the lexical index in {directory} disagrees with its vocabulary")
        return obj
