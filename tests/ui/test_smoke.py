"""The board opens on a real database and shows the pipeline."""

from __future__ import annotations

from dealterm.widgets.board import Board
from tests.ui.conftest import SIZE, board_ready


async def test_the_board_shows_every_stage_with_counts(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        board = app.screen.query_one(Board)
        names = [lane.summary.stage.name for lane in board.lanes]
        assert names == [
            "New",
            "Document preparation",
            "Prepayment invoice",
            "In progress",
            "Final invoice",
            "Deal successful",
            "Deal failed",
            "Failure reason analysis",
        ]
        assert sum(lane.summary.count for lane in board.lanes) > 0
        assert app.focused is board
        assert "demo.db · Sales" in app.sub_title
