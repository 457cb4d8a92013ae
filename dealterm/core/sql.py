"""Small SQL helpers shared by services and queries."""

from __future__ import annotations

__all__ = ["LIKE_ESCAPE", "contains_pattern", "escape_like"]

LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so user text matches literally (escape character ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_pattern(text: str) -> str:
    """A lower-cased ``LIKE`` pattern matching values that contain ``text``."""
    return f"%{escape_like(text.strip().lower())}%"
