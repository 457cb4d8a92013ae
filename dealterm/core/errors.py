"""Errors the CRM raises: each carries a message a user can read as is."""

from __future__ import annotations

__all__ = [
    "ConflictError",
    "DatabaseError",
    "DealtermError",
    "NotFoundError",
    "ValidationError",
]


class DealtermError(Exception):
    """Base class of every error dealterm reports to a user.

    The message is one line, written for the person at the keyboard.
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(DealtermError):
    """Input that breaks a rule: a bad amount, an unknown stage, a date that does not parse.

    Attributes:
        field: the input field at fault, so a form can show the message beside it.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(DealtermError):
    """A record asked for by id or name does not exist."""

    exit_code = 1


class ConflictError(DealtermError):
    """Someone else changed the record since it was read (optimistic locking)."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class DatabaseError(DealtermError):
    """The database cannot be used: not a dealterm file, corrupt, locked, read-only, unreachable."""
