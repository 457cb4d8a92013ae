"""The benchmark suite of issue #7: every figure, its baseline, its target, one table.

    python -m benchmarks --deals 100000 [--repeat N] [--only 1,move,...] [--json out.json]

Figures (targets from the issue; "ratio" is against a baseline measured interleaved in the
same run, because the machine is shared and noisy):

1. start to a usable board in tmux vs a bare Textual app (≤ 1.3x at 100k, ≤ 1.6x at 1M)
2. stage move, shift+right to the repainted columns with the new counts (p95 ≤ 50 ms)
3. list: first rows after switching (≤ 0.3 s), a sort change (≤ 0.2 s), a search keystroke
   to updated rows (≤ 50 ms)
4. calendar: a month with per-day counts and sums (≤ 50 ms)
5. activities board at 2 activities per deal (≤ 0.3 s)
6. import of a 100,000-row CSV vs raw sqlite3 executemany (≤ 3x); 6'' (no target): the
   import's own SQL replayed with plain sqlite3 vs the same baseline, the floor of any
   import that writes what ours writes; 6' (no target): a 1,000-row CSV into the suite's
   database vs into a fresh one
7. peak memory of the TUI browsing all four views (≤ 150 MB)
8. ``dealterm deal list --limit 50 --json`` vs ``python -c "import typer"`` (≤ 1.5x)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.common import (
    ROOT,
    Figure,
    Target,
    bench_env,
    compile_dealterm,
    demo_db,
    format_value,
    load_average,
    machine,
    private_copy,
    with_activities,
    write_json,
)

__all__ = ["main"]

FIGURES = ["start", "move", "list", "calendar", "activities", "import", "memory", "cli"]
MOVES = 200
SORTS_PER_RUN = 14  # every column of the default list but the id, both ways
FLIPS_PER_RUN = 12
SWITCHES_PER_RUN = 4
CHILD_TIMEOUT = 1800


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Suite:
    """One run of the suite at one database size."""

    def __init__(self, deals: int, seed: int, repeat: int, folder: Path) -> None:
        self.deals = deals
        self.seed = seed
        self.repeat = repeat
        self.folder = folder
        self.figures: list[Figure] = []
        self._db: Path | None = None

    @property
    def db(self) -> Path:
        if self._db is None:
            self._db = demo_db(self.deals, self.seed, log=log)
        return self._db

    @property
    def at_100k(self) -> bool:
        return self.deals <= 100_000

    def target(self, stat: str, limit: float) -> Target | None:
        """The issue's targets are for 100k deals (and, for figures 1 and 2, for 1M)."""
        return Target(stat, limit) if self.at_100k else None

    # --- figure 1 ---------------------------------------------------------------------
    def start(self) -> None:
        from benchmarks.terminal import launch_time

        log("1. start to a usable board (tmux), interleaved with a bare Textual app")
        copy = private_copy(self.db, self.folder, "bench")
        runs = max(self.repeat, 3)
        ours, bare, first = launch_time(copy, self.folder, runs, log)
        self.figures.append(
            Figure(
                key="1",
                title="start to a usable board (tmux: first column header with its count)",
                samples=ours,
                baseline=bare,
                baseline_title="bare Textual app showing one line",
                target=Target("ratio", 1.3 if self.at_100k else 1.6),
            )
        )
        self.figures.append(
            Figure(
                key="1'",
                title="  of which: to the first frame (board screen, database not read yet)",
                samples=first,
                baseline=bare,
                baseline_title="bare Textual app showing one line",
            )
        )

    # --- figures 2-5 (in a child process per run) --------------------------------------
    def child(self, figure: str, db: Path, samples: int) -> dict[str, Any]:
        copy = private_copy(db, self.folder, f"tui-{figure}")
        out = self.folder / f"tui-{figure}.json"
        env = bench_env(self.folder, TEXTUAL_ANIMATIONS="none")
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.tui",
                figure,
                "--db",
                str(copy),
                "--samples",
                str(samples),
                "--out",
                str(out),
            ],
            check=True,
            env=env,
            cwd=ROOT,
            timeout=CHILD_TIMEOUT,
        )
        result: dict[str, Any] = json.loads(out.read_text())
        log(f"    {figure}: a run took {time.perf_counter() - started:.0f} s")
        return result

    def collect(
        self, figure: str, db: Path, samples: int, runs: int, *, split: bool = False
    ) -> dict[str, dict[str, Any]]:
        """Samples of every row the child reports, over ``runs`` fresh processes.

        ``split``: ``samples`` is the total, shared out between the runs.
        """
        merged: dict[str, dict[str, Any]] = {}
        for index in range(runs):
            share = samples // runs + (index < samples % runs) if split else samples
            result = self.child(figure, db, share)
            for key, row in result["rows"].items():
                into = merged.setdefault(key, {"samples": [], "crm": [], "details": []})
                for name in into:
                    into[name].extend(row[name])
        return merged

    def _add(
        self,
        key: str,
        title: str,
        rows: dict[str, dict[str, Any]],
        name: str,
        target: Target | None,
        note: str = "",
        crm_row: bool = True,
    ) -> None:
        row = rows.get(name, {"samples": [], "crm": [], "details": []})
        self.figures.append(
            Figure(
                key=key,
                title=title,
                samples=row["samples"],
                target=target,
                note=note,
                extra={"details": row.get("details", [])},
            )
        )
        if crm_row and row.get("crm"):
            self.figures.append(
                Figure(
                    key=f"{key}·db",
                    title="  of which CRM calls (worker threads; queries and read models)",
                    samples=row["crm"],
                )
            )

    def move(self) -> None:
        log(f"2. stage moves on the board ({MOVES} in all)")
        runs = max(1, min(self.repeat, 4))
        rows = self.collect("move", self.db, MOVES, runs, split=True)
        self._add(
            "2",
            "stage move: shift+right to the repainted columns with new counts",
            rows,
            "move",
            Target("p95", 0.050),
        )

    def list_view(self) -> None:
        log("3. the list: first rows, sort changes, search keystrokes")
        rows = self.collect("list", self.db, SORTS_PER_RUN, self.repeat)
        self._add(
            "3a",
            "list: first rows after switching to it (first switch of a session)",
            rows,
            "list_first",
            self.target("median", 0.3),
        )
        self._add(
            "3b",
            "list: sort change (o) to the first rows in the new order",
            rows,
            "list_sort",
            self.target("median", 0.2),
        )
        self._add(
            "3c",
            "list: search keystroke to updated rows",
            rows,
            "list_search",
            self.target("median", 0.050),
        )
        self._add(
            "3c'",
            "list: search, from the filter change to updated rows",
            rows,
            "list_search_applied",
            None,
            note="the part after the filter bar hands the text over",
            crm_row=False,
        )

    def calendar(self) -> None:
        log("4. the calendar: month flips")
        rows = self.collect("calendar", self.db, FLIPS_PER_RUN, self.repeat)
        self._add(
            "4",
            "calendar: next/previous month (PgDn/PgUp) to per-day counts and sums",
            rows,
            "calendar_month",
            self.target("median", 0.050),
        )
        self._add(
            "4'",
            "calendar: first month after switching to it",
            rows,
            "calendar_first",
            None,
            crm_row=False,
        )

    def activities(self) -> None:
        total = 2 * self.deals
        log(f"5. the activities board with {total:,} activities")
        db = with_activities(self.db, total, self.seed)
        rows = self.collect("activities", db, SWITCHES_PER_RUN, self.repeat)
        self._add(
            "5a",
            f"activities board: first switch to it ({total:,} activities)",
            rows,
            "activities_first",
            self.target("median", 0.3),
        )
        self._add(
            "5b",
            "activities board: switching back to it (1 then 3), nothing changed meanwhile",
            rows,
            "activities_switch",
            self.target("median", 0.3),
        )
        self._add(
            "5c",
            "activities board: switching back to it after a change elsewhere (read again)",
            rows,
            "activities_reload",
            self.target("median", 0.3),
        )

    # --- figure 6 -----------------------------------------------------------------------
    def import_csv(self) -> None:
        from benchmarks.importing import ROWS

        log("6. import of a 100,000-row CSV (benchmarks/bench_import.py, in a child process)")
        result = self._importing("import.json")
        if result["note"]:
            log(f"  {result['note']}")
        self.figures.append(
            Figure(
                key="6",
                title=f"import of a {ROWS:,}-row CSV (Crm.import_deals, fresh database)",
                samples=result["import"],
                baseline=result["baseline"],
                baseline_title="raw sqlite3 executemany of the same parsed rows",
                target=Target("ratio", 3.0),
                note=result["note"],
                extra={k: v for k, v in result["extra"].items() if k != "sql"},
            )
        )
        self.figures.append(
            Figure(
                key="6''",
                title="  the import's own SQL replayed with plain sqlite3 (no Python planning)",
                samples=result["extra"].get("sql", []),
                baseline=result["baseline"],
                baseline_title="raw sqlite3 executemany of the same parsed rows",
                note="" if result["extra"].get("sql") else "not measured",
            )
        )
        self.import_into_big()

    def import_into_big(self) -> None:
        from benchmarks.bench_import import SMALL_ROWS

        log(f"6'. import of a {SMALL_ROWS:,}-row CSV into this database and into a fresh one")
        result = self._importing("import-into.json", "--into", str(self.db))
        self.figures.append(
            Figure(
                key="6'",
                title=f"import of a {SMALL_ROWS:,}-row CSV into the {self.deals:,}-deal database",
                samples=result["import"],
                baseline=result["baseline"],
                baseline_title="the same file into a fresh database",
                target=None,
                note="",
                extra=result["extra"],
            )
        )

    def _importing(self, name: str, *args: str) -> dict[str, Any]:
        """Run ``benchmarks.importing`` in a child process; its JSON result."""
        out = self.folder / name
        command = ["-m", "benchmarks.importing", "--runs", str(self.repeat), "--out", str(out)]
        subprocess.run(
            [sys.executable, *command, *args],
            check=True,
            env=bench_env(self.folder),
            cwd=ROOT,
            timeout=CHILD_TIMEOUT,
        )
        result: dict[str, Any] = json.loads(out.read_text())
        return result

    # --- figure 7 -----------------------------------------------------------------------
    def memory(self) -> None:
        from benchmarks.terminal import peak_memory

        log("7. peak memory of the TUI browsing the four views (tmux, /usr/bin/time -v)")
        copy = private_copy(self.db, self.folder, "memory")
        runs = max(1, min(self.repeat, 3))
        peaks = peak_memory(copy, self.folder, runs, log)
        self.figures.append(
            Figure(
                key="7",
                title="peak RSS of the TUI: board, list (10 pages + End), activities, calendar",
                unit="MB",
                samples=peaks,
                target=self.target("max", 150),
            )
        )

    # --- figure 8 -----------------------------------------------------------------------
    def cli(self) -> None:
        from benchmarks.cli import deal_list_time

        log("8. dealterm deal list --limit 50 --json vs python -c 'import typer'")
        copy = private_copy(self.db, self.folder, "cli")
        ours, baseline, floor = deal_list_time(copy, self.folder, max(2 * self.repeat, 6), log)
        self.figures.append(
            Figure(
                key="8",
                title="dealterm deal list --limit 50 --json",
                samples=ours,
                baseline=baseline,
                baseline_title='python -c "import typer"',
                target=self.target("ratio", 1.5),
            )
        )
        self.figures.append(
            Figure(
                key="8'",
                title="  the same against a one-command Typer app (benchmarks/typer_floor.py)",
                samples=ours,
                baseline=floor,
                baseline_title="python -m benchmarks.typer_floor --limit 50 --json",
            )
        )

    def run(self, only: list[str]) -> None:
        steps: dict[str, Callable[[], None]] = {
            "start": self.start,
            "move": self.move,
            "list": self.list_view,
            "calendar": self.calendar,
            "activities": self.activities,
            "import": self.import_csv,
            "memory": self.memory,
            "cli": self.cli,
        }
        for name in only:
            try:
                steps[name]()
            except Exception as error:  # one broken figure must not lose the others
                log(f"  {name} failed: {type(error).__name__}: {error}")
                self.figures.append(
                    Figure(
                        key=name, title=f"{name}: failed", note=f"{type(error).__name__}: {error}"
                    )
                )


