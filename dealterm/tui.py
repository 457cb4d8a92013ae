"""Starting the TUI from the command line (imports Textual only when called).

The board's first page of data is read in a thread of its own (:class:`FirstBoard`) before
Textual is imported: the read is done by the time the board screen is composed, so the
first frame is already the board, not a frame that waits for it.
"""

from __future__ import annotations

import gc
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dealterm.config import Settings
    from dealterm.core.clock import Clock
    from dealterm.core.quickread import QuickBoard
    from dealterm.widgets.card_view import CardView

__all__ = ["FirstBoard", "run_tui"]


class FirstBoard:
    """The unfiltered first board of an SQLite file, read in a thread.

    Read with sqlite3 alone (:func:`~dealterm.core.quickread.quick_board`), no ORM. The
    board screen takes it once (:meth:`result`): at once if it is done by then, else from
    a worker that waits for it. Nothing here blocks the UI thread.

    Attributes:
        board: what was read (None: nothing quick to show, see :meth:`start`).
        clock: the clock the cards are dated with.
    """

    def __init__(self) -> None:
        self.board: QuickBoard | None = None
        self.clock: Clock | None = None
        self._locale = "en_US"
        self._pages: dict[int, list[CardView]] | None = None
        self._done = threading.Event()

    @classmethod
    def start(cls, target: str, *, settings: Settings, clock: Clock | None = None) -> FirstBoard:
        """Start reading the first board of ``target`` in a daemon thread.

        Nothing is read (the result is None) for a server database, or when the settings'
        time zone is wrong (opening the database says so). ``configure`` the formats
        before :meth:`result`: it formats the cards' amounts.
        """
        first = cls()
        if "://" in target:
            first._done.set()
            return first
        # The read's modules are imported here, before the thread starts. Imported in the
        # thread (with the cards' formatting, which needs Textual's strips), they competed
        # with Textual's import for the GIL: ~45 ms later to the first frame at 1M deals,
        # more than reading on this thread costs. The thread is for the SQL, which runs
        # without the GIL; the cards are formatted when the board screen takes them.
        from dealterm.core import quickread  # noqa: F401
        from dealterm.core.clock import SystemClock  # noqa: F401

        thread = threading.Thread(
            target=first._read, args=(target, settings, clock), name="first-board", daemon=True
        )
        thread.start()
        return first

    def _read(self, target: str, settings: Settings, clock: Clock | None) -> None:
        try:
            from pathlib import Path

            from dealterm.core.cards import PAGE_SIZE
            from dealterm.core.clock import SystemClock, resolve_timezone
            from dealterm.core.quickread import quick_board

            try:
                clock = clock or SystemClock(zone=resolve_timezone(settings.timezone))
            except ValueError:
                return
            path = Path(target).expanduser().resolve()
            board = quick_board(
                path, clock, pipeline=settings.default_pipeline, page_size=PAGE_SIZE
            )
            if board is None:
                return
            self._locale = settings.locale
            self.board, self.clock = board, clock
        except Exception:  # the usual way (the ORM) reads it again and says what is wrong
            self.board = None
        finally:
            self._done.set()

    def result(
        self, limit: int | None = None
    ) -> tuple[QuickBoard, dict[int, list[CardView]]] | None:
        """The board read and the first page of each column formatted as cards, or None
        (nothing read, or cards that cannot be formatted: the usual way says why).

        The cards are formatted by the caller, as they are asked for: formatting needs
        Textual's strips, which the main thread is importing while the thread reads.

        Args:
            limit: format (and return) only the first ``limit`` cards of each column: what
                a first frame shows. A later call formats the rest.
        """
        board, clock = self.board, self.clock
        if board is None or clock is None:
            return None
        from dealterm.widgets.card_view import card_view

        pages = self._pages = self._pages or {}
        try:
            for stage_id, cards in board.pages.items():
                views = pages.setdefault(stage_id, [])
                wanted = len(cards) if limit is None else min(limit, len(cards))
                views.extend(
                    card_view(card, clock=clock, locale=self._locale)
                    for card in cards[len(views) : wanted]
                )
        except Exception:
            self.board = None
            return None
        if limit is None:
            return board, pages
        return board, {stage_id: views[:limit] for stage_id, views in pages.items()}

    @property
    def done(self) -> bool:
        """The read is over (with a board or without)."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the read (in a thread, never on the UI thread); False on a timeout."""
        return self._done.wait(timeout)


def run_tui(target: str, *, demo: bool, settings: Settings) -> int:
    """Run the app on ``target``; with ``demo``, fill an empty database with demo data first.

    Returns:
        The app's exit code.
    """
    # No garbage collection until the first frame is drawn: start-up builds some 150,000
    # objects that all live on (modules, styles, widgets), and each full collection on the
    # way walked them all again, about a fifth of the time to the first frame. The app
    # turns the collector back on once that frame is drawn (DealtermApp.preview_done), or
    # after app.STARTUP_GC_LIMIT seconds at the latest; the board then collects once and
    # freezes what start-up built (screens/board.py, _freeze_startup_objects).
    gc.disable()
    from dealterm.config import cache_dir
    from dealterm.core.formatting import configure, load_money_templates, save_money_templates

    configure(settings.formats())
    # Money as an earlier start formatted it: no locale data to load before the first frame.
    money = cache_dir() / "money.json"
    load_money_templates(money)
    # Read while Textual is imported: the SQL runs without the GIL, on the other CPU.
    first = FirstBoard.start(target, settings=settings)
    from dealterm.style_cache import install

    styles = install()  # Textual's CSS parsed at an earlier start, if the same
    from dealterm.app import DealtermApp

    app = DealtermApp(target=target, demo=demo, settings=settings, first_board=first)
    try:
        app.run()
    finally:
        gc.enable()
        styles.save()
        save_money_templates(money)
    return app.return_code or 0
