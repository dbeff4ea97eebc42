"""Token vectors of every passage, for late interaction (MaxSim): a passage scores against a
question by the mean over the question's tokens of each one's best cosine among its own tokens.

A single vector per passage averages its words away; token vectors keep them, so a question
matches the passage that holds its ideas somewhere, in whatever order. The index keeps each
token's vector in 4 bits a dimension (codes in ±7) with one scale per token: an eighth of
float32, and the same ranking quality on the dev questions as 8 bits, which took twice the
disk (README, "Late interaction"). It re-ranks the dense leg's best passages (``rescore``), so
its cost per query is the candidates' tokens, not the index's; ``search`` scans every passage
(small indexes, tests).

e5's token vectors share one direction: their mean has norm 0.83, and two tokens' cosine is 0.70
on average, so part of every MaxSim is what all text has in common. ``rescore`` and ``search``
can take the index's mean token vector (``mean``) as a ``centre``: both sides' vectors less the
centre, their cosine then taken (all-but-the-top, Mu and Viswanath 2018). The index keeps the sum
and count of its token vectors (``tokens.sum.npy``), brought up to date by what a write adds and
deletes, so the mean costs nothing to read and follows the index as it grows.

Files: ``tokens.nibbles.npy`` (tokens × dim/2, uint8: ``index.int8.pack_nibbles``),
``tokens.scales.npy`` (tokens, float32), ``tokens.ids.npy`` and ``tokens.offsets.npy`` (passage
``ids[i]`` owns rows ``offsets[i]:offsets[i + 1]``), ``tokens.sum.npy`` (dim + 1, float64: the
stored vectors' sum, then their count; an index written before it sums its rows once). A reader
maps the nibbles and scales instead of reading them: they cost 196 bytes a token, about 12 KB a
passage (12 GB at a million passages), and a query reads its 50 candidates' rows only, so a
server's memory does not grow with them. A writer streams them into the next generation the
same way. The layouts before, one int8 code a dimension in ``tokens.codes.npy`` or all arrays in
``tokens.npz``, are still read; the next write stores them in 4 bits.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from index.base import IdPositions, top_k
from index.errors import IndexCorrupt, StoreError
from index.int8 import (
    NIBBLE_LEVELS,
    nibble_product,
    pack_nibbles,
    packed_width,
    product,
    quantize_rows,
    unpack_nibbles,
)

FILES = {name: f"tokens.{name}.npy" for name in ("nibbles", "scales", "ids", "offsets")}
INT8_CODES = "tokens.codes.npy"  # the layout before: an int8 code a dimension (with the other FILES)
FILE = "tokens.npz"  # the layout before that (int8 codes, every array in one file, read whole)
SUM_FILE = "tokens.sum.npy"  # the stored vectors' sum and count (absent before centring)
# Passages copied per step when a generation is written: bounds the writer's memory.
_COPY_PASSAGES = 4096


class TokenIndex:
    """Token vectors by passage id: add, delete, search (MaxSim over all), rescore, save, load."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        # Packed 4-bit codes (tokens × ⌈dim/2⌉ uint8), or an older index's int8 codes (tokens × dim,
        # ``_packed`` False); either may be a read-only memory map.
        self._codes: np.ndarray = np.zeros((0, packed_width(dim)), dtype=np.uint8)
        self._packed = True
        self._scales: np.ndarray = np.zeros(0, dtype=np.float32)
        self._ids = np.zeros(0, dtype=np.int64)
        self._offsets = np.zeros(1, dtype=np.int64)
        # Added, not yet packed: ids and each passage's (int8 codes in ±7, scales), quantised once on add.
        self._pending: list[tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]] = []
        self._deleted: set[int] = set()
        self._positions: IdPositions | None = None  # built from the packed ids on first lookup
        # The stored (packed) vectors' sum and count as dim + 1 float64; None: not known yet.
        self._sum: np.ndarray | None = np.zeros(dim + 1)

    def __len__(self) -> int:
        return len(self._ids) - len(self._deleted) + sum(len(ids) for ids, _ in self._pending)

    def add(self, ids: np.ndarray, items: Sequence[np.ndarray]) -> None:
        """Add each passage's token vectors (tokens × dim, normalised) under ``ids``; present ids are replaced."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) != len(items):
            raise StoreError(f"{len(ids)} ids for {len(items)} token matrices")
        for rows in items:
            if rows.ndim != 2 or rows.shape[1] != self.dim or not len(rows):
                raise StoreError(f"expected token vectors of dimension {self.dim}, got shape {rows.shape}")
        self.delete(ids)
        self._pending.append((ids, [quantize_tokens(rows) for rows in items]))

    def delete(self, ids: np.ndarray) -> None:
        """Remove ids; unknown ids are ignored. Nothing is repacked until the next read or save, so
        a writer adding file after file copies the packed arrays once, not once per file."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return
        self._deleted.update(int(i) for i in ids[np.isin(ids, self._ids)])
        self._pending = self._pending_without(ids)

    def _pending_without(self, ids: np.ndarray) -> list[tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]]:
        kept = []
        for new, items in self._pending:
            keep = ~np.isin(new, ids)
            if keep.any():
                kept.append((new[keep], [item for item, k in zip(items, keep, strict=True) if k]))
        return kept

    def ids(self) -> np.ndarray:
        """All stored passage ids."""
        self._pack()
        return self._ids.copy()

    def rescore(self, query: np.ndarray, ids: Sequence[int], *, centre: np.ndarray | None = None) -> np.ndarray:
        """MaxSim of ``query`` (its tokens × dim) against each of ``ids`` (NaN for an id without
        tokens), with both sides less ``centre`` when one is given (``mean``)."""
        self._pack()
        at, pos = self._lookup(np.asarray(ids, dtype=np.int64))
        out = np.full(len(ids), np.nan, dtype=np.float32)
        if len(at):
            out[at] = self._maxsim(np.asarray(query, dtype=np.float32), pos, centre)
        return out

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None, *, centre: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best ``k`` (id, MaxSim) over every passage (or only ``allowed`` ones): a full scan."""
        self._pack()
        pos = np.arange(len(self._ids)) if allowed is None else np.flatnonzero(np.isin(self._ids, allowed))
        if not len(pos) or k <= 0:
            return []
        return top_k(self._ids[pos], self._maxsim(np.asarray(query, dtype=np.float32), pos, centre), k)

    def moments(self) -> tuple[np.ndarray, int]:
        """(sum, count) of the stored token vectors: what a split index adds up across its shards."""
        self._pack()
        if self._sum is None:  # an index written before the sum was kept: every row, once
            self._sum = np.append(self._row_sum(np.arange(len(self._ids))), float(self._offsets[-1]))
        return self._sum[:-1].copy(), int(self._sum[-1])

    def mean(self) -> np.ndarray | None:
        """The mean stored token vector (float32), or None for an empty index."""
        total, count = self.moments()
        return (total / count).astype(np.float32) if count else None

    def _lookup(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indices into ``wanted`` that are stored, their passages' positions)."""
        if self._positions is None:
            self._positions = IdPositions(self._ids)
        return self._positions.find(wanted)

    def _maxsim(self, query: np.ndarray, pos: np.ndarray, centre: np.ndarray | None = None) -> np.ndarray:
        rows, first = _rows(self._offsets[pos], self._offsets[pos + 1])
        codes = self._codes[rows]
        if centre is not None:
            query = _centred(query, centre)
            query = np.vstack([query, centre[None, :]])  # the last column: each stored vector · centre
        sims = nibble_product(codes, query) if self._packed else product(codes, query)
        sims *= self._scales[rows, None]
        if centre is not None:
            sims = _centred_cosines(sims, query, centre)
        return np.maximum.reduceat(sims, first, axis=0).mean(axis=1)

    def _row_sum(self, pos: np.ndarray) -> np.ndarray:
        """The sum (float64) of the stored vectors of the passages at ``pos``, a bounded step at a time."""
        total = np.zeros(self.dim)
        for start in range(0, len(pos), _COPY_PASSAGES):
            part = pos[start : start + _COPY_PASSAGES]
            rows, _ = _rows(self._offsets[part], self._offsets[part + 1])
            codes = np.asarray(self._codes[rows])
            codes = unpack_nibbles(codes, self.dim) if self._packed else codes
            total += np.asarray(self._scales[rows], dtype=np.float64) @ codes.astype(np.float64)
        return total

    def _sum_after_changes(self) -> np.ndarray | None:
        """The sum and count once the pending changes are folded in: the stored sum, less the
        deleted passages' rows, plus the added ones' as they will be stored. None where the sum is
        not known, or where an older layout's codes are about to be stored anew in 4 bits."""
        if self._sum is None or not self._packed:
            return None
        total = self._sum.copy()
        if self._deleted:
            deleted = np.fromiter(self._deleted, dtype=np.int64, count=len(self._deleted))
            pos = np.flatnonzero(np.isin(self._ids, deleted))
            total[:-1] -= self._row_sum(pos)
            total[-1] -= float((self._offsets[pos + 1] - self._offsets[pos]).sum())
        for _, items in self._pending:
            for codes, scales in items:
                total[:-1] += scales.astype(np.float64) @ codes.astype(np.float64)
                total[-1] += len(codes)
        return total

    def _pack(self) -> None:
        """Fold pending additions and deletions into arrays in memory (a writer that reads)."""
        if not self._pending and not self._deleted:
            return
        total = self._sum_after_changes()
        parts = list(self._parts())
        width = packed_width(self.dim)
        self._codes = np.concatenate([c for c, _, _, _ in parts]) if parts else np.zeros((0, width), np.uint8)
        self._packed = True
        self._scales = np.concatenate([s for _, s, _, _ in parts]) if parts else np.zeros(0, np.float32)
        self._ids = np.concatenate([i for _, _, i, _ in parts]) if parts else np.zeros(0, np.int64)
        lengths = np.concatenate([n for _, _, _, n in parts]) if parts else np.zeros(0, np.int64)
        self._offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self._pending, self._deleted, self._positions, self._sum = [], set(), None, total

    def _parts(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """(packed codes, scales, ids, token counts) of the live passages, a bounded step at a time:
        the stored ones not deleted, in order (an older index's int8 codes brought to 4 bits), then
        the pending ones."""
        deleted = np.fromiter(self._deleted, dtype=np.int64, count=len(self._deleted))
        lengths = np.diff(self._offsets)
        for start in range(0, len(self._ids), _COPY_PASSAGES):
            stop = min(start + _COPY_PASSAGES, len(self._ids))
            keep = ~np.isin(self._ids[start:stop], deleted)
            if not keep.any():
                continue
            lo, hi = self._offsets[start], self._offsets[stop]
            rows = np.repeat(keep, lengths[start:stop])
            codes, scales = np.asarray(self._codes[lo:hi])[rows], np.asarray(self._scales[lo:hi])[rows]
            if not self._packed:
                codes, scales = quantize_packed(codes.astype(np.float32) * scales[:, None])
            yield codes, scales, self._ids[start:stop][keep], lengths[start:stop][keep]
        for new_ids, items in self._pending:
            yield (
                pack_nibbles(np.concatenate([codes for codes, _ in items])),
                np.concatenate([scales for _, scales in items]),
                new_ids,
                np.array([len(codes) for codes, _ in items], dtype=np.int64),
            )

    def save(self, directory: Path) -> None:
        """Write the ``tokens.*.npy`` files into ``directory``, the token rows a bounded step at a time."""
        total = self._live_rows()
        folded = self._sum_after_changes()
        shape = (total, packed_width(self.dim))
        codes = np.lib.format.open_memmap(directory / FILES["nibbles"], "w+", np.uint8, shape)
        scales = np.lib.format.open_memmap(directory / FILES["scales"], "w+", np.float32, (total,))
        row = 0
        ids, lengths = [], []
        for part_codes, part_scales, part_ids, part_lengths in self._parts():
            codes[row : row + len(part_codes)] = part_codes
            scales[row : row + len(part_scales)] = part_scales
            row += len(part_codes)
            ids.append(part_ids)
            lengths.append(part_lengths)
        codes.flush()
        scales.flush()
        counts = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
        self._ids = np.concatenate(ids) if ids else np.zeros(0, np.int64)
        self._offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        np.save(directory / FILES["ids"], self._ids)
        np.save(directory / FILES["offsets"], self._offsets)
        # From here on this index is what it wrote (a mapping survives the folder's rename).
        self._codes, self._scales, self._packed = codes, scales, True
        self._pending, self._deleted, self._positions, self._sum = [], set(), None, folded
        summed, count = self.moments()  # an older index's sum is summed once, from the rows just written
        np.save(directory / SUM_FILE, np.append(summed, float(count)))

    def _live_rows(self) -> int:
        """How many token rows the live passages have (to size the files before writing them)."""
        deleted = np.fromiter(self._deleted, dtype=np.int64, count=len(self._deleted))
        packed = int(np.diff(self._offsets)[~np.isin(self._ids, deleted)].sum())
        return packed + sum(len(codes) for _, items in self._pending for codes, _ in items)

    @classmethod
    def load(cls, directory: Path, *, dim: int) -> TokenIndex:
        """Map the ``tokens.*.npy`` files (or read an older layout); their dimension must be the manifest's."""
        codes, scales, ids, offsets, packed = _read(directory)
        width = packed_width(dim) if packed else dim
        if (
            codes.ndim != 2
            or codes.shape[1] != width
            or len(scales) != len(codes)
            or len(offsets) != len(ids) + 1
            or offsets[-1] != len(codes)
        ):
            raise IndexCorrupt(
                f"{directory} does not hold token vectors of dimension {dim} for its {len(ids)} passages"
            )
        index = cls(dim)
        index._codes, index._scales, index._ids, index._offsets = codes, scales, ids, offsets
        index._packed = packed
        index._sum = _read_sum(directory, dim=dim, rows=int(offsets[-1]))
        return index


def quantize_packed(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(packed 4-bit codes, scales) of float rows: ``quantize_tokens``, then ``pack_nibbles``."""
    codes, scales = quantize_tokens(rows)
    return pack_nibbles(codes), scales


def quantize_tokens(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes in ±7 (int8) and a scale per row that keeps the row's length. The codes' grid is set
    by the row's largest value (``quantize_rows``); the scale is then ‖row‖ / ‖codes‖, so a unit
    token vector comes back unit length, its products are the cosines of its codes' direction, and
    a centred MaxSim's |p − c|² = 1 − 2 p·c + |c|² holds exactly."""
    rows = np.asarray(rows, dtype=np.float32)
    codes, scales = quantize_rows(rows, levels=NIBBLE_LEVELS)
    lengths = np.linalg.norm(codes.astype(np.float32), axis=1)
    kept = np.linalg.norm(rows, axis=1) / np.where(lengths > 0, lengths, 1.0)
    return codes, np.where(lengths > 0, kept, scales).astype(np.float32)


def _rows(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of passages stored at ``starts:ends``, concatenated, and where each one's begin there."""
    lengths = ends - starts
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return np.arange(int(lengths.sum())) + np.repeat(starts - first, lengths), first


def _centred(rows: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Rows less ``centre``, each brought back to unit length."""
    rows = rows - centre
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-6)


def _centred_cosines(sims: np.ndarray, query: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Cosines of each stored vector less ``centre`` with the centred query rows, from the stored
    vectors' products with those rows and with the centre (``query``'s last row). A stored vector
    is unit length (``quantize_tokens``), so |p − c|² = 1 − 2 p·c + |c|²."""
    norms = np.sqrt(np.maximum(1.0 + float(centre @ centre) - 2.0 * sims[:, -1:], 1e-6))
    out = sims[:, :-1]
    out -= (query[:-1] @ centre)[None, :]
    out /= norms
    return out


def _read_sum(directory: Path, *, dim: int, rows: int) -> np.ndarray | None:
    """The stored sum and count, or None (summed when first asked) where there is none or it does
    not describe these rows."""
    try:
        found = np.load(directory / SUM_FILE)
    except (OSError, ValueError, EOFError):
        return None
    return found if found.shape == (dim + 1,) and int(found[-1]) == rows else None


def _read(directory: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """(codes, scales, ids, offsets, whether the codes are packed) of whichever layout ``directory`` has."""
    packed = (directory / FILES["nibbles"]).exists()
    if not packed and not (directory / INT8_CODES).exists() and (directory / FILE).exists():
        codes, scales, ids, offsets = _read_npz(directory / FILE)
        return codes, scales, ids, offsets, False
    try:
        codes = np.load(directory / (FILES["nibbles"] if packed else INT8_CODES), mmap_mode="r")
        scales = np.load(directory / FILES["scales"], mmap_mode="r")
        ids, offsets = np.load(directory / FILES["ids"]), np.load(directory / FILES["offsets"])
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"cannot read the token vectors in {directory}: {exc}") from exc
    return codes, scales, ids, offsets, packed


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    try:
        with np.load(path) as data:
            return tuple(data[k] for k in ("codes", "scales", "ids", "offsets"))
    except (OSError, ValueError, KeyError) as exc:
        raise IndexCorrupt(f"cannot read {path}: {exc}") from exc
