"""Profiles for the figures that miss their targets (pyinstrument; ``pip install pyinstrument``).

    python -m benchmarks.profile WHAT [--deals 100000] [--out DIR]

WHAT is one of:

- ``board``, ``list``, ``search``, ``sort``, ``calendar``, ``activities``, ``open``: the CRM
  calls a view makes, run on the main thread (in the app they run in worker threads, which
  pyinstrument does not follow) a few times over, on a private copy of the cached demo db;
- ``tui-move``, ``tui-list``, ``tui-calendar``, ``tui-activities``: the figure's run of
  :mod:`benchmarks.tui`, profiling the UI thread (rendering, message handling);
- ``start``: a timeline of one headless start (imports, first frame, database open, first
  board), then a profile of the UI thread up to the first board;
- ``cli``: ``dealterm deal list --limit 50 --json`` in-process;
- ``import``: one import of bench_import.py's 100,000-row CSV into a fresh database.

Each prints pyinstrument's text report (and writes an HTML one to ``--out``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_USER, demo_db, private_copy, with_activities

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
os.environ.setdefault("DEALTERM_USER", BENCH_USER)


def _profiler() -> Any:
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("pyinstrument is not installed: pip install pyinstrument") from None
    return Profiler(interval=0.0005)


def _report(profiler: Any, name: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.html").write_text(profiler.output_html())
    text = profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)
    (out / f"{name}.txt").write_text(text)
    print(text)


def _crm(db: Path) -> Any:
    from dealterm.core.crm import Crm
    from dealterm.core.db import Database

    return Crm(Database.open(db, login=BENCH_USER))


def _timed(label: str, call: Callable[[], Any], times: int = 5) -> Any:
    result = None
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        result = call()
        spent.append(time.perf_counter() - started)
    spent.sort()
    print(
        f"{label:<58} median {spent[len(spent) // 2] * 1000:8.1f} ms  min {spent[0] * 1000:8.1f} ms"
    )
    return result


# --- the CRM calls of each view ---------------------------------------------------------------
def core_board(crm: Any) -> Callable[[], None]:
    from dealterm.screens.new_deal import load_choices

    pipeline = crm.default_pipeline()
    summaries = _timed("crm.board(pipeline)", lambda: crm.board(pipeline.id))
    first = next(s for s in summaries if s.count)
    _timed("crm.column_page(first stage, 0, 40)", lambda: crm.column_page(first.stage.id, 0, 40))
    _timed("load_choices(crm)", lambda: load_choices(crm))
    deal = crm.column_page(first.stage.id, 0, 1)[0]
    _timed("crm.position(deal)", lambda: crm.position(deal.id))
    _timed("crm.deal(deal)", lambda: crm.deal(deal.id))
    stages = [s.stage.id for s in summaries if s.stage.semantics == "process"]
    state = {"stage": 0}

    def move() -> None:
        current = crm.deal(deal.id)
        state["stage"] = (state["stage"] + 1) % len(stages)
        crm.move(deal.id, stages[state["stage"]], current.version)

    _timed("crm.move(deal, next stage)", move)

    def work() -> None:  # what BoardScreen does for one shift+right
        move()
        summaries = crm.board(pipeline.id)
        crm.position(deal.id)
        for summary in summaries:
            if summary.count:
                crm.column_page(summary.stage.id, 0, 40)

    return work


def core_list(crm: Any) -> Callable[[], None]:
    _timed("crm.list_totals(None)", lambda: crm.list_totals(None))
    _timed(
        "crm.list_top(None, 200 ids, 100 rows)", lambda: crm.list_top(None, "id", True, 200, 100)
    )
    _timed("crm.list_ids(None) (all)", lambda: crm.list_ids(None, "id", True))

    def work() -> None:  # ListScreen._load
        crm.list_setup(("list.columns", "list.sort"))
        crm.list_top(None, "id", True, 200, 100)
        crm.list_totals(None)
        crm.list_ids(None, "id", True)

    return work


def core_sort(crm: Any) -> Callable[[], None]:
    from dealterm.core.deal_columns import DEFAULT_COLUMNS

    for key in DEFAULT_COLUMNS:
        for descending in (False, True):
            _timed(
                f"crm.list_top(sort={key}, desc={descending}, 200 ids, 100 rows)",
                lambda key=key, descending=descending: crm.list_top(
                    None, key, descending, 200, 100
                ),
                times=3,
            )

    def work() -> None:  # a sort keeps the totals: the top, then the full order
        for key in DEFAULT_COLUMNS:
            crm.list_top(None, key, False, 200, 100)
            crm.list_ids(None, key, False)

    return work


def core_search(crm: Any) -> Callable[[], None]:
    from benchmarks.tui import SEARCH_WORD
    from dealterm.core.filters import DealFilter

    prefixes = [SEARCH_WORD[:n] for n in range(1, len(SEARCH_WORD) + 1)]
    for text in prefixes:
        flt = DealFilter(search=text)
        _timed(f"crm.list_totals(search={text!r})", lambda flt=flt: crm.list_totals(flt), 3)
        _timed(
            f"crm.list_top(search={text!r}, 200 ids, 100 rows)",
            lambda flt=flt: crm.list_top(flt, "id", True, 200, 100),
            3,
        )
        _timed(
            f"crm.list_ids(search={text!r}) (all)", lambda flt=flt: crm.list_ids(flt, "id", True), 3
        )

    def work() -> None:
        for text in prefixes:
            flt = DealFilter(search=text)
            crm.list_top(flt, "id", True, 200, 100)
            crm.list_totals(flt)
            crm.list_ids(flt, "id", True)

    return work


def core_calendar(crm: Any) -> Callable[[], None]:
    from dealterm.core.queries.calendar import CalendarData
    from dealterm.widgets.month_grid import month_weeks

    data = CalendarData(crm.db)
    today = crm.db.clock.today()
    weeks = month_weeks(today.replace(day=1), 0)
    start, end = weeks[0][0], weeks[-1][-1]
    _timed(
        f"CalendarData.figures({start}..{end}, close_date)",
        lambda: data.figures(start, end, field="close_date", flt=None),
    )

    def work() -> None:
        data.figures(start, end, field="close_date", flt=None)

    return work


def core_activities(crm: Any) -> Callable[[], None]:
    from dealterm.core.filters import DealFilter

    pipeline = crm.default_pipeline()
    flt = DealFilter(pipeline=pipeline.id)
    top = _timed(
        "crm.activity_board_top(pipeline filter, pages of 40)",
        lambda: crm.activity_board_top(flt, 40),
    )
    for column in top.summary:
        code = column.stage.code
        _timed(
            f"crm.activity_page({code}: second page of {column.count})",
            lambda code=code: crm.activity_page(flt, code, offset=40, limit=40),
            3,
        )

    def work() -> None:  # ActivitiesScreen._load
        crm.activity_board_top(flt, 40)

    return work


def core_open(crm: Any) -> Callable[[], None]:
    from dealterm.core.crm import Crm
    from dealterm.core.db import Database

    target = crm.db.url.database

    def work() -> None:  # DealtermApp.open_database, then BoardScreen._load
        from dealterm.screens.new_deal import load_choices

        db = Database.open(target, login=BENCH_USER)
        fresh = Crm(db)
        pipeline = fresh.default_pipeline()
        fresh.base_currency()
        fresh.signature()
        fresh.setup.layout()
        load_choices(fresh)
        for summary in fresh.board(pipeline.id):
            if summary.count:
                fresh.column_page(summary.stage.id, 0, 40)
        db.engine.dispose()

    _timed("open the database + first board (all CRM calls)", work, 3)
    return work


CORE = {
    "board": core_board,
    "list": core_list,
    "sort": core_sort,
    "search": core_search,
    "calendar": core_calendar,
    "activities": core_activities,
    "open": core_open,
}


def profile_core(what: str, db: Path, out: Path, times: int) -> None:
    crm = _crm(db)
    work = CORE[what](crm)
    profiler = _profiler()
    profiler.start()
    for _ in range(times):
        work()
    profiler.stop()
    _report(profiler, f"core-{what}", out)


def profile_tui(figure: str, db: Path, out: Path, samples: int) -> None:
    from benchmarks import tui

    profiler = _profiler()
    profiler.start()
    result = asyncio.run(tui.run(figure, db, samples))
    profiler.stop()
    for key, row in result["rows"].items():
        values = sorted(row["samples"])
        print(f"{key}: median {values[len(values) // 2] * 1000:.0f} ms over {len(values)}")
    _report(profiler, f"tui-{figure}", out)


def profile_start(db: Path, out: Path) -> None:
    """A timeline of one headless start, and a profile of the UI thread until the board."""
    began = time.perf_counter()
    marks: list[tuple[str, float]] = []

    def mark(label: str) -> None:
        marks.append((label, time.perf_counter() - began))

    profiler = _profiler()
    profiler.start()
    import dealterm.cli.root  # noqa: F401  (what `dealterm` imports before anything runs)

    mark("imported dealterm.cli.root (typer command tree)")
    from dealterm.app import DealtermApp
    from dealterm.config import load_settings

    mark("imported dealterm.app")
    settings = load_settings()
    app = DealtermApp(target=str(db), settings=settings, poll=False)
    original_opened = app._db_opened

    def opened(*args: Any) -> None:
        mark("database open (worker done, back on the UI thread)")
        original_opened(*args)

    app._db_opened = opened  # type: ignore[method-assign]
    from benchmarks.tui import Frames, board_ready

    async def go() -> None:
        async with app.run_test(size=(160, 45)) as pilot:
            frames = Frames(app)
            await frames.until(lambda: True)
            mark("first frame")
            from dealterm.widgets.board import Board

            def counts() -> bool:
                boards = app.screen.query(Board)
                return bool(boards) and any(lane.summary.count for lane in boards.first().lanes)

            await frames.until(counts)
            mark("first frame with column counts (usable board)")
            await board_ready(app)
            await pilot.press("q")

    asyncio.run(go())
    profiler.stop()
    for label, at in marks:
        print(f"{at * 1000:8.0f} ms  {label}")
    _report(profiler, "start", out)


def profile_cli(db: Path, out: Path) -> None:
    from dealterm.cli import main as cli_main

    profiler = _profiler()
    profiler.start()
    saved = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    try:
        cli_main(["--db", str(db), "deal", "list", "--limit", "50", "--json"])
    except SystemExit:
        pass
    finally:
        sys.stdout.close()
        sys.stdout = saved
    profiler.stop()
    _report(profiler, "cli", out)


def profile_import(out: Path) -> None:
    from benchmarks import bench_import
    from benchmarks.importing import ROWS

    with tempfile.TemporaryDirectory(prefix="dealterm-profile-import-") as tmp:
        folder = Path(tmp)
        source = folder / "deals.csv"
        bench_import.make_csv(source, ROWS)
        template = folder / "template.db"
        from dealterm.core.db import Database

        Database.open(template, login=BENCH_USER).close()
        profiler = _profiler()
        profiler.start()
        seconds, created = bench_import.run_import(source, template, folder)
        profiler.stop()
        print(f"import: {seconds:.2f} s, {created:,} deals created")
    _report(profiler, "import", out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what",
        choices=[
            *CORE,
            *("tui-move", "tui-list", "tui-calendar", "tui-activities", "start", "cli", "import"),
        ],
    )
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--times", type=int, default=5, help="repetitions of the CRM calls")
    parser.add_argument("--samples", type=int, default=20, help="samples of a tui- run")
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "dealterm-profiles"
    )
    args = parser.parse_args()
    if args.what == "import":
        profile_import(args.out)
        return
    source = demo_db(args.deals, args.seed)
    if args.what in ("activities", "tui-activities"):
        source = with_activities(source, 2 * args.deals, args.seed)
    with tempfile.TemporaryDirectory(prefix="dealterm-profile-") as tmp:
        db = private_copy(source, Path(tmp), "profile")
        if args.what in CORE:
            profile_core(args.what, db, args.out, args.times)
        elif args.what.startswith("tui-"):
            profile_tui(args.what.removeprefix("tui-"), db, args.out, args.samples)
        elif args.what == "start":
            profile_start(db, args.out)
        else:
            profile_cli(db, args.out)


if __name__ == "__main__":
    main()
