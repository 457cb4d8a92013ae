"""Settings and paths: the TOML settings file and where data lives.

Paths come from platformdirs *functions*, evaluated when asked, never at import time,
so tests and users can point ``XDG_*`` or ``DEALTERM_*`` variables elsewhere.

The settings file (``dealterm config path`` prints where) looks like::

    db = "~/crm/team.db"           # or "postgresql+psycopg://user@host/crm"
    locale = "ru_RU"
    timezone = "Europe/Moscow"
    base_currency = "RUB"          # used when a new database is set up
    user_name = "Anna Petrova"     # your display name in a new database
    default_pipeline = "Sales"     # the pipeline the board opens on
    date_format = "dd.mm.yyyy"     # iso, dd.mm.yyyy, dd/mm/yyyy, mm/dd/yyyy or locale
    number_format = "1 234,56"     # locale, "1,234.56", "1.234,56", "1 234.56", "1234.56"...
    first_day_of_week = "monday"   # or locale

    [keymap]
    board.move_next = "ctrl+right"
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tomllib

    from dealterm.core.formatting import Formats

__all__ = [
    "Settings",
    "cache_dir",
    "check_binding_id",
    "check_database_folder",
    "check_locale",
    "choose_database",
    "config_path",
    "data_dir",
    "database_files",
    "database_folder",
    "default_db_path",
    "demo_db_path",
    "detect_locale",
    "load_settings",
    "resolve_database",
    "write_setting",
]

APP_NAME = "dealterm"
KEYS = (
    "db",
    "locale",
    "timezone",
    "base_currency",
    "user_name",
    "default_pipeline",
    "date_format",
    "number_format",
    "first_day_of_week",
)


def data_dir() -> Path:
    """Where databases live by default (``DEALTERM_DATA_DIR`` overrides)."""
    override = os.environ.get("DEALTERM_DATA_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    """Where caches live, safe to delete (``DEALTERM_CACHE_DIR`` overrides)."""
    override = os.environ.get("DEALTERM_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def config_path() -> Path:
    """The settings file (``DEALTERM_CONFIG`` overrides)."""
    override = os.environ.get("DEALTERM_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def default_db_path() -> Path:
    """The database used when neither ``--db`` nor ``DEALTERM_DB`` nor the settings name one."""
    return data_dir() / "dealterm.db"


def demo_db_path() -> Path:
    """The demo database that ``dealterm --demo`` opens."""
    return data_dir() / "demo.db"


def choose_database(db: str | None, *, demo: bool, configured: str | None) -> tuple[str, str]:
    """Which database to open and why: --db, DEALTERM_DB, --demo, the settings file, the default.

    Returns:
        The target (a path or URL) and where it came from: ``"given"`` (--db or
        DEALTERM_DB), ``"demo"``, ``"settings"`` or ``"default"``.
    """
    chosen = db or os.environ.get("DEALTERM_DB") or None
    if chosen:
        return chosen, "given"
    if demo:
        return str(demo_db_path()), "demo"
    if configured:
        return configured, "settings"
    return str(default_db_path()), "default"


def resolve_database(
    db: str | None, *, demo: bool, configured: str | None, check: bool = True
) -> str:
    """Which database to open: --db, DEALTERM_DB, --demo, the settings file, the default.

    Only dealterm's own data directory (the default and the demo database) is created
    when missing. A folder the user named (--db, DEALTERM_DB, the settings file) must
    exist: a typo there should be an error, not a new empty database.

    Args:
        check: refuse a named database whose folder does not exist.

    Raises:
        DatabaseError: with ``check``, the named file's folder does not exist.
    """
    target, origin = choose_database(db, demo=demo, configured=configured)
    if check and origin in ("given", "settings"):
        check_database_folder(target)
    return target


def database_folder(target: str) -> Path | None:
    """The folder an SQLite database file is in; None for a server or an SQLite URI."""
    if "://" not in target:
        return Path(target).expanduser().resolve().parent
    if not target.lower().startswith("sqlite"):
        return None
    from dealterm.core.db.engine import resolve_url, sqlite_file  # an SQLite URL: rare

    file = sqlite_file(resolve_url(target))
    return None if file is None else Path(file).parent


def database_files(target: str) -> list[Path]:
    """An SQLite database's file and the files SQLite keeps beside it (``-wal``, ``-shm``,
    ``-journal``), resolved; empty for a server database or an SQLite URI."""
    if "://" not in target:
        file: str | None = target
    elif target.lower().startswith("sqlite"):
        from dealterm.core.db.engine import resolve_url, sqlite_file

        file = sqlite_file(resolve_url(target))
    else:
        file = None
    if not file:
        return []
    main = Path(file).expanduser().resolve()
    return [main, *(main.with_name(main.name + extra) for extra in ("-wal", "-shm", "-journal"))]


def check_database_folder(target: str) -> None:
    """Refuse an SQLite file in a folder that does not exist (nothing is created).

    Raises:
        DatabaseError: the folder is missing or is not a folder.
    """
    from dealterm.core.errors import DatabaseError

    folder = database_folder(target)
    if folder is None:
        return
    try:
        if folder.is_dir():
            return
        exists = folder.exists()
    except OSError:  # no right to look: opening the file says what is wrong
        return
    if exists:
        raise DatabaseError(f"{folder} is not a folder, so it cannot hold the database")
    raise DatabaseError(f"no folder {folder} for the database (create it first)")


def detect_locale() -> str:
    """The user's locale from the environment (LC_ALL, LC_MESSAGES, LANG), else en_US."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        name = value.split(".")[0].split("@")[0]
        if name and name not in ("C", "POSIX"):
            return name
    return "en_US"


