"""A column's loaded pages after a card leaves or enters it (no database, no screen).

The board shows a stage move by changing the two columns' loaded pages in place; a page
that can no longer be drawn right without the database is marked to be read again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from dealterm.core.cards import Card, Marker
from dealterm.widgets.card_view import CardView
from dealterm.widgets.stage_column import PAGE_SIZE, StageColumn

START = datetime(2026, 3, 10, tzinfo=UTC)


def view(deal_id: int) -> CardView:
    """A card moved into its column ``deal_id`` minutes after START."""
    card = Card(
        id=deal_id,
        version=1,
        title=f"Deal {deal_id}",
        amount=Decimal(10),
        currency="USD",
        client="",
        moved_at=START + timedelta(minutes=deal_id),
        days_in_stage=0,
        rotting=False,
        closed=False,
        next_deadline=None,
        next_kind=None,
        marker=Marker.NONE,
    )
    return CardView(card=card, amount="$10.00", marker="", marker_style="", age="0d")


def column(count: int, pages: list[int]) -> StageColumn:
    """A column of ``count`` deals (newest first) with these pages loaded."""
    made = StageColumn(1)
    made.count = count
    ids = list(range(count, 0, -1))
    made.pages = {p: [view(i) for i in ids[p * PAGE_SIZE : (p + 1) * PAGE_SIZE]] for p in pages}
    return made


def ids(made: StageColumn, page: int) -> list[int]:
    return [v.card.id for v in made.pages[page]]


def order(v: CardView) -> tuple[datetime, int]:
    return (v.card.moved_at, v.card.id)


def test_a_card_leaving_pulls_the_next_pages_up() -> None:
    made = column(100, [0, 1])
    assert made.remove_row(3)
    assert ids(made, 0) == [100, 99, 98, *range(96, 59, -1)]  # 97 left, 60 came up
    assert ids(made, 1)[0] == 59 and len(ids(made, 1)) == PAGE_SIZE - 1
    assert made.stale == {1}  # its last card is on page 2, not loaded


def test_a_card_leaving_the_last_page_leaves_it_whole() -> None:
    made = column(50, [0, 1])
    assert made.remove_row(45)
    assert len(ids(made, 1)) == 9 and not made.stale


def test_pages_past_a_gap_are_read_again() -> None:
    made = column(130, [0, 2])
    assert made.remove_row(0)
    assert made.stale == {0, 2}
    made = column(130, [0, 2])
    newest = view(500)
    assert made.row_for(order(newest), order) == 0
    assert made.insert_row(0, newest)
    assert ids(made, 0)[:2] == [500, 130] and len(ids(made, 0)) == PAGE_SIZE
    assert made.stale == {2}


def test_a_card_entering_goes_where_its_page_puts_it() -> None:
    made = column(5, [0])
    # Moved at the same moment as deal 3, with a lower id (2): right after deal 3.
    assert made.row_for((view(3).card.moved_at, 2), order) == 3
    assert made.row_for(order(view(0)), order) == 5  # oldest of all: the end
    assert made.insert_row(5, view(0))
    assert ids(made, 0) == [5, 4, 3, 2, 1, 0]


def test_an_empty_column_takes_a_card_and_an_unloaded_row_is_refused() -> None:
    empty = column(0, [])
    assert empty.row_for(order(view(1)), order) == 0
    assert empty.insert_row(0, view(1))
    assert ids(empty, 0) == [1]
    made = column(100, [0])
    assert made.row_for(order(view(0)), order) is None  # past page 0: not loaded
    assert not made.insert_row(60, view(0))
    assert not made.remove_row(60)
