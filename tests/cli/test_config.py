"""``dealterm config path|show|set`` and how the settings file steers other commands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.conftest import Result, Runner, assert_fails, assert_ok


@pytest.fixture
def config_file() -> Path:
    """Where the settings file is under the isolated XDG_CONFIG_HOME."""
    return Path(os.environ["XDG_CONFIG_HOME"]) / "dealterm" / "config.toml"


def test_path(run: Runner, config_file: Path) -> None:
    result = assert_ok(run("config", "path"))
    assert result.stdout == f"{config_file}\n"
    assert not config_file.exists()  # printing the path creates nothing


def test_path_follows_dealterm_config(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALTERM_CONFIG", str(tmp_path / "team.toml"))
    assert assert_ok(run("config", "path")).stdout == f"{tmp_path / 'team.toml'}\n"


def test_show_defaults(run: Runner, config_file: Path) -> None:
    values = assert_ok(run("config", "show", "--json")).json()
    data = Path(os.environ["XDG_DATA_HOME"]) / "dealterm"
    # what is in effect: the default database, the machine's zone (TZ=Europe/Moscow)
    assert values["db"] == str(data / "dealterm.db")
    assert values["timezone"] == "Europe/Moscow"
    assert values["locale"] == "en_US"  # from LANG=en_US.UTF-8
    assert values["keymap"] == {}
    assert values["problem"] is None
    assert values["config_file"] == str(config_file)
    assert values["default_db"] == str(data / "dealterm.db")
    text = assert_ok(run("config", "show")).stdout
    assert 'locale = "en_US"' in text and f"Settings file: {config_file} (none yet)" in text
    assert f'db = "{data / "dealterm.db"}" # the default' in text
    assert not data.exists()  # showing creates nothing


def test_set_then_show(run: Runner, config_file: Path) -> None:
    for key, value in (
        ("locale", "ru_RU"),
        ("timezone", "Asia/Tokyo"),
        ("base_currency", "EUR"),
        ("user_name", "Anna Petrova"),
        ("keymap.board.move_next", "ctrl+right"),
    ):
        result = assert_ok(run("config", "set", key, value))
        assert result.stdout == f"{key} = {value!r} in {config_file}\n"
    values = assert_ok(run("config", "show", "--json")).json()
    assert (values["locale"], values["timezone"]) == ("ru_RU", "Asia/Tokyo")
    assert (values["base_currency"], values["user_name"]) == ("EUR", "Anna Petrova")
    assert values["keymap"] == {"board.move_next": "ctrl+right"}
    assert values["problem"] is None
    text = assert_ok(run("config", "show")).stdout
    assert 'timezone = "Asia/Tokyo"\n' in text
    assert 'base_currency = "EUR"' in text and '"board.move_next" = "ctrl+right"' in text


def test_set_keeps_comments_and_an_empty_value_removes(run: Runner, config_file: Path) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('# my settings\nlocale = "en_GB"  # British\n', encoding="utf-8")
    assert_ok(run("config", "set", "timezone", "Europe/Berlin"))
    text = config_file.read_text(encoding="utf-8")
    assert "# my settings" in text and "# British" in text
    result = assert_ok(run("config", "set", "locale", ""))
    assert result.stdout == f"removed locale in {config_file}\n"
    values = assert_ok(run("config", "show", "--json")).json()
    assert values["locale"] == "en_US" and values["timezone"] == "Europe/Berlin"


def test_the_db_setting_is_where_commands_go(run: Runner, fresh_db: Path) -> None:
    assert_ok(run("config", "set", "db", str(fresh_db)))
    assert_ok(run("deal", "add", "--title", "Via settings"))
    listed = assert_ok(run("deal", "list", "--json", db=fresh_db)).json()
    assert [d["title"] for d in listed] == ["Via settings"]


def test_the_timezone_setting_changes_displayed_times(run: Runner, seeded_db: Path) -> None:
    assert_ok(run("config", "set", "timezone", "Asia/Tokyo"))
    # the seeded call is due 2026-03-12 11:00 in Moscow = 17:00 in Tokyo
    result = assert_ok(run("activity", "list", db=seeded_db))
    assert "2026-03-12 17:00" in result.stdout


def test_without_any_db_the_default_file_in_the_data_directory_is_used(run: Runner) -> None:
    assert_ok(run("deal", "add", "--title", "Default place"))
    default = Path(os.environ["XDG_DATA_HOME"]) / "dealterm" / "dealterm.db"
    assert default.is_file()
    assert oct(default.stat().st_mode & 0o777) == oct(0o600)  # private to its owner
    titles = [d["title"] for d in assert_ok(run("deal", "list", "--json", db=default)).json()]
    assert titles == ["Default place"]


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("colour", "blue", "unknown setting 'colour'"),
        ("timezone", "Mars/Olympus", "unknown time zone"),
        ("locale", "xx_YY", "unknown locale"),
    ],
)
def test_set_refuses_bad_values(
    run: Runner, config_file: Path, key: str, value: str, fragment: str
) -> None:
    assert_fails(run("config", "set", key, value), 2, fragment)
    assert not config_file.exists()


@pytest.mark.parametrize(
    "args", [("config", "set", "locale"), ("config", "set"), ("config", "show", "--bogus")]
)
def test_usage_errors(run: Runner, args: tuple[str, ...]) -> None:
    assert_fails(run(*args), 2)


MALFORMED = 'locale = "en_US"\ndb = \n'


def warning(result: Result) -> str:
    """The command went on (exit 0) with one warning line on stderr; that line."""
    assert_ok(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("dealterm: warning: "), result.stderr
    return lines[0]


def test_show_reports_a_malformed_file_once_with_file_line_and_problem(
    run: Runner, config_file: Path
) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text(MALFORMED, encoding="utf-8")
    result = run("config", "show")
    line = warning(result)  # as every other command does: not an exit code of its own
    assert line == (
        f"dealterm: warning: {config_file}, line 2, column 6: a value is missing or not "
        'quoted (write key = "text"); using defaults'
    )
    assert line.lower().count("invalid value") == 0  # tomllib's words were said twice
    assert 'locale = "en_US"' in result.stdout  # the defaults still shown


def test_show_and_other_commands_report_a_malformed_file_alike(
    run: Runner, config_file: Path, seeded_db: Path
) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text(MALFORMED, encoding="utf-8")
    shown = run("config", "show", "--json")
    assert "line 2, column 6" in shown.json()["problem"]
    listed = run("deal", "list", "--json", db=seeded_db)
    assert warning(shown) == warning(listed)
    assert warning(run("config", "show")) == warning(listed)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("a = 1\na = 2\n", "line 2, column 6: a setting is given twice; using defaults"),
        ("[keymap]\n[keymap]\n", "line 2, column 8: a table is given twice; using defaults"),
        ("locale = en_US\n", "line 1, column 10: a value is missing or not quoted"),
        ("locale = 'x", 'at the end: expected "\'"; using defaults'),
    ],
)
def test_toml_mistakes_are_one_line_naming_the_place(
    run: Runner, config_file: Path, content: str, fragment: str
) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text(content, encoding="utf-8")
    assert f"{config_file}, {fragment}" in warning(run("config", "show"))


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'locale = 5\ntheme = "dark"\n', "locale must be text; unknown setting theme"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"keymap = 3\n", "[keymap] must be a table"),
    ],
)
def test_show_reports_other_problems(
    run: Runner, config_file: Path, content: bytes, fragment: str
) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_bytes(content)
    assert fragment in warning(run("config", "show"))


def test_set_refuses_to_rewrite_a_malformed_file(run: Runner, config_file: Path) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text(MALFORMED, encoding="utf-8")
    assert_fails(run("config", "set", "locale", "en_GB"), 2, "not valid TOML", "fix or remove")
    assert config_file.read_text(encoding="utf-8") == MALFORMED


def test_other_commands_warn_about_a_malformed_file_and_carry_on(
    run: Runner, config_file: Path, seeded_db: Path
) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text(MALFORMED, encoding="utf-8")
    result = assert_ok(run("deal", "list", "--json", db=seeded_db))
    assert len(result.json()) == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("dealterm: warning: ")
    assert "line 2" in lines[0]


def test_an_unknown_time_zone_in_the_file_falls_back_with_a_warning(
    run: Runner, config_file: Path, seeded_db: Path
) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('timezone = "Mars/Olympus"\n', encoding="utf-8")
    result = assert_ok(run("activity", "list", db=seeded_db))
    assert "2026-03-12 11:00" in result.stdout  # TZ=Europe/Moscow, the local zone
    assert result.stderr.startswith("dealterm: warning: unknown time zone 'Mars/Olympus'")


def test_keymap_accepts_quoted_and_dotted_binding_ids(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dealterm.config import load_settings

    path = tmp_path / "config.toml"
    path.write_text('[keymap]\n"board.won" = "W"\nboard.lost = "X"\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.problem is None
    assert settings.keymap == {"board.won": "W", "board.lost": "X"}