# --- the table ------------------------------------------------------------------------------
def table(figures: list[Figure], markdown: bool = False) -> str:
    head = ["#", "figure", "n", "median", "p95", "min–max", "baseline", "ratio", "target", "met?"]
    lines: list[list[str]] = []
    for f in figures:
        spread = (
            f"{format_value(min(f.samples), f.unit)}–{format_value(max(f.samples), f.unit)}"
            if f.samples
            else "—"
        )
        baseline = format_value(f.baseline_median, f.unit) if f.baseline else "—"
        ratio = f"{f.ratio:.2f}x" if f.baseline and f.samples else "—"
        met = {True: "yes", False: "**no**" if markdown else "NO", None: "—"}[f.met]
        title = f.title + (f" ({f.note})" if f.note else "")
        lines.append(
            [
                f.key,
                title,
                str(len(f.samples)),
                format_value(f.median, f.unit) if f.samples else "—",
                format_value(f.p95, f.unit) if f.samples else "—",
                spread,
                baseline,
                ratio,
                f.target.describe(f.unit) if f.target else "—",
                met,
            ]
        )
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in lines
        ]
        return "\n".join(out)
    widths = [max(len(row[i]) for row in [head, *lines]) for i in range(len(head))]
    widths[1] = min(widths[1], 70)

    def fmt(row: list[str]) -> str:
        cells = []
        for i, cell in enumerate(row):
            if i == 1 and len(cell) > widths[1]:
                cell = cell[: widths[1] - 1] + "…"
            cells.append(cell.ljust(widths[i]) if i in (0, 1, 8) else cell.rjust(widths[i]))
        return "  ".join(cells)

    return "\n".join([fmt(head), "  ".join("-" * w for w in widths), *map(fmt, lines)])


