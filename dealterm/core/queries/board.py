"""The kanban board's read side: column headers (count, sums) and pages of cards.

Column sums come from one GROUP BY over stage and currency (integer cents, exact),
converted to the base currency in Python. Cards are read a page at a time, in the
order of the ``ix_deals_board`` index: most recently moved first.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, ColumnElement, and_, func, or_, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from dealterm.core import stage_totals
from dealterm.core.cards import (
    Card,
    ColumnSummary,
    Marker,
    StageSummary,
    column_summary,
    deal_probability,
    is_rotting,
    marker_at,
    page_cards,
)
from dealterm.core.context import ctx
from dealterm.core.filters import DealFilter
from dealterm.core.models import Activity, Company, Deal, Stage
from dealterm.core.queries.conditions import deal_conditions, primary_contact_name
from dealterm.core.queries.conditions import deal_probability as probability_sql
from dealterm.core.readmodels import StageRead
from dealterm.core.services import directories, pipelines

if TYPE_CHECKING:
    from dealterm.core.clock import Clock

__all__ = [
    "Card",
    "ColumnSummary",
    "Marker",
    "StageSummary",
    "board_summary",
    "card_after_move",
    "column_page",
    "marker_at",
    "position_in_stage",
    "stage_reads",
    "summary_after_move",
]


def summary_after_move(
    summary: ColumnSummary,
    *,
    currency: str,
    amount: Decimal,
    own_probability: int | None,
    sign: int,
) -> ColumnSummary:
    """The header once a deal left (``sign=-1``) or entered (``sign=1``) the column.

    Args:
        amount: the deal's amount in ``currency``.
        own_probability: the deal's own probability; None follows the column's stage (a
            won or lost column counts 100% or 0% whatever it is).
    """
    cents = int((amount * 100).to_integral_value())
    stage = summary.stage
    weight = deal_probability(stage.semantics, own_probability, stage.probability)
    parts = {currency_: list(rest) for currency_, *rest in summary.parts}
    count, total, weighted = parts.get(currency, [0, 0, 0])
    parts[currency] = [count + sign, total + sign * cents, weighted + sign * cents * weight]
    kept = tuple(
        (code, count, total, weighted)
        for code, (count, total, weighted) in parts.items()
        if count  # as the GROUP BY: a currency without deals has no row
    )
    return column_summary(summary.stage, kept, dict(summary.rates))


def card_after_move(
    card: Card, *, stage: StageRead, version: int, moved_at: datetime, closed: bool, clock: Clock
) -> Card:
    """A card as the page of its new column (``stage``) would read it right after a move."""
    days = max(0, (clock.today() - clock.to_local(moved_at).date()).days)
    return replace(
        card,
        version=version,
        moved_at=moved_at,
        days_in_stage=days,
        rotting=is_rotting(stage, days, closed=closed),
        closed=closed,
        marker=marker_at(clock, card.next_deadline, closed=closed),
    )


def stage_reads(session: Session, pipeline_id: int) -> list[StageRead]:
    """The pipeline's stages as read models, in order."""
    return [
        StageRead(
            id=s.id or 0,
            pipeline_id=s.pipeline_id,
            code=s.code,
            name=s.name,
            color=s.color,
            semantics=s.semantics,
            sort=s.sort,
            probability=s.probability,
            rotting_days=s.rotting_days,
        )
        for s in pipelines.stages_of(session, pipeline_id)
    ]


def _board_part(flt: DealFilter) -> DealFilter:
    """The filter's conditions the board applies: all but the pipeline and the stage,
    which the board chooses itself (a column per stage of the pipeline on screen)."""
    return replace(flt, pipeline=None, stage=None, name=None)


def _unfiltered(flt: DealFilter | None) -> bool:
    return flt is None or _board_part(flt).is_empty


def _where(session: Session, flt: DealFilter | None) -> list[ColumnElement[bool]]:
    if flt is None:
        return [col(Deal.is_recurring).is_(False)]
    return deal_conditions(session, _board_part(flt))


