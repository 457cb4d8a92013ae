"""Reading deals into read models: one joined query per page, contacts in a second."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from dealterm.core.cards import deal_probability
from dealterm.core.errors import NotFoundError
from dealterm.core.models import (
    Communication,
    Company,
    Contact,
    Deal,
    DealContact,
    DealType,
    LostReason,
    Pipeline,
    Source,
    Stage,
    User,
)
from dealterm.core.readmodels import ContactRef, DealRead

__all__ = ["channels_of", "deal_read_select", "get_deal", "read_deals", "rows_to_deals"]

_Creator = aliased(User, name="creator")


def channels_of(
    session: Session, *, contact_ids: Sequence[int] = (), company_ids: Sequence[int] = ()
) -> dict[tuple[str, int], dict[str, list[str]]]:
    """Phones and e-mails keyed by ``("contact", id)`` or ``("company", id)``."""
    result: dict[tuple[str, int], dict[str, list[str]]] = {}
    query = select(Communication).order_by(col(Communication.id))
    rows: list[Communication] = []
    if contact_ids:
        rows += session.exec(query.where(col(Communication.contact_id).in_(contact_ids))).all()
    if company_ids:
        rows += session.exec(query.where(col(Communication.company_id).in_(company_ids))).all()
    for row in rows:
        key = ("contact", row.contact_id) if row.contact_id else ("company", row.company_id or 0)
        entry = result.setdefault(key, {"phone": [], "email": []})
        entry[row.kind].append(row.value)
    return result


def deal_read_select() -> Select[Any]:
    """The joined SELECT that :func:`rows_to_deals` understands; callers add WHERE/ORDER."""
    query: Select[Any] = (
        sa_select(  # type: ignore[call-overload]
            Deal,
            Stage.code,
            Stage.name,
            Stage.color,
            Stage.semantics,
            Stage.probability,
            Pipeline.name,
            Company.title,
            User.name,
            _Creator.name,
            DealType.name,
            Source.name,
            LostReason.name,
        )
        .join(Stage, col(Stage.id) == col(Deal.stage_id))
        .join(Pipeline, col(Pipeline.id) == col(Deal.pipeline_id))
        .join(User, col(User.id) == col(Deal.responsible_id))
        .outerjoin(_Creator, col(_Creator.id) == col(Deal.created_by_id))
        .outerjoin(Company, col(Company.id) == col(Deal.company_id))
        .outerjoin(DealType, col(DealType.code) == col(Deal.type_code))
        .outerjoin(Source, col(Source.code) == col(Deal.source_code))
        .outerjoin(LostReason, col(LostReason.id) == col(Deal.lost_reason_id))
    )
    return query


def rows_to_deals(
    session: Session, rows: Sequence[Any], *, with_channels: bool = False
) -> list[DealRead]:
    """Build read models from rows of :func:`deal_read_select`, keeping their order."""
    deal_ids = [row[0].id for row in rows]
    contacts: dict[int, list[ContactRef]] = {}
    company_channels: dict[int, dict[str, list[str]]] = {}
    if deal_ids:
        links = session.exec(
            select(DealContact.deal_id, Contact.id, Contact.name, DealContact.is_primary)
            .join(Contact, col(Contact.id) == col(DealContact.contact_id))
            .where(col(DealContact.deal_id).in_(deal_ids))
            .order_by(col(DealContact.deal_id), col(DealContact.sort), col(Contact.id))
        ).all()
        channels: dict[tuple[str, int], dict[str, list[str]]] = {}
        if with_channels:
            company_ids = [int(row[0].company_id) for row in rows if row[0].company_id]
            channels = channels_of(
                session, contact_ids=[int(link[1] or 0) for link in links], company_ids=company_ids
            )
            company_channels = {
                key[1]: value for key, value in channels.items() if key[0] == "company"
            }
        for deal_id, contact_id, name, primary in links:
            assert contact_id is not None
            found = channels.get(("contact", contact_id), {})
            contacts.setdefault(deal_id, []).append(
                ContactRef(
                    id=contact_id,
                    name=name,
                    primary=primary,
                    phones=found.get("phone", []),
                    emails=found.get("email", []),
                )
            )
    result = []
    for row in rows:
        (
            deal,
            stage_code,
            stage_name,
            stage_color,
            semantics,
            stage_probability,
            pipeline_name,
            company_title,
            responsible,
            creator,
            type_name,
            source_name,
            reason_name,
        ) = row
        assert deal.id is not None
        channels_for_company = company_channels.get(deal.company_id or 0, {})
        result.append(
            DealRead(
                id=deal.id,
                title=deal.title,
                pipeline_id=deal.pipeline_id,
                pipeline=pipeline_name,
                stage_id=deal.stage_id,
                stage=stage_code,
                stage_name=stage_name,
                stage_color=stage_color,
                semantics=semantics,
                closed=deal.closed,
                amount=deal.amount,
                currency=deal.currency_code,
                tax_value=deal.tax_value,
                manual_amount=deal.is_manual_amount,
                probability=deal_probability(semantics, deal.probability, stage_probability),
                own_probability=deal.probability,
                company_id=deal.company_id,
                company=company_title,
                company_phones=channels_for_company.get("phone", []),
                company_emails=channels_for_company.get("email", []),
                contacts=contacts.get(deal.id, []),
                type=deal.type_code,
                type_name=type_name,
                source=deal.source_code,
                source_name=source_name,
                source_description=deal.source_description,
                responsible_id=deal.responsible_id,
                responsible=responsible,
                created_by=creator,
                created_at=deal.created_at,
                updated_at=deal.updated_at,
                moved_at=deal.moved_at,
                begin_date=deal.begin_date,
                close_date=deal.close_date,
                comments=deal.comments,
                repeat=deal.is_repeat,
                lost_reason=reason_name or deal.lost_reason_text,
                custom_fields=dict(deal.custom_fields or {}),
                version=deal.version,
                recurring=deal.is_recurring,
            )
        )
    return result


def read_deals(
    session: Session, ids: Sequence[int], *, with_channels: bool = False
) -> list[DealRead]:
    """Read models of the given deals, in the order of ``ids`` (missing ids are skipped)."""
    if not ids:
        return []
    rows = session.execute(deal_read_select().where(col(Deal.id).in_(list(ids)))).all()
    by_id = {deal.id: deal for deal in rows_to_deals(session, rows, with_channels=with_channels)}
    return [by_id[i] for i in ids if i in by_id]


def get_deal(session: Session, deal_id: int, *, with_channels: bool = True) -> DealRead:
    """One deal.

    Raises:
        NotFoundError: no such deal.
    """
    found = read_deals(session, [deal_id], with_channels=with_channels)
    if not found:
        raise NotFoundError(f"deal #{deal_id} not found")
    return found[0]
