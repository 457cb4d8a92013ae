"""Creating and editing deals: defaults, validation, repeat flag, history, locking."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from dealterm.core.db import Database
from dealterm.core.errors import ConflictError, NotFoundError, ValidationError
from dealterm.core.models import Deal, EventKind, HistoryEvent
from dealterm.core.queries import deal_detail, get_deal
from dealterm.core.services import flow, pipelines
from dealterm.core.services.deals import (
    DealCreate,
    DealUpdate,
    create_deal,
    delete_deal,
    update_deal,
)


def _create(db: Database, **fields: object):
    with db.session() as session:
        return create_deal(session, DealCreate(**fields))


def _events(db: Database, deal_id: int, kind: str | None = None) -> list[HistoryEvent]:
    with db.session(write=False) as session:
        query = select(HistoryEvent).where(HistoryEvent.deal_id == deal_id)
        if kind:
            query = query.where(HistoryEvent.kind == kind)
        return list(session.exec(query.order_by(HistoryEvent.id)).all())


def test_new_deal_gets_bitrix_defaults(db: Database) -> None:
    deal = _create(db)
    assert deal.title == f"Deal #{deal.id}"
    assert deal.stage == "NEW"
    assert deal.pipeline == "Sales"
    assert deal.semantics == "process" and not deal.closed
    assert deal.begin_date == date(2026, 3, 10)
    assert deal.close_date == date(2026, 3, 17)
    assert deal.amount == Decimal("0.00") and deal.currency == "USD"
    assert deal.type == "SALE"
    assert deal.responsible == "Test User"
    created = _events(db, deal.id)
    assert [e.kind for e in created] == [EventKind.CREATED]
    assert created[0].author_id == db.user_id


def test_new_deal_keeps_what_was_given(db: Database) -> None:
    deal = _create(
        db,
        title="  Server room  ",
        amount="12 500,50",
        currency="eur",
        stage="Final invoice",
        company="Acme Ltd",
        contacts=["John Smith", "Mary Jones"],
        type="services",
        source="Website",
        begin_date="2026-03-01",
        close_date="01.04.2026",
        probability="70",
        comments="Urgent",
    )
    assert deal.title == "Server room"
    assert deal.amount == Decimal("12500.50") and deal.currency == "EUR"
    assert deal.manual_amount is True
    assert deal.stage == "FINAL_INVOICE"
    assert deal.company == "Acme Ltd"
    assert [(c.name, c.primary) for c in deal.contacts] == [
        ("John Smith", True),
        ("Mary Jones", False),
    ]
    assert (deal.type, deal.source) == ("SERVICES", "WEB")
    assert deal.begin_date == date(2026, 3, 1) and deal.close_date == date(2026, 4, 1)
    assert deal.probability == 70 and deal.comments == "Urgent"


def test_existing_company_and_contact_are_reused(db: Database) -> None:
    first = _create(db, company="Acme Ltd", contacts=["John Smith"])
    second = _create(db, company="acme ltd", contacts=["JOHN SMITH"])
    assert second.company_id == first.company_id
    assert second.contacts[0].id == first.contacts[0].id


def test_cyrillic_names_match_case_insensitively(db: Database) -> None:
    first = _create(db, company="ООО «Ромашка»", stage="Подготовка документов")
    second = _create(db, company="ооо «ромашка»")
    assert second.company_id == first.company_id
    assert first.stage == "PREPARATION"


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"amount": "-1"}, "amount", "negative"),
        ({"amount": "12.345"}, "amount", "two decimal places"),
        ({"amount": "lots"}, "amount", "must be a number"),
        ({"title": "x" * 256}, "title", "limit is 255"),
        ({"stage": "NOPE"}, "stage", "unknown stage"),
        ({"currency": "XYZ"}, "currency", "unknown currency"),
        ({"type": "BARTER"}, "type", "unknown type"),
        ({"source": "PIGEON"}, "source", "unknown source"),
        ({"begin_date": "31.02.2026"}, "begin_date", "is not a date"),
        ({"close_date": "tomorrow"}, "close_date", "is not a date"),
        ({"probability": "150"}, "probability", "0 to 100"),
        ({"pipeline": "Nowhere"}, "pipeline", "unknown pipeline"),
        ({"responsible": "ghost"}, "responsible", "unknown user"),
        ({"custom_fields": {"colour": "red"}}, "custom_fields", "unknown custom field"),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message(
    db: Database, fields: dict[str, object], field: str, fragment: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _create(db, **({"title": "Bad"} | fields))
    assert caught.value.field == field
    assert fragment in caught.value.message
    with db.session(write=False) as session:
        assert session.exec(select(Deal)).all() == []


def test_a_failed_create_leaves_no_company_behind(db: Database) -> None:
    with pytest.raises(ValidationError):
        _create(db, company="Half Written Ltd", amount="-5")
    from dealterm.core.models import Company

    with db.session(write=False) as session:
        assert session.exec(select(Company)).all() == []


def test_stage_of_another_pipeline_is_refused(db: Database) -> None:
    with db.session() as session:
        pipelines.create_pipeline(session, "Projects")
    with db.session(write=False) as session:
        sales_stage = pipelines.first_stage(session, pipelines.default_pipeline(session).id or 0)
    with pytest.raises(ValidationError, match="belongs to pipeline 'Sales', not 'Projects'"):
        _create(db, pipeline="Projects", stage=sales_stage.id)
    deal = _create(db, pipeline="Projects", stage="C2:EXECUTING")
    assert deal.pipeline == "Projects" and deal.stage == "EXECUTING"


def test_deal_created_in_a_final_stage_is_closed(db: Database) -> None:
    deal = _create(db, stage="WON", close_date="2026-03-01")
    assert deal.closed and deal.semantics == "success"
    assert _create(db, stage="LOSE").close_date == date(2026, 3, 10)


def test_repeat_flag_when_the_client_already_won(db: Database) -> None:
    won = _create(db, company="Acme Ltd", contacts=["John Smith"])
    with db.session() as session:
        flow.mark_won(session, won.id)
    assert _create(db, company="Acme Ltd").repeat is True
    assert _create(db, contacts=["John Smith"]).repeat is True
    assert _create(db, company="Globex").repeat is False


def test_a_lost_deal_does_not_make_a_repeat_client(db: Database) -> None:
    lost = _create(db, company="Acme Ltd")
    with db.session() as session:
        flow.mark_lost(session, lost.id, reason="No budget")
    assert _create(db, company="Acme Ltd").repeat is False


def test_every_field_change_is_in_the_history(db: Database) -> None:
    from dealterm.core.services.custom_fields import define_field

    with db.session() as session:
        define_field(session, "UF_CRM_SIZE", "Size")
    deal = _create(db, title="Old", amount="100", company="Acme Ltd")
    with db.session() as session:
        update_deal(
            session,
            deal.id,
            DealUpdate(
                title="New",
                amount="250.5",
                currency="EUR",
                company=None,
                type="GOODS",
                close_date="2026-04-01",
                comments="Call Friday",
                custom_fields={"UF_CRM_SIZE": "XL"},
            ),
        )
    changes = {
        e.field: (e.old_value, e.new_value) for e in _events(db, deal.id, EventKind.FIELD_CHANGED)
    }
    assert changes["title"] == ("Old", "New")
    assert changes["amount"] == ("100.00", "250.50")
    assert changes["currency"] == ("USD", "EUR")
    assert changes["company"] == ("Acme Ltd", None)
    assert changes["type"] == ("Sales", "Merchandise sales")
    assert changes["close_date"] == ("2026-03-17", "2026-04-01")
    assert changes["comments"] == (None, "Call Friday")
    assert changes["UF_CRM_SIZE"] == (None, "XL")
    assert all(e.author_id == db.user_id for e in _events(db, deal.id))
    with db.session(write=False) as session:
        fresh = get_deal(session, deal.id)
    assert fresh.version == deal.version + 1
    assert fresh.custom_fields == {"UF_CRM_SIZE": "XL"}


def test_an_update_that_changes_nothing_writes_nothing(db: Database) -> None:
    deal = _create(db, title="Same", amount="100")
    with db.session() as session:
        after = update_deal(session, deal.id, DealUpdate(title="Same", amount="100.00"))
    assert after.version == deal.version
    assert len(_events(db, deal.id)) == 1


def test_stale_version_is_refused_and_writes_nothing(db: Database) -> None:
    deal = _create(db, title="Shared", amount="100")
    with db.session() as session:
        update_deal(session, deal.id, DealUpdate(amount="200"), expected_version=deal.version)
    before = len(_events(db, deal.id))
    with pytest.raises(ConflictError) as caught, db.session() as session:
        update_deal(session, deal.id, DealUpdate(title="Mine"), expected_version=deal.version)
    assert caught.value.current_version == deal.version + 1
    with pytest.raises(ConflictError), db.session() as session:
        flow.move_deal(session, deal.id, "EXECUTING", expected_version=deal.version)
    with db.session(write=False) as session:
        current = get_deal(session, deal.id)
    assert (
        current.title == "Shared" and current.amount == Decimal("200.00") and current.stage == "NEW"
    )
    assert len(_events(db, deal.id)) == before


def test_delete_removes_the_deal_and_everything_on_it(db: Database) -> None:
    deal = _create(db, contacts=["John Smith"])
    with db.session() as session:
        assert delete_deal(session, deal.id) == deal.title
    with pytest.raises(NotFoundError), db.session(write=False) as session:
        deal_detail(session, deal.id)
    assert _events(db, deal.id) == []


def test_unknown_deal_is_not_found(db: Database) -> None:
    with pytest.raises(NotFoundError), db.session() as session:
        update_deal(session, 12345, DealUpdate(title="x"))


@pytest.mark.parametrize(
    "typed",
    ["31.02.2026", "1e5", "1_000", "1,23,456", "1.234.5", "1..2", "1,234.5.6", "12 apples"],
)
def test_an_amount_that_is_not_a_number_as_people_write_one_is_refused(
    db: Database, typed: str
) -> None:
    """A date typed into the amount, thousands grouped other than in threes, Python's own
    notations: refused, not read as a huge or a different number."""
    with pytest.raises(ValidationError) as caught:
        _create(db, title="Typo", amount=typed)
    assert caught.value.field == "amount"
    assert "must be a number" in caught.value.message


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1,234,567.50", "1234567.50"),
        ("1.234.567,50", "1234567.50"),
        ("1 234 567,5", "1234567.50"),
        ("12,5", "12.50"),
        ("0.75", "0.75"),
        ("1,234,567", "1234567.00"),
    ],
)
def test_amounts_grouped_in_threes_are_read(db: Database, typed: str, amount: str) -> None:
    assert _create(db, title="Grouped", amount=typed).amount == Decimal(amount)


def test_a_date_written_right_but_with_no_such_day_says_so(db: Database) -> None:
    """'31.02.2026' has the form of a date: the message says the month has no such day,
    rather than naming a form the user already used."""
    with pytest.raises(ValidationError) as caught:
        _create(db, title="Leap", close_date="31.02.2026")
    assert caught.value.field == "close_date"
    assert "no such day" in caught.value.message
