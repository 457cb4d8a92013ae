"""Fixtures for driving the real app with Pilot on a real, seeded SQLite file.

"Today" is frozen (``FROZEN`` in tests/conftest.py), the data is the demo generator's with a
fixed seed, animations are off and the terminal size is fixed, so screens and snapshots
are the same on every run.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from dealterm.app import DealtermApp
from dealterm.config import Settings
from dealterm.core.clock import FixedClock
from dealterm.core.db import Database
from dealterm.core.demo import generate_demo

SIZE = (160, 45)
DEMO_DEALS = 60
DEMO_SEED = 7


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo database made once per run (copied by each test)."""
    from zoneinfo import ZoneInfo

    from tests.conftest import FROZEN

    path = tmp_path_factory.mktemp("ui-template") / "demo.db"
    clock = FixedClock(zone=ZoneInfo("Europe/Moscow"), moment=FROZEN)
    db = Database.open(path, clock=clock, login="tester", user_name="Test User")
    with db.session(bulk=True) as session:
        generate_demo(session, deals=DEMO_DEALS, seed=DEMO_SEED)
    db.close()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database."""
    target = tmp_path / "demo.db"
    shutil.copy2(demo_template, target)
    return target


@pytest.fixture
def empty_db(tmp_path: Path, clock: FixedClock) -> Path:
    """A new database with no deals."""
    path = tmp_path / "empty.db"
    Database.open(path, clock=clock, login="tester", user_name="Test User").close()
    return path


@pytest.fixture
def make_app(clock: FixedClock) -> Callable[..., DealtermApp]:
    """Build the real app on a database file, with the frozen clock and no change polling
    (``prepare=False``: no views built ahead at idle)."""

    def make(
        db: Path | str,
        *,
        poll: bool = False,
        keymap: dict[str, str] | None = None,
        prepare: bool = True,
    ) -> DealtermApp:
        settings = Settings(locale="en_US", timezone="Europe/Moscow", keymap=keymap or {})
        return DealtermApp(
            target=str(db), settings=settings, clock=clock, poll=poll, prepare=prepare
        )

    return make


@pytest.fixture
def slow_open(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Database.open waits until the returned event is set (a slow ORM import)."""
    release = threading.Event()
    real_open = Database.open.__func__  # type: ignore[attr-defined]

    def held(cls: type[Database], *args: Any, **kwargs: Any) -> Database:
        release.wait(20)
        return real_open(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Database, "open", classmethod(held))
    yield release
    release.set()


@pytest.fixture
def db_of(clock: FixedClock) -> Callable[[Path], Database]:
    """Open the same file the app uses, to check what it wrote."""
    opened: list[Database] = []

    def open_(path: Path) -> Database:
        db = Database.open(path, clock=clock, login="tester")
        opened.append(db)
        return db

    yield open_  # type: ignore[misc]
    for db in opened:
        db.close()


async def until(pilot: Any, condition: Callable[[], Any], *, timeout: float = 10.0) -> None:
    """Let the app run until ``condition()`` is true (workers finish, screens update)."""
    waited = 0.0
    while not condition():
        if waited >= timeout:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(0.05)
        waited += 0.05


async def board_ready(pilot: Any) -> None:
    """Wait until the board shows its columns and the first card is loaded."""
    from dealterm.widgets.board import Board

    app = pilot.app

    def loaded() -> bool:
        boards = app.screen.query(Board)
        # The first board is read without the ORM and shown before the database is open;
        # the board is ready once the database is open and its own read has been shown.
        opened = app.crm is not None and not getattr(app.screen, "_full_load_pending", True)
        return (
            opened
            and bool(boards)
            and bool(boards.first().lanes)
            and boards.first().current_card is not None
        )

    await until(pilot, loaded)


Step = Callable[[Any], Awaitable[None]]
_ = datetime
