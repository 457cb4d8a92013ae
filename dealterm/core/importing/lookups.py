"""Everything an import matches values against, loaded once per import into dicts.

A 100,000-row file must not cost a query per row: pipelines, stages, directories, users,
products, custom fields, every company and contact with their e-mails and phones, and the
deals an earlier import of the same source created are read here, in a few queries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from dealterm.core.importing.created import same_moment
from dealterm.core.importing.values import CURRENCY_WORDS, norm_value
from dealterm.core.models import (
    Communication,
    Company,
    Contact,
    Currency,
    Deal,
    DealContact,
    DealProduct,
    DealType,
    LostReason,
    Pipeline,
    Product,
    Semantics,
    Source,
    Stage,
    User,
)
from dealterm.core.services import custom_fields, directories
from dealterm.core.services.card_layout import FieldDef, definition
from dealterm.core.sql import plain_rows

__all__ = [
    "Clients",
    "Existing",
    "FieldDef",
    "Lookups",
    "ProductInfo",
    "StageInfo",
    "WonClients",
    "count_origin_ids",
    "load_existing",
    "load_lookups",
    "load_numbered",
]

_CHUNK = 500
# A deal number as our export writes it: no sign, no leading zero, within a BIGINT.
_DEAL_NUMBER = re.compile(r"[1-9][0-9]{0,17}")
# On a server, loads of this many rows read the won clients all at once (see load_lookups).
SERVER_PER_CLIENT_ROWS = 2000


@dataclass(frozen=True)
class StageInfo:
    """A stage of a pipeline."""

    id: int
    pipeline_id: int
    code: str
    name: str
    semantics: str


@dataclass(frozen=True)
class ProductInfo:
    """A catalogue product."""

    id: int
    name: str
    price: Decimal
    measure: str
    tax_rate: Decimal | None
    tax_included: bool


@dataclass
class Clients:
    """Companies or contacts by name, e-mail and phone (the oldest one wins a name)."""

    by_name: dict[str, int] = field(default_factory=dict)
    by_email: dict[str, int] = field(default_factory=dict)
    by_phone: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)


class WonClients:
    """The existing companies (or contacts) with a won deal: a new deal of theirs is a repeat.

    Read all at once for a load that outweighs the deals already there (on PostgreSQL also
    for any load of ``SERVER_PER_CLIENT_ROWS``); otherwise asked client by client, through
    the client's index, as the import meets them (and remembered). Reading them all took
    2 s at 1,000,000 deals, whatever the import's size. New clients (refs of 0 and below)
    have no deals.
    """

    def __init__(self, session: Session, owner: str, *, all_at_once: bool) -> None:
        self._session = session
        won = (
            select(col(Deal.id))
            .join(Stage, col(Stage.id) == col(Deal.stage_id))
            .where(
                col(Stage.semantics) == Semantics.SUCCESS.value, col(Deal.is_recurring).is_(False)
            )
        )
        if owner == "company":
            client = col(Deal.company_id)
            every = select(client).where(col(Deal.id).in_(won), client.is_not(None))
        else:
            client = col(DealContact.contact_id)
            every = select(client).where(col(DealContact.deal_id).in_(won))
            won = won.join(DealContact, col(DealContact.deal_id) == col(Deal.id))
        self._all: set[int] | None = None
        self._known: dict[int, bool] = {}
        if all_at_once:
            self._all = {client_id for (client_id,) in plain_rows(session, every)}
        # one client's won deals, through the client's index (a join, not IN: the IN's
        # list of every won deal would be built again for each client)
        self._one = won.where(client == bindparam("client")).limit(1)

    def __contains__(self, client_id: object) -> bool:
        if not isinstance(client_id, int) or client_id <= 0:
            return False
        if self._all is not None:
            return client_id in self._all
        found = self._known.get(client_id)
        if found is None:
            rows = self._session.connection().execute(self._one, {"client": client_id}).first()
            found = self._known[client_id] = rows is not None
        return found


@dataclass
class Existing:
    """A deal an earlier import of the same source created."""

    id: int
    values: dict[str, Any]
    contacts: list[int]
    products: list[tuple[Any, ...]]


@dataclass
class Lookups:
    """What values are matched against."""

    base_currency: str
    currencies: dict[str, str]
    pipelines: dict[int, str]
    pipeline_by_name: dict[str, int]
    default_pipeline: int
    stages: dict[int, list[StageInfo]]
    stage_keys: dict[int, dict[str, StageInfo]]
    types: dict[str, str]
    default_type: str | None
    sources: dict[str, str]
    users: dict[int, str]
    user_logins: dict[str, int]
    user_names: dict[str, list[int]]
    lost_reasons: dict[str, int]
    products: dict[str, ProductInfo]
    fields: list[FieldDef]
    companies: Clients
    contacts: Clients
    won_companies: WonClients
    won_contacts: WonClients

    def stage_list(self, pipeline_id: int) -> list[StageInfo]:
        """A pipeline's stages in order."""
        return self.stages.get(pipeline_id, [])


