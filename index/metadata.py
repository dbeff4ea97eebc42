"""Meetings, remarks and passages in SQLite: the metadata side of an index generation.

Rows go in and come out as plain dicts; ``rag`` turns them into its dataclasses. Filters are
resolved here to the set of passage ids they allow, which the dense and lexical searches then
apply inside their own top-k.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from index import facets
from index.facets import PassageFacets

FILE = "meta.sqlite"
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meetings (
    meeting_id TEXT PRIMARY KEY, title TEXT, date TEXT, start_time TEXT, end_time TEXT, place TEXT,
    agenda TEXT, attendees TEXT, topics TEXT, url TEXT, source_format TEXT, source_name TEXT,
    content_hash TEXT
);
CREATE TABLE IF NOT EXISTS remarks (
    remark_id TEXT PRIMARY KEY, meeting_id TEXT NOT NULL, ord INTEGER, label TEXT, name TEXT,
    role TEXT, grp TEXT, affiliation TEXT, is_person INTEGER, person_id TEXT, topic TEXT,
    text TEXT, source_id TEXT, url TEXT, label_key TEXT, name_key TEXT, topic_key TEXT
);
CREATE TABLE IF NOT EXISTS passages (
    passage_id INTEGER PRIMARY KEY, remark_id TEXT NOT NULL, ordinal INTEGER, text TEXT
);
CREATE INDEX IF NOT EXISTS remarks_meeting ON remarks (meeting_id, ord);
CREATE INDEX IF NOT EXISTS remarks_person ON remarks (person_id);
CREATE INDEX IF NOT EXISTS passages_remark ON passages (remark_id);
CREATE INDEX IF NOT EXISTS meetings_hash ON meetings (content_hash);
"""
MEETING_COLUMNS = [
    "meeting_id",
    "title",
    "date",
    "start_time",
    "end_time",
    "place",
    "agenda",
    "attendees",
    "topics",
    "url",
    "source_format",
    "source_name",
    "content_hash",
]
REMARK_COLUMNS = [
    "remark_id",
    "meeting_id",
    "ord",
    "label",
    "name",
    "role",
    "grp",
    "affiliation",
    "is_person",
    "person_id",
    "topic",
    "text",
    "source_id",
    "url",
]
_JSON_COLUMNS = ("agenda", "attendees", "topics")


