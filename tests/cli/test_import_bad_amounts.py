"""`dealterm import deals` with amounts that are not what they seem and a short row: listed
by the dry run, refused by default, skipped into the rejects file with --skip-bad."""

from __future__ import annotations

import csv
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from tests.cli.conftest import Runner, assert_fails, assert_ok
from tests.core.importing_helpers import write_csv

Unchanged = Callable[[Path], AbstractContextManager[None]]

ROWS = [
    ["ID", "Title", "Stage", "Amount", "Currency", "Begin date", "Company", "Notes"],
    ["201", "Pumps", "NEW", "1,500.50", "USD", "2026-03-01", "Acme", ""],
    ["202", "Letters", "NEW", "12abc", "USD", "2026-03-01", "Acme", ""],
    ["203", "Euros", "NEW", "7 EUR", "USD", "2026-03-01", "Acme", ""],
    ["204", "Roubles", "NEW", "1 500,50 ₽", "USD", "2026-03-01", "Acme", ""],
    ["205", "Short row", "Sales"],
    ["206", "Valves", "NEW", "1500.5 USD", "USD", "2026-03-01", "Acme", ""],
]
REASONS = {
    "3": "not an amount: '12abc' (ABC is not a known currency)",
    "4": "the amount is in EUR, the Currency column says USD",
    "5": "the amount is in RUB, the Currency column says USD",
    "6": "the row has 3 cells but the header has 8 columns",
}


def test_the_dry_run_lists_each_bad_amount_and_the_short_row(
    run: Runner, fresh_db: Path, tmp_path: Path, unchanged: Unchanged
) -> None:
    source = write_csv(tmp_path / "bad.csv", ROWS)
    with unchanged(fresh_db):
        result = run("import", "deals", str(source), "--dry-run", db=fresh_db)
    assert_fails(result, 2, "4 bad rows in bad.csv", "--skip-bad")
    lines = result.stdout.splitlines()
    assert "4 bad rows:" in lines
    for row, reason in REASONS.items():
        assert any(line.split()[:1] == [row] and reason in line for line in lines), reason
    assert "Deals (nothing written): 2 created, 0 updated" in lines


def test_bad_amounts_refuse_the_import_and_skip_bad_rejects_them(
    run: Runner, fresh_db: Path, tmp_path: Path, unchanged: Unchanged
) -> None:
    source = write_csv(tmp_path / "bad.csv", ROWS)
    with unchanged(fresh_db):
        refused = run("import", "deals", str(source), "--json", db=fresh_db)
    assert refused.code == 2
    report = refused.json()
    assert report["imported"] is False
    assert {str(b["row"]): b["reason"] for b in report["bad"]} == REASONS
    assert not (tmp_path / "bad.rejects.csv").exists()

    skipped = assert_ok(run("import", "deals", str(source), "--skip-bad", db=fresh_db))
    rejects = tmp_path / "bad.rejects.csv"
    assert f"The bad rows were skipped and written to {rejects}" in skipped.stdout
    with rejects.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [*ROWS[0], "reason"]
    assert [row[0] for row in rows[1:]] == ["202", "203", "204", "205"]
    assert [row[-1] for row in rows[1:]] == [
        f"Amount: {REASONS['3']}",
        f"Amount: {REASONS['4']}",
        f"Amount: {REASONS['5']}",
        REASONS["6"],
    ]
    listed = assert_ok(run("deal", "list", "--json", db=fresh_db)).json()
    assert {(d["title"], d["amount"], d["currency"]) for d in listed} == {
        ("Pumps", "1500.50", "USD"),
        ("Valves", "1500.50", "USD"),
    }
