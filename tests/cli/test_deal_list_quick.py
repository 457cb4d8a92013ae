"""`deal list --json` read with sqlite3 alone: the same deals, the same JSON, no ORM import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dealterm.core.filters import DealFilter, Status
from dealterm.core.quickread import quick_deal_list

# Filter options of `deal list` that the quick path reads, and the filter each one means.
CASES: list[tuple[list[str], DealFilter]] = [
    ([], DealFilter()),
    (["--open"], DealFilter(status=Status.OPEN)),
    (["--won"], DealFilter(status=Status.WON)),
    (["--lost"], DealFilter(status=Status.LOST)),
    (["--closed"], DealFilter(status=Status.CLOSED)),
    (
        ["--min-amount", "5000", "--max-amount", "20000.50"],
        DealFilter(amount_min=Decimal(5000), amount_max=Decimal("20000.50")),
    ),
    (["--repeat"], DealFilter(repeat=True)),
    (["--first", "--open"], DealFilter(repeat=False, status=Status.OPEN)),
    (["--without-activities"], DealFilter(without_activities=True)),
]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """Demo deals, one with custom values, one lost with a reason, and a recurring template."""
    import shutil

    from dealterm.cli import main

    path = tmp_path_factory.mktemp("quick") / "demo.db"
    shutil.copy2(sqlite_template, path)

    def cli(*args: str) -> None:
        with pytest.raises(SystemExit) as exit_:
            main(["--db", str(path), *args])
        assert exit_.value.code in (0, None), args

    cli("demo", "--deals", "300", "--seed", "7")
    cli("field", "add", "SIZE", "Size", "--type", "string")
    cli("field", "add", "BUDGET", "Budget", "--type", "money")
    cli("deal", "edit", "300", "--set", "SIZE=XL", "--set", "BUDGET=1500 EUR")
    cli("deal", "lost", "299", "--reason", "Went silent")
    cli(
        "recurring", "add", "--title", "Monthly support", "--unit", "month", "--start", "2030-12-01"
    )
    return path


def _orm_listing(path: Path, flt: DealFilter, limit: int) -> list[dict[str, Any]]:
    from dealterm.core.db import Database
    from dealterm.core.queries import list_deals

    database = Database.open(path)
    try:
        with database.session(write=False) as session:
            return [d.model_dump(mode="json") for d in list_deals(session, flt, limit=limit)]
    finally:
        database.close()


@pytest.mark.parametrize(
    ("options", "flt"), CASES, ids=[" ".join(options) or "all" for options, _ in CASES]
)
def test_quick_listing_is_the_orm_listing(
    demo_file: Path, run: Any, options: list[str], flt: DealFilter
) -> None:
    expected = _orm_listing(demo_file, flt, limit=400)
    assert expected, "each case must match some demo deals, or it proves nothing"

    assert quick_deal_list(demo_file, flt, 400) == expected
    shown = run("deal", "list", "--json", "--limit", "400", *options, db=demo_file)
    assert shown.code == 0, shown.stderr
    assert json.loads(shown.stdout) == expected


def test_the_listing_carries_custom_values_lost_reasons_and_contacts(demo_file: Path) -> None:
    listed = {deal["id"]: deal for deal in quick_deal_list(demo_file, DealFilter(), 50) or []}

    assert listed[300]["custom_fields"] == {"UF_CRM_SIZE": "XL", "UF_CRM_BUDGET": "1500.00 EUR"}
    assert listed[299]["lost_reason"] == "Went silent"
    assert any(deal["contacts"] for deal in listed.values())
    assert all(not deal["recurring"] for deal in listed.values())  # templates never listed


def _modules_after(path: Path, *options: str) -> tuple[list[dict[str, Any]], set[str]]:
    """Run the real CLI in a new process: the listing, and which of the big libraries it used."""
    code = (
        "import sys\n"
        "from dealterm.cli import main\n"
        "try:\n"
        f"    main(['--db', {str(path)!r}, 'deal', 'list', '--json', *{list(options)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "print(*sorted({'sqlalchemy', 'typer', 'pydantic'} & set(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout), set(done.stderr.split())


def test_a_plain_listing_imports_neither_the_orm_nor_typer(demo_file: Path) -> None:
    deals, used = _modules_after(demo_file, "--limit", "5")

    assert [deal["id"] for deal in deals] == [300, 299, 298, 297, 296]
    assert used == set()


def test_a_listing_by_name_goes_through_the_orm(demo_file: Path) -> None:
    deals, used = _modules_after(demo_file, "--pipeline", "Sales", "--limit", "5")

    assert deals and all(deal["pipeline"] == "Sales" for deal in deals)
    assert {"sqlalchemy", "typer"} <= used


def test_a_file_that_is_not_a_database_is_one_line_and_exit_2(tmp_path: Path, run: Any) -> None:
    junk = tmp_path / "notes.db"
    junk.write_text("not a database at all\n" * 100)

    shown = run("deal", "list", "--json", db=junk)

    assert shown.code == 2
    assert shown.stdout == ""
    assert len(shown.stderr.strip().splitlines()) == 1


def test_an_inverted_range_is_still_refused(demo_file: Path, run: Any) -> None:
    shown = run("deal", "list", "--json", "--min-amount", "10", "--max-amount", "5", db=demo_file)

    assert shown.code == 2
    assert "smallest amount is larger than the largest" in shown.stderr


@pytest.mark.parametrize("options", [[], ["--open", "--limit", "30"], ["--lost", "--limit", "500"]])
def test_the_text_table_is_the_same_either_way(
    demo_file: Path, run: Any, monkeypatch: pytest.MonkeyPatch, options: list[str]
) -> None:
    quick = run("deal", "list", *options, db=demo_file)
    assert quick.code == 0, quick.stderr
    assert "Responsible" in quick.stdout

    import dealterm.core.quickread as quickread

    monkeypatch.setattr(quickread, "quick_listing", lambda *args, **kwargs: None)
    usual = run("deal", "list", *options, db=demo_file)

    assert usual.code == 0, usual.stderr
    assert quick.stdout == usual.stdout
    assert quick.stderr == usual.stderr == ""


def test_a_filter_saved_from_the_cli_lists_the_same_deals(demo_file: Path, run: Any) -> None:
    saving = run("deal", "list", "--won", "--limit", "400", "--save-as", "Winners", db=demo_file)
    assert saving.code == 0, saving.stderr
    assert "Saved the filter as 'Winners'" in saving.stderr

    direct = run("deal", "list", "--won", "--limit", "400", "--json", db=demo_file)
    saved = run("deal", "list", "--saved", "Winners", "--limit", "400", "--json", db=demo_file)

    assert saved.code == 0, saved.stderr
    assert json.loads(direct.stdout)  # some won deals, or this proves nothing
    assert json.loads(saved.stdout) == json.loads(direct.stdout)
    missing = run("deal", "list", "--saved", "No such filter", db=demo_file)
    assert missing.code == 1 and len(missing.stderr.strip().splitlines()) == 1


# Argument lists of `deal list` (after `--db FILE`); the first QUICK ones are read without
# Typer, the rest must be left to Typer: a name to look up, a search, a repeated or unknown
# option, a missing or odd value, a refused filter.
QUICK = 8
ARGUMENTS: list[list[str]] = [
    ["deal", "list"],
    ["deal", "list", "--json", "--limit", "7"],
    ["deal", "list", "--limit=7", "--json", "--open"],
    ["deal", "list", "--won", "--limit", "500"],
    ["deal", "list", "--closed", "--min-amount", "5000", "--max-amount=20000.50", "--json"],
    ["deal", "list", "--close-from", "2026-01-01", "--close-to=2027-12-31", "--json"],
    ["deal", "list", "--first", "--without-activities", "--json", "--limit", "0000012"],
    ["deal", "list", "--repeat", "--lost"],
    ["deal", "list", "--pipeline", "Sales", "--json", "--limit", "5"],
    ["deal", "list", "--search", "support", "--json"],
    ["deal", "list", "--limit", "5", "--limit", "6", "--json"],
    ["deal", "list", "--json=yes"],
    ["deal", "list", "--limit"],
    ["deal", "list", "--limit", "0"],
    ["deal", "list", "--limit", "abc"],
    ["deal", "list", "--limit", "1000001"],
    ["deal", "list", "--won", "--lost"],
    ["deal", "list", "--min-amount", "10", "--max-amount", "5"],
    ["deal", "list", "--min-amount", "-5"],
    ["deal", "list", "--close-from", "2026-13-01"],
    ["deal", "list", "--no-such-option"],
    ["deal", "list", "--json", "stray-argument"],
    ["deal", "list", "--db"],
    ["deal", "list", "--help"],
    ["deal", "show", "300", "--json"],
]


@pytest.mark.parametrize("arguments", ARGUMENTS, ids=" ".join)
def test_the_cli_says_the_same_with_or_without_typer(
    demo_file: Path, run: Any, monkeypatch: pytest.MonkeyPatch, arguments: list[str]
) -> None:
    import dealterm.cli.quick

    real = dealterm.cli.quick.run_quick
    taken: list[bool] = []

    def spy(args: list[str]) -> bool:
        taken.append(real(args))
        return taken[-1]

    monkeypatch.setattr(dealterm.cli.quick, "run_quick", spy)
    quick = run(*arguments, db=demo_file)
    assert taken == [ARGUMENTS.index(arguments) < QUICK]

    monkeypatch.setattr(dealterm.cli.quick, "run_quick", lambda args: False)
    usual = run(*arguments, db=demo_file)

    assert (quick.code, quick.stdout, quick.stderr) == (usual.code, usual.stdout, usual.stderr)
    assert usual.stdout or usual.code != 0, "a listing must show deals, or it proves nothing"


def test_the_database_can_be_named_before_or_after_the_command(
    demo_file: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = run("--db", str(demo_file), "deal", "list", "--json", "--limit", "3")
    after = run("deal", "list", "--json", "--limit", "3", "--db", str(demo_file))
    monkeypatch.setenv("DEALTERM_DB", str(demo_file))
    from_environment = run("deal", "list", "--json", "--limit", "3")

    assert [deal["id"] for deal in before.json()] == [300, 299, 298]
    assert before.json() == after.json() == from_environment.json()


def test_a_broken_settings_file_is_reported_once(
    demo_file: Path, run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "config.toml"
    settings.write_text("locale = [unclosed\n")
    monkeypatch.setenv("DEALTERM_CONFIG", str(settings))

    shown = run("deal", "list", "--json", "--limit", "2", db=demo_file)

    assert shown.code == 0
    assert [deal["id"] for deal in shown.json()] == [300, 299]
    assert len(shown.stderr.strip().splitlines()) == 1
    assert shown.stderr.startswith("dealterm: warning:")


@pytest.mark.parametrize("limit", ["400", "2"], ids=["long", "short"])
@pytest.mark.parametrize("repeat", [False, True], ids=["quick", "typer"])
def test_a_reader_that_goes_away_ends_the_listing_quietly(
    demo_file: Path, repeat: bool, limit: str
) -> None:
    """`dealterm deal list --json | true`: exit code 0 and nothing on stderr, either way.

    A long listing meets the closed pipe while it writes; a short one stays in the output
    buffer until the end, which once failed in Python's flush at exit (code 120 and
    "Exception ignored ... BrokenPipeError").
    """
    command = [sys.executable, "-m", "dealterm", "--db", str(demo_file)]
    command += ["deal", "list", "--json", "--limit", limit]
    command += ["--limit", limit] if repeat else []  # a repeated option goes to Typer
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as in a shell
    listing = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert listing.stdout is not None
    listing.stdout.close()  # the reader is gone before the listing is read
    _, errors = listing.communicate(timeout=60)

    assert errors.decode() == ""
    assert listing.returncode == 0
