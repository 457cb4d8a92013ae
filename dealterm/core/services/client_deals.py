"""Deals seen per client: the SQL both the sales scenarios and repeat-sale suggestions use.

A deal belongs to its company, or, without one, to its primary contact (a private
client). Recurring templates are not deals anybody bought, so they never count.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Subquery,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlmodel import Session

from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.models import Company, Contact, Deal, DealContact, Semantics, Stage

__all__ = [
    "ClientKey",
    "ClientRef",
    "client_chunks",
    "client_names",
    "count_if",
    "deal_clients",
    "is_open",
    "max_date",
    "parse_client_ref",
    "resolve_client",
    "won",
]

ClientKey = tuple[str, int]
_CHUNK = 500

DEALS = Deal.__table__  # type: ignore[attr-defined]
LINKS = DealContact.__table__  # type: ignore[attr-defined]
STAGES = Stage.__table__  # type: ignore[attr-defined]
COMPANIES = Company.__table__  # type: ignore[attr-defined]
CONTACTS = Contact.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ClientRef:
    """A client: a company or a (private) contact."""

    kind: str
    id: int
    name: str

    @property
    def ref(self) -> str:
        """How the CLI names it: ``company:12``."""
        return f"{self.kind}:{self.id}"


def deal_clients(of: tuple[str, Sequence[int]] | None = None) -> Subquery:
    """Every deal with its client: columns deal_id, kind, client_id, closed, semantics,
    begin_date, close_date, amount, currency, responsible_id.

    ``of`` (a kind and ids: ``("company", [12, 14])``) keeps those clients' deals only,
    found through the company's or the contact's index rather than by reading every deal.
    """
    narrow: list[ColumnElement[bool]] = []
    if of is not None:
        kind_of, ids = of
        if kind_of == "company":
            narrow.append(DEALS.c.company_id.in_(ids))
        else:
            narrow += [DEALS.c.company_id.is_(None), LINKS.c.contact_id.in_(ids)]
    kind = case((DEALS.c.company_id.is_not(None), literal("company")), else_=literal("contact"))
    return (
        select(
            DEALS.c.id.label("deal_id"),
            kind.label("kind"),
            func.coalesce(DEALS.c.company_id, LINKS.c.contact_id).label("client_id"),
            DEALS.c.closed,
            STAGES.c.semantics,
            DEALS.c.begin_date,
            DEALS.c.close_date,
            DEALS.c.amount,
            DEALS.c.currency_code.label("currency"),
            DEALS.c.responsible_id,
        )
        .select_from(
            DEALS.join(STAGES, STAGES.c.id == DEALS.c.stage_id).outerjoin(
                LINKS,
                and_(
                    LINKS.c.deal_id == DEALS.c.id,
                    LINKS.c.is_primary.is_(True),
                    DEALS.c.company_id.is_(None),
                ),
            )
        )
        .where(DEALS.c.is_recurring.is_(False))
        .where(or_(DEALS.c.company_id.is_not(None), LINKS.c.contact_id.is_not(None)), *narrow)
        .subquery("client_deals")
    )


def is_open(sub: Any, as_of: date | None) -> ColumnElement[bool]:
    """The deal is open: now, or (``as_of``) on that day, replaying history."""
    if as_of is None:
        return sub.c.closed.is_(False)  # type: ignore[no-any-return]
    return and_(
        sub.c.begin_date <= as_of,
        or_(sub.c.closed.is_(False), sub.c.close_date > as_of),
    )


def won(sub: Any) -> ColumnElement[bool]:
    """The deal was won."""
    return sub.c.semantics == Semantics.SUCCESS.value  # type: ignore[no-any-return]


def max_date(condition: ColumnElement[bool], value: Any) -> Any:
    """The latest ``value`` among the rows where ``condition`` holds (a date on both backends)."""
    return type_coerce(func.max(case((condition, value))), Date)


def count_if(condition: ColumnElement[bool]) -> Any:
    """How many rows satisfy ``condition``."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def client_chunks(keys: Iterable[ClientKey]) -> Iterator[tuple[str, list[int]]]:
    """These clients as (kind, ids) of at most 500 ids each, for ``IN`` lists."""
    wanted: dict[str, set[int]] = {"company": set(), "contact": set()}
    for kind, client_id in keys:
        wanted[kind].add(client_id)
    for kind, found in wanted.items():
        ids = sorted(found)
        for start in range(0, len(ids), _CHUNK):
            yield kind, ids[start : start + _CHUNK]


def client_names(session: Session, keys: Iterable[ClientKey]) -> dict[ClientKey, str]:
    """Display names of these clients (company title, contact name)."""
    names: dict[ClientKey, str] = {}
    for kind, chunk in client_chunks(keys):
        table, column = (
            (COMPANIES, COMPANIES.c.title) if kind == "company" else (CONTACTS, CONTACTS.c.name)
        )
        for row_id, name in session.execute(
            select(table.c.id, column).where(table.c.id.in_(chunk))
        ):
            names[(kind, int(row_id))] = str(name)
    return names


def parse_client_ref(text: str) -> tuple[str, int] | str:
    """``company:12`` -> ("company", 12); anything else is a name to look up."""
    value = (text or "").strip()
    if not value:
        raise ValidationError("name a client: company:ID, contact:ID or a name", field="client")
    kind, sep, rest = value.partition(":")
    if sep and kind.strip().lower() in ("company", "contact"):
        if not rest.strip().isdigit():
            raise ValidationError(
                f"bad client {text!r}: use company:ID, contact:ID or a name", field="client"
            )
        return kind.strip().lower(), int(rest.strip())
    return value


def resolve_client(session: Session, text: str) -> ClientRef:
    """The client ``text`` names: ``company:ID``, ``contact:ID``, or an exact name.

    Raises:
        ValidationError: the reference is malformed or the name is ambiguous.
        NotFoundError: no such client.
    """
    parsed = parse_client_ref(text)
    if isinstance(parsed, tuple):
        kind, client_id = parsed
        names = client_names(session, [parsed]) if client_id <= 2**31 - 1 else {}
        if parsed not in names:
            raise NotFoundError(f"{kind} #{client_id} not found")
        return ClientRef(kind, client_id, names[parsed])
    lowered = parsed.lower()
    found = [
        ClientRef("company", int(row_id), str(name))
        for row_id, name in session.execute(
            select(COMPANIES.c.id, COMPANIES.c.title).where(
                func.lower(COMPANIES.c.title) == lowered
            )
        )
    ]
    found += [
        ClientRef("contact", int(row_id), str(name))
        for row_id, name in session.execute(
            select(CONTACTS.c.id, CONTACTS.c.name).where(func.lower(CONTACTS.c.name) == lowered)
        )
    ]
    if not found:
        raise NotFoundError(f"no company or contact is called {parsed!r}")
    if len(found) > 1:
        refs = ", ".join(c.ref for c in found[:5])
        raise ValidationError(
            f"more than one client is called {parsed!r} ({refs}); use company:ID or contact:ID",
            field="client",
        )
    return found[0]
