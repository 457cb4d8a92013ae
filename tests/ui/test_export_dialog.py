"""The export dialog, from the list's bulk action (b) and from the command palette.

The seeded demo has 60 deals in two pipelines; "today" is frozen at 2026-03-10.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from textual.command import CommandList, CommandPalette
from textual.notifications import Notify
from textual.widgets import Input, Label, OptionList, Select

from dealterm.core.filters import DealFilter
from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.screens.deal_list import ListScreen
from dealterm.screens.export_dialog import ExportDialog
from dealterm.screens.picker import PickerModal
from tests.ui.conftest import until
from tests.ui.test_list_view import (
    SIZE,
    ids_of,
    open_list,
    pick,
    starting_in_list,
    table,
    top_screen,
)

SALES = 1


def _notes() -> tuple[list[str], Any]:
    notes: list[str] = []

    def hook(message: Any) -> None:
        if isinstance(message, Notify):
            notes.append(message.notification.message)

    return notes, hook


async def _open_dialog(pilot: Any) -> ExportDialog:
    """b, then "Export…" in the bulk picker: the export dialog."""
    app = pilot.app
    await pilot.press("b")
    picker = await top_screen(pilot, PickerModal)
    options = picker.query_one(OptionList)
    labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    wanted = (
        "Export (CSV or JSON)…"
        if "Export (CSV or JSON)…" in labels
        else ("Export every deal the filter shows (CSV or JSON)…")
    )
    await pick(pilot, wanted)
    await until(pilot, lambda: isinstance(app.screen, ExportDialog))
    await pilot.pause()
    return app.screen  # type: ignore[no-any-return]


def _csv_ids(path: Path) -> list[int]:
    text = path.read_bytes().decode("utf-8-sig")
    return [int(row["ID"]) for row in csv.DictReader(io.StringIO(text, newline=""))]


def _error(dialog: ExportDialog, key: str) -> str:
    return str(dialog.query_one(f"#e-{key}", Label).render())


async def test_export_of_the_selection_writes_the_file(make_app, demo_db, db_of, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    chosen = ids_of(db)[:3]
    target = tmp_path / "chosen.csv"
    notes, hook = _notes()
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await open_list(pilot)
        await pilot.press("space", "space", "space")
        assert table(app).selected == set(chosen)
        dialog = await _open_dialog(pilot)
        assert dialog.title_text == "Export 3 deals (the selection)"
        path = dialog.query_one("#f-path", Input)
        assert path.value == "~/deals-2026-03-10.csv"  # in the home folder, dated today
        assert app.focused is path
        assert dialog.query_one("#f-format", Select).value == "csv"
        assert dialog.query_one("#f-encoding", Select).value == "utf-8-sig"
        path.value = str(target)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        await until(pilot, lambda: f"Exported 3 deals to {target}" in notes)
        assert table(app).selected == set(chosen)  # an export changes nothing
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfID,Title,")  # UTF-8 for Excel
    exported = _csv_ids(target)
    assert set(exported) == set(chosen)  # a deal with product rows takes several lines
    assert exported == sorted(exported)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("demo")) == [
        "chosen.csv"
    ]


async def test_nothing_selected_exports_the_current_filter_as_json(  # type: ignore[no-untyped-def]
    make_app, demo_db, db_of, tmp_path
) -> None:
    db = db_of(demo_db)
    flt = DealFilter(pipeline=SALES)
    expected = ids_of(db, flt)
    assert 1 < len(expected) < len(ids_of(db))
    target = tmp_path / "sales.json"
    notes, hook = _notes()
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await open_list(pilot)
        app.set_filter(flt)
        await until(pilot, lambda: list(table(app).ids) == expected)
        assert not table(app).selected
        dialog = await _open_dialog(pilot)
        assert dialog.title_text == f"Export {len(expected)} deals (the current filter)"
        path = dialog.query_one("#f-path", Input)
        encoding = dialog.query_one("#f-encoding", Select)
        dialog.query_one("#f-format", Select).value = "json"
        await until(pilot, lambda: path.value == "~/deals-2026-03-10.json")
        assert encoding.disabled  # JSON is always UTF-8
        path.value = str(target)
        path.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        await until(pilot, lambda: f"Exported {len(expected)} deals to {target}" in notes)
    deals = json.loads(target.read_text(encoding="utf-8"))
    assert [d["id"] for d in deals] == expected
    assert {d["pipeline"] for d in deals} == {"Sales"}


async def test_a_bad_path_or_encoding_is_shown_in_the_dialog(  # type: ignore[no-untyped-def]
    make_app, demo_db, db_of, tmp_path
) -> None:
    db = db_of(demo_db)
    with db.session() as session:
        zurich = create_deal(session, DealCreate(title="Office in Zürich"))
    total = len(ids_of(db))
    out = tmp_path / "out"
    out.mkdir()
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        dialog = await _open_dialog(pilot)
        assert dialog.title_text == f"Export all {total} deals"
        path = dialog.query_one("#f-path", Input)

        path.value = str(out / "missing" / "deals.csv")
        await pilot.press("enter")
        await until(pilot, lambda: "cannot write" in _error(dialog, "path"))
        assert "No such file or directory" in _error(dialog, "path")
        assert app.screen is dialog  # still open, with what was typed
        assert path.value == str(out / "missing" / "deals.csv")
        assert app.focused is path

        path.value = str(out / "deals.csv")
        await pilot.pause()
        assert _error(dialog, "path") == ""  # typing clears the message
        dialog.query_one("#f-encoding", Select).value = "cp1251"
        path.focus()
        await pilot.press("enter")
        await until(pilot, lambda: "Windows-1251 cannot hold" in _error(dialog, "encoding"))
        assert f"#{zurich.id}" in _error(dialog, "encoding")
        assert app.screen is dialog
        assert list(out.iterdir()) == []  # no half-written file

        dialog.query_one("#f-encoding", Select).value = "utf-8"
        path.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
    raw = (out / "deals.csv").read_bytes()
    assert raw.startswith(b"ID,Title,")  # plain UTF-8: no BOM
    assert "Office in Zürich" in raw.decode("utf-8")
    assert len(set(_csv_ids(out / "deals.csv"))) == total
    assert [p.name for p in out.iterdir()] == ["deals.csv"]


async def test_the_palette_exports_the_current_filter(  # type: ignore[no-untyped-def]
    make_app, demo_db, db_of, tmp_path
) -> None:
    db = db_of(demo_db)
    flt = DealFilter(pipeline=SALES)
    expected = ids_of(db, flt)
    target = tmp_path / "palette.csv"
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        app.set_filter(flt)
        await until(pilot, lambda: list(table(app).ids) == expected)
        await pilot.press("space")  # a selection does not matter here: the filter does
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        palette = app.screen
        await pilot.press(*"Export deals")

        def offered() -> list[str]:
            options = palette.query_one(CommandList)
            prompts = (options.get_option_at_index(i).prompt for i in range(options.option_count))
            return [str(prompt).splitlines()[0] for prompt in prompts]

        await until(pilot, lambda: offered()[:1] == ["Export deals (current filter)…"], timeout=3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        dialog = app.screen
        assert dialog.title_text == f"Export {len(expected)} deals (the current filter)"
        await pilot.press("escape")  # cancel: nothing is written
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        assert list(tmp_path.glob("*.csv")) == []

        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        palette = app.screen
        await pilot.press(*"Export deals")
        await until(pilot, lambda: offered()[:1] == ["Export deals (current filter)…"], timeout=3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        app.screen.query_one("#f-path", Input).value = str(target)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
    assert list(dict.fromkeys(_csv_ids(target))) == expected  # newest first, as the list


def test_export_dialog_snapshot(snap_compare, make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    """The dialog over the list, with the message a folder that does not exist gets."""
    from tests.ui.test_view_snapshots import steady

    async def run_before(pilot: Any) -> None:
        await open_list(pilot)
        dialog = await _open_dialog(pilot)
        dialog.query_one("#f-path", Input).value = "/nonexistent-dealterm/deals.csv"
        await pilot.press("enter")
        await until(pilot, lambda: "cannot write" in _error(dialog, "path"))
        await steady(pilot)

    app = starting_in_list(make_app(demo_db))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