def key(text: str) -> str:
    """Comparison key: NFKC, no whitespace, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


@dataclass(frozen=True)
class Filters:
    """Restrictions on which remarks a search may return; empty fields do not restrict."""

    speaker: str = ""
    group: str = ""
    topic: str = ""
    meeting: str = ""
    date_from: str = ""
    date_to: str = ""
    persons: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """True when nothing is restricted."""
        return not any(vars(self).values())


class MetadataStore:
    """One SQLite file; safe to share across threads (calls are serialised)."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._readonly = readonly
        self._kept: dict[str, Any] = {}  # what a reader builds once (see _once)
        self._build_lock = threading.Lock()  # one such build at a time
        if not readonly:
            # A writable store is a generation being built in a temporary folder: the writer fsyncs
            # it at commit and a crash discards it, so per-transaction durability buys nothing.
            self._conn.execute("PRAGMA synchronous = OFF")
            self._conn.execute("PRAGMA journal_mode = MEMORY")
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def _rows(self, sql: str, params: Sequence = ()) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._conn.execute(sql, params).fetchall()]

    def _rows_in(self, sql: str, values: Sequence) -> list[dict]:
        """Rows of ``sql``, whose ``{}`` is an IN list of ``values``, asked in chunks SQLite accepts."""
        rows: list[dict] = []
        for chunk in _chunks(list(values), 900):
            rows += self._rows(sql.format(",".join("?" * len(chunk))), chunk)
        return rows

    def _once(self, name: str, build: Callable[[], T]) -> T:
        """``build()``, kept by a reader (its generation never changes); a writer's rows change, so it rebuilds."""
        if not self._readonly:
            return build()
        with self._build_lock:
            if name not in self._kept:
                self._kept[name] = build()
            return self._kept[name]

    # -- writes --------------------------------------------------------------------------------
    def replace_meeting(self, meeting: dict, remarks: Sequence[dict], passages: Sequence[dict]) -> list[int]:
        """Insert a meeting with its remarks and passages, replacing any earlier version of it.

        Returns the passage ids that the earlier version had (to delete from the vector indexes).
        """
        with self._lock, self._conn:
            old = self._delete_meeting_locked(meeting["meeting_id"])
            row = {c: meeting.get(c, "") for c in MEETING_COLUMNS}
            for col in _JSON_COLUMNS:
                row[col] = json.dumps(row[col] or [], ensure_ascii=False)
            self._conn.execute(
                f"INSERT INTO meetings VALUES ({','.join('?' * len(MEETING_COLUMNS))})",
                [row[c] for c in MEETING_COLUMNS],
            )
            self._conn.executemany(
                f"INSERT INTO remarks VALUES ({','.join('?' * (len(REMARK_COLUMNS) + 3))})",
                [
                    [r.get(c, "") for c in REMARK_COLUMNS] + [key(r["label"]), key(r["name"]), key(r["topic"])]
                    for r in remarks
                ],
            )
            self._conn.executemany(
                "INSERT INTO passages VALUES (?,?,?,?)",
                [(p["passage_id"], p["remark_id"], p["ordinal"], p["text"]) for p in passages],
            )
        return old

    def delete_meeting(self, meeting_id: str) -> list[int]:
        """Delete a meeting; returns its passage ids."""
        with self._lock, self._conn:
            return self._delete_meeting_locked(meeting_id)

    def _delete_meeting_locked(self, meeting_id: str) -> list[int]:
        old = [
            r[0]
            for r in self._conn.execute(
                "SELECT p.passage_id FROM passages p JOIN remarks r USING (remark_id) WHERE r.meeting_id = ?",
                (meeting_id,),
            )
        ]
        self._conn.execute(
            "DELETE FROM passages WHERE remark_id IN (SELECT remark_id FROM remarks WHERE meeting_id = ?)",
            (meeting_id,),
        )
        self._conn.execute("DELETE FROM remarks WHERE meeting_id = ?", (meeting_id,))
        self._conn.execute("DELETE FROM meetings WHERE meeting_id = ?", (meeting_id,))
        return old

    # -- reads ---------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {t: self._rows(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"] for t in ("meetings", "remarks", "passages")}

    def max_passage_id(self) -> int:
        """Largest passage id in use, or -1."""
        value = self._rows("SELECT MAX(passage_id) AS m FROM passages")[0]["m"]
        return -1 if value is None else int(value)

    def passage_ids(self) -> np.ndarray:
        """All passage ids."""
        return np.array([r["passage_id"] for r in self._rows("SELECT passage_id FROM passages")], dtype=np.int64)

    def meeting_by_hash(self, content_hash: str) -> dict | None:
        """The meeting ingested from a file with this content hash, if any."""
        rows = self._rows("SELECT meeting_id, title FROM meetings WHERE content_hash = ?", (content_hash,))
        return rows[0] if rows else None

    def meeting(self, meeting_id: str) -> dict | None:
        """One meeting row with its JSON columns decoded."""
        rows = self._rows("SELECT * FROM meetings WHERE meeting_id = ?", (meeting_id,))
        return _decode_meeting(rows[0]) if rows else None

    def meetings_by_id(self, meeting_ids: Iterable[str]) -> dict[str, dict]:
        """meeting id → meeting row (decoded); unknown ids are left out."""
        rows = self._rows_in("SELECT * FROM meetings WHERE meeting_id IN ({})", list(dict.fromkeys(meeting_ids)))
        return {r["meeting_id"]: _decode_meeting(r) for r in rows}

    def meetings(self) -> list[dict]:
        """All meetings, newest first."""
        return [_decode_meeting(r) for r in self._rows("SELECT * FROM meetings ORDER BY date DESC, title")]

    def remark_counts(self) -> dict[str, int]:
        """meeting id → number of remarks (one pass over an index, kept by a reader)."""

        def count() -> dict[str, int]:
            rows = self._rows("SELECT meeting_id, COUNT(*) AS n FROM remarks GROUP BY meeting_id")
            return {r["meeting_id"]: r["n"] for r in rows}

        return self._once("remark_counts", count)

    def allowed_passages(self, filters: Filters) -> np.ndarray | None:
        """Passage ids that the filters allow, or None when nothing is filtered.

        A reader answers them from the in-memory columns (``index.facets``); a writer, whose rows
        change, from SQLite. The two give the same ids.
        """
        if filters.is_empty():
            return None
        if self._readonly:
            return self.facets().allowed(
                persons=filters.persons,
                group=filters.group,
                meeting=filters.meeting,
                date_from=filters.date_from,
                date_to=filters.date_to,
                speaker=filters.speaker,
                speaker_key=key(filters.speaker),
                topic_key=key(filters.topic) if filters.topic else None,
            )
        where, params = _where(filters)
        sql = (
            "SELECT p.passage_id FROM passages p JOIN remarks r USING (remark_id) "
            f"JOIN meetings m USING (meeting_id) WHERE {where}"
        )
        with self._lock:
            cursor = self._conn.execute(sql, params)
            return np.fromiter((row[0] for row in cursor), dtype=np.int64)

    def facets(self) -> PassageFacets:
        """The per-passage filter columns: a reader's are read from beside the database, or built from it once."""

        def build() -> PassageFacets:
            with self._lock:
                return PassageFacets.from_cursor(self._conn.execute(facets.QUERY))

        if not self._readonly:  # a writer's folder holds no columns until it saves them
            return build()
        return self._once("facets", lambda: PassageFacets.load(self.path.parent) or build())

    def save_facets(self, directory: Path) -> None:
        """Write the filter columns of the current rows into ``directory`` (the writer, at commit)."""
        self.facets().save(directory)

    def passages(self, passage_ids: Iterable[int]) -> dict[int, dict]:
        """passage id → {remark_id, ordinal, text}."""
        rows = self._rows_in("SELECT * FROM passages WHERE passage_id IN ({})", [int(i) for i in passage_ids])
        return {r["passage_id"]: r for r in rows}

    def remark_ids_of(self, passage_ids: Iterable[int]) -> dict[int, str]:
        """passage id → the id of the remark it belongs to (what ranking needs, without the texts).

        A reader answers from the in-memory columns (``index.facets``), a writer from SQLite.
        """
        if self._readonly:
            return self.facets().remark_ids_of(passage_ids)
        sql = "SELECT passage_id, remark_id FROM passages WHERE passage_id IN ({})"
        return {r["passage_id"]: r["remark_id"] for r in self._rows_in(sql, [int(i) for i in passage_ids])}

    def passage_counts(self, remark_ids: Iterable[str]) -> dict[str, int]:
        """remark id → how many passages it was split into (a reader: from memory, as ``remark_ids_of``)."""
        if self._readonly:
            return self.facets().passage_counts(remark_ids)
        sql = "SELECT remark_id, COUNT(*) AS n FROM passages WHERE remark_id IN ({}) GROUP BY remark_id"
        return {r["remark_id"]: int(r["n"]) for r in self._rows_in(sql, list(dict.fromkeys(remark_ids)))}

    def passages_of(self, remark_id: str) -> list[dict]:
        """The passages of one remark, in order."""
        return self._rows("SELECT * FROM passages WHERE remark_id = ? ORDER BY ordinal", (remark_id,))

    def remarks(self, remark_ids: Iterable[str]) -> dict[str, dict]:
        """remark id → remark row joined with its meeting's title and date."""
        sql = (
            "SELECT r.*, m.title AS meeting_title, m.date AS meeting_date FROM remarks r "
            "JOIN meetings m USING (meeting_id) WHERE r.remark_id IN ({})"
        )
        return {r["remark_id"]: r for r in self._rows_in(sql, list(dict.fromkeys(remark_ids)))}

    def remarks_with_neighbours(self, remark_ids: Iterable[str]) -> dict[str, dict]:
        """``remarks`` of the ids and of the remarks just before and after each (one query for a page of hits)."""
        sql = (
            "SELECT n.*, m.title AS meeting_title, m.date AS meeting_date FROM remarks r "
            "JOIN remarks n ON n.meeting_id = r.meeting_id AND n.ord BETWEEN r.ord - 1 AND r.ord + 1 "
            "JOIN meetings m ON m.meeting_id = n.meeting_id WHERE r.remark_id IN ({})"
        )
        return {r["remark_id"]: r for r in self._rows_in(sql, list(dict.fromkeys(remark_ids)))}

    def remarks_in_meeting(self, meeting_id: str, lo: int = 0, hi: int = 1 << 30) -> list[dict]:
        """Remarks of a meeting with ``lo <= ord <= hi``, in order."""
        return self._rows(
            "SELECT r.*, m.title AS meeting_title, m.date AS meeting_date FROM remarks r "
            "JOIN meetings m USING (meeting_id) WHERE r.meeting_id = ? AND r.ord BETWEEN ? AND ? ORDER BY r.ord",
            (meeting_id, lo, hi),
        )

    def speakers(self, person_id: str = "") -> list[dict]:
        """People (one row per person id) with roles, groups, labels, and remark and meeting counts.

        ``roles``, ``groups``, ``affiliations`` and ``labels`` are lists; one person's row (with
        ``person_id``) also lists their ``meeting_ids``. Every remark is read to build the list of
        everyone (seconds on a million remarks), so a reader builds it once.
        """
        if person_id:
            return self._speaker_rows("AND person_id = ?", [person_id], with_meetings=True)
        everyone = self._once("speakers", lambda: self._speaker_rows("", [], with_meetings=False))
        return [dict(row) for row in everyone]

    def _speaker_rows(self, where: str, params: list, *, with_meetings: bool) -> list[dict]:
        lists = ["roles", "groups", "affiliations", "labels"] + (["meeting_ids"] if with_meetings else [])
        meetings = ", GROUP_CONCAT(meeting_id, char(31)) AS meeting_ids" if with_meetings else ""
        rows = self._rows(
            "SELECT person_id, MAX(name) AS name, COUNT(*) AS remarks, COUNT(DISTINCT meeting_id) AS meetings, "
            "GROUP_CONCAT(role, char(31)) AS roles, GROUP_CONCAT(grp, char(31)) AS groups, "
            "GROUP_CONCAT(affiliation, char(31)) AS affiliations, GROUP_CONCAT(label, char(31)) AS labels"
            f"{meetings} FROM remarks WHERE is_person = 1 {where} GROUP BY person_id ORDER BY remarks DESC, name",
            params,
        )
        for row in rows:
            for col in lists:
                row[col] = [v for v in dict.fromkeys((row[col] or "").split("\x1f")) if v]
        return rows

    def remarks_of(self, person_id: str, *, limit: int, offset: int = 0) -> list[dict]:
        """A person's remarks, newest meeting first, in order within a meeting."""
        return self._rows(
            "SELECT r.*, m.title AS meeting_title, m.date AS meeting_date FROM remarks r JOIN meetings m "
            "USING (meeting_id) WHERE r.person_id = ? ORDER BY m.date DESC, r.meeting_id, r.ord LIMIT ? OFFSET ?",
            (person_id, limit, offset),
        )

    def people_by_surname(self, surname: str) -> list[dict]:
        """Distinct (person id, name, role, group) of people whose stored name starts with ``surname``."""
        return self._rows(
            "SELECT DISTINCT person_id, name, role, grp FROM remarks WHERE is_person = 1 AND name_key LIKE ?",
            (f"{key(surname)}%",),
        )

    def relink_person(self, old_id: str, new_id: str, name: str) -> int:
        """Point every remark of ``old_id`` at ``new_id`` and its full ``name``; returns the count."""
        with self._lock, self._conn:
            cur = self._conn.execute(
                "UPDATE remarks SET person_id = ?, name = ?, name_key = ? WHERE person_id = ?",
                (new_id, name, key(name), old_id),
            )
            return cur.rowcount

    def speaker_matches(self, speaker: str) -> bool:
        """Whether any remark's label or name matches a speaker filter."""
        if self._readonly:
            return self.facets().has_speaker(speaker, key(speaker))
        where, params = _where(Filters(speaker=speaker))
        return bool(self._rows(f"SELECT 1 FROM remarks r WHERE {where} LIMIT 1", params))


