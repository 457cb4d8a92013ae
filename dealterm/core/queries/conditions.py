"""Turning a :class:`DealFilter` into SQL conditions on ``deals``."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Float, Numeric, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from dealterm.core.context import ctx
from dealterm.core.errors import ValidationError
from dealterm.core.filters import DealFilter, Status
from dealterm.core.models import Activity, Contact, Deal, DealContact, Semantics, Stage
from dealterm.core.search import search_condition
from dealterm.core.services import directories, pipelines, users

__all__ = [
    "custom_condition",
    "custom_number",
    "custom_sort_key",
    "custom_value",
    "deal_conditions",
    "deal_probability",
    "open_activity_exists",
    "overdue_activity_exists",
    "primary_contact_name",
]


def deal_probability() -> ColumnElement[int]:
    """The probability a deal counts with: 100 won, 0 lost, else its own, else its stage's.

    The rule of :func:`dealterm.core.cards.deal_probability`; the query joins ``stages``.
    """
    return case(
        (col(Stage.semantics) == Semantics.SUCCESS, 100),
        (col(Stage.semantics) == Semantics.FAILURE, 0),
        else_=func.coalesce(Deal.probability, Stage.probability),
    )


def primary_contact_name() -> Any:
    """The name of the deal's primary contact (else its first), as a correlated subquery."""
    return (
        select(col(Contact.name))
        .join(DealContact, col(DealContact.contact_id) == col(Contact.id))
        .where(col(DealContact.deal_id) == col(Deal.id))
        .order_by(col(DealContact.is_primary).desc(), col(DealContact.sort))
        .limit(1)
        .correlate(Deal)
        .scalar_subquery()
    )


def open_activity_exists() -> ColumnElement[bool]:
    """The deal has at least one activity not yet done.

    The subquery reads activities of its own (an alias) and correlates with the deal only:
    a query that already reads activities (the calendar's activity counts) would otherwise
    correlate them away and leave the subquery without a FROM.
    """
    other = aliased(Activity)
    return exists(
        select(col(other.id))
        .where(col(other.deal_id) == col(Deal.id), col(other.completed).is_(False))
        .correlate(Deal)
    )


def overdue_activity_exists(session: Session) -> ColumnElement[bool]:
    """The deal has an open activity due before today (the user's local day)."""
    clock = ctx(session).clock
    start = clock.start_of_day(clock.today())
    other = aliased(Activity)
    return exists(
        select(col(other.id))
        .where(
            col(other.deal_id) == col(Deal.id),
            col(other.completed).is_(False),
            col(other.deadline) < start,
        )
        .correlate(Deal)
    )


def custom_value(session: Session, code: str) -> ColumnElement[Any]:
    """A deal's custom value ``code`` as text (NULL when it has none)."""
    if session.get_bind().dialect.name == "sqlite":
        extracted: ColumnElement[Any] = func.json_extract(Deal.custom_fields, f"$.{code}")
        return extracted
    as_text: ColumnElement[Any] = col(Deal.custom_fields)[code].as_string()
    return as_text


def custom_number(session: Session, code: str) -> ColumnElement[Any]:
    """A number or money custom value as a number ("1500.00 EUR" -> 1500.00)."""
    text = custom_value(session, code)
    if session.get_bind().dialect.name == "sqlite":
        return cast(text, Float)  # SQLite reads the leading number of the text
    return cast(func.nullif(func.split_part(text, " ", 1), ""), Numeric)


def custom_sort_key(session: Session, code: str) -> ColumnElement[Any]:
    """What a custom field's list column sorts by."""
    from dealterm.core.services.custom_fields import get_field

    field = get_field(session, code)
    if field.type in ("number", "money"):
        return custom_number(session, field.code)
    if field.type in ("string", "list", "url"):
        return func.lower(custom_value(session, field.code))
    return custom_value(session, field.code)


_OPERATORS = (">=", "<=", ">", "<", "=")


