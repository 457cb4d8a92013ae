"""``dealterm export deals`` (CSV, JSON) and ``dealterm export activities`` (iCalendar)."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import icalendar
import pytest

from tests.cli.conftest import MOSCOW, Runner, assert_fails, assert_ok

Unchanged = Callable[[Path], AbstractContextManager[None]]
PRODUCT_HEADERS = ["Product", "Price", "Quantity", "Discount, %", "Tax rate, %", "Measure"]


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _ids_listed(run: Runner, db: Path, *args: str) -> list[int]:
    deals = assert_ok(run("deal", "list", "--json", "--limit", "1000", *args, db=db)).json()
    return [d["id"] for d in deals]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for the exported files."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


# --- CSV ---------------------------------------------------------------------------------------
def test_csv_on_stdout_is_utf8_without_bom(
    run: Runner, seeded_db: Path, unchanged: Unchanged
) -> None:
    with unchanged(seeded_db):
        result = assert_ok(run("export", "deals", db=seeded_db))
    assert result.stderr == ""
    assert result.stdout.startswith("ID,Title,Pipeline,Stage,Stage name,Amount,")
    header = result.stdout.splitlines()[0]
    assert header.endswith('Comments,Product,Price,Quantity,"Discount, %","Tax rate, %",Measure')
    rows = _csv(result.stdout)
    assert [(r["ID"], r["Title"]) for r in rows] == [("2", "Closed deal"), ("1", "Base deal")]
    base = rows[1]
    assert (base["Amount"], base["Currency"], base["Stage"]) == ("100.00", "USD", "NEW")
    assert (base["Company"], base["Contacts"]) == ("Acme Ltd", "John Smith")
    assert [base[h] for h in PRODUCT_HEADERS] == ["Widget", "40.00", "2", "0", "", "pcs"]
    closed = rows[0]
    assert (closed["Stage"], closed["Closed"], closed["Amount"]) == ("WON", "Y", "5.00")
    assert [closed[h] for h in PRODUCT_HEADERS] == [""] * 6


def test_a_file_gets_a_bom_for_excel_by_default(run: Runner, seeded_db: Path, out: Path) -> None:
    target = out / "deals.csv"
    result = assert_ok(run("export", "deals", "-o", str(target), db=seeded_db))
    assert result.stdout == ""
    assert result.stderr == f"Exported 2 deals to {target}\n"
    assert target.read_bytes().startswith(b"\xef\xbb\xbfID,Title,")
    assert_ok(run("export", "deals", "--no-bom", "-o", str(out / "plain.csv"), db=seeded_db))
    assert (out / "plain.csv").read_bytes().startswith(b"ID,Title,")
    assert_ok(run("export", "deals", "-e", "utf-8", "-o", str(out / "e.csv"), db=seeded_db))
    assert (out / "e.csv").read_bytes() == (out / "plain.csv").read_bytes()
    with_bom = assert_ok(run("export", "deals", "--bom", db=seeded_db))
    assert with_bom.stdout.startswith("\ufeffID,Title,")
    assert sorted(p.name for p in out.iterdir()) == ["deals.csv", "e.csv", "plain.csv"]


def test_windows_1251_reads_back(run: Runner, listed_db: Path, out: Path) -> None:
    target = out / "deals.csv"
    assert_ok(run("export", "deals", "--encoding", "cp1251", "-o", str(target), db=listed_db))
    rows = _csv(target.read_bytes().decode("cp1251"))
    assert next(r for r in rows if r["Title"] == "Echo service")["Company"] == "ООО «Ромашка»"
    assert_ok(run("export", "deals", "-e", "Windows-1251", "-o", str(out / "w.csv"), db=listed_db))
    assert (out / "w.csv").read_bytes() == target.read_bytes()


def test_a_value_windows_1251_cannot_hold_writes_nothing(
    run: Runner, fresh_db: Path, out: Path
) -> None:
    assert_ok(run("deal", "add", "--title", "Office in Zürich", db=fresh_db))
    target = out / "deals.csv"
    result = run("export", "deals", "-e", "cp1251", "-o", str(target), db=fresh_db)
    assert_fails(result, 2, "deal #1", "'ü'", "Windows-1251", "UTF-8")
    assert list(out.iterdir()) == []
    on_stdout = run("export", "deals", "-e", "cp1251", db=fresh_db)
    assert_fails(on_stdout, 2, "'ü'")
    assert on_stdout.stdout == ""  # not even the header


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("-e", "latin-1"), ("unknown encoding", "utf-8-sig", "cp1251")),
        (("--bom", "-e", "cp1251"), ("--bom", "cp1251")),
        (("--no-bom", "-e", "utf-8-sig"), ("--no-bom",)),
        (("-f", "xml"), ("unknown format", "csv or json")),
        (("-f", "json", "--columns", "id"), ("--columns", "CSV only")),
        (("-f", "json", "-e", "cp1251"), ("JSON is always UTF-8",)),
        (("--columns", "id,colour"), ("unknown column 'colour'", "valid columns", "title")),
        (("--open", "--won"), ("--open",)),
        (("--min-amount", "lots"), ("--min-amount",)),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    run: Runner, seeded_db: Path, out: Path, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    target = out / "deals.csv"
    result = run("export", "deals", *args, "-o", str(target), db=seeded_db)
    assert_fails(result, 2, *fragments)
    assert result.stdout == ""
    assert list(out.iterdir()) == []


def test_an_unwritable_path_is_one_line(run: Runner, seeded_db: Path, out: Path) -> None:
    missing = out / "no" / "such" / "deals.csv"
    assert_fails(
        run("export", "deals", "-o", str(missing), db=seeded_db),
        2,
        f"no folder {missing.parent} for deals.csv (create it first)",
    )
    assert_fails(run("export", "deals", "-o", str(out), db=seeded_db), 2, "folder")
    (out / "plain").write_text("")
    assert_fails(
        run("export", "deals", "-o", str(out / "plain" / "x.csv"), db=seeded_db), 2, "not a folder"
    )
    (out / "plain").unlink()
    assert list(out.iterdir()) == []


def test_a_missing_folder_is_refused_before_anything_is_opened(run: Runner, out: Path) -> None:
    """No folder is made, and no default database is created for the export either."""
    missing = out / "no" / "deals.csv"
    assert_fails(run("export", "deals", "-o", str(missing)), 2, "no folder")
    assert_fails(run("export", "activities", "-o", str(out / "no" / "a.ics")), 2, "no folder")
    assert list(out.iterdir()) == []
    assert not (Path(os.environ["XDG_DATA_HOME"]) / "dealterm").exists()


def test_formulas_are_neutralized_and_negative_numbers_kept(run: Runner, fresh_db: Path) -> None:
    assert_ok(run("field", "add", "size", "Size", "--type", "number", db=fresh_db))
    assert_ok(
        run(
            "deal",
            "add",
            "--title",
            '=HYPERLINK("http://x")',
            "--company",
            "@SUM(1+1)",
            "--contact",
            "+7 495 123-45-67",
            "--comment",
            "-2+3",
            "--set",
            "UF_CRM_SIZE=-5",
            "--product",
            "name==1+1; price=10",
            db=fresh_db,
        )
    )
    (row,) = _csv(assert_ok(run("export", "deals", db=fresh_db)).stdout)
    assert row["Title"] == '\'=HYPERLINK("http://x")'
    assert row["Company"] == "'@SUM(1+1)"
    assert row["Contacts"] == "'+7 495 123-45-67"
    assert row["Comments"] == "'-2+3"
    assert row["Size"] == "-5"
    assert row["Product"] == "'=1+1"


def test_columns_choose_and_order(run: Runner, seeded_db: Path) -> None:
    result = assert_ok(
        run("export", "deals", "--columns", "title,ID", "-c", "amount", db=seeded_db)
    )
    assert result.stdout.splitlines() == [
        "Title,ID,Amount",
        "Closed deal,2,5.00",
        "Base deal,1,100.00",
    ]
    with_products = assert_ok(
        run("export", "deals", "--columns", "id,product,Discount, %", db=seeded_db)
    )
    assert with_products.stdout.splitlines() == [
        'ID,Product,"Discount, %"',
        "2,,",
        "1,Widget,0",
    ]


# --- the filter ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--open",),
        ("--won",),
        ("--closed",),
        ("--stage", "EXECUTING"),
        ("--pipeline", "Sales", "--stage", "NEW"),
        ("--search", "crane"),
        ("--search", "ромашка"),
        ("--preset", "Won"),
        ("--responsible", "me"),
        ("--max-amount", "0"),
    ],
)
def test_the_filter_selects_what_deal_list_shows(
    run: Runner, listed_db: Path, args: tuple[str, ...]
) -> None:
    expected = _ids_listed(run, listed_db, *args)
    as_json = assert_ok(run("export", "deals", "-f", "json", *args, db=listed_db)).json()
    assert [d["id"] for d in as_json] == expected
    as_csv = _csv(assert_ok(run("export", "deals", *args, db=listed_db)).stdout)
    assert [int(r["ID"]) for r in as_csv] == expected


def test_an_unknown_pipeline_fails_as_in_deal_list(run: Runner, listed_db: Path) -> None:
    listed = run("deal", "list", "--pipeline", "Nope", db=listed_db)
    exported = run("export", "deals", "--pipeline", "Nope", db=listed_db)
    assert exported.code == listed.code != 0
    assert exported.error == listed.error
    assert exported.stdout == ""


# --- JSON ---------------------------------------------------------------------------------------
def test_json_amounts_are_exact_strings(run: Runner, seeded_db: Path, out: Path) -> None:
    target = out / "deals.json"
    assert_ok(run("export", "deals", "--format", "JSON", "-o", str(target), db=seeded_db))
    raw = target.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    deals = json.loads(raw, parse_float=Decimal)
    closed, base = deals
    assert base["amount"] == "100.00" and Decimal(base["amount"]) == Decimal("100.00")
    assert base["contacts"] == [{"id": 1, "name": "John Smith", "primary": True}]
    assert base["company"] == "Acme Ltd" and base["stage"] == "NEW"
    (widget,) = base["products"]
    assert (widget["name"], widget["price"], widget["quantity"], widget["total"]) == (
        "Widget",
        "40.00",
        "2",
        "80.00",
    )
    assert base["custom_fields"] == {}
    assert closed["closed"] is True and closed["products"] == []
    assert datetime.fromisoformat(base["created_at"]).tzinfo is not None


# --- iCalendar ----------------------------------------------------------------------------------
def _events(text: str | bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(text)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_activities_as_ics(
    run: Runner, seeded_db: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Olga signs in once (the CLI creates her user), and gets a meeting on deal #1.
    monkeypatch.setenv("DEALTERM_USER", "olga")
    assert_ok(run("activity", "list", db=seeded_db))
    monkeypatch.setenv("DEALTERM_USER", "tester")
    args = ("--kind", "meeting", "--subject", "Site visit", "--deadline", "2026-03-16 09:30")
    assert_ok(run("activity", "add", "1", *args, "--responsible", "olga", db=seeded_db))
    done = assert_ok(
        run(
            "activity",
            "add",
            "1",
            "--subject",
            "Done already",
            "--deadline",
            "2026-03-02 10:00",
            "--json",
            db=seeded_db,
        )
    ).json()
    assert_ok(run("activity", "done", str(done["id"]), db=seeded_db))

    mine = assert_ok(run("export", "activities", db=seeded_db))
    assert mine.stdout.startswith("BEGIN:VCALENDAR")
    events = _events(mine.stdout)
    assert list(events) == ["activity-1@dealterm"]  # the seeded call; Olga's is hers
    call = events["activity-1@dealterm"]
    assert call.decoded("DTSTART") == datetime(2026, 3, 12, 11, 0, tzinfo=MOSCOW)
    assert str(call.decoded("DTSTART").tzinfo) == "Europe/Moscow"
    assert call.decoded("DTEND") - call.decoded("DTSTART") == timedelta(minutes=15)
    assert str(call["SUMMARY"]) == "Call: First call"
    assert call.categories == ["call"]
    assert "Base deal" in str(call["DESCRIPTION"]) and "Acme Ltd" in str(call["DESCRIPTION"])
    assert "$100.00" in str(call["DESCRIPTION"])

    target = out / "activities.ics"
    result = assert_ok(run("export", "activities", "--all", "-o", str(target), db=seeded_db))
    assert result.stderr == f"Exported 2 activities to {target}\n"
    everyone = _events(target.read_bytes())
    assert sorted(everyone) == ["activity-1@dealterm", "activity-2@dealterm"]
    assert everyone["activity-2@dealterm"].categories == ["meeting"]
    assert "Responsible: olga" in str(everyone["activity-2@dealterm"]["DESCRIPTION"])
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    assert calendar.get_missing_tzids() == set()
    assert str(calendar["VERSION"]) == "2.0" and "dealterm" in str(calendar["PRODID"])


def test_activities_bad_format_and_path(run: Runner, seeded_db: Path, out: Path) -> None:
    assert_fails(run("export", "activities", "-f", "csv", db=seeded_db), 2, "use ics")
    missing = out / "missing" / "a.ics"
    assert_fails(run("export", "activities", "-o", str(missing), db=seeded_db), 2, "no folder")
    assert list(out.iterdir()) == []
