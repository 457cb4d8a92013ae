"""Our own CSV export read back by the generic preset gives the same deals in another database."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dealterm.core.clock import FixedClock
from dealterm.core.db import Database
from dealterm.core.export import write_deals_csv
from dealterm.core.models import Deal
from dealterm.core.readmodels import DealDetail
from dealterm.core.services import clients
from dealterm.core.services.custom_fields import define_field
from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.core.services.flow import mark_lost, mark_won
from dealterm.core.services.products import ProductRowInput
from tests.core.importing_helpers import deals_by_title, run_import

FIELDS: list[dict[str, Any]] = [
    {"code": "region", "label": "Region", "type": "list", "options": ["North", "South"]},
    {"code": "seats", "label": "Seats", "type": "number"},
    {"code": "signed", "label": "Signed on", "type": "date"},
    {"code": "kickoff", "label": "Kick-off", "type": "datetime"},
    {"code": "vip", "label": "VIP", "type": "boolean"},
    {"code": "budget", "label": "Budget", "type": "money"},
    {"code": "rooms", "label": "Rooms", "type": "string", "multiple": True},
    {"code": "site", "label": "Web site", "type": "url"},
    {"code": "partner", "label": "Partner", "type": "company"},
    {"code": "signer", "label": "Signed by", "type": "contact"},
]


@pytest.fixture
def backend() -> str:
    """The export and the import are checked on SQLite files (both ends are ours)."""
    return "sqlite"


def _define_fields(db: Database) -> None:
    with db.session() as session:
        for spec in FIELDS:
            values = dict(spec)
            define_field(session, values.pop("code"), values.pop("label"), **values)


def _fill(db: Database) -> list[int]:
    with db.session() as session:
        clients.create_company(session, "Partner Co")
        boilers = create_deal(
            session,
            DealCreate(
                title="Boilers for Acme",
                stage="EXECUTING",
                currency="EUR",
                company="Acme Ltd",
                contacts=["John Smith", "Mary Jones"],
                type="GOODS",
                source="WEB",
                begin_date="2026-01-10",
                close_date="2026-04-30",
                comments="=1+1 is not a formula\nsecond line, with a comma",
                custom_fields={
                    "region": "North",
                    "seats": "12.5",
                    "signed": "2026-02-01",
                    "kickoff": "2026-03-02 15:30",
                    "vip": "yes",
                    "budget": "1500.50 EUR",
                    "rooms": ["Kitchen", "Hall"],
                    "site": "https://acme.example/boilers",
                    "partner": "Partner Co",
                    "signer": "Mary Jones",
                },
                products=[
                    ProductRowInput(
                        name="Boiler", price="1000", quantity="2", discount="10", tax_rate="20"
                    ),
                    ProductRowInput(name="Installation", price="150.25", measure="hour"),
                ],
            ),
        )
        manual = create_deal(
            session,
            DealCreate(title="Typed amount", amount="777.70", company="Acme Ltd", source="CALL"),
        )
        won = create_deal(
            session,
            DealCreate(
                title="Won deal",
                amount="5000",
                contacts=["John Smith"],
                custom_fields={"region": "South"},
            ),
        )
        mark_won(session, won.id)
        lost = create_deal(session, DealCreate(title="Lost to price", amount="20"))
        mark_lost(session, lost.id, reason="Price too high")
        other = create_deal(session, DealCreate(title="Lost otherwise", amount="1"))
        mark_lost(session, other.id, reason="They moved to the moon")
        ids = [boilers.id, manual.id, won.id, lost.id, other.id]
    return ids


def _comparable(deal: DealDetail) -> dict[str, Any]:
    return {
        "stage": deal.stage,
        "closed": deal.closed,
        "pipeline": deal.pipeline,
        "amount": deal.amount,
        "currency": deal.currency,
        "tax": deal.tax_value,
        "company": deal.company,
        "contacts": [(c.name, c.primary) for c in deal.contacts],
        "type": deal.type,
        "source": deal.source,
        "responsible": deal.responsible,
        "dates": (deal.begin_date, deal.close_date),
        "lost_reason": deal.lost_reason,
        "comments": deal.comments,
        "repeat": deal.repeat,
        "products": [
            (p.name, p.price, p.quantity, p.discount_rate, p.tax_rate, p.measure, p.total)
            for p in deal.products
        ],
        "custom": [(v.label, v.text) for v in deal.custom_display],
    }


def test_an_export_imports_into_a_fresh_database_as_the_same_deals(
    db: Database, sqlite_template: Path, tmp_path: Path, clock: FixedClock
) -> None:
    _define_fields(db)
    ids = _fill(db)
    exported = tmp_path / "deals.csv"
    with db.session(write=False) as session:
        assert write_deals_csv(session, ids, exported) == len(ids)

    target = tmp_path / "fresh.db"
    shutil.copy2(sqlite_template, target)
    fresh = Database.open(target, clock=clock, login="tester", user_name="Test User")
    try:
        _define_fields(fresh)
        report = run_import(fresh, exported)
        assert (report.preset, report.bad, report.created, report.merged_rows) == (
            "generic",
            [],
            5,
            1,
        )
        source, copy = deals_by_title(db), deals_by_title(fresh)
        assert set(copy) == set(source)
        for title, deal in source.items():
            assert _comparable(copy[title]) == _comparable(deal), title
        assert copy["Boilers for Acme"].amount == Decimal("2310.25")
        assert not copy["Boilers for Acme"].manual_amount  # it follows its rows, as before
        assert copy["Typed amount"].manual_amount

        # importing the same export again changes nothing and duplicates nothing
        again = run_import(fresh, exported)
        assert (again.created, again.updated, again.companies_created) == (0, 5, 0)
        with fresh.session(write=False) as session:
            assert len(session.execute(select(Deal.id)).all()) == 5
        assert all(
            "nothing changed" in (d.history[0].text or "") for d in deals_by_title(fresh).values()
        )
    finally:
        fresh.close()
