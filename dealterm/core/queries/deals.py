"""Listing deals with filters, and the full deal card."""

from __future__ import annotations

from sqlalchemy import Select, func
from sqlmodel import Session, col, select

from dealterm.core.filters import DealFilter, Status
from dealterm.core.models import Deal
from dealterm.core.queries.conditions import deal_conditions
from dealterm.core.queries.deal_read import deal_read_select, get_deal, rows_to_deals
from dealterm.core.readmodels import CustomValueRead, DealDetail, DealRead, EventRead
from dealterm.core.services import activities, custom_fields, history, products, users

__all__ = ["DealFilter", "Status", "count_deals", "deal_conditions", "deal_detail", "list_deals"]


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
    shown = custom_fields.display_values(session, deal.custom_fields)
    labels = {code: label for code, label, _text in shown} | {
        f.code: f.label for f in custom_fields.list_fields(session, include_hidden=True)
    }
    events = [
        EventRead(
            id=e.id or 0,
            deal_id=e.deal_id,
            at=e.at,
            author=names.get(e.author_id) if e.author_id else None,
            kind=e.kind,
            field=labels.get(e.field, e.field) if e.field else e.field,
            old_value=e.old_value,
            new_value=e.new_value,
            text=e.text,
        )
        for e in history.events_for(session, deal_id)
    ]
    return DealDetail(
        **deal.model_dump(),
        custom_display=[CustomValueRead(code=c, label=lb, text=t) for c, lb, t in shown],
        products=products.product_rows(session, deal_id),
        activities=activities.list_activities(session, deal_id=deal_id),
        history=events,
    )
