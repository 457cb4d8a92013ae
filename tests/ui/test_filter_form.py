"""The filter form (`f`): presets, conditions, saved filters; every view shows the result.

The seeded demo has 60 deals in pipelines "Sales" (the board's) and "Projects".
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

from textual.widgets import Button, Input, Select
from textual.widgets._select import SelectOverlay

import dealterm.app
from dealterm.app import DealtermApp
from dealterm.core.db import Database
from dealterm.core.filters import DealFilter, Status
from dealterm.core.queries import count_deals, list_deals
from dealterm.core.services.saved_filters import list_filters
from dealterm.screens.board import BoardScreen
from dealterm.screens.deal_list import ListScreen
from dealterm.screens.filter_form import FilterModal
from dealterm.screens.prompt import PromptModal
from dealterm.widgets.board import Board
from dealterm.widgets.deal_table import DealTable
from tests.ui.conftest import board_ready, until

SIZE = (160, 45)
SALES = 1
# A filter that sets every select box of the form (responsible 3 is James Carter). No open
# deal matches it; two closed ones do.
EVERY_SELECT = DealFilter(
    status=Status.OPEN, responsible="3", currency="USD", deal_type="SERVICE", source="CALL"
)


# --- helpers -------------------------------------------------------------------------------
def starting_in(app: DealtermApp, mode: str) -> DealtermApp:
    """The same app (same database, settings and clock), opening on another view."""
    css = str(Path(dealterm.app.__file__).with_name("app.tcss"))
    cls = type(f"{mode.title()}FirstApp", (type(app),), {"DEFAULT_MODE": mode, "CSS_PATH": css})
    return cls(target=app.target, settings=app.settings, clock=app.clock, poll=app.poll)


def busy(app: Any) -> bool:
    from textual.worker import WorkerState

    return any(
        w.state in (WorkerState.PENDING, WorkerState.RUNNING) and w.group != "filter-form"
        for w in app.workers
    )


async def quiet(pilot: Any) -> None:
    """No view is loading anything (the filter form's own worker aside)."""
    await until(pilot, lambda: not busy(pilot.app))
    await pilot.pause()


def list_of(app: Any) -> ListScreen:
    return next(s for s in app.screen_stack if isinstance(s, ListScreen))


def table(app: Any) -> DealTable:
    return list_of(app).query_one(DealTable)


def list_status(app: Any) -> str:
    return str(list_of(app).query_one("#list-status").render())


def board_counts(app: Any) -> dict[int, int]:
    screen = next(s for s in app.screen_stack if isinstance(s, BoardScreen))
    return {lane.summary.stage.id: lane.summary.count for lane in screen.query_one(Board).lanes}


async def list_ready(pilot: Any) -> None:
    app = pilot.app
    await until(pilot, lambda: app.crm is not None)
    await until(
        pilot,
        lambda: (
            list_of(app).totals is not None
            and table(app).total is None
            and table(app).row_count == list_of(app).totals.count
        ),
    )
    await quiet(pilot)


async def open_form(pilot: Any) -> FilterModal:
    """Press f; the form opens with the cursor in "Words" (fails at once if the app crashed)."""
    app = pilot.app
    await pilot.press("f")
    await until(pilot, lambda: isinstance(app.screen, FilterModal) or app.return_code is not None)
    await pilot.pause()
    assert app.return_code is None, "the app crashed"
    form = app.screen
    await until(pilot, lambda: form.query_one("#f-search", Input).has_focus)
    return form


async def choose(pilot: Any, select: Select, label: str) -> None:
    """Open a focused select box with enter, arrow to ``label``, enter."""
    assert select.has_focus
    await pilot.press("enter")
    overlay = select.query_one(SelectOverlay)
    await until(pilot, lambda: overlay.has_focus)
    for _ in range(overlay.option_count):
        option = overlay.get_option_at_index(overlay.highlighted or 0)
        if str(option.prompt) == label:
            break
        await pilot.press("down")
    else:
        raise AssertionError(f"no option {label!r}")
    await pilot.press("enter")
    await until(pilot, lambda: select.has_focus)


def error_text(form: FilterModal) -> str:
    """Every message the form shows: about the whole form, or under a refused input."""
    labels = [form.query_one("#filter-error"), *form.query(".f-error")]
    return " ".join(str(label.render()) for label in labels if label.display)


def ids_of(db: Database, flt: DealFilter | None = None) -> list[int]:
    with db.session(write=False) as session:
        return [d.id for d in list_deals(session, flt, limit=None)]


def count_of(db: Database, flt: DealFilter | None = None) -> int:
    with db.session(write=False) as session:
        return count_deals(session, flt)


def saved(db: Database) -> list[DealFilter]:
    with db.session(write=False) as session:
        return list_filters(session)


# --- presets, and clearing -----------------------------------------------------------------
async def test_won_preset_filters_the_board_and_clear_removes_it_everywhere(
    make_app, demo_db, db_of
) -> None:
    db = db_of(demo_db)
    won = DealFilter(status=Status.WON)
    won_on_board = count_of(db, DealFilter(status=Status.WON, pipeline=SALES))
    all_on_board = count_of(db, DealFilter(pipeline=SALES))
    assert 0 < won_on_board < all_on_board
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await quiet(pilot)
        assert sum(board_counts(app).values()) == all_on_board
        form = await open_form(pilot)
        await pilot.press("shift+tab")  # "Start from"
        start = form.query_one("#f-start", Select)
        await choose(pilot, start, "Won")
        assert form.query_one("#f-status", Select).value == "won"  # the form shows the preset
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await until(pilot, lambda: sum(board_counts(app).values()) == won_on_board)
        await quiet(pilot)
        assert app.deal_filter is not None
        assert app.deal_filter.conditions() == won.conditions()
        assert "filter: Won" in app.sub_title
        # Only the success stage has deals.
        assert [count for count in board_counts(app).values() if count] == [won_on_board]

        # The list shows the same filter.
        await pilot.press("2")
        await list_ready(pilot)
        assert list(table(app).ids) == ids_of(db, won)
        assert "filter: Won" in app.sub_title
        assert "filter: Won" in list_status(app)

        # Clear, from the list: every view shows everything again.
        form = await open_form(pilot)
        assert form.query_one("#f-status", Select).value == "won"  # opens on the current filter
        form.query_one("#clear", Button).press()
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        await until(pilot, lambda: table(app).row_count == 60)
        await list_ready(pilot)
        assert app.deal_filter is None
        assert "filter" not in app.sub_title
        assert "filter" not in list_status(app)
        assert list(table(app).ids) == ids_of(db)
        await pilot.press("1")
        await until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await until(pilot, lambda: sum(board_counts(app).values()) == all_on_board)
        assert "filter" not in app.sub_title


# --- conditions ----------------------------------------------------------------------------
async def test_amount_range_applies_to_the_list(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    wanted = DealFilter(amount_min=Decimal(1000), amount_max=Decimal(20000))
    expected = ids_of(db, wanted)
    assert 0 < len(expected) < 60
    app = starting_in(make_app(demo_db), "list")
    async with app.run_test(size=SIZE) as pilot:
        await list_ready(pilot)
        form = await open_form(pilot)
        form.query_one("#f-amount_min", Input).value = "1000"
        form.query_one("#f-amount_max", Input).value = "20000"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        await until(pilot, lambda: list(table(app).ids) == expected)
        await list_ready(pilot)
        assert app.deal_filter is not None
        assert app.deal_filter.conditions() == wanted.conditions()
        assert list_status(app).startswith(f"{len(expected)} deals · ")
        assert "≥ 1000" in app.sub_title and "≤ 20000" in app.sub_title
        amounts = [table(app).rows[i]["amount"] for i in expected if i in table(app).rows]
        assert amounts and all(Decimal(1000) <= a <= Decimal(20000) for a in amounts)


async def test_bad_values_show_an_error_and_apply_nothing(make_app, demo_db) -> None:
    app = starting_in(make_app(demo_db), "list")
    async with app.run_test(size=SIZE) as pilot:
        await list_ready(pilot)
        form = await open_form(pilot)
        form.query_one("#f-amount_min", Input).value = "abc"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: error_text(form) != "")
        assert "mount" in error_text(form)  # names the field: "Amount …"
        assert app.screen is form  # still open, so the value can be fixed
        assert app.deal_filter is None

        form.query_one("#f-amount_min", Input).value = ""
        form.query_one("#f-close_from", Input).value = "31.02.2026"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "lose" in error_text(form))  # "Close from …"
        assert app.screen is form
        assert app.deal_filter is None

        await pilot.press("escape")  # cancel: nothing applied
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        await quiet(pilot)
        assert app.deal_filter is None
        assert table(app).row_count == 60
        assert "filter" not in app.sub_title


