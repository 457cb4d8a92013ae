"""Recurring deal templates: keep them, schedule them, and run the occurrences that are due.

A run creates each due occurrence in its own transaction: it locks the template row,
reads its next run again, inserts the ``recurring_runs`` row (unique per template and
date), creates the deal and moves the template on. Two processes running at once wait
for each other on the template lock and the second one finds nothing left to do; a run
killed half way leaves whole occurrences behind, never half of one. Should a run row
exist already for the date (a template moved back to a date it ran), the date is
skipped, never run twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, field_serializer
from pydantic import Field as PydanticField
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dealterm.core.context import ctx
from dealterm.core.errors import DealtermError, NotFoundError, ValidationError
from dealterm.core.models import (
    Company,
    Contact,
    CustomField,
    Deal,
    DealContact,
    DealProduct,
    LimitKind,
    Pipeline,
    Product,
    RecurringRun,
    RecurringTemplate,
    ScheduleMode,
    User,
)
from dealterm.core.readmodels import DealRead
from dealterm.core.recurrence import (
    Schedule,
    add_offset,
    describe,
    first_run,
    next_after,
    parse_unit,
    resume_at,
)
from dealterm.core.services import (
    clients,
    custom_fields,
    deals,
    directories,
    history,
    pipelines,
    products,
    users,
)
from dealterm.core.services.products import ProductRowInput
from dealterm.core.validation import parse_amount, parse_date, parse_title

if TYPE_CHECKING:
    from dealterm.core.db import Database

__all__ = [
    "EVENT_KIND",
    "ORIGIN",
    "RunReport",
    "ScheduleInput",
    "TemplateInput",
    "TemplateRead",
    "TemplateUpdate",
    "create_template",
    "delete_template",
    "get_template",
    "list_templates",
    "run_due",
    "run_one",
    "set_active",
    "template_from_deal",
    "update_template",
]

ORIGIN = "recurring"
EVENT_KIND = "recurring"


class ScheduleInput(BaseModel):
    """A schedule as typed (values may be text).

    Attributes:
        mode: "once" or "every".
        step: every N units; for "once", N units before the start.
        unit: day, week, month or year.
        start: the start date; today when missing.
        limit_kind: "none", "date" or "times" (``limit_date`` / ``limit_times``).
        pipeline: id or name of the pipeline new deals go to (its first stage); the
            default pipeline when missing.
        begin_offset, close_offset: new deal's dates from the run date ("0d", "14d", "1m").
    """

    mode: str = ScheduleMode.EVERY
    step: int | str = 1
    unit: str = "month"
    start: date | str | None = None
    limit_kind: str = LimitKind.NONE
    limit_date: date | str | None = None
    limit_times: int | str | None = None
    pipeline: int | str | None = None
    begin_offset: str = "0d"
    close_offset: str = "7d"


class TemplateInput(ScheduleInput):
    """A template made from scratch: the deal's fields and the schedule."""

    title: str | None = None
    amount: Decimal | str | int | None = None
    currency: str | None = None
    type: str | None = None
    source: str | None = None
    source_description: str | None = None
    company: int | str | None = None
    contacts: list[int | str] = PydanticField(default_factory=list)
    responsible: int | str | None = None
    probability: int | str | None = None
    comments: str | None = None
    custom_fields: dict[str, Any] = PydanticField(default_factory=dict)
    products: list[ProductRowInput] = PydanticField(default_factory=list)


class TemplateUpdate(BaseModel):
    """Changes to a template: only the fields that were set apply (see :class:`TemplateInput`).

    ``contacts`` and ``products`` replace the template's lists; ``custom_fields`` merges
    (None removes a value), as a deal's edit does.
    """

    title: str | None = None
    amount: Decimal | str | int | None = None
    currency: str | None = None
    type: str | None = None
    source: str | None = None
    company: int | str | None = None
    contacts: list[int | str] | None = None
    responsible: int | str | None = None
    comments: str | None = None
    custom_fields: dict[str, Any] | None = None
    products: list[ProductRowInput] | None = None
    mode: str | None = None
    step: int | str | None = None
    unit: str | None = None
    start: date | str | None = None
    limit_kind: str | None = None
    limit_date: date | str | None = None
    limit_times: int | str | None = None
    pipeline: int | str | None = None
    begin_offset: str | None = None
    close_offset: str | None = None


