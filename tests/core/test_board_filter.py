"""The board applies the whole shared filter, on SQLite and PostgreSQL.

The board picks the pipeline and shows a column per stage; every other condition of the
filter (amounts, currency, type, source, dates, the activity presets, custom values, as
well as status, words and responsible) must narrow both the column headers and the cards,
as it narrows the list. Frozen today: Tuesday 2026-03-10, 10:30 in Moscow.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from dealterm.core.db import Database
from dealterm.core.filters import PRESETS, DealFilter
from dealterm.core.queries.board import board_summary, column_page
from dealterm.core.services import activities, pipelines
from dealterm.core.services.deals import DealCreate, create_deal


def _deal(db: Database, title: str, **fields: object) -> int:
    with db.session() as session:
        return create_deal(session, DealCreate(title=title, **fields)).id


def _board(db: Database, flt: DealFilter | None) -> tuple[dict[str, int], set[str]]:
    """Per stage code, the header's count; and the titles of every card on the board."""
    with db.session(write=False) as session:
        pipeline = pipelines.default_pipeline(session).id
        assert pipeline is not None
        summaries = board_summary(session, pipeline, flt)
        counts = {s.stage.code: s.count for s in summaries if s.count}
        titles = {
            card.title
            for s in summaries
            for card in column_page(session, s.stage.id, offset=0, limit=50, flt=flt)
        }
    return counts, titles


@pytest.fixture
def deals(db: Database) -> Database:
    late = _deal(db, "Late call", amount="500", currency="USD", type="SALE")
    _deal(db, "Idle goods", amount="20", currency="EUR", type="GOODS", stage="PREPARATION")
    planned = _deal(db, "Planned visit", amount="900", currency="USD", source="WEB")
    with db.session() as session:
        activities.plan_activity(
            session, late, kind="call", subject="Call back", deadline="2026-03-02 09:00"
        )
        activities.plan_activity(
            session, planned, kind="meeting", subject="Visit", deadline="2026-03-20 11:00"
        )
    return db


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (PRESETS["Overdue"], {"Late call"}),
        (PRESETS["Without activities"], {"Idle goods"}),
        (DealFilter(amount_min=Decimal("100")), {"Late call", "Planned visit"}),
        (DealFilter(amount_max=Decimal("100")), {"Idle goods"}),
        (DealFilter(currency="EUR"), {"Idle goods"}),
        (DealFilter(deal_type="GOODS"), {"Idle goods"}),
        (DealFilter(source="WEB"), {"Planned visit"}),
        (DealFilter(search="visit"), {"Planned visit"}),
    ],
    ids=["overdue", "without-activities", "min", "max", "currency", "type", "source", "words"],
)
def test_every_condition_narrows_the_headers_and_the_cards(
    deals: Database, flt: DealFilter, expected: set[str]
) -> None:
    counts, titles = _board(deals, flt)
    assert titles == expected
    assert sum(counts.values()) == len(expected)


def test_the_filters_pipeline_and_stage_do_not_empty_the_board(deals: Database) -> None:
    """The board shows the pipeline it is on, a column per stage: a stage in the filter
    (from the list) does not hide the other columns' deals."""
    counts, titles = _board(deals, DealFilter(stage="PREPARATION", currency="USD"))
    assert titles == {"Late call", "Planned visit"}
    assert counts == {"NEW": 2}


def test_no_filter_shows_everything(deals: Database) -> None:
    counts, titles = _board(deals, None)
    assert titles == {"Late call", "Idle goods", "Planned visit"}
    assert counts == {"NEW": 2, "PREPARATION": 1}
