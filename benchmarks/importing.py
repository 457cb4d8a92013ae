"""Figure 6: import of a 100,000-row CSV against raw ``sqlite3`` ``executemany``.

The measurement belongs to ``benchmarks/bench_import.py`` (written with the importer,
``dealterm import deals FILE``; this suite does not edit it). The suite calls into it:
``measure(rows=, repeat=)`` if it has one (a mapping with the import's seconds under
``"import"``, the baseline's under ``"baseline"`` and, for figure 6'', the replayed SQL's
under ``"sql"``), else its building blocks
``make_csv``, ``parsed_rows``, ``raw_baseline`` and ``run_import``, interleaved the same
way as its own ``main``. Each import runs in this process (a child of the suite), on a
fresh set-up database. When the module or the importer is not there or fails, the figure
says "not available yet" and why.
"""

from __future__ import annotations

import importlib
import importlib.util
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["ROWS", "import_time"]

ROWS = 100_000
MODULE = "benchmarks.bench_import"
PARTS = ("make_csv", "parsed_rows", "raw_baseline", "run_import")


def import_time(
    runs: int, log: Callable[[str], None]
) -> tuple[list[float], list[float], str, dict[str, Any]]:
    """Returns (import seconds, baseline seconds, note, extra); empty lists if not available."""
    path = Path(__file__).with_name("bench_import.py")
    if not path.exists():
        return [], [], "not available yet: benchmarks/bench_import.py does not exist", {}
    if importlib.util.find_spec("dealterm.core.importing") is None:
        return [], [], "not available yet: dealterm.core.importing is not there", {}
    try:
        module = importlib.import_module(MODULE)
    except Exception as error:  # another engineer's work in progress
        return [], [], f"not available yet: importing {MODULE} failed ({error!r})", {}
    try:
        measure = getattr(module, "measure", None)
        if callable(measure):
            result: Any = measure(rows=ROWS, repeat=runs)
            extra = {"sql": [float(x) for x in result["sql"]]} if "sql" in result else {}
            return (
                [float(x) for x in result["import"]],
                [float(x) for x in result["baseline"]],
                "",
                extra,
            )
        missing = [name for name in PARTS if not callable(getattr(module, name, None))]
        if missing:
            return [], [], f"not available yet: {MODULE} has no {', '.join(missing)}", {}
        return _interleaved(module, runs, log)
    except BaseException as error:  # SystemExit included: the file did not import cleanly
        if isinstance(error, KeyboardInterrupt):
            raise
        return [], [], f"not available yet: the import failed ({error!r})", {}


def _interleaved(
    module: Any, runs: int, log: Callable[[str], None]
) -> tuple[list[float], list[float], str, dict[str, Any]]:
    from benchmarks.common import BENCH_USER
    from dealterm.core.db import Database

    with tempfile.TemporaryDirectory(prefix="dealterm-bench-import-") as tmp:
        folder = Path(tmp)
        source = folder / "deals.csv"
        deals = module.make_csv(source, ROWS)
        template = folder / "template.db"
        Database.open(template, login=BENCH_USER).close()
        rows = module.parsed_rows(source)
        ours: list[float] = []
        raw: list[float] = []
        created = 0
        for index in range(runs):  # interleaved, so noise hits both alike
            raw.append(module.raw_baseline(rows, folder))
            seconds, created = module.run_import(source, template, folder)
            ours.append(seconds)
            log(f"  import run {index + 1}/{runs}: {seconds:.2f} s, raw {raw[-1]:.2f} s")
    return ours, raw, "", {"csv_rows": ROWS, "deals_in_file": deals, "created": created}


def main() -> None:
    """``python -m benchmarks.importing --runs N --out FILE`` (the suite runs it as a child)."""
    import argparse
    import json
    import sys

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--into", type=Path, help="figure 6': a small file into this database")
    args = parser.parse_args()
    if args.into is not None:
        from benchmarks.bench_import import SMALL_ROWS, measure_into

        result = measure_into(args.into, SMALL_ROWS, args.runs)
        ours, raw, note = result["import"], result["baseline"], ""
        extra: dict[str, Any] = {"csv_rows": SMALL_ROWS}
    else:
        ours, raw, note, extra = import_time(args.runs, lambda text: print(text, file=sys.stderr))
    args.out.write_text(json.dumps({"import": ours, "baseline": raw, "note": note, "extra": extra}))


if __name__ == "__main__":
    main()
