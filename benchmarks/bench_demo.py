"""How long `dealterm demo --deals N` takes on a new SQLite file.

Runs the real command in a fresh process (start-up and all), several times, and reports the
median next to a baseline measured in the same run: raw ``sqlite3.executemany`` of N rows
of the same width into a table with no indexes. The machine is shared and noisy, so the
ratio is the figure to compare between runs.

    python -m benchmarks.bench_demo --deals 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import raw_executemany


def run_demo(deals: int, folder: Path) -> float:
    target = folder / f"demo-{time.monotonic_ns()}.db"
    env = os.environ | {"DEALTERM_DATA_DIR": str(folder), "XDG_CONFIG_HOME": str(folder)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dealterm", "--db", str(target), "demo", "--deals", str(deals)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def raw_baseline(deals: int, folder: Path) -> float:
    """N rows x 33 columns through plain sqlite3 in one transaction (WAL, synchronous=NORMAL)."""
    rows = [
        (
            i,
            f"Deal {i}",
            1,
            2,
            "SALE",
            "CALL",
            None,
            i * 100,
            "USD",
            1,
            0,
            None,
            None,
            1,
            1,
            "2026-01-01 10:00:00.000000",
            1,
            "2026-01-01 10:00:00.000000",
            1,
            "2026-01-01 10:00:00.000000",
            "2026-01-01",
            "2026-01-08",
            0,
            None,
            0,
            None,
            None,
            "{}",
            1,
            0,
            None,
            None,
            None,
        )
        for i in range(1, deals + 1)
    ]
    return raw_executemany(rows, folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo, raw = [], []
        for _ in range(args.repeat):  # interleaved, so noise hits both alike
            raw.append(raw_baseline(args.deals, folder))
            demo.append(run_demo(args.deals, folder))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    print(f"{'figure':<44} {'median':>9} {'min':>9} {'max':>9}")
    print(
        f"{'dealterm demo --deals ' + format(args.deals, ','):<44} "
        f"{statistics.median(demo):>8.2f}s "
        f"{min(demo):>8.2f}s {max(demo):>8.2f}s"
    )
    print(
        f"{'raw sqlite3 executemany, deals table only':<44} {statistics.median(raw):>8.2f}s "
        f"{min(raw):>8.2f}s {max(raw):>8.2f}s"
    )
    print(
        f"ratio demo / raw deals insert: {statistics.median(demo) / statistics.median(raw):.1f}x "
        "(the demo also writes companies, contacts, activities, product rows and history)"
    )


if __name__ == "__main__":
    main()
