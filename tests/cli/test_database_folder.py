"""A database named in a folder that does not exist is refused; dealterm's own is created.

``--db``, ``DEALTERM_DB`` and the settings file's ``db`` name a file the user chose: a
missing folder there is a typo, reported in one line with exit code 2, and nothing is
created. The default and the demo database live in dealterm's data directory, which is
created on first use.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok


@pytest.fixture
def missing(tmp_path: Path) -> Path:
    """A database file in a folder that does not exist."""
    return tmp_path / "no" / "such" / "x.db"


@pytest.fixture
def no_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test instead of starting the TUI."""
    import dealterm.tui

    def refuse(*args: object, **kwargs: object) -> int:
        pytest.fail("the app was started")

    monkeypatch.setattr(dealterm.tui, "run_tui", refuse)


def _data_dir() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "dealterm"


@pytest.mark.parametrize(
    "args",
    [
        ("deal", "list"),  # read without Typer (the quick path)
        ("deal", "list", "--search", "a"),  # through Typer
        ("deal", "add", "--title", "Nowhere"),
        ("export", "deals"),
        (),  # the app
    ],
    ids=["quick-list", "list", "add", "export", "app"],
)
def test_a_db_option_in_a_missing_folder(
    run: Runner, missing: Path, no_app: None, args: tuple[str, ...]
) -> None:
    result = run(*args, db=missing)
    assert_fails(result, 2, f"no folder {missing.parent} for the database (create it first)")
    assert result.stdout == ""
    assert not missing.parent.parent.exists()
    assert not _data_dir().exists()  # and no default database instead


def test_the_app_with_db_and_demo_in_a_missing_folder(
    run: Runner, missing: Path, no_app: None
) -> None:
    assert_fails(run("--demo", db=missing), 2, "no folder")
    assert not missing.parent.parent.exists()


def test_dealterm_db_in_a_missing_folder(
    run: Runner, missing: Path, no_app: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALTERM_DB", str(missing))
    assert_fails(run("deal", "list"), 2, "no folder")
    assert_fails(run(), 2, "no folder")
    assert not missing.parent.parent.exists()


def test_an_sqlite_url_in_a_missing_folder(run: Runner, missing: Path) -> None:
    assert_fails(run("deal", "list", db=f"sqlite:///{missing}"), 2, "no folder")
    assert not missing.parent.parent.exists()


def test_a_file_where_the_folder_should_be(run: Runner, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("not a folder")
    line = assert_fails(run("deal", "list", db=tmp_path / "plain" / "x.db"), 2)
    assert "is not a folder" in line


def test_the_settings_db_in_a_missing_folder(
    run: Runner, missing: Path, no_app: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = tmp_path / "config.toml"
    settings.write_text(f'db = "{missing}"\n', encoding="utf-8")
    monkeypatch.setenv("DEALTERM_CONFIG", str(settings))
    assert_fails(run("deal", "list"), 2, "no folder")
    assert_fails(run(), 2, "no folder")
    assert not missing.parent.parent.exists()
    # config set refuses it in the first place
    settings.unlink()
    assert_fails(run("config", "set", "db", str(missing)), 2, "no folder")
    assert not settings.exists()


def test_a_new_file_in_an_existing_folder_is_created(run: Runner, tmp_path: Path) -> None:
    new = tmp_path / "new.db"
    assert_ok(run("demo", "--deals", "3", "--seed", "1", db=new))
    assert len(assert_ok(run("deal", "list", "--json", db=new)).json()) == 3
    assert oct(new.stat().st_mode & 0o777) == oct(0o600)


def test_the_default_and_the_demo_database_create_the_data_directory(run: Runner) -> None:
    assert not _data_dir().exists()
    assert_ok(run("--demo", "deal", "list"))
    assert (_data_dir() / "demo.db").is_file()
    assert_ok(run("deal", "add", "--title", "First run"))
    assert (_data_dir() / "dealterm.db").is_file()


def test_the_app_on_a_new_demo_file_in_an_existing_folder(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dealterm.tui

    started: list[tuple[str, bool]] = []
    monkeypatch.setattr(
        dealterm.tui,
        "run_tui",
        lambda target, demo, settings: started.append((target, demo)) or 0,
    )
    monkeypatch.setenv("DEALTERM_DATA_DIR", str(tmp_path / "fresh" / "data"))
    assert_ok(run("--demo"))
    assert started == [(str(tmp_path / "fresh" / "data" / "demo.db"), True)]
    assert_ok(run("--demo", db=tmp_path / "demo-copy.db"))
    assert started[-1] == (str(tmp_path / "demo-copy.db"), False)
