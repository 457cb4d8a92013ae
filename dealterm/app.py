"""The Textual application: modes for the four views, global keys, the database handle.

The first frame is painted before the database is opened: opening (and, for ``--demo``,
filling) it runs in a thread worker that posts :class:`DatabaseReady` to the screens.
A timer asks the database once a second whether anything changed, so that changes made
elsewhere (``dealterm deal move`` in another terminal) show up without a restart.
"""

from __future__ import annotations

import gc
import threading
import time
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.reactive import Reactive
from textual.worker import Worker, WorkerState

from dealterm.config import Settings
from dealterm.messages import DatabaseReady, DataChanged, FilterChanged
from dealterm.screens.base_views import PreparedViews

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import RenderableType
    from textual.screen import Screen

    from dealterm.core.clock import Clock
    from dealterm.core.crm import Crm, PipelineInfo
    from dealterm.core.db import Database
    from dealterm.core.filters import DealFilter
    from dealterm.core.services.card_layout import LayoutSection
    from dealterm.tui import FirstBoard

__all__ = ["DealtermApp"]

DEMO_DEALS = 800
_VIEWS = Binding.Group("Views", compact=True)
POLL_SECONDS = 1.0
PREVIEW_WAIT = 1.0  # seconds the database waits at most for the board's quick first frame
# Seconds after which the garbage collector is back on even if no first frame was drawn
# (run_tui starts the app with it off; preview_done turns it back on).
STARTUP_GC_LIMIT = 10.0
# Seconds after which DealtermApp.call_after_frame runs its callbacks without a frame.
AFTER_FRAME_LIMIT = 0.5
# Seconds after which keys held while the first screen is built are handed on anyway.
HOLD_KEYS_LIMIT = 3.0
# Python runs a full collection after every ten younger ones. On the UI thread it walks
# every object made since start-up (20-100 ms at 100k deals), and one came in the middle of
# about one stage move in fifteen. Once the app is up, Python runs them this many times
# less often, and the app runs them itself in the user's pauses, as often as Python would.
FULL_COLLECTIONS_DEFERRED = 10
PAUSE_SECONDS = 1.0  # no key, no mouse for this long: a pause to collect in


def _screen(name: str):  # type: ignore[no-untyped-def]
    """Import a view's screen only when its mode is first used (keeps start-up quick)."""

    def make():  # type: ignore[no-untyped-def]
        if name == "board":
            from dealterm.screens.board import BoardScreen

            return BoardScreen()
        if name == "list":
            from dealterm.screens.deal_list import ListScreen

            return ListScreen()
        if name == "activities":
            from dealterm.screens.activities import ActivitiesScreen

            return ActivitiesScreen()
        from dealterm.screens.calendar import CalendarScreen

        return CalendarScreen()

    return make


@cache
def _deal_commands() -> type[Provider]:
    """The palette's CRM commands (imported when the palette first opens)."""
    from dealterm.commands import DealCommands

    return DealCommands


