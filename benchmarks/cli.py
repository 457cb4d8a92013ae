"""Figure 8: ``dealterm deal list --limit 50 --json`` against ``python -c "import typer"``.

All are new processes of the same interpreter, run one after the other (the order
alternates) so that noise hits them alike; the ratio of the medians is the figure.
Figure 8' compares with the floor of any Typer command (:mod:`benchmarks.typer_floor`).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import ROOT, bench_env, dealterm_command

__all__ = ["deal_list_time"]


def _run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def deal_list_time(
    db: Path, folder: Path, runs: int, log: Callable[[str], None]
) -> tuple[list[float], list[float], list[float]]:
    """Returns (dealterm, import typer, a one-command Typer app) seconds, one each per run."""
    env = bench_env(folder)
    commands = [
        [*dealterm_command(), "--db", str(db), "deal", "list", "--limit", "50", "--json"],
        [sys.executable, "-c", "import typer"],
        [sys.executable, "-m", "benchmarks.typer_floor", "--limit", "50", "--json"],
    ]
    for command in commands:  # warm-up: page cache, the copy's WAL
        _run(command, env)
    times: list[list[float]] = [[], [], []]
    for index in range(runs):
        order = range(3) if index % 2 else reversed(range(3))
        for which in order:
            times[which].append(_run(commands[which], env))
    ours, baseline, floor = times
    log(
        f"  deal list: {min(ours):.2f}–{max(ours):.2f} s, "
        f"import typer {min(baseline):.2f}–{max(baseline):.2f} s, "
        f"one-command Typer app {min(floor):.2f}–{max(floor):.2f} s ({runs} runs each)"
    )
    return ours, baseline, floor
