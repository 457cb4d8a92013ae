"""`dealterm import ...`: bring deals in from CSV files and other CRMs' exports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from dealterm.cli.common import DbOption, JsonOption, echo_json, fail, open_db
from dealterm.cli.words import counted

if TYPE_CHECKING:
    from dealterm.core.importing import ImportPreview, ImportReport

__all__ = ["import_app"]

import_app = typer.Typer(help="Import deals from CSV/TSV files and other CRMs' exports.")

_LABELS = {
    "generic": "our own columns (generic)",
    "bitrix24": "Bitrix24",
    "amocrm": "amoCRM / Kommo",
    "pipedrive": "Pipedrive",
    "hubspot": "HubSpot",
}
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
BAD_ROWS_SHOWN = 200


@import_app.callback()
def _group() -> None:
    """Import deals from CSV/TSV files and other CRMs' exports."""


def _parse_map(entries: list[str]) -> dict[str, str | None]:
    """``["Notes=comments", "Tags="]`` -> ``{"Notes": "comments", "Tags": None}``."""
    mapping: dict[str, str | None] = {}
    for entry in entries:
        column, sep, field = entry.rpartition("=")
        if not sep or not column.strip():
            fail(f"--map takes 'Column=field' (field 'none' leaves it out), not {entry!r}")
        mapping[column.strip()] = field.strip() or None
    return mapping


def _summary(report: ImportReport) -> list[str]:
    deals = f"{report.created:,} created, {report.updated:,} updated"
    if report.merged_rows:
        deals += ", " + counted(
            report.merged_rows,
            "row merged into the deal above it",
            "rows merged into the deal above them",
        )
    if report.products:
        deals += f", {counted(report.products, 'product row')}"
    clients = (
        f"Companies: {report.companies_created:,} new, {report.companies_matched:,} found · "
        f"contacts: {report.contacts_created:,} new, {report.contacts_matched:,} found"
    )
    if report.users_created:
        clients += f" · users: {report.users_created:,} new"
    written = "Deals" if report.imported else "Deals (nothing written)"
    return [f"{written}: {deals}", clients]


def _print_bad(report: ImportReport) -> None:
    from rich.markup import escape
    from rich.table import Table

    from dealterm.cli.output import console

    out = console()
    rows = len({bad.row for bad in report.bad})
    out.print(f"[bold]{counted(rows, 'bad row')}[/]:")
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("Row", justify="right", no_wrap=True)
    table.add_column("Column", overflow="fold")
    table.add_column("Value", overflow="fold", max_width=40)
    table.add_column("Reason", overflow="fold")
    for bad in report.bad[:BAD_ROWS_SHOWN]:
        table.add_row(str(bad.row), escape(bad.column), escape(bad.value), escape(bad.reason))
    out.print(table)
    if len(report.bad) > BAD_ROWS_SHOWN:
        out.print(f"... and {len(report.bad) - BAD_ROWS_SHOWN:,} more (--json lists them all)")


def _json(preview: ImportPreview, report: ImportReport) -> dict[str, Any]:
    return {
        "path": str(report.path),
        "preset": report.preset,
        "recognised": preview.recognised,
        "encoding": preview.encoding,
        "delimiter": preview.delimiter,
        "dry_run": report.dry_run,
        "imported": report.imported,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "merged_rows": report.merged_rows,
        "products": report.products,
        "companies_created": report.companies_created,
        "companies_matched": report.companies_matched,
        "contacts_created": report.contacts_created,
        "contacts_matched": report.contacts_matched,
        "users_created": report.users_created,
        "bad": [
            {"row": b.row, "column": b.column, "value": b.value, "reason": b.reason}
            for b in report.bad
        ],
        "rejects_path": str(report.rejects_path) if report.rejects_path else None,
        "notes": list(report.notes),
    }