def _coded(session: Session, model: Any) -> dict[str, str]:
    """Active directory values by code and by name in either language."""
    index: dict[str, str] = {}
    rows = session.execute(
        select(model.code, model.name, model.name_en, model.name_ru)
        .where(col(model.active).is_(True))
        .order_by(col(model.sort))
    ).all()
    for code, *names in rows:
        index.setdefault(norm_value(code), code)
        for name in names:
            if name:
                index.setdefault(norm_value(name), code)
    return index


def _clients(session: Session, owner: str) -> Clients:
    # Every client of the database, as plain driver tuples (ids and text): through the
    # ORM's rows this was 0.35 s of a 1,000-row import into a 100,000-deal database.
    found = Clients()
    if owner == "company":
        rows = plain_rows(
            session, select(col(Company.id), col(Company.title)).order_by(col(Company.id))
        )
        owner_column = col(Communication.company_id)
    else:
        rows = plain_rows(
            session, select(col(Contact.id), col(Contact.name)).order_by(col(Contact.id))
        )
        owner_column = col(Communication.contact_id)
    names = found.names
    by_name = found.by_name
    for client_id, name in rows:
        names[client_id] = name
        by_name.setdefault(norm_value(name), client_id)
    channels = plain_rows(
        session,
        select(owner_column, col(Communication.kind), col(Communication.value_norm))
        .where(owner_column.is_not(None))
        .order_by(col(Communication.id)),
    )
    by_email, by_phone = found.by_email, found.by_phone
    for client_id, kind, norm in channels:
        (by_email if kind == "email" else by_phone).setdefault(norm, client_id)
    return found


