"""The board's read models: plain dataclasses the TUI can import without the ORM.

Importing anything from ``dealterm.core.queries`` loads SQLAlchemy and SQLModel (about a
second); the TUI paints its first frame before that, so what its widgets need at import
time lives here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from dealterm.core.fixed import from_fixed

if TYPE_CHECKING:
    from dealterm.core.clock import Clock

__all__ = [
    "CLOSED_PROBABILITY",
    "PAGE_SIZE",
    "Card",
    "ColumnSummary",
    "Marker",
    "PipelineInfo",
    "StageRead",
    "StageSummary",
    "aware_utc",
    "column_summary",
    "deal_probability",
    "is_rotting",
    "marker_at",
    "page_cards",
]

_CENT = Decimal("0.01")

PAGE_SIZE = 40
"""Cards read at a time into a kanban column (the first page is read with the headers)."""

CLOSED_PROBABILITY: dict[str, int] = {"success": 100, "failure": 0}
"""What a closed deal counts with, by its stage's semantics (Bitrix24: won 100%, lost 0%)."""


def deal_probability(semantics: str, own: int | None, stage_probability: int) -> int:
    """The probability a deal is shown with and weighted by.

    A won deal counts 100% and a lost one 0%, whatever probability was typed on it while it
    was open (kept, so that it holds again if the deal is reopened); an open deal counts
    its own probability, else its stage's. The SQL of the same rule:
    :func:`dealterm.core.queries.conditions.deal_probability` and
    :data:`dealterm.core.stage_totals.SUMMARY`.
    """
    closed = CLOSED_PROBABILITY.get(semantics)
    if closed is not None:
        return closed
    return own if own is not None else stage_probability


@dataclass(frozen=True)
class StageRead:
    """A stage as the views show it.

    A plain dataclass, not a pydantic model like the other read models: the board's first
    frame is read before pydantic is imported (about 0.1 s with the read models).
    """

    id: int
    pipeline_id: int
    code: str
    name: str
    color: str
    semantics: str
    sort: int
    probability: int
    rotting_days: int | None


@dataclass(frozen=True)
class PipelineInfo:
    """A pipeline in pickers and the header."""

    id: int
    name: str
    is_default: bool


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


@dataclass(frozen=True)
class ColumnSummary(StageSummary):
    """A column header with what it was summed from, so a move can adjust it exactly.

    Attributes:
        parts: ``(currency, count, cents, weighted cents)`` per currency of the column,
            where weighted cents are cents times the probability in percent.
        rates: the value of one unit of each currency in the base currency.
    """

    parts: tuple[tuple[str, int, int, int], ...] = ()
    rates: tuple[tuple[str, Decimal], ...] = ()  # pairs, so that a header stays hashable


def column_summary(
    stage: StageRead, parts: tuple[tuple[str, int, int, int], ...], rates: Mapping[str, Decimal]
) -> ColumnSummary:
    """The header of one column from its per-currency sums (the one formula for both the
    aggregate and a move's adjustment, so that they agree to the cent)."""
    count = 0
    total = Decimal(0)
    weighted = Decimal(0)
    for currency, part_count, cents, weighted_cents in parts:
        rate = rates.get(currency, Decimal(1))
        count += part_count
        total += from_fixed(cents) * rate
        weighted += from_fixed(weighted_cents) * rate / 100
    return ColumnSummary(
        stage=stage,
        count=count,
        total=total.quantize(_CENT),
        weighted=weighted.quantize(_CENT),
        parts=parts,
        rates=tuple(rates.items()),
    )


def marker_at(clock: Clock, deadline: datetime | None, *, closed: bool) -> str:
    """The marker for a card whose nearest open activity is due at ``deadline``."""
    if closed:
        return Marker.CLOSED
    if deadline is None:
        return Marker.NONE
    day = clock.to_local(deadline).date()
    today = clock.today()
    if day < today:
        return Marker.OVERDUE
    if day == today:
        return Marker.TODAY
    return Marker.PLANNED


class _Rots(Protocol):
    @property
    def semantics(self) -> str: ...

    @property
    def rotting_days(self) -> int | None: ...


def is_rotting(stage: _Rots, days: int, *, closed: bool) -> bool:
    """An open deal in an in-progress stage for longer than the stage allows."""
    return bool(
        not closed
        and stage.semantics == "process"
        and stage.rotting_days
        and days > stage.rotting_days
    )


def aware_utc(value: object) -> datetime | None:
    """A raw UTC timestamp (SQLite hands back text, PostgreSQL a naive datetime) as aware."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def page_cards(rows: Iterable[tuple[object, ...]], stage: _Rots, clock: Clock) -> list[Card]:
    """The cards of a column page from its rows.

    A row is ``(id, version, title, amount, currency, company, contact, moved_at, closed,
    next deadline, next activity kind)``, the amount a Decimal, the times raw UTC (text or
    datetime): what the board query reads, with the ORM or with sqlite3 alone.
    """
    today = clock.today()
    cards = []
    for (
        deal_id,
        version,
        title,
        amount,
        currency,
        company,
        person,
        moved,
        closed,
        due,
        kind,
    ) in rows:
        moved_at = aware_utc(moved)
        assert moved_at is not None
        days = max(0, (today - clock.to_local(moved_at).date()).days)
        deadline = aware_utc(due)
        shut = bool(closed)
        cards.append(
            Card(
                id=int(deal_id),  # type: ignore[call-overload]
                version=int(version),  # type: ignore[call-overload]
                title=str(title),
                amount=amount,  # type: ignore[arg-type]
                currency=str(currency),
                client=str(company or person or ""),
                moved_at=moved_at,
                days_in_stage=days,
                rotting=is_rotting(stage, days, closed=shut),
                closed=shut,
                next_deadline=deadline,
                next_kind=kind,  # type: ignore[arg-type]
                marker=marker_at(clock, deadline, closed=shut),
            )
        )
    return cards
