"""`dealterm export deals` then `dealterm import deals` between two databases, end to end.

The team's database (``seeded_db``: #1 "Base deal", #2 "Closed deal") and a salesperson's
laptop (``fresh_db``, whose deals #1 and #2 are others): the laptop's export must never
overwrite the team's deals of the same numbers; the team's own export comes back onto them.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from tests.cli.conftest import Runner, assert_ok
from tests.core.importing_helpers import write_csv


def _deals(run: Runner, db: Path) -> dict[int, dict[str, object]]:
    listed = assert_ok(run("deal", "list", "--json", "--limit", "100", db=db)).json()
    return {int(deal["id"]): deal for deal in listed}


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_a_laptops_export_adds_its_deals_and_leaves_the_teams_alone(
    run: Runner, fresh_db: Path, seeded_db: Path, tmp_path: Path
) -> None:
    for title in ("Laptop radiators", "Laptop valves"):
        assert_ok(run("deal", "add", "--title", title, "--amount", "5", db=fresh_db))
    exported = tmp_path / "laptop.csv"
    assert_ok(run("export", "deals", "-o", str(exported), db=fresh_db))
    team = _deals(run, seeded_db)
    assert set(team) == set(_deals(run, fresh_db)) == {1, 2}

    result = assert_ok(run("import", "deals", str(exported), db=seeded_db))
    assert "Deals: 2 created, 0 updated" in result.stdout
    assert "Note: 2 IDs of this file are numbers of deals of this database" in result.stdout
    after = _deals(run, seeded_db)
    assert {number: after[number] for number in team} == team
    assert sorted(str(after[n]["title"]) for n in set(after) - set(team)) == [
        "Laptop radiators",
        "Laptop valves",
    ]

    again = assert_ok(run("import", "deals", str(exported), db=seeded_db))
    assert "Deals: 0 created, 2 updated" in again.stdout
    assert len(_deals(run, seeded_db)) == 4


def test_the_teams_export_edited_in_a_spreadsheet_updates_the_same_deal(
    run: Runner, seeded_db: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "team.csv"
    assert_ok(run("export", "deals", "-o", str(exported), db=seeded_db))
    header, *rows = _rows(exported)
    created = header.index("Created")
    assert {row[created] for row in rows} == {"2026-03-10 10:30:00+03:00"}  # seeded, Moscow
    title = header.index("Title")
    for row in rows:
        row[title] = row[title].replace("Base deal", "Base deal, revised")
    write_csv(exported, [header, *rows], encoding="utf-8-sig")

    result = assert_ok(run("import", "deals", str(exported), db=seeded_db))
    assert "Deals: 0 created, 2 updated" in result.stdout
    titles = {n: deal["title"] for n, deal in _deals(run, seeded_db).items()}
    assert titles == {1: "Base deal, revised", 2: "Closed deal"}


def test_an_export_from_before_the_created_column_updates_nothing_by_number(
    run: Runner, seeded_db: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "old.csv"
    assert_ok(run("export", "deals", "-o", str(exported), db=seeded_db))
    header, *rows = _rows(exported)
    created = header.index("Created")
    write_csv(exported, [[c for i, c in enumerate(row) if i != created] for row in [header, *rows]])
    team = _deals(run, seeded_db)

    result = assert_ok(run("import", "deals", str(exported), db=seeded_db))
    assert "Deals: 2 created, 0 updated" in result.stdout
    note = re.sub(r"\s+", " ", result.stdout)
    assert "without a Created column" in note
    assert "its IDs were not taken as this database's deal numbers" in note
    after = _deals(run, seeded_db)
    assert {number: after[number] for number in team} == team
    assert len(after) == 4
