"""A value the filter form refuses is shown where the user looks: under its own input,
which gets the focus and is scrolled into view; nothing is applied."""

from __future__ import annotations

from decimal import Decimal

from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label

from dealterm.screens.deal_list import ListScreen
from dealterm.screens.filter_form import FilterModal
from tests.ui.helpers import screen_text
from tests.ui.test_filter_form import list_ready, open_form, quiet, starting_in, table

AMOUNT_ERROR = "Amount must be a number, not 'abc'"


def in_view(form: FilterModal, widget: Widget) -> bool:
    """The widget is inside the visible part of the form's scrolled fields."""
    shown = form.query_one(VerticalScroll).region
    return widget.region.height > 0 and shown.contains_region(widget.region)


def message(form: FilterModal, row: str) -> str:
    label = form.query_one(f"#e-{row}", Label)
    return str(label.render()) if label.display else ""


async def test_a_bad_amount_takes_the_focus_with_its_message(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = starting_in(make_app(demo_db), "list")
    async with app.run_test(size=(160, 45)) as pilot:
        await list_ready(pilot)
        form = await open_form(pilot)
        amount_max = form.query_one("#f-amount_max", Input)
        amount_max.focus()
        await pilot.press("a", "b", "c")
        form.query_one("#f-search", Input).focus()  # the user may be anywhere when saving
        await pilot.press("ctrl+s")
        await pilot.pause()

        assert app.screen is form and app.deal_filter is None  # nothing applied
        assert app.focused is amount_max
        assert amount_max.has_class("-refused")
        assert message(form, "amount") == AMOUNT_ERROR
        await pilot.pause()
        assert in_view(form, form.query_one("#e-amount"))
        assert AMOUNT_ERROR in screen_text(app)
        assert not form.query_one("#filter-error").display

        # Typing in the field takes the message away; a right value applies.
        await pilot.press("backspace", "backspace", "backspace", "5", "0", "0", "0")
        assert message(form, "amount") == ""
        assert not amount_max.has_class("-refused")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)
        assert app.deal_filter is not None and app.deal_filter.amount_max == Decimal(5000)


async def test_a_refused_value_below_and_above_the_fold_is_scrolled_to(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    """In a small terminal the form scrolls: each refused input is brought into sight."""
    app = starting_in(make_app(demo_db), "list")
    async with app.run_test(size=(110, 22)) as pilot:
        await list_ready(pilot)
        form = await open_form(pilot)
        scroll = form.query_one(VerticalScroll)
        custom = form.query_one("#f-custom", Input)
        assert not in_view(form, custom)  # below the fold: the form has to scroll

        custom.value = "no condition here"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert app.focused is custom
        assert "FIELD=VALUE" in message(form, "custom")
        assert in_view(form, custom) and in_view(form, form.query_one("#e-custom"))
        assert scroll.scroll_y > 0

        custom.value = ""
        await pilot.pause()
        assert message(form, "custom") == ""
        form.query_one("#f-created_from", Input).value = "31.02.2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        created = form.query_one("#f-created_from", Input)
        assert app.focused is created
        assert "not a date" in message(form, "created")
        assert in_view(form, created) and in_view(form, form.query_one("#e-created"))
        assert app.deal_filter is None

        await pilot.press("escape")
        await quiet(pilot)
        assert isinstance(app.screen, ListScreen)
        assert app.deal_filter is None and table(app).row_count == 60


async def test_a_form_level_message_is_shown_above_the_buttons(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    """ "Save as…" with nothing set says so outside the scrolled fields, always in sight."""
    app = starting_in(make_app(demo_db), "list")
    async with app.run_test(size=(110, 22)) as pilot:
        await list_ready(pilot)
        form = await open_form(pilot)
        form.query_one("#save").press()
        await pilot.pause()
        error = form.query_one("#filter-error", Label)
        assert error.display and "Set a condition" in str(error.render())
        assert "Set a condition before saving" in screen_text(app)