def load_lookups(session: Session, rows: int = 0, *, outweighing: bool = False) -> Lookups:
    """Read everything values are matched against (a dozen queries, whatever the size).

    Args:
        rows: how many rows the load brings.
        outweighing: the load outweighs the deals already there
            (:func:`~dealterm.core.bulk.outweighs`). With ``rows``, it decides how won
            clients are read.
    """
    base = directories.base_currency(session)
    currencies: dict[str, str] = {}
    active = session.execute(
        select(col(Currency.code), col(Currency.name), col(Currency.symbol)).where(
            col(Currency.active).is_(True)
        )
    ).all()
    codes = {code for code, _name, _symbol in active}
    for code, name, symbol in active:
        currencies[norm_value(code)] = code
        currencies.setdefault(norm_value(name), code)
        if symbol:
            currencies.setdefault(norm_value(symbol), code)
    for word, code in CURRENCY_WORDS.items():
        if code in codes:
            currencies.setdefault(norm_value(word), code)

    pipelines: dict[int, str] = {}
    pipeline_by_name: dict[str, int] = {}
    default_pipeline = 0
    for pid, name, is_default in session.execute(
        select(col(Pipeline.id), col(Pipeline.name), col(Pipeline.is_default)).order_by(
            col(Pipeline.sort), col(Pipeline.is_default).desc(), col(Pipeline.id)
        )
    ).all():
        pipelines[pid] = name
        pipeline_by_name.setdefault(norm_value(name), pid)
        if is_default and not default_pipeline:
            default_pipeline = pid
    if not default_pipeline and pipelines:
        default_pipeline = next(iter(pipelines))
    stages: dict[int, list[StageInfo]] = {}
    stage_keys: dict[int, dict[str, StageInfo]] = {}
    for sid, pid, code, name, name_en, name_ru, semantics in session.execute(
        select(
            col(Stage.id),
            col(Stage.pipeline_id),
            col(Stage.code),
            col(Stage.name),
            col(Stage.name_en),
            col(Stage.name_ru),
            col(Stage.semantics),
        ).order_by(col(Stage.pipeline_id), col(Stage.sort), col(Stage.id))
    ).all():
        info = StageInfo(sid, pid, code, name, semantics)
        stages.setdefault(pid, []).append(info)
        keys = stage_keys.setdefault(pid, {})
        keys.setdefault(norm_value(code), info)
        for label in (name, name_en, name_ru):
            if label:
                keys.setdefault(norm_value(label), info)

    types = _coded(session, DealType)
    default_type = session.execute(
        select(col(DealType.code))
        .where(col(DealType.active).is_(True))
        .order_by(col(DealType.sort))
    ).scalar()
    users: dict[int, str] = {}
    user_logins: dict[str, int] = {}
    user_names: dict[str, list[int]] = {}
    for uid, login, name in session.execute(
        select(col(User.id), col(User.login), col(User.name)).order_by(col(User.id))
    ).all():
        users[uid] = name
        user_logins[login] = uid
        user_names.setdefault(norm_value(name), []).append(uid)
    lost_reasons = {
        norm_value(name): rid
        for rid, name in session.execute(
            select(col(LostReason.id), col(LostReason.name)).where(col(LostReason.active).is_(True))
        ).all()
    }
    products: dict[str, ProductInfo] = {}
    for row in session.execute(
        select(
            col(Product.id),
            col(Product.name),
            col(Product.price),
            col(Product.measure),
            col(Product.tax_rate),
            col(Product.tax_included),
        )
        .where(col(Product.active).is_(True))
        .order_by(col(Product.id))
    ).all():
        products.setdefault(norm_value(row[1]), ProductInfo(*row))
    fields = [definition(f) for f in custom_fields.list_fields(session)]
    # Asked client by client, each is a query: in-process on SQLite (~80 µs), a round trip
    # to the server on PostgreSQL, where 26,000 of them made a 19,000-row import 25% slower.
    all_at_once = outweighing or (
        session.get_bind().dialect.name != "sqlite" and rows >= SERVER_PER_CLIENT_ROWS
    )
    return Lookups(
        base_currency=base,
        currencies=currencies,
        pipelines=pipelines,
        pipeline_by_name=pipeline_by_name,
        default_pipeline=default_pipeline,
        stages=stages,
        stage_keys=stage_keys,
        types=types,
        default_type=default_type,
        sources=_coded(session, Source),
        users=users,
        user_logins=user_logins,
        user_names=user_names,
        lost_reasons=lost_reasons,
        products=products,
        fields=fields,
        companies=_clients(session, "company"),
        contacts=_clients(session, "contact"),
        won_companies=WonClients(session, "company", all_at_once=all_at_once),
        won_contacts=WonClients(session, "contact", all_at_once=all_at_once),
    )


# The deal columns an import may change; what a re-import compares against.
DEAL_COLUMNS = (
    "title",
    "pipeline_id",
    "stage_id",
    "type_code",
    "source_code",
    "source_description",
    "amount",
    "currency_code",
    "is_manual_amount",
    "tax_value",
    "probability",
    "company_id",
    "responsible_id",
    "begin_date",
    "close_date",
    "closed",
    "comments",
    "is_repeat",
    "lost_reason_id",
    "lost_reason_text",
    "custom_fields",
    "version",
)


