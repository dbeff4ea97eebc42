"""Per-passage filter columns in memory: person, group, meeting, date, speaker and topic as codes.

Answering a filter from SQLite means one index lookup per matching remark (0.15 s warm and seconds
cold for a speaker with 76,000 remarks in a million), or a scan of every remark for a substring
match on a speaker's label or a topic. Here each filterable column is a code array aligned with the
sorted passage ids (about 32 bytes per passage), so a filter is a few vectorised comparisons.
Codes index a vocabulary of the column's distinct values, and a condition is decided once per
distinct value: a date range compares the strings SQLite compares, a speaker or topic text is a
substring of the comparison keys SQLite matches with LIKE. ``None`` is code -1 and matches
nothing, as NULL matches nothing in SQL. A test checks that every filter gives the SQL answer.

Each passage's remark is kept the same way (``Owners``), with each remark's passage count: ranking
maps every leg's candidates to their remarks and calibrates by those counts, and SQLite lookups of
a hundred ids each cost a search more than its lexical leg did (and queue on the one connection).

The writer computes the columns at commit and stores them beside the metadata (``facets.npz``);
a generation written before them gets them built from SQLite on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FILE = "facets.npz"
_CHUNK = 65536
COLUMNS = ("person", "group", "meeting", "date", "speaker", "topic")
# The SQL that feeds the columns, in COLUMNS order after the passage id. A speaker is the pair of
# comparison keys a speaker filter matches: label and name, joined by SEP.
SEP = "\x1f"
QUERY = (
    "SELECT p.passage_id, r.person_id, r.grp, r.meeting_id, m.date, "
    "COALESCE(r.label_key, '') || char(31) || COALESCE(r.name_key, ''), r.topic_key, p.remark_id FROM passages p "
    "JOIN remarks r USING (remark_id) JOIN meetings m USING (meeting_id) ORDER BY p.passage_id"
)


@dataclass(frozen=True)
class Column:
    """Codes per passage and the distinct values they stand for (-1: no value)."""

    codes: np.ndarray
    values: tuple[str, ...]

    def matching(self, wanted: Iterable[str]) -> np.ndarray:
        """Codes of the values in ``wanted``."""
        index = {v: i for i, v in enumerate(self.values)}
        return np.array([index[w] for w in wanted if w in index], dtype=np.int32)

    def where(self, condition: Callable[[str], bool]) -> np.ndarray:
        """Codes of the values that satisfy ``condition``."""
        return np.array([i for i, v in enumerate(self.values) if condition(v)], dtype=np.int32)

    def mask(self, codes: np.ndarray) -> np.ndarray:
        """Passages whose value is one of ``codes``."""
        wanted = np.zeros(len(self.values) + 1, dtype=bool)  # the extra last entry is code -1: never
        wanted[codes] = True
        return wanted[self.codes]


@dataclass(frozen=True)
class Owners:
    """The remark of every passage: a code per passage into the remark ids, kept sorted as UTF-8
    bytes (a tuple of Python strings would cost three times the memory for a million remarks), and
    each remark's passage count, which ranking reads for every candidate remark."""

    codes: np.ndarray
    remark_ids: np.ndarray
    counts: np.ndarray

    @classmethod
    def of_codes(cls, codes: np.ndarray, remark_ids: np.ndarray) -> Owners:
        """Owners with the ids sorted (so that an id is found by bisection) and the codes mapped to match."""
        order = np.argsort(remark_ids, kind="stable")
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        codes = rank[codes]
        return cls(codes, remark_ids[order], np.bincount(codes, minlength=len(order)).astype(np.int32))

    def of(self, positions: np.ndarray) -> list[str]:
        """The remark ids of the passages at ``positions``."""
        return [rid.decode() for rid in self.remark_ids[self.codes[positions]]]

    def passage_counts(self, remark_ids: Iterable[str]) -> dict[str, int]:
        """remark id → its number of passages; unknown ids are left out."""
        wanted = list(dict.fromkeys(remark_ids))
        if not wanted or not len(self.remark_ids):
            return {}
        keys = np.array([w.encode() for w in wanted], dtype=bytes)
        positions = np.minimum(np.searchsorted(self.remark_ids, keys), len(self.remark_ids) - 1)
        known = self.remark_ids[positions] == keys
        return {w: int(n) for w, n, k in zip(wanted, self.counts[positions].tolist(), known, strict=True) if k}


