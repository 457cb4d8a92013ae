"""A view whose first read takes a while (a big database) says it is reading, not that the
database is opening: the database is open by then."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dealterm.app import DealtermApp
from dealterm.core.crm import Crm
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, screen_text, until


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], threading.Event]]:
    """Hold a Crm read until the returned event is set."""
    events: list[threading.Event] = []

    def hold(name: str) -> threading.Event:
        release = threading.Event()
        events.append(release)
        real = getattr(Crm, name)

        def waiting(self: Crm, *args: Any, **kwargs: Any) -> Any:
            release.wait(20)
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Crm, name, waiting)
        return release

    yield hold
    for release in events:
        release.set()


@pytest.mark.parametrize(
    ("key", "read", "reading", "done"),
    [
        ("3", "activity_board_top", "Reading the open deals…", "open deals"),
        ("2", "list_top", "Reading the deals…", "deals ·"),
    ],
    ids=["activities", "list"],
)
async def test_a_slow_first_read_says_it_is_reading(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    held: Callable[[str], threading.Event],
    key: str,
    read: str,
    reading: str,
    done: str,
) -> None:
    app = make_app(demo_db, prepare=False)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        release = held(read)
        await pilot.press(key)
        await until(pilot, lambda: reading in screen_text(app))
        assert "Opening the database" not in screen_text(app)
        release.set()
        await until(pilot, lambda: done in screen_text(app) and reading not in screen_text(app))
