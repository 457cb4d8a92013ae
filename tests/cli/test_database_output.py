"""A command that writes a file never writes it over the database it reads.

`dealterm export deals --db x.db -o x.db` used to replace the database with CSV and exit 0.
Every output path is compared, resolved, with the database file and the files SQLite
keeps beside it (-wal, -shm, -journal); a match is refused with one line and exit 2.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok, dump_rows


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


@pytest.mark.parametrize("command", [("export", "deals"), ("export", "activities")])
@pytest.mark.parametrize("written", ["{db}", "./{name}", "{db}-wal", "{db}-shm", "{db}-journal"])
def test_an_output_that_is_the_database_is_refused(
    run: Runner,
    seeded_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, str],
    written: str,
) -> None:
    monkeypatch.chdir(seeded_db.parent)
    output = written.format(db=seeded_db, name=seeded_db.name)
    target = Path(output).resolve()
    rows, raw = dump_rows(seeded_db), _bytes(seeded_db)
    before = _bytes(target) if target.exists() else None

    result = run(*command, "-o", output, db=seeded_db)

    line = assert_fails(result, 2, output, str(seeded_db), "choose another file")
    assert "\n" not in line and result.stdout == ""
    assert (_bytes(target) if target.exists() else None) == before
    assert _bytes(seeded_db) == raw and dump_rows(seeded_db) == rows
    assert not list(seeded_db.parent.glob("*.part"))


def test_the_database_behind_a_link_or_an_url_is_recognised(
    run: Runner, seeded_db: Path, tmp_path: Path
) -> None:
    raw = _bytes(seeded_db)
    link = tmp_path / "link.db"
    link.symlink_to(seeded_db)
    hard = tmp_path / "hard.db"
    os.link(seeded_db, hard)
    other = tmp_path / "sub"
    other.mkdir()
    cases = [
        (seeded_db, link),  # the output is a symbolic link to the database
        (link, seeded_db),  # the database is opened through a link
        (seeded_db, hard),  # another name of the same file
        (f"sqlite:///{seeded_db}", seeded_db),  # the database given as a URL
        (seeded_db, other / ".." / seeded_db.name),
    ]
    for db, output in cases:
        assert_fails(run("export", "deals", "-o", str(output), db=db), 2, "the database")
    assert_fails(run("export", "deals", "-o", str(seeded_db), db=seeded_db, fresh_tree=True), 2)
    assert _bytes(seeded_db) == raw


def test_other_files_are_still_written(run: Runner, seeded_db: Path, tmp_path: Path) -> None:
    beside = tmp_path / f"{seeded_db.name}.csv"  # a name that only starts like the database
    assert_ok(run("export", "deals", "-o", str(beside), db=seeded_db))
    assert beside.read_text(encoding="utf-8-sig").startswith("ID,")
    assert_ok(run("export", "activities", "-o", str(tmp_path / "x.db-wal.ics"), db=seeded_db))
    assert assert_ok(run("export", "deals", "-o", "-", db=seeded_db)).stdout.startswith("ID,")


def test_the_database_named_in_the_environment_is_protected_too(
    run: Runner, seeded_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALTERM_DB", str(seeded_db))
    raw = _bytes(seeded_db)
    assert_fails(run("export", "deals", "-o", str(seeded_db)), 2, "the database itself")
    assert _bytes(seeded_db) == raw


def test_an_import_never_writes_its_rejects_over_the_database(
    run: Runner, seeded_db: Path, tmp_path: Path
) -> None:
    """`--skip-bad` writes FILE.rejects.csv: with the database called so, it is refused."""
    database = tmp_path / "deals.rejects.csv"
    database.write_bytes(seeded_db.read_bytes())
    source = tmp_path / "deals.csv"
    source.write_text("Title,Amount\nGood,10\nBad,lots\n", encoding="utf-8")
    rows, raw = dump_rows(database), _bytes(database)

    result = run("import", "deals", str(source), "--skip-bad", db=database)

    assert_fails(result, 2, str(database))
    assert _bytes(database) == raw and dump_rows(database) == rows
