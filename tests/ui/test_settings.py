"""The settings screen (`s`), driven with the keyboard: what it shows and what the database keeps.

Seeded demo used here: pipeline "Sales" (id 1, default, stages 1-8, 45 deals) and "Projects"
(id 2, stages 9-16, 15 deals: 2 in New, 1 in Document preparation, 9 won, 3 lost). Sales'
"Prepayment invoice" (3) holds deals #47 and #60. Every test runs the real app on a private
copy of the demo file and checks what the settings screen wrote through the core
(:class:`~dealterm.core.setup.Setup`, the deal queries, the settings file).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from textual.command import CommandList, CommandPalette
from textual.widgets import Checkbox, DataTable, Input, OptionList, Select

from dealterm.config import config_path
from dealterm.core import formatting
from dealterm.core.models import Deal
from dealterm.core.queries import DealFilter, list_deals
from dealterm.core.setup import Setup
from dealterm.screens.board import BoardScreen
from dealterm.screens.confirm import ConfirmModal
from dealterm.screens.deal_card import DealCardScreen
from dealterm.screens.form import FormModal
from dealterm.screens.new_deal import NewDealModal
from dealterm.screens.picker import PickerModal
from dealterm.screens.settings import SettingsScreen
from dealterm.widgets.card_about import AboutForm
from tests.ui.conftest import board_ready
from tests.ui.helpers import (
    FAST,
    back_on_board,
    board,
    busy,
    event_count,
    events,
    label_text,
    open_card,
    read_deal,
    screen_text,
    select_deal,
    settle,
    until,
    wait_for_screen,
)

SALES, PROJECTS = 1, 2


# --- helpers ---------------------------------------------------------------------------------
async def open_settings(pilot: Any) -> SettingsScreen:
    """Press `s` on a view; wait until the settings screen shows its first pane."""
    await pilot.press("s")
    screen = await wait_for_screen(pilot, SettingsScreen)
    await settle(pilot)
    return screen


async def written(pilot: Any) -> None:
    """A pane's change (or its refusal) is over and the pane has read its data again."""
    await until(pilot, lambda: not busy(pilot.app, ["settings-write", "form-save"]))
    await settle(pilot)


async def shows(pilot: Any, text: str, *, timeout: float = 5.0) -> None:
    """The terminal shows ``text`` (at once, or as soon as the screen catches up)."""
    await until(pilot, lambda: text in screen_text(pilot.app), timeout=timeout)


async def dialog(pilot: Any, key: str) -> FormModal:
    """Press a pane's key and wait for the form it opens."""
    await pilot.press(key)
    return await wait_for_screen(pilot, FormModal)


def fill(modal: FormModal, **values: Any) -> None:
    """Put values in a form's fields (`#f-<key>`): text, a select's value, a checkbox."""
    for key, value in values.items():
        widget = modal.query_one(f"#f-{key}")
        assert isinstance(widget, Input | Select | Checkbox), widget
        widget.value = value


async def save(pilot: Any, modal: FormModal, key: str = "ctrl+s") -> None:
    """Save the form; it must close."""
    await pilot.press(key)
    await until(pilot, lambda: modal not in pilot.app.screen_stack)
    await written(pilot)


async def refused(pilot: Any, modal: FormModal, field: str) -> str:
    """Save the form; it must stay open with a message under ``field``, which is returned."""
    await pilot.press("ctrl+s")
    await until(pilot, lambda: not busy(pilot.app, ["form-save"]))
    await pilot.pause()
    assert pilot.app.screen is modal
    message = label_text(modal, f"#e-{field}")
    assert message, f"no message under {field}: {screen_text(pilot.app)}"
    await shows(pilot, message[:40])  # under the field (a long one wraps)
    return message