def custom_condition(session: Session, code: str, expression: str) -> ColumnElement[bool]:
    """A filter on a custom field.

    ``expression`` is a value (equal to it; for a field of several values, one of them),
    ``>x``, ``>=x``, ``<x``, ``<=x``, a range ``x..y``, ``*`` (has a value) or ``-``
    (has none). Values are read as the field's type: ``28.11.2026`` for a date,
    ``yes`` for yes/no, a name for a contact or company.

    Raises:
        ValidationError: an unknown field, or a value that is not of its type.
    """
    from dealterm.core.services.custom_fields import normalize_one

    text = str(expression).strip()
    field, _ = normalize_one(session, code, None)
    value = custom_value(session, field.code)
    if text == "*":
        return and_(value.is_not(None), value != "", value != "[]")
    if text == "-":
        return or_(value.is_(None), value == "", value == "[]")
    numeric = field.type in ("number", "money")
    ordered = numeric or field.type in ("date", "datetime")

    def operand(raw: str) -> Any:
        stored = normalize_one(session, field.code, raw)[1]
        if numeric and stored is not None:
            return Decimal(stored.split(" ")[0])
        return stored

    left = custom_number(session, field.code) if numeric else value
    if ordered and ".." in text:
        low, _, high = text.partition("..")
        parts = []
        if low.strip():
            parts.append(left >= operand(low))
        if high.strip():
            parts.append(left <= operand(high))
        return and_(*parts) if parts else value.is_not(None)
    for operator in _OPERATORS:
        if ordered and text.startswith(operator) and operator != "=":
            target = operand(text[len(operator) :])
            compared: ColumnElement[bool] = {
                ">=": left >= target,
                "<=": left <= target,
                ">": left > target,
                "<": left < target,
            }[operator]
            return compared
    wanted = operand(text.removeprefix("="))
    if field.multiple:
        # the stored JSON list holds the value as a quoted item
        return value.contains(json.dumps(wanted, ensure_ascii=False))
    equal: ColumnElement[bool] = (left if numeric else value) == wanted
    return equal


def deal_conditions(
    session: Session, flt: DealFilter, *, scan: bool = False, probe: bool = False
) -> list[ColumnElement[bool]]:
    """Every condition of ``flt`` as a SQL expression on ``deals`` (templates excluded).

    ``scan``: the caller reads most of the table anyway (a sort no index delivers), so the
    template exclusion is written so that no index is chosen for it. Without statistics
    SQLite takes ``is_recurring IS 0`` for a selective condition and looks every deal up
    through an index, six times slower than scanning the table (150 ms against 25 ms for
    the first page of a title or stage sort at 100k deals).

    ``probe``: the caller reads only the first page in an index's order; see
    :func:`~dealterm.core.search.search_condition`.

    Raises:
        ValidationError: the filter names an unknown pipeline, stage, user, currency,
            type or source, or a range whose end is before its start.
    """
    templates_out = (
        func.coalesce(Deal.is_recurring, False).is_(False)
        if scan
        else col(Deal.is_recurring).is_(False)
    )
    where: list[ColumnElement[bool]] = [templates_out]
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
        stages = select(col(Stage.id)).where(col(Stage.semantics) == wanted)
        where.append(col(Deal.stage_id).in_(stages))
    if flt.responsible not in (None, ""):
        if flt.responsible == "me":
            where.append(col(Deal.responsible_id) == ctx(session).user_id)
        else:
            user = users.resolve_user(session, flt.responsible)
            where.append(col(Deal.responsible_id) == user.id)
    if (
        flt.amount_min is not None
        and flt.amount_max is not None
        and flt.amount_min > flt.amount_max
    ):
        raise ValidationError("the smallest amount is larger than the largest", field="amount")
    if flt.amount_min is not None:
        where.append(col(Deal.amount) >= flt.amount_min)
    if flt.amount_max is not None:
        where.append(col(Deal.amount) <= flt.amount_max)
    if flt.currency:
        where.append(col(Deal.currency_code) == directories.resolve_currency(session, flt.currency))
    if flt.deal_type:
        where.append(col(Deal.type_code) == directories.resolve_deal_type(session, flt.deal_type))
    if flt.source:
        where.append(col(Deal.source_code) == directories.resolve_source(session, flt.source))
    clock = ctx(session).clock
    for start, end, label in ((flt.created_from, flt.created_to, "created"),):
        if start and end and start > end:
            raise ValidationError(f"the {label} range ends before it starts", field=label)
        if start:
            where.append(col(Deal.created_at) >= clock.start_of_day(start))
        if end:
            where.append(col(Deal.created_at) < clock.start_of_day(end + timedelta(days=1)))
    if flt.close_from and flt.close_to and flt.close_from > flt.close_to:
        raise ValidationError("the close date range ends before it starts", field="close_date")
    if flt.close_from:
        where.append(col(Deal.close_date) >= flt.close_from)
    if flt.close_to:
        where.append(col(Deal.close_date) <= flt.close_to)
    if flt.repeat is not None:
        where.append(col(Deal.is_repeat).is_(flt.repeat))
    if flt.without_activities:
        where.append(and_(col(Deal.closed).is_(False), ~open_activity_exists()))
    if flt.overdue:
        where.append(and_(col(Deal.closed).is_(False), overdue_activity_exists(session)))
    for code, value in flt.custom:
        where.append(custom_condition(session, code, value))
    if flt.search and flt.search.strip():
        condition = search_condition(session, flt.search, probe=probe)
        if condition is not None:
            where.append(condition)
    return where
