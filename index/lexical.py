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


class LexicalIndex:
    """BM25 (Okapi, Lucene-style IDF) over token lists keyed by int64 passage ids."""

    def __init__(self, *, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.vocab: dict[str, int] = {}
        self.doc_ids = np.zeros(0, dtype=np.int64)
        self.tf = sp.csr_matrix((0, 0), dtype=np.float32)
        self._weights: sp.csc_matrix | None = None
        self._df: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.doc_ids)

    def add(self, ids: np.ndarray, items: Sequence[Sequence[str]]) -> None:
        """Add token lists under ``ids``; ids already present are replaced."""
        ids = np.asarray(ids, dtype=np.int64)
        self.delete(ids)
        rows, cols, vals = [], [], []
        for row, tokens in enumerate(items):
            for term, count in Counter(tokens).items():
                col = self.vocab.setdefault(term, len(self.vocab))
                rows.append(row)
                cols.append(col)
                vals.append(count)
        new = sp.csr_matrix((vals, (rows, cols)), shape=(len(ids), len(self.vocab)), dtype=np.float32)
        old = self.tf
        old.resize((old.shape[0], len(self.vocab)))
        self.tf = sp.vstack([old, new], format="csr")
        self.doc_ids = np.concatenate([self.doc_ids, ids])
        self._weights = None
        self._df = None

    def delete(self, ids: np.ndarray) -> None:
        """Remove the rows of ``ids``."""
        if not len(self) or not len(ids):
            return
        keep = ~np.isin(self.doc_ids, np.asarray(ids, dtype=np.int64))
        if keep.all():
            return
        self.tf = self.tf[keep]
        self.doc_ids = self.doc_ids[keep]
        self._weights = None
        self._df = None

    def _bm25_weights(self) -> sp.csc_matrix:
        if self._weights is None:
            tf = self.tf.tocsr(copy=True)
            n_docs = max(tf.shape[0], 1)
            lengths = np.asarray(tf.sum(axis=1)).ravel()
            avg = lengths.mean() if len(lengths) else 1.0
            df = np.bincount(tf.indices, minlength=tf.shape[1])
            idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
            norm = np.repeat(self.k1 * (1 - self.b + self.b * lengths / max(avg, 1e-9)), np.diff(tf.indptr))
            tf.data = (tf.data * (self.k1 + 1) / (tf.data + norm) * idf[tf.indices]).astype(np.float32)
            self._weights = tf.tocsc()
        return self._weights

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """BM25 IDF of each term; a term the index has never seen gets the largest possible IDF."""
        n_docs = max(len(self), 1)
        if self._df is None:
            self._df = np.bincount(self.tf.indices, minlength=self.tf.shape[1])
        out = {}
        for term in terms:
            df = int(self._df[self.vocab[term]]) if term in self.vocab else 0
            out[term] = float(np.log1p((n_docs - df + 0.5) / (df + 0.5)))
        return out

    def search(self, query: Sequence[str], k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (id, BM25 score) for a token list; documents scoring zero are not returned."""
        counts = Counter(t for t in query if t in self.vocab)
        if not counts or not len(self) or k <= 0:
            return []
        weights = self._bm25_weights()
        cols = [self.vocab[t] for t in counts]
        qtf = np.array([counts[t] for t in counts], dtype=np.float32)
        scores = np.asarray(weights[:, cols] @ qtf).ravel()
        if allowed is not None:
            scores = np.where(np.isin(self.doc_ids, allowed), scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if not len(candidates):
            return []
        top = candidates[np.argsort(-scores[candidates], kind="stable")[:k]]
        return [(int(self.doc_ids[i]), float(scores[i])) for i in top]

    def save(self, directory: Path) -> None:
        """Write the term-frequency matrix, ids and vocabulary."""
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
                obj.tf = sp.csr_matrix((npz["data"], npz["indices"], npz["indptr"]), shape=shape)
                obj.doc_ids = npz["doc_ids"].astype(np.int64)
            terms = json.loads((directory / VOCAB_FILE).read_text())
        except (OSError, KeyError, ValueError) as exc:
            raise IndexCorrupt(f"cannot read the lexical index in {directory}: {exc}") from exc
        obj.vocab = {t: i for i, t in enumerate(terms)}
        if obj.tf.shape != (len(obj.doc_ids), len(terms)):
            raise IndexCorrupt(f"the lexical index in {directory} disagrees with its vocabulary")
        return obj
