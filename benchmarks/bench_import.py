"""How long importing a 100,000-row CSV of deals takes, next to raw ``sqlite3``.

Generates a CSV in our own export format (5,000 companies, 8,000 contacts with e-mails,
every fifth deal with two product rows under the same ID), then times, several times and
interleaved:

- our import (``Crm.import_deals``) into a fresh, set-up SQLite database each run: reading
  the file, converting, matching clients, planning, writing deals, clients, links,
  product rows and one history event per deal, in one transaction;
- raw ``sqlite3.executemany`` of the same parsed rows (as deal tuples) into an equivalent
  bare table with no indexes, in one transaction (WAL, synchronous=NORMAL);
- the import's own SQL replayed with plain ``sqlite3`` (:func:`replay_sql`): every statement
  and parameter one import sent to the database, recorded once, run again on a fresh copy
  with none of the import's Python. No import of this file can take less than that.

The machine is shared and noisy, so the ratio is the figure to compare between runs.

    python -m benchmarks.bench_import --rows 100000 --repeat 3

:func:`measure_into` times a small file imported into a big database (the suite's
figure 6').
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import raw_executemany

HEADERS = [
    "ID",
    "Title",
    "Stage",
    "Amount",
    "Currency",
    "Company",
    "Contacts",
    "Contact e-mail",
    "Type",
    "Source",
    "Begin date",
    "Close date",
    "Comments",
    "Product",
    "Price",
    "Quantity",
]
STAGES = ("NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE", "WON", "LOSE")


def make_csv(path: Path, rows: int, seed: int = 7) -> int:
    """Write ``rows`` lines of deals; returns the number of deals (some have two lines)."""
    rng = random.Random(seed)
    companies = [f"Company {i} Ltd" for i in range(5000)]
    people = [(f"Person {i}", f"person{i}@example.com") for i in range(8000)]
    start = date(2026, 1, 1)
    written = deals = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        while written < rows:
            deals += 1
            name, email = rng.choice(people)
            begin = start + timedelta(days=rng.randrange(300))
            base = [
                f"D-{deals}",
                f"Deal {deals} for {rng.choice(companies)}",
                rng.choice(STAGES),
                "",
                rng.choice(("USD", "EUR", "RUB")),
                rng.choice(companies),
                name,
                email,
                rng.choice(("SALE", "SERVICES", "GOODS")),
                rng.choice(("CALL", "WEB", "EMAIL", "")),
                begin.isoformat(),
                (begin + timedelta(days=rng.randrange(1, 60))).isoformat(),
                rng.choice(("", "", "Call back next week", "Needs a quote")),
            ]
            lines = 2 if deals % 5 == 0 and written + 2 <= rows else 1
            amount = f"{rng.randrange(100, 100000)}.{rng.randrange(100):02d}"
            for line in range(lines):
                if lines == 2:
                    product = [f"Widget {line}", f"{rng.randrange(10, 500)}.00", "2", ""]
                    row = [*base[:3], "", *base[4:], *product[:3]]
                else:
                    row = [*base[:3], amount, *base[4:], "", "", ""]
                writer.writerow(row)
                written += 1
    return deals


def parsed_rows(path: Path) -> list[tuple[object, ...]]:
    """The file's rows parsed into deal tuples the width of our deals table (33 columns)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        result: list[tuple[object, ...]] = []
        for number, row in enumerate(reader, start=1):
            cents = int(Decimal(row[3]) * 100) if row[3] else 0
            result.append(
                (
                    number,
                    row[1],
                    1,
                    STAGES.index(row[2]) + 1,
                    row[8],
                    row[9] or None,
                    None,
                    cents,
                    row[4],
                    1,
                    0,
                    None,
                    None,
                    1,
                    1,
                    "2026-03-10 07:30:00.000000",
                    1,
                    "2026-03-10 07:30:00.000000",
                    1,
                    "2026-03-10 07:30:00.000000",
                    row[10],
                    row[11],
                    int(row[2] in ("WON", "LOSE")),
                    row[12] or None,
                    0,
                    None,
                    None,
                    "{}",
                    1,
                    0,
                    "file:deals",
                    row[0],
                    None,
                )
            )
        return result


def raw_baseline(rows: list[tuple[object, ...]], folder: Path) -> float:
    """The parsed rows into a bare 33-column table with plain sqlite3, in one transaction."""
    return raw_executemany(rows, folder)


def run_import(source: Path, template: Path, folder: Path) -> tuple[float, int]:
    """Our import into a fresh copy of a set-up database; returns seconds and deals created."""
    from dealterm.core.crm import Crm
    from dealterm.core.db import Database
    from dealterm.core.importing import ImportOptions

    target = folder / f"import-{time.monotonic_ns()}.db"
    shutil.copy2(template, target)
    db = Database.open(target, login="bench")
    try:
        started = time.perf_counter()
        report = Crm(db).import_deals(source, ImportOptions())
        elapsed = time.perf_counter() - started
    finally:
        db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    if report.bad or not report.imported:
        raise SystemExit(f"the benchmark file did not import cleanly: {report.bad[:3]}")
    return elapsed, report.created