@dataclass
class Settings:
    """What the settings file says, with defaults for what it does not.

    Attributes:
        problem: a one-line description of what was wrong with the file, if anything
            (the app then runs with defaults and shows this).
    """

    db: str | None = None
    locale: str = field(default_factory=detect_locale)
    timezone: str | None = None
    base_currency: str | None = None
    user_name: str | None = None
    default_pipeline: str | None = None
    date_format: str = "iso"
    number_format: str = "locale"
    first_day_of_week: str = "locale"
    keymap: dict[str, str] = field(default_factory=dict)
    problem: str | None = None

    def formats(self) -> Formats:
        """The display preferences, for :func:`dealterm.core.formatting.configure`."""
        from dealterm.core.formatting import Formats

        return Formats(self.date_format, self.number_format, self.first_day_of_week, self.locale)


def check_value(key: str, value: str) -> str:
    """A setting's value as stored, or ValueError with a one-line reason."""
    from dealterm.core import formatting

    if key == "date_format":
        return formatting.check_date_format(value)
    if key == "number_format":
        return formatting.check_number_format(value)
    if key == "first_day_of_week":
        return formatting.check_week_day(value)
    if key == "base_currency" and value and not (len(value) == 3 and value.isalpha()):
        raise ValueError(f"base_currency is a three-letter code like EUR, not {value!r}")
    if key == "locale" and value:
        return check_locale(value)
    return value


def check_locale(value: str) -> str:
    """A locale name Babel knows (``ru-RU`` is taken as ``ru_RU``), else ValueError.

    Most names are a file of Babel's locale data, found without importing Babel (~50 ms
    of every start); only another spelling Babel accepts (``zh_CN``) needs Babel itself.
    """
    import importlib.util

    name = value.strip().replace("-", "_")
    spec = importlib.util.find_spec("babel")
    if name and spec is not None and spec.origin:
        data = Path(spec.origin).parent / "locale-data"
        if name.isidentifier() and (data / f"{name}.dat").is_file():
            return name
    from dealterm.core.formatting import safe_locale

    if name and safe_locale(name) == name:
        return name
    raise ValueError(f"unknown locale {value!r} (use a name like en_US or ru_RU)")


def check_binding_id(binding_id: str) -> str:
    """A key binding id of the app (``board.won``), else ValueError."""
    from dealterm.config_keymap import BINDING_IDS

    if binding_id not in BINDING_IDS:
        raise ValueError(
            f"unknown key binding id {binding_id!r} in [keymap] "
            "(press ? in the app to see each key's id)"
        )
    return binding_id


# tomllib's own words for the usual slips, and what they mean to someone editing settings.
_TOML_PROBLEMS = {
    "Invalid value": 'a value is missing or not quoted (write key = "text")',
    "Cannot overwrite a value": "a setting is given twice",
    "Cannot declare": "a table is given twice",
}
_TOML_WHERE = re.compile(
    r"^(?P<what>.*?) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$"
)


