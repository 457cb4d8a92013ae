"""The root Typer app: global options and the sub-command tree."""

from __future__ import annotations

from importlib import import_module
from typing import Annotated

import typer

from dealterm.cli.common import State, fail, resolve_target
from dealterm.cli.pipes import quiet_when_reader_goes

__all__ = ["COMMANDS", "build_app"]

# Each command of the root: (module under dealterm.cli, attribute). A Typer attribute is a
# group of sub-commands, a function is a command.
COMMANDS: dict[str, tuple[str, str]] = {
    "deal": ("deal", "app"),
    "activity": ("activity", "app"),
    "comment": ("comment", "app"),
    "config": ("config_cmd", "app"),
    "pipeline": ("setup_cmds", "pipeline_app"),
    "stage": ("setup_cmds", "stage_app"),
    "field": ("setup_cmds", "field_app"),
    "layout": ("layout_cmds", "layout_app"),
    "directory": ("directory_cmds", "directory_app"),
    "product": ("directory_cmds", "product_app"),
    "import": ("import_cmd", "import_app"),
    "export": ("export_cmd", "export_app"),
    "recurring": ("recurring_cmds", "recurring_app"),
    "scenario": ("scenario_cmds", "scenario_app"),
    "suggest": ("scenario_cmds", "suggest_app"),
    "demo": ("demo", "demo"),
}


def _version(value: bool) -> None:
    if value:
        from dealterm import __version__

        typer.echo(f"dealterm {__version__}")
        raise typer.Exit(0)


def build_app(only: str | None = None) -> typer.Typer:
    """The command tree: every command, or with ``only`` just that one under the root.

    Building the whole tree imports every command module and has Typer inspect every
    signature (about 80 ms); ``dealterm deal list`` needs only the ``deal`` group.
    """
    app = typer.Typer(
        name="dealterm",
        help="A keyboard-first terminal CRM for deals. Run without a command to open the app.",
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback(invoke_without_command=True)
    def root(
        ctx: typer.Context,
        db: Annotated[
            str | None,
            typer.Option(
                "--db",
                envvar="DEALTERM_DB",
                help="SQLite file or SQLAlchemy URL (postgresql+psycopg://user@host/db).",
                show_default=False,
            ),
        ] = None,
        demo_: Annotated[
            bool,
            typer.Option(
                "--demo",
                help="Use the demo database in the user data directory (created and filled "
                "the first time).",
            ),
        ] = False,
        version: Annotated[
            bool,
            typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
        ] = False,
    ) -> None:
        ctx.obj = State(db=db, demo=demo_)
        if ctx.invoked_subcommand is not None:
            # The command runs inside the root context: a reader of its output that goes
            # away (`| head -1`) ends it quietly with 0, whichever way it writes.
            ctx.with_resource(quiet_when_reader_goes())
            return
        from dealterm.config import load_settings

        settings = load_settings()
        target = resolve_target(ctx.obj, None, settings)
        from dealterm.tui import run_tui

        code = run_tui(target, demo=demo_ and not db, settings=settings)
        if code:
            fail("the app stopped with an error", code=code)

    for name, (module, attribute) in COMMANDS.items():
        if only is not None and name != only:
            continue
        found = getattr(import_module(f"dealterm.cli.{module}"), attribute)
        if isinstance(found, typer.Typer):
            app.add_typer(found, name=name)
        else:
            app.command(name)(found)
    return app
