"""`dealterm import deals`: what a user sees, what ends up in the database, and the exit codes."""

from __future__ import annotations

import csv
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok, error_line
from tests.core.importing_helpers import EXAMPLES, write_csv

Unchanged = Callable[[Path], AbstractContextManager[None]]

BAD = [
    ["ID", "Title", "Amount", "Stage", "Notes"],
    ["1", "Pumps", "1,250.00", "NEW", "call back on Monday"],
    ["2", "Valves", "abc", "NEW", ""],
    ["3", "Pipes", "300", "Negotiation", ""],
]


def _titles(run: Runner, db: Path) -> dict[str, dict[str, object]]:
    listed = assert_ok(run("deal", "list", "--json", "--limit", "100", db=db)).json()
    return {deal["title"]: deal for deal in listed}


def test_importing_a_bitrix24_export_says_what_it_read_and_did(run: Runner, fresh_db: Path) -> None:
    result = assert_ok(run("import", "deals", str(EXAMPLES / "bitrix24.csv"), db=fresh_db))
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "bitrix24.csv: 7 rows, cp1251, semicolon; recognised as Bitrix24 from the headers"
    )
    assert (
        "Deals: 6 created, 0 updated, 1 row merged into the deal above it, 3 product rows" in lines
    )
    assert "Companies: 4 new, 0 found · contacts: 5 new, 0 found · users: 2 new" in lines
    deals = _titles(run, fresh_db)
    assert deals["Поставка котельного оборудования"]["amount"] == "412500.00"
    assert deals["Поставка котельного оборудования"]["responsible"] == "Анна Петрова"

    again = assert_ok(run("import", "deals", str(EXAMPLES / "bitrix24.csv"), db=fresh_db))
    assert "Deals: 0 created, 6 updated, 1 row merged into the deal above it" in again.stdout
    assert len(_titles(run, fresh_db)) == 6


@pytest.mark.parametrize(
    ("name", "preset_line"),
    [
        ("generic.csv", "recognised as our own columns (generic) from the headers"),
        ("amocrm.csv", "recognised as amoCRM / Kommo from the headers"),
        ("pipedrive.csv", "recognised as Pipedrive from the headers"),
        ("hubspot.csv", "recognised as HubSpot from the headers"),
    ],
)
def test_every_example_file_imports(
    run: Runner, fresh_db: Path, name: str, preset_line: str
) -> None:
    result = assert_ok(run("import", "deals", str(EXAMPLES / name), db=fresh_db))
    assert preset_line in result.stdout.splitlines()[0]
    assert "bad row" not in result.stdout


def test_bad_rows_stop_the_import_and_are_listed(
    run: Runner, fresh_db: Path, tmp_path: Path, unchanged: Unchanged
) -> None:
    source = write_csv(tmp_path / "deals.csv", BAD)
    with unchanged(fresh_db):
        result = run("import", "deals", str(source), db=fresh_db)
    line = assert_fails(result, 2, "2 bad rows in deals.csv", "nothing was imported", "--skip-bad")
    assert line.startswith("dealterm: ")
    out = result.stdout
    assert "2 bad rows:" in out
    assert any(
        cells[:3] == ["3", "Amount", "abc"] and "'abc' is not a number" in row
        for row in out.splitlines()
        if (cells := row.split())
    )
    assert "unknown stage 'Negotiation' in pipeline 'Sales'" in out
    assert "Deals (nothing written): 1 created, 0 updated" in out
    assert "Left out: Notes" in out


def test_skip_bad_imports_the_rest_and_names_the_rejects_file(
    run: Runner, fresh_db: Path, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "deals.csv", BAD)
    result = assert_ok(
        run("import", "deals", str(source), "--skip-bad", "--map", "Notes=comments", db=fresh_db)
    )
    rejects = tmp_path / "deals.rejects.csv"
    assert f"The bad rows were skipped and written to {rejects}" in result.stdout
    with rejects.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["ID", "Title", "Amount", "Stage", "Notes", "reason"]
    assert rows[1] == ["2", "Valves", "abc", "NEW", "", "Amount: 'abc' is not a number"]
    assert rows[2][:5] == ["3", "Pipes", "300", "Negotiation", ""]
    assert rows[2][5].startswith("Stage: unknown stage 'Negotiation' in pipeline 'Sales' (known:")
    assert len(rows) == 3
    deals = _titles(run, fresh_db)
    assert set(deals) == {"Pumps"}
    assert deals["Pumps"]["comments"] == "call back on Monday"
    assert deals["Pumps"]["amount"] == "1250.00"


