"""The root Typer app: global options and the sub-command tree."""

from __future__ import annotations

from typing import Annotated

import typer

from dealterm.cli import (
    activity,
    comment,
    config_cmd,
    deal,
    demo,
    directory_cmds,
    export_cmd,
    import_cmd,
    layout_cmds,
    recurring_cmds,
    scenario_cmds,
    setup_cmds,
)
from dealterm.cli.common import State, fail, resolve_target

__all__ = ["build_app"]


def _version(value: bool) -> None:
    if value:
        from dealterm import __version__

        typer.echo(f"dealterm {__version__}")
        raise typer.Exit(0)


def build_app() -> typer.Typer:
    """The whole command tree."""
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
            return
        from dealterm.config import load_settings

        settings = load_settings()
        target = resolve_target(ctx.obj, None, settings)
        from dealterm.tui import run_tui

        code = run_tui(target, demo=demo_ and not db, settings=settings)
        if code:
            fail("the app stopped with an error", code=code)

    app.add_typer(deal.app, name="deal")
    app.add_typer(activity.app, name="activity")
    app.add_typer(comment.app, name="comment")
    app.add_typer(config_cmd.app, name="config")
    app.add_typer(setup_cmds.pipeline_app, name="pipeline")
    app.add_typer(setup_cmds.stage_app, name="stage")
    app.add_typer(setup_cmds.field_app, name="field")
    app.add_typer(layout_cmds.layout_app, name="layout")
    app.add_typer(directory_cmds.directory_app, name="directory")
    app.add_typer(directory_cmds.product_app, name="product")
    app.add_typer(import_cmd.import_app, name="import")
    app.add_typer(export_cmd.export_app, name="export")
    app.add_typer(recurring_cmds.recurring_app, name="recurring")
    app.add_typer(scenario_cmds.scenario_app, name="scenario")
    app.add_typer(scenario_cmds.suggest_app, name="suggest")
    app.command("demo")(demo.demo)
    return app
