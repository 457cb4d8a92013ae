"""Starting the TUI from the command line (imports Textual only when called)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dealterm.config import Settings

__all__ = ["run_tui"]


def run_tui(target: str, *, demo: bool, settings: Settings) -> int:
    """Run the app on ``target``; with ``demo``, fill an empty database with demo data first.

    Returns:
        The app's exit code.
    """
    from dealterm.app import DealtermApp

    app = DealtermApp(target=target, demo=demo, settings=settings)
    app.run()
    return app.return_code or 0
