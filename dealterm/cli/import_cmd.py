"""`dealterm import ...`: bring deals in from CSV files and other CRMs' exports."""

from __future__ import annotations

import typer

__all__ = ["import_app"]

import_app = typer.Typer(help="Import deals from CSV/TSV files and other CRMs' exports.")


@import_app.callback()
def _group() -> None:
    """Import deals from CSV/TSV files and other CRMs' exports."""
