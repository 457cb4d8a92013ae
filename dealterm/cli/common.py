"""What every CLI command shares: opening the database, errors, and output.

Nothing here imports Textual; SQLModel and the core are imported inside functions so
that ``dealterm --help`` stays quick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from dealterm.cli.quick import echo_json

if TYPE_CHECKING:
    from datetime import tzinfo

    from dealterm.config import Settings
    from dealterm.core.db import Database

__all__ = [
    "ActivityId",
    "DbOption",
    "DealId",
    "DealIdOfActivity",
    "JsonOption",
    "State",
    "ask",
    "echo_json",
    "fail",
    "must_ask",
    "open_db",
    "settings_of",
    "state_of",
    "time_zone",
]

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLite file or SQLAlchemy URL (postgresql+psycopg://...). Default: DEALTERM_DB, "
        "the settings file, then dealterm.db in the user data directory.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
MAX_ID = 2**31 - 1  # the id columns hold 32-bit numbers on PostgreSQL


def must_fit(kind: str):  # type: ignore[no-untyped-def]
    """A parameter callback: an id no record can have is "not found" (exit 1), not a crash."""

    def check(value: int | None) -> int | None:
        if value is not None and not 1 <= value <= MAX_ID:
            from dealterm.core.errors import NotFoundError

            raise NotFoundError(f"{kind} #{value} not found")
        return value

    return check


DealId = Annotated[
    int, typer.Argument(metavar="ID", help="The deal's number.", callback=must_fit("deal"))
]
ActivityId = Annotated[
    int, typer.Argument(metavar="ID", help="The activity's number.", callback=must_fit("activity"))
]
DealIdOfActivity = Annotated[
    int,
    typer.Argument(metavar="DEAL_ID", help="The deal's number.", callback=must_fit("deal")),
]


@dataclass
class State:
    """Options given before the command (``dealterm --db X deal list``)."""

    db: str | None = None
    demo: bool = False


def state_of(ctx: typer.Context) -> State:
    """The root options, wherever the command sits in the tree."""
    root = ctx.find_root()
    obj = root.obj
    return obj if isinstance(obj, State) else State()


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit with ``code``."""
    typer.echo(f"dealterm: {message}", err=True)
    raise typer.Exit(code)


def must_ask(yes: bool, doing: str) -> bool:
    """Whether to ask before ``doing`` ("deleting"): not with --yes, yes in a terminal.

    Without --yes and without a terminal to ask in (a script, a pipe, cron), the command
    is refused (exit 2) before it touches anything: what would be asked about is never
    done unasked.
    """
    import sys

    if yes:
        return False
    if not sys.stdin.isatty():
        fail(f"{doing} needs --yes when not run in a terminal")
    return True


def ask(question: str, *, refused: str = "not deleted") -> None:
    """Ask ``question`` (default no); a "no" ends the command with ``refused`` and code 1."""
    if not typer.confirm(question, default=False):
        fail(refused, code=1)


def resolve_target(state: State, db: str | None, settings: Settings) -> str:
    """Which database to open: --db, DEALTERM_DB, --demo, the settings file, the default."""
    from dealterm.config import resolve_database

    return resolve_database(db or state.db, demo=state.demo, configured=settings.db)


def settings_of(ctx: typer.Context, db: str | None = None) -> tuple[Settings, str]:
    """The settings (a broken file is reported on stderr, defaults used) and the target.

    Read once per command: a command that tries a quick path first reports a problem once.
    The display formats are set from them here, before any date the command was given is
    read: `--close-from 03/04/2026` means what the user's ``date_format`` says.

    Raises:
        DatabaseError: the database named is in a folder that does not exist.
    """
    from dealterm.config import load_settings
    from dealterm.core.formatting import configure

    key = f"dealterm.settings:{db}"
    if key not in ctx.meta:
        settings = load_settings()
        if settings.problem:
            typer.echo(f"dealterm: warning: {settings.problem}", err=True)
        configure(settings.formats())
        ctx.meta[key] = (settings, resolve_target(state_of(ctx), db, settings))
    found: tuple[Settings, str] = ctx.meta[key]
    return found


def time_zone(settings: Settings) -> tuple[tzinfo, str | None]:
    """The time zone in effect and its name (None: a local zone without one).

    The settings' zone; without one, or with one unknown (reported on stderr), the
    machine's.
    """
    from dealterm.core.clock import resolve_timezone

    try:
        zone, name = resolve_timezone(settings.timezone), settings.timezone
    except ValueError as exc:
        typer.echo(f"dealterm: warning: {exc}; using the local time zone", err=True)
        zone, name = resolve_timezone(None), None
    return zone, getattr(zone, "key", None) or name


def open_db(ctx: typer.Context, db: str | None = None) -> Database:
    """Open the database the options point at, for the acting user.

    A broken settings file is reported on stderr and defaults are used.
    """
    from dealterm.core.clock import SystemClock
    from dealterm.core.db import Database

    settings, target = settings_of(ctx, db)
    zone, _ = time_zone(settings)
    database = Database.open(
        target,
        clock=SystemClock(zone=zone),
        locale=settings.locale,
        user_name=settings.user_name,
        base_currency=settings.base_currency,
    )
    ctx.call_on_close(database.close)
    return database
