"""The deal's stages as a path, the current one highlighted (like Bitrix24's stage bar)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from dealterm.core.readmodels import StageRead

__all__ = ["StagePath"]


class StagePath(Static):
    """``New › Preparation › [In progress] › Final invoice │ Won │ Lost``."""

    DEFAULT_CSS = """
    StagePath { height: auto; padding: 0 1; }
    """

    def show(self, stages: list[StageRead], current_id: int) -> None:
        """Draw the path with ``current_id`` highlighted; passed stages are tinted."""
        text = Text()
        position = next((i for i, s in enumerate(stages) if s.id == current_id), -1)
        current = stages[position] if position >= 0 else None
        for index, stage in enumerate(stages):
            if index:
                text.append(" › " if stage.semantics == "process" else " │ ", style="grey50")
            if stage.id == current_id:
                text.append(f" {stage.name} ", style=f"bold black on {stage.color}")
            elif current is not None and current.semantics == "process" and index < position:
                text.append(stage.name, style=stage.color)
            else:
                text.append(stage.name, style="grey62")
        self.update(text)
