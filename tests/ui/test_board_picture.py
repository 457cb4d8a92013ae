"""The board's first frame is a picture of it (one widget); the board replaces it after.

A user must not see the swap: the picture looks like the board mounted after it, cell for
cell. Keys typed while the picture is up are not lost, and the board comes whatever
happens first (the database opening, a card that cannot be drawn).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.style import Style
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input

from dealterm.app import DealtermApp
from dealterm.core.db import Database
from dealterm.core.errors import DealtermError
from dealterm.screens.board import BoardScreen
from tests.ui.conftest import board_ready
from tests.ui.helpers import NEW, PREPARATION, board, counts, picture, screen_text, until


def _cells(app: DealtermApp) -> list[list[tuple[Any, ...]]]:
    """Every cell on screen as the eye sees it: its character and colours (a blank cell's
    background only: the colour of a space's text cannot be seen)."""
    rows = []
    for strip in app.screen._compositor.render_strips():
        row = []
        for segment in strip:
            style = segment.style or Style()
            for char in segment.text:
                if char == " " and not (style.reverse or style.underline):
                    row.append((char, style.bgcolor))
                else:
                    looks = (style.bold, style.underline, style.reverse, style.italic, style.dim)
                    row.append((char, style.color, style.bgcolor, *looks))
        rows.append(row)
    return rows


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> list[BoardScreen]:
    """Board screens whose picture stays up: what follows the first frame is not called
    (the test calls it, :func:`swap`)."""
    screens: list[BoardScreen] = []
    real = DealtermApp.call_after_frame

    def call_after_frame(self: DealtermApp, callback: Callable[[], object]) -> None:
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, BoardScreen) and callback.__name__ == "_after_first_frame":
            screens.append(owner)
            return
        real(self, callback)

    monkeypatch.setattr(DealtermApp, "call_after_frame", call_after_frame)
    return screens


@contextlib.asynccontextmanager
async def picture_up(
    app: DealtermApp, held: list[BoardScreen], size: tuple[int, int] = (160, 45)
) -> AsyncIterator[Any]:
    """The app running with the first read done before its board screen was composed (as
    in a terminal), up to its first frame: the picture, which stays up (see ``held``)."""
    assert app.first_board is not None and app.first_board.wait(20)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: bool(held))
        yield pilot


async def swap(pilot: Any, screen: BoardScreen) -> None:
    """What the app does once the first frame is out: the board replaces its picture."""
    screen._after_first_frame()
    await until(pilot, lambda: picture(pilot.app) is None)
    await pilot.pause()