def cells(app: Any, selector: str) -> list[list[str]]:
    """A settings table as plain text."""
    table = app.screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def row_of(app: Any, selector: str, key: str) -> list[str]:
    """The cells of a settings table's row with this key."""
    table = app.screen.query_one(selector, DataTable)
    return [str(cell) for cell in table.get_row(key)]


def highlight(app: Any, selector: str, column: int, text: str) -> None:
    """Put a table's cursor on the row whose cell ``column`` reads ``text``."""
    table = app.screen.query_one(selector, DataTable)
    names = [row[column] for row in cells(app, selector)]
    assert text in names, names
    table.move_cursor(row=names.index(text))


async def choose_section(pilot: Any, label: str) -> None:
    """From anywhere in settings: back to the section list, arrow to ``label``, enter."""
    app = pilot.app
    nav = app.screen.query_one("#settings-nav", OptionList)
    if not nav.has_focus:
        await pilot.press("escape")
    labels = [str(nav.get_option_at_index(i).prompt) for i in range(nav.option_count)]
    target = labels.index(label)
    while nav.highlighted != target:
        await pilot.press("down" if (nav.highlighted or 0) < target else "up")
    await pilot.press("enter")
    await settle(pilot)
    assert app.focused is not None and isinstance(app.focused, DataTable)


def stage_names(setup: Setup, pipeline_id: int) -> list[str]:
    return [s.name for s in setup.stages(pipeline_id)]


def deals_titled(db: Any, title: str) -> list[Any]:
    with db.session(write=False) as session:
        return [d for d in list_deals(session, DealFilter(search=title)) if d.title == title]


def pipeline_named(setup: Setup, name: str) -> Any:
    found = [p for p in setup.pipelines() if p.name == name]
    assert len(found) == 1, [p.name for p in setup.pipelines()]
    return found[0]