class DealtermApp(PreparedViews, App[None]):
    """dealterm: deals in the terminal."""

    TITLE = "dealterm"
    # The header watches the sub-title itself: a new one (a search keystroke changes the
    # filter it names) needs no repaint of the whole screen, which Textual's default does.
    sub_title: Reactive[str] = Reactive("", compute=False, repaint=False)
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, object]] = {  # type: ignore[assignment]
        "board": _screen("board"),
        "list": _screen("list"),
        "activities": _screen("activities"),
        "calendar": _screen("calendar"),
    }
    DEFAULT_MODE = "board"
    COMMANDS = App.COMMANDS | {_deal_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "switch_mode('board')", "Board", id="app.board", group=_VIEWS),
        Binding("2", "switch_mode('list')", "List", id="app.list", group=_VIEWS),
        Binding("3", "switch_mode('activities')", "Activities", id="app.activities", group=_VIEWS),
        Binding("4", "switch_mode('calendar')", "Calendar", id="app.calendar", group=_VIEWS),
        Binding("s", "settings", "Settings", id="app.settings"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+l", "clear_filter", "Clear the filter", show=False, id="app.clear_filter"),
        # Priority, so focus moves before the next key is handed to a widget: keys typed
        # quickly after a tab (a fast typist, a paste of "name<TAB>amount") land in the
        # next field, not in the one being left.
        Binding(
            "tab", "app.focus_next", "Next field", show=False, priority=True, id="app.next_field"
        ),
        Binding(
            "shift+tab",
            "app.focus_previous",
            "Previous field",
            show=False,
            priority=True,
            id="app.previous_field",
        ),
    ]

    def __init__(
        self,
        *,
        target: str,
        demo: bool = False,
        settings: Settings | None = None,
        clock: Clock | None = None,
        poll: bool = True,
        prepare: bool = True,
        first_board: FirstBoard | None = None,
    ) -> None:
        """Build the app (the database opens once it runs).

        Args:
            first_board: the board's first read, started before Textual was imported
                (``run_tui``); None starts it here.
        """
        super().__init__()
        self.target = target
        self.demo = demo
        self.settings = settings or Settings()
        self.clock = clock
        self.poll = poll
        self.prepare = prepare
        self.crm: Crm | None = None
        self.card_layout: list[LayoutSection] | None = None  # the deal card's, read at open
        # Counts settings changes: a view that caches choices (stages, fields) reads them again.
        self.settings_generation = 0
        self.pipeline: PipelineInfo | None = None
        self.deal_filter: DealFilter | None = None
        self.base_currency = "USD"
        self.locale = self.settings.locale
        from dealterm.core.formatting import configure

        configure(self.settings.formats())
        if first_board is None:
            from dealterm.tui import FirstBoard

            first_board = FirstBoard.start(target, settings=self.settings, clock=clock)
        # Taken once by the first board screen (BoardScreen._take_first_board).
        self.first_board: FirstBoard | None = first_board
        self._signature: tuple[object, ...] | None = None
        # Bumped by every change we make or the poll sees: a view coming back into sight
        # reads again only if it moved since the view's last load (CrmScreen.stale).
        self.data_epoch = 0
        self.problem: str | None = self.settings.problem
        # Set once the board's first frame, read without the ORM, is on screen (or there is
        # none to read): the database is opened after it, so that importing the ORM does
        # not compete with drawing that frame.
        self._preview_shown = threading.Event()
        self._after_frame: list[Callable[[], object]] = []  # see call_after_frame
        self._held_keys: list[events.Key] | None = None  # see hold_keys
        self._startup_gc = True  # the collector is off for the start (run_tui)
        self._gc_thresholds: tuple[int, int, int] | None = None  # Python's, while deferred
        # The database the app opened (its checkpoint thread runs until it is closed), and
        # whether the app is closing: an open that ends after that closes it at once.
        self._db_lock = threading.Lock()
        self._open_db: Database | None = None
        self._closing = False

    # --- start-up ----------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        if self.problem:
            self.notify(self.problem, title="Settings", severity="warning", timeout=8)
        # Paint first: importing the ORM in the worker competes for the GIL with the
        # first render, so the database is opened once the first frame is on screen.
        self.call_after_refresh(self.open_database)
        self.set_timer(STARTUP_GC_LIMIT, self._startup_over)
        self.set_interval(PAUSE_SECONDS / 2, self._collect_in_pause)

    def call_after_frame(self, callback: Callable[[], object], *, refresh: bool = True) -> None:
        """Call ``callback`` once the next frame has gone to the terminal.

        Not :meth:`call_after_refresh`: while a screen is mounted (the first one is mounted
        inside Textual's start-up batch), Textual renders frames that it then drops, and
        the callbacks after such a refresh run before anything is on screen. The board's
        first frame was drawn twice at start: once dropped, then after the batch; turning
        the collector on and starting the database's ORM import in between cost ~50 ms
        before the user saw anything.

        "Gone" is a frame rendered outside a batch (headless, a rendered one); if none
        comes within ``AFTER_FRAME_LIMIT`` seconds (a terminal too small to draw in), the
        callback runs anyway.

        Args:
            refresh: repaint the whole screen to make that frame; without it, the frame
                of what is already waiting to be drawn.
        """
        self._after_frame.append(callback)
        if refresh:
            self.screen.refresh()
        self.set_timer(AFTER_FRAME_LIMIT, self._run_after_frame)

    def _run_after_frame(self) -> None:
        callbacks, self._after_frame = self._after_frame, []
        for callback in callbacks:
            self.call_later(callback)

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        # Textual's (pinned exactly): it drops the frame while a batch is open.
        super()._display(screen, renderable)
        if self._after_frame and renderable is not None and not self._batch_count:
            self._run_after_frame()

    # --- keys typed while the first screen is being built --------------------------------
    async def on_event(self, event: events.Event) -> None:
        if self._held_keys is not None and isinstance(event, events.Key):
            self._held_keys.append(event)  # before any binding, the priority ones too
            return
        await super().on_event(event)

    def hold_keys(self) -> None:
        """Keep the keys typed from now on, unhandled, until :meth:`release_keys` (the board
        shows a picture of itself while its widgets are built: keys would reach nothing).
        They are released after ``HOLD_KEYS_LIMIT`` seconds whatever happens."""
        if self._held_keys is None:
            self._held_keys = []
            self.set_timer(HOLD_KEYS_LIMIT, self.release_keys)

    def release_keys(self) -> None:
        """Hand the kept keys on in the order they were typed, ahead of any typed later.

        Keys already waiting in the app's queue are kept too (the release takes effect
        after them), so none overtakes an older one. Focus a key moves settles as it does
        for keys typed in a burst.
        """
        if self._held_keys is not None:
            self.call_later(self._hand_on_keys)

    def _hand_on_keys(self) -> None:
        held, self._held_keys = self._held_keys, None
        for key in held or ():
            self.post_message(events.Key(key.key, key.character))

    def preview_done(self) -> None:
        """The board's quick first frame is drawn (or skipped): the database may open now.

        The garbage collector, off for the start (``run_tui``), is on again from here.
        """
        self._preview_shown.set()
        self._startup_over()

    def _startup_over(self) -> None:
        """Turn the collector back on after the start, once (later, an import may turn it
        off for its own run, and that is not undone here); full collections wait for pauses
        from now on (:data:`FULL_COLLECTIONS_DEFERRED`)."""
        if self._startup_gc:
            self._startup_gc = False
            gc.enable()
            self._gc_thresholds = gc.get_threshold()
            young, middle, full = self._gc_thresholds
            gc.set_threshold(young, middle, full * FULL_COLLECTIONS_DEFERRED)

    def _collect_in_pause(self) -> None:
        """A full collection once Python would have run one, if the user has paused."""
        if self._gc_thresholds is None or not gc.isenabled():
            return
        if gc.get_count()[2] < self._gc_thresholds[2]:
            return
        if time.monotonic() - self._last_input < PAUSE_SECONDS:
            return
        gc.collect()

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def open_database(self) -> None:
        """Open (create, migrate, fill with demo data) the database off the UI thread."""
        self._preview_shown.wait(PREVIEW_WAIT)
        from dealterm.core.clock import SystemClock, resolve_timezone
        from dealterm.core.crm import Crm
        from dealterm.core.db import Database
        from dealterm.core.errors import DealtermError

        try:
            clock = self.clock or SystemClock(zone=resolve_timezone(self.settings.timezone))
        except ValueError as exc:
            self.call_from_thread(
                self.notify, f"{exc}; using the local time zone", severity="warning"
            )
            clock = SystemClock(zone=resolve_timezone(None))
        try:
            db = Database.open(
                self.target,
                clock=clock,
                locale=self.locale,
                user_name=self.settings.user_name,
                base_currency=self.settings.base_currency,
                background_checkpoints=True,  # no user action waits for a checkpoint
            )
        except DealtermError as exc:
            self.call_from_thread(self._db_failed, exc.message)
            return
        with self._db_lock:
            if self._closing:  # the app went away while the database opened
                db.close()
                return
            self._open_db = db
        try:
            if self.demo:
                self._fill_demo(db)
            crm = Crm(db)
            pipeline = self._starting_pipeline(crm)
            base = crm.base_currency()
            # the poll compares with this: a change made right after opening is seen
            self._signature = crm.signature()
            self.card_layout = crm.setup.layout()
            self.call_from_thread(self._db_opened, crm, pipeline, base)
        except DealtermError as exc:
            self._close_database()
            self.call_from_thread(self._db_failed, exc.message)
        except BaseException:  # the app closed meanwhile (RuntimeError), or a bug
            self._close_database()
            raise

    def _close_database(self) -> None:
        """Close the database the app opened, if any (from any thread)."""
        with self._db_lock:
            db, self._open_db = self._open_db, None
        if db is not None:
            db.close()

    def _starting_pipeline(self, crm: Crm) -> PipelineInfo:
        """The pipeline the settings name (default_pipeline), else the database's default."""
        wanted = (self.settings.default_pipeline or "").strip().lower()
        if wanted:
            for pipeline in crm.pipelines():
                if wanted in (pipeline.name.lower(), str(pipeline.id)):
                    return pipeline
            self.call_from_thread(
                self.notify,
                f"default_pipeline {self.settings.default_pipeline!r} is not a pipeline of this "
                "database; showing the default one",
                severity="warning",
            )
        return crm.default_pipeline()

    def _fill_demo(self, db: object) -> None:
        from dealterm.core.demo import generate_demo
        from dealterm.core.queries import count_deals

        with db.session(write=False) as session:  # type: ignore[attr-defined]
            empty = count_deals(session) == 0
        if empty:
            self.call_from_thread(self._db_status, "Creating demo data…")
            with db.session(bulk=True) as session:  # type: ignore[attr-defined]
                generate_demo(session, deals=DEMO_DEALS)

    def _db_status(self, text: str) -> None:
        self.sub_title = text

    def _db_failed(self, message: str) -> None:
        self.problem = message
        self.sub_title = "cannot open the database"
        self.notify(message, title="Database", severity="error", timeout=30)
        self.screen.post_message(DatabaseReady())

    def on_unmount(self) -> None:
        """The app is done: stop the database's checkpoint thread, close its connections,
        give Python back its own schedule of full collections."""
        with self._db_lock:
            self._closing = True
        self._close_database()
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)
            self._gc_thresholds = None

    def _db_opened(self, crm: Crm, pipeline: PipelineInfo, base: str) -> None:
        if self._closing:  # on_unmount closed it already
            return
        self.crm = crm
        self.pipeline = pipeline
        self.base_currency = base
        self.update_header()
        for screen in self.screen_stack:
            screen.post_message(DatabaseReady())
        if self.poll:
            self.set_interval(POLL_SECONDS, self.check_for_changes)
        self.run_recurring_deals()
        if self.prepare:
            self.start_preparing_views()

    @work(thread=True, exclusive=True, group="recurring", exit_on_error=False)
    def run_recurring_deals(self) -> None:
        """Create the recurring deals that are due, missed dates included (at start)."""
        crm = self.crm
        if crm is None:
            return
        report = crm.run_recurring()
        if report.count:
            plural = "s" if report.count != 1 else ""
            self.call_from_thread(
                self.notify, f"{report.count} recurring deal{plural} created", timeout=6
            )
            self.call_from_thread(self.broadcast_change, None)
        for template_id, message in report.errors:
            self.call_from_thread(
                self.notify,
                f"Recurring deal #{template_id} did not run: {message}",
                severity="warning",
                timeout=10,
            )

    # --- header ------------------------------------------------------------------------
    def update_header(self) -> None:
        """Database, pipeline and active filter in the header."""
        from textual.screen import ModalScreen

        parts = [self.crm.name if self.crm else "…"]
        # A dialog shows the header of the screen it opened over.
        screen = next(
            (s for s in reversed(self.screen_stack) if not isinstance(s, ModalScreen)),
            self.screen,
        )
        if getattr(screen, "SETTINGS", False):
            self.sub_title = " · ".join([*parts, "settings"])
            return
        if self.pipeline and getattr(screen, "PIPELINE_VIEW", False):
            parts.append(self.pipeline.name)
        elif self.crm is not None:
            parts.append("all pipelines")
        flt = self.deal_filter
        if flt is not None and not flt.is_empty:
            parts.append(f"filter: {flt.describe()}")
        self.sub_title = " · ".join(parts)

    # --- the shared filter ---------------------------------------------------------------
    def set_filter(self, flt: DealFilter | None, *, header: bool = True) -> None:
        """Show every view through ``flt`` (None: all deals).

        Args:
            header: name the new filter in the header now; False when the view in sight
                does it with its answer (in that frame, not one of its own before it).
        """
        self.deal_filter = None if flt is None or flt.is_empty else flt
        if header:
            self.update_header()
        # Only the screen in sight reads again now: every view reads the filter again when it
        # comes back into sight (on_screen_resume), so hidden views do not compete for the
        # CPU with the one being typed into.
        self.screen.post_message(FilterChanged())

    def set_search(self, text: str) -> None:
        """Change only the words of the filter (what the filter bar types)."""
        from dealterm.core.filters import DealFilter

        base = self.deal_filter or DealFilter()
        # A keystroke's header frame would come a frame before the rows and hold them up
        # by up to a frame (the rows cannot come sooner than a frame after it). Only here:
        # words always read, while a filter from the form may be refused (an unknown
        # pipeline), and then nothing but set_filter names it.
        view = self.screen
        later = getattr(view, "HEADER_WITH_ANSWER", False) and getattr(view, "ready", False)
        self.set_filter(base.with_search(text), header=not later)

    @work(exclusive=True, group="filter-form", exit_on_error=False)
    async def edit_filter(self) -> None:
        """Open the filter form; apply, save or delete what the user chose."""
        import asyncio

        from dealterm.screens.filter_form import FilterChoices, FilterModal

        crm = self.crm
        if crm is None:
            return
        users, currencies, types, sources, saved, fields = await asyncio.gather(
            asyncio.to_thread(crm.users),
            asyncio.to_thread(crm.currencies),
            asyncio.to_thread(crm.deal_types),
            asyncio.to_thread(crm.sources),
            asyncio.to_thread(crm.saved_filters),
            asyncio.to_thread(crm.setup.fields),
        )
        choices = FilterChoices(
            users=[(c.label, c.value) for c in users],
            currencies=[(c.label, c.value) for c in currencies],
            types=[(c.label, c.value) for c in types],
            sources=[(c.label, c.value) for c in sources],
            saved=saved,
            fields=[f.definition.label for f in fields if f.active],
        )
        result = await self.push_screen_wait(FilterModal(self.deal_filter, choices))
        if result is None:
            return
        from dealterm.core.errors import DealtermError

        try:
            if result.delete:
                await asyncio.to_thread(crm.delete_filter, result.delete)
                self.notify(f"Deleted the saved filter “{result.delete}”", timeout=3)
            if result.save_as and result.filter is not None:
                saved_filter = await asyncio.to_thread(
                    crm.save_filter, result.save_as, result.filter
                )
                self.notify(f"Saved as “{saved_filter.name}”", timeout=3)
        except DealtermError as error:
            self.notify(error.message, severity="error")
            return
        self.set_filter(result.filter)

    def action_clear_filter(self) -> None:
        """Show every deal: drop the whole filter, its words and its conditions (ctrl+l)."""
        if self.deal_filter is not None:
            self.set_filter(None)

    def is_view(self, screen: Screen[Any]) -> bool:
        """``screen`` is one of the four views itself (no card, settings or dialog)."""
        return bool(self.screen_stack) and screen is self.screen_stack[0]

    def key_of(self, binding_id: str) -> str:
        """How the app's binding ``binding_id`` is keyed (``[keymap]`` may remap it)."""
        for binding in Binding.make_bindings(self.BINDINGS):
            if binding.id == binding_id:
                key = self.settings.keymap.get(binding_id, binding.key).split(",")[0]
                return self.get_key_display(binding.with_key(key.strip()))
        return ""

    # --- changes -----------------------------------------------------------------------
    def check_for_changes(self) -> None:
        """Timer: look for changes in a thread (never on the UI thread)."""
        if self.crm is not None:
            self._poll()

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll(self) -> None:
        if self.crm is None:
            return
        signature = self.crm.signature()
        if self._signature is not None and signature != self._signature:
            self.call_from_thread(self.broadcast_change, None)
        self._signature = signature

    def broadcast_change(self, deal_id: int | None = None) -> None:
        """Tell the screens that data changed."""
        self.data_epoch += 1  # hidden views read again when they come back
        for screen in self.screen_stack:
            screen.post_message(DataChanged(deal_id))

    def note_own_change(self) -> None:
        """Our own write: the views reload themselves.

        The fingerprint is kept, so the next poll also reloads once: that costs one
        read, and a change another user made just after ours is never lost. Views out of
        sight read again when they come back.
        """
        self.data_epoch += 1

    # --- errors ------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Turn any worker's failure into a visible message instead of a crash."""
        if event.state != WorkerState.ERROR:
            return
        from dealterm.core.errors import DealtermError

        error = event.worker.error
        if isinstance(error, DealtermError):
            self.notify(error.message, severity="error", timeout=8)
        else:
            self.notify(
                f"Something went wrong: {type(error).__name__}: {error}",
                severity="error",
                timeout=12,
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The view keys and `s` do nothing inside the settings screen or a dialog.

        Escape leaves either; switching views under an open dialog would strand it.
        """
        from textual.screen import ModalScreen

        if action == "clear_filter":
            # A view's key (a card or a dialog shows no filter); dimmed while none is set.
            if len(self.screen_stack) != 1 or self.crm is None:
                return False
            return True if self.deal_filter is not None else None
        if action not in ("switch_mode", "settings"):
            return True
        return not (
            getattr(self.screen, "OVER_VIEW", False) or isinstance(self.screen, ModalScreen)
        )

    # --- screens over the views -------------------------------------------------------------
    def action_open_screen(self, name: str) -> None:
        """Open the import wizard or a repeat-business screen over the current view.

        Not over a dialog, nor over itself, nor before the database is open.
        """
        from textual.screen import ModalScreen

        from dealterm.screens.import_wizard import ImportWizard
        from dealterm.screens.recurring import RecurringScreen
        from dealterm.screens.scenarios import ScenariosScreen
        from dealterm.screens.suggestions import SuggestionsScreen

        kinds: dict[str, type[Screen[Any]]] = {
            "import": ImportWizard,
            "recurring": RecurringScreen,
            "scenarios": ScenariosScreen,
            "suggestions": SuggestionsScreen,
        }
        kind = kinds[name]
        if self.crm is None or isinstance(self.screen, ModalScreen | kind):
            return
        self.push_screen(kind())

    # --- settings ------------------------------------------------------------------------
    def action_settings(self, section: str = "pane-pipelines") -> None:
        """Open the settings screen (not over itself, nor over a dialog)."""
        from textual.screen import ModalScreen

        from dealterm.screens.settings import SettingsScreen

        if isinstance(self.screen, SettingsScreen | ModalScreen):
            return
        self.push_screen(SettingsScreen(section))

    def settings_changed(self) -> None:
        """Pipelines, stages, fields or directories changed: refresh the header, reload views."""
        self.settings_generation += 1
        self.note_own_change()
        self._refresh_pipeline()
        self.broadcast_change(None)

    @work(thread=True, exclusive=True, group="pipeline-refresh", exit_on_error=False)
    def _refresh_pipeline(self) -> None:
        crm = self.crm
        if crm is None:
            return
        pipelines = crm.pipelines()
        current = next((p for p in pipelines if self.pipeline and p.id == self.pipeline.id), None)
        chosen = current or crm.default_pipeline()
        base = crm.base_currency()
        self.card_layout = crm.setup.layout()
        self.call_from_thread(self._pipeline_refreshed, chosen, base)

    def _pipeline_refreshed(self, pipeline: PipelineInfo, base: str) -> None:
        self.pipeline = pipeline
        self.base_currency = base

    def reload_settings(self) -> None:
        """Read the settings file again and apply what can change while running."""
        from dealterm.config import load_settings
        from dealterm.core.formatting import configure

        self.settings = load_settings()
        configure(self.settings.formats())
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self.broadcast_change(None)

    # --- actions -----------------------------------------------------------------------
    def action_help(self) -> None:
        """List every key of the current screen."""
        from dealterm.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))
