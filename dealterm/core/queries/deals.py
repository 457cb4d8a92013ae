"""Listing deals with filters, and the full deal card."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, func
from sqlmodel import Session, col, select

from dealterm.core.models import Deal, Semantics, Stage
from dealterm.core.queries.deal_read import deal_read_select, get_deal, rows_to_deals
from dealterm.core.readmodels import DealDetail, DealRead, EventRead
from dealterm.core.search import search_condition
from dealterm.core.services import activities, history, pipelines, products, users

__all__ = ["DealFilter", "Status", "count_deals", "deal_conditions", "deal_detail", "list_deals"]


class Status(StrEnum):
    """Which deals by outcome."""

    ANY = "any"
    OPEN = "open"
    WON = "won"
    LOST = "lost"
    CLOSED = "closed"


@dataclass(frozen=True)
class DealFilter:
    """Conditions on deals; every condition given must hold.

    Recurring templates are never matched.

    Attributes:
        pipeline: pipeline id or name.
        stage: stage code, name or id (within ``pipeline``, or the default pipeline).
        status: open, won, lost, closed or any.
        search: text in the title, company, contact names or comments (case-insensitive).
        responsible: user id, login or name.
    """

    pipeline: int | str | None = None
    stage: int | str | None = None
    status: Status = Status.ANY
    search: str | None = None
    responsible: int | str | None = None


def deal_conditions(session: Session, flt: DealFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [col(Deal.is_recurring).is_(False)]
    pipeline = None
    if flt.pipeline not in (None, "") or flt.stage not in (None, ""):
        pipeline = pipelines.resolve_pipeline(session, flt.pipeline)
        if flt.pipeline not in (None, ""):
            where.append(col(Deal.pipeline_id) == pipeline.id)
    if flt.stage not in (None, "") and pipeline is not None:
        stage = pipelines.resolve_stage(session, pipeline, flt.stage)
        where.append(col(Deal.stage_id) == stage.id)
    if flt.status == Status.OPEN:
        where.append(col(Deal.closed).is_(False))
    elif flt.status == Status.CLOSED:
        where.append(col(Deal.closed).is_(True))
    elif flt.status in (Status.WON, Status.LOST):
        wanted = Semantics.SUCCESS if flt.status == Status.WON else Semantics.FAILURE
        where.append(col(Deal.stage_id).in_(select(Stage.id).where(Stage.semantics == wanted)))
    if flt.responsible not in (None, ""):
        where.append(col(Deal.responsible_id) == users.resolve_user(session, flt.responsible).id)
    if flt.search and flt.search.strip():
        condition = search_condition(session, flt.search)
        if condition is not None:
            where.append(condition)
    return where


def _filtered(query: Select, session: Session, flt: DealFilter) -> Select:  # type: ignore[type-arg]
    return query.where(*deal_conditions(session, flt))


def list_deals(
    session: Session, flt: DealFilter | None = None, *, limit: int | None = 50, offset: int = 0
) -> list[DealRead]:
    """Deals matching ``flt``, newest first.

    Raises:
        ValidationError: the filter names an unknown pipeline, stage or user.
    """
    query = _filtered(deal_read_select(), session, flt or DealFilter())
    query = query.order_by(col(Deal.id).desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return rows_to_deals(session, session.execute(query).all())


def count_deals(session: Session, flt: DealFilter | None = None) -> int:
    """How many deals match ``flt``."""
    query = _filtered(select(func.count()).select_from(Deal), session, flt or DealFilter())
    return int(session.execute(query).scalar_one())


def deal_detail(session: Session, deal_id: int) -> DealDetail:
    """Everything the deal card shows: the deal, product rows, activities, timeline.

    Raises:
        NotFoundError: no such deal.
    """
    deal = get_deal(session, deal_id, with_channels=True)
    names = users.user_names(session)
    events = [
        EventRead(
            id=e.id or 0,
            deal_id=e.deal_id,
            at=e.at,
            author=names.get(e.author_id) if e.author_id else None,
            kind=e.kind,
            field=e.field,
            old_value=e.old_value,
            new_value=e.new_value,
            text=e.text,
        )
        for e in history.events_for(session, deal_id)
    ]
    return DealDetail(
        **deal.model_dump(),
        products=products.product_rows(session, deal_id),
        activities=activities.list_activities(session, deal_id=deal_id),
        history=events,
    )
