"""Whatever a file holds, the import reports it: a clear error or bad rows, never a crash."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealterm.core.db import Database
from dealterm.core.errors import DealtermError
from dealterm.core.importing import ImportReport
from tests.core.importing_helpers import run_import

HEADERS = [
    "ID",
    "Title",
    "Amount",
    "Currency",
    "Stage",
    "Status",
    "Pipeline",
    "Company",
    "Contacts",
    "Contact e-mail",
    "Phone",
    "Responsible",
    "Begin date",
    "Close date",
    "Probability",
    "Product",
    "Price",
    "Quantity",
    "Discount, %",
    "Tax rate, %",
    "Type",
    "Source",
    "Closed",
    "Lost reason",
    "Название сделки",
    "Сумма",
    "Стадия сделки",
    "Deal - Title",
    "Record ID",
    "Deal Stage",
]
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "1 500,50",
            "1,500",
            "$12.99",
            "-5",
            "1e9",
            "99999999999999999999999",
            "10.03.2026",
            "2026-02-30",
            "03/25/2026 2:30 PM",
            "NEW",
            "WON",
            "closedwon",
            "lost",
            "Сделка успешна",
            "USD",
            "XYZ",
            "Sales",
            "Acme",
            "a@b.example",
            "not@mail",
            "+7 916 555-12-34",
            "12",
            "Y",
            "maybe",
            "'=SUM(A1)",
            "Ann; Bob <bob@x.example>",
            "Name [3]",
            "\u00a0",
            "x" * 300,
        ]
    ),
    st.text(max_size=12),
)


@pytest.fixture
def backend() -> str:
    """Thousands of generated files: on SQLite (the engine does not differ by database)."""
    return "sqlite"


def _check(report: ImportReport, skip_bad: bool) -> None:
    assert report.rows >= 1
    for bad in report.bad:
        assert bad.row >= 2 and bad.reason
    if report.bad and not skip_bad:
        assert not report.imported


def _import(db: Database, path: Path, skip_bad: bool, dry_run: bool) -> None:
    try:
        report = run_import(db, path, skip_bad=skip_bad, dry_run=dry_run)
    except DealtermError as error:
        assert error.message and "\n" not in error.message
        return
    _check(report, skip_bad)


counter = itertools.count()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.binary(max_size=400), skip_bad=st.booleans())
def test_random_bytes_never_crash_the_import(
    db: Database, tmp_path: Path, data: bytes, skip_bad: bool
) -> None:
    path = tmp_path / f"bytes-{next(counter)}.csv"
    path.write_bytes(data)
    _import(db, path, skip_bad, dry_run=False)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    headers=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=9), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251"]),
    skip_bad=st.booleans(),
    dry_run=st.booleans(),
)
def test_random_csv_files_are_imported_or_reported(
    db: Database,
    tmp_path: Path,
    headers: list[str],
    rows: list[list[str]],
    delimiter: str,
    encoding: str,
    skip_bad: bool,
    dry_run: bool,
) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([headers, *rows])
    path = tmp_path / f"text-{next(counter)}.csv"
    path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
    _import(db, path, skip_bad, dry_run)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(max_size=300))
def test_random_text_never_crashes_the_import(db: Database, tmp_path: Path, text: str) -> None:
    path = tmp_path / f"free-{next(counter)}.csv"
    path.write_text("Title,Amount,Stage\n" + text, encoding="utf-8", errors="surrogatepass")
    _import(db, path, skip_bad=True, dry_run=False)
