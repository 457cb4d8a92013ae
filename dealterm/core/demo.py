"""Realistic, deterministic demo data, written with bulk inserts in one transaction.

The same ``seed`` and day give the same database: the history ends at the start of the
clock's today, and planned activities are placed relative to today, so overdue calls,
rotting deals and this week's meetings are always there.
Timestamps are built as naive UTC (what the database stores) to keep 100,000 deals fast.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, func, select, text
from sqlmodel import Session

from dealterm.core import demo_names as names
from dealterm.core.bulk import (
    deferred_next_activity,
    insert_rows,
)
from dealterm.core.context import ctx
from dealterm.core.errors import ValidationError
from dealterm.core.models import (
    Activity,
    Communication,
    Company,
    Contact,
    Deal,
    DealContact,
    DealProduct,
    DealType,
    EventKind,
    HistoryEvent,
    LostReason,
    Product,
    Semantics,
    Source,
)
from dealterm.core.search import deferred_search_index
from dealterm.core.services import directories, pipelines, users
from dealterm.core.services.products import compute_row, rows_total

__all__ = ["DemoSummary", "generate_demo"]

SECOND_PIPELINE = "Projects"
MAX_DEALS = 5_000_000
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate_demo` wrote."""

    deals: int
    companies: int
    contacts: int
    activities: int
    events: int
    products: int


class _Stage(NamedTuple):
    id: int
    code: str
    name: str
    semantics: str
    position: int


class _Pipeline(NamedTuple):
    id: int
    stages: list[_Stage]
    process: list[_Stage]
    success: _Stage
    failures: list[_Stage]


