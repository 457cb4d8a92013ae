"""The deal list (key 2) driven with the keyboard: what the table shows, what the database keeps.

The seeded demo has 60 deals (more than fit on the screen): pipeline "Sales" (stage ids
1-8) and "Projects". No "Sales" deal is in stage 5 "Final invoice".
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.notifications import Notify
from textual.widgets import Input, OptionList, SelectionList

import dealterm.app
from dealterm.app import DealtermApp
from dealterm.core.db import Database
from dealterm.core.filters import DealFilter
from dealterm.core.models import Deal, EventKind, HistoryEvent
from dealterm.core.queries import count_deals, get_deal, list_deals
from dealterm.core.queries.deal_list import list_totals, ordered_ids
from dealterm.core.services import directories
from dealterm.screens.columns import ColumnsModal
from dealterm.screens.confirm import ConfirmModal
from dealterm.screens.deal_card import DealCardScreen
from dealterm.screens.deal_list import ListScreen
from dealterm.screens.picker import PickerModal
from dealterm.widgets.deal_table import DealTable
from dealterm.widgets.filter_bar import FilterBar
from tests.ui.conftest import until

SIZE = (120, 36)
SALES = 1
FINAL_INVOICE = 5  # a "Sales" stage no demo deal is in


# --- helpers -------------------------------------------------------------------------------
def list_screen(app: Any) -> ListScreen:
    return next(s for s in app.screen_stack if isinstance(s, ListScreen))


def table(app: Any) -> DealTable:
    return list_screen(app).query_one(DealTable)


def status(app: Any) -> str:
    return str(list_screen(app).query_one("#list-status").render())


def header(app: Any) -> str:
    return str(list_screen(app).query_one("#list-header").render())


def busy(app: Any) -> bool:
    from textual.worker import WorkerState

    return any(
        w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        and w.group in ("list-ids", "list-rows", "list-prefs", "list-write")
        for w in app.workers
    )


def shown_rows_loaded(app: Any) -> bool:
    """Every row the table shows on screen has its data (no "…" placeholder)."""
    the_table = table(app)
    top = int(the_table.scroll_y)
    visible = the_table.ids[top : top + the_table.size.height]
    return all(deal_id in the_table.rows for deal_id in visible)


async def settled(pilot: Any) -> None:
    """The list has its complete order, totals and visible rows, and nothing is loading."""
    app = pilot.app

    def done() -> bool:
        screen = list_screen(app)
        the_table = table(app)
        return (
            screen.totals is not None
            and the_table.total is None
            and the_table.row_count == screen.totals.count
            and shown_rows_loaded(app)
            and not busy(app)
        )

    await until(pilot, done)
    await pilot.pause()


def starting_in_list(app: DealtermApp) -> DealtermApp:
    """The same app (same database, settings and clock), but it opens on the list.

    Mounting the board first and then the list costs about 4 s a test; only
    :func:`test_key_2_shows_every_deal_with_count_and_sum` goes through the board and key 2.
    """
    cls = type(
        "ListFirstApp",
        (type(app),),
        {
            "DEFAULT_MODE": "list",
            "CSS_PATH": str(Path(dealterm.app.__file__).with_name("app.tcss")),
        },
    )
    return cls(target=app.target, settings=app.settings, clock=app.clock, poll=app.poll)


async def sort_by_amount_largest_first(pilot: Any) -> None:
    """From the first column, move to the amount column and sort by it, largest first."""
    await pilot.press("right", "right", "right")
    assert table(pilot.app).sort_column.key == "amount"
    await pilot.press("o")


async def open_list(pilot: Any) -> ListScreen:
    """Wait until the list shows its rows (switching to it with key 2 if needed)."""
    app = pilot.app
    await until(pilot, lambda: app.crm is not None)
    if not isinstance(app.screen, ListScreen):
        await pilot.press("2")
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
    await until(pilot, lambda: list_screen(app).totals is not None)
    await settled(pilot)
    assert isinstance(app.focused, DealTable)
    return list_screen(app)


async def top_screen(pilot: Any, kind: type) -> Any:
    await until(pilot, lambda: isinstance(pilot.app.screen, kind))
    await pilot.pause()
    return pilot.app.screen


async def pick(pilot: Any, label: str) -> None:
    """Arrow down the open picker to the option called ``label`` and press enter."""
    picker = await top_screen(pilot, PickerModal)
    options = picker.query_one(OptionList)
    assert options.has_focus
    labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    assert label in labels, labels
    while str(options.get_option_at_index(options.highlighted or 0).prompt) != label:
        await pilot.press("down")
    await pilot.press("enter")


def ids_of(db: Database, flt: DealFilter | None = None) -> list[int]:
    """Matching deal ids, newest first (the list's default order)."""
    with db.session(write=False) as session:
        return [d.id for d in list_deals(session, flt, limit=None)]


def count_of(db: Database, flt: DealFilter | None = None) -> int:
    with db.session(write=False) as session:
        return count_deals(session, flt)


def stage_events(db: Database, deal_id: int) -> list[str | None]:
    """The new stage of each "stage_changed" event of a deal, oldest first."""
    with db.session(write=False) as session:
        rows = session.execute(
            select(HistoryEvent.new_value)
            .where(
                HistoryEvent.deal_id == deal_id,
                HistoryEvent.kind == EventKind.STAGE_CHANGED.value,
            )
            .order_by(HistoryEvent.id)  # type: ignore[arg-type]
        ).all()
    return [row[0] for row in rows]


def stage_of(db: Database, ids: list[int]) -> dict[int, int]:
    with db.session(write=False) as session:
        return {deal_id: get_deal(session, deal_id).stage_id for deal_id in ids}


def existing(db: Database, ids: list[int]) -> set[int]:
    with db.session(write=False) as session:
        rows = session.execute(select(Deal.id).where(Deal.id.in_(ids))).all()  # type: ignore[attr-defined]
    return {row[0] for row in rows}


# --- showing -------------------------------------------------------------------------------
async def test_key_2_shows_every_deal_with_count_and_sum(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    expected = ids_of(db)
    with db.session(write=False) as session:
        totals = list_totals(session, None)
    assert len(expected) == 60
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.crm is not None)
        assert not isinstance(app.screen, ListScreen)  # the board comes first
        await open_list(pilot)  # key 2
        assert "all pipelines" in app.sub_title
        the_table = table(app)
        assert the_table.row_count == count_of(db) == 60
        assert list(the_table.ids) == expected  # newest first
        assert status(app).startswith(f"60 deals · ${totals.total:,.2f}")
        assert "selected" not in status(app)
        # More deals than fit: End reaches the last one, and its row is drawn.
        assert the_table.size.height < 60
        await pilot.press("end")
        await until(pilot, lambda: shown_rows_loaded(app))
        assert the_table.current_id == expected[-1]
        assert the_table.scroll_y > 0
        await pilot.press("home")
        assert the_table.current_id == expected[0]


# --- search as you type --------------------------------------------------------------------
async def test_search_as_you_type_narrows_the_list(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    expected = ids_of(db, DealFilter(search="steel"))
    assert 0 < len(expected) < 60
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        await pilot.press("slash")
        field = list_screen(app).query_one("#filter-input", Input)
        await until(pilot, lambda: field.has_focus)
        await pilot.press(*"steel")
        assert field.value == "steel"
        await until(pilot, lambda: list(table(app).ids) == expected)
        await settled(pilot)
        assert table(app).row_count == len(expected)
        assert status(app).startswith(f"{len(expected)} deals · ")
        assert "“steel”" in app.sub_title
        # Enter keeps the search and gives the keys back to the table.
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.focused, DealTable))
        assert list(table(app).ids) == expected
        # Escape in the bar clears it: every deal again.
        await pilot.press("slash")
        await until(pilot, lambda: field.has_focus)
        await pilot.press("escape")
        await until(pilot, lambda: table(app).row_count == 60)
        assert not list_screen(app).query_one(FilterBar).has_class("-open")
        assert app.deal_filter is None