def load_existing(session: Session, origin: str, origin_ids: Sequence[str]) -> dict[str, Existing]:
    """The deals of ``origin`` with these source ids, by source id.

    A few ids are looked up by the origin index; many are read with one scan of the
    origin's deals (a query per 500 ids would cost more than reading them all).
    """
    table = Deal.__table__  # type: ignore[attr-defined]
    wanted = sorted(set(origin_ids))
    columns = (table.c.id, table.c.origin_id, *(table.c[name] for name in DEAL_COLUMNS))
    if len(wanted) > 5 * _CHUNK:
        queries = [select(*columns).where(table.c.origin == origin)]
    else:
        # The ids through the origin index alone, then the deals by id. SQLite's statistics
        # make the origin index look useless when most deals have no origin (NULLs count
        # as one value), so asked for the columns directly, or sorted by id, it read the
        # whole table: 0.3 s for each 500 ids at 1,000,000 deals, against a millisecond.
        queries = [
            select(*columns).where(
                table.c.id.in_(
                    select(table.c.id).where(
                        table.c.origin == origin,
                        table.c.origin_id.in_(wanted[start : start + _CHUNK]),
                    )
                )
            )
            for start in range(0, len(wanted), _CHUNK)
        ]
    # by id, so that the oldest deal wins a source id (sorted here: the queries are not)
    rows = sorted(
        (row for query in queries for row in session.execute(query).all()), key=itemgetter(0)
    )
    found: dict[str, Existing] = {}
    keep = set(wanted)
    for deal_id, origin_id, *values in rows:
        if origin_id in keep and origin_id not in found:
            found[origin_id] = Existing(
                deal_id, dict(zip(DEAL_COLUMNS, values, strict=True)), [], []
            )
    _add_links(session, found)
    return found


def load_numbered(
    session: Session, moments: Mapping[str, datetime | None]
) -> tuple[dict[str, Existing], int]:
    """The deals these keys name as dealterm deal numbers created at the key's moment.

    A key names deal #N only when it is written as our export writes an id ("42", not
    "042" or "4.2e1"), deal #N exists, and deal #N was created at the key's moment, to
    the second (``importing.created``): the same number in another database, or a number
    given again after its deal was deleted, is another deal.

    Returns:
        The deals by key, and how many keys are the number of a deal created at another
        moment (or given none).
    """
    table = Deal.__table__  # type: ignore[attr-defined]
    numbers = {int(key): key for key in moments if _DEAL_NUMBER.fullmatch(key)}
    wanted = sorted(numbers)
    columns = (table.c.id, table.c.created_at, *(table.c[name] for name in DEAL_COLUMNS))
    found: dict[str, Existing] = {}
    other = 0
    for start in range(0, len(wanted), _CHUNK):
        query = select(*columns).where(table.c.id.in_(wanted[start : start + _CHUNK]))
        for deal_id, created_at, *values in session.execute(query).all():
            key = numbers[deal_id]
            moment = moments[key]
            if moment is None or not same_moment(created_at, moment):
                other += 1
                continue
            found[key] = Existing(deal_id, dict(zip(DEAL_COLUMNS, values, strict=True)), [], [])
    _add_links(session, found)
    return found, other


def count_origin_ids(session: Session, origin: str, origin_ids: Sequence[str]) -> int:
    """How many of these source ids deals of ``origin`` hold."""
    table = Deal.__table__  # type: ignore[attr-defined]
    any_deal = select(table.c.id).where(table.c.origin == origin).limit(1)
    if not origin_ids or session.execute(any_deal).first() is None:
        return 0  # the usual case: no deal of that origin at all, one query
    wanted = sorted(set(origin_ids))
    held: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        held.update(
            session.execute(
                select(table.c.origin_id).where(
                    table.c.origin == origin,
                    table.c.origin_id.in_(wanted[start : start + _CHUNK]),
                )
            ).scalars()
        )
    return len(held)


def _add_links(session: Session, found: dict[str, Existing]) -> None:
    """Each found deal's contacts and product rows, in their order."""
    by_id = {item.id: item for item in found.values()}
    ids = sorted(by_id)
    for start in range(0, len(ids), _CHUNK):
        id_chunk = ids[start : start + _CHUNK]
        for deal_id, contact_id in session.execute(
            select(col(DealContact.deal_id), col(DealContact.contact_id))
            .where(col(DealContact.deal_id).in_(id_chunk))
            .order_by(col(DealContact.deal_id), col(DealContact.sort))
        ).all():
            by_id[deal_id].contacts.append(contact_id)
        for row in session.execute(
            select(
                col(DealProduct.deal_id),
                col(DealProduct.product_id),
                col(DealProduct.name),
                col(DealProduct.price),
                col(DealProduct.quantity),
                col(DealProduct.discount_rate),
                col(DealProduct.tax_rate),
                col(DealProduct.measure),
            )
            .where(col(DealProduct.deal_id).in_(id_chunk))
            .order_by(col(DealProduct.deal_id), col(DealProduct.sort), col(DealProduct.id))
        ).all():
            by_id[row[0]].products.append(tuple(row[1:]))