def _decode_meeting(row: dict) -> dict:
    for col in _JSON_COLUMNS:
        row[col] = json.loads(row[col] or "[]")
    return row


def _where(filters: Filters) -> tuple[str, list]:
    clauses, params = ["1=1"], []
    if filters.speaker:
        clauses.append(r"(r.label_key LIKE ? ESCAPE '\' OR r.name_key LIKE ? ESCAPE '\' OR r.person_id = ?)")
        params += [_contains(key(filters.speaker))] * 2 + [filters.speaker]
    if filters.persons:
        clauses.append(f"r.person_id IN ({','.join('?' * len(filters.persons))})")
        params += list(filters.persons)
    if filters.group:
        clauses.append("r.grp = ?")
        params.append(filters.group)
    if filters.topic:
        clauses.append(r"r.topic_key LIKE ? ESCAPE '\'")
        params.append(_contains(key(filters.topic)))
    if filters.meeting:
        clauses.append("r.meeting_id = ?")
        params.append(filters.meeting)
    if filters.date_from:
        clauses.append("m.date >= ?")
        params.append(filters.date_from)
    if filters.date_to:
        clauses.append("m.date <= ?")
        params.append(filters.date_to)
    return " AND ".join(clauses), params


def _contains(text: str) -> str:
    """A LIKE pattern for ``text`` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
