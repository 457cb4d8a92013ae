"""A kanban column's header: the stage's name, its deal count and sums.

Apart from the column (stage_column.py) so that the board's first-frame picture
(board_picture.py) draws the same lines without importing the columns' widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

from dealterm.core.formatting import format_money

if TYPE_CHECKING:
    from dealterm.core.cards import StageSummary
    from dealterm.core.readmodels import StageRead

__all__ = ["HEADER_HEIGHT", "StageHeader", "header_lines", "lane_width"]


HEADER_HEIGHT = 3  # a stage header's lines: name, count and sum, weighted sum


def lane_width(stage: StageRead) -> int:
    """How wide a stage's lane is (StageLane's CSS): narrower for a won or lost stage."""
    return 30 if stage.semantics == "process" else 24


def header_lines(
    summary: StageSummary, *, base_currency: str, locale: str, active: bool, width: int
) -> list[Text]:
    """A stage header's three lines for a lane ``width`` cells wide (padding included):
    the stage's name in its colour, the deal count and sum, the weighted sum."""
    stage = summary.stage
    title = Text()
    title.append("█ ", style=stage.color)
    title.append(stage.name, style=f"bold {stage.color}" + (" underline" if active else ""))
    line2 = Text(f"{summary.count:,} · ", style="bold")
    line2.append(format_money(summary.total, base_currency, locale))
    if stage.pipeline_id:
        weighted = format_money(summary.weighted, base_currency, locale)
        line3 = Text(f"weighted {weighted} ({stage.probability}%)", style="grey62")
    else:  # a column that is not a stage (the activities board): no probability
        line3 = Text("")
    title.truncate(width - 2 if width > 4 else 40, overflow="ellipsis")
    return [title, line2, line3]


class StageHeader(Static):
    """Stage name in its colour, deal count, sum and weighted sum in the base currency."""

    DEFAULT_CSS = """
    StageHeader {
        height: 3;
        padding: 0 1;
    }
    """

    _shown: tuple[Any, ...] | None = None

    def show(self, summary: StageSummary, *, base_currency: str, locale: str, active: bool) -> None:
        """Draw the header for ``summary`` (nothing to do if it shows that already)."""
        stage = summary.stage
        shown = (
            stage,
            summary.count,
            summary.total,
            summary.weighted,
            base_currency,
            locale,
            active,
        )
        if shown == self._shown:
            return
        self._shown = shown
        # The lane's width (its CSS), not the header's size: that is 0 until the first
        # layout, and a title cut for 0 cells wrapped onto the count's line.
        lines = header_lines(
            summary,
            base_currency=base_currency,
            locale=locale,
            active=active,
            width=lane_width(stage),
        )
        # Three lines in a fixed-size header: no layout pass needed (it costs a whole-screen
        # layout per stage move otherwise).
        self.update(Text("\n").join(lines), layout=False)
