"""Databases the CLI cannot use: one line on stderr, exit 2, and the file left alone."""

from __future__ import annotations

import gc
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok
from tests.readonly import read_only_file

COMMANDS = [
    ("deal", "list", "--json"),
    ("deal", "add", "--title", "Should not be saved"),
    ("deal", "show", "1"),
    ("activity", "list"),
    ("comment", "add", "1", "hello"),
    ("demo", "--deals", "3"),
]


@pytest.fixture
def random_file(tmp_path: Path) -> Path:
    path = tmp_path / "random.db"
    path.write_bytes(bytes((i * 73 + 41) % 256 for i in range(16_384)))
    return path


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_file_of_random_bytes(run: Runner, random_file: Path, command: tuple[str, ...]) -> None:
    before = random_file.read_bytes()
    result = run(*command, db=random_file)
    assert_fails(result, 2, "random.db", "not a dealterm database")
    assert result.stdout == ""
    assert random_file.read_bytes() == before


def test_a_file_of_random_bytes_from_the_environment(
    run: Runner, random_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALTERM_DB", str(random_file))
    assert_fails(run("deal", "list"), 2, "not a dealterm database")


def test_a_damaged_sqlite_header(run: Runner, tmp_path: Path) -> None:
    path = tmp_path / "cut.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x07" * 200)
    assert_fails(run("deal", "list", db=path), 2, "cut.db")


@pytest.fixture
def foreign_db(tmp_path: Path) -> Path:
    path = tmp_path / "notes.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.commit()
    conn.close()
    return path


def _tables(path: Path) -> list[tuple[str, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_an_sqlite_file_of_another_program(
    run: Runner, foreign_db: Path, command: tuple[str, ...]
) -> None:
    result = run(*command, db=foreign_db)
    assert_fails(result, 2, "notes.db", "not a dealterm database")
    assert _tables(foreign_db) == [("notes",)]  # no dealterm tables were added
    conn = sqlite3.connect(foreign_db)
    assert conn.execute("SELECT body FROM notes").fetchall() == [("keep me",)]
    conn.close()


def test_a_database_from_a_newer_dealterm(run: Runner, seeded_db: Path) -> None:
    conn = sqlite3.connect(seeded_db)
    conn.execute("UPDATE alembic_version SET version_num = '29990101_0001'")
    conn.commit()
    conn.close()
    assert_fails(run("deal", "list", db=seeded_db), 2, "newer dealterm", "29990101_0001")


def test_a_directory(run: Runner, tmp_path: Path) -> None:
    assert_fails(run("deal", "list", db=tmp_path), 2, "is a directory")


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("mysql://user@localhost/crm", "unsupported database 'mysql'"),
        ("postgresql+psycopg://someone:s3cret@127.0.0.1:1/crm", "cannot connect"),
    ],
)
def test_unusable_urls(run: Runner, url: str, fragment: str) -> None:
    line = assert_fails(run("deal", "list", db=url), 2, fragment)
    assert "s3cret" not in line  # a password is never printed


@pytest.mark.postgres
def test_a_missing_postgresql_database(run: Runner, pg_url: str) -> None:
    url = pg_url.rsplit("/", 1)[0] + "/dealterm_no_such_database"
    assert_fails(run("deal", "list", db=url), 2, "does not exist")


# --- read-only ---------------------------------------------------------------------------


WRITES = [
    ("deal", "add", "--title", "Nope"),
    ("deal", "won", "1"),
    ("deal", "edit", "1", "--title", "Nope"),
    ("deal", "delete", "1", "--yes"),
    ("activity", "done", "1"),
    ("comment", "add", "1", "Nope"),
]


def _read_only_url(path: Path) -> str:
    return f"sqlite:///file:{path}?mode=ro&uri=true"


@pytest.mark.parametrize("command", WRITES, ids=lambda c: " ".join(c[:2]))
def test_a_database_opened_read_only(
    run: Runner, seeded_db: Path, unchanged, command: tuple[str, ...]
) -> None:
    """The same "read-only" error as a read-only file, whoever runs the tests."""
    url = _read_only_url(seeded_db)
    with unchanged(seeded_db):
        assert_fails(run(*command, db=url), 2, "seeded.db", "read-only")
    # reading still works
    titles = [d["title"] for d in assert_ok(run("deal", "list", "--json", db=url)).json()]
    assert titles == ["Closed deal", "Base deal"]


@pytest.mark.parametrize("command", WRITES[:3], ids=lambda c: " ".join(c[:2]))
def test_a_read_only_file(
    run: Runner, seeded_db: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    path = tmp_path / "crm.db"
    shutil.copy2(seeded_db, path)
    # No connection to the file may be open in this process before the chmod: SQLite
    # reuses an open read-write descriptor of the same file, and the write would succeed.
    gc.collect()
    with read_only_file(path):
        before = assert_ok(run("deal", "list", "--json", db=path)).stdout
        assert_fails(run(*command, db=path), 2, "crm.db", "read-only")
        assert assert_ok(run("deal", "list", "--json", db=path)).stdout == before
