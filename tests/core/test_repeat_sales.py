"""Repeat-sale suggestions on hand-built histories with known answers, and the backtest."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from dealterm.core.db import Database
from dealterm.core.db.migrate import alembic_config
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.core.services.repeat_sales import (
    Purchase,
    accept_suggestion,
    backtest,
    dismiss_suggestion,
    estimate,
    suggestions,
)
from dealterm.migrations import HEAD

TODAY = date(2026, 3, 10)


def bought(
    db: Database, client: str, *days_and_amounts: tuple[date, str], private: bool = False
) -> None:
    """Won deals of a company, or (``private``) of a contact without a company."""
    with db.session() as session:
        for day, amount in days_and_amounts:
            create_deal(
                session,
                DealCreate(
                    title=f"{client} {day}",
                    company=None if private else client,
                    contacts=[client] if private else [],
                    stage="WON",
                    amount=amount,
                    begin_date=day - timedelta(days=3),
                    close_date=day,
                ),
            )


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def test_estimate_uses_medians_and_mad() -> None:
    est = estimate(
        [
            Purchase(date(2025, 1, 1), Decimal("100")),
            Purchase(date(2025, 1, 31), Decimal("120")),
            Purchase(date(2025, 3, 2), Decimal("90")),
            Purchase(date(2025, 4, 11), Decimal("300")),
        ]
    )
    assert est is not None
    assert est.interval_days == 30  # gaps 30, 30, 40
    assert est.interval_spread == 0
    assert est.expected_date == date(2025, 5, 11)
    assert est.expected_amount == Decimal("110.00")  # median of 90, 100, 120, 300
    assert est.amount_spread == Decimal("15.00")  # median of 20, 10, 10, 190
    assert estimate([Purchase(date(2025, 1, 1), Decimal(1))]) is None


def test_suggestions_on_known_histories(db: Database) -> None:
    bought(db, "Monthly", (ago(75), "100"), (ago(45), "110"), (ago(15), "90"))  # due in 15
    bought(db, "Overdue", (ago(100), "500"), (ago(60), "500"))  # due 20 days ago
    bought(db, "Lapsed", (ago(300), "500"), (ago(250), "500"))  # overdue > one interval
    bought(db, "Far", (ago(150), "50"), (ago(50), "50"))  # due in 50 days
    bought(db, "Once", (ago(30), "1000"))  # one purchase: too few
    bought(db, "Same day", (ago(30), "10"), (ago(30), "20"))  # one purchase day
    bought(db, "Busy", (ago(40), "100"), (ago(20), "100"))
    with db.session() as session:
        create_deal(session, DealCreate(title="Open", company="Busy"))
        found = suggestions(session, window=30)
    assert [s.client for s in found] == ["Overdue", "Monthly"]  # 500 outranks 100
    overdue, monthly = found
    assert overdue.due_in_days == -20 and overdue.due_text() == "overdue by 20 days"
    assert monthly.expected_date == TODAY + timedelta(days=15)
    assert monthly.expected_amount == Decimal("100.00")
    assert monthly.estimate.interval_days == 30
    assert [p.day for p in monthly.purchases] == [ago(75), ago(45), ago(15)]
    with db.session(write=False) as session:
        assert [s.client for s in suggestions(session, window=10)] == ["Overdue"]


def test_private_clients_and_companies_read_in_chunks(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clients found are read back a chunk of ids at a time, by kind: a contact's
    purchases are its own deals without a company, never its company's."""
    bought(db, "Acme", (ago(70), "300"), (ago(40), "300"), (ago(10), "300"))  # due in 20
    bought(db, "Bolt", (ago(100), "500"), (ago(60), "500"))  # due 20 days ago
    bought(db, "Ann", (ago(50), "70"), (ago(25), "80"), private=True)  # due today
    bought(db, "Bob", (ago(90), "40"), (ago(50), "40"), private=True)  # due 10 days ago
    with db.session() as session:  # Ann on a company's deal: not her purchase
        create_deal(
            session,
            DealCreate(
                title="Acme via Ann",
                company="Acme",
                contacts=["Ann"],
                stage="WON",
                amount="9000",
                begin_date=ago(8),
                close_date=ago(5),
            ),
        )
    with db.session(write=False) as session:
        whole = suggestions(session)
    monkeypatch.setattr("dealterm.core.services.client_deals._CHUNK", 1)
    with db.session(write=False) as session:
        chunked = suggestions(session)
    assert chunked == whole
    assert [(s.client_kind, s.client) for s in whole] == [
        ("company", "Bolt"),
        ("company", "Acme"),
        ("contact", "Ann"),
        ("contact", "Bob"),
    ]
    acme = whole[1]
    assert [p.day for p in acme.purchases] == [ago(70), ago(40), ago(10), ago(5)]
    ann = whole[2]
    assert [p.amount for p in ann.purchases] == [Decimal("70.00"), Decimal("80.00")]
    with db.session() as session:
        deal = accept_suggestion(session, f"contact:{ann.client_id}")
    assert deal.title == "Repeat sale: Ann" and deal.amount == Decimal("75.00")