class _ColumnBuilder:
    """Codes for a column's values, chunk by chunk."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.parts: list[np.ndarray] = []

    def extend(self, values: Sequence[str | None]) -> None:
        index = self.index
        codes = (-1 if v is None else index.setdefault(v, len(index)) for v in values)
        self.parts.append(np.fromiter(codes, dtype=np.int32, count=len(values)))

    def column(self) -> Column:
        codes = np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=np.int32)
        return Column(codes, tuple(self.index))

    def owners(self) -> Owners:
        column = self.column()
        return Owners.of_codes(column.codes, _utf8(column.values))


def _utf8(values: Sequence[str]) -> np.ndarray:
    return np.array([v.encode() for v in values], dtype=bytes) if values else np.zeros(0, dtype="S1")


class PassageFacets:
    """The filterable columns of every passage, for filters that need no text matching, and its remark."""

    def __init__(self, ids: np.ndarray, columns: dict[str, Column], owners: Owners) -> None:
        self.ids = ids
        self.columns = columns
        self.owners = owners

    @classmethod
    def from_cursor(cls, cursor: Any) -> PassageFacets:
        """Build from a cursor over ``QUERY``, a chunk of rows at a time (a million rows as Python
        tuples would cost hundreds of megabytes that the allocator keeps after they are freed)."""
        ids: list[np.ndarray] = []
        builders = {name: _ColumnBuilder() for name in COLUMNS}
        owners = _ColumnBuilder()
        while rows := cursor.fetchmany(_CHUNK):
            ids.append(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
            for n, name in enumerate(COLUMNS):
                builders[name].extend([r[n + 1] for r in rows])
            owners.extend([r[-1] for r in rows])
        all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        return cls(all_ids, {name: b.column() for name, b in builders.items()}, owners.owners())

    def remark_ids_of(self, passage_ids: Iterable[int]) -> dict[int, str]:
        """passage id → the id of its remark; unknown ids are left out."""
        wanted = np.fromiter(passage_ids, dtype=np.int64)
        if not len(wanted) or not len(self.ids):
            return {}
        positions = np.minimum(np.searchsorted(self.ids, wanted), len(self.ids) - 1)
        known = self.ids[positions] == wanted
        owners = self.owners.of(positions[known])
        return dict(zip(wanted[known].tolist(), owners, strict=True))

    def passage_counts(self, remark_ids: Iterable[str]) -> dict[str, int]:
        """remark id → how many passages it has; unknown ids are left out."""
        return self.owners.passage_counts(remark_ids)

    def allowed(
        self,
        *,
        persons: Sequence[str] = (),
        group: str = "",
        meeting: str = "",
        date_from: str = "",
        date_to: str = "",
        speaker: str = "",
        speaker_key: str = "",
        topic_key: str | None = None,
    ) -> np.ndarray:
        """Sorted passage ids that pass every given restriction (the same ids the SQL filter gives).

        ``speaker`` matches a person id exactly, or through ``speaker_key`` (its comparison key)
        a substring of a label or name key; ``topic_key`` (None: no topic filter) a substring of a
        topic key.
        """
        mask = np.ones(len(self.ids), dtype=bool)
        if speaker:
            speakers, people = self.columns["speaker"], self.columns["person"]
            mask &= speakers.mask(self._speaker_codes(speaker_key)) | people.mask(people.matching([speaker]))
        if topic_key is not None:
            topics = self.columns["topic"]
            mask &= topics.mask(topics.where(lambda v: topic_key in v))
        for name, wanted in (
            ("person", persons),
            ("group", [group] if group else []),
            ("meeting", [meeting] if meeting else []),
        ):
            if wanted:
                column = self.columns[name]
                mask &= column.mask(column.matching(wanted))
        if date_from or date_to:
            dates = self.columns["date"]
            ok = [v for v in dates.values if (not date_from or v >= date_from) and (not date_to or v <= date_to)]
            mask &= dates.mask(dates.matching(ok))
        return self.ids[mask]

    def has_speaker(self, speaker: str, speaker_key: str) -> bool:
        """Whether any passage's speaker matches, as in ``allowed(speaker=..., speaker_key=...)``."""
        return bool(len(self._speaker_codes(speaker_key)) or len(self.columns["person"].matching([speaker])))

    def _speaker_codes(self, speaker_key: str) -> np.ndarray:
        return self.columns["speaker"].where(lambda v: any(speaker_key in part for part in v.split(SEP)))

    def save(self, directory: Path) -> None:
        """Write ``facets.npz`` into ``directory``."""
        arrays: dict[str, np.ndarray] = {"ids": self.ids}
        for name, column in self.columns.items():
            arrays[f"{name}_codes"] = column.codes
            arrays[f"{name}_values"] = np.array(column.values, dtype=str)
        arrays["remark_codes"], arrays["remark_ids"] = self.owners.codes, self.owners.remark_ids
        with (directory / FILE).open("wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]  # numpy's stub reads ** as its allow_pickle flag

    @classmethod
    def load(cls, directory: Path) -> PassageFacets | None:
        """The columns saved in ``directory``, or None when the generation has none."""
        path = directory / FILE
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as npz:
            if any(f"{name}_codes" not in npz for name in (*COLUMNS, "remark")):
                return None  # written by an earlier version: built again from SQLite
            columns = {
                name: Column(npz[f"{name}_codes"], tuple(str(v) for v in npz[f"{name}_values"])) for name in COLUMNS
            }
            return cls(npz["ids"], columns, Owners.of_codes(npz["remark_codes"], npz["remark_ids"]))
