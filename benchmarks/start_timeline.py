"""Where figure 1's time goes: a timeline of the start, next to the bare app's.

    python -m benchmarks.start_timeline [--deals 100000] [--runs 7]

Starts ``dealterm --db COPY`` and the bare Textual app alternately in tmux (160x45), each
under :mod:`benchmarks.start_marks`, which notes when Textual is imported, the board
screen is composed, Textual's start-up batch is over, the first render is done and the
first frame is sent to the terminal (milliseconds from the first line of Python). Prints
the median of each mark and of the renders' durations.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import compile_dealterm, demo_db, private_copy
from benchmarks.terminal import (
    BARE_READY,
    BOARD_READY,
    Tmux,
    shell_script,
    terminal_env,
)

MARKS = (
    "first board read started (thread)",  # dealterm only: core/quickread in a thread
    "first board's SQL done (thread)",
    "first board read done (thread)",
    "Textual imported",  # for dealterm: Textual and the app's modules
    "board screen composed",
    "start-up batch over",
    "first render done",
    "first frame sent to the terminal",
)


def timeline(db: Path, folder: Path, runs: int) -> dict[str, list[dict[str, Any]]]:
    """The marks of ``runs`` starts of each app, alternating."""
    env = terminal_env(folder)
    tmux = Tmux(env)
    found: dict[str, list[dict[str, Any]]] = {"dealterm": [], "bare": []}
    marker = [sys.executable, "-m", "benchmarks.start_marks"]
    try:
        for index in range(runs + 1):  # the first of each is not counted (cold caches)
            for kind in ("dealterm", "bare"):
                out = folder / f"{kind}-{index}.jsonl"
                args = ["dealterm", "--db", str(db)] if kind == "dealterm" else ["bare"]
                script = shell_script(folder, f"{kind}-{index}", [*marker, str(out), *args], env)
                name, _ = tmux.start(script)
                if kind == "dealterm":
                    tmux.wait_for(name, lambda s: bool(BOARD_READY.search(s)))
                    tmux.stop(name, "q")
                else:
                    tmux.wait_for(name, lambda s: BARE_READY in s)
                    tmux.stop(name, "C-q")
                if index and out.exists():
                    found[kind].append(json.loads(out.read_text().splitlines()[-1]))
    finally:
        tmux.close()
    return found


def report(found: dict[str, list[dict[str, Any]]]) -> None:
    print(f"{'mark (ms from the first line of Python)':45} {'bare app':>9} {'dealterm':>9}")
    for mark in MARKS:
        cells = []
        for kind in ("bare", "dealterm"):
            times = [run["marks"][mark] for run in found[kind] if mark in run["marks"]]
            cells.append(f"{statistics.median(times):9.1f}" if times else f"{'—':>9}")
        print(f"{mark:45} {cells[0]} {cells[1]}")
    for kind in ("bare", "dealterm"):
        first = [run["renders"][0] for run in found[kind] if run["renders"]]
        if first:
            print(f"{kind}: the first render took {statistics.median(first):.1f} ms (median)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    source = demo_db(args.deals, args.seed)
    compile_dealterm()
    with tempfile.TemporaryDirectory(prefix="dealterm-timeline-") as tmp:
        folder = Path(tmp)
        db = private_copy(source, folder, "timeline")
        report(timeline(db, folder, args.runs))


if __name__ == "__main__":
    main()