class TemplateRead(BaseModel):
    """A template as the list, the form and ``--json`` show it."""

    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    amount: Decimal
    currency: str
    company_id: int | None
    company: str | None
    contact_ids: list[int]
    contacts: list[str]
    type: str | None
    source: str | None
    responsible_id: int | None
    responsible: str | None
    comments: str | None
    custom_fields: dict[str, Any]
    products: list[dict[str, Any]]
    based_on_deal_id: int | None
    pipeline_id: int | None
    pipeline: str | None
    mode: str
    step: int
    unit: str
    start: date
    limit_kind: str
    limit_date: date | None
    limit_times: int | None
    begin_offset: str
    close_offset: str
    schedule: str
    active: bool
    finished: bool
    counter: int
    last_run: date | None
    next_run: date | None

    @field_serializer("amount")
    def _money(self, value: Decimal) -> str:
        return f"{value:.2f}"

    @property
    def client(self) -> str:
        """The company, else the first contact, else an empty string."""
        return self.company or (self.contacts[0] if self.contacts else "")

    @property
    def state(self) -> str:
        """ "active", "paused" or "finished"."""
        if self.finished:
            return "finished"
        return "active" if self.active else "paused"


@dataclass
class RunReport:
    """What a run did.

    Attributes:
        created: the new deals with the template and occurrence each came from.
        errors: templates that could not run, as (template id, message).
    """

    created: list[tuple[int, date, DealRead]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many deals were created."""
        return len(self.created)


# --- reading ------------------------------------------------------------------------


def schedule_of(template: RecurringTemplate) -> Schedule:
    """The schedule a template row holds."""
    return Schedule(
        start=template.start_date,
        mode=template.mode,
        step=template.step,
        unit=template.unit,
        limit_kind=template.limit_kind,
        limit_date=template.limit_date,
        limit_times=template.limit_times,
        begin_offset=template.begin_offset,
        close_offset=template.close_offset,
    )


def _read(session: Session, template: RecurringTemplate) -> TemplateRead:
    assert template.id is not None
    company = session.get(Company, template.company_id) if template.company_id else None
    # contacts deleted since are left out of both lists, so ids and names stay in step
    ids: list[int] = []
    names: list[str] = []
    for contact_id in template.contact_ids or []:
        contact = session.get(Contact, contact_id)
        if contact is not None:
            ids.append(contact_id)
            names.append(contact.name)
    responsible = session.get(User, template.responsible_id) if template.responsible_id else None
    pipeline = session.get(Pipeline, template.pipeline_id) if template.pipeline_id else None
    return TemplateRead(
        id=template.id,
        title=template.title,
        amount=template.amount,
        currency=template.currency_code,
        company_id=template.company_id,
        company=company.title if company else None,
        contact_ids=ids,
        contacts=names,
        type=template.type_code,
        source=template.source_code,
        responsible_id=template.responsible_id,
        responsible=responsible.name if responsible else None,
        comments=template.comments,
        custom_fields=dict(template.custom_fields or {}),
        products=[_plain_quantity(row) for row in template.products or []],
        based_on_deal_id=template.based_on_deal_id,
        pipeline_id=template.pipeline_id,
        pipeline=pipeline.name if pipeline else None,
        mode=template.mode,
        step=template.step,
        unit=template.unit,
        start=template.start_date,
        limit_kind=template.limit_kind,
        limit_date=template.limit_date,
        limit_times=template.limit_times,
        begin_offset=template.begin_offset,
        close_offset=template.close_offset,
        schedule=describe(schedule_of(template), template.counter),
        active=template.active,
        finished=template.finished,
        counter=template.counter,
        last_run=template.last_run,
        next_run=template.next_run,
    )


def _get(session: Session, template_id: int, *, lock: bool = False) -> RecurringTemplate:
    query = select(RecurringTemplate).where(RecurringTemplate.id == template_id)
    if lock:
        query = query.with_for_update()
    found = session.exec(query).first()
    if found is None:
        raise NotFoundError(f"recurring template #{template_id} not found")
    return found


def get_template(session: Session, template_id: int) -> TemplateRead:
    """One template.

    Raises:
        NotFoundError: no such template.
    """
    return _read(session, _get(session, template_id))


def list_templates(session: Session) -> list[TemplateRead]:
    """Every template: active ones by next run, then paused and finished ones."""
    rows = session.exec(
        select(RecurringTemplate).order_by(
            col(RecurringTemplate.active).desc(),
            col(RecurringTemplate.next_run),
            col(RecurringTemplate.id),
        )
    ).all()
    return [_read(session, row) for row in rows]


# --- writing ------------------------------------------------------------------------


def _whole(value: int | str | None, *, field: str, label: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValidationError(f"{label} must be a whole number ({value!r})", field=field) from None


def _schedule(data: ScheduleInput, today: date) -> Schedule:
    mode = (data.mode or "").strip().lower()
    if mode not in (ScheduleMode.ONCE, ScheduleMode.EVERY):
        raise ValidationError(f"unknown mode {data.mode!r}: once or every", field="mode")
    limit = (data.limit_kind or LimitKind.NONE).strip().lower()
    if limit not in (LimitKind.NONE, LimitKind.DATE, LimitKind.TIMES):
        raise ValidationError(
            f"unknown limit {data.limit_kind!r}: none, date or times", field="limit"
        )
    step = _whole(data.step, field="step", label="Every")
    schedule = Schedule(
        start=(
            parse_date(data.start, field="start", label="Start date")
            if data.start not in (None, "")
            else today
        ),
        mode=mode,
        step=1 if step is None else step,
        unit=parse_unit(data.unit),
        limit_kind=limit,
        limit_date=(
            parse_date(data.limit_date, field="limit_date", label="Until")
            if data.limit_date not in (None, "") and limit == LimitKind.DATE
            else None
        ),
        limit_times=(
            _whole(data.limit_times, field="limit_times", label="Times")
            if limit == LimitKind.TIMES
            else None
        ),
        begin_offset=(data.begin_offset or "0d").strip().lower(),
        close_offset=(data.close_offset or "7d").strip().lower(),
    )
    schedule.validate()
    # Its deals would be refused (a close date before the begin date): say so now.
    start = schedule.start
    if add_offset(start, schedule.close_offset) < add_offset(start, schedule.begin_offset):
        raise ValidationError(
            "the close date offset is before the begin date offset", field="close_offset"
        )
    return schedule


def _apply_schedule(
    session: Session, template: RecurringTemplate, schedule: Schedule, today: date
) -> None:
    _store_schedule(template, schedule)
    _reschedule(template, schedule, today)


def _store_schedule(template: RecurringTemplate, schedule: Schedule) -> None:
    template.mode = schedule.mode
    template.step = schedule.step
    template.unit = schedule.unit
    template.start_date = schedule.start
    template.limit_kind = schedule.limit_kind
    template.limit_date = schedule.limit_date
    template.limit_times = schedule.limit_times
    template.begin_offset = schedule.begin_offset
    template.close_offset = schedule.close_offset


def _reschedule(template: RecurringTemplate, schedule: Schedule, today: date) -> None:
    """Work out the next run of a new or resumed template; finish when none is left.

    Dates before today are left out (except a "once" date): a new template does not
    create deals for before it existed, and a resumed one skips what it was paused for.
    """
    since = today
    if template.last_run is not None and template.last_run >= today:
        since = template.last_run
    if schedule.mode == ScheduleMode.ONCE:
        upcoming = None if template.counter else first_run(schedule, today)
    elif schedule.limit_kind == LimitKind.TIMES and template.counter >= (schedule.limit_times or 0):
        upcoming = None
    elif template.last_run is not None and since == template.last_run:
        upcoming = next_after(schedule, since, template.counter)
    else:
        upcoming = first_run(schedule, since)
    template.next_run = upcoming
    template.finished = upcoming is None
    if upcoming is None:
        template.active = False


def _reschedule_after_edit(
    template: RecurringTemplate, old: Schedule, new: Schedule, today: date
) -> None:
    """Work out the next run of an edited schedule; finish when none is left.

    The next run is the new schedule's first date after the last run (on or after the
    start when it never ran), even a past one: dates that were due and not run yet are
    not lost to an edit, the next run creates them. Dates skipped on purpose stay
    skipped, though. Those are the old schedule's dates before its next run that never
    ran (a pause, a start before the template was made); when there are any, nothing
    before that next run, or before today if that is earlier, comes back.
    """
    since = new.start
    expected = resume_at(old, old.start, template.last_run, template.counter)
    if template.next_run is not None and expected is not None and template.next_run > expected:
        since = min(template.next_run, today)
    upcoming = resume_at(new, since, template.last_run, template.counter)
    template.next_run = upcoming
    template.finished = upcoming is None
    if upcoming is None:
        template.active = False


def _plain_quantity(row: dict[str, Any]) -> dict[str, Any]:
    """A stored product row with its quantity written plainly: templates saved before
    used ``str(Decimal)``, which writes ten as "1E+1"."""
    quantity = row.get("quantity")
    if isinstance(quantity, str) and "E" in quantity.upper():
        try:
            return {**row, "quantity": format(Decimal(quantity), "f")}
        except InvalidOperation:
            return row
    return row


def _product_dict(row: DealProduct) -> dict[str, Any]:
    amount_off = row.discount_type == "amount"
    return {
        "product": row.product_id,
        "name": row.name,
        "price": f"{row.price:.2f}",
        "quantity": format(row.quantity.normalize(), "f") if row.quantity else "0",
        "discount_type": row.discount_type,
        "discount": f"{row.discount_sum:.2f}" if amount_off else str(row.discount_rate),
        "tax_rate": None if row.tax_rate is None else str(row.tax_rate),
        "tax_included": row.tax_included,
        "measure": row.measure,
    }


def _products(session: Session, rows: list[ProductRowInput]) -> tuple[list[dict[str, Any]], Any]:
    """Check product rows as a deal would; return them as JSON and their total."""
    built = [products._build_row(session, 0, row, i) for i, row in enumerate(rows, start=1)]
    total, _tax = products.rows_total(
        [
            products.compute_row(
                price=r.price,
                quantity=r.quantity,
                discount_type=r.discount_type,
                discount_rate=r.discount_rate,
                discount_sum=r.discount_sum,
                tax_rate=r.tax_rate,
                tax_included=r.tax_included,
            )
            for r in built
        ]
    )
    return [_product_dict(r) for r in built], total


def _contact_ids(session: Session, refs: list[int | str], company_id: int | None) -> list[int]:
    found: list[int] = []
    for ref in refs:
        if isinstance(ref, str) and not ref.strip():
            continue
        key: int | str = int(ref) if isinstance(ref, str) and ref.strip().isdigit() else ref
        contact = clients.resolve_contact(session, key, company_id=company_id)
        if contact.id is not None and contact.id not in found:
            found.append(contact.id)
    return found


def _company_id(session: Session, ref: int | str | None) -> int | None:
    if ref in (None, ""):
        return None
    assert ref is not None
    key: int | str = int(ref) if isinstance(ref, str) and ref.strip().isdigit() else ref
    return clients.resolve_company(session, key).id


def create_template(session: Session, data: TemplateInput) -> TemplateRead:
    """Make a template from scratch.

    Raises:
        ValidationError: a field or the schedule is invalid; nothing is written.
    """
    context = ctx(session)
    today = context.clock.today()
    title = parse_title(data.title)
    if not title:
        raise ValidationError("a recurring deal needs a title", field="title")
    schedule = _schedule(data, today)
    pipeline = pipelines.resolve_pipeline(session, data.pipeline)
    currency = (
        directories.resolve_currency(session, data.currency)
        if data.currency
        else directories.base_currency(session)
    )
    rows, total = _products(session, data.products)
    manual = data.amount not in (None, "") or not rows
    amount = parse_amount(data.amount) if data.amount not in (None, "") else Decimal("0.00")
    company_id = _company_id(session, data.company)
    now = context.clock.utcnow()
    template = RecurringTemplate(
        title=title,
        amount=amount if manual else total,
        is_manual_amount=manual,
        currency_code=currency,
        company_id=company_id,
        contact_ids=_contact_ids(session, data.contacts, company_id),
        type_code=directories.resolve_deal_type(session, data.type) if data.type else None,
        source_code=directories.resolve_source(session, data.source) if data.source else None,
        source_description=(data.source_description or "").strip() or None,
        responsible_id=(
            users.resolve_user(session, data.responsible).id
            if data.responsible not in (None, "")
            else context.user_id or None
        ),
        probability=deals._parse_probability(data.probability),
        comments=(data.comments or "").strip() or None,
        custom_fields={
            code: value
            for code, value in custom_fields.normalize_values(session, data.custom_fields).items()
            if value is not None
        },
        products=rows,
        pipeline_id=pipeline.id,
        start_date=schedule.start,
        created_at=now,
        updated_at=now,
    )
    return _save_new(session, template, schedule, today)


def _save_new(
    session: Session, template: RecurringTemplate, schedule: Schedule, today: date
) -> TemplateRead:
    """Schedule a new template and store it.

    Raises:
        ValidationError: the schedule never runs.
    """
    _apply_schedule(session, template, schedule, today)
    if template.next_run is None:
        raise ValidationError("this schedule never runs: check its dates and limit", field="start")
    session.add(template)
    session.flush()
    return _read(session, template)


def template_from_deal(session: Session, deal_id: int, data: ScheduleInput) -> TemplateRead:
    """Copy a deal (fields, contacts, custom fields, product rows) into a new template.

    The deal itself is left as it is; the template remembers it (``based_on_deal_id``).

    Raises:
        NotFoundError: no such deal.
        ValidationError: the schedule is invalid; nothing is written.
    """
    context = ctx(session)
    today = context.clock.today()
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFoundError(f"deal #{deal_id} not found")
    if data.pipeline in (None, ""):
        data = data.model_copy(update={"pipeline": deal.pipeline_id})
    schedule = _schedule(data, today)
    pipeline = pipelines.resolve_pipeline(session, data.pipeline)
    contact_ids = list(
        session.exec(
            select(DealContact.contact_id)
            .where(DealContact.deal_id == deal_id)
            .order_by(col(DealContact.sort))
        ).all()
    )
    rows = session.exec(
        select(DealProduct)
        .where(DealProduct.deal_id == deal_id)
        .order_by(col(DealProduct.sort), col(DealProduct.id))
    ).all()
    now = context.clock.utcnow()
    template = RecurringTemplate(
        title=deal.title,
        amount=deal.amount,
        is_manual_amount=deal.is_manual_amount or not rows,
        currency_code=deal.currency_code,
        company_id=deal.company_id,
        contact_ids=contact_ids,
        type_code=deal.type_code,
        source_code=deal.source_code,
        source_description=deal.source_description,
        responsible_id=deal.responsible_id,
        probability=deal.probability,
        comments=deal.comments,
        custom_fields=dict(deal.custom_fields or {}),
        products=[_product_dict(row) for row in rows],
        based_on_deal_id=deal.id,
        pipeline_id=pipeline.id,
        start_date=schedule.start,
        created_at=now,
        updated_at=now,
    )
    return _save_new(session, template, schedule, today)


_SCHEDULE_KEYS = (
    "mode",
    "step",
    "unit",
    "start",
    "limit_kind",
    "limit_date",
    "limit_times",
    "begin_offset",
    "close_offset",
)


def update_template(session: Session, template_id: int, changes: TemplateUpdate) -> TemplateRead:
    """Change a template's fields or schedule.

    A changed schedule keeps the dates that were due and not run yet (see
    :func:`_reschedule_after_edit`); a paused template stays paused.

    Raises:
        NotFoundError: no such template.
        ValidationError: a value is invalid; nothing is written.
    """
    context = ctx(session)
    today = context.clock.today()
    template = _get(session, template_id, lock=True)
    given = changes.model_fields_set
    if "products" in given:
        # before the amount: a typed amount in the same edit wins over the rows' total
        rows, total = _products(session, changes.products or [])
        if template.is_manual_amount and template.amount == 0 and not template.products:
            template.is_manual_amount = False  # no typed amount to keep, as for a deal
        template.products = rows
        if not template.is_manual_amount:
            template.amount = total
    if "title" in given:
        title = parse_title(changes.title)
        if not title:
            raise ValidationError("a recurring deal needs a title", field="title")
        template.title = title
    if "amount" in given:
        if changes.amount in (None, ""):
            raise ValidationError("Amount cannot be empty (use 0)", field="amount")
        template.amount = parse_amount(changes.amount)
        template.is_manual_amount = True
    if "currency" in given:
        if not changes.currency:
            raise ValidationError("a deal needs a currency", field="currency")
        template.currency_code = directories.resolve_currency(session, changes.currency)
    if "type" in given:
        template.type_code = (
            directories.resolve_deal_type(session, changes.type) if changes.type else None
        )
    if "source" in given:
        template.source_code = (
            directories.resolve_source(session, changes.source) if changes.source else None
        )
    if "company" in given:
        template.company_id = _company_id(session, changes.company)
    if "contacts" in given:
        template.contact_ids = _contact_ids(session, changes.contacts or [], template.company_id)
    if "responsible" in given and changes.responsible not in (None, ""):
        assert changes.responsible is not None
        template.responsible_id = users.resolve_user(session, changes.responsible).id
    if "comments" in given:
        template.comments = (changes.comments or "").strip() or None
    if "custom_fields" in given and changes.custom_fields:
        merged = dict(template.custom_fields or {})
        normalized = custom_fields.normalize_values(session, changes.custom_fields)
        custom_fields.refuse_clearing_required(
            session, [code for code, value in normalized.items() if value is None]
        )
        for code, value in normalized.items():
            if value is None:
                merged.pop(code, None)
            else:
                merged[code] = value
        template.custom_fields = merged
    if "pipeline" in given:
        template.pipeline_id = pipelines.resolve_pipeline(session, changes.pipeline).id
    if given & set(_SCHEDULE_KEYS):
        current = schedule_of(template)
        merged_input = ScheduleInput(
            mode=changes.mode if "mode" in given and changes.mode else current.mode,
            step=changes.step if "step" in given and changes.step is not None else current.step,
            unit=changes.unit if "unit" in given and changes.unit else current.unit,
            start=changes.start if "start" in given and changes.start else current.start,
            limit_kind=(
                changes.limit_kind
                if "limit_kind" in given and changes.limit_kind
                else current.limit_kind
            ),
            limit_date=changes.limit_date if "limit_date" in given else current.limit_date,
            limit_times=changes.limit_times if "limit_times" in given else current.limit_times,
            begin_offset=changes.begin_offset or current.begin_offset,
            close_offset=changes.close_offset or current.close_offset,
        )
        schedule = _schedule(merged_input, today)
        was_active = template.active or template.finished
        _store_schedule(template, schedule)
        _reschedule_after_edit(template, current, schedule, today)
        # a paused template stays paused; a finished one with a new future comes back
        template.active = template.next_run is not None and was_active
    template.updated_at = context.clock.utcnow()
    session.add(template)
    session.flush()
    return _read(session, template)


def set_active(session: Session, template_id: int, active: bool) -> TemplateRead:
    """Pause or resume a template. Resuming skips the dates it was paused for.

    Raises:
        NotFoundError: no such template.
        ValidationError: resuming a template whose schedule is over.
    """
    context = ctx(session)
    template = _get(session, template_id, lock=True)
    if active and not template.active:
        _reschedule(template, schedule_of(template), context.clock.today())
        if template.next_run is None:
            raise ValidationError(
                f"recurring template #{template_id} has no runs left; change its schedule",
                field="active",
            )
        template.active = True
    elif not active:
        template.active = False
    template.updated_at = context.clock.utcnow()
    session.add(template)
    session.flush()
    return _read(session, template)


def delete_template(session: Session, template_id: int) -> str:
    """Delete a template (the deals it created stay); returns its title.

    Raises:
        NotFoundError: no such template.
    """
    template = _get(session, template_id, lock=True)
    title = template.title
    for run in session.exec(
        select(RecurringRun).where(RecurringRun.template_id == template_id)
    ).all():
        session.delete(run)
    session.delete(template)
    session.flush()
    return title


# --- running ------------------------------------------------------------------------


def _deal_input(session: Session, template: RecurringTemplate, occurrence: date) -> Any:
    """What the occurrence's deal is made of; links that have gone since are left out."""
    known_contacts = [
        cid for cid in (template.contact_ids or []) if session.get(Contact, cid) is not None
    ]
    active_fields = {
        f.code
        for f in session.exec(select(CustomField).where(col(CustomField.active).is_(True))).all()
    }
    rows = []
    for raw in template.products or []:
        row = dict(raw)
        if row.get("product") is not None and session.get(Product, row["product"]) is None:
            row["product"] = None
        rows.append(ProductRowInput(**row))
    return deals.DealCreate(
        title=template.title,
        pipeline=template.pipeline_id,
        amount=template.amount if template.is_manual_amount or not rows else None,
        currency=template.currency_code,
        type=template.type_code,
        source=template.source_code,
        source_description=template.source_description,
        company=template.company_id,
        contacts=list(known_contacts),
        responsible=template.responsible_id,
        begin_date=add_offset(occurrence, template.begin_offset),
        close_date=add_offset(occurrence, template.close_offset),
        probability=template.probability,
        comments=template.comments,
        custom_fields={
            k: v for k, v in (template.custom_fields or {}).items() if k in active_fields
        },
        products=rows,
        origin=ORIGIN,
        origin_id=f"{template.id}:{occurrence.isoformat()}",
    )