def _only(text: str | None) -> list[str]:
    if not text:
        return list(FIGURES)
    chosen = []
    for part in text.split(","):
        part = part.strip().lower()
        if part.isdigit() and 1 <= int(part) <= len(FIGURES):
            part = FIGURES[int(part) - 1]
        if part not in FIGURES:
            raise SystemExit(f"unknown figure {part!r}: choose from 1-8 or {', '.join(FIGURES)}")
        chosen.append(part)
    return [name for name in FIGURES if name in chosen]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="The benchmark suite of issue #7."
    )
    parser.add_argument("--deals", type=int, default=100_000, help="demo database size")
    parser.add_argument("--seed", type=int, default=42, help="demo generator seed")
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs per figure (fresh process each); default 5"
    )
    parser.add_argument("--only", help="figures to run: numbers or names, comma-separated")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)
    only = _only(args.only)

    info = machine()  # before the run: the code measured is HEAD plus info["changed_files"]
    compile_dealterm()  # as installed: no module compiled at each start
    load_start = load_average()
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="dealterm-bench-") as tmp:
        suite = Suite(args.deals, args.seed, max(1, args.repeat), Path(tmp))
        suite.run(only)
    load_end = load_average()
    print(
        f"dealterm benchmarks: {args.deals:,} deals (seed {args.seed}), {date.today()}, "
        f"{time.time() - started:.0f} s"
    )
    print(
        f"machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory_gib']} GiB, "
        f"{info['system']}, Python {info['python']}, SQLite {info['sqlite']}, "
        f"Textual {info['textual']}, {info['tmux']}"
    )
    print(
        "load average (1/5/15 min): "
        f"start {'/'.join(f'{x:.2f}' for x in load_start)}, "
        f"end {'/'.join(f'{x:.2f}' for x in load_end)}"
    )
    print()
    print(table(suite.figures, markdown=args.markdown))
    if args.json:
        write_json(
            args.json,
            {
                "date": str(date.today()),
                "deals": args.deals,
                "seed": args.seed,
                "repeat": args.repeat,
                "seconds": round(time.time() - started, 1),
                "machine": info,
                "load_start": load_start,
                "load_end": load_end,
                "figures": [f.as_json() for f in suite.figures],
            },
        )
