"""The garbage collector is off while the app starts (run_tui) and back on once it is up.

Start-up builds objects that all live on; full collections on the way walked them again
and again (about a fifth of the time to the first frame). Off for longer, the collector
would let garbage pile up: it must be on again once the first frame is drawn, and at the
latest after app.STARTUP_GC_LIMIT seconds whatever happens.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import dealterm.app
from dealterm.app import DealtermApp
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, counts, until


@pytest.fixture
def collector_off() -> Iterator[None]:
    """Start with the collector off, as run_tui does; it is on again after the test."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.usefixtures("collector_off")
async def test_the_collector_is_on_again_once_the_first_frame_is_drawn(
    demo_db: Path, make_app: Callable[..., DealtermApp], slow_open: threading.Event
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await until(pilot, lambda: any(counts(app).values()))
        await until(pilot, gc.isenabled, timeout=5)
        assert app.crm is None  # before the database is even open

        slow_open.set()
        await board_ready(pilot)
        assert gc.isenabled()


@pytest.mark.usefixtures("collector_off")
async def test_the_collector_is_on_again_even_without_a_first_frame(
    demo_db: Path, make_app: Callable[..., DealtermApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dealterm.app, "STARTUP_GC_LIMIT", 0.5)
    monkeypatch.setattr(DealtermApp, "preview_done", lambda self: self._preview_shown.set())
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await until(pilot, gc.isenabled, timeout=5)


@pytest.mark.usefixtures("collector_off")
async def test_the_first_board_frame_goes_out_before_the_collector_and_the_database_start(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Textual renders the first frame inside its start-up batch and drops it; what runs
    "after the refresh" then ran before anything was on screen (about 50 ms at start)."""
    shown: list[tuple[bool, bool]] = []  # per frame sent out: (collector on, opening)

    def sent(self: DealtermApp) -> None:
        if not self._batch_count and any(counts(self).values()):
            shown.append((gc.isenabled(), self._preview_shown.is_set()))

    monkeypatch.setattr(DealtermApp, "post_display_hook", sent)
    app = make_app(demo_db)
    # as in a terminal: the read is done by the time the board screen is composed
    assert app.first_board is not None and app.first_board.wait(20)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        assert shown, "the board was drawn"
        assert shown[0] == (False, False)  # the board is out before either starts
        assert gc.isenabled()


@pytest.mark.usefixtures("collector_off")
async def test_a_terminal_too_small_to_draw_in_still_gets_the_collector_back(
    demo_db: Path, make_app: Callable[..., DealtermApp]
) -> None:
    """No frame is ever drawn at 0x0: what waits for the first frame runs anyway."""
    app = make_app(demo_db)
    assert app.first_board is not None and app.first_board.wait(20)
    async with app.run_test(size=(0, 0)) as pilot:
        await until(pilot, gc.isenabled, timeout=3)
        await until(pilot, lambda: app.crm is not None, timeout=20)


@pytest.fixture
def full_collections() -> Iterator[tuple[list[str], list[DealtermApp]]]:
    """Each full collection while the test runs: "keys" if the app (put in the second list)
    had a key in the last second, else "pause"."""
    seen: list[str] = []
    app_of: list[DealtermApp] = []

    def noted(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2 and app_of:
            typing = time.monotonic() - app_of[0]._last_input < dealterm.app.PAUSE_SECONDS
            seen.append("keys" if typing else "pause")

    gc.callbacks.append(noted)
    try:
        yield seen, app_of
    finally:
        gc.callbacks.remove(noted)


async def test_full_collections_wait_for_a_pause_and_python_gets_its_schedule_back(
    demo_db: Path, make_app: Callable[..., DealtermApp], full_collections: Any
) -> None:
    """A full collection walks every object the app made (20-100 ms on the UI thread): the
    app runs them when the user pauses, about as often as Python would have."""
    before = gc.get_threshold()
    seen, app_of = full_collections
    app = make_app(demo_db)
    app_of.append(app)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await until(pilot, lambda: gc.get_threshold() != before, timeout=5)
        assert gc.get_threshold() == (
            *before[:2],
            before[2] * dealterm.app.FULL_COLLECTIONS_DEFERRED,
        )
        # The views built ahead are built (that ends with a collection of its own).
        await until(pilot, lambda: app._next_view() is None and not app.workers, timeout=20)
        seen.clear()
        # As much garbage as makes Python due a full collection, made while keys come in.
        for _ in range(before[2]):
            gc.collect(1)
        for _ in range(6):
            await pilot.press("j")
            await pilot.pause(0.2)
        assert "keys" not in seen
        # The user stops: the app collects.
        await until(pilot, lambda: "pause" in seen, timeout=3)
        assert gc.get_count()[2] < before[2]
    assert gc.get_threshold() == before
