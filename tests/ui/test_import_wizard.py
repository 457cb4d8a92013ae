"""The import wizard (list view `i`, or the palette): file, columns, check, import — by keyboard.

The app runs on an empty database file; the CSV is written by the test. What the wizard shows
is checked on screen, what it imported in the database.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import Checkbox, DataTable, Input

from dealterm.core.db import Database
from dealterm.core.models import Deal
from dealterm.screens.deal_list import ListScreen
from dealterm.screens.import_wizard import ImportWizard
from dealterm.screens.picker import PickerModal
from tests.ui.conftest import until
from tests.ui.helpers import FAST, label_text, settle, table_rows, wait_for_screen

CSV = (
    "ID,Title,Amount,Currency,Stage,Company,Notes\n"
    'A-1,Pallets for Contoso,"1,250.00",USD,NEW,Contoso Ltd,call back on Monday\n'
    "A-2,Racks for Fabrikam,abc,USD,NEW,Fabrikam Inc,\n"
    "A-3,Shelving for Contoso,300,USD,PREPARATION,Contoso Ltd,\n"
)


def deals(db: Database) -> dict[str, Deal]:
    with db.session(write=False) as session:
        return {d.title: d for d in session.execute(select(Deal)).scalars()}


async def open_wizard(pilot: Any) -> ImportWizard:
    await pilot.press("2")
    await wait_for_screen(pilot, ListScreen)
    await settle(pilot)
    await pilot.press("i")
    return await wait_for_screen(pilot, ImportWizard)  # type: ignore[no-any-return]


async def test_a_csv_is_checked_mapped_and_imported_with_bad_rows_set_aside(
    make_app, empty_db, db_of, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "leads.csv"
    source.write_text(CSV, encoding="utf-8")
    db = db_of(empty_db)
    app = make_app(empty_db)
    async with app.run_test(size=FAST) as pilot:
        wizard = await open_wizard(pilot)
        assert app.focused is wizard.query_one("#path", Input)

        # A file that is not there: the message is in the dialog, the path keeps the cursor.
        await pilot.press(*str(tmp_path / "nope.csv"), "enter")
        await until(pilot, lambda: "nope.csv" in label_text(wizard, "#file-error"))
        assert app.focused is wizard.query_one("#path", Input)

        wizard.query_one("#path", Input).value = str(source)
        await pilot.press("enter")
        await until(pilot, lambda: wizard.step == "step-columns")
        summary = label_text(wizard, "#columns-summary")
        assert "leads.csv: 3 rows" in summary and "recognised from the headers" in summary
        mapping = {row[0]: row[2] for row in table_rows(wizard, "#mapping")}
        assert mapping["Title"] == "Title"
        assert mapping["Notes"] == "— left out —"
        assert table_rows(wizard, "#preview")[0][:2] == ["A-1", "Pallets for Contoso"]

        # Notes go to the comments: enter on the row, type to narrow, enter.
        table = wizard.query_one("#mapping", DataTable)
        assert app.focused is table
        table.move_cursor(row=6)
        await pilot.press("enter")
        picker = await wait_for_screen(pilot, PickerModal)
        await pilot.press(*"Comment")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is wizard)
        mapping = {row[0]: row[2] for row in table_rows(wizard, "#mapping")}
        assert mapping["Notes"] != "— left out —"
        assert picker is not app.screen

        # The dry run finds the bad amount and writes nothing.
        await pilot.press("ctrl+n")
        await until(pilot, lambda: wizard.report is not None)
        assert "1 bad row of 3" in label_text(wizard, "#check-summary")
        [bad] = table_rows(wizard, "#bad")
        assert bad[:3] == ["3", "Amount", "abc"]
        assert deals(db) == {}

        # Importing with bad rows is refused until they are skipped.
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert wizard.step == "step-check"
        assert "skip the bad rows" in label_text(wizard, "#check-summary")
        assert deals(db) == {}
        checkbox = wizard.query_one("#skip-bad", Checkbox)
        assert app.focused is checkbox
        await pilot.press("space")
        assert checkbox.value
        await pilot.press("ctrl+n")
        await until(pilot, lambda: wizard.done is not None)
        result = label_text(wizard, "#result")
        assert result.startswith("Done.") and "2 deals were created" in result
        assert "1 bad row skipped" in result
        rejects = wizard.done.rejects_path  # type: ignore[union-attr]
        assert rejects is not None and rejects.exists()
        assert "Racks for Fabrikam" in rejects.read_text(encoding="utf-8-sig")

        imported = deals(db)
        assert set(imported) == {"Pallets for Contoso", "Shelving for Contoso"}
        assert imported["Pallets for Contoso"].amount == Decimal("1250.00")
        assert imported["Pallets for Contoso"].comments == "call back on Monday"
        assert (
            imported["Pallets for Contoso"].company_id
            == imported["Shelving for Contoso"].company_id
        )  # one Contoso, not two

        # Escape closes; the list shows the new deals.
        await pilot.press("escape")
        screen = await wait_for_screen(pilot, ListScreen)
        await until(pilot, lambda: screen.totals is not None and screen.totals.count == 2)


async def test_the_palette_opens_the_wizard_and_escape_leaves_nothing_behind(
    make_app, empty_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    from textual.command import CommandPalette

    db = db_of(empty_db)
    app = make_app(empty_db)
    async with app.run_test(size=FAST) as pilot:
        await until(pilot, lambda: app.crm is not None)
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, CommandPalette)
        await pilot.press(*"Import deals")
        await pilot.pause(0.3)
        await pilot.press("enter")
        wizard = await wait_for_screen(pilot, ImportWizard)
        assert wizard.step == "step-file"
        # the view keys are off in the wizard: "2" goes into the path, not to the list
        await pilot.press("2")
        assert wizard.query_one("#path", Input).value == "2"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ImportWizard))
        assert deals(db) == {}