def test_a_dry_run_writes_nothing(
    run: Runner, fresh_db: Path, tmp_path: Path, unchanged: Unchanged
) -> None:
    with unchanged(fresh_db):
        result = run("import", "deals", str(EXAMPLES / "hubspot.csv"), "--dry-run", db=fresh_db)
    assert_ok(result)
    assert "Deals (nothing written): 7 created, 0 updated" in result.stdout
    assert result.stdout.rstrip().endswith("Dry run: nothing was written.")


def test_json_reports_everything_and_still_fails_on_bad_rows(
    run: Runner, fresh_db: Path, tmp_path: Path, unchanged: Unchanged
) -> None:
    source = write_csv(tmp_path / "deals.csv", BAD)
    with unchanged(fresh_db):
        result = run("import", "deals", str(source), "--json", db=fresh_db)
    assert result.code == 2 and "2 bad rows" in error_line(result)
    report = result.json()
    assert (report["preset"], report["recognised"], report["imported"]) == ("generic", True, False)
    assert (report["encoding"], report["delimiter"], report["rows"]) == ("utf-8", ",", 3)
    assert report["bad"][0] == {
        "row": 3,
        "column": "Amount",
        "value": "abc",
        "reason": "'abc' is not a number",
    }
    good = write_csv(tmp_path / "good.csv", BAD[:2])
    report = assert_ok(run("import", "deals", str(good), "--json", db=fresh_db)).json()
    assert (report["created"], report["imported"], report["bad"]) == (1, True, [])


def test_the_preset_encoding_delimiter_and_pipeline_can_be_given(
    run: Runner, fresh_db: Path, tmp_path: Path
) -> None:
    assert_ok(run("pipeline", "add", "Wholesale", db=fresh_db))
    source = write_csv(
        tmp_path / "export.txt",
        [["Title", "Сумма"], ["Котёл", "1 500,50"]],
        encoding="koi8-r",
        delimiter="\t",
    )
    result = assert_ok(
        run(
            "import",
            "deals",
            str(source),
            "--preset",
            "generic",
            "--encoding",
            "koi8-r",
            "--delimiter",
            "tab",
            "--pipeline",
            "Wholesale",
            db=fresh_db,
        )
    )
    assert "export.txt: 1 row, koi8-r, tab; read as our own columns (generic)" in result.stdout
    deal = _titles(run, fresh_db)["Котёл"]
    assert (deal["amount"], deal["pipeline"]) == ("1500.50", "Wholesale")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["missing.csv"], ["no such file", "missing.csv"]),
        (["{good}", "--preset", "salesforce"], ["unknown preset 'salesforce'", "hubspot"]),
        (["{good}", "--map", "Notes"], ["--map takes 'Column=field'", "'Notes'"]),
        (
            ["{good}", "--map", "Notes=colour"],
            ["column 'Notes': unknown field 'colour'", "comments"],
        ),
        (["{good}", "--map", "Nope=title"], ["the file has no column 'Nope'", "'Title'"]),
        (["{good}", "--pipeline", "Retail"], ["unknown pipeline 'Retail'", "'Sales'"]),
        (["{good}", "--encoding", "klingon"], ["unknown encoding 'klingon'"]),
        (["{cp1251}", "--encoding", "utf-8"], ["not valid utf-8 text", "leave the encoding out"]),
        (["{good}", "--delimiter", "::"], ["delimiter is one character"]),
        (["{xlsx}"], ["Excel workbook", "save it as CSV"]),
        (["{notitle}"], ["no column goes to the deal title", "--map 'Column=title'"]),
    ],
)
def test_what_cannot_be_imported_at_all_is_one_line_and_exit_2(
    run: Runner,
    fresh_db: Path,
    tmp_path: Path,
    unchanged: Unchanged,
    args: list[str],
    fragments: list[str],
) -> None:
    files = {
        "{good}": write_csv(tmp_path / "good.csv", BAD[:2]),
        "{cp1251}": write_csv(tmp_path / "ru.csv", [["Title"], ["Котёл"]], encoding="cp1251"),
        "{notitle}": write_csv(tmp_path / "nt.csv", [["Name", "Sum"], ["x", "1"]]),
    }
    xlsx = tmp_path / "book.xlsx"
    xlsx.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(64))
    files["{xlsx}"] = xlsx
    argv = [str(files.get(arg, arg)) for arg in args]
    with unchanged(fresh_db):
        result = run("import", "deals", *argv, db=fresh_db)
    assert_fails(result, 2, *fragments)
