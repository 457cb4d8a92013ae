"""Our export's Created column: a row updates deal #N only if deal #N was created then.

Deal numbers are per database: an export of a salesperson's SQLite file imported into the
team's database must never overwrite the team's deals that happen to share the numbers.
Each test runs on SQLite and PostgreSQL (the team's database); the other database is an
SQLite file whose deals were made on another day.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dealterm.core.clock import FixedClock
from dealterm.core.db import Database
from dealterm.core.export import EXPORT_COLUMNS, created_cell, neutralize, write_deals_file
from dealterm.core.importing.created import parse_created
from dealterm.core.models import Deal
from dealterm.core.services import custom_fields
from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.core.services.products import ProductRowInput
from tests.core.importing_helpers import deals_by_title, run_import, write_csv

MOSCOW = ZoneInfo("Europe/Moscow")
OLD_HEADERS = [header for key, header in EXPORT_COLUMNS if key != "created"]


@pytest.fixture
def laptop(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """Another dealterm database (a salesperson's SQLite file), its deals made a week ago."""
    target = tmp_path / "laptop.db"
    shutil.copy2(sqlite_template, target)
    moment = datetime(2026, 3, 3, 16, 45, 12, 250_000, tzinfo=MOSCOW)
    database = Database.open(
        target, clock=FixedClock(zone=MOSCOW, moment=moment), login="anna", user_name="Anna"
    )
    try:
        yield database
    finally:
        database.close()


def _export(db: Database, path: Path, **options: object) -> Path:
    with db.session(write=False) as session:
        write_deals_file(session, path, **options)  # type: ignore[arg-type]
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _edit(path: Path, change: Callable[[dict[str, str]], None]) -> Path:
    """Change the rows of an exported file as a spreadsheet would (same columns, a BOM)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    edited = [header]
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=True))
        change(cells)
        edited.append([cells[name] for name in header])
    return write_csv(path, edited, encoding="utf-8-sig")


def _stored(db: Database) -> dict[int, tuple[str, Decimal, int, datetime]]:
    """Every deal by number: title, amount, version and creation moment."""
    with db.session(write=False) as session:
        rows = session.execute(
            select(Deal.id, Deal.title, Deal.amount, Deal.version, Deal.created_at).order_by(
                Deal.id
            )
        ).all()
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def _count(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.execute(select(func.count()).select_from(Deal)).scalar_one())


def _team_deals(db: Database) -> None:
    with db.session() as session:
        create_deal(session, DealCreate(title="Team boilers", amount="1000", company="Acme"))
        create_deal(
            session,
            DealCreate(
                title="Team pumps",
                products=[ProductRowInput(name="Pump", price="250", quantity="2")],
            ),
        )


def _laptop_deals(db: Database) -> None:
    with db.session() as session:
        create_deal(session, DealCreate(title="Laptop radiators", amount="7", company="Bolt"))
        create_deal(session, DealCreate(title="Laptop valves", amount="9"))


def test_another_databases_export_never_updates_deals_of_the_same_numbers(
    db: Database, laptop: Database, tmp_path: Path
) -> None:
    _team_deals(db)
    _laptop_deals(laptop)
    before = _stored(db)
    assert set(before) == set(_stored(laptop)) == {1, 2}  # the same numbers, other deals
    exported = _export(laptop, tmp_path / "laptop-export.csv")

    report = run_import(db, exported)
    assert (report.bad, report.created, report.updated) == ([], 2, 0)
    after = _stored(db)
    assert {number: after[number] for number in before} == before  # not one value changed
    assert {after[number][0] for number in set(after) - set(before)} == {
        "Laptop radiators",
        "Laptop valves",
    }
    assert any(
        "2 IDs of this file are numbers of deals of this database" in n for n in report.notes
    ), report.notes

    # the same file again updates the deals it made here, and still not the team's
    again = run_import(db, exported)
    assert (again.created, again.updated) == (0, 2)
    assert _stored(db) == after
    assert _count(db) == 4


def test_an_edited_export_imports_back_onto_the_same_deal(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    """The deals' moments have fractions of a second; the file keeps whole seconds."""
    clock.advance(seconds=5, microseconds=999_999)
    _team_deals(db)
    before = _stored(db)
    exported = _export(db, tmp_path / "team.csv")
    assert {row["Created"] for row in _read(exported)} == {"2026-03-10 10:30:05+03:00"}

    def rename(cells: dict[str, str]) -> None:
        if cells["Title"] == "Team pumps":
            cells["Title"] = "Team pumps DN50"

    _edit(exported, rename)
    report = run_import(db, exported)
    assert (report.bad, report.created, report.updated) == ([], 0, 2)
    after = _stored(db)
    assert set(after) == {1, 2}
    assert after[2][0] == "Team pumps DN50" and after[2][2] == before[2][2] + 1
    assert after[1] == before[1]  # nothing changed: not even its version
    assert after[2][3] == before[2][3]  # the creation moment stays as it was


def test_the_moment_is_compared_as_an_instant_whatever_its_offset(
    db: Database, tmp_path: Path
) -> None:
    _team_deals(db)
    exported = _export(db, tmp_path / "team.csv")

    def in_utc(cells: dict[str, str]) -> None:  # 10:30:00+03:00 is 07:30:00 UTC
        cells["Created"] = cells["Created"].replace("10:30:00+03:00", "07:30:00Z")
        cells["Amount"] = "1500.00" if cells["Title"] == "Team boilers" else cells["Amount"]

    _edit(exported, in_utc)
    report = run_import(db, exported)
    assert (report.bad, report.created, report.updated) == ([], 0, 2)
    assert _stored(db)[1][1] == Decimal("1500.00")

    # one second later is another deal's moment: a new deal, the team's left alone
    def later(cells: dict[str, str]) -> None:
        cells["Created"] = "2026-03-10 07:30:01+00:00"
        cells["Title"] = cells["Title"] + " (copy)"

    _edit(exported, later)
    changed = _stored(db)
    other = run_import(db, exported)
    assert (other.created, other.updated) == (2, 0)
    assert {n: v for n, v in _stored(db).items() if n in changed} == changed


def test_an_export_without_created_updates_no_deal_by_number(db: Database, tmp_path: Path) -> None:
    """An export made before the Created column: its rows are new deals, with a note."""
    _team_deals(db)
    before = _stored(db)
    old = _export(db, tmp_path / "old-export.csv", columns=[",".join(OLD_HEADERS)])
    assert "Created" not in _read(old)[0]

    report = run_import(db, old)
    assert (report.bad, report.created, report.updated) == ([], 2, 0)
    assert {n: v for n, v in _stored(db).items() if n in before} == before
    (note,) = [n for n in report.notes if "Created" in n]
    assert "without a Created column" in note
    assert "its IDs were not taken as this database's deal numbers" in note
    assert "a fresh export (dealterm export deals) imports back onto the deals" in note

    # importing that same file again updates the deals it made, as for any file
    again = run_import(db, old)
    assert (again.created, again.updated) == (0, 2)
    assert _count(db) == 4


def test_a_created_cell_that_is_not_a_moment_is_a_bad_row(db: Database, tmp_path: Path) -> None:
    _team_deals(db)
    exported = _export(db, tmp_path / "team.csv")

    def spoil(cells: dict[str, str]) -> None:
        cells["Created"] = "10.03.2026 10:30" if cells["ID"] == "1" else "2026-03-10 10:30:00"

    _edit(exported, spoil)
    report = run_import(db, exported, dry_run=True)
    reasons = {bad.value: bad.reason for bad in report.bad}
    assert set(reasons) == {"10.03.2026 10:30", "2026-03-10 10:30:00"}
    assert {bad.column for bad in report.bad} == {"Created"}
    assert "a spreadsheet may have changed it" in reasons["10.03.2026 10:30"]
    assert "has no UTC offset" in reasons["2026-03-10 10:30:00"]


def test_the_created_column_is_never_written_into_a_deal(db: Database, tmp_path: Path) -> None:
    """Not into created_at, and not into a custom field that is also called "Created"."""
    with db.session() as session:
        custom_fields.define_field(session, "made", "Created", type="string")
        deal = create_deal(
            session, DealCreate(title="Boilers", custom_fields={"made": "in the shop"})
        )
    exported = _export(db, tmp_path / "team.csv")
    header = next(csv.reader(exported.read_text(encoding="utf-8-sig").splitlines()))
    assert header.count("Created") == 2  # ours, then the custom field's label

    report = run_import(db, exported)
    assert (report.bad, report.created, report.updated) == ([], 0, 1)
    detail = deals_by_title(db)["Boilers"]
    assert detail.custom_fields == {"UF_CRM_MADE": "in the shop"}
    assert detail.created_at == deal.created_at


def test_created_reads_back_as_the_moment_it_was_written() -> None:
    moment = datetime(2026, 11, 29, 11, 5, 33, 870_000, tzinfo=UTC)
    for zone, text in (
        (MOSCOW, "2026-11-29 14:05:33+03:00"),
        (ZoneInfo("America/New_York"), "2026-11-29 06:05:33-05:00"),
        (ZoneInfo("Asia/Kolkata"), "2026-11-29 16:35:33+05:30"),
        (UTC, "2026-11-29 11:05:33+00:00"),
    ):
        cell = created_cell(moment, zone)
        assert cell == text
        assert neutralize(cell) == cell  # no formula sign to neutralize, even "-05:00"
        assert parse_created(cell) == moment.replace(microsecond=0)
    assert parse_created("2026-11-29T11:05:33Z") == moment.replace(microsecond=0)
    assert parse_created("2026-11-29 11:05:33.87+00:00") - moment == timedelta(0)
    for text in ("2026-11-29 14:05:33", "29.11.2026 14:05", "2026-13-29 14:05:33+03:00", "x"):
        with pytest.raises(ValueError):
            parse_created(text)