def test_dismiss_is_remembered_until_the_next_purchase(db: Database) -> None:
    bought(db, "Acme", (ago(100), "500"), (ago(60), "500"))
    with db.session() as session:
        dismiss_suggestion(session, "Acme")
        dismiss_suggestion(session, "company:1")  # twice is harmless
    with db.session(write=False) as session:
        assert suggestions(session) == []
    bought(db, "Acme", (ago(20), "500"))  # a new cycle: due again in 20 days
    with db.session(write=False) as session:
        assert [s.client for s in suggestions(session)] == ["Acme"]


def test_accept_creates_a_repeat_sale_deal_with_evidence(db: Database) -> None:
    bought(db, "Acme", (ago(100), "400"), (ago(60), "600"))
    with db.session() as session:
        deal = accept_suggestion(session, "company:1")
    assert deal.title == "Repeat sale: Acme"
    assert deal.amount == Decimal("500.00")
    with db.engine.connect() as conn:
        row = conn.execute(
            text("SELECT source_code, is_repeat, closed FROM deals WHERE id = :id"), {"id": deal.id}
        ).one()
        evidence = conn.execute(
            text("SELECT text FROM history WHERE deal_id = :id AND kind = 'comment'"),
            {"id": deal.id},
        ).scalar()
    assert tuple(row) == ("REPEAT_SALE", True, False)
    assert "Past purchases" in evidence and "overdue by 20 days" in evidence
    with db.session(write=False) as session:
        assert suggestions(session) == []  # the open deal takes it off the list
    with pytest.raises(NotFoundError, match="no open deal"), db.session() as session:
        accept_suggestion(session, "Acme")


def test_bad_client_references(db: Database) -> None:
    bought(db, "Acme", (ago(40), "1"))
    with db.session() as session:
        with pytest.raises(ValidationError):
            dismiss_suggestion(session, "company:x")
        with pytest.raises(NotFoundError):
            dismiss_suggestion(session, "Nobody")
        with pytest.raises(NotFoundError, match="2 or more purchases"):
            accept_suggestion(session, "Acme")


def test_backtest_on_a_known_history(db: Database) -> None:
    as_of = ago(60)
    # due around as_of + 10 and bought then: a hit
    bought(db, "Hit", (ago(130), "100"), (ago(90), "100"), (ago(52), "100"))
    # due around as_of + 10 but did not buy: a false alarm
    bought(db, "Miss", (ago(130), "100"), (ago(90), "100"))
    # bought in the window but not due: missed (eligible)
    bought(db, "Surprise", (ago(300), "100"), (ago(100), "100"), (ago(40), "100"))
    # a first-time buyer in the window: missed (not eligible)
    bought(db, "New", (ago(45), "100"))
    with db.session(write=False) as session:
        result = backtest(session, as_of=as_of, window=30)
    assert (result.suggested, result.buyers, result.hits) == (2, 3, 1)
    assert result.precision == 0.5
    assert result.recall == pytest.approx(1 / 3, abs=1e-4)
    assert result.eligible_buyers == 2 and result.recall_eligible == 0.5
    assert (result.eligible, result.eligible_bought) == (3, 2)
    with pytest.raises(ValidationError, match="has not ended"), db.session() as session:
        backtest(session, as_of=ago(10), window=30)


def test_migration_0005_keeps_every_row(tmp_path: Path, clock: object) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    cfg = alembic_config()
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    engine.dispose()
    db = Database.open(path, clock=clock)  # type: ignore[arg-type]
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        assert conn.execute(text("SELECT count(*) FROM scenarios")).scalar() == 0
    db.close()
