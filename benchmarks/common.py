"""What every figure of the suite shares: statistics, the cached demo databases, the machine.

The demo database of a size and seed is built once with the real command
(``dealterm demo``) and kept under ``~/.cache/dealterm-bench`` (``DEALTERM_BENCH_CACHE``
overrides). Anything that opens it with the app gets its own copy, so a figure that
writes never changes what the next one reads.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "BENCH_USER",
    "ROOT",
    "Figure",
    "Target",
    "bench_env",
    "cache_dir",
    "compile_dealterm",
    "current",
    "dealterm_command",
    "demo_db",
    "load_average",
    "machine",
    "p95",
    "private_copy",
    "with_activities",
]

ROOT = Path(__file__).resolve().parent.parent
BENCH_USER = "bench"  # the login every run acts as (so opening a copy writes nothing)
DEFAULT_SEED = 42


# --- statistics -----------------------------------------------------------------------------
def p95(values: Sequence[float]) -> float:
    """The 95th percentile (nearest rank: the value 95% of the samples are at or below)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(0.95 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Target:
    """What a figure must stay under.

    Attributes:
        stat: which statistic is judged: "median", "p95", "max" or "ratio" (median of the
            figure over the median of its baseline, both measured in the same run).
        limit: the largest value that still meets the target (seconds, MB or a ratio).
    """

    stat: str
    limit: float

    def describe(self, unit: str) -> str:
        if self.stat == "ratio":
            return f"ratio ≤ {self.limit:g}x"
        return f"{self.stat} ≤ {format_value(self.limit, unit)}"


@dataclass
class Figure:
    """One row of the table: the samples of a figure and, maybe, of its baseline.

    Attributes:
        key: short id (``--only`` takes the number or the key of a figure).
        title: what was measured.
        unit: "s" or "MB".
        samples: the measurements.
        baseline: the baseline's measurements (same run, interleaved), if any.
        baseline_title: what the baseline is.
        target: the target, if the issue sets one.
        note: why there is no number, or what to read into it.
        extra: anything else worth keeping in the JSON (per-sample details).
    """

    key: str
    title: str
    unit: str = "s"
    samples: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    baseline_title: str = ""
    target: Target | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else math.nan

    @property
    def p95(self) -> float:
        return p95(self.samples)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline) if self.baseline else math.nan

    @property
    def ratio(self) -> float:
        if not self.baseline or not self.samples or self.baseline_median == 0:
            return math.nan
        return self.median / self.baseline_median

    @property
    def judged(self) -> float:
        """The statistic the target is about."""
        if self.target is None:
            return math.nan
        return {
            "median": self.median,
            "p95": self.p95,
            "max": max(self.samples) if self.samples else math.nan,
            "ratio": self.ratio,
        }[self.target.stat]

    @property
    def met(self) -> bool | None:
        """True/False against the target; None without a target or without samples."""
        if self.target is None or not self.samples or math.isnan(self.judged):
            return None
        return self.judged <= self.target.limit

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            median=_finite(self.median),
            p95=_finite(self.p95),
            min=min(self.samples) if self.samples else None,
            max=max(self.samples) if self.samples else None,
            baseline_median=_finite(self.baseline_median),
            ratio=_finite(self.ratio),
            met=self.met,
        )
        return data


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


def format_value(value: float, unit: str) -> str:
    """``0.0123`` s as "12.3 ms", ``1.5`` s as "1.50 s", MB as "123 MB"."""
    if value is None or math.isnan(value):
        return "—"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "s":
        if value < 1:
            return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"
        return f"{value:.2f} s"
    return f"{value:g} {unit}"


# --- environment --------------------------------------------------------------------------
def cache_dir() -> Path:
    """Where built demo databases are kept."""
    folder = Path(
        os.environ.get("DEALTERM_BENCH_CACHE") or Path.home() / ".cache" / "dealterm-bench"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def bench_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for a dealterm process: private settings and data, a fixed login."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DEALTERM_", "TEXTUAL_"))
    }
    env.update(
        DEALTERM_USER=BENCH_USER,
        DEALTERM_CONFIG=str(home / "config.toml"),  # never there: defaults
        DEALTERM_DATA_DIR=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        LANG="en_US.UTF-8",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("LC_ALL", None)
    env.update(extra)
    return env


def compile_dealterm() -> None:
    """Byte-compile dealterm, as ``pip install`` does.

    The figures run with ``PYTHONDONTWRITEBYTECODE`` (:func:`bench_env`; this machine sets
    it too), so an editable or source checkout compiled every dealterm module on every
    start, which an installed copy never does (about 25 ms before the first frame and more
    in the database's worker). Existing ``.pyc`` files are still read.
    """
    import compileall

    import dealterm

    compileall.compile_dir(str(Path(dealterm.__file__).parent), quiet=1)


def dealterm_command() -> list[str]:
    """The installed ``dealterm`` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("dealterm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dealterm"]


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages."""
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return float(one), float(five), float(fifteen)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import sqlalchemy
    import textual

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    tmux = shutil.which("tmux")
    tmux_version = (
        subprocess.run([tmux, "-V"], capture_output=True, text=True).stdout.strip() if tmux else ""
    )

    def git(*args: str) -> str:
        found = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT)
        return found.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        # other engineers work in the same tree: what was measured is HEAD plus these
        "changed_files": git("status", "--porcelain", "--", "dealterm").splitlines(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": textual.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "tmux": tmux_version,
    }


