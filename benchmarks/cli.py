"""Figure 8: ``dealterm deal list --limit 50 --json`` against ``python -c "import typer"``.

Both are new processes of the same interpreter, run one after the other (the order
alternates) so that noise hits both alike; the ratio of the medians is the figure.
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
) -> tuple[list[float], list[float]]:
    """Returns (dealterm seconds, import typer seconds), one of each per run."""
    env = bench_env(folder)
    ours_cmd = [*dealterm_command(), "--db", str(db), "deal", "list", "--limit", "50", "--json"]
    typer_cmd = [sys.executable, "-c", "import typer"]
    _run(ours_cmd, env)  # warm-up: page cache, the copy's WAL
    _run(typer_cmd, env)
    ours: list[float] = []
    baseline: list[float] = []
    for index in range(runs):
        if index % 2:
            ours.append(_run(ours_cmd, env))
            baseline.append(_run(typer_cmd, env))
        else:
            baseline.append(_run(typer_cmd, env))
            ours.append(_run(ours_cmd, env))
    log(
        f"  deal list: {min(ours):.2f}–{max(ours):.2f} s, "
        f"import typer {min(baseline):.2f}–{max(baseline):.2f} s ({runs} runs each)"
    )
    return ours, baseline