@import_app.command(
    "deals",
    help="Import deals from a CSV/TSV file: our own export, Bitrix24, amoCRM, Pipedrive, "
    "HubSpot. Deals keep the file's ID: importing the same file again updates them instead "
    "of adding them twice (a file of another folder is another source unless --origin says "
    "otherwise; our own export updates the deals it lists), and rows with the same ID "
    "become one deal with several product rows. Any bad row stops the import (exit 2, every "
    "problem listed) unless --skip-bad is given. The import is one transaction: all or nothing.",
)
def deals(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="A CSV or TSV file.")],
    preset: Annotated[
        str | None,
        typer.Option(
            help="generic, bitrix24, amocrm, pipedrive or hubspot; recognised from the headers "
            "if left out."
        ),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="'Column=field' (e.g. 'Notes=comments', 'Tags=none'); repeatable. Overrides "
            "what the preset proposes.",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="utf-8, utf-8-sig, cp1251, koi8-r, utf-16...; detected if left out."),
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option(help="',', ';' or 'tab'; detected if left out."),
    ] = None,
    pipeline: Annotated[
        str | None,
        typer.Option(help="Pipeline (name or id) for deals the file gives none; the default."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and report; write nothing.")
    ] = False,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad",
            help=(
                "Import the good rows; write the bad ones next to FILE with a reason "
                "(bad.csv → bad.rejects.csv)."
            ),
        ),
    ] = False,
    origin: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="The source the file's IDs belong to: files imported with the same NAME "
            "update each other's deals. Without it, a CRM's export is that CRM and any "
            "other file is itself (its folder and name).",
        ),
    ] = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Import deals from a CSV/TSV file (see the help above)."""
    from dealterm.core.crm import Crm
    from dealterm.core.importing import ImportOptions

    mapping = _parse_map(map_ or [])
    if skip_bad and not dry_run:
        from pathlib import Path

        from dealterm.cli.common import refuse_database_output
        from dealterm.core.importing.engine import rejects_path_for

        # The bad rows go to FILE.rejects.csv: never over the database itself.
        refuse_database_output(ctx, db, str(rejects_path_for(Path(file))))
    crm = Crm(open_db(ctx, db))
    options = ImportOptions(
        preset=preset,
        mapping=mapping,
        encoding=encoding,
        delimiter=delimiter,
        pipeline=pipeline,
        skip_bad=skip_bad,
        dry_run=dry_run,
        origin=origin,
    )
    preview = crm.import_preview(file, options)
    report = crm.import_deals(
        file,
        ImportOptions(
            preset=preview.preset,
            mapping=mapping,
            encoding=preview.encoding,
            delimiter=preview.delimiter,
            pipeline=pipeline,
            skip_bad=skip_bad,
            dry_run=dry_run,
            origin=origin,
        ),
    )
    refused = bool(report.bad) and not skip_bad
    if json_:
        echo_json(_json(preview, report))
    else:
        label = _LABELS.get(report.preset, report.preset)
        if preview.recognised:
            how = f"recognised as {label} from the headers"
        elif preset:
            how = f"read as {label}"
        else:
            how = f"no known headers: read as {label}"
        sep = _DELIMITER_NAMES.get(preview.delimiter, repr(preview.delimiter))
        typer.echo(
            f"{preview.path.name}: {counted(report.rows, 'row')}, {preview.encoding}, {sep}; {how}"
        )
        left_out = [h for h, target in preview.mapping.items() if target is None]
        if left_out:
            typer.echo("Left out: " + ", ".join(left_out))
        if report.bad:
            _print_bad(report)
        for line in _summary(report):
            typer.echo(line)
        for note in report.notes:
            typer.echo(f"Note: {note}")
        if dry_run:
            typer.echo("Dry run: nothing was written.")
        elif report.rejects_path is not None:
            typer.echo(f"The bad rows were skipped and written to {report.rejects_path}")
    if refused:
        rows = len({bad.row for bad in report.bad})
        fail(
            f"{counted(rows, 'bad row')} in {preview.path.name}; "
            + (
                "fix them, or use --skip-bad to import the rest"
                if dry_run
                else "nothing was imported (fix them, or use --skip-bad to import the rest)"
            )
        )
