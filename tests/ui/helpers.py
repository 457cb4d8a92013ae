"""Helpers shared by the UI tests: reading the screen as text, waiting for flows, the database."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable, Iterable
from typing import Any

from rich.console import Console

from dealterm.core.db import Database
from dealterm.core.models import HistoryEvent
from dealterm.core.queries import deal_detail, get_deal
from dealterm.core.readmodels import DealDetail, DealRead, EventRead
from dealterm.widgets.board import Board

# Flows that await a modal screen: their workers run for as long as the modal (or the card)
# is open, so "everything finished" never includes them.
WAITING_GROUPS = frozenset({"board-card"})

# Behaviour tests run in a somewhat smaller terminal than the snapshots (every dialog still
# fits): each frame of the board, alone or under a dialog, is drawn in full, so less is drawn.
FAST = (120, 36)

# Stage ids of the seeded demo (pipeline "Sales" = 1, "Projects" = 2).
NEW, PREPARATION, PREPAYMENT, IN_PROGRESS, FINAL_INVOICE, WON, LOST, APOLOGY = range(1, 9)
SALES_STAGES = [NEW, PREPARATION, PREPAYMENT, IN_PROGRESS, FINAL_INVOICE, WON, LOST, APOLOGY]
STAGE_NAMES = {
    NEW: "New",
    PREPARATION: "Document preparation",
    PREPAYMENT: "Prepayment invoice",
    IN_PROGRESS: "In progress",
    FINAL_INVOICE: "Final invoice",
    WON: "Deal successful",
    LOST: "Deal failed",
    APOLOGY: "Failure reason analysis",
}


def screen_text(app: Any) -> str:
    """What the terminal shows now (the top screen over the ones below it), as plain text."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text(styles=False)


async def until(pilot: Any, condition: Callable[[], Any], *, timeout: float = 10.0) -> None:
    """Let the app run until ``condition()`` is true, then let the screen catch up.

    Like conftest's ``until``, but it sleeps between checks instead of calling
    ``pilot.pause()``, which walks every widget each time (about 20 ms of CPU on the card,
    taken from the app it is waiting for).
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        await asyncio.sleep(0.02)
    await pilot.pause()


def busy(app: Any, groups: Iterable[str] | None = None) -> list[Any]:
    """Unfinished workers (of ``groups``, or all but the ones that wait on an open screen)."""
    from textual.worker import WorkerState

    wanted = set(groups) if groups is not None else None
    return [
        worker
        for worker in app.workers
        if worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
        and (worker.group in wanted if wanted is not None else worker.group not in WAITING_GROUPS)
    ]


async def settle(pilot: Any, *, timeout: float = 10.0) -> None:
    """Wait until every worker that does not wait on a modal has finished, then repaint."""
    await until(pilot, lambda: not busy(pilot.app), timeout=timeout)


def board(app: Any) -> Board:
    """The board widget of the board screen (whatever screen is on top)."""
    from dealterm.screens.board import BoardScreen

    screen = next(s for s in app.screen_stack if isinstance(s, BoardScreen))
    return screen.query_one(Board)


def picture(app: Any) -> Any:
    """The first frame's picture of the board, while it is shown (else None)."""
    from dealterm.screens.board import BoardScreen
    from dealterm.widgets.board_picture import BoardPicture

    screen = next((s for s in app.screen_stack if isinstance(s, BoardScreen)), None)
    found = screen.query(BoardPicture) if screen is not None else None
    return found.first() if found else None


def counts(app: Any) -> dict[int, int]:
    """Deal count per stage id, as the column headers show it (the first frame's picture
    of the board too)."""
    shown = picture(app)
    if shown is not None:
        return {summary.stage.id: summary.count for summary in shown.summaries}
    return {lane.summary.stage.id: lane.summary.count for lane in board(app).lanes}


def header_text(app: Any, stage_id: int) -> str:
    """The text of a column header as drawn."""
    lane = board(app).lane(stage_id)
    assert lane is not None
    return str(lane.header.render())


def column_ids(app: Any, stage_id: int) -> list[int]:
    """Ids of the loaded cards of a column, top to bottom."""
    lane = board(app).lane(stage_id)
    assert lane is not None
    return [view.card.id for page in sorted(lane.column.pages) for view in lane.column.pages[page]]


def select_deal(app: Any, deal_id: int) -> None:
    """Put the board's cursor on a loaded deal (the arrow keys are tested on their own)."""
    the_board = board(app)
    for lane in the_board.lanes:
        ids = column_ids(app, lane.summary.stage.id)
        if deal_id in ids:
            the_board.select(lane.summary.stage.id, ids.index(deal_id))
            break
    else:
        raise AssertionError(f"deal #{deal_id} is not on the board")
    current = the_board.current_card
    assert current is not None and current.card.id == deal_id


def read_deal(db: Database, deal_id: int) -> DealRead:
    with db.session(write=False) as session:
        return get_deal(session, deal_id)


def read_detail(db: Database, deal_id: int) -> DealDetail:
    with db.session(write=False) as session:
        return deal_detail(session, deal_id)


def events(db: Database, deal_id: int, kind: str | None = None) -> list[EventRead]:
    """A deal's timeline, newest first (optionally one kind only)."""
    return [e for e in read_detail(db, deal_id).history if kind is None or e.kind == kind]


def event_count(db: Database) -> int:
    """How many history events the whole database holds (a cheap "nothing was written")."""
    from sqlalchemy import func, select

    with db.session(write=False) as session:
        return int(session.execute(select(func.count()).select_from(HistoryEvent)).scalar_one())


async def wait_for_screen(pilot: Any, kind: type, *, timeout: float = 5.0) -> Any:
    """Wait until a screen of this type is on top; return it."""
    await until(pilot, lambda: isinstance(pilot.app.screen, kind), timeout=timeout)
    await pilot.pause()
    return pilot.app.screen


async def back_on_board(pilot: Any) -> None:
    """A flow ended: the board is on top again and has reloaded."""
    from dealterm.screens.board import BoardScreen

    await wait_for_screen(pilot, BoardScreen)
    await settle(pilot)


async def open_card(pilot: Any, deal_id: int) -> Any:
    """Select a deal on the board and press enter; wait until the card shows it."""
    from dealterm.screens.deal_card import DealCardScreen

    select_deal(pilot.app, deal_id)
    await pilot.press("enter")
    card = await wait_for_screen(pilot, DealCardScreen)
    await until(pilot, lambda: card.deal is not None and card.deal.id == deal_id)
    await settle(pilot)
    return card


def label_text(screen: Any, selector: str) -> str:
    """The text a Label/Static shows."""
    return str(screen.query_one(selector).render())


def table_rows(screen: Any, selector: str) -> list[list[str]]:
    """The cells of a DataTable as plain text, top to bottom."""
    table = screen.query_one(selector)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
