"""The deal card: editing About, conflicts, products, activities and comments.

Deals of the seeded demo used here: #39 (New, manual amount, one planned call), #22 (New,
amount follows its three product rows), #60 (Prepayment invoice, nothing planned).
"""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Input, TextArea

from dealterm.core.services import deals
from dealterm.screens.activity_form import ActivityModal, NextActivityModal
from dealterm.screens.comment import CommentModal
from dealterm.screens.confirm import ConfirmModal
from dealterm.screens.conflict import ConflictModal
from dealterm.screens.deal_card import DealCardScreen
from dealterm.screens.product_row import ProductRowModal
from dealterm.widgets.card_about import AboutForm
from tests.ui.conftest import board_ready
from tests.ui.helpers import (
    FAST,
    busy,
    event_count,
    events,
    label_text,
    open_card,
    read_deal,
    read_detail,
    screen_text,
    settle,
    table_rows,
    until,
    wait_for_screen,
)


def set_field(card, field: str, value: str) -> None:  # type: ignore[no-untyped-def]
    card.query_one(f"#f-{field}", Input).value = value


async def save_and_wait(pilot) -> None:  # type: ignore[no-untyped-def]
    """ctrl+s, then wait until the save (or its refusal) is over."""
    await pilot.press("ctrl+s")
    await until(pilot, lambda: not busy(pilot.app, ["card-write"]))
    await settle(pilot)


# --- About --------------------------------------------------------------------------------


