"""`dealterm export ...`: deals to CSV or JSON, planned activities to iCalendar."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import IO, Annotated

import typer

from dealterm.cli.common import DbOption, fail, open_db, refuse_database_output
from dealterm.cli.filter_options import FilterOptions as F
from dealterm.cli.filter_options import command_filter
from dealterm.cli.words import counted

__all__ = ["export_app"]

export_app = typer.Typer(help="Export deals (CSV, JSON) and planned activities (iCalendar).")

OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="The file to write (it appears only once the export is complete). "
        "Without it, or with -, standard output.",
        show_default=False,
    ),
]


@export_app.callback()
def _group() -> None:
    """Export deals (CSV, JSON) and planned activities (iCalendar)."""


def _choose_encoding(encoding: str | None, bom: bool | None, *, to_file: bool) -> str:
    """The CSV encoding from --encoding and --bom/--no-bom (a contradiction is refused)."""
    from dealterm.core.errors import ValidationError
    from dealterm.core.export import normalize_encoding

    chosen = normalize_encoding(encoding) if encoding is not None else None
    if bom is not None:
        wanted = "utf-8-sig" if bom else "utf-8"
        if chosen is not None and chosen != wanted:
            flag = "--bom" if bom else "--no-bom"
            raise ValidationError(f"{flag} contradicts --encoding {encoding}", field="encoding")
        chosen = wanted
    if chosen is None:
        # Excel needs the BOM to read a UTF-8 file; programs reading a pipe do not want it.
        chosen = "utf-8-sig" if to_file else "utf-8"
    return chosen


def _check_folder(output: str | None) -> None:
    """Refuse a file in a folder that does not exist, before anything is read or written
    (no folder is created: a mistyped path should not become a new folder)."""
    if output in (None, "-"):
        return
    from pathlib import Path

    assert output is not None
    folder = Path(output).expanduser().resolve().parent
    if folder.is_dir():
        return
    if folder.exists():
        fail(f"{folder} is not a folder, so it cannot hold {Path(output).name}")
    fail(f"no folder {folder} for {Path(output).name} (create it first)")


def _to_stdout(write: Callable[[IO[bytes]], int], *, spool: bool) -> int:
    """Run ``write`` on standard output.

    With ``spool`` the output goes to a temporary file first and is copied out only when
    it is complete, so an export refused half-way (a value the encoding cannot hold)
    prints nothing. A reader that goes away (`| head`) ends the command quietly
    (:mod:`dealterm.cli.pipes`), as for every command.
    """
    import shutil
    import tempfile

    sys.stdout.flush()
    out: IO[bytes] = sys.stdout.buffer
    if spool:
        with tempfile.TemporaryFile() as scratch:
            written = write(scratch)
            scratch.seek(0)
            shutil.copyfileobj(scratch, out)
    else:
        written = write(out)
    out.flush()
    return written


_DEALS_HELP = (
    "Export the deals a filter matches (every deal without one), newest first.\n\n"
    "CSV: the deal's columns, one column per custom field, then the product columns "
    "(Product, Price, Quantity, Discount %, Tax rate %, Measure); a deal with several "
    "product rows takes one line per row, repeating the deal's columns. A cell a "
    "spreadsheet would run as a formula gets a leading quote.\n\n"
    "JSON: a list of deals with their contacts, custom fields (by code) and product "
    "rows; amounts are exact decimal strings, dates ISO."
)
_ACTIVITIES_HELP = (
    "Export open (planned) activities as an iCalendar file for a calendar app: yours, or "
    "everyone's with --all.\n\n"
    "Each activity is one event whose UID stays the same between exports, at its time in "
    "your time zone, with the deal, client and amount in the description and its kind "
    "(call, meeting, task, email) as the category."
)


@export_app.command("deals", help=_DEALS_HELP)
def deals(
    ctx: typer.Context,
    format_: Annotated[
        str, typer.Option("--format", "-f", help="csv or json.", metavar="csv|json")
    ] = "csv",
    columns: Annotated[
        list[str] | None,
        typer.Option(
            "--columns",
            "-c",
            help="CSV columns to write, in this order, by key or header, separated by commas "
            "(repeatable), e.g. id,title,amount,product,price. Without a product column "
            "every deal is one line. A wrong name lists the valid ones.",
            show_default=False,
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            "-e",
            help="CSV encoding: utf-8-sig (UTF-8 with a BOM, which Excel needs to read "
            "UTF-8), utf-8 or cp1251 (Windows-1251; a value it cannot hold stops the export "
            "and nothing is written). Default: utf-8-sig for a file given with -o, utf-8 on "
            "standard output. JSON is always UTF-8.",
            metavar="utf-8|utf-8-sig|cp1251",
            show_default=False,
        ),
    ] = None,
    bom: Annotated[
        bool | None,
        typer.Option(
            "--bom/--no-bom",
            help="Same as --encoding utf-8-sig / utf-8.",
            show_default=False,
        ),
    ] = None,
    output: OutputOption = None,
    pipeline: F.Pipeline = None,
    stage: F.Stage = None,
    open_: F.Open = False,
    won: F.Won = False,
    lost: F.Lost = False,
    closed: F.Closed = False,
    search: F.Search = None,
    responsible: F.Responsible = None,
    min_amount: F.MinAmount = None,
    max_amount: F.MaxAmount = None,
    currency: F.Currency = None,
    type_: F.DealType = None,
    source: F.Source = None,
    created_from: F.CreatedFrom = None,
    created_to: F.CreatedTo = None,
    close_from: F.CloseFrom = None,
    close_to: F.CloseTo = None,
    repeat: F.Repeat = None,
    without_activities: F.WithoutActivities = False,
    overdue: F.Overdue = False,
    field: F.CustomField = None,
    preset: F.Preset = None,
    saved: F.Saved = None,
    db: DbOption = None,
) -> None:
    """Export deals to CSV or JSON."""
    from dealterm.core.errors import ValidationError
    from dealterm.core.export import FORMATS, normalize_encoding, write_deals

    kind = format_.strip().lower()
    if kind not in FORMATS:
        raise ValidationError(f"unknown format {format_!r} (use csv or json)", field="format")
    to_file = output not in (None, "-")
    if kind == "json":
        if columns:
            raise ValidationError("--columns applies to CSV only", field="columns")
        if bom or (encoding is not None and normalize_encoding(encoding) != "utf-8"):
            raise ValidationError("JSON is always UTF-8 (without a BOM)", field="encoding")
        chosen = "utf-8"
    else:
        chosen = _choose_encoding(encoding, bom, to_file=to_file)
    _check_folder(output)
    refuse_database_output(ctx, db, output)
    database = open_db(ctx, db)
    with database.session(write=False) as session:
        flt = command_filter(session, locals())

        def write(stream: IO[bytes]) -> int:
            return write_deals(session, stream, flt=flt, fmt=kind, encoding=chosen, columns=columns)

        if to_file:
            from dealterm.core.export import write_atomically

            assert output is not None
            written = write_atomically(output, write)
            typer.echo(f"Exported {counted(written, 'deal')} to {output}", err=True)
        else:
            _to_stdout(write, spool=chosen == "cp1251")


@export_app.command("activities", help=_ACTIVITIES_HELP)
def activities(
    ctx: typer.Context,
    format_: Annotated[
        str, typer.Option("--format", "-f", help="ics (iCalendar).", metavar="ics")
    ] = "ics",
    output: OutputOption = None,
    all_: Annotated[
        bool,
        typer.Option("--all", help="Every user's open activities, not only yours."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Export open activities to iCalendar."""
    from dealterm.core.errors import ValidationError
    from dealterm.core.ical import write_activities_ics

    if format_.strip().lower() not in ("ics", "ical", "icalendar"):
        raise ValidationError(f"unknown format {format_!r} (use ics)", field="format")
    _check_folder(output)
    refuse_database_output(ctx, db, output)
    database = open_db(ctx, db)
    with database.session(write=False) as session:

        def write(stream: IO[bytes]) -> int:
            return write_activities_ics(session, stream, everyone=all_)

        if output not in (None, "-"):
            from dealterm.core.export import write_atomically

            assert output is not None
            written = write_atomically(output, write)
            hint = " (only yours; --all exports everyone's)" if not all_ else ""
            typer.echo(
                f"Exported {counted(written, 'activity', 'activities')} to {output}{hint}",
                err=True,
            )
        else:
            _to_stdout(write, spool=False)
