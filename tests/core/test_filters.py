"""Every filter condition, presets and saved filters, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from dealterm.core.db import Database
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.filters import PRESETS, DealFilter, Status, preset
from dealterm.core.queries import count_deals, list_deals
from dealterm.core.services import activities, flow, saved_filters, users
from dealterm.core.services.deals import DealCreate, create_deal


@pytest.fixture
def deals(db: Database, clock: object) -> Database:
    """Six deals that differ in one way each (frozen today: 2026-03-10, Moscow)."""
    from dealterm.core.services.custom_fields import define_field

    with db.session() as session:
        define_field(session, "UF_CRM_REGION", "Region")
    with db.session() as session:
        other = users.ensure_user(session, login="anna", name="Anna Petrova")
        a = create_deal(
            session,
            DealCreate(
                title="A small",
                amount="100",
                currency="USD",
                type="SALE",
                source="CALL",
                company="Acme",
                close_date="2026-03-20",
            ),
        )
        b = create_deal(
            session,
            DealCreate(
                title="B big",
                amount="50000",
                currency="EUR",
                type="GOODS",
                source="WEB",
                responsible=other,
                close_date="2026-04-15",
                custom_fields={"UF_CRM_REGION": "north"},
            ),
        )
        c = create_deal(
            session, DealCreate(title="C won", amount="700", currency="USD", company="Acme")
        )
        d = create_deal(
            session, DealCreate(title="D lost", amount="900", currency="RUB", stage="EXECUTING")
        )
        create_deal(
            session,
            DealCreate(
                title="E planned",
                amount="1500",
                currency="USD",
                custom_fields={"UF_CRM_REGION": "south"},
            ),
        )
        f = create_deal(session, DealCreate(title="F late", amount="2500", currency="USD"))
        flow.mark_won(session, c.id)
        flow.mark_lost(session, d.id, reason="No budget")
        e = list_deals(session, DealFilter(search="planned"))[0]
        activities.plan_activity(
            session, e.id, kind="call", subject="Call", deadline="2026-03-12 10:00"
        )
        activities.plan_activity(
            session, f.id, kind="call", subject="Late", deadline="2026-03-09 10:00"
        )
        repeat = create_deal(session, DealCreate(title="G repeat", company="Acme"))
        assert repeat.repeat and a.id and b.id
    return db


def _titles(db: Database, flt: DealFilter) -> list[str]:
    with db.session(write=False) as session:
        found = sorted(d.title for d in list_deals(session, flt, limit=None))
        assert count_deals(session, flt) == len(found)
        return found


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (DealFilter(status=Status.OPEN), ["A small", "B big", "E planned", "F late", "G repeat"]),
        (DealFilter(status=Status.WON), ["C won"]),
        (DealFilter(status=Status.LOST), ["D lost"]),
        (DealFilter(status=Status.CLOSED), ["C won", "D lost"]),
        (DealFilter(responsible="anna"), ["B big"]),
        (
            DealFilter(responsible="me", status=Status.OPEN),
            ["A small", "E planned", "F late", "G repeat"],
        ),
        (DealFilter(amount_min=Decimal("900")), ["B big", "D lost", "E planned", "F late"]),
        (DealFilter(amount_max=Decimal("700")), ["A small", "C won", "G repeat"]),
        (DealFilter(amount_min=Decimal("700"), amount_max=Decimal("900")), ["C won", "D lost"]),
        (DealFilter(currency="eur"), ["B big"]),
        (DealFilter(deal_type="GOODS"), ["B big"]),
        (DealFilter(source="Website"), ["B big"]),
        (DealFilter(close_from=date(2026, 4, 1)), ["B big"]),
        (DealFilter(close_to=date(2026, 3, 10)), ["C won", "D lost"]),
        (
            DealFilter(created_from=date(2026, 3, 10), created_to=date(2026, 3, 10)),
            ["A small", "B big", "C won", "D lost", "E planned", "F late", "G repeat"],
        ),
        (DealFilter(created_from=date(2026, 3, 11)), []),
        (DealFilter(created_to=date(2026, 3, 9)), []),
        (DealFilter(repeat=True), ["G repeat"]),
        (DealFilter(without_activities=True), ["A small", "B big", "G repeat"]),
        (DealFilter(overdue=True), ["F late"]),
        (DealFilter(custom=(("UF_CRM_REGION", "north"),)), ["B big"]),
        (DealFilter(search="acme"), ["A small", "C won", "G repeat"]),
        (DealFilter(search="acme", status=Status.OPEN), ["A small", "G repeat"]),
        (DealFilter(stage="WON"), ["C won"]),
        (DealFilter(pipeline="Sales", stage="EXECUTING"), []),
    ],
)
def test_each_condition(deals: Database, flt: DealFilter, expected: list[str]) -> None:
    assert _titles(deals, flt) == expected


@pytest.mark.parametrize(
    ("flt", "fragment"),
    [
        (DealFilter(amount_min=Decimal(5), amount_max=Decimal(1)), "smallest amount is larger"),
        (
            DealFilter(close_from=date(2026, 5, 1), close_to=date(2026, 4, 1)),
            "ends before it starts",
        ),
        (DealFilter(currency="XXX"), "unknown currency"),
        (DealFilter(responsible="ghost"), "unknown user"),
    ],
)
def test_impossible_filters_are_explained(deals: Database, flt: DealFilter, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment), deals.session(write=False) as session:
        list_deals(session, flt)


def test_presets(deals: Database) -> None:
    assert set(PRESETS) == {
        "In progress",
        "My deals",
        "Won",
        "Lost",
        "Closed",
        "Without activities",
        "Overdue",
    }
    assert _titles(deals, preset("won")) == ["C won"]
    assert _titles(deals, preset("My deals")) == ["A small", "E planned", "F late", "G repeat"]
    assert _titles(deals, preset("overdue")) == ["F late"]
    with pytest.raises(KeyError):
        preset("Someday")


def test_saved_filters_are_per_user_and_round_trip(deals: Database) -> None:
    flt = DealFilter(
        status=Status.OPEN,
        amount_min=Decimal("1000"),
        currency="USD",
        search="late",
        close_to=date(2026, 12, 31),
        custom=(("UF_CRM_REGION", "north"),),
        repeat=False,
    )
    with deals.session() as session:
        saved = saved_filters.save_filter(session, "  Big  USD ", flt)
        assert saved.name == "Big USD"
        assert replace(saved, name=None) == flt
        saved_filters.save_filter(session, "Big USD", replace(flt, search=None))  # replaces
    with deals.session(write=False) as session:
        found = saved_filters.get_filter(session, "big usd")
        assert found.search is None and found.amount_min == Decimal("1000")
        assert [f.name for f in saved_filters.list_filters(session)] == ["Big USD"]
    other = Database.open(
        deals.url.render_as_string(hide_password=False), clock=deals.clock, login="anna"
    )
    with other.session(write=False) as session:
        assert saved_filters.list_filters(session) == []
    other.close()
    with pytest.raises(ValidationError, match="no conditions"), deals.session() as session:
        saved_filters.save_filter(session, "Nothing", DealFilter())
    with deals.session() as session:
        saved_filters.delete_filter(session, "Big USD")
    with pytest.raises(NotFoundError), deals.session() as session:
        saved_filters.delete_filter(session, "Big USD")


def test_describe_says_what_the_filter_does() -> None:
    assert preset("Won").describe() == "Won"
    assert DealFilter(status=Status.OPEN, search="acme").describe() == "open · “acme”"
    assert DealFilter(amount_min=Decimal("10"), overdue=True).describe() == "≥ 10 · overdue"
    assert DealFilter().is_empty and not DealFilter(repeat=False).is_empty
