"""Recurring deals in the app: the start-up run, the templates screen, R and ctrl+r."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from textual.widgets import Input, Label

from dealterm.core.crm import Crm
from dealterm.core.models import RecurringTemplate
from dealterm.core.services import custom_fields
from dealterm.core.services.products import ProductRowInput
from dealterm.core.services.recurring import TemplateInput
from dealterm.screens.confirm import ConfirmModal
from dealterm.screens.form import FormModal
from dealterm.screens.recurring import RecurringScreen
from tests.ui.conftest import board_ready
from tests.ui.helpers import (
    FAST,
    open_card,
    select_deal,
    settle,
    table_rows,
    until,
    wait_for_screen,
)


def _shown(app, widget) -> bool:  # type: ignore[no-untyped-def]
    """The widget is on screen, not clipped out of its scrolled dialog."""
    from textual.errors import NoWidget

    try:
        return app.screen.get_widget_at(widget.region.x, widget.region.y)[0] is widget
    except NoWidget:
        return False


def _templates(db):  # type: ignore[no-untyped-def]
    return Crm(db).recurring_templates()


async def test_the_app_runs_due_templates_at_start_and_manages_them(  # type: ignore[no-untyped-def]
    make_app, empty_db, db_of
) -> None:
    db = db_of(empty_db)
    crm = Crm(db)
    crm.add_recurring(TemplateInput(title="Daily check", unit="day", company="Acme Ltd"))
    crm.add_recurring(TemplateInput(title="Monthly fee", amount="250", start="2026-03-31"))
    app = make_app(empty_db)
    async with app.run_test(size=FAST) as pilot:
        # the due template ran once the database opened, and said so
        await until(pilot, lambda: crm.export_count(None) == 1)
        await until(
            pilot,
            lambda: any("1 recurring deal created" in str(n.message) for n in app._notifications),
        )
        await until(pilot, lambda: app.crm is not None)
        app.action_open_screen("recurring")
        screen = await wait_for_screen(pilot, RecurringScreen)
        await until(pilot, lambda: len(screen.templates) == 2)
        rows = table_rows(screen, "#recurring-table")
        assert rows[0][:2] == ["Daily check", "Acme Ltd"]
        assert rows[0][3] == "every day from 10 Mar 2026, 1 done"
        assert rows[0][4:] == ["2026-03-11", "active"]
        assert rows[1][3] == "every month from 31 Mar 2026" and rows[1][4] == "2026-03-31"

        await pilot.press("p")  # pause the first
        await until(pilot, lambda: not _templates(db)[-1].active or not _templates(db)[0].active)
        await until(
            pilot, lambda: "paused" in [r[5] for r in table_rows(screen, "#recurring-table")]
        )

        await pilot.press("a")  # a new template; a bad value is shown beside its field
        form = await wait_for_screen(pilot, FormModal)
        form.query_one("#f-title", Input).value = "Quarterly review"
        form.query_one("#f-step", Input).value = "0"
        await pilot.press("ctrl+s")
        await until(
            pilot, lambda: "Every must be" in str(form.query_one("#e-step", Label).render())
        )
        assert isinstance(app.screen, FormModal)
        form.query_one("#f-step", Input).value = "3"
        form.query_one("#f-start", Input).value = "2026-04-30"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, RecurringScreen)
        await until(pilot, lambda: len(screen.templates) == 3)
        added = next(t for t in _templates(db) if t.title == "Quarterly review")
        assert added.schedule == "every 3 months from 30 Apr 2026"
        assert added.next_run == date(2026, 4, 30)

        await pilot.press("r")  # nothing more is due today
        await until(
            pilot,
            lambda: any("0 recurring deals created" in str(n.message) for n in app._notifications),
        )

        cursor_title = screen.templates[screen.query_one("#recurring-table").cursor_row].title
        await pilot.press("delete")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await until(pilot, lambda: len(_templates(db)) == 2)
        assert cursor_title not in [t.title for t in _templates(db)]
        await until(pilot, lambda: len(screen.templates) == 2)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, RecurringScreen))
    assert crm.export_count(None) == 1  # templates never count as deals


async def test_R_on_the_board_makes_the_selected_deal_recurring(  # type: ignore[no-untyped-def]
    make_app, demo_db, db_of
) -> None:
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await settle(pilot)
        select_deal(app, 34)
        await pilot.press("R")
        form = await wait_for_screen(pilot, FormModal)
        form.query_one("#f-start", Input).value = "2026-03-31"
        form.query_one("#f-close_offset", Input).value = "14d"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(_templates(db)) == 1)
        await until(pilot, lambda: not isinstance(app.screen, FormModal))
        made = _templates(db)[0]
        assert made.based_on_deal_id == 34 and made.next_run == date(2026, 3, 31)
        assert made.close_offset == "14d"
        await until(pilot, lambda: app.crm is not None)
        app.action_open_screen("recurring")
        screen = await wait_for_screen(pilot, RecurringScreen)
        await until(pilot, lambda: len(screen.templates) == 1)
        assert table_rows(screen, "#recurring-table")[0][0] == made.title


async def test_ctrl_r_on_the_card_makes_the_deal_recurring(  # type: ignore[no-untyped-def]
    make_app, demo_db, db_of
) -> None:
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await settle(pilot)
        await open_card(pilot, 34)
        await pilot.press("ctrl+r")
        form = await wait_for_screen(pilot, FormModal)
        form.query_one("#f-start", Input).value = "2026-06-01"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(_templates(db)) == 1)
        made = _templates(db)[0]
        assert made.based_on_deal_id == 34 and made.next_run == date(2026, 6, 1)


async def test_the_form_edits_the_contact_and_shows_products_and_fields(  # type: ignore[no-untyped-def]
    make_app, empty_db, db_of
) -> None:
    db = db_of(empty_db)
    with db.session() as session:
        custom_fields.define_field(session, "region", "Region", type="list", options=["N", "S"])
    crm = Crm(db)
    made = crm.add_recurring(
        TemplateInput(
            title="Supplies",
            company="Acme Ltd",
            contacts=["John Smith", "Mary Jones"],
            products=[
                ProductRowInput(name="Paper", price="5", quantity="10"),
                ProductRowInput(name="Ink", price="20"),
            ],
            custom_fields={"region": "S"},
            start="2026-04-01",
        )
    )
    assert made.amount == Decimal("70.00")
    app = make_app(empty_db)
    async with app.run_test(size=FAST) as pilot:
        await until(pilot, lambda: app.crm is not None)
        app.action_open_screen("recurring")
        screen = await wait_for_screen(pilot, RecurringScreen)
        await until(pilot, lambda: len(screen.templates) == 1)
        await pilot.press("enter")
        form = await wait_for_screen(pilot, FormModal)
        subtitle = str(form.query_one(".dialog-subtitle", Label).render())
        assert subtitle == (
            f"2 product rows, 1 custom field · edit them with: dealterm recurring edit {made.id}"
        )
        close = form.query_one("#f-close_offset", Input)
        assert not _shown(app, close)  # the form is taller than the terminal...
        close.focus()
        await until(pilot, lambda: _shown(app, close))  # ...and scrolls to the focused field
        contact = form.query_one("#f-contact", Input)
        assert contact.value == "John Smith"
        hints = [str(label.render()) for label in form.query(".hint").results(Label)]
        assert "the first of 2 contacts; the others stay" in hints
        contact.value = "Ann Lee"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, RecurringScreen)
        await until(pilot, lambda: _templates(db)[0].contacts[0] == "Ann Lee")
        edited = _templates(db)[0]
        assert edited.contacts == ["Ann Lee", "Mary Jones"]
        # products, fields and the amount that follows the rows are left as they were
        assert [p["name"] for p in edited.products] == ["Paper", "Ink"]
        assert edited.custom_fields == {"UF_CRM_REGION": "S"}
        with db.session(write=False) as session:
            row = session.get(RecurringTemplate, made.id)
            assert row is not None and row.is_manual_amount is False
        assert edited.next_run == date(2026, 4, 1)

        await until(
            pilot, lambda: screen.templates and screen.templates[0].contacts[0] == "Ann Lee"
        )
        await pilot.press("enter")  # clearing the field drops the first contact only
        form = await wait_for_screen(pilot, FormModal)
        form.query_one("#f-contact", Input).value = ""
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, RecurringScreen)
        await until(pilot, lambda: _templates(db)[0].contacts == ["Mary Jones"])

        await pilot.press("a")  # a new template with a contact
        form = await wait_for_screen(pilot, FormModal)
        assert "add them with dealterm recurring edit" in str(
            form.query_one(".dialog-subtitle", Label).render()
        )
        form.query_one("#f-title", Input).value = "Checkup"
        form.query_one("#f-contact", Input).value = "Zoe Park"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, RecurringScreen)
        await until(pilot, lambda: len(_templates(db)) == 2)
        added = next(t for t in _templates(db) if t.title == "Checkup")
        assert added.contacts == ["Zoe Park"] and added.company is None