@pytest.mark.parametrize(
    ("size", "theme"),
    [((160, 45), "textual-dark"), ((100, 30), "textual-light"), ((250, 40), "nord")],
)
async def test_the_first_frame_is_a_picture_that_looks_like_the_board_after_it(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    slow_open: threading.Event,
    held: list[BoardScreen],
    size: tuple[int, int],
    theme: str,
) -> None:
    """Every cell: the header, the status line, the columns, the scrollbars, the keys."""
    app = make_app(demo_db)
    app.theme = theme
    async with picture_up(app, held, size=size) as pilot:
        shown = picture(app)
        assert shown is not None and app.crm is None
        assert any(counts(app).values())
        before = _cells(app)
        text = screen_text(app)
        assert f"{counts(app)[NEW]:,} · $" in text and "dealterm" in text
        assert f"{sum(counts(app).values()):,} deals" in text

        await swap(pilot, held[0])
        assert board(app).lanes and app.focused is board(app)
        assert app.theme == theme
        after = _cells(app)
        differ = [y for y, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        assert differ == [], f"lines {differ} changed when the board replaced its picture"

        slow_open.set()
        await board_ready(pilot)


async def test_keys_typed_while_the_picture_is_up_move_the_board_after(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    slow_open: threading.Event,
    held: list[BoardScreen],
) -> None:
    app = make_app(demo_db)
    async with picture_up(app, held) as pilot:
        await pilot.press("right", "right", "left", "down", "down")
        assert picture(app) is not None  # kept, not acted on yet

        await swap(pilot, held[0])
        await until(pilot, lambda: board(app).current_row == 2)
        the_board = board(app)
        assert the_board.stage_ids[the_board.column] == PREPARATION  # in the order typed
        assert app.focused is the_board


async def test_a_dialog_key_typed_while_the_picture_is_up_opens_it_in_turn(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    slow_open: threading.Event,
    held: list[BoardScreen],
) -> None:
    """The command palette's key (a priority binding) waits its turn too: keys typed
    before it are not typed into the palette's search."""
    app = make_app(demo_db)
    async with picture_up(app, held) as pilot:
        await pilot.press("down", "x", "ctrl+p")
        assert not isinstance(app.screen, CommandPalette)

        await swap(pilot, held[0])
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.pause()
        assert app.screen.query_one(Input).value == ""  # "x" was not typed into it


async def test_the_terminal_losing_focus_while_the_picture_is_up(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    slow_open: threading.Event,
    held: list[BoardScreen],
) -> None:
    app = make_app(demo_db)
    async with picture_up(app, held) as pilot:
        app.post_message(events.AppBlur())
        await pilot.pause()
        await swap(pilot, held[0])
        app.post_message(events.AppFocus())
        await pilot.pause()
        assert app.focused is board(app)
        await pilot.press("down")
        await until(pilot, lambda: board(app).current_row == 1)


async def test_a_database_that_fails_to_open_while_the_picture_is_up(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    held: list[BoardScreen],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It opens a second after the first read at the latest, drawn or not; what it says
    then reaches the board, which replaces its picture first."""

    def broken(*args: Any, **kwargs: Any) -> Database:
        raise DealtermError("the database is locked by another program")

    monkeypatch.setattr(Database, "open", broken)
    app = make_app(demo_db)
    async with picture_up(app, held) as pilot:
        await until(pilot, lambda: picture(app) is None)  # without the swap being called
        await until(pilot, lambda: "locked by another program" in screen_text(app))
        assert app.return_code is None  # still running


async def test_a_database_open_before_the_board_replaced_its_picture(
    demo_db: Path, make_app: Callable[..., DealtermApp], held: list[BoardScreen]
) -> None:
    """The board never replaces its picture after the first frame here: the database's
    own read, when it arrives, mounts it."""
    app = make_app(demo_db)
    async with picture_up(app, held) as pilot:
        await pilot.press("down")
        await board_ready(pilot)  # the database opens after waiting for the frame
        assert picture(app) is None
        await until(pilot, lambda: board(app).current_row == 1)  # and the key came
        assert board(app).current_card is not None


async def test_a_card_further_down_that_cannot_be_drawn_leaves_the_board_to_the_database(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    slow_open: threading.Event,
    held: list[BoardScreen],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The picture formats the cards it shows; the board formats the rest of the first
    pages once the picture is up. One of those failing shows no half board."""
    app = make_app(demo_db)
    real = __import__("dealterm.widgets.card_view", fromlist=["card_view"]).card_view
    calls = {"picture": 0, "after": 0}
    stage = {"now": "picture"}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls[stage["now"]] += 1
        if stage["now"] == "after" and calls["after"] == 2:
            raise ValueError("a card that cannot be drawn")
        return real(*args, **kwargs)

    monkeypatch.setattr("dealterm.widgets.card_view.card_view", failing)
    async with picture_up(app, held, size=(100, 30)) as pilot:
        assert picture(app) is not None and calls["picture"]
        stage["now"] = "after"
        await swap(pilot, held[0])
        assert calls["after"] >= 2, "the first pages hold more cards than the picture shows"
        assert "Opening the database" in screen_text(app)
        assert board(app).lanes == []  # nothing from the failed read
        slow_open.set()
        await board_ready(pilot)
        assert any(counts(app).values())
