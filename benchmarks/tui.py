"""Figures 2–5, in one process per run: the real app under Textual's Pilot (headless).

    python -m benchmarks.tui move|list|calendar|activities --db COPY.db --out result.json

The suite starts this module in a fresh process for every run (so the first switch to a
view is really the first, and runs share no caches), on a private copy of the demo database.

How a latency is timed: the key event goes to the app's driver as a terminal would send
it (no Pilot waits), and the clock stops at the first frame the compositor produces
(``App._display``, which headless mode still reaches after rendering every dirty line)
at which the screen's data shows the new state: the column headers' new counts, the
list's new order with its visible rows loaded, the next month's figures. Between samples
the app is left to finish its background work, so each sample starts from a quiet app.

Every CRM call the views make runs in a worker thread; the calls are timed too, and the
sum of those that ran inside a sample is reported next to it as the "CRM calls" share.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

SIZE = (160, 45)
SEARCH_WORD = "summit"  # a client name: typed a key at a time, then erased
TIMEOUT = 60.0


# --- timing CRM calls ---------------------------------------------------------------------
class CallLog:
    """``(name, start, end)`` of every wrapped call, from any thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float, float]] = []

    def wrap(self, owner: type, names: list[str]) -> None:
        """Time these methods of a class (every instance, every thread)."""
        for name in names:
            original = getattr(owner, name)

            @functools.wraps(original)
            def timed_kw(
                *args: Any, __f: Callable[..., Any] = original, __n: str = name, **kwargs: Any
            ) -> Any:
                started = time.perf_counter()
                try:
                    return __f(*args, **kwargs)
                finally:
                    self.calls.append((__n, started, time.perf_counter()))

            setattr(owner, name, timed_kw)

    def between(self, start: float, end: float) -> tuple[float, dict[str, list[float]]]:
        """Total seconds, and per name (seconds, calls), of the calls inside ``start .. end``."""
        names: dict[str, list[float]] = {}
        for name, began, ended in self.calls:
            if began >= start and ended <= end:
                entry = names.setdefault(name, [0.0, 0])
                entry[0] += ended - began
                entry[1] += 1
        return sum(seconds for seconds, _ in names.values()), names


# --- frames -------------------------------------------------------------------------------
class Frames:
    """Stops the clock at the first frame for which a condition holds."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.waiting: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        self.count = 0
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None or app._batch_count:
                return
            now = time.perf_counter()
            self.count += 1
            for condition, future in list(self.waiting):
                if not future.done():
                    try:
                        holds = condition()
                    except Exception:  # a widget not mounted yet, a screen being built
                        holds = False
                    if holds:
                        future.set_result(now)

        app._display = display

    async def until(self, condition: Callable[[], bool], timeout: float = TIMEOUT) -> float:
        """The time of the first frame at which ``condition()`` is true."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        entry = (condition, future)
        self.waiting.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.waiting.remove(entry)


def send_key(app: Any, key: str) -> float:
    """Hand a key to the app as the terminal driver does; returns the time it was sent."""
    import unicodedata

    from textual import events
    from textual.keys import _character_to_key, _get_unicode_name_from_key

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(key))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    started = time.perf_counter()
    app._driver.send_message(event)
    return started