# --- databases ----------------------------------------------------------------------------
def demo_db(deals: int, seed: int = DEFAULT_SEED, *, log: Any = print) -> Path:
    """The cached demo database of this size and seed, built with ``dealterm demo`` if missing."""
    target = cache_dir() / f"demo-{deals}-seed-{seed}.db"
    if target.exists():
        return current(target, log)
    building = target.with_suffix(".building.db")
    for leftover in building.parent.glob(building.name + "*"):
        leftover.unlink()
    home = cache_dir() / "home"
    log(f"building the {deals:,}-deal demo database (seed {seed}) in {target} …")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "dealterm",
            "--db",
            str(building),
            "demo",
            "--deals",
            str(deals),
            "--seed",
            str(seed),
        ],
        check=True,
        env=bench_env(home),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    adopt(building)
    building.rename(target)
    log(f"  built in {time.perf_counter() - started:.0f} s")
    return target


def current(path: Path, log: Any = print) -> Path:
    """A cached database brought to the current schema, once (not in every run's copy).

    A copy at an older schema would be upgraded by each run that opens it, and the quick
    reads, which take only a file at the current schema, would not be measured at all.
    """
    from dealterm.migrations import HEAD

    conn = sqlite3.connect(path)
    try:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()
    if revision != HEAD:
        log(f"upgrading the cached {path.name} from schema {revision} to {HEAD} …")
        adopt(path)
    return path


def adopt(path: Path) -> None:
    """Make a demo database ready to be copied: the bench login exists, the WAL is folded in.

    Opening it as ``bench`` adds that user if the file was built under another login, so
    the runs themselves write nothing when they open their copy.
    """
    script = (
        "import sys; from dealterm.core.db import Database; "
        f"Database.open(sys.argv[1], login={BENCH_USER!r}).close()"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(path)],
        check=True,
        env=bench_env(cache_dir() / "home"),
        cwd=ROOT,
    )
    _checkpoint(path)


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the file, so that one file is the whole database."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists() and side.stat().st_size == 0:
            side.unlink()


def private_copy(source: Path, folder: Path, name: str) -> Path:
    """A copy of a database for one figure (the app may write to it)."""
    target = folder / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        side = Path(f"{target}{suffix}")
        if side.exists():
            side.unlink()
    shutil.copyfile(source, target)
    return target


def with_activities(source: Path, total: int, seed: int = DEFAULT_SEED) -> Path:
    """A cached copy of ``source`` holding at least ``total`` activities.

    The extra activities are bulk-inserted (plain sqlite3 ``executemany``, as the demo
    generator's loader does): half open, due from two weeks ago to six weeks ahead, on open
    deals (the activities board shows only those); half done in the past half year.
    """
    import random
    from datetime import UTC, datetime, timedelta

    target = source.with_name(f"{source.stem}-activities-{total}.db")
    if target.exists():
        return current(target, print)
    building = target.with_suffix(".building.db")
    shutil.copyfile(source, building)
    conn = sqlite3.connect(building, isolation_level=None)
    have = conn.execute("SELECT count(*) FROM activities").fetchone()[0]
    missing = total - have
    if missing > 0:
        rng = random.Random(seed)
        open_deals = [row[0] for row in conn.execute("SELECT id FROM deals WHERE NOT closed")]
        users = [row[0] for row in conn.execute("SELECT id FROM users WHERE active")]
        now = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
        subjects = {
            "call": "Follow-up call",
            "meeting": "Meeting at the client's office",
            "task": "Send the offer",
            "email": "Send the contract draft",
        }

        def stamp(moment: datetime) -> str:
            return moment.strftime("%Y-%m-%d %H:%M:%S.%f")

        rows = []
        for index in range(missing):
            kind = rng.choice(list(subjects))
            user = rng.choice(users)
            done = index % 2 == 1
            if done:
                deadline = now - timedelta(minutes=rng.randrange(60, 180 * 24 * 60))
            else:
                deadline = now + timedelta(minutes=rng.randrange(-14 * 24 * 60, 42 * 24 * 60))
            rows.append(
                (
                    rng.choice(open_deals),
                    kind,
                    subjects[kind],
                    stamp(deadline),
                    stamp(deadline),
                    stamp(deadline + timedelta(minutes=30)),
                    int(done),
                    stamp(deadline) if done else None,
                    user,
                    user,
                    "medium",
                    "outgoing" if kind == "call" else None,
                    stamp(deadline - timedelta(days=rng.randrange(1, 30))),
                )
            )
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO activities (deal_id, kind, subject, deadline, start_at, end_at, "
            "completed, completed_at, responsible_id, author_id, priority, direction, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
    conn.close()
    _checkpoint(building)
    building.rename(target)
    return target


def raw_executemany(rows: Sequence[tuple[object, ...]], folder: Path) -> float:
    """Seconds to write ``rows`` (33 columns) into a bare table with plain sqlite3, in one
    transaction (WAL, synchronous=NORMAL): the floor the demo and import figures compare with.
    """
    target = folder / f"raw-{time.monotonic_ns()}.db"
    started = time.perf_counter()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"CREATE TABLE deals ({', '.join(f'c{i}' for i in range(33))})")
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO deals VALUES ({', '.join('?' * 33)})", rows)
    conn.execute("COMMIT")
    conn.close()
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON."""
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