def _toml_problem(target: Path, error: tomllib.TOMLDecodeError) -> str:
    """``FILE, line 2, column 6: a value is missing or not quoted ...`` from tomllib's
    ``Invalid value (at line 2, column 6)``: the file, the place and the problem, once."""
    text = " ".join(str(error).split())
    found = _TOML_WHERE.match(text)
    what = found.group("what") if found else text
    for start, meaning in _TOML_PROBLEMS.items():
        if what.startswith(start):
            what = meaning
            break
    else:
        what = what[:1].lower() + what[1:]
    if found and found.group("line"):
        return f"{target}, line {found.group('line')}, column {found.group('column')}: {what}"
    if found:
        return f"{target}, at the end: {what}"
    return f"{target}: {what}"


def _flatten(table: dict[str, object], prefix: str = "") -> dict[str, object]:
    """``board.won = "W"`` written unquoted is a nested table in TOML; accept both spellings."""
    flat: dict[str, object] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, prefix=f"{name}."))
        else:
            flat[name] = value
    return flat


def _keymap(table: dict[str, object], problems: list[str]) -> dict[str, str]:
    """The ``[keymap]`` entries that remap a known binding to a key; the rest are problems."""
    keymap: dict[str, str] = {}
    for binding_id, key in _flatten(table).items():
        try:
            check_binding_id(binding_id)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if not isinstance(key, str) or not key.strip():
            problems.append(f'[keymap] {binding_id} must be a key such as "W" or "ctrl+w"')
            continue
        keymap[binding_id] = key
    return keymap


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file; a missing file means defaults.

    A malformed file does not stop anything: defaults are used and ``problem``
    names the line at fault.
    """
    target = path or config_path()
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        return Settings(problem=f"cannot read {target}: {exc.strerror}")
    import tomllib  # only with a file to read: its import is ~5 ms of every start

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Settings(problem=f"{target} is not UTF-8 text; using defaults")
    except tomllib.TOMLDecodeError as exc:
        return Settings(problem=f"{_toml_problem(target, exc)}; using defaults")
    settings = Settings()
    problems: list[str] = []
    for key in KEYS:
        if key in data:
            value = data[key]
            if not isinstance(value, str):
                problems.append(f"{key} must be text")
                continue
            try:
                setattr(settings, key, check_value(key, value))
            except ValueError as exc:
                problems.append(str(exc))
    keymap = data.get("keymap", {})
    if isinstance(keymap, dict):
        settings.keymap = _keymap(keymap, problems)
    else:
        problems.append("[keymap] must be a table")
    unknown = sorted(set(data) - {*KEYS, "keymap"})
    if unknown:
        problems.append("unknown setting " + ", ".join(unknown))
    if problems:
        settings.problem = f"{target}: " + "; ".join(problems)
    return settings


def write_setting(key: str, value: str, path: Path | None = None) -> str:
    """Set (or with an empty value, remove) one setting, keeping the file's comments.

    Args:
        key: one of :data:`KEYS`, or ``keymap.<binding id>``.

    Returns:
        A one-line description of what changed.

    Raises:
        DealtermError: an unknown key, a bad value, or a file that cannot be read or written.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    from dealterm.core.errors import DealtermError, ValidationError

    target = path or config_path()
    section, _, name = key.partition(".")
    if section == "keymap" and name:
        pass
    elif key not in KEYS:
        raise ValidationError(
            f"unknown setting {key!r} (known: {', '.join(KEYS)}, keymap.<binding>)"
        )
    if value:
        try:
            if section == "keymap" and name:
                check_binding_id(name)  # removing an unknown one (value '') stays possible
            else:
                value = check_value(key, value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
    if key == "timezone" and value:
        from dealterm.core.clock import resolve_timezone

        try:
            resolve_timezone(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
    if key == "db" and value:
        try:
            check_database_folder(value)
        except DealtermError as exc:
            raise ValidationError(exc.message) from None
    try:
        text = target.read_text(encoding="utf-8") if target.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise DealtermError(f"cannot read {target}: {exc}") from None
    except TOMLKitError as exc:
        raise DealtermError(f"{target} is not valid TOML ({exc}); fix or remove it first") from None
    table = document
    if section == "keymap" and name:
        if "keymap" not in document:
            document["keymap"] = tomlkit.table()
        table = document["keymap"]
        field_name = name
    else:
        field_name = key
    if value == "":
        table.pop(field_name, None)
        message = f"removed {key}"
    else:
        table[field_name] = value
        message = f"{key} = {value!r}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(tomlkit.dumps(document), encoding="utf-8")
    except OSError as exc:
        raise DealtermError(f"cannot write {target}: {exc.strerror}") from None
    return f"{message} in {target}"