# --- saved filters -------------------------------------------------------------------------
async def test_save_as_stores_the_filter_and_offers_it_next_time(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    assert saved(db) == []
    wanted = DealFilter(status=Status.WON, amount_min=Decimal(5000))
    expected = ids_of(db, wanted)
    assert 0 < len(expected) < 60
    app = starting_in(make_app(demo_db), "list")
    async with app.run_test(size=SIZE) as pilot:
        await list_ready(pilot)
        form = await open_form(pilot)
        form.query_one("#f-amount_min", Input).value = "5000"
        form.query_one("#f-status", Select).value = "won"
        await save_as(pilot, form, "Big wins")
        await until(pilot, lambda: [f.name for f in saved(db)] == ["Big wins"])
        [stored] = saved(db)
        assert stored.conditions() == wanted.conditions()
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        await until(pilot, lambda: list(table(app).ids) == expected)
        await list_ready(pilot)
        assert "filter: Big wins" in app.sub_title
        assert app.return_code is None, "the app crashed"

        # Next time it is offered in "Start from", and fills the form.
        form = await open_form(pilot)
        form.query_one("#f-amount_min", Input).value = ""
        form.query_one("#f-status", Select).value = "any"
        await pilot.press("shift+tab")
        await choose(pilot, form.query_one("#f-start", Select), "★ Big wins")
        assert Decimal(form.query_one("#f-amount_min", Input).value) == 5000
        assert form.query_one("#f-status", Select).value == "won"
        # And it can be deleted there (which also clears the filter).
        form.query_one("#delete", Button).press()
        await until(pilot, lambda: saved(db) == [])
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        await until(pilot, lambda: app.deal_filter is None and table(app).row_count == 60)


async def save_as(pilot: Any, form: FilterModal, name: str) -> None:
    """Press "Save as…", type the name in the question that follows, enter."""
    app = pilot.app
    form.query_one("#save", Button).press()
    await until(pilot, lambda: isinstance(app.screen, PromptModal))
    field = app.screen.query_one(Input)
    await until(pilot, lambda: field.has_focus)
    await pilot.press(*name, "enter")


# --- the form shows the current filter ----------------------------------------------------
async def test_form_opens_on_the_current_filter_and_applies_changes(
    make_app, demo_db, db_of
) -> None:
    db = db_of(demo_db)
    assert count_of(db, EVERY_SELECT) == 0
    changed = dataclasses.replace(EVERY_SELECT, status=Status.ANY)
    expected = ids_of(db, changed)
    assert len(expected) == 2
    app = starting_in(make_app(demo_db), "list")
    async with app.run_test(size=SIZE) as pilot:
        await list_ready(pilot)
        app.set_filter(EVERY_SELECT)
        await until(pilot, lambda: table(app).row_count == 0 and list_of(app).totals.count == 0)
        await list_ready(pilot)
        form = await open_form(pilot)
        values = {
            key: form.query_one(f"#f-{key}", Select).value
            for key in ("status", "responsible", "currency", "type", "source")
        }
        assert values == {
            "status": "open",
            "responsible": "3",
            "currency": "USD",
            "type": "SERVICE",
            "source": "CALL",
        }
        assert "James Carter" in str(
            form.query_one("#f-responsible", Select).query_one("SelectCurrent").label  # type: ignore[attr-defined]
        )
        status = form.query_one("#f-status", Select)
        status.focus()
        await until(pilot, lambda: status.has_focus)
        await choose(pilot, status, "Any")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        await until(pilot, lambda: sorted(table(app).ids) == sorted(expected))
        await list_ready(pilot)
        assert app.deal_filter is not None
        assert app.deal_filter.conditions() == changed.conditions()
        assert "responsible 3" in app.sub_title
