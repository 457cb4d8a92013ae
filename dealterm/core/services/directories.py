"""Directories: currencies and rates, deal types, sources, lost reasons."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, func, or_, select

from dealterm.core.errors import ValidationError
from dealterm.core.models import Currency, DealType, LostReason, Setting, Source
from dealterm.core.validation import clean_text

__all__ = [
    "base_currency",
    "currency_rates",
    "list_currencies",
    "list_deal_types",
    "list_lost_reasons",
    "list_sources",
    "resolve_currency",
    "resolve_deal_type",
    "resolve_lost_reason",
    "resolve_source",
]


def base_currency(session: Session) -> str:
    """The code of the base currency that sums are reported in."""
    code = session.exec(select(Currency.code).where(col(Currency.is_base).is_(True))).first()
    if code:
        return code
    setting = session.get(Setting, "base_currency")
    return setting.value if setting else "USD"


def currency_rates(session: Session) -> dict[str, Decimal]:
    """Map of currency code to the value of one unit in the base currency."""
    rows = session.exec(select(col(Currency.code), col(Currency.rate))).all()
    return {code: rate for code, rate in rows}


def list_currencies(session: Session) -> list[Currency]:
    """Active currencies, the base one first."""
    return list(
        session.exec(
            select(Currency)
            .where(col(Currency.active).is_(True))
            .order_by(col(Currency.sort), col(Currency.code))
        ).all()
    )


def resolve_currency(session: Session, code: str) -> str:
    """Validate a currency code (case-insensitive) and return it upper-cased."""
    text = (code or "").strip().upper()
    found = session.get(Currency, text) if text else None
    if found is None or not found.active:
        known = ", ".join(c.code for c in list_currencies(session))
        raise ValidationError(f"unknown currency {code!r} (known: {known})", field="currency")
    return found.code


def _resolve_coded(session: Session, model: Any, value: str, *, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"{label} cannot be empty", field=field)
    by_code = session.get(model, text.upper())
    if by_code is not None and by_code.active:
        return str(by_code.code)
    lowered = text.lower()
    found = session.exec(
        select(model.code).where(
            col(model.active).is_(True),
            or_(
                func.lower(model.name) == lowered,
                func.lower(model.name_en) == lowered,
                func.lower(model.name_ru) == lowered,
            ),
        )
    ).first()
    if found is not None:
        return str(found)
    known = ", ".join(
        session.exec(
            select(model.code).where(col(model.active).is_(True)).order_by(col(model.sort))
        ).all()
    )
    raise ValidationError(f"unknown {label.lower()} {value!r} (known: {known})", field=field)


def resolve_deal_type(session: Session, value: str) -> str:
    """A deal type by code or name (either language)."""
    return _resolve_coded(session, DealType, value, field="type", label="Type")


def resolve_source(session: Session, value: str) -> str:
    """A source by code or name (either language)."""
    return _resolve_coded(session, Source, value, field="source", label="Source")


def list_deal_types(session: Session) -> list[DealType]:
    """Active deal types in order."""
    return list(
        session.exec(
            select(DealType).where(col(DealType.active).is_(True)).order_by(col(DealType.sort))
        ).all()
    )


def list_sources(session: Session) -> list[Source]:
    """Active sources in order."""
    return list(
        session.exec(
            select(Source).where(col(Source.active).is_(True)).order_by(col(Source.sort))
        ).all()
    )


def list_lost_reasons(session: Session) -> list[LostReason]:
    """Active lost reasons in order."""
    return list(
        session.exec(
            select(LostReason)
            .where(col(LostReason.active).is_(True))
            .order_by(col(LostReason.sort), col(LostReason.id))
        ).all()
    )


def resolve_lost_reason(session: Session, value: str | int) -> tuple[int | None, str | None]:
    """Match a lost reason against the directory.

    Returns:
        ``(reason_id, None)`` for a directory entry (by id or name, case-insensitive),
        or ``(None, text)`` for a free-text reason.
    """
    if isinstance(value, int):
        reason = session.get(LostReason, value)
        if reason is None:
            raise ValidationError(f"unknown lost reason #{value}", field="lost_reason")
        return reason.id, None
    text = " ".join(clean_text(value or "").split())
    if not text:
        return None, None
    if len(text) > 1000:
        raise ValidationError("a lost reason is limited to 1000 characters", field="lost_reason")
    found = session.exec(
        select(LostReason.id).where(
            func.lower(LostReason.name) == text.lower(), col(LostReason.active).is_(True)
        )
    ).first()
    if found is not None:
        return found, None
    return None, text  # free text (a hidden reason's name too: it is no longer offered)
