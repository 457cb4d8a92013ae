"""The board's first read starts with the app, before its first frame.

When the read is done by the time the board screen is composed, the board is composed
with its columns (no second mount); when it is not, a worker waits for it and the board
shows once it arrives. Either way the database (the ORM) opens after that frame.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dealterm.app import DealtermApp
from dealterm.tui import FirstBoard
from dealterm.widgets.board import Board
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, NEW, column_ids, counts, header_text, screen_text, until


@pytest.fixture
def stage_mounts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many columns each Board.set_stages call mounted."""
    calls: list[int] = []
    real = Board.set_stages

    async def counted(self: Board, summaries: list[Any]) -> None:
        calls.append(len(summaries))
        await real(self, summaries)

    monkeypatch.setattr(Board, "set_stages", counted)
    return calls


async def test_a_read_done_before_compose_is_composed_with_the_board(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    slow_open: threading.Event,
    stage_mounts: list[int],
) -> None:
    app = make_app(demo_db)
    assert app.first_board is not None
    assert app.first_board.wait(20) and app.first_board.board is not None
    async with app.run_test(size=FAST) as pilot:
        await pilot.pause()
        assert app.crm is None  # still opening
        shown = counts(app)
        assert shown and any(shown.values())
        assert f"{shown[NEW]}" in header_text(app, NEW)
        assert column_ids(app, NEW), "the first column shows its cards"
        assert "Opening the database" not in screen_text(app)
        assert stage_mounts == []  # the columns came with the screen, not in a mount after
        assert app.first_board is None  # taken by the board

        slow_open.set()
        await board_ready(pilot)
        assert counts(app) == shown


async def test_a_read_still_running_at_compose_shows_when_it_is_done(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    slow_open: threading.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    held = FirstBoard()  # not started: done only when the test reads it
    monkeypatch.setattr(FirstBoard, "start", classmethod(lambda cls, *a, **k: held))
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await pilot.pause()
        assert "Opening the database" in screen_text(app)
        assert not any(counts(app).values())

        reader = threading.Thread(target=held._read, args=(str(demo_db), app.settings, app.clock))
        reader.start()
        await until(pilot, lambda: any(counts(app).values()))
        reader.join()
        assert app.crm is None  # the quick read, not the database
        assert column_ids(app, NEW)

        slow_open.set()
        await board_ready(pilot)
        assert app.crm is not None


async def test_nothing_to_read_first_opens_the_database_at_once(
    tmp_path: Path, make_app: Callable[..., DealtermApp]
) -> None:
    missing = tmp_path / "new.db"  # created by the database, not there to read first
    app = make_app(missing)
    assert app.first_board is not None and app.first_board.wait(20)
    assert app.first_board.board is None
    async with app.run_test(size=FAST) as pilot:
        await until(pilot, lambda: app.crm is not None)
        await until(pilot, lambda: "Opening the database" not in screen_text(app))


async def test_cards_that_cannot_be_formatted_leave_the_board_to_the_database(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    slow_open: threading.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The thread reads; the cards are formatted when the board takes them. A card that
    fails there shows no half board: the database's read draws it as usual."""
    app = make_app(demo_db)
    assert app.first_board is not None and app.first_board.wait(20)
    assert app.first_board.board is not None
    real = __import__("dealterm.widgets.card_view", fromlist=["card_view"]).card_view
    broken = {"calls": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        broken["calls"] += 1
        if broken["calls"] == 3:
            raise ValueError("a card that cannot be drawn")
        return real(*args, **kwargs)

    monkeypatch.setattr("dealterm.widgets.card_view.card_view", failing)
    async with app.run_test(size=FAST) as pilot:
        await pilot.pause()
        assert broken["calls"] == 3
        assert not any(counts(app).values())  # nothing from the failed preview
        assert "Opening the database" in screen_text(app)
        slow_open.set()
        await board_ready(pilot)
        assert app.crm is not None
        assert any(counts(app).values()) and column_ids(app, NEW)


class _EndsDuringCompose(FirstBoard):
    """A read not done at the board screen's first look, done right after it."""

    def __init__(self, target: str, settings: Any, clock: Any) -> None:
        super().__init__()
        self.args, self.looks = (target, settings, clock), 0

    @property
    def done(self) -> bool:  # type: ignore[override]
        self.looks += 1
        was = self._done.is_set()
        if self.looks == 1:
            self._read(*self.args)  # the thread ends now
            return was
        return self._done.is_set()


async def test_a_read_ending_while_the_board_is_composed_still_shows_first(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    slow_open: threading.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def start(cls: type, target: str, *, settings: Any, clock: Any = None) -> FirstBoard:
        return _EndsDuringCompose(target, settings, clock)

    monkeypatch.setattr(FirstBoard, "start", classmethod(start))
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        # The database is held: only the quick read can show cards now.
        await until(pilot, lambda: any(counts(app).values()))
        assert app.crm is None and column_ids(app, NEW)
        slow_open.set()
        await board_ready(pilot)
