"""`dealterm export ...`: deals to CSV or JSON, planned activities to iCalendar."""

from __future__ import annotations

import typer

__all__ = ["export_app"]

export_app = typer.Typer(help="Export deals (CSV, JSON) and planned activities (iCalendar).")


@export_app.callback()
def _group() -> None:
    """Export deals (CSV, JSON) and planned activities (iCalendar)."""