async def poll(condition: Callable[[], Any], timeout: float = TIMEOUT) -> None:
    """Wait (untimed) until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {condition}")
        await asyncio.sleep(0.02)


async def settle(app: Any, quiet: float = 0.15) -> None:
    """Wait until no worker runs (but those waiting on a dialog), then a little more."""
    from textual.worker import WorkerState

    def idle() -> bool:
        return not any(
            w.state in (WorkerState.PENDING, WorkerState.RUNNING) and w.group != "board-card"
            for w in app.workers
        )

    await poll(idle)
    await asyncio.sleep(quiet)
    await poll(idle)


async def press(pilot: Any, *keys: str) -> None:
    """Untimed keys (navigation between samples)."""
    await pilot.press(*keys)


# --- the app ------------------------------------------------------------------------------
def make_app(db: Path) -> Any:
    from dealterm.app import DealtermApp
    from dealterm.config import Settings

    settings = Settings(locale="en_US")
    return DealtermApp(target=str(db), settings=settings, poll=False)


async def board_ready(app: Any) -> None:
    from dealterm.widgets.board import Board

    def loaded() -> bool:
        boards = app.screen.query(Board)
        # the board is on screen before the database is open (read without the ORM)
        ready = app.crm is not None and not getattr(app.screen, "_full_load_pending", True)
        return ready and bool(boards) and bool(boards.first().lanes) and boards.first().current_card

    await poll(loaded)
    await settle(app)


def crm_log() -> CallLog:
    """Time the CRM facade's and the calendar's calls."""
    from dealterm.core.crm import Crm
    from dealterm.core.queries.calendar import CalendarData

    log = CallLog()
    log.wrap(
        Crm,
        [
            "board",
            "column_page",
            "position",
            "deal",
            "move",
            "change_stage",
            "list_ids",
            "list_top",
            "list_rows",
            "list_totals",
            "list_setup",
            "set_preference",
            "activity_board_top",
            "activity_page",
            "default_pipeline",
            "base_currency",
            "signature",
        ],
    )
    log.wrap(CalendarData, ["figures", "days"])
    return log


class Recorder:
    """Samples of several figures of one run."""

    def __init__(self, log: CallLog) -> None:
        self.log = log
        self.rows: dict[str, dict[str, Any]] = {}

    def add(self, key: str, started: float, shown: float, **detail: Any) -> None:
        crm, names = self.log.between(started, shown)
        row = self.rows.setdefault(key, {"samples": [], "crm": [], "details": []})
        row["samples"].append(shown - started)
        row["crm"].append(crm)
        row["details"].append(
            detail | {"crm_calls": {k: [round(v[0], 5), v[1]] for k, v in names.items()}}
        )


# --- figure 2: stage moves ----------------------------------------------------------------
async def run_moves(pilot: Any, rec: Recorder, samples: int) -> None:
    from dealterm.widgets.board import Board

    app = pilot.app
    frames = Frames(app)
    await board_ready(app)
    board = app.screen.query_one(Board)
    process = [i for i, lane in enumerate(board.lanes) if lane.summary.stage.semantics == "process"]
    last = max(process)
    done = 0
    while done < samples:
        if board.column >= last:
            await press(pilot, *["left"] * board.column)
            await settle(app)
        card = board.current_card
        if card is None:
            await press(pilot, "down")
            await settle(app)
            continue
        column = board.column
        source, target = board.lanes[column], board.lanes[column + 1]
        before_source, before_target = source.summary.count, target.summary.count
        deal_id = card.card.id

        def moved(
            source: Any = source,
            target: Any = target,
            want_source: int = before_source - 1,
            want_target: int = before_target + 1,
            column: int = column,
        ) -> bool:
            return (
                source.summary.count == want_source
                and target.summary.count == want_target
                and board.column == column + 1
            )

        started = send_key(app, "shift+right")
        shown = await frames.until(moved)
        rec.add(
            "move",
            started,
            shown,
            deal=deal_id,
            source=source.summary.stage.name,
            target=target.summary.stage.name,
        )
        done += 1
        await settle(app, quiet=0.05)


# --- figure 3: the list -------------------------------------------------------------------
def _table(app: Any) -> Any:
    from dealterm.screens.deal_list import ListScreen
    from dealterm.widgets.deal_table import DealTable

    screen = app.screen
    if not isinstance(screen, ListScreen):
        return None
    return screen.query_one(DealTable)


def _rows_shown(table: Any) -> bool:
    """The ids are in and every visible row's data is loaded."""
    if table is None or not len(table.ids):
        return False
    top = int(table.scroll_y)
    height = max(1, table.scrollable_content_region.height)
    visible = table.ids[top : top + height]
    return all(deal_id in table.rows for deal_id in visible)


