"""Typed errors and exit codes.

Every error a user can cause carries where it happened (file and line, or row) and a hint on how
to fix it, so the CLI can print one plain line instead of a traceback.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes shared by every command."""

    OK = 0
    PROBLEMS = 1  # the input was read but has problems (validation findings, bad rows)
    UNREADABLE = 2  # the input cannot be read at all, or the command was used wrongly
    INTERRUPTED = 130


class CodeerError(Exception):
    """Base of every error codeer reports to a user."""

    exit_code: ExitCode = ExitCode.UNREADABLE

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint

    @property
    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class ProjectError(CodeerError):
    """The project folder is missing or lacks what a command needs."""


class CodebookError(CodeerError):
    """A codebook (or rules file) is malformed."""


class TranscriptError(CodeerError):
    """A transcript cannot be parsed."""


class CodingsError(CodeerError):
    """A codings file is malformed or inconsistent with its transcript."""


class StoreError(CodeerError):
    """A file could not be written safely."""


class DataError(CodeerError):
    """A data table (registrations, variables) is malformed or has impossible values."""

    exit_code = ExitCode.PROBLEMS


class AnalysisError(CodeerError):
    """An analysis cannot be run on the given data (missing column, constant outcome, ...)."""

    exit_code = ExitCode.PROBLEMS


class UsageError(CodeerError):
    """A command was called with arguments that cannot work."""
