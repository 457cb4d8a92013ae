"""Slashed dates (03/04/2026) read as the whole column and the user's locale say."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from dealterm.core.db import Database
from dealterm.core.models import Deal
from tests.core.importing_helpers import run_import, write_csv

HEADER = ["Title", "Close date"]


def _close_dates(db: Database) -> dict[str, date]:
    with db.session(write=False) as session:
        rows = session.execute(select(Deal.title, Deal.close_date)).all()
    return {title: close for title, close in rows}


def test_ambiguous_dates_follow_the_locale_and_the_report_says_so(
    db: Database, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "deals.csv",
        [HEADER, ["Pumps", "03/04/2026"], ["Valves", "05/06/2026"], ["Pipes", "2026-07-01"]],
    )
    report = run_import(db, source)  # the database's locale is en_US: month first
    assert report.bad == []
    assert _close_dates(db) == {
        "Pumps": date(2026, 3, 4),
        "Valves": date(2026, 5, 6),
        "Pipes": date(2026, 7, 1),
    }
    assert report.notes == [
        "Close date: dates such as 03/04/2026 were read as MM/DD/YYYY (the order of the "
        "locale en_US): no date in the column has a day above 12 to tell"
    ]


def test_a_date_anywhere_in_the_column_with_a_day_above_12_makes_it_day_first(
    db: Database, tmp_path: Path
) -> None:
    rows = [HEADER] + [[f"Deal {n}", "03/04/2026"] for n in range(2500)]
    rows.append(["Last", "25/04/2026"])
    report = run_import(db, write_csv(tmp_path / "deals.csv", rows))
    assert (report.bad, report.notes) == ([], [])
    dates = _close_dates(db)
    assert dates["Deal 0"] == date(2026, 4, 3)
    assert dates["Last"] == date(2026, 4, 25)


def test_a_date_written_the_other_way_than_its_column_is_a_bad_row(
    db: Database, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "deals.csv",
        [HEADER, ["Pumps", "03/04/2026"], ["Valves", "25/06/2026"], ["Pipes", "06/25/2026"]],
    )
    report = run_import(db, source)
    assert [(bad.row, bad.column, bad.value) for bad in report.bad] == [
        (4, "Close date", "06/25/2026")
    ]
    assert "DD/MM/YYYY, as 25/06/2026 shows" in report.bad[0].reason
    assert not report.imported