def _claim(session: Session, template_id: int, occurrence: date) -> RecurringRun | None:
    """Insert the occurrence's run row; None when it exists already."""
    run = RecurringRun(
        template_id=template_id, occurrence=occurrence, created_at=ctx(session).clock.utcnow()
    )
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        return None
    return run


def run_one(session: Session, template_id: int, until: date) -> tuple[date, DealRead | None] | None:
    """Run a template's next occurrence if it is due by ``until``.

    Returns:
        None when nothing is due; else the occurrence and its new deal (None if the
        occurrence had run already and was skipped).

    Raises:
        ValidationError: the deal cannot be made (the template's values are refused).
    """
    template = _get(session, template_id, lock=True)
    occurrence = template.next_run
    if not template.active or occurrence is None or occurrence > until:
        return None
    assert template.id is not None
    schedule = schedule_of(template)
    run = _claim(session, template.id, occurrence)
    created: DealRead | None = None
    if run is not None:
        created = deals.create_deal(session, _deal_input(session, template, occurrence))
        run.deal_id = created.id
        session.add(run)
        history.record(
            session,
            created.id,
            EVENT_KIND,
            field="recurring_template",
            new=str(template.id),
            text=(
                f"Created by the recurring deal «{template.title}» (#{template.id}) "
                f"for {occurrence.isoformat()}"
            ),
        )
        template.counter += 1
        template.last_run = occurrence
    upcoming = next_after(schedule, occurrence, template.counter)
    template.next_run = upcoming
    if upcoming is None:
        template.active = False
        template.finished = True
    template.updated_at = ctx(session).clock.utcnow()
    session.add(template)
    session.flush()
    return occurrence, created


