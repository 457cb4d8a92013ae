"""The app's database checkpoint thread lives exactly as long as the app: it stops when the
app exits, also when the database finished opening while the app was closing, or when a
step after opening failed."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from dealterm.app import DealtermApp
from dealterm.core.crm import Crm
from dealterm.core.errors import DatabaseError
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, until


def _checkpointers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "dealterm-checkpoint" and t.is_alive()]


async def _none_left(seconds: float = 5.0) -> list[threading.Thread]:
    deadline = time.monotonic() + seconds
    while _checkpointers() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return _checkpointers()


async def test_the_thread_runs_with_the_app_and_stops_when_it_exits(
    demo_db: Path, make_app: Callable[..., DealtermApp]
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        assert len(_checkpointers()) == 1
    assert await _none_left() == []


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.3])
async def test_a_database_opened_while_the_app_closes_is_closed(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    slow_open: threading.Event,
    delay: float,
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await pilot.pause(0.2)
        assert app.crm is None  # still opening
        threading.Timer(delay, slow_open.set).start()
    assert await _none_left() == []


async def test_a_failure_after_opening_closes_the_database(
    demo_db: Path, make_app: Callable[..., DealtermApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(_crm: Crm) -> None:
        raise DatabaseError("the database is locked")

    monkeypatch.setattr(Crm, "signature", locked)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await until(pilot, lambda: app.problem is not None)
        assert "locked" in (app.problem or "")
        assert await _none_left() == []
