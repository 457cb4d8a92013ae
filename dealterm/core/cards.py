"""The board's read models: plain dataclasses the TUI can import without the ORM.

Importing anything from ``dealterm.core.queries`` loads SQLAlchemy and SQLModel (about a
second); the TUI paints its first frame before that, so what its widgets need at import
time lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dealterm.core.readmodels import StageRead

__all__ = ["Card", "Marker", "StageSummary"]


class Marker:
    """What a card's next-activity marker says."""

    OVERDUE = "overdue"  # red: the nearest open activity was due before today
    TODAY = "today"  # green: due today
    PLANNED = "planned"  # grey: due later
    NONE = "none"  # yellow: an open deal with nothing planned
    CLOSED = "closed"  # won or lost: no marker


@dataclass(frozen=True)
class StageSummary:
    """A column header: the stage, its deal count and sums in the base currency."""

    stage: StageRead
    count: int
    total: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class Card:
    """One deal as a kanban card."""

    id: int
    version: int
    title: str
    amount: Decimal
    currency: str
    client: str
    moved_at: datetime
    days_in_stage: int
    rotting: bool
    closed: bool
    next_deadline: datetime | None
    next_kind: str | None
    marker: str
    next_subject: str | None = None
    next_activity_id: int | None = None
