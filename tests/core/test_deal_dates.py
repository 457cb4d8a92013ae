"""A deal's close date is never before its begin date, whoever gives the dates.

The services refuse it (the card, the CLI and the calendar all go through them); the
defaults fit around a date given alone; closing a deal (today's close date) and imports
(a file's dates as they are) are not refused.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dealterm.core.db import Database
from dealterm.core.errors import ValidationError
from dealterm.core.models import HistoryEvent
from dealterm.core.queries import get_deal
from dealterm.core.queries.calendar import shift_date
from dealterm.core.services import flow, recurring
from dealterm.core.services.deals import DealCreate, DealUpdate, create_deal, update_deal
from dealterm.core.services.recurring import TemplateInput
from tests.core.importing_helpers import deals_by_title, run_import, write_csv


def event_count(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.execute(select(func.count()).select_from(HistoryEvent)).scalar_one())


def _create(db: Database, **fields: object):  # type: ignore[no-untyped-def]
    with db.session() as session:
        return create_deal(session, DealCreate(title="Dated", amount="100", **fields))


def _edit(db: Database, deal_id: int, **changes: object):  # type: ignore[no-untyped-def]
    with db.session() as session:
        return update_deal(session, deal_id, DealUpdate(**changes))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"close_date": "2026-12-01"}, "close_date", "close date is before the begin date"),
        ({"begin_date": "31.12.2026"}, "begin_date", "begin date is after the close date"),
        (
            {"begin_date": "2026-12-31", "close_date": "2026-12-01"},
            "close_date",
            "close date is before the begin date",
        ),
    ],
)
def test_an_edit_that_puts_the_close_date_first_is_refused_whole(
    db: Database, changes: dict[str, str], field: str, message: str
) -> None:
    deal = _create(db, begin_date="2026-12-31", close_date="2027-01-21")
    if "begin_date" in changes and "close_date" not in changes:
        deal = _edit(db, deal.id, begin_date="2026-03-01", close_date="2026-04-01")
    written = event_count(db)
    with pytest.raises(ValidationError, match=message) as refused:
        _edit(db, deal.id, title="Renamed too", **changes)
    assert refused.value.field == field
    with db.session(write=False) as session:
        after = get_deal(session, deal.id)
    assert (after.title, after.version, after.begin_date, after.close_date) == (
        "Dated",
        deal.version,
        deal.begin_date,
        deal.close_date,
    )
    assert event_count(db) == written


def test_same_day_is_fine_and_other_fields_of_a_deal_closed_early_stay_editable(
    db: Database,
) -> None:
    deal = _create(db, begin_date="2026-12-31", close_date="2026-12-31")
    assert deal.begin_date == deal.close_date
    with db.session() as session:
        lost = flow.mark_lost(session, deal.id)  # closed today, before its begin date
    assert lost.close_date == date(2026, 3, 10) < lost.begin_date
    assert _edit(db, deal.id, title="Still editable").title == "Still editable"
    with pytest.raises(ValidationError, match="close date is before the begin date"):
        _edit(db, deal.id, close_date="2026-03-11")


def test_creating_refuses_a_close_date_before_the_begin_date(db: Database) -> None:
    with pytest.raises(ValidationError, match="close date is before the begin date") as refused:
        _create(db, begin_date="2026-12-31", close_date="2026-12-01")
    assert refused.value.field == "close_date"
    with pytest.raises(ValidationError, match="begin date is after the close date"):
        _create(db, stage="WON", begin_date="2026-12-31")  # closed today


def test_a_date_given_alone_sets_the_other_around_it(db: Database) -> None:
    later = _create(db, begin_date="2026-12-31")
    assert (later.begin_date, later.close_date) == (date(2026, 12, 31), date(2027, 1, 7))
    won_earlier = _create(db, stage="WON", close_date="2026-03-01")  # entered after the fact
    assert (won_earlier.begin_date, won_earlier.close_date) == (date(2026, 3, 1), date(2026, 3, 1))
    plain = _create(db)
    assert (plain.begin_date, plain.close_date) == (date(2026, 3, 10), date(2026, 3, 17))


def test_the_calendar_cannot_move_a_close_date_before_the_begin_date(db: Database) -> None:
    deal = _create(db, begin_date="2026-03-10", close_date="2026-03-11")
    with db.session() as session:
        assert shift_date(session, deal.id, -1).close_date == date(2026, 3, 10)
    with (
        pytest.raises(ValidationError, match="close date is before the begin date"),
        db.session() as session,
    ):
        shift_date(session, deal.id, -1)
    with (
        pytest.raises(ValidationError, match="begin date is after the close date"),
        db.session() as session,
    ):
        shift_date(session, deal.id, 1, field="begin_date")


def test_a_recurring_template_whose_deals_would_close_before_they_begin_is_refused(
    db: Database,
) -> None:
    early = TemplateInput(
        title="Monthly", start="2026-03-20", begin_offset="14d", close_offset="7d"
    )
    with (
        pytest.raises(ValidationError, match="close date offset is before the begin") as refused,
        db.session() as session,
    ):
        recurring.create_template(session, early)
    assert refused.value.field == "close_offset"
    same_day = TemplateInput(
        title="Monthly", start="2026-03-20", begin_offset="7d", close_offset="7d"
    )
    with db.session() as session:
        made = recurring.create_template(session, same_day)
    with db.session() as session:
        ran = recurring.run_one(session, made.id, date(2026, 3, 20))
    assert ran is not None and ran[1] is not None
    assert ran[1].begin_date == ran[1].close_date == date(2026, 3, 27)


def test_an_import_takes_the_dates_of_the_file_as_they_are(db: Database, tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "deals.csv",
        [
            ["Title", "Begin date", "Close date"],
            ["Closed before it began", "2026-02-20", "2026-02-10"],
        ],
    )
    assert run_import(db, source).created == 1
    deal = deals_by_title(db)["Closed before it began"]
    assert (deal.begin_date, deal.close_date) == (date(2026, 2, 20), date(2026, 2, 10))
