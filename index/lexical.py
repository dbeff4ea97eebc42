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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from index.base import IdPositions, top_k
from index.errors import IndexCorrupt

MATRIX_FILE = "lexical.npz"
VOCAB_FILE = "lexical_vocab.json"


def _idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Lucene-style BM25 IDF, never negative."""
    return np.log1p((n_docs - df + 0.5) / (df + 0.5))


@dataclass(frozen=True)
class Collection:
    """The collection statistics BM25 needs beyond a document: documents, total length, term counts.

    One index computes its own; the shards of a split index score with the sum of theirs, so a
    sharded search gives every document the score the whole index would.
    """

    n_docs: int
    total_length: int
    df: dict[str, int]

    @property
    def avg_length(self) -> float:
        """Mean document length in tokens (an exact integer ratio, the same on every shard)."""
        return self.total_length / max(self.n_docs, 1)


def merge_collections(parts: Sequence[Collection]) -> Collection:
    """The statistics of a collection made of disjoint ``parts``."""
    df: dict[str, int] = {}
    for part in parts:
        for term, count in part.df.items():
            df[term] = df.get(term, 0) + count
    return Collection(sum(p.n_docs for p in parts), sum(p.total_length for p in parts), df)


def collection_idf(collection: Collection, terms: Sequence[str]) -> dict[str, float]:
    """BM25 IDF of each term in ``collection``; an unseen term gets the largest possible IDF."""
    n_docs = max(collection.n_docs, 1)
    return {t: float(_idf(np.array(collection.df.get(t, 0), dtype=np.float64), n_docs)) for t in terms}


def _bm25_values(
    tf: np.ndarray, doc_length: np.ndarray, avg: float, idf: np.ndarray, *, k1: float, b: float
) -> np.ndarray:
    """BM25 weight of each (document, term) entry; one expression for a whole index and for a shard."""
    norm = k1 * (1 - b + b * doc_length / max(avg, 1e-9))
    return (tf * (k1 + 1) / (tf + norm) * idf).astype(np.float32)


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
        self._columns: tuple[sp.csc_matrix, np.ndarray] | None = None
        self.frozen = False
        self._total_length: int | None = None
        self._rows_by_id: IdPositions | None = None  # built from the row ids on first lookup

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
        self._rows_by_id = None
        self._df = None
        self._columns = None
        self._total_length = None

    def freeze(self) -> None:
        """Build the BM25 weights now and drop the term frequencies (for read-only snapshots)."""
        self._bm25_weights()
        self.collection(())  # keeps the total length, which needs the term frequencies
        self._tf = sp.csr_matrix((0, 0), dtype=np.float32)
        self.frozen = True

    def _document_frequencies(self) -> np.ndarray:
        if self._df is None:
            tf = self.tf
            self._df = np.bincount(tf.indices, minlength=tf.shape[1])
        return self._df

    def _lengths(self, tf: sp.csr_matrix) -> np.ndarray:
        return np.asarray(tf.sum(axis=1, dtype=np.float64)).ravel()

    def _bm25_weights(self) -> sp.csc_matrix:
        if self._weights is None:
            tf = self.tf.tocsr(copy=True)
            stats = self.collection(())
            idf = _idf(self._document_frequencies(), max(stats.n_docs, 1))
            lengths = np.repeat(self._lengths(tf), np.diff(tf.indptr))
            tf.data = _bm25_values(tf.data, lengths, stats.avg_length, idf[tf.indices], k1=self.k1, b=self.b)
            self._weights = tf.tocsc()
        return self._weights

    def collection(self, terms: Sequence[str]) -> Collection:
        """This index's statistics, with the document frequency of ``terms`` (the ones it knows)."""
        df = self._document_frequencies()
        if self._total_length is None:
            self._total_length = round(float(self._lengths(self.tf).sum()))
        return Collection(len(self), self._total_length, {t: int(df[self.vocab[t]]) for t in terms if t in self.vocab})

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """BM25 IDF of each term; a term the index has never seen gets the largest possible IDF."""
        return collection_idf(self.collection(terms), terms)

    def search(
        self,
        query: Sequence[str],
        k: int,
        allowed: np.ndarray | None = None,
        *,
        collection: Collection | None = None,
    ) -> list[tuple[int, float]]:
        """Top ``k`` (id, BM25 score) for a token list; documents scoring zero are not returned.

        With ``collection`` (the statistics of a whole split index), documents are scored as that
        collection would score them; the index must not be frozen. Cost: the postings of the
        query's terms, plus one pass over a score per document.
        """
        counts = Counter(t for t in query if t in self.vocab)
        if not counts or not len(self) or k <= 0:
            return []
        cols = [self.vocab[t] for t in counts]
        qtf = np.array([counts[t] for t in counts], dtype=np.float32)
        weights = self._bm25_weights()[:, cols] if collection is None else self._weights_in(collection, list(counts))
        scores = np.asarray(weights @ qtf).ravel()
        candidates = np.flatnonzero(scores > 0)
        if allowed is not None:  # only documents with a term need the membership test
            candidates = candidates[np.isin(self.doc_ids[candidates], allowed)]
        return top_k(self.doc_ids[candidates], scores[candidates], k) if len(candidates) else []

    def holding(self, terms: Sequence[str], ids: Sequence[int]) -> dict[int, set[str]]:
        """Which of ``terms`` each document of ``ids`` holds, read from the postings: what tokenizing
        the documents' texts again would give, without the tokenizer (ids not indexed are left out)."""
        rows, found = self._rows_of(np.asarray(ids, dtype=np.int64))
        out: dict[int, set[str]] = {int(i): set() for i in found}
        weights = self._bm25_weights()
        for term in dict.fromkeys(terms):
            col = self.vocab.get(term)
            if col is None or not len(rows):
                continue
            postings = weights.indices[weights.indptr[col] : weights.indptr[col + 1]]
            for i in found[np.isin(rows, postings)]:
                out[int(i)].add(term)
        return out

    def _rows_of(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, id) of each of ``wanted`` that is indexed."""
        if self._rows_by_id is None:
            self._rows_by_id = IdPositions(self.doc_ids)
        found, rows = self._rows_by_id.find(wanted)
        return rows, wanted[found]

    def _weights_in(self, collection: Collection, terms: list[str]) -> sp.csc_matrix:
        """BM25 weights of ``terms``' columns under another collection's statistics."""
        if self._columns is None:
            tf = self.tf
            self._columns = (tf.tocsc(), self._lengths(tf))
        tf_csc, lengths = self._columns
        sub = tf_csc[:, [self.vocab[t] for t in terms]]
        df = np.array([collection.df.get(t, 0) for t in terms], dtype=np.int64)
        idf = np.repeat(_idf(df, max(collection.n_docs, 1)), np.diff(sub.indptr))
        values = _bm25_values(sub.data, lengths[sub.indices], collection.avg_length, idf, k1=self.k1, b=self.b)
        return sp.csc_matrix((values, sub.indices, sub.indptr), shape=sub.shape)

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