async def run_list(pilot: Any, rec: Recorder, sorts: int) -> None:
    app = pilot.app
    frames = Frames(app)
    await board_ready(app)
    # First rows after switching to the list (the first switch of this process).
    started = send_key(app, "2")
    shown = await frames.until(lambda: _rows_shown(_table(app)))
    rec.add("list_first", started, shown)
    await settle(app)
    table = _table(app)

    # Sort changes: each column in turn, ascending/descending as `o` chooses, then reversed;
    # the amount last, so that the search below runs under the amount order, as it did when
    # only the first three columns were sorted.
    columns = [c.key for c in table.columns]
    turns = [i for i in range(1, len(columns)) if columns[i] != "amount"]
    turns += [i for i in range(1, len(columns)) if columns[i] == "amount"]
    for index in range(sorts):
        wanted = turns[(index // 2) % len(turns)]
        while table.column_cursor != wanted:
            await press(pilot, "right" if table.column_cursor < wanted else "left")
        before = table.ids
        started = send_key(app, "o")
        shown = await frames.until(
            lambda before=before: table.ids is not before and _rows_shown(table)
        )
        screen = app.screen
        rec.add(
            "list_sort",
            started,
            shown,
            column=columns[wanted],
            descending=screen.descending,
        )
        await settle(app)

    # Search as you type: every key of a client's name, then erasing it.
    applied: list[float] = []
    original = app.set_search

    def set_search(text: str) -> None:
        applied.append(time.perf_counter())
        original(text)

    app.set_search = set_search
    await press(pilot, "slash")
    await settle(app)
    keys = list(SEARCH_WORD) + ["backspace"] * len(SEARCH_WORD)
    typed = ""
    for key in keys:
        typed = typed[:-1] if key == "backspace" else typed + key
        before = table.ids
        applied.clear()
        started = send_key(app, key)
        shown = await frames.until(
            lambda before=before: table.ids is not before and _rows_shown(table)
        )
        rec.add("list_search", started, shown, text=typed, matches=len(table.ids))
        if applied:
            rec.add("list_search_applied", applied[-1], shown, text=typed)
        await settle(app)


# --- figure 4: the calendar ---------------------------------------------------------------
async def run_calendar(pilot: Any, rec: Recorder, flips: int) -> None:
    from dealterm.screens.calendar import CalendarScreen

    app = pilot.app
    frames = Frames(app)
    await board_ready(app)

    def grid() -> Any:
        screen = app.screen
        return screen.grid if isinstance(screen, CalendarScreen) else None

    def figures_in(previous: Any) -> bool:
        g = grid()
        return (
            g is not None
            and not g.state.loading
            and g.state.figures is not None
            and g.state.figures is not previous
            and g.state.figures.start == g.visible_range[0]
        )

    started = send_key(app, "4")
    shown = await frames.until(lambda: figures_in(None))
    rec.add("calendar_first", started, shown)
    await settle(app)
    pattern = ["pagedown", "pagedown", "pageup", "pageup", "pageup", "pagedown"]
    for index in range(flips):
        key = pattern[index % len(pattern)]
        previous = grid().state.figures
        started = send_key(app, key)
        shown = await frames.until(lambda previous=previous: figures_in(previous))
        rec.add("calendar_month", started, shown, month=str(grid().month))
        await settle(app, quiet=0.05)


# --- figure 5: the activities board -------------------------------------------------------
async def run_activities(pilot: Any, rec: Recorder, switches: int) -> None:
    from dealterm.screens.activities import ActivitiesScreen

    app = pilot.app
    frames = Frames(app)
    await board_ready(app)

    def screen() -> Any:
        current = app.screen
        return current if isinstance(current, ActivitiesScreen) else None

    def current_data(after: int = -1) -> bool:
        """On screen, with every load it asked for shown (none if nothing changed), and a
        load newer than ``after`` among them."""
        current = screen()
        return (
            current is not None
            and current._built
            and current.flt is not None
            and current.shown_generation == current.generation
            and current.shown_generation > after
        )

    started = send_key(app, "3")
    shown = await frames.until(current_data)
    rec.add("activities_first", started, shown)
    await settle(app)
    for index in range(switches):
        await press(pilot, "1")
        await settle(app)
        changed = index % 2 == 1
        hidden = next(s for s in app._screen_stacks["activities"] if s)
        after = hidden.generation if changed else -1
        if changed:
            # A change seen while away (ours elsewhere, or the poll's): read again.
            app.note_own_change()
        started = send_key(app, "3")
        shown = await frames.until(lambda after=after: current_data(after))
        rec.add("activities_reload" if changed else "activities_switch", started, shown)
        await settle(app)


RUNS = {
    "move": run_moves,
    "list": run_list,
    "calendar": run_calendar,
    "activities": run_activities,
}


async def run(figure: str, db: Path, samples: int) -> dict[str, Any]:
    log = crm_log()
    rec = Recorder(log)
    app = make_app(db)
    started = time.perf_counter()
    # Notifications on, as in a terminal: a move or a save shows its toast.
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await RUNS[figure](pilot, rec, samples)
        elapsed = time.perf_counter() - started
        await pilot.press("q")
    return {"figure": figure, "rows": rec.rows, "seconds": elapsed, "peak_rss_mb": _peak_rss()}


def _peak_rss() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("figure", choices=sorted(RUNS))
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = asyncio.run(run(args.figure, args.db, args.samples))
    text = json.dumps(result, indent=1, default=str)
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
