"""Creating, editing and deleting deals, with a history event for every change."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, or_, select

from dealterm.core.context import ctx
from dealterm.core.errors import ConflictError, NotFoundError, ValidationError
from dealterm.core.models import (
    Company,
    Contact,
    Deal,
    DealContact,
    DealType,
    EventKind,
    Semantics,
    Source,
    Stage,
    User,
)
from dealterm.core.queries.deal_read import get_deal
from dealterm.core.readmodels import DealRead
from dealterm.core.services import (
    clients,
    custom_fields,
    directories,
    history,
    pipelines,
    products,
    users,
)
from dealterm.core.services.products import ProductRowInput
from dealterm.core.validation import (
    clean_text,
    parse_amount,
    parse_date,
    parse_decimal,
    parse_title,
)

__all__ = [
    "DealCreate",
    "DealUpdate",
    "check_dates",
    "create_deal",
    "delete_deal",
    "has_won_deal",
    "lock_deal",
    "set_product_rows",
    "touch",
    "update_deal",
]

CLOSE_AFTER_DAYS = 7


class DealCreate(BaseModel):
    """What a new deal is made of. Values may be text as typed; the service parses them.

    Attributes:
        pipeline: id or name; the default pipeline when missing.
        stage: id, code or name within the pipeline; its first stage when missing.
        company: id or name; an unknown name creates the company.
        contacts: ids or names, the first one primary; unknown names create contacts.
        responsible: user id, login or name; the acting user when missing.
    """

    title: str | None = None
    pipeline: int | str | None = None
    stage: int | str | None = None
    amount: Decimal | str | int | None = None
    currency: str | None = None
    type: str | None = None
    source: str | None = None
    source_description: str | None = None
    company: int | str | None = None
    contacts: list[int | str] = Field(default_factory=list)
    responsible: int | str | None = None
    begin_date: date | str | None = None
    close_date: date | str | None = None
    probability: int | str | None = None
    comments: str | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    products: list[ProductRowInput] = Field(default_factory=list)
    origin: str | None = None
    origin_id: str | None = None


class DealUpdate(BaseModel):
    """Changes to a deal: only the fields that were set are applied.

    Setting ``company`` or ``type`` to None clears it; ``custom_fields`` merges, and a
    None value removes that field. Setting ``amount`` makes the amount manual.
    """

    title: str | None = None
    amount: Decimal | str | int | None = None
    currency: str | None = None
    type: str | None = None
    source: str | None = None
    source_description: str | None = None
    company: int | str | None = None
    contacts: list[int | str] | None = None
    responsible: int | str | None = None
    begin_date: date | str | None = None
    close_date: date | str | None = None
    probability: int | str | None = None
    comments: str | None = None
    manual_amount: bool | None = None
    custom_fields: dict[str, Any] | None = None


def lock_deal(session: Session, deal_id: int, expected_version: int | None = None) -> Deal:
    """Load a deal for change, locking its row, and check the version the caller saw.

    Raises:
        NotFoundError: no such deal.
        ConflictError: the deal changed since the caller read ``expected_version``.
    """
    deal = session.exec(select(Deal).where(Deal.id == deal_id).with_for_update()).first()
    if deal is None:
        raise NotFoundError(f"deal #{deal_id} not found")
    if expected_version is not None and deal.version != expected_version:
        raise ConflictError(
            f"deal #{deal_id} was changed by someone else since you opened it; "
            "review the current values and try again",
            current_version=deal.version,
        )
    return deal


def touch(session: Session, deal: Deal) -> None:
    """Stamp a changed deal: new version, updated at/by now."""
    context = ctx(session)
    deal.version += 1
    deal.updated_at = context.clock.utcnow()
    deal.updated_by_id = context.user_id or None
    session.add(deal)


def _parse_probability(value: int | str | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = parse_decimal(value, field="probability", label="Probability")
    if number != number.to_integral_value() or not 0 <= number <= 100:
        raise ValidationError(
            f"Probability must be a whole number from 0 to 100 ({value})", field="probability"
        )
    return int(number)


def check_dates(begin: date, close: date, *, field: str = "close_date") -> None:
    """Refuse a close date before the begin date.

    Args:
        field: the date the user gave (or changed): the message is put beside it.

    Raises:
        ValidationError: ``close`` is before ``begin``.
    """
    if close >= begin:
        return
    if field == "begin_date":
        raise ValidationError("begin date is after the close date", field=field)
    raise ValidationError("close date is before the begin date", field="close_date")


def has_won_deal(
    session: Session, *, company_id: int | None, contact_ids: list[int], exclude: int | None = None
) -> bool:
    """True if the company or any of the contacts already has a won deal."""
    conditions = []
    if company_id is not None:
        conditions.append(col(Deal.company_id) == company_id)
    if contact_ids:
        linked = select(DealContact.deal_id).where(col(DealContact.contact_id).in_(contact_ids))
        conditions.append(col(Deal.id).in_(linked))
    if not conditions:
        return False
    query = (
        select(Deal.id)
        .join(Stage, col(Stage.id) == col(Deal.stage_id))
        .where(Stage.semantics == Semantics.SUCCESS, col(Deal.is_recurring).is_(False))
        .where(or_(*conditions))
    )
    if exclude is not None:
        query = query.where(Deal.id != exclude)
    return session.exec(query.limit(1)).first() is not None


def _resolve_contacts(
    session: Session, refs: list[int | str], company_id: int | None
) -> list[Contact]:
    found: list[Contact] = []
    for ref in refs:
        if isinstance(ref, str) and not ref.strip():
            continue
        contact = clients.resolve_contact(
            session,
            int(ref) if isinstance(ref, str) and ref.strip().isdigit() else ref,
            company_id=company_id,
        )
        if contact.id not in {c.id for c in found}:
            found.append(contact)
    return found


def _link_contacts(session: Session, deal_id: int, contacts: list[Contact]) -> None:
    for sort, contact in enumerate(contacts):
        assert contact.id is not None
        session.add(
            DealContact(
                deal_id=deal_id, contact_id=contact.id, sort=sort * 10, is_primary=sort == 0
            )
        )


def _company_ref(ref: int | str) -> int | str:
    return int(ref) if isinstance(ref, str) and ref.strip().isdigit() else ref


def create_deal(session: Session, data: DealCreate) -> DealRead:
    """Create a deal from what the user gave, filling Bitrix24's defaults.

    A deal without a stage goes to its pipeline's first stage; without a title it is
    "Deal #<id>"; begin date is today (or the close date given, if earlier) and close date
    7 days after today or a later begin date (today for a deal created closed) unless given.
    A deal whose company or contact already has a won deal is flagged as a repeat deal.

    Raises:
        ValidationError: any value is invalid (a close date before the begin date too);
            nothing is written.
    """
    context = ctx(session)
    now = context.clock.utcnow()
    today = context.clock.today()
    title = parse_title(data.title)
    pipeline = pipelines.resolve_pipeline(session, data.pipeline)
    assert pipeline.id is not None
    if data.stage is not None and str(data.stage).strip():
        stage = pipelines.resolve_stage(session, pipeline, data.stage)
    else:
        stage = pipelines.first_stage(session, pipeline.id)
    currency = (
        directories.resolve_currency(session, data.currency)
        if data.currency
        else directories.base_currency(session)
    )
    amount = parse_amount(data.amount) if data.amount not in (None, "") else None
    type_code = (
        directories.resolve_deal_type(session, data.type)
        if data.type
        else session.exec(
            select(DealType.code).where(col(DealType.active).is_(True)).order_by(col(DealType.sort))
        ).first()
    )
    source_code = directories.resolve_source(session, data.source) if data.source else None
    closed = stage.semantics != Semantics.PROCESS
    given_close = (
        parse_date(data.close_date, field="close_date", label="Close date")
        if data.close_date
        else None
    )
    if data.begin_date:
        begin = parse_date(data.begin_date, field="begin_date", label="Begin date")
    else:
        # A deal entered after it closed began by then at the latest.
        begin = min(today, given_close) if given_close is not None else today
    if given_close is not None:
        close = given_close
    elif closed:
        close = today
    else:
        close = max(today, begin) + timedelta(days=CLOSE_AFTER_DAYS)
    check_dates(begin, close, field="close_date" if given_close is not None else "begin_date")
    probability = _parse_probability(data.probability)
    responsible_id = (
        users.resolve_user(session, data.responsible).id
        if data.responsible not in (None, "")
        else context.user_id
    )
    company = (
        clients.resolve_company(session, _company_ref(data.company))
        if data.company not in (None, "")
        else None
    )
    company_id = company.id if company else None
    contacts = _resolve_contacts(session, data.contacts, company_id)
    contact_ids = [c.id for c in contacts if c.id is not None]
    # after the client: a link field may name the company or contact this deal creates
    custom = custom_fields.apply_defaults(
        session, custom_fields.normalize_values(session, data.custom_fields)
    )
    deal = Deal(
        title=title or "Deal",
        pipeline_id=pipeline.id,
        stage_id=stage.id or 0,
        type_code=type_code,
        source_code=source_code,
        source_description=clean_text(data.source_description or "", multiline=False).strip()
        or None,
        amount=amount if amount is not None else Decimal("0.00"),
        currency_code=currency,
        is_manual_amount=amount is not None,
        probability=probability,
        company_id=company_id,
        responsible_id=responsible_id or 0,
        created_by_id=context.user_id or None,
        created_at=now,
        updated_by_id=context.user_id or None,
        updated_at=now,
        moved_by_id=context.user_id or None,
        moved_at=now,
        begin_date=begin,
        close_date=close,
        closed=closed,
        comments=clean_text(data.comments or "").strip() or None,
        is_repeat=has_won_deal(session, company_id=company_id, contact_ids=contact_ids),
        custom_fields=custom,
        origin=data.origin,
        origin_id=data.origin_id,
    )
    session.add(deal)
    session.flush()
    assert deal.id is not None
    if not title:
        deal.title = f"Deal #{deal.id}"
    _link_contacts(session, deal.id, contacts)
    history.record(session, deal.id, EventKind.CREATED, text=f"Deal created in stage {stage.name}")
    if data.products:
        products.replace_rows(session, deal, data.products, log=False)
    session.flush()
    return get_deal(session, deal.id)


def _display(session: Session, field: str, value: Any) -> str | None:
    if value is None:
        return None
    if field == "company":
        company = session.get(Company, value)
        return company.title if company else str(value)
    if field == "responsible":
        user = session.get(User, value)
        return user.name if user else str(value)
    if field == "type":
        found_type = session.get(DealType, value)
        return found_type.name if found_type else str(value)
    if field == "source":
        found_source = session.get(Source, value)
        return found_source.name if found_source else str(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _apply(session: Session, deal: Deal, attr: str, field: str, new: Any) -> bool:
    old = getattr(deal, attr)
    if old == new:
        return False
    setattr(deal, attr, new)
    assert deal.id is not None
    history.record(
        session,
        deal.id,
        EventKind.FIELD_CHANGED,
        field=field,
        old=_display(session, field, old),
        new=_display(session, field, new),
    )
    return True


def update_deal(
    session: Session, deal_id: int, changes: DealUpdate, *, expected_version: int | None = None
) -> DealRead:
    """Apply the fields set in ``changes``; each change writes a field-changed event.

    Raises:
        NotFoundError: no such deal.
        ConflictError: ``expected_version`` is stale; nothing is written.
        ValidationError: a value is invalid, or a given begin or close date leaves the close
            date before the begin date; nothing is written.
    """
    deal = lock_deal(session, deal_id, expected_version)
    given = changes.model_fields_set
    changed = False
    if "title" in given:
        title = parse_title(changes.title)
        if not title:
            raise ValidationError("a deal needs a title", field="title")
        changed |= _apply(session, deal, "title", "title", title)
    if "currency" in given:
        if not changes.currency:
            raise ValidationError("a deal needs a currency", field="currency")
        changed |= _apply(
            session,
            deal,
            "currency_code",
            "currency",
            directories.resolve_currency(session, changes.currency),
        )
    if "type" in given:
        code = directories.resolve_deal_type(session, changes.type) if changes.type else None
        changed |= _apply(session, deal, "type_code", "type", code)
    if "source" in given:
        code = directories.resolve_source(session, changes.source) if changes.source else None
        changed |= _apply(session, deal, "source_code", "source", code)
    if "source_description" in given:
        changed |= _apply(
            session,
            deal,
            "source_description",
            "source_description",
            clean_text(changes.source_description or "", multiline=False).strip() or None,
        )
    if "responsible" in given:
        if changes.responsible in (None, ""):
            raise ValidationError("a deal needs a responsible person", field="responsible")
        user = users.resolve_user(session, changes.responsible)
        changed |= _apply(session, deal, "responsible_id", "responsible", user.id)
    if "begin_date" in given or "close_date" in given:
        begin, close = _dates(changes, deal)
        check_dates(begin, close, field="close_date" if "close_date" in given else "begin_date")
        changed |= _apply(session, deal, "begin_date", "begin_date", begin)
        changed |= _apply(session, deal, "close_date", "close_date", close)
    if "probability" in given:
        changed |= _apply(
            session, deal, "probability", "probability", _parse_probability(changes.probability)
        )
    if "comments" in given:
        changed |= _apply(
            session,
            deal,
            "comments",
            "comments",
            clean_text(changes.comments or "").strip() or None,
        )
    if "company" in given:
        company = (
            clients.resolve_company(session, _company_ref(changes.company))
            if changes.company not in (None, "")
            else None
        )
        changed |= _apply(session, deal, "company_id", "company", company.id if company else None)
    if "contacts" in given:
        changed |= _replace_contacts(session, deal, changes.contacts or [])
    if "custom_fields" in given and changes.custom_fields:
        merged = dict(deal.custom_fields or {})
        normalized = custom_fields.normalize_values(session, changes.custom_fields)
        cleared = [code for code, value in normalized.items() if value is None]
        custom_fields.refuse_clearing_required(session, cleared)
        for code, value in normalized.items():
            old = merged.get(code)
            if value is None:
                merged.pop(code, None)
            else:
                merged[code] = value
            if old != value:
                history.record(
                    session,
                    deal_id,
                    EventKind.FIELD_CHANGED,
                    field=code,
                    old=custom_fields.as_text(old),
                    new=custom_fields.as_text(value),
                )
                changed = True
        deal.custom_fields = merged
    if "amount" in given:
        if changes.amount in (None, ""):
            raise ValidationError("Amount cannot be empty (use 0)", field="amount")
        changed |= _apply(session, deal, "amount", "amount", parse_amount(changes.amount))
        if "manual_amount" not in given:
            changed |= _apply(session, deal, "is_manual_amount", "manual_amount", True)
    if "manual_amount" in given and changes.manual_amount is not None:
        changed |= _apply(session, deal, "is_manual_amount", "manual_amount", changes.manual_amount)
        if not changes.manual_amount:
            has_rows = bool(products.product_rows(session, deal_id))
            if has_rows:
                changed |= products.recompute_amount(session, deal)
    if changed:
        touch(session, deal)
        session.flush()
    return get_deal(session, deal_id)


def _dates(changes: DealUpdate, deal: Deal) -> tuple[date, date]:
    """The begin and close date a deal will have, the given ones parsed.

    Raises:
        ValidationError: a given date is empty or not a date.
    """
    given = changes.model_fields_set
    begin, close = deal.begin_date, deal.close_date
    if "begin_date" in given:
        if not changes.begin_date:
            raise ValidationError("a deal needs a begin date", field="begin_date")
        begin = parse_date(changes.begin_date, field="begin_date", label="Begin date")
    if "close_date" in given:
        if not changes.close_date:
            raise ValidationError("a deal needs a close date", field="close_date")
        close = parse_date(changes.close_date, field="close_date", label="Close date")
    return begin, close


def _replace_contacts(session: Session, deal: Deal, refs: list[int | str]) -> bool:
    assert deal.id is not None
    new = _resolve_contacts(session, refs, deal.company_id)
    old_links = session.exec(
        select(DealContact).where(DealContact.deal_id == deal.id).order_by(col(DealContact.sort))
    ).all()
    old_ids = [link.contact_id for link in old_links]
    if old_ids == [c.id for c in new]:
        return False
    old_names = [
        name for name in (session.get(Contact, cid) for cid in old_ids) if name is not None
    ]
    for link in old_links:
        session.delete(link)
    session.flush()
    _link_contacts(session, deal.id, new)
    history.record(
        session,
        deal.id,
        EventKind.CONTACTS_CHANGED,
        field="contacts",
        old=", ".join(c.name for c in old_names),
        new=", ".join(c.name for c in new),
    )
    return True


def set_product_rows(
    session: Session,
    deal_id: int,
    rows: list[ProductRowInput],
    *,
    expected_version: int | None = None,
) -> DealRead:
    """Replace a deal's product rows; an automatic amount follows their total.

    A deal with a manual amount of zero and no rows switches to automatic when rows
    are first added (there is no typed amount to keep).

    Raises:
        NotFoundError, ConflictError, ValidationError: nothing is written.
    """
    deal = lock_deal(session, deal_id, expected_version)
    if deal.is_manual_amount and deal.amount == 0 and not products.product_rows(session, deal_id):
        deal.is_manual_amount = False
    products.replace_rows(session, deal, rows)
    touch(session, deal)
    session.flush()
    return get_deal(session, deal_id)


def delete_deal(session: Session, deal_id: int, *, expected_version: int | None = None) -> str:
    """Delete a deal with its rows, activities and history; return its title.

    Raises:
        NotFoundError: no such deal.
    """
    deal = lock_deal(session, deal_id, expected_version)
    title = deal.title
    session.delete(deal)
    session.flush()
    return title
