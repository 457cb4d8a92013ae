"""``dealterm config show`` is valid TOML of what is in effect; bad values are named.

The settings file's problems (an unknown locale, a binding id no screen has) are reported
as every other problem of the file is: one line naming the key, the rest of the file used.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path

import pytest

from dealterm.config import load_settings
from tests.cli.conftest import Runner, assert_fails, assert_ok


@pytest.fixture
def config_file() -> Path:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "dealterm" / "config.toml"
    path.parent.mkdir(parents=True)
    return path


def test_show_is_valid_toml_that_reads_back_as_the_same_settings(
    run: Runner, config_file: Path, seeded_db: Path, tmp_path: Path
) -> None:
    config_file.write_text(
        'locale = "ru_RU"\ntimezone = "Asia/Tokyo"\ndate_format = "dd.mm.yyyy"\n'
        'user_name = "Anna \\"Ann\\" Petrova"\n[keymap]\n"board.won" = "W"\n',
        encoding="utf-8",
    )
    text = assert_ok(run("config", "show", db=seeded_db)).stdout
    shown = tomllib.loads(text)
    assert shown == {
        "db": str(seeded_db),  # the database this command would use: --db
        "locale": "ru_RU",
        "timezone": "Asia/Tokyo",
        "user_name": 'Anna "Ann" Petrova',
        "date_format": "dd.mm.yyyy",
        "number_format": "locale",
        "first_day_of_week": "locale",
        "keymap": {"board.won": "W"},
    }
    assert "# base_currency is not set" in text and "from --db or DEALTERM_DB" in text
    copy = tmp_path / "copy.toml"
    copy.write_text(text, encoding="utf-8")
    again = load_settings(copy)
    assert again.problem is None
    assert (again.locale, again.timezone, again.keymap) == (
        "ru_RU",
        "Asia/Tokyo",
        {"board.won": "W"},
    )


def test_show_names_the_machine_zone_and_the_database_in_use(
    run: Runner, config_file: Path, tmp_path: Path
) -> None:
    config_file.write_text(f'db = "{tmp_path}/team.db"\n', encoding="utf-8")
    shown = tomllib.loads(assert_ok(run("config", "show")).stdout)
    assert (shown["db"], shown["timezone"]) == (str(tmp_path / "team.db"), "Europe/Moscow")
    assert "timezone" not in config_file.read_text(encoding="utf-8")
    assert not (tmp_path / "team.db").exists()


def test_show_hides_a_password(run: Runner) -> None:
    text = assert_ok(run("config", "show", db="postgresql+psycopg://ann:s3cret@db.example/crm"))
    assert "s3cret" not in text.stdout
    assert tomllib.loads(text.stdout)["db"] == "postgresql+psycopg://ann:***@db.example/crm"


def test_show_notes_a_database_folder_that_does_not_exist(run: Runner, tmp_path: Path) -> None:
    text = assert_ok(run("config", "show", db=tmp_path / "no" / "x.db")).stdout
    assert f"no folder {tmp_path / 'no'}" in text
    assert tomllib.loads(text)["db"] == str(tmp_path / "no" / "x.db")


def test_an_unknown_locale_is_named(run: Runner, config_file: Path, seeded_db: Path) -> None:
    config_file.write_text('locale = "xx_YY"\n', encoding="utf-8")
    result = assert_ok(run("config", "show"))  # a warning, as for every command
    assert result.stderr.startswith(f"dealterm: warning: {config_file}")
    assert "unknown locale 'xx_YY'" in result.stderr and len(result.stderr.splitlines()) == 1
    assert tomllib.loads(result.stdout)["locale"] == "en_US"  # the default is in effect
    listed = assert_ok(run("deal", "list", "--json", db=seeded_db))
    assert len(listed.json()) == 2
    assert listed.stderr.startswith("dealterm: warning: ")
    assert "unknown locale 'xx_YY'" in listed.stderr and len(listed.stderr.splitlines()) == 1


@pytest.mark.parametrize("name", ["ru_RU", "ru-RU", "de", "zh_CN", "sr_Latn_RS"])
def test_known_locales_pass(run: Runner, config_file: Path, name: str) -> None:
    config_file.write_text(f'locale = "{name}"\n', encoding="utf-8")
    assert load_settings().problem is None
    assert_ok(run("config", "set", "locale", name))


def test_an_unknown_binding_id_is_named(run: Runner, config_file: Path, seeded_db: Path) -> None:
    config_file.write_text(
        '[keymap]\n"board.nope" = "x"\n"board.won" = "W"\nboard.lost = 5\n', encoding="utf-8"
    )
    result = assert_ok(run("config", "show"))
    (line,) = result.stderr.splitlines()
    assert line.startswith("dealterm: warning: ")
    assert "unknown key binding id 'board.nope' in [keymap]" in line
    assert "[keymap] board.lost must be a key" in line
    assert tomllib.loads(result.stdout)["keymap"] == {"board.won": "W"}  # the good one applies
    listed = assert_ok(run("deal", "list", "--json", db=seeded_db))
    assert "'board.nope'" in listed.stderr and len(listed.stderr.splitlines()) == 1


def test_set_refuses_an_unknown_binding_id_but_removes_one(run: Runner, config_file: Path) -> None:
    config_file.write_text('[keymap]\n"board.nope" = "x"\n', encoding="utf-8")
    assert_fails(run("config", "set", "keymap.board.nope", "y"), 2, "unknown key binding id")
    assert_ok(run("config", "set", "keymap.board.won", "W"))
    assert_ok(run("config", "set", "keymap.board.nope", ""))
    assert load_settings().problem is None
    assert load_settings().keymap == {"board.won": "W"}


def test_the_binding_ids_are_those_of_the_app() -> None:
    """The list the settings are checked against is every Binding id of the screens."""
    import importlib
    import inspect
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import dealterm.screens
    import dealterm.widgets
    from dealterm.config_keymap import BINDING_IDS

    modules = ["dealterm.app", "dealterm.commands"]
    for package in (dealterm.screens, dealterm.widgets):
        modules += [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
    declared: set[str] = set()
    for name in modules:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, DOMNode):
                bindings = cls.__dict__.get("BINDINGS", [])
                declared |= {b.id for b in bindings if isinstance(b, Binding) and b.id}
    assert not declared - BINDING_IDS, "add these ids to dealterm/config_keymap.py"
    assert not BINDING_IDS - declared, "remove these ids from dealterm/config_keymap.py"


@pytest.mark.parametrize("quick", [True, False], ids=["quick", "typer"])
def test_dates_given_are_read_in_the_configured_format(
    run: Runner, config_file: Path, seeded_db: Path, quick: bool
) -> None:
    """mm/dd/yyyy: 03/12/2026 is 12 March; before, `deal list` read it as 3 December."""
    assert_ok(run("deal", "edit", "1", "--close-date", "2026-03-12", db=seeded_db))
    config_file.write_text('date_format = "mm/dd/yyyy"\n', encoding="utf-8")
    extra = () if quick else ("--search", "deal")
    listed = assert_ok(
        run("deal", "list", "--json", "--close-from", "03/12/2026", "--close-to", "03/12/2026",
            *extra, db=seeded_db)
    ).json()  # fmt: skip
    assert [d["id"] for d in listed] == [1]
    assert date.fromisoformat(listed[0]["close_date"]) == date(2026, 3, 12)
