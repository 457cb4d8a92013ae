"""Counts in words for the CLI's messages: "1 deal", "2 deals", "1,500 activities"."""

from __future__ import annotations

__all__ = ["counted"]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and the noun in the number it needs, the count grouped by thousands.

    Args:
        noun: the singular ("deal", "bad row").
        plural: for a noun that does not just take an "s" ("activities").
    """
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
