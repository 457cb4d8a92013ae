"""What every dealterm screen shares: the CRM handle and running its calls off the UI thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.screen import Screen
from textual.worker import Worker, WorkerState

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


class CrmScreen(CrmAccess, Screen[Any]):
    """A screen that works with the CRM."""

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
