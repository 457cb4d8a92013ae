"""Views built ahead of time: the other views' screens are composed and styled at idle.

The first switch to a view used to build its screen on the key press: Textual styles the
whole app again for a screen it has not styled yet (twice), composes the screen and its
widgets, styles each of them and lays the screen out, about 250 ms before any data, while
the view's read competed with that work for the GIL (benchmark figures 3a, 4' and 5a).

Once the first board is loaded and nothing else runs, :class:`PreparedViews` enters each
other view and comes back within one batch (nothing is drawn in between), which creates
and mounts its screen without showing it, then does it once more after the mount, so that
Textual styles and lays out the mounted screen too. The screen stays
:attr:`~dealterm.screens.base.CrmScreen.dormant`, reading nothing, until the first switch
to it wakes it: it then reads its data as if the database had just opened, so what it
shows is as fresh as before and the data epoch (``CrmScreen.stale``) is untouched.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.screen import ModalScreen
from textual.worker import WorkerState

if TYPE_CHECKING:
    from textual.timer import Timer
    from textual.widget import AwaitMount

    from dealterm.messages import FilterChanged
    from dealterm.screens.base import CrmScreen

__all__ = ["PREPARED_VIEWS", "PreparedViews"]

PREPARED_VIEWS = ("activities", "list", "calendar")
"""The views built ahead of time, in this order (modes of ``DealtermApp.MODES``)."""
QUIET_SECONDS = 0.1  # no other worker may run for two of these before a view is built
IDLE_SECONDS = 0.4  # nor may the user have pressed a key (or moved the mouse) in this time
RETRY_SECONDS = 0.5  # while a dialog or another screen is open, look again this often
GROUP = "prepare-views"


class PreparedViews:
    """App mixin: build the views' screens at idle; wake one when it is first shown.

    Only Textual's public API: :meth:`~textual.app.App.switch_mode` in and out of a mode
    inside :meth:`~textual.app.App.batch_update`.
    """

    # Provided by textual.app.App.
    screen: Any
    screen_stack: Any
    is_running: bool
    return_code: int | None
    workers: Any
    current_mode: str
    DEFAULT_MODE: str
    batch_update: Any
    set_interval: Any
    crm: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._modes_entered: set[str] = {self.DEFAULT_MODE}
        self._dormant: dict[str, CrmScreen] = {}  # built ahead, not shown yet
        self._unstyled: set[str] = set()  # built, not yet styled by Textual once mounted
        self._prepare_timer: Timer | None = None
        self._last_input = 0.0

    async def on_event(self, event: events.Event) -> None:
        """Note when the user last typed or used the mouse (views are built in a pause)."""
        if isinstance(event, events.InputEvent):
            self._last_input = time.monotonic()
        await super().on_event(event)  # type: ignore[misc]

    def on_filter_changed(self, _: FilterChanged) -> None:
        """The shared filter changed (bubbled up from the view in sight, which reads it
        again): that view's search box shows its words, wherever they were typed (the
        filter form, the clear-filter key). Views out of sight catch up when they come
        back (``FilterBar`` follows Textual's screen-change signal)."""
        from textual.app import ScreenStackError, UnknownModeError

        from dealterm.widgets.filter_bar import FilterBar

        try:
            screen = self.screen
        except (ScreenStackError, UnknownModeError):  # the app is closing: no screen left
            return
        # Its children, not a query (~50 us): this runs on every search keystroke.
        for bar in screen.children:
            if isinstance(bar, FilterBar) and bar.is_mounted:  # composed: it has its box
                bar.follow()

    def switch_mode(self, mode: str) -> AwaitMount:
        """Switch views; a view built ahead of time starts reading before it is laid out."""
        screen = self._dormant.pop(mode, None)
        self._unstyled.discard(mode)
        if screen is not None:
            screen.wake()
        self._modes_entered.add(mode)
        return super().switch_mode(mode)  # type: ignore[misc,no-any-return]

    def start_preparing_views(self) -> None:
        """Build the views not entered yet, one at a time, whenever the app is quiet."""
        self.prepare_views()
        self._prepare_timer = self.set_interval(RETRY_SECONDS, self._prepare_later)

    @property
    def views_to_prepare(self) -> list[str]:
        """The views still to be built ahead of time (or, once built, styled)."""
        return [m for m in PREPARED_VIEWS if m not in self._modes_entered or m in self._unstyled]

    def prepared_view(self, mode: str) -> CrmScreen | None:
        """The screen of a view built ahead of time and not shown yet, if any."""
        return self._dormant.get(mode)

    def _next_view(self) -> str | None:
        """The next view to build (or to have styled), None when all are done."""
        return next(iter(self.views_to_prepare), None)

    def _prepare_later(self) -> None:
        """Timer: go on after a dialog or another screen stopped the preparation."""
        if self._next_view() is None:
            if self._prepare_timer is not None:
                self._prepare_timer.stop()
            return
        running = any(
            worker.group == GROUP and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for worker in self.workers
        )
        if not running and self._view_on_top():
            self.prepare_views()

    @work(exclusive=True, group=GROUP, exit_on_error=False)
    async def prepare_views(self) -> None:
        """Build the next views while the app is quiet; stop when a screen is opened over the
        view (the timer goes on later), so this worker never waits behind a dialog."""
        while (mode := self._next_view()) is not None:
            if not await self._until_quiet():
                return
            if mode != self._next_view():
                continue  # the user switched to it meanwhile
            if mode not in self._unstyled:
                await self._visit(mode, dormant=True)
                continue
            screen = self._dormant.get(mode)
            if screen is not None and not screen.is_mounted:
                continue  # Textual styles a screen for good only once it has mounted
            self._unstyled.discard(mode)
            self._visit(mode)
        _freeze_long_lived_objects()

    def _view_on_top(self) -> bool:
        """A view is on screen, with no dialog or other screen over it (and no exit)."""
        return (
            self.is_running
            and self.return_code is None
            and self.crm is not None
            and len(self.screen_stack) == 1
            and not isinstance(self.screen, ModalScreen)
        )

    async def _until_quiet(self) -> bool:
        """Wait until no other worker has run for two checks in a row and the user has
        not typed for :data:`IDLE_SECONDS`.

        Returns:
            False (at once) if a screen is opened over the view meanwhile.
        """
        calm = 0
        while calm < 2:
            if not self._view_on_top():
                return False
            await asyncio.sleep(QUIET_SECONDS)
            busy = any(
                worker.group != GROUP and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
                for worker in self.workers
            )
            typing = time.monotonic() - self._last_input < IDLE_SECONDS
            calm = 0 if busy or typing else calm + 1
        return self._view_on_top()

    def _visit(self, mode: str, *, dormant: bool = False) -> AwaitMount:
        """Enter ``mode`` and come back, in one batch: nothing is drawn in between.

        Args:
            dormant: the mode is new: mark its screen dormant before it mounts (its mount
                runs after this returns), so that it reads nothing.

        Returns:
            What awaits the mount of the mode's screen.
        """
        from dealterm.screens.base import CrmScreen

        back = self.current_mode
        with self.batch_update():
            mounted: AwaitMount = super().switch_mode(mode)  # type: ignore[misc]
            screen = self.screen
            if dormant and isinstance(screen, CrmScreen):
                screen.dormant = True
                self._dormant[mode] = screen
                self._unstyled.add(mode)
            self._modes_entered.add(mode)
            super().switch_mode(back)  # type: ignore[misc]
        return mounted


def _freeze_long_lived_objects() -> None:
    """Leave the views built ahead (they live as long as the app) out of later collections.

    The board freezes what start-up built (``screens/board.py``); the screens built here
    came after, or not. Unfrozen, their widgets were walked by every full collection, and
    the reads that allocate (the activities board's) triggered those: switching back to a
    view after a change took 20-30 ms more. Only the objects made since the last freeze are
    collected here, once.
    """
    import gc

    gc.collect()
    gc.freeze()
