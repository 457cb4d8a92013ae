"""Scaled integers as Decimals: how money and rates are stored (no SQLAlchemy import)."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["from_fixed"]


def from_fixed(raw: int | Decimal | float | None, scale: int = 2) -> Decimal:
    """Turn a raw scaled integer (such as ``SUM(amount)`` read with ``text()``) into a Decimal."""
    if raw is None:
        return Decimal(0).scaleb(-scale)
    return (Decimal(int(raw)).scaleb(-scale)).quantize(Decimal(1).scaleb(-scale))
