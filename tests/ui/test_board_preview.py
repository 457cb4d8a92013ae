"""The first board is on screen while the database is still opening.

The ORM takes about half a second to import; the board's columns, counts, sums and first
cards are read with sqlite3 alone meanwhile. Until the database is open, keys that need
it do nothing (they are shown disabled) instead of failing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from dealterm.app import DealtermApp
from dealterm.core.db import Database
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, NEW, PREPARATION, column_ids, counts, header_text, until


async def test_the_board_shows_before_the_database_is_open(
    demo_db: Path,
    make_app: Callable[..., DealtermApp],
    slow_open: threading.Event,
    db_of: Callable[[Path], Database],
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await until(pilot, lambda: bool(counts(app)) and any(counts(app).values()))

        assert app.crm is None  # still opening
        shown = counts(app)
        first = column_ids(app, NEW)
        assert first, "the first column shows its cards"
        assert f"{shown[NEW]}" in header_text(app, NEW)
        assert app.pipeline is not None and app.pipeline.name == "Sales"

        await pilot.press("shift+right")  # needs the database: does nothing yet
        await pilot.pause()
        assert column_ids(app, NEW) == first
        assert app.crm is None

        slow_open.set()
        await board_ready(pilot)
        assert counts(app) == shown  # the database's own read agrees

        await pilot.press("shift+right")
        await until(pilot, lambda: column_ids(app, NEW) != first)
        assert counts(app)[NEW] == shown[NEW] - 1
        assert counts(app)[PREPARATION] == shown[PREPARATION] + 1

    with db_of(demo_db).session(write=False) as session:
        from dealterm.core.queries import get_deal

        assert get_deal(session, first[0]).stage_id == PREPARATION