def due_ids(session: Session, until: date) -> list[int]:
    """Ids of the active templates with a run due by ``until``."""
    return [
        tid
        for tid in session.exec(
            select(RecurringTemplate.id)
            .where(
                col(RecurringTemplate.active).is_(True),
                col(RecurringTemplate.next_run) <= until,
            )
            .order_by(col(RecurringTemplate.next_run), col(RecurringTemplate.id))
        ).all()
        if tid is not None
    ]


def run_due(db: Database, until: date | None = None) -> RunReport:
    """Create the deal of every occurrence due by ``until`` (today), missed ones included.

    Each occurrence is one transaction (see the module docstring), so this is safe to run
    from several processes at once and to run again after it was stopped. A template
    whose deal is refused (say a required field it lacks) is reported and left for the
    next run; the others go on.
    """
    day = until or db.clock.today()
    report = RunReport()
    with db.session(write=False) as session:
        ids = due_ids(session, day)
    for template_id in ids:
        while True:
            try:
                with db.session() as session:
                    outcome = run_one(session, template_id, day)
            except DealtermError as exc:
                report.errors.append((template_id, str(exc)))
                break
            if outcome is None:
                break
            occurrence, created = outcome
            if created is not None:
                report.created.append((template_id, occurrence, created))
    return report