Row = dict[str, Any]


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _next_id(conn: Connection, model: Any) -> int:
    table = _table(model)
    return int(conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


class _Maker:
    """Random names, phones and moments, from one seeded generator."""

    def __init__(self, session: Session, seed: int) -> None:
        context = ctx(session)
        self.rng = random.Random(seed)
        self.zone = context.clock.zone
        self.today = context.clock.today()
        # History ends at the start of today: the same seed on the same day gives the
        # same database, whatever the hour it is made at.
        self.now = context.clock.start_of_day(self.today).replace(tzinfo=None)
        self.actor = context.user_id
        self._offsets: dict[date, timedelta] = {}

    def person(self) -> tuple[str, bool]:
        rng = self.rng
        if rng.random() < 0.5:
            female = rng.random() < 0.5
            first = rng.choice(names.FIRST_RU_F if female else names.FIRST_RU_M)
            last = rng.choice(names.LAST_RU)[1 if female else 0]
            return f"{first} {last}", True
        return f"{rng.choice(names.FIRST_EN)} {rng.choice(names.LAST_EN)}", False

    def company_names(self, count: int) -> list[tuple[str, bool]]:
        rng = self.rng
        seen: set[str] = set()
        result: list[tuple[str, bool]] = []
        while len(result) < count:
            russian = rng.random() < 0.5
            if russian:
                base = rng.choice(names.COMPANY_ROOTS_RU)
                if rng.random() < 0.6:
                    base = f"{base}-{rng.choice(names.COMPANY_TAILS_RU)}"
                title = f"{rng.choice(names.COMPANY_FORMS_RU)} «{base}»"
            else:
                base = rng.choice(names.COMPANY_ROOTS_EN)
                if rng.random() < 0.6:
                    base = f"{base} {rng.choice(names.COMPANY_TAILS_EN)}"
                title = f"{base} {rng.choice(names.COMPANY_FORMS_EN)}"
            if title in seen:
                title = f"{title} ({rng.choice(names.CITIES_RU if russian else names.CITIES_EN)})"
                if title in seen:
                    title = f"{title[:-1]}, {len(result) + 1})"
            seen.add(title)
            result.append((title, russian))
        return result

    def phone(self, russian: bool) -> str:
        r = self.rng.randint
        if russian:
            return f"+7 9{r(10, 99)} {r(100, 999)}-{r(10, 99)}-{r(10, 99)}"
        return f"+1 {r(201, 989)} {r(200, 999)}-{r(1000, 9999)}"

    def moment(self, day: date) -> datetime:
        """A working-hours moment of a local day, as naive UTC."""
        offset = self._offsets.get(day)
        if offset is None:
            offset = self.zone.utcoffset(datetime.combine(day, time(12))) or timedelta(0)
            self._offsets[day] = offset
        wall = datetime.combine(
            day, time(self.rng.randint(9, 17), self.rng.choice((0, 15, 30, 45)))
        )
        return wall - offset

    def local_day(self, moment: datetime) -> date:
        return (moment + self._offsets.get(moment.date(), timedelta(0))).date()


def _amount(rng: random.Random, currency: str, rates: dict[str, Decimal]) -> Decimal:
    """Log-uniform between $300 and $120,000, in the deal's currency, in round figures."""
    usd = Decimal(round(300 * (400 ** rng.random())))
    rate = rates.get(currency) or Decimal(1)
    value = usd * rates.get("USD", Decimal(1)) / rate
    if value >= 10000:
        value = value.quantize(Decimal("1000"))
    elif value >= 1000:
        value = value.quantize(Decimal("10"))
    return value.quantize(_CENT)


def _pipelines(session: Session) -> list[_Pipeline]:
    default = pipelines.default_pipeline(session)
    second = next((p for p in pipelines.list_pipelines(session) if p.name == SECOND_PIPELINE), None)
    if second is None:
        second = pipelines.create_pipeline(session, SECOND_PIPELINE, sort=200)
    result = []
    for pipeline in (default, second):
        assert pipeline.id is not None
        stages = [
            _Stage(s.id or 0, s.code, s.name, s.semantics, i)
            for i, s in enumerate(pipelines.stages_of(session, pipeline.id))
        ]
        result.append(
            _Pipeline(
                id=pipeline.id,
                stages=stages,
                process=[s for s in stages if s.semantics == Semantics.PROCESS],
                success=next(s for s in stages if s.semantics == Semantics.SUCCESS),
                failures=[s for s in stages if s.semantics == Semantics.FAILURE],
            )
        )
    return result


def _products(conn: Connection) -> list[Row]:
    if conn.execute(select(func.count()).select_from(_table(Product))).scalar():
        return []
    rows: list[Row] = []
    next_id = _next_id(conn, Product)
    for sort, (en, ru, usd, measure, tax) in enumerate(names.PRODUCTS, start=1):
        for label in (en, ru) if sort % 3 == 0 else (en,):
            rows.append(
                {
                    "id": next_id,
                    "name": label,
                    "price": usd,
                    "currency_code": "USD",
                    "measure": measure,
                    "tax_rate": tax,
                    "tax_included": False,
                    "sort": sort * 10,
                    "active": True,
                }
            )
            next_id += 1
    return rows


class _Clients(NamedTuple):
    companies: list[Row]
    contacts: list[Row]
    channels: list[Row]
    people_of: dict[int, list[int]]  # company id -> contact ids
    private: list[int]  # contacts without a company
    russian: dict[int, bool]
    titles: dict[int, str]
    contact_names: dict[int, str]


def _clients(conn: Connection, maker: _Maker, count: int) -> _Clients:
    rng = maker.rng
    company_id = _next_id(conn, Company)
    contact_id = _next_id(conn, Contact)
    companies: list[Row] = []
    contacts: list[Row] = []
    channels: list[Row] = []
    people_of: dict[int, list[int]] = {}
    russian_of: dict[int, bool] = {}
    start = maker.today - timedelta(days=720)

    def channel(
        kind: str, value: str, *, company: int | None = None, contact: int | None = None
    ) -> None:
        norm = "".join(ch for ch in value if ch.isdigit()) if kind == "phone" else value.lower()
        if kind == "phone" and len(norm) == 11 and norm.startswith("8"):
            norm = "7" + norm[1:]
        channels.append(
            {
                "contact_id": contact,
                "company_id": company,
                "kind": kind,
                "value": value,
                "value_norm": norm,
            }
        )

    def birthday() -> date:
        return date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))

    for title, russian in maker.company_names(count):
        created = maker.moment(start + timedelta(days=rng.randint(0, 60)))
        companies.append(
            {
                "id": company_id,
                "title": title,
                "address": None,
                "comments": None,
                "created_at": created,
            }
        )
        russian_of[company_id] = russian
        domain = f"example{company_id}.{'ru' if russian else 'com'}"
        channel("phone", maker.phone(russian), company=company_id)
        channel("email", f"info@{domain}", company=company_id)
        for _ in range(rng.choice((1, 1, 2, 3))):
            name, _ = maker.person()
            contacts.append(
                {
                    "id": contact_id,
                    "name": name,
                    "post": None,
                    "company_id": company_id,
                    "birthday": birthday(),
                    "comments": None,
                    "created_at": created,
                }
            )
            people_of.setdefault(company_id, []).append(contact_id)
            channel("phone", maker.phone(russian), contact=contact_id)
            channel("email", f"c{contact_id}@{domain}", contact=contact_id)
            contact_id += 1
        company_id += 1
    private = []
    for _ in range(max(2, count // 10)):
        name, russian = maker.person()
        contacts.append(
            {
                "id": contact_id,
                "name": name,
                "post": None,
                "company_id": None,
                "birthday": birthday(),
                "comments": None,
                "created_at": maker.moment(start),
            }
        )
        channel("phone", maker.phone(russian), contact=contact_id)
        private.append(contact_id)
        contact_id += 1
    return _Clients(
        companies,
        contacts,
        channels,
        people_of,
        private,
        russian_of,
        {c["id"]: c["title"] for c in companies},
        {c["id"]: c["name"] for c in contacts},
    )


class _DealRows(NamedTuple):
    deals: list[Row]
    links: list[Row]
    lines: list[Row]
    activities: list[Row]
    events: list[Row]


def _event(
    deal_id: int,
    at: datetime,
    author: int,
    kind: str,
    text: str,
    *,
    field: str | None = None,
    old: str | None = None,
    new: str | None = None,
) -> Row:
    return {
        "deal_id": deal_id,
        "at": at,
        "author_id": author,
        "kind": kind,
        "field": field,
        "old_value": old,
        "new_value": new,
        "text": text,
    }


def _activity(
    activity_id: int,
    deal_id: int,
    kind: str,
    subject: str,
    due: datetime,
    responsible: int,
    created: datetime,
    *,
    done: bool,
    priority: str = "medium",
    direction: str | None = None,
) -> Row:
    return {
        "id": activity_id,
        "deal_id": deal_id,
        "kind": kind,
        "subject": subject,
        "description": None,
        "deadline": due,
        "start_at": None,  # start, end and completed_at are copied from the deadline by SQL
        "end_at": None,
        "completed": done,
        "completed_at": None,
        "responsible_id": responsible,
        "author_id": responsible,
        "priority": priority,
        "direction": direction,
        "created_at": created,
    }


def _derived(conn: Connection, what: str, flows: list[_Pipeline], first_deal: int) -> None:
    """Timeline events that follow from the deal rows, written by the database itself.

    "created" for every new deal, then (after the stage moves) "won" or "lost" for the
    closed ones: INSERT ... SELECT runs in the database, a hundred times faster than
    sending the same rows from Python.
    """
    insert = (
        "INSERT INTO history (deal_id, at, author_id, kind, text) "
        "SELECT id, {at}, responsible_id, :kind, :text FROM deals "
        "WHERE id >= :first AND {where}"
    )
    for flow in flows:
        if what == "created":
            statements = [
                (
                    insert.format(at="created_at", where="pipeline_id = :pipeline"),
                    {
                        "kind": EventKind.CREATED.value,
                        "text": f"Deal created in stage {flow.stages[0].name}",
                    },
                ),
            ]
        else:
            failures = ", ".join(str(s.id) for s in flow.failures) or "0"
            statements = [
                (
                    insert.format(at="moved_at", where=f"stage_id = {flow.success.id}"),
                    {"kind": EventKind.WON.value, "text": "Deal won"},
                ),
                (
                    insert.format(at="moved_at", where=f"stage_id IN ({failures})"),
                    {"kind": EventKind.LOST.value, "text": "Deal lost"},
                ),
            ]
        for sql, values in statements:
            conn.execute(text(sql), values | {"first": first_deal, "pipeline": flow.id})


def generate_demo(
    session: Session, *, deals: int = 500, seed: int = 42, append: bool = False
) -> DemoSummary:
    """Fill the database with demo data in the session's transaction.

    Args:
        deals: how many deals to create.
        seed: the random seed; the same seed and day give the same data.
        append: add to a database that already has deals (refused otherwise).

    Raises:
        ValidationError: a bad count, or the database already holds deals.
    """
    if deals < 0 or deals > MAX_DEALS:
        raise ValidationError(
            f"the number of demo deals must be between 0 and {MAX_DEALS:,}", field="deals"
        )
    conn = session.connection()
    existing = conn.execute(select(func.count()).select_from(_table(Deal))).scalar() or 0
    if existing and not append:
        raise ValidationError(
            f"the database already holds {existing} deals; use --append to add demo deals to it",
            field="deals",
        )
    maker = _Maker(session, seed)
    flows = _pipelines(session)
    team = [maker.actor] + [
        users.ensure_user(session, login=login, name=name) for login, name in names.SALESPEOPLE
    ]
    team = [uid for uid in team if uid]
    rates = directories.currency_rates(session)
    product_rows = _products(conn)
    insert_rows(conn, Product, product_rows)
    catalog = [
        (r.id, r.name, r.price, r.measure, r.tax_rate)
        for r in conn.execute(select(_table(Product)))
    ]
    # A small demo keeps a few busy clients; a bigger book has many clients with a deal or
    # two each, most of them with nothing open (the ones repeat business looks for).
    clients = _clients(conn, maker, max(5, min(20000, max(deals // 15 + 5, (deals - 240) // 4))))
    insert_rows(conn, Company, clients.companies)
    insert_rows(conn, Contact, clients.contacts)
    insert_rows(conn, Communication, clients.channels)
    rows = _deals(
        conn,
        maker,
        deals,
        flows=flows,
        team=team,
        rates=rates,
        catalog=catalog,
        clients=clients,
        base=directories.base_currency(session),
    )
    first_deal = rows.deals[0]["id"] if rows.deals else 0
    first_activity = rows.activities[0]["id"] if rows.activities else 0
    # Index the new deals for search once, at the end, not with a trigger per row.
    with deferred_search_index(conn, first_deal):
        insert_rows(conn, Deal, rows.deals)
        _derived(conn, "created", flows, first_deal)
        insert_rows(conn, DealContact, rows.links)
    insert_rows(conn, DealProduct, rows.lines)
    with deferred_next_activity(conn):  # each deal's nearest activity, once at the end
        insert_rows(conn, Activity, rows.activities)
    insert_rows(conn, HistoryEvent, rows.events)
    _derived(conn, "closed", flows, first_deal)
    conn.execute(
        text(
            "UPDATE activities SET start_at = deadline, end_at = deadline, "
            "completed_at = CASE WHEN completed THEN deadline END WHERE id >= :first"
        ),
        {"first": first_activity},
    )
    if conn.dialect.name == "postgresql":
        for model in (
            Company,
            Contact,
            Communication,
            Deal,
            DealProduct,
            Activity,
            HistoryEvent,
            Product,
        ):
            name = model.__tablename__
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 1))"
            )
    session.expire_all()
    events = conn.execute(
        select(func.count())
        .select_from(_table(HistoryEvent))
        .where(_table(HistoryEvent).c.deal_id >= first_deal)
    ).scalar()
    return DemoSummary(
        deals=len(rows.deals),
        companies=len(clients.companies),
        contacts=len(clients.contacts),
        activities=len(rows.activities),
        events=int(events or 0),
        products=len(product_rows),
    )


def _deals(
    conn: Connection,
    maker: _Maker,
    count: int,
    *,
    flows: list[_Pipeline],
    team: list[int],
    rates: dict[str, Decimal],
    catalog: list[tuple[Any, ...]],
    clients: _Clients,
    base: str,
) -> _DealRows:
    rng = maker.rng
    rand = rng.random

    def pick(seq: Sequence[Any]) -> Any:  # rng.choice, without its bit-juggling (hot loop)
        return seq[int(rand() * len(seq))]

    today = maker.today
    now = maker.now
    currencies = [base] + [c for c in ("USD", "EUR", "RUB") if c != base and c in rates]
    other_currency = 0.4 if len(currencies) > 1 else 0.0
    type_codes = [code for (code,) in conn.execute(select(_table(DealType).c.code))]
    source_codes = [
        code
        for (code,) in conn.execute(select(_table(Source).c.code))
        if code not in ("REPEAT_SALE", "RC_GENERATOR")
    ]
    reason_ids = [rid for (rid,) in conn.execute(select(_table(LostReason).c.id))]
    company_ids = [c["id"] for c in clients.companies]
    # Regular buyers order at a steady rhythm (what repeat-sale suggestions look for).
    regulars = [cid for cid in company_ids if rng.random() < 0.15]
    usd_rate = rates.get("USD", Decimal(1))
    kinds = ("call", "call", "meeting", "task")
    offsets = (-9, -4, -2, -1, 0, 0, 1, 2, 3, 5, 8, 12, 20, 35)

    plan = []
    for _ in range(count):
        if regulars and rng.random() < 0.2:
            company = pick(regulars)
        else:
            company = pick(company_ids) if company_ids and rng.random() < 0.9 else 0
        created = maker.moment(today - timedelta(days=int(540 * rng.random() ** 1.6)))
        if created >= now:  # today's deals were created earlier today, never later than now
            created = now - timedelta(minutes=rng.randint(5, 600))
        plan.append((created, company))
    plan.sort()
    regular_set = set(regulars)

    out = _DealRows([], [], [], [], [])
    deal_id = _next_id(conn, Deal)
    activity_id = _next_id(conn, Activity)
    first_won: dict[int, datetime] = {}
    for created, company in plan:
        flow = flows[0] if rng.random() < 0.72 else flows[1]
        age = (now - created).days
        closed_chance = 0.9 if company in regular_set and age > 20 else min(0.85, 0.1 + age / 300)
        if rng.random() < closed_chance:
            if rng.random() < (0.8 if company in regular_set else 0.5) or not flow.failures:
                stage = flow.success
            else:
                stage = flow.failures[0] if rng.random() < 0.75 else flow.failures[-1]
        else:
            roll = rand() * 17
            stage = flow.process[
                min(
                    len(flow.process) - 1,
                    0 if roll < 5 else 1 if roll < 9 else 2 if roll < 12 else 3 if roll < 15 else 4,
                )
            ]
        closed = stage.semantics != Semantics.PROCESS
        moved = created if stage.position == 0 else created + (now - created) * rng.random()
        currency = currencies[0] if rng.random() >= other_currency else pick(currencies[1:])
        responsible = pick(team)
        people = clients.people_of.get(company, []) if company else [pick(clients.private)]
        primary = pick(people) if people else None

        product = pick(catalog)
        lines: list[Row] = []
        if rng.random() < 0.4:
            for sort in range(pick((1, 1, 2, 3))):
                item = product if sort == 0 else pick(catalog)
                lines.append(
                    {
                        "deal_id": deal_id,
                        "product_id": item[0],
                        "name": item[1],
                        "price": (item[2] * usd_rate / (rates.get(currency) or 1)).quantize(_CENT),
                        "quantity": Decimal(pick((1, 1, 2, 3, 5, 10))),
                        "discount_type": "percent",
                        "discount_rate": Decimal(pick((0, 0, 0, 5, 10))),
                        "discount_sum": Decimal(0),
                        "tax_rate": item[4],
                        "tax_included": False,
                        "measure": item[3],
                        "sort": sort * 10,
                    }
                )
        if lines:
            amount, tax = rows_total(
                [
                    compute_row(
                        price=r["price"],
                        quantity=r["quantity"],
                        discount_type="percent",
                        discount_rate=r["discount_rate"],
                        discount_sum=Decimal(0),
                        tax_rate=r["tax_rate"],
                        tax_included=False,
                    )
                    for r in lines
                ]
            )
            out.lines.extend(lines)
        else:
            amount, tax = _amount(rng, currency, rates), Decimal(0)
        russian = clients.russian.get(company, False) if company else rng.random() < 0.5
        client = clients.titles[company] if company else clients.contact_names.get(primary or 0, "")
        title = f"{product[1]} — {client}" if russian else f"{product[1]} for {client}"
        created_day = maker.local_day(created)
        if stage is flow.success and company and company not in first_won:
            first_won[company] = moved
        out.deals.append(
            {
                "id": deal_id,
                "title": title[:255],
                "pipeline_id": flow.id,
                "stage_id": stage.id,
                "type_code": pick(type_codes) if type_codes else None,
                "source_code": pick(source_codes) if source_codes else None,
                "source_description": None,
                "amount": amount,
                "currency_code": currency,
                "is_manual_amount": not lines,
                "tax_value": tax,
                "probability": None,
                "company_id": company or None,
                "responsible_id": responsible,
                "created_by_id": responsible,
                "created_at": created,
                "updated_by_id": responsible,
                "updated_at": moved,
                "moved_by_id": responsible,
                "moved_at": moved,
                "begin_date": created_day,
                "close_date": maker.local_day(moved)
                if closed
                else created_day + timedelta(days=rng.randint(7, 75)),
                "closed": closed,
                "comments": pick(names.COMMENTS) if rng.random() < 0.25 else None,
                "is_repeat": bool(company)
                and company in first_won
                and first_won[company] < created,
                "lost_reason_id": pick(reason_ids)
                if stage in flow.failures and reason_ids and rng.random() < 0.8
                else None,
                "lost_reason_text": None,
                "custom_fields": {},
                "version": 1 + stage.position,
                "is_recurring": False,
                "origin": None,
                "origin_id": None,
            }
        )
        if primary is not None:
            out.links.append(
                {"deal_id": deal_id, "contact_id": primary, "sort": 0, "is_primary": True}
            )

        first = flow.stages[0]
        # "created", "won" and "lost" events are written by SQL after the deals (see _derived).
        if stage.position:
            before = (
                first
                if stage.position < 2 or rng.random() < 0.5
                else flow.stages[rng.randint(1, min(stage.position, len(flow.process)) - 1)]
            )
            out.events.append(
                _event(
                    deal_id,
                    moved,
                    responsible,
                    EventKind.STAGE_CHANGED,
                    f"{before.code} → {stage.code}",
                    field="stage",
                    old=before.name,
                    new=stage.name,
                )
            )
        for _ in range(pick((0, 1, 1, 2))):
            kind = pick(kinds)
            out.activities.append(
                _activity(
                    activity_id,
                    deal_id,
                    kind,
                    pick(names.SUBJECTS[kind]),
                    created + (moved - created) * rng.random(),
                    responsible,
                    created,
                    done=True,
                    direction="outgoing" if kind == "call" else None,
                )
            )
            activity_id += 1
        if not closed and rng.random() < 0.78:
            for _ in range(pick((1, 1, 1, 2))):
                kind = pick(kinds)
                out.activities.append(
                    _activity(
                        activity_id,
                        deal_id,
                        kind,
                        pick(names.SUBJECTS[kind]),
                        maker.moment(today + timedelta(days=pick(offsets))),
                        responsible,
                        created,
                        done=False,
                        priority=pick(("low", "medium", "medium", "high")),
                        direction="incoming" if kind == "call" and rng.random() < 0.1 else None,
                    )
                )
                activity_id += 1
        deal_id += 1
    return out