def board_summary(
    session: Session, pipeline_id: int, flt: DealFilter | None = None
) -> list[StageSummary]:
    """Every column header of a pipeline: count, sum and weighted sum in the base currency."""
    stages = stage_reads(session, pipeline_id)
    rates = directories.currency_rates(session)
    rows: Any
    if _unfiltered(flt) and session.get_bind().dialect.name == "sqlite":
        # SQLite keeps these sums (migration 0008): no pass over the pipeline's deals.
        rows = session.connection().exec_driver_sql(stage_totals.SUMMARY, (pipeline_id,)).all()
    else:
        cents = type_coerce(Deal.amount, BigInteger)
        weight = probability_sql()
        rows = session.execute(
            sa_select(  # type: ignore[call-overload]
                Deal.stage_id,
                Deal.currency_code,
                func.count(),
                func.sum(cents),
                func.sum(cents * weight),
            )
            .join(Stage, col(Stage.id) == col(Deal.stage_id))
            .where(col(Deal.pipeline_id) == pipeline_id, *_where(session, flt))
            .group_by(Deal.stage_id, Deal.currency_code)
        ).all()
    parts: dict[int, list[tuple[str, int, int, int]]] = {}
    for stage_id, currency, count, amount_cents, weighted_cents in rows:
        parts.setdefault(stage_id, []).append(
            (currency, int(count), int(amount_cents or 0), int(weighted_cents or 0))
        )
    return [column_summary(stage, tuple(parts.get(stage.id, ())), rates) for stage in stages]


def column_page(
    session: Session,
    stage_id: int,
    *,
    offset: int,
    limit: int,
    flt: DealFilter | None = None,
) -> list[Card]:
    """Cards ``offset .. offset+limit`` of one column, most recently moved first."""
    stage = session.get(Stage, stage_id)
    if stage is None:
        return []
    open_activity = and_(col(Activity.deal_id) == col(Deal.id), col(Activity.completed).is_(False))
    next_deadline = (
        sa_select(func.min(Activity.deadline))
        .where(open_activity)
        .correlate(Deal)
        .scalar_subquery()
    )
    next_kind = (
        sa_select(col(Activity.kind))
        .where(open_activity)
        .order_by(col(Activity.deadline), col(Activity.id))
        .limit(1)
        .correlate(Deal)
        .scalar_subquery()
    )
    contact = primary_contact_name()
    rows = session.execute(
        sa_select(  # type: ignore[call-overload]
            Deal.id,
            Deal.version,
            Deal.title,
            Deal.amount,
            Deal.currency_code,
            Company.title,
            contact,
            Deal.moved_at,
            Deal.closed,
            next_deadline,
            next_kind,
        )
        .outerjoin(Company, col(Company.id) == col(Deal.company_id))
        .where(col(Deal.stage_id) == stage_id, *_where(session, flt))
        .order_by(col(Deal.moved_at).desc(), col(Deal.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return page_cards(rows, stage, ctx(session).clock)


def position_in_stage(session: Session, deal_id: int, flt: DealFilter | None = None) -> int | None:
    """Where a deal sits in its column (0 = top), or None if the filter hides it."""
    deal = session.get(Deal, deal_id)
    if deal is None:
        return None
    visible = session.execute(
        sa_select(func.count())
        .select_from(Deal)
        .where(col(Deal.id) == deal_id, *_where(session, flt))
    ).scalar_one()
    if not visible:
        return None
    before = session.execute(
        sa_select(func.count())
        .select_from(Deal)
        .where(
            col(Deal.stage_id) == deal.stage_id,
            or_(
                col(Deal.moved_at) > deal.moved_at,
                and_(col(Deal.moved_at) == deal.moved_at, col(Deal.id) > deal_id),
            ),
            *_where(session, flt),
        )
    ).scalar_one()
    return int(before)
