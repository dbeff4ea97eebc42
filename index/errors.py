"""Exceptions raised by the storage layer."""

from __future__ import annotations


class StoreError(Exception):
    """Base of storage errors; ``code`` is a stable machine-readable tag."""

    code = "index_error"

    def __init__(self, message: str, *, details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class IndexMissing(StoreError):
    """There is no index at the given directory yet."""

    code = "index_missing"


class IndexMismatch(StoreError):
    """The index on disk was built with another model, tokenizer or format version."""

    code = "index_mismatch"


class IndexCorrupt(StoreError):
    """The index files disagree with their manifest or with each other."""

    code = "index_corrupt"


class ShardUnavailable(StoreError):
    """A shard of a split index did not answer in time (down, restarting or overloaded)."""

    code = "shard_unavailable"
