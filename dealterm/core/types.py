"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no exact decimal type: a ``NUMERIC`` column silently becomes a float.
Money is therefore stored as a scaled integer (cents for amounts), which keeps
sums in SQL exact on both databases; Python sees ``Decimal`` only.
Timestamps are stored as naive UTC and handed back as aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from dealterm.core.fixed import from_fixed

__all__ = ["Fixed", "Money", "UTCDateTime", "from_fixed"]


class Fixed(TypeDecorator[Decimal]):
    """An exact decimal stored as an integer count of ``10**-scale`` units.

    Args:
        scale: digits after the decimal point that are kept (values are rounded half up).
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int = 2) -> None:
        super().__init__()
        self.scale = scale
        self._factor = Decimal(10) ** scale
        self._quantum = Decimal(1).scaleb(-scale)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal

    def __repr__(self) -> str:  # rendered into migrations by Alembic autogenerate
        return f"Fixed({self.scale})"

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
        return int((value * self._factor).to_integral_value(rounding=ROUND_HALF_UP))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return from_fixed(value, self.scale)

    def process_literal_param(self, value: Any, dialect: Dialect) -> str:
        bound = self.process_bind_param(value, dialect)
        return "NULL" if bound is None else str(bound)


def Money() -> Fixed:
    """An amount of money: two decimal places."""
    return Fixed(2)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC, returned as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        moment: datetime = value
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