# --- the "done when" -------------------------------------------------------------------
async def test_an_administrator_sets_up_pipelines_stages_and_fields_from_the_tui(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    setup = Setup(db)
    demo_fields = [row.definition.code for row in setup.fields()]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        settings = await open_settings(pilot)
        assert app.sub_title == "demo.db · settings"
        await shows(pilot, "Stages of Sales")

        # A new pipeline, typed and then renamed; it starts with the default stages.
        await pilot.press("right")
        assert app.focused is settings.query_one("#pipelines-table")
        modal = await dialog(pilot, "a")
        await pilot.press(*"Wholesale")
        await save(pilot, modal, "enter")
        wholesale = pipeline_named(setup, "Wholesale").id
        assert stage_names(setup, wholesale) == stage_names(setup, SALES)
        await shows(pilot, "Stages of Wholesale")  # the cursor is on the new one
        modal = await dialog(pilot, "enter")
        assert modal.query_one("#f-name", Input).value == "Wholesale"
        fill(modal, name="Wholesale B2B")
        await save(pilot, modal)
        await pilot.press("asterisk")  # the default pipeline from now on
        await written(pilot)
        assert [(p.name, p.is_default) for p in setup.pipelines()] == [
            ("Sales", False),
            ("Projects", False),
            ("Wholesale B2B", True),
        ]
        assert cells(app, "#pipelines-table")[2] == ["Wholesale B2B", "0", "default"]

        # Its stages: an in-progress one with a palette colour, probability and rotting days...
        await pilot.press("right")
        assert app.focused is settings.query_one("#stages-table")
        modal = await dialog(pilot, "a")
        await shows(pilot, "New stage in “Wholesale B2B”")
        fill(modal, name="Negotiation")
        await pilot.press("tab", "tab")  # name -> kind -> the palette
        assert app.focused is modal.query_one("#p-color")
        await pilot.press("enter", "down", "down", "enter")  # the third colour
        assert modal.query_one("#f-color", Input).value == "#55D0E0"
        fill(modal, probability="35")
        modal.query_one("#f-rotting_days", Input).focus()
        await pilot.press("5")
        await save(pilot, modal, "enter")
        # ... one with a typed colour ...
        modal = await dialog(pilot, "a")
        fill(modal, name="Site survey", probability="25")
        modal.query_one("#f-color", Input).focus()
        await pilot.press("home", "ctrl+k", *"#12ab9c")
        await save(pilot, modal)
        # ... and a failure stage, which goes after the success stage.
        modal = await dialog(pilot, "a")
        fill(modal, name="Went silent")
        await pilot.press("tab", "enter", "down", "enter")  # kind: Failure
        assert modal.query_one("#f-semantics", Select).value == "failure"
        await save(pilot, modal)
        stages = {s.name: s for s in setup.stages(wholesale)}
        negotiation, survey = stages["Negotiation"], stages["Site survey"]
        assert (negotiation.semantics, negotiation.color) == ("process", "#55D0E0")
        assert (negotiation.probability, negotiation.rotting_days) == (35, 5)
        assert (survey.color, survey.probability, survey.rotting_days) == ("#12AB9C", 25, None)
        assert (stages["Went silent"].semantics, stages["Went silent"].probability) == (
            "failure",
            0,
        )
        # Site survey comes first (shift+up), and Final invoice is not wanted here.
        highlight(app, "#stages-table", 1, "Site survey")
        await pilot.press("shift+up")
        await written(pilot)
        highlight(app, "#stages-table", 1, "Final invoice")
        await pilot.press("delete")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await written(pilot)
        expected = [
            "New",
            "Document preparation",
            "Prepayment invoice",
            "In progress",
            "Site survey",
            "Negotiation",
            "Deal successful",
            "Deal failed",
            "Failure reason analysis",
            "Went silent",
        ]
        assert stage_names(setup, wholesale) == expected
        assert [row[1] for row in cells(app, "#stages-table")] == expected
        shown = {row[1]: row for row in cells(app, "#stages-table")}
        assert shown["Negotiation"][2:6] == ["in progress", "35%", "5 d", "0"]
        assert shown["Went silent"][2] == "failure"

        # The second pipeline: Projects' Final invoice becomes Acceptance, 90 %.
        await pilot.press("left")
        highlight(app, "#pipelines-table", 0, "Projects")
        await shows(pilot, "Stages of Projects")
        await settle(pilot)
        await pilot.press("right")
        highlight(app, "#stages-table", 1, "Final invoice")
        modal = await dialog(pilot, "enter")
        assert modal.query_one("#f-probability", Input).value == "80"
        fill(modal, name="Acceptance", probability="90")
        await save(pilot, modal)
        acceptance = next(s for s in setup.stages(PROJECTS) if s.code == "FINAL_INVOICE")
        assert (acceptance.name, acceptance.probability) == ("Acceptance", 90)

        # Custom fields: a list with options and a default, a required text, a money field.
        await choose_section(pilot, "Custom fields")
        for values in (
            {
                "label": "Segment",
                "type": "list",
                "options": "Retail, Wholesale, Public",
                "default": "Retail",
            },
            {"label": "Contract number", "required": True},
            {"label": "Budget", "type": "money"},
        ):
            modal = await dialog(pilot, "a")
            fill(modal, **values)
            await save(pilot, modal)
        fields = {row.definition.code: row.definition for row in setup.fields()}
        assert [code for code in fields if code not in demo_fields] == [
            "UF_CRM_SEGMENT",
            "UF_CRM_CONTRACT_NUMBER",
            "UF_CRM_BUDGET",
        ]
        segment = fields["UF_CRM_SEGMENT"]
        assert (segment.type, segment.options, segment.default, segment.required) == (
            "list",
            ("Retail", "Wholesale", "Public"),
            "Retail",
            False,
        )
        assert fields["UF_CRM_CONTRACT_NUMBER"].required
        assert fields["UF_CRM_BUDGET"].type == "money"
        assert cells(app, "#fields-table")[-3:] == [
            ["Segment", "UF_CRM_SEGMENT", "List", "", "Retail", "Retail, Wholesale, Public", ""],
            ["Contract number", "UF_CRM_CONTRACT_NUMBER", "Text", "yes", "", "", ""],
            ["Budget", "UF_CRM_BUDGET", "Money", "", "", "", ""],
        ]

        # Escape twice: back on the board, which still shows Sales.
        await pilot.press("escape", "escape")
        await back_on_board(pilot)
        assert app.sub_title == "demo.db · Sales"

        # p: the new pipeline's board has its stages in the order set up.
        await pilot.press("p")
        await wait_for_screen(pilot, PickerModal)
        await shows(pilot, "Wholesale B2B")
        await pilot.press(*"B2B", "enter")
        await until(pilot, lambda: board(app).lanes[0].summary.stage.pipeline_id == wholesale)
        await settle(pilot)
        assert [lane.summary.stage.name for lane in board(app).lanes] == expected
        assert app.sub_title == "demo.db · Wholesale B2B"


async def test_the_new_deal_form_asks_for_a_required_field_added_in_settings(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await open_settings(pilot)
        await choose_section(pilot, "Custom fields")
        modal = await dialog(pilot, "a")
        fill(modal, label="Contract number", required=True)
        await save(pilot, modal)
        await pilot.press("escape", "escape")
        await back_on_board(pilot)

        await pilot.press("n")
        modal = await wait_for_screen(pilot, NewDealModal)
        assert modal.query("#cf-UF_CRM_CONTRACT_NUMBER")
        modal.query_one("#title", Input).value = "Pallets for Contoso"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is modal
        assert label_text(modal, "#cf-error-UF_CRM_CONTRACT_NUMBER") == (
            "Contract number is required"
        )
        assert deals_titled(db, "Pallets for Contoso") == []
        modal.query_one("#cf-UF_CRM_CONTRACT_NUMBER", Input).value = "C-2026-17"
        await pilot.press("ctrl+s")
        await back_on_board(pilot)
        [deal] = deals_titled(db, "Pallets for Contoso")
        assert deal.custom_fields == {"UF_CRM_CONTRACT_NUMBER": "C-2026-17"}


# --- refusals ------------------------------------------------------------------------------
async def test_the_palette_opens_custom_fields_and_refusals_show_inline_writing_nothing(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    setup = Setup(db)
    pipelines_before = setup.pipelines()
    stages_before = setup.stages(SALES)
    fields_before = setup.fields()
    history_before = event_count(db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST, notifications=True) as pilot:
        await board_ready(pilot)
        await pilot.press("ctrl+p")
        palette = await wait_for_screen(pilot, CommandPalette)
        await pilot.press(*"Settings: Custom")

        def offered() -> list[str]:
            options = palette.query_one(CommandList)
            prompts = (options.get_option_at_index(i).prompt for i in range(options.option_count))
            return [str(prompt).splitlines()[0] for prompt in prompts]

        await until(pilot, lambda: offered()[:1] == ["Settings: Custom fields"], timeout=3)
        await pilot.press("enter")
        settings = await wait_for_screen(pilot, SettingsScreen)
        await settle(pilot)
        nav = settings.query_one("#settings-nav", OptionList)
        assert str(nav.get_option_at_index(nav.highlighted or 0).prompt) == "Custom fields"
        assert settings.query_one("ContentSwitcher").current == "pane-fields"
        await shows(pilot, "Custom fields")

        # A list field without options.
        await pilot.press("enter")
        assert app.focused is settings.query_one("#fields-table")
        modal = await dialog(pilot, "a")
        fill(modal, label="Segment", type="list")
        assert await refused(pilot, modal, "options") == "a list field needs options"
        assert app.focused is modal.query_one("#f-options")  # the cursor goes to the field
        await pilot.press("escape")
        await written(pilot)
        assert setup.fields() == fields_before

        # A pipeline without a name, and one with a name taken (in any case).
        await choose_section(pilot, "Pipelines and stages")
        modal = await dialog(pilot, "a")
        assert await refused(pilot, modal, "name") == "a pipeline needs a name"
        fill(modal, name="sales")
        assert await refused(pilot, modal, "name") == "a pipeline called 'sales' already exists"
        await pilot.press("escape")
        await written(pilot)

        # A stage with probability 150, then with a colour that is not #RRGGBB.
        await pilot.press("right")
        highlight(app, "#stages-table", 1, "Document preparation")
        modal = await dialog(pilot, "enter")
        fill(modal, probability="150")
        assert await refused(pilot, modal, "probability") == (
            "Probability must be a whole number from 0 to 100 (150)"
        )
        fill(modal, probability="30", color="#12345")
        assert await refused(pilot, modal, "color") == "a colour is written #RRGGBB, not '#12345'"
        assert str(modal.query_one("#s-color").render()).strip() == "?"  # no swatch for it
        await pilot.press("escape")
        await written(pilot)

        # The first stage and the success stage cannot be deleted: no dialog, a message.
        for stage, message in (
            ("New", "The first stage cannot be deleted"),
            ("Deal successful", "The success stage cannot be deleted"),
        ):
            app.clear_notifications()
            highlight(app, "#stages-table", 1, stage)
            await pilot.press("delete")
            await written(pilot)
            assert app.screen is settings
            assert [n.message for n in app._notifications] == [message]
            await shows(pilot, message)

    assert setup.pipelines() == pipelines_before
    assert setup.stages(SALES) == stages_before
    assert setup.fields() == fields_before
    assert event_count(db) == history_before


# --- deleting what holds deals -------------------------------------------------------------
def deals_in(db: Any, **where: int) -> dict[int, tuple[int, int]]:
    """Deal id -> (pipeline id, stage id) of the deals matching ``where`` (column=value)."""
    query = select(Deal.id, Deal.pipeline_id, Deal.stage_id)
    for column, value in where.items():
        query = query.where(getattr(Deal, column) == value)
    with db.session(write=False) as session:
        return {row[0]: (row[1], row[2]) for row in session.execute(query)}


async def test_deleting_a_stage_or_a_pipeline_with_deals_moves_them_first(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    setup = Setup(db)
    prepayment = deals_in(db, stage_id=3)
    assert len(prepayment) > 1
    in_progress_before = len(deals_in(db, stage_id=4))
    projects = deals_in(db, pipeline_id=PROJECTS)
    kinds = {s.id: s.semantics for s in setup.stages(PROJECTS)}
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await open_settings(pilot)
        await pilot.press("right", "right")
        highlight(app, "#stages-table", 1, "Prepayment invoice")
        modal = await dialog(pilot, "delete")
        await shows(pilot, "Delete stage “Prepayment invoice”")
        shown = screen_text(app)
        assert f"It holds {len(prepayment)} deals; choose the stage they go to." in shown
        assert "Move its deals to" in shown
        offered = [label for label, _ in modal.fields[0].options]
        assert "Prepayment invoice" not in offered and "In progress" in offered
        assert await refused(pilot, modal, "move_to") == (
            f"stage 'Prepayment invoice' holds {len(prepayment)} deals; choose the stage they go to"
        )
        fill(modal, move_to="4")  # In progress
        await save(pilot, modal)
        assert "Prepayment invoice" not in stage_names(setup, SALES)
        assert [row[1] for row in cells(app, "#stages-table")] == stage_names(setup, SALES)
        in_progress = next(r for r in cells(app, "#stages-table") if r[1] == "In progress")
        assert in_progress[5] == str(in_progress_before + len(prepayment))

        await pilot.press("left")
        highlight(app, "#pipelines-table", 0, "Projects")
        modal = await dialog(pilot, "delete")
        await shows(pilot, "Delete pipeline “Projects”")
        assert f"It holds {len(projects)} deals." in screen_text(app)
        fill(modal, move_to=str(SALES))
        await save(pilot, modal)
        assert [p.name for p in setup.pipelines()] == ["Sales"]
        assert [row[0] for row in cells(app, "#pipelines-table")] == ["Sales"]
        await shows(pilot, "Stages of Sales")

    assert deals_in(db, stage_id=3) == {}
    for deal_id in prepayment:
        assert deals_in(db, id=deal_id)[deal_id] == (SALES, 4)
        moved = events(db, deal_id, "stage_changed")[0]
        assert (moved.old_value, moved.new_value) == ("Prepayment invoice", "In progress")
    first_of = {"process": 1, "success": 6, "failure": 7}  # New, Deal successful, Deal failed
    for deal_id, (_pipeline, stage_id) in projects.items():
        assert deals_in(db, id=deal_id)[deal_id] == (SALES, first_of[kinds[stage_id]])
        moved = events(db, deal_id, "pipeline_changed")[0]
        assert moved.old_value.startswith("Projects / ")
        assert moved.new_value.startswith("Sales / ")


# --- the card layout, the new deal form and the card -------------------------------------------
def highlight_key(app: Any, selector: str, key: str) -> None:
    """Put a table's cursor on the row with this key."""
    table = app.screen.query_one(selector, DataTable)
    table.move_cursor(row=table.get_row_index(key))


def define_fields(db: Any) -> None:
    """A list field with a default, a required text field and a money field (as the CLI would)."""
    setup = Setup(db)
    setup.define_field(
        "SEGMENT",
        "Segment",
        type="list",
        options=["Retail", "Wholesale", "Public"],
        default="Retail",
    )
    setup.define_field("UF_CRM_CONTRACT_NUMBER", "Contract number", required=True)
    setup.define_field("UF_CRM_BUDGET", "Budget", type="money")


async def test_card_layout_places_and_hides_fields_and_a_new_deal_needs_the_required_one(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    setup = Setup(db)
    define_fields(db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await open_settings(pilot)
        await choose_section(pilot, "Deal card layout")
        last = setup.layout()[-1]
        assert last.name == "More"  # where new fields go
        assert row_of(app, "#layout-table", f"s:{last.id}") == [
            "▾ More",
            "",
            f"{len(last.fields)} fields",
        ]
        assert cells(app, "#layout-table")[-3:] == [
            ["    Segment", "always", "List · custom"],
            ["    Contract number", "always", "Text · custom · required"],
            ["    Budget", "always", "Money · custom"],
        ]
        modal = await dialog(pilot, "a")
        fill(modal, name="Contract")
        await save(pilot, modal)
        highlight_key(app, "#layout-table", "f:UF_CRM_CONTRACT_NUMBER")
        await pilot.press("m")
        await wait_for_screen(pilot, PickerModal)
        await shows(pilot, "Move the field to section")
        await pilot.press(*"Contr", "enter")  # typing narrows the list to "Contract"
        await written(pilot)
        highlight_key(app, "#layout-table", "f:UF_CRM_BUDGET")
        await pilot.press("v")  # always -> when filled
        await written(pilot)
        assert row_of(app, "#layout-table", "f:UF_CRM_BUDGET")[1] == "when filled"
        await pilot.press("v")  # -> on demand
        await written(pilot)
        assert cells(app, "#layout-table")[-4:] == [
            ["    Segment", "always", "List · custom"],
            ["    Budget", "on demand", "Money · custom"],
            ["▾ Contract", "", "1 field"],
            ["    Contract number", "always", "Text · custom · required"],
        ]
        sections = {s.name: s for s in setup.layout()}
        assert list(sections)[-2:] == ["More", "Contract"]
        assert [f.key for f in sections["Contract"].fields] == ["UF_CRM_CONTRACT_NUMBER"]
        assert [(f.key, f.visibility) for f in sections["More"].fields][-2:] == [
            ("UF_CRM_SEGMENT", "always"),
            ("UF_CRM_BUDGET", "hidden"),
        ]
        await pilot.press("escape", "escape")
        await back_on_board(pilot)

        # A new deal must have the required field: refused inline, then created with it.
        await pilot.press("n")
        modal = await wait_for_screen(pilot, NewDealModal)
        assert modal.query("#cf-UF_CRM_CONTRACT_NUMBER")
        modal.query_one("#title", Input).value = "Pallets for Contoso"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is modal
        assert label_text(modal, "#cf-error-UF_CRM_CONTRACT_NUMBER") == (
            "Contract number is required"
        )
        assert deals_titled(db, "Pallets for Contoso") == []
        modal.query_one("#cf-UF_CRM_CONTRACT_NUMBER", Input).value = "C-2026-17"
        await pilot.press("ctrl+s")
        await back_on_board(pilot)
        [deal] = deals_titled(db, "Pallets for Contoso")
        assert deal.custom_fields == {
            "UF_CRM_CONTRACT_NUMBER": "C-2026-17",
            "UF_CRM_SEGMENT": "Retail",  # the default
        }

        # Its card: the Contract section holds the field; Budget shows only after ctrl+o.
        current = board(app).current_card
        assert current is not None and current.card.id == deal.id
        await pilot.press("enter")
        card = await wait_for_screen(pilot, DealCardScreen)
        await until(pilot, lambda: card.deal is not None)
        await settle(pilot)
        form = card.query_one(AboutForm)
        label = form.query_one(f"#section-{len(sections) - 1}")
        assert str(label.render()) == "Contract" and label.display
        contract = form.query_one("#f-UF_CRM_CONTRACT_NUMBER", Input)
        children = list(form.children)
        assert children.index(contract.parent) == children.index(label) + 1
        assert contract.value == "C-2026-17" and contract.display
        assert form.query_one("#f-UF_CRM_SEGMENT", Select).value == "Retail"
        budget = form.query_one("#f-UF_CRM_BUDGET", Input)
        assert not budget.display
        tucked = label_text(form, "#more-fields")  # Budget, Source details (when filled), ...
        assert re.fullmatch(r"\d+ more fields?: ctrl\+o shows them", tucked)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert budget.display
        assert label_text(form, "#more-fields") == "ctrl+o shows only the usual fields"
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert not budget.display


async def test_a_missing_required_field_is_shown_where_the_user_looks(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    define_fields(db_of(demo_db))
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        modal = await wait_for_screen(pilot, NewDealModal)
        modal.query_one("#title", Input).value = "Pallets for Contoso"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is modal
        assert label_text(modal, "#cf-error-UF_CRM_CONTRACT_NUMBER") == (
            "Contract number is required"
        )
        assert app.focused is modal.query_one("#cf-UF_CRM_CONTRACT_NUMBER", Input)
        await shows(pilot, "Contract number is required", timeout=1)


# --- directories ----------------------------------------------------------------------------
async def test_directories_add_edit_hide_and_restore_values(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    setup = Setup(db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST, notifications=True) as pilot:
        await board_ready(pilot)
        await open_settings(pilot)

        await choose_section(pilot, "Sources")
        modal = await dialog(pilot, "a")
        await shows(pilot, "New source")
        fill(modal, name="Podcast", code="PODCAST")
        await save(pilot, modal)
        assert cells(app, "#table-source")[-1] == ["Podcast", "PODCAST", ""]

        await choose_section(pilot, "Currencies")
        highlight_key(app, "#table-currency", "EUR")
        modal = await dialog(pilot, "enter")
        assert modal.query_one("#f-rate", Input).value == "1.08000000"
        fill(modal, rate="1.1")
        await save(pilot, modal)
        eur = next(r for r in cells(app, "#table-currency") if r[0] == "EUR")
        assert eur[3] == "1.1"

        # A type deals use is hidden, not deleted (and still listed); r offers it again.
        await choose_section(pilot, "Deal types")
        highlight_key(app, "#table-type", "SALE")
        await pilot.press("delete")
        await wait_for_screen(pilot, ConfirmModal)
        app.clear_notifications()
        await pilot.press("y")
        await written(pilot)
        assert [n.message for n in app._notifications] == [
            "“Sales” hidden (deals use it; r restores it)"
        ]
        assert cells(app, "#table-type")[0] == ["Sales", "SALE", "hidden"]
        assert not next(e for e in setup.entries("type") if e.key == "SALE").active
        await pilot.press("r")
        await written(pilot)
        assert cells(app, "#table-type")[0] == ["Sales", "SALE", ""]

        await choose_section(pilot, "Products")
        modal = await dialog(pilot, "a")
        fill(modal, name="Rack cabinet", price="1 200,50", currency="EUR", tax_rate="20")
        await save(pilot, modal)
        products = {row[0]: row for row in cells(app, "#table-product")}
        assert products["Rack cabinet"] == ["Rack cabinet", "1200.50", "EUR", "pcs", "20.00%", ""]

    entries = {kind: {e.key: e for e in setup.entries(kind)} for kind in ("source", "type")}
    assert entries["source"]["PODCAST"].name == "Podcast"
    assert entries["type"]["SALE"].active
    eur = next(e for e in setup.entries("currency") if e.key == "EUR")
    assert Decimal(eur.details["rate"]) == Decimal("1.1")
    product = next(e for e in setup.entries("product") if e.name == "Rack cabinet")
    assert product.details["price"] == "1200.50" and product.details["currency"] == "EUR"
    assert Decimal(product.details["tax_rate"]) == 20


# --- preferences ----------------------------------------------------------------------------
@pytest.fixture
def formats_restored() -> Iterator[None]:
    """Changing a preference reconfigures formatting for the whole process: put it back."""
    saved = formatting.current()
    yield
    formatting.configure(saved)


async def test_preferences_change_the_date_format_and_remap_a_key(
    make_app, demo_db, db_of, formats_restored
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    deal = read_deal(db, 39)  # in New, on the Sales board
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await open_settings(pilot)
        await choose_section(pilot, "Preferences")
        highlight_key(app, "#preferences-table", "date_format")
        assert cells(app, "#preferences-table")[2][:2] == ["Date format", "iso"]
        await shows(pilot, f"Saved in {config_path()}")
        modal = await dialog(pilot, "enter")
        await pilot.press("enter", "down", "enter")  # ISO -> 28.11.2026
        assert modal.query_one("#f-value", Select).value == "dd.mm.yyyy"
        await save(pilot, modal)
        assert cells(app, "#preferences-table")[2][:2] == ["Date format", "dd.mm.yyyy"]
        assert 'date_format = "dd.mm.yyyy"' in config_path().read_text()

        modal = await dialog(pilot, "k")
        await shows(pilot, "Remap a key")
        fill(modal, binding="board.won", key="W")
        await save(pilot, modal)
        assert ["Key of board.won", "W", "remapped"] in cells(app, "#preferences-table")
        assert re.search(r'"?board\.won"? = "W"', config_path().read_text())
        await pilot.press("escape", "escape")
        await back_on_board(pilot)

        # The new key works on the board (the old one no longer does).
        select_deal(app, 39)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)  # nothing opened
        await pilot.press("W")
        await wait_for_screen(pilot, ConfirmModal)
        await shows(pilot, f"Mark “{deal.title}” as won?")
        await pilot.press("n")
        await back_on_board(pilot)

        # Dates show as 28.11.2026 on the card.
        card = await open_card(pilot, deal.id)
        assert card.query_one("#f-close_date", Input).value == deal.close_date.strftime("%d.%m.%Y")
        await shows(pilot, deal.close_date.strftime("%d.%m.%Y"))
