"""``dealterm config ...``: where the settings file is and what it says."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from dealterm.cli.common import JsonOption, echo, echo_json, state_of, time_zone, warn

app = typer.Typer(help="The settings file.", no_args_is_help=True)


@app.command("path")
def path() -> None:
    """Print where the settings file is (it need not exist)."""
    from dealterm.config import config_path

    echo(str(config_path()))


_SOURCES = {
    "given": "from --db or DEALTERM_DB",
    "demo": "the demo database (--demo)",
    "settings": "from the settings file",
    "default": "the default",
}
_UNSET = {
    "base_currency": "base_currency is not set: a new database takes the locale's currency",
    "user_name": "user_name is not set: a new user is named after the login",
    "default_pipeline": "default_pipeline is not set: the board opens on the default pipeline",
}


def _shown_db(target: str) -> str:
    """The database as used: a file's absolute path, a URL without its password."""
    if "://" not in target:
        return str(Path(target).expanduser().resolve())
    from dealterm.core.db import resolve_url
    from dealterm.core.errors import DealtermError

    try:
        return resolve_url(target).render_as_string(hide_password=True)
    except DealtermError:  # opening it says what is wrong with it
        return target


@app.command("show")
def show(ctx: typer.Context, json_: JsonOption = False) -> None:
    """Print the settings in effect as TOML: the settings file's values, the defaults for
    the rest, and the database and time zone actually used.

    A problem with the file is a warning on stderr (and ``problem`` in the JSON), as
    for every command, which runs with the defaults shown; the exit code is 0."""
    import tomlkit

    from dealterm.config import (
        check_database_folder,
        choose_database,
        config_path,
        data_dir,
        default_db_path,
        load_settings,
    )
    from dealterm.core.errors import DealtermError

    settings = load_settings()
    if settings.problem:  # as every command does: a warning, and the defaults shown in effect
        warn(settings.problem)
    state = state_of(ctx)
    target, source = choose_database(state.db, demo=state.demo, configured=settings.db)
    db = _shown_db(target)
    _, zone_name = time_zone(settings)
    if json_:
        values = asdict(settings) | {"db": db, "timezone": zone_name}
        problem = values.pop("problem")
        values["config_file"] = str(config_path())
        values["data_dir"] = str(data_dir())
        values["default_db"] = str(default_db_path())
        echo_json(values | {"problem": problem})
        return
    path = config_path()
    document = tomlkit.document()
    document.add(
        tomlkit.comment("The settings in effect: the settings file's values, the defaults")
    )
    document.add(
        tomlkit.comment(
            f"for the rest. Settings file: {path}" + ("" if path.is_file() else " (none yet)")
        )
    )
    document.add(tomlkit.comment(f"Data directory: {data_dir()}"))
    document.add(tomlkit.nl())
    item = tomlkit.string(db)
    note = _SOURCES[source]
    if source in ("given", "settings"):
        try:
            check_database_folder(target)
        except DealtermError as exc:
            note += f"; {exc.message}"
    item.comment(note)
    document.add("db", item)
    document.add("locale", settings.locale)
    if zone_name is None:
        document.add(tomlkit.comment("timezone: the machine's local zone (it has no name)"))
    else:
        item = tomlkit.string(zone_name)
        if zone_name != settings.timezone:
            item.comment("the machine's local zone")
        document.add("timezone", item)
    for key in ("base_currency", "user_name", "default_pipeline"):
        value = getattr(settings, key)
        if value:
            document.add(key, value)
        else:
            document.add(tomlkit.comment(_UNSET[key]))
    for key in ("date_format", "number_format", "first_day_of_week"):
        document.add(key, getattr(settings, key))
    if settings.keymap:
        keymap = tomlkit.table()
        for binding_id, key in sorted(settings.keymap.items()):
            keymap.add(binding_id, key)
        document.add(tomlkit.nl())
        document.add("keymap", keymap)
    else:
        document.add(tomlkit.comment("[keymap] remaps no key"))
    echo(tomlkit.dumps(document), nl=False)


@app.command("set")
def set_(
    key: Annotated[
        str,
        typer.Argument(
            help="db, locale, timezone, base_currency, user_name, or keymap.<binding id>."
        ),
    ],
    value: Annotated[str, typer.Argument(help="The new value ('' removes the setting).")],
) -> None:
    """Change one setting in the settings file, keeping the rest of it."""
    from dealterm.config import write_setting

    message = write_setting(key, value)
    echo(message)
