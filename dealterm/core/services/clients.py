"""Clients: companies and contacts, with their phones and e-mails."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from sqlmodel import Session, col, func, select

from dealterm.core.context import ctx
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.models import Communication, Company, Contact
from dealterm.core.sql import LIKE_ESCAPE, contains_pattern
from dealterm.core.validation import parse_title

__all__ = [
    "create_company",
    "create_contact",
    "find_company",
    "find_contact",
    "get_company",
    "get_contact",
    "normalize_email",
    "normalize_phone",
    "resolve_company",
    "resolve_contact",
    "search_companies",
    "search_contacts",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_phone(value: str) -> str:
    """Digits only; a Russian 8XXXXXXXXXX becomes 7XXXXXXXXXX so both spellings match."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return digits


def normalize_email(value: str) -> str:
    """Trimmed and lower-cased."""
    return (value or "").strip().lower()


def _clean_phones(phones: Iterable[str]) -> list[tuple[str, str]]:
    result = []
    for raw in phones:
        text = (raw or "").strip()
        if not text:
            continue
        norm = normalize_phone(text)
        if len(norm) < 5 or len(norm) > 15:
            raise ValidationError(f"{text!r} is not a phone number", field="phone")
        result.append((text, norm))
    return result


def _clean_emails(emails: Iterable[str]) -> list[tuple[str, str]]:
    result = []
    for raw in emails:
        text = (raw or "").strip()
        if not text:
            continue
        if not _EMAIL.match(text):
            raise ValidationError(f"{text!r} is not an e-mail address", field="email")
        result.append((text, normalize_email(text)))
    return result


def _add_channels(
    session: Session,
    *,
    contact_id: int | None = None,
    company_id: int | None = None,
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
) -> None:
    for kind, cleaned in (("phone", _clean_phones(phones)), ("email", _clean_emails(emails))):
        for value, norm in cleaned:
            session.add(
                Communication(
                    contact_id=contact_id,
                    company_id=company_id,
                    kind=kind,
                    value=value,
                    value_norm=norm,
                )
            )


def create_company(
    session: Session,
    title: str,
    *,
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
    address: str | None = None,
) -> Company:
    """Create a company.

    Raises:
        ValidationError: an empty or too long title, a bad phone or e-mail.
    """
    name = parse_title(title, field="company", label="Company name")
    if not name:
        raise ValidationError("a company needs a name", field="company")
    company = Company(title=name, address=address, created_at=ctx(session).clock.utcnow())
    session.add(company)
    session.flush()
    _add_channels(session, company_id=company.id, phones=phones, emails=emails)
    session.flush()
    return company


def create_contact(
    session: Session,
    name: str,
    *,
    company_id: int | None = None,
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
    birthday: date | None = None,
    post: str | None = None,
) -> Contact:
    """Create a contact.

    Raises:
        ValidationError: an empty or too long name, a bad phone or e-mail, an unknown company.
    """
    full = parse_title(name, field="contact", label="Contact name")
    if not full:
        raise ValidationError("a contact needs a name", field="contact")
    if company_id is not None and session.get(Company, company_id) is None:
        raise ValidationError(f"unknown company #{company_id}", field="company")
    contact = Contact(
        name=full,
        company_id=company_id,
        birthday=birthday,
        post=post,
        created_at=ctx(session).clock.utcnow(),
    )
    session.add(contact)
    session.flush()
    _add_channels(session, contact_id=contact.id, phones=phones, emails=emails)
    session.flush()
    return contact


def get_company(session: Session, company_id: int) -> Company:
    """A company by id.

    Raises:
        NotFoundError: no such company.
    """
    company = session.get(Company, company_id)
    if company is None:
        raise NotFoundError(f"company #{company_id} not found")
    return company


def get_contact(session: Session, contact_id: int) -> Contact:
    """A contact by id.

    Raises:
        NotFoundError: no such contact.
    """
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError(f"contact #{contact_id} not found")
    return contact


def find_company(session: Session, title: str) -> Company | None:
    """The oldest company with exactly this name (case-insensitive), or None."""
    text = " ".join((title or "").split())
    return session.exec(
        select(Company).where(func.lower(Company.title) == text.lower()).order_by(col(Company.id))
    ).first()


def find_contact(session: Session, name: str) -> Contact | None:
    """The oldest contact with exactly this name (case-insensitive), or None."""
    text = " ".join((name or "").split())
    return session.exec(
        select(Contact).where(func.lower(Contact.name) == text.lower()).order_by(col(Contact.id))
    ).first()


def resolve_company(session: Session, ref: int | str, *, create: bool = True) -> Company:
    """A company by id or name; a new name creates the company when ``create`` is true."""
    if isinstance(ref, int):
        found = session.get(Company, ref)
        if found is None:
            raise ValidationError(f"unknown company #{ref}", field="company")
        return found
    found = find_company(session, ref)
    if found is not None:
        return found
    if not create:
        raise ValidationError(f"unknown company {ref!r}", field="company")
    return create_company(session, ref)


def resolve_contact(
    session: Session, ref: int | str, *, create: bool = True, company_id: int | None = None
) -> Contact:
    """A contact by id or name; a new name creates the contact when ``create`` is true."""
    if isinstance(ref, int):
        found = session.get(Contact, ref)
        if found is None:
            raise ValidationError(f"unknown contact #{ref}", field="contact")
        return found
    found = find_contact(session, ref)
    if found is not None:
        return found
    if not create:
        raise ValidationError(f"unknown contact {ref!r}", field="contact")
    return create_contact(session, ref, company_id=company_id)


def search_companies(session: Session, text: str, *, limit: int = 10) -> list[Company]:
    """Companies whose name contains ``text`` (case-insensitive), shortest names first."""
    pattern = contains_pattern(text)
    return list(
        session.exec(
            select(Company)
            .where(func.lower(Company.title).like(pattern, escape=LIKE_ESCAPE))
            .order_by(func.length(Company.title), col(Company.id))
            .limit(limit)
        ).all()
    )


def search_contacts(session: Session, text: str, *, limit: int = 10) -> list[Contact]:
    """Contacts whose name contains ``text`` (case-insensitive), shortest names first."""
    pattern = contains_pattern(text)
    return list(
        session.exec(
            select(Contact)
            .where(func.lower(Contact.name).like(pattern, escape=LIKE_ESCAPE))
            .order_by(func.length(Contact.name), col(Contact.id))
            .limit(limit)
        ).all()
    )
