"""``dealterm config ...``: where the settings file is and what it says."""

from __future__ import annotations

from typing import Annotated

import typer

from dealterm.cli.common import JsonOption, echo_json, fail

app = typer.Typer(help="The settings file.", no_args_is_help=True)


@app.command("path")
def path() -> None:
    """Print where the settings file is (it need not exist)."""
    from dealterm.config import config_path

    typer.echo(str(config_path()))


@app.command("show")
def show(json_: JsonOption = False) -> None:
    """Print the settings in effect (the file's values and the defaults)."""
    from dataclasses import asdict

    from dealterm.config import config_path, data_dir, default_db_path, load_settings

    settings = load_settings()
    values = asdict(settings)
    problem = values.pop("problem")
    values["config_file"] = str(config_path())
    values["data_dir"] = str(data_dir())
    values["default_db"] = str(default_db_path())
    if json_:
        echo_json(values | {"problem": problem})
        if problem:
            raise typer.Exit(2)
        return
    for key, value in values.items():
        typer.echo(f"{key} = {value!r}" if key != "keymap" else f"keymap = {value}")
    if problem:
        fail(problem, code=2)


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
    typer.echo(message)