async def test_bad_values_show_beside_the_field_and_save_nothing(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    saved = read_deal(db, 39)
    written = event_count(db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST, notifications=True) as pilot:
        await board_ready(pilot)
        card = await open_card(pilot, 39)
        card.query_one("#f-comments", TextArea).text = "A good change that must wait"
        for field, bad, message in (
            ("amount", "12,5x", "Amount must be a number, not '12,5x'"),
            (
                "close_date",
                "31.02.2026",
                "Close date: '31.02.2026' is not a date: the month has no such day",
            ),
            ("title", "x" * 256, "Title is 256 characters long; the limit is 255"),
        ):
            good = card.query_one(f"#f-{field}", Input).value
            set_field(card, field, bad)
            await pilot.pause()
            assert label_text(card, f"#e-{field}") == message
            app.clear_notifications()
            await save_and_wait(pilot)
            assert [n.message for n in app._notifications] == [
                "Fix the fields marked in red; nothing was saved"
            ]
            assert isinstance(app.screen, DealCardScreen)
            assert label_text(card, f"#e-{field}") == message
            assert message[:30] in screen_text(app)  # beside the field, in red
            assert read_deal(db, 39).version == saved.version  # nothing at all was saved
            assert event_count(db) == written
            set_field(card, field, good)
            await pilot.pause()
            assert label_text(card, f"#e-{field}") == ""
    deal = read_deal(db, 39)
    assert (deal.title, deal.amount, deal.close_date, deal.comments) == (
        saved.title,
        saved.amount,
        saved.close_date,
        saved.comments,
    )


async def test_a_good_edit_is_saved_with_history_and_a_comment_is_added(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        card = await open_card(pilot, 39)
        set_field(card, "title", "Installation for Northwind, phase 2")
        set_field(card, "amount", "1 234,50")
        await save_and_wait(pilot)
        deal = read_deal(db, 39)
        assert deal.title == "Installation for Northwind, phase 2"
        assert deal.amount == Decimal("1234.50")
        assert "#39 Installation for Northwind, phase 2" in label_text(card, "#card-title")
        assert "· $1,234.50 · " in label_text(card, "#card-summary")
        assert not card.query_one(AboutForm).is_dirty()
        changed = {e.field: (e.old_value, e.new_value) for e in events(db, 39, "field_changed")}
        assert changed["title"] == (
            "Installation for Northwind Systems Corp",
            "Installation for Northwind, phase 2",
        )
        assert changed["amount"] == ("516.00", "1234.50")

        await pilot.press("f6")
        await settle(pilot)
        descriptions = [row[3] for row in table_rows(card, "#history-table")]
        assert "amount: 516.00 → 1234.50" in descriptions
        await pilot.press("c")
        comment = await wait_for_screen(pilot, CommentModal)
        comment.query_one(TextArea).text = "They want the install before April"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, DealCardScreen)
        await until(pilot, lambda: events(db, 39, "comment"))
        await settle(pilot)
        assert table_rows(card, "#history-table")[0][2:] == [
            "comment",
            "They want the install before April",
        ]
        assert "They want the install before April" in screen_text(app)
    assert events(db, 39)[0].text == "They want the install before April"


async def test_a_change_made_elsewhere_shows_a_conflict(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        card = await open_card(pilot, 39)
        set_field(card, "title", "My title")
        with db.session() as session:  # someone else saves the same deal meanwhile
            deals.update_deal(
                session,
                39,
                deals.DealUpdate(title="Their title", amount="777"),
                expected_version=None,
            )
        written = event_count(db)

        await pilot.press("ctrl+s")
        conflict = await wait_for_screen(pilot, ConflictModal)
        rows = table_rows(conflict, "#conflict-table")
        assert ["title", "My title", "Their title"] in rows
        assert "changed by someone else while you edited it" in screen_text(app)
        await pilot.click("#theirs")  # Use the saved values
        await wait_for_screen(pilot, DealCardScreen)
        await settle(pilot)
        assert card.query_one("#f-title", Input).value == "Their title"
        assert card.query_one("#f-amount", Input).value == "777.00"
        assert "#39 Their title" in label_text(card, "#card-title")
        assert not card.query_one(AboutForm).is_dirty()

    deal = read_deal(db, 39)
    assert (deal.title, deal.amount) == ("Their title", Decimal("777.00"))
    assert event_count(db) == written
    assert all(e.new_value != "My title" for e in events(db, 39))


async def test_a_deal_without_a_source_can_be_edited(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    with db.session() as session:  # e.g. made with `dealterm deal add` without --source
        plain = deals.create_deal(session, deals.DealCreate(title="Plain deal", stage=1))
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        card = await open_card(pilot, plain.id)
        assert not card.query_one(AboutForm).is_dirty()  # nothing typed yet
        set_field(card, "title", "Plain deal, renamed")
        await save_and_wait(pilot)
        assert read_deal(db, plain.id).title == "Plain deal, renamed"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmModal)


async def test_typing_in_the_title_adds_to_it_whenever_the_focus_came(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    """The card opens with the cursor in the title while its read fills it. On a busy
    machine the focus could arrive after the title: the whole title was selected then,
    and the first key typed replaced it."""
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        card = await open_card(pilot, 39)
        title = card.query_one("#f-title", Input)
        before = title.value
        assert before
        # The late focus, made to happen: away and back once the title is there.
        card.query_one("#f-amount", Input).focus()
        await pilot.pause()
        title.focus()
        await pilot.pause()
        await pilot.press("!")
        assert title.value == before + "!"


# --- products -----------------------------------------------------------------------------


async def test_adding_a_product_row_moves_the_amount(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    before = read_detail(db, 22)
    assert not before.manual_amount and len(before.products) == 3
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        card = await open_card(pilot, 22)
        await pilot.press("f4")
        await settle(pilot)
        assert card.query_one("#products-table").has_focus

        await pilot.press("n")
        row = await wait_for_screen(pilot, ProductRowModal)
        row.query_one("#row-name", Input).value = "Anchor bolts"
        row.query_one("#row-price", Input).value = "25"
        row.query_one("#row-quantity", Input).value = "-4"
        await pilot.press("ctrl+s")  # a bad quantity: the row stays open, nothing is saved
        await pilot.pause()
        assert app.screen is row
        assert label_text(row, "#row-quantity-error") == "Quantity must be greater than zero (-4)"
        row.query_one("#row-quantity", Input).value = "four"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is row
        assert label_text(row, "#row-quantity-error") == "Quantity must be a number, not 'four'"
        assert len(read_detail(db, 22).products) == 3
        assert read_deal(db, 22).version == before.version

        row.query_one("#row-quantity", Input).value = "4"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, DealCardScreen)
        await until(pilot, lambda: len(read_detail(db, 22).products) == 4)
        await settle(pilot)
        assert table_rows(card, "#products-table")[-1][:3] == ["Anchor bolts", "25.00", "4 pcs"]
        assert "4 rows · total $5,807.20" in label_text(card, "#products-total")
        assert "deal amount $5,807.20" in label_text(card, "#products-total")

    after = read_detail(db, 22)
    assert after.amount == before.amount + Decimal("100.00") == Decimal("5807.20")
    assert not after.manual_amount
    assert sum(r.total for r in after.products) == after.amount


async def test_enter_edits_a_product_row(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await open_card(pilot, 22)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("enter")
        row = await wait_for_screen(pilot, ProductRowModal, timeout=1)
        assert row.query_one("#row-name", Input).value == "Steel beams"


async def test_ctrl_w_on_the_card_marks_won(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        card = await open_card(pilot, 39)
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert card.query_one("#f-title", Input).value == "Installation for Northwind Systems Corp"
        await wait_for_screen(pilot, ConfirmModal, timeout=1)


# --- activities ---------------------------------------------------------------------------


async def plan(pilot, subject: str, deadline: str | None = None) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("a")
    modal = await wait_for_screen(pilot, ActivityModal)
    assert "Plan an activity" in screen_text(pilot.app)
    modal.query_one("#subject", Input).value = subject
    if deadline is not None:
        modal.query_one("#deadline", Input).value = deadline
    await pilot.press("ctrl+s")
    await wait_for_screen(pilot, DealCardScreen)
    await until(pilot, lambda: not busy(pilot.app, ["card-write"]))
    await settle(pilot)


async def test_plan_and_complete_activities(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        card = await open_card(pilot, 60)
        await pilot.press("f5")
        await settle(pilot)

        await plan(pilot, "Send the contract", "2026-03-12 15:00")
        await plan(pilot, "Call the CFO")  # the form's default: tomorrow at 10:00
        planned = {a.subject: a for a in read_detail(db, 60).activities if not a.completed}
        assert set(planned) == {"Send the contract", "Call the CFO"}
        assert planned["Send the contract"].deadline.isoformat() == "2026-03-12T12:00:00+00:00"
        assert planned["Call the CFO"].deadline.isoformat() == "2026-03-11T07:00:00+00:00"
        rows = table_rows(card, "#activities-table")
        assert rows[0] == ["2026-03-11 10:00", "call", "Call the CFO", "Emily Clark", "planned"]
        assert rows[1][:3] == ["2026-03-12 15:00", "call", "Send the contract"]
        assert len(events(db, 60, "activity_planned")) == 2

        # Done with one of two: the other is still planned, so nothing is asked.
        assert card.query_one("#activities-table").selected_key() == str(planned["Call the CFO"].id)
        await pilot.press("d")
        await until(pilot, lambda: len(events(db, 60, "activity_done")) == 1)
        await settle(pilot)
        assert isinstance(app.screen, DealCardScreen)
        done = [r[2] for r in table_rows(card, "#activities-table") if r[4] == "done"]
        assert "Call the CFO" in done

        # Done with the last one: the card offers to plan the next.
        assert card.query_one("#activities-table").selected_key() == str(
            planned["Send the contract"].id
        )
        await pilot.press("d")
        await wait_for_screen(pilot, NextActivityModal)
        assert "Schedule the next activity" in screen_text(app)
        assert all(a.completed for a in read_detail(db, 60).activities)
        await pilot.press("escape")  # not now: back on the card
        await wait_for_screen(pilot, DealCardScreen)
        await settle(pilot)
        assert isinstance(app.screen, DealCardScreen)
    assert len(events(db, 60, "activity_done")) == 2
    assert not [a for a in read_detail(db, 60).activities if not a.completed]
