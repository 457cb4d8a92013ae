"""Tables show their cells whole, even when a frame is drawn before they measure columns."""

from __future__ import annotations

from typing import Any

import pytest

from dealterm.widgets.settings_base import KeyedTable
from tests.ui.conftest import SIZE, board_ready
from tests.ui.helpers import screen_text, until
from tests.ui.test_settings import open_settings


@pytest.fixture
def frame_after_each_fill(monkeypatch: pytest.MonkeyPatch) -> None:
    """Draw the screen right after a table is filled, before the table is next idle.

    That is what a busy machine does now and then; it used to leave every cell of the
    settings' stages table cut to its heading ("Docum" for "Document preparation").
    """
    fill = KeyedTable.fill

    def fill_then_draw(self: KeyedTable, *args: Any, **kwargs: Any) -> None:
        fill(self, *args, **kwargs)
        if self.is_mounted:
            screen_text(self.app)

    monkeypatch.setattr(KeyedTable, "fill", fill_then_draw)


@pytest.mark.usefixtures("frame_after_each_fill")
async def test_stage_names_are_whole_after_an_early_frame(make_app: Any, demo_db: Any) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await open_settings(pilot)
        await pilot.press("right")

        await until(pilot, lambda: "Deals" in screen_text(app))
        await until(pilot, lambda: "Failure reason analysis" in screen_text(app), timeout=5)
        shown = screen_text(app)
        assert "Document preparation" in shown
        assert "in progress" in shown
