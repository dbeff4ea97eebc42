"""Exceptions raised by the core. Only ``api/`` maps them to HTTP statuses and CLI exit codes."""

from __future__ import annotations


class GijirokuError(Exception):
    """Base of every error the core raises on purpose; ``code`` is a stable machine-readable tag."""

    code = "error"

    def __init__(self, message: str, *, details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InputError(GijirokuError):
    """The user's input (a query, a filter, a file) cannot be used as given."""

    code = "invalid_input"


class ParseError(InputError):
    """A file could not be read as minutes; the message names the file and the reason."""

    code = "unparseable_file"


class NotMinutes(ParseError):
    """A readable file in which no format recognised minutes, met in a directory: it is skipped,
    not read as paragraphs (a README or a list of sources beside the minutes is not a meeting)."""

    code = "not_minutes"


class NotFoundError(GijirokuError):
    """An id (meeting, remark, speaker) that the index does not hold."""

    code = "not_found"


class ModelError(GijirokuError):
    """The embedding model cannot be provisioned or loaded."""

    code = "model_error"


class ConfigError(GijirokuError):
    """A setting is invalid."""

    code = "config_error"


class DependencyMissing(GijirokuError):
    """An optional dependency is not installed; the message says how to install it."""

    code = "dependency_missing"


class ReadOnlyIndex(GijirokuError):
    """The index is served read-only (a split index): writes go to its source index."""

    code = "read_only"
