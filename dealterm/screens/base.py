"""What every dealterm screen shares: the CRM handle and running its calls off the UI thread."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from dealterm.screens.frames import PromptFrames

if TYPE_CHECKING:
    from dealterm.app import DealtermApp
    from dealterm.core.crm import Crm

__all__ = ["CrmAccess", "CrmScreen", "in_thread"]

T = TypeVar("T")


async def in_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (database) call in a worker thread and await its result on the UI loop."""
    return await asyncio.to_thread(function, *args, **kwargs)


class CrmAccess:
    """The typed app and the open CRM, for screens and dialogs alike."""

    app: Any  # provided by Textual's DOMNode

    @property
    def dt_app(self) -> DealtermApp:
        """The app, typed."""
        from dealterm.app import DealtermApp

        return (
            cast(DealtermApp, self.app)
            if isinstance(self.app, DealtermApp)
            else cast(Any, self.app)
        )

    @property
    def crm(self) -> Crm:
        """The open CRM (screens only act once :class:`DatabaseReady` arrived)."""
        crm = self.dt_app.crm
        if crm is None:
            from dealterm.core.errors import DatabaseError

            raise DatabaseError("the database is not open yet")
        return crm

    @property
    def ready(self) -> bool:
        """True once the database is open."""
        return self.dt_app.crm is not None


class CrmScreen(PromptFrames, CrmAccess, Screen[Any]):
    """A screen that works with the CRM.

    Attributes:
        dormant: built ahead of time, at idle, and not shown yet (see
            ``DealtermApp.prepare_views``). A dormant screen reads nothing: it acts as if the
            database were not open yet until :meth:`wake`, so preparing a view costs no
            database work and the view reads fresh data when it is first shown.
    """

    _shown_key: tuple[Any, ...] | None = None
    dormant: bool = False

    @property
    def ready(self) -> bool:
        """True once the database is open and the screen is not :attr:`dormant`."""
        return not self.dormant and self.dt_app.crm is not None

    def wake(self) -> None:
        """The screen is about to be shown for the first time: start loading it.

        Called by the app before it switches to the screen, so the read starts before
        Textual restyles and lays the screen out for the switch.
        """
        if not self.dormant:
            return
        self.dormant = False
        if self.ready:
            self.start_loading()

    def _on_screen_resume(self) -> None:
        # The header is the app's and names what the view in sight shows (its pipeline,
        # or all of them): the view left last named its own.
        if self.ready:
            self.dt_app.update_header()

    def start_loading(self) -> None:
        """Load everything the view shows, as when the database has just opened.

        Every view loads on ``DatabaseReady``, which a dormant screen missed. A view whose
        reload needs no mounted widget overrides this to start its read at once.
        """
        from dealterm.messages import DatabaseReady

        self.post_message(DatabaseReady())

    def view_key(self) -> tuple[Any, ...]:
        """What a view's data depends on: any change of the data (ours, or seen by the
        poll), the filter, the pipeline and the day (columns like "Today" move at midnight).
        """
        app = self.dt_app
        pipeline = app.pipeline.id if app.pipeline is not None else None
        today = app.crm.db.clock.today() if app.crm is not None else None
        return (app.data_epoch, app.deal_filter, pipeline, today)

    def note_shown(self) -> None:
        """A load of everything the view shows starts now (see :meth:`stale`)."""
        self._shown_key = self.view_key()

    def stale(self) -> bool:
        """Whether the view's data may have changed since its last full load: coming back
        to a view that is not stale shows it at once, without reading it again."""
        return self._shown_key is None or self._shown_key != self.view_key()

    # "/" opens a view's search. Its binding has priority, so that it acts as soon as it is
    # read: the keys typed right after it (a fast typist, keys held at start, a paste)
    # then go into the search, not to the view the search was opened from.
    SEARCH_ACTIONS = frozenset({"filter", "search"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a "/" typed in a field is the field's
        return not (action in self.SEARCH_ACTIONS and self._typing())

    def _typing(self) -> bool:
        """A text field has the focus (none can unless Textual's Input was imported: no
        import for the question)."""
        module = sys.modules.get("textual.widgets._input")
        return module is not None and isinstance(self.focused, module.Input)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker of this screen failed: say so (worker events do not reach the app)."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.report(event.worker.error)

    def report(self, error: BaseException) -> None:
        """Show an error from a CRM call as a notification."""
        from dealterm.core.errors import DealtermError

        if isinstance(error, DealtermError):
            self.notify(error.message, severity="error", timeout=8)
        else:
            self.notify(
                f"Something went wrong: {type(error).__name__}: {error}",
                severity="error",
                timeout=12,
            )