# One statement the import sent: SQL, parameters, and whether it went to executemany.
Statement = tuple[str, Any, bool]


def recorded_sql(source: Path, template: Path, folder: Path) -> list[Statement]:
    """Every statement one import of ``source`` sends to the database, in order."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    statements: list[Statement] = []

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, many: bool) -> None:
        statements.append((sql, list(params) if many else params, many))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        run_import(source, template, folder)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    return statements


def replay_sql(statements: Sequence[Statement], template: Path, folder: Path) -> float:
    """Seconds to run ``statements`` with plain ``sqlite3`` on a fresh copy of ``template``.

    The connection is the app engine's own (its pragmas and SQL functions), used through
    the driver. A read the import made in a transaction of its own ends before the next
    ``BEGIN``, as the engine's pool ends it.
    """
    from dealterm.core.db import make_engine, resolve_url

    target = folder / f"replay-{time.monotonic_ns()}.db"
    shutil.copy2(template, target)
    engine = make_engine(resolve_url(target), create=False)
    started = time.perf_counter()
    pooled = engine.raw_connection()
    conn: sqlite3.Connection = pooled.driver_connection  # type: ignore[assignment]
    for sql, params, many in statements:
        if sql.lstrip().upper().startswith("BEGIN") and conn.in_transaction:
            conn.rollback()
        if many:
            conn.executemany(sql, params)
        else:
            conn.execute(sql, params)
    conn.commit()
    pooled.close()
    engine.dispose()
    elapsed = time.perf_counter() - started
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return elapsed


def measure(rows: int = 100_000, repeat: int = 3) -> dict[str, list[float]]:
    """Seconds of our import, of the raw baseline and of the replayed SQL, one figure of
    each per run (interleaved).

    Also the entry point of ``benchmarks.suite`` (figures 6 and 6''). The result carries the
    file's deal count under ``"deals"`` (one value).
    """
    from dealterm.core.db import Database

    ours: list[float] = []
    raw: list[float] = []
    replayed: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "deals.csv"
        deals = make_csv(source, rows)
        template = folder / "template.db"
        Database.open(template, login="bench").close()
        parsed = parsed_rows(source)
        statements = recorded_sql(source, template, folder)
        for _ in range(repeat):  # interleaved, so noise hits all three alike
            raw.append(raw_baseline(parsed, folder))
            seconds, _created = run_import(source, template, folder)
            ours.append(seconds)
            replayed.append(replay_sql(statements, template, folder))
    return {"import": ours, "baseline": raw, "sql": replayed, "deals": [float(deals)]}


SMALL_ROWS = 1_000


def measure_into(big: Path, rows: int = SMALL_ROWS, repeat: int = 3) -> dict[str, list[float]]:
    """Seconds of importing a small file into a copy of ``big`` and into a fresh database.

    The import's cost should follow the file, not the database it goes into: each run
    imports the same ``rows``-row CSV into a fresh copy of ``big`` (a demo database of the
    suite) and into a fresh, set-up database, interleaved. Copying is not timed.
    """
    from dealterm.core.db import Database

    into_big: list[float] = []
    into_fresh: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "deals.csv"
        make_csv(source, rows, seed=11)  # other clients than the demo's
        template = folder / "template.db"
        Database.open(template, login="bench").close()
        for _ in range(repeat):
            into_fresh.append(run_import(source, template, folder)[0])
            into_big.append(run_import(source, big, folder)[0])
    return {"import": into_big, "baseline": into_fresh}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures = measure(args.rows, args.repeat)
    ours, raw, replayed = figures["import"], figures["baseline"], figures["sql"]
    deals = int(figures["deals"][0])
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    print(f"file: {args.rows:,} rows, {deals:,} deals (all created, each run on a fresh database)")
    print(f"{'figure':<52} {'median':>9} {'min':>9} {'max':>9}")
    print(
        f"{'dealterm import, ' + format(args.rows, ',') + ' rows, fresh database':<52} "
        f"{statistics.median(ours):>8.2f}s {min(ours):>8.2f}s {max(ours):>8.2f}s"
    )
    print(
        f"{'raw sqlite3 executemany of the parsed rows':<52} {statistics.median(raw):>8.2f}s "
        f"{min(raw):>8.2f}s {max(raw):>8.2f}s"
    )
    print(
        f"{'the import SQL replayed with plain sqlite3':<52} {statistics.median(replayed):>8.2f}s "
        f"{min(replayed):>8.2f}s {max(replayed):>8.2f}s"
    )
    floor = statistics.median(replayed) / statistics.median(raw)
    print(f"ratio replayed SQL / raw insert: {floor:.1f}x (the floor of the import)")
    print(
        f"ratio import / raw insert: {statistics.median(ours) / statistics.median(raw):.1f}x "
        "(target <= 3x; the import also reads and checks the file, matches clients and writes "
        "companies, contacts, links, product rows, history and the search index)"
    )


if __name__ == "__main__":
    main()
