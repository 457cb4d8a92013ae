"""What every CLI command shares: opening the database, errors, and output.

Nothing here imports Textual; SQLModel and the core are imported inside functions so
that ``dealterm --help`` stays quick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, NoReturn, overload

import typer

from dealterm.cli.printable import visible
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
    "cleaned",
    "echo",
    "echo_json",
    "fail",
    "must_ask",
    "open_db",
    "refuse_database_output",
    "settings_of",
    "state_of",
    "time_zone",
    "warn",
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


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """``typer.echo`` for text that holds stored values: control characters are shown
    (``\\x1b``), never sent to the terminal (see :mod:`dealterm.cli.printable`)."""
    typer.echo(visible(message), err=err, nl=nl)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit with ``code``."""
    typer.echo(f"dealterm: {' '.join(visible(message).split())}", err=True)
    raise typer.Exit(code)


@overload
def cleaned(value: str, *, multiline: bool = False) -> str: ...
@overload
def cleaned(value: None, *, multiline: bool = False) -> None: ...
def cleaned(value: str | None, *, multiline: bool = False) -> str | None:
    """Text given on the command line without escape sequences and control characters
    (:func:`dealterm.core.validation.clean_text`), for values whose service stores text as
    given; titles and names are cleaned by the services themselves."""
    from dealterm.core.validation import clean_text

    return None if value is None else clean_text(value, multiline=multiline)


def warn(message: str) -> None:
    """Print a one-line warning to stderr; the command goes on."""
    typer.echo(f"dealterm: warning: {' '.join(visible(message).split())}", err=True)


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
            warn(settings.problem)
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
        warn(f"{exc}; using the local time zone")
        zone, name = resolve_timezone(None), None
    return zone, getattr(zone, "key", None) or name


def refuse_database_output(ctx: typer.Context, db: str | None, output: str | None) -> None:
    """Refuse to write a file over the database the command uses (``-o x.db``).

    The paths are compared resolved (``./x.db``, a symbolic link, the same file under
    another name), against the database file and the files SQLite keeps beside it
    (``-wal``, ``-shm``, ``-journal``). Standard output (None or ``-``) and a server
    database are never refused. Call it before anything is read or written.
    """
    if output in (None, "-"):
        return
    import os
    from pathlib import Path

    from dealterm.config import database_files

    assert output is not None
    _, target = settings_of(ctx, db)
    files = database_files(target)
    if not files:
        return
    wanted = Path(output).expanduser().resolve()
    main = files[0]
    for path in files:
        same = wanted == path
        if not same and path == main:
            try:
                same = os.path.samefile(wanted, main)  # a hard link, a case-blind disk
            except OSError:  # either does not exist (yet)
                same = False
        if same:
            if path == main:
                fail(f"{output} is the database itself ({main}); choose another file")
            extra = path.name[len(main.name) :]
            fail(f"{output} is the {extra} file of the database {main}; choose another file")


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