# --- sorting -------------------------------------------------------------------------------
async def test_sort_by_column_under_the_column_cursor(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    with db.session(write=False) as session:
        by_amount_desc = list(ordered_ids(session, None, sort="amount", descending=True))
        by_amount_asc = list(ordered_ids(session, None, sort="amount", descending=False))
        by_title = list(ordered_ids(session, None, sort="title", descending=False))
        rates = directories.currency_rates(session)
        deals = {d.id: d for d in list_deals(session, None, limit=None)}

    def base(deal_id: int) -> Decimal:
        deal = deals[deal_id]
        return deal.amount * rates.get(deal.currency, Decimal(1))

    # The database's order is the one a user expects: by the amount in the base currency,
    # by the title (case-insensitive); the id breaks ties.
    assert by_amount_desc == sorted(deals, key=lambda i: (base(i), i), reverse=True)
    assert by_amount_asc == sorted(deals, key=lambda i: (base(i), i))
    assert by_title == sorted(deals, key=lambda i: (deals[i].title.lower(), i))

    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        the_table = table(app)
        await sort_by_amount_largest_first(pilot)
        await until(pilot, lambda: list(the_table.ids) == by_amount_desc)
        await settled(pilot)
        assert "Amount ▼" in header(app)
        assert the_table.cursor == 0
        assert the_table.current_id == by_amount_desc[0]
        await pilot.press("o")  # again: the other way round
        await until(pilot, lambda: list(the_table.ids) == by_amount_asc)
        await settled(pilot)
        assert "Amount ▲" in header(app)
        await pilot.press("left", "left")
        assert the_table.sort_column.key == "title"
        await pilot.press("o")
        await until(pilot, lambda: list(the_table.ids) == by_title)
        await settled(pilot)
        assert "Title ▲" in header(app)
        assert "Amount ▲" not in header(app) and "Amount ▼" not in header(app)
        # The first rows drawn are the first titles.
        first = the_table.rows[by_title[0]]
        assert first["title"] == deals[by_title[0]].title


async def test_sorting_shows_the_top_of_the_new_order(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    with db.session(write=False) as session:
        by_title = list(ordered_ids(session, None, sort="title", descending=False))
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        the_table = table(app)
        await pilot.press("end")
        assert the_table.scroll_y > 0
        await pilot.press("right", "o")
        await until(pilot, lambda: list(the_table.ids) == by_title)
        await settled(pilot)
        assert the_table.current_id == by_title[0]
        assert the_table.scroll_y <= the_table.cursor < the_table.scroll_y + the_table.size.height


# --- selection -----------------------------------------------------------------------------
async def test_space_and_shift_down_select_and_escape_clears(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    expected = ids_of(db)
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        the_table = table(app)
        await pilot.press("space")  # selects the first deal and moves down
        assert the_table.selected == {expected[0]}
        assert the_table.cursor == 1
        assert "1 selected" in status(app)
        await pilot.press("shift+down", "shift+down")  # rows 1..3
        assert the_table.selected == set(expected[:4])
        assert the_table.current_id == expected[3]
        await until(pilot, lambda: "4 selected" in status(app))
        await pilot.press("up", "up", "space")  # row 1 again: deselects it
        assert the_table.selected == {expected[0], expected[2], expected[3]}
        await until(pilot, lambda: "3 selected" in status(app))
        await pilot.press("escape")
        assert the_table.selected == set()
        await until(pilot, lambda: "selected" not in status(app))


async def test_select_all_then_bulk_move_to_a_stage(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    everything = ids_of(db)
    before = stage_of(db, everything)
    flt = DealFilter(pipeline=SALES)
    sales = ids_of(db, flt)
    assert SIZE[1] < len(sales) < len(everything)  # more than fit on the screen
    assert FINAL_INVOICE not in {before[i] for i in sales}
    events_before = {i: stage_events(db, i) for i in everything}
    notes: list[str] = []

    def hook(message: Any) -> None:
        if isinstance(message, Notify):
            notes.append(message.notification.message)

    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await open_list(pilot)
        the_table = table(app)
        assert the_table.size.height < len(sales)
        await pilot.press("ctrl+a")
        assert the_table.selected == set(everything)
        await until(pilot, lambda: "60 selected" in status(app))

        # Deals of both pipelines: refused before a stage is asked for, nothing changes.
        await pilot.press("b")
        picker = await top_screen(pilot, PickerModal)
        assert picker.title_text == "Bulk action on 60 deals"
        await pick(pilot, "Move to stage…")
        await until(pilot, lambda: any("in 2 pipelines" in note for note in notes))
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        assert stage_of(db, everything) == before
        assert the_table.selected == set(everything)  # kept, to fix and try again

        # Only the "Sales" deals: ctrl+a selects what the filter matches.
        await pilot.press("escape")
        assert not the_table.selected
        app.set_filter(flt)
        await until(pilot, lambda: list(the_table.ids) == sales)
        await settled(pilot)
        await pilot.press("ctrl+a")
        assert the_table.selected == set(sales)
        await until(pilot, lambda: f"{len(sales)} selected" in status(app))
        await pilot.press("b")
        picker = await top_screen(pilot, PickerModal)
        assert picker.title_text == f"Bulk action on {len(sales)} deals"
        await pick(pilot, "Move to stage…")
        stages = await top_screen(pilot, PickerModal)
        assert stages.title_text == f"Move {len(sales)} deals to a stage of Sales"
        await pick(pilot, "Final invoice")
        await until(pilot, lambda: set(stage_of(db, sales).values()) == {FINAL_INVOICE})
        await until(pilot, lambda: isinstance(app.screen, ListScreen) and not the_table.selected)
        await settled(pilot)
        assert "selected" not in status(app)
        top = int(the_table.scroll_y)
        shown = the_table.ids[top : top + the_table.size.height]
        await until(
            pilot, lambda: all(the_table.rows[i]["stage"] == "Final invoice" for i in shown)
        )
    for deal_id in sales:  # one new "stage_changed" event each
        assert stage_events(db, deal_id) == [*events_before[deal_id], "Final invoice"], deal_id
    others = [i for i in everything if i not in sales]
    assert stage_of(db, others) == {i: before[i] for i in others}
    assert all(stage_events(db, i) == events_before[i] for i in others)


async def test_bulk_delete_asks_with_the_count(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    expected = ids_of(db)
    doomed = expected[:3]
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        await pilot.press("space", "space", "space")
        assert table(app).selected == set(doomed)
        await pilot.press("b")
        await pick(pilot, "Delete…")
        confirm = await top_screen(pilot, ConfirmModal)
        assert "Delete 3 deals" in confirm.question
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        await pilot.pause()
        assert existing(db, doomed) == set(doomed)
        assert count_of(db) == 60
        assert table(app).selected == set(doomed)
        assert table(app).row_count == 60

        await pilot.press("b")
        await pick(pilot, "Delete…")
        confirm = await top_screen(pilot, ConfirmModal)
        assert "Delete 3 deals" in confirm.question
        await pilot.press("y")
        await until(pilot, lambda: not existing(db, doomed))
        await until(pilot, lambda: table(app).row_count == 57)
        await settled(pilot)
        assert list(table(app).ids) == expected[3:]
        assert status(app).startswith("57 deals · ")
        assert not table(app).selected
    assert count_of(db) == 57


# --- the card ------------------------------------------------------------------------------
async def test_enter_opens_the_card_of_the_deal_under_the_cursor(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    expected = ids_of(db)
    wanted = expected[2]
    with db.session(write=False) as session:
        title = get_deal(session, wanted).title
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        await pilot.press("down", "j")
        assert table(app).current_id == wanted
        await pilot.press("enter")
        card = await top_screen(pilot, DealCardScreen)
        assert card.deal_id == wanted
        await until(pilot, lambda: card.deal is not None)
        assert card.deal.title == title
        assert title in str(card.query_one("#card-title").render())


# --- columns -------------------------------------------------------------------------------
async def test_column_chooser_hides_a_column_and_remembers(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        keys = [c.key for c in table(app).columns]
        assert "client" in keys and "Client" in header(app)
        await pilot.press("c")
        modal = await top_screen(pilot, ColumnsModal)
        options = modal.query_one(SelectionList)
        await until(pilot, lambda: options.highlighted is not None)
        while options.get_option_at_index(options.highlighted).value != "client":
            await pilot.press("down")
        await pilot.press("space", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        await until(pilot, lambda: "client" not in [c.key for c in table(app).columns])
        assert "Client" not in header(app)
        shown = [k for k in keys if k != "client"]
        assert [c.key for c in table(app).columns] == shown
        await until(pilot, lambda: columns_pref(db) == shown)  # kept in the database

    again = starting_in_list(make_app(demo_db))  # a new start on the same database
    async with again.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        assert [c.key for c in table(again).columns] == shown
        assert "Client" not in header(again)


def columns_pref(db: Database) -> list[str] | None:
    """The list columns the database remembers for the user."""
    from dealterm.core.services.users import get_user_setting

    with db.session(write=False) as session:
        value = get_user_setting(session, "list.columns")
    return json.loads(value) if value else None


async def test_typing_in_the_bulk_picker_narrows_by_every_letter(make_app, demo_db) -> None:
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        await pilot.press("b")
        picker = await top_screen(pilot, PickerModal)
        await pilot.press(*"won")
        field = picker.query_one("#picker-filter", Input)
        options = picker.query_one(OptionList)
        await pilot.pause()
        assert field.value == "won"
        assert [
            str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
        ] == ["Mark won"]
