"""The import from start to end: read, map, convert, plan, check, write, report.

The whole import is one transaction: a failure or a killed process leaves the database as
it was. With bad rows nothing is written unless ``skip_bad`` is set; then the bad rows go
to a rejects file next to the input, with a "reason" column, once the deals are saved.
"""

from __future__ import annotations

import csv
import gc
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from dealterm.core.bulk import outweighs
from dealterm.core.db import Database
from dealterm.core.errors import DealtermError
from dealterm.core.importing.convert import BadCell, Columns, Context, convert_columns
from dealterm.core.importing.created import CREATED_HEADER, created_column, created_moments
from dealterm.core.importing.lookups import (
    Existing,
    Lookups,
    count_origin_ids,
    load_existing,
    load_lookups,
    load_numbered,
)
from dealterm.core.importing.model import (
    PRESETS,
    BadRow,
    ImportOptions,
    ImportPreview,
    ImportReport,
)
from dealterm.core.importing.origins import Origin, origin_for
from dealterm.core.importing.plan import build_plan
from dealterm.core.importing.presets import PRESET_MAP, Preset, recognise
from dealterm.core.importing.reader import CsvFile, read_csv
from dealterm.core.importing.targets import FieldInfo, all_targets, propose_mapping, resolve_mapping
from dealterm.core.importing.values import norm_value, slash_order
from dealterm.core.importing.writer import write_plan
from dealterm.core.models import Deal
from dealterm.core.services import custom_fields

__all__ = ["import_file", "preview_file", "rejects_path_for"]

PREVIEW_ROWS = 20
_REJECTS_STEM = re.compile(r"\.rejects$", re.IGNORECASE)
Progress = Callable[[int, int], None]


def _preset(options: ImportOptions, headers: Sequence[str]) -> tuple[Preset, bool]:
    if options.preset:
        name = options.preset.strip().lower()
        if name not in PRESET_MAP:
            raise DealtermError(
                f"unknown preset {options.preset!r} (presets: {', '.join(PRESETS)})"
            )
        return PRESET_MAP[name], False
    preset, score = recognise(headers)
    return preset, score > 0


def _pipeline(name: str | None, lookups: Lookups) -> int:
    if name is None or not name.strip():
        return lookups.default_pipeline
    text = name.strip()
    if text.isdigit() and int(text) in lookups.pipelines:
        return int(text)
    found = lookups.pipeline_by_name.get(norm_value(text))
    if found is None:
        known = ", ".join(repr(p) for p in lookups.pipelines.values())
        raise DealtermError(f"unknown pipeline {name!r} (known: {known})")
    return found


def rejects_path_for(path: Path) -> Path:
    """Where the bad rows of ``path`` go: ``deals.csv`` -> ``deals.rejects.csv``.

    A rejects file's own bad rows go back to it (``deals.rejects.csv`` stays itself):
    once its good rows are imported, it holds the rows still to fix.
    """
    if _REJECTS_STEM.search(path.stem):
        return path
    return path.with_name(f"{path.stem}.rejects{path.suffix or '.csv'}")


def _reason_column(source: CsvFile) -> int | None:
    """The "reason" column a rejects file ends with (replaced, not repeated), if any."""
    headers = source.raw_headers
    if _REJECTS_STEM.search(source.path.stem) and headers and headers[-1].strip() == "reason":
        return len(headers) - 1
    return None


def _write_rejects(source: CsvFile, bad: Sequence[BadRow]) -> Path:
    """The bad rows, as read, with a "reason" column: written next to the final name."""
    reasons: dict[int, list[str]] = {}
    for item in bad:
        reasons.setdefault(item.row, []).append(
            f"{item.column}: {item.reason}" if item.column else item.reason
        )
    target = rejects_path_for(source.path)
    partial = target.with_name(target.name + ".part")
    old_reason = _reason_column(source)
    try:
        with partial.open("w", encoding=source.encoding, errors="replace", newline="") as handle:
            writer = csv.writer(handle, delimiter=source.delimiter)
            width = len(source.raw_headers) if old_reason is None else old_reason
            writer.writerow([*source.raw_headers[:width], "reason"])
            for row, line in zip(source.rows, source.lines, strict=True):
                if line in reasons:
                    cells = (row + [""] * width)[:width]
                    writer.writerow([*cells, "; ".join(reasons[line])])
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DealtermError(
            f"cannot write the rejects file {target}: {exc.strerror or exc}; nothing was imported"
        ) from None
    return partial


def _fields(session: Session) -> list[FieldInfo]:
    return [FieldInfo(f.code, f.label) for f in custom_fields.list_fields(session)]


def preview_file(db: Database, path: Path, options: ImportOptions) -> ImportPreview:
    """Read a file and propose how its columns map, without importing anything.

    Raises:
        DealtermError: the file cannot be read, an unknown preset, a bad mapping entry.
    """
    source = read_csv(path, encoding=options.encoding, delimiter=options.delimiter)
    preset, recognised = _preset(options, source.headers)
    origin_for(preset, source.path, source.headers, options.origin)  # a bad --origin: now
    with db.session(write=False) as session:
        fields = _fields(session)
        if options.pipeline:
            _pipeline(options.pipeline, load_lookups(session))
    targets = all_targets(fields)
    mapping = resolve_mapping(
        source.headers, propose_mapping(source.headers, preset, fields), options.mapping, targets
    )
    return ImportPreview(
        path=source.path,
        encoding=source.encoding,
        delimiter=source.delimiter,
        preset=preset.name,
        recognised=recognised,
        headers=list(source.headers),
        rows=[list(row) for row in source.rows[:PREVIEW_ROWS]],
        mapping=mapping,
        targets=targets,
        row_count=len(source.rows),
    )


def import_file(
    db: Database, path: Path, options: ImportOptions, progress: Progress | None = None
) -> ImportReport:
    """Import the deals of a CSV or TSV file (see the module docstring).

    Args:
        progress: called with ``(done, total)`` rows from this thread, about every 1000 rows.

    Raises:
        DealtermError: the file cannot be read at all (missing, not CSV, the given encoding
            is wrong, no header, no rows, no title column), an unknown preset or pipeline,
            a bad mapping entry, or the database refused the write (nothing was written).
    """
    # An import makes millions of small objects that live until it ends; the cyclic
    # collector would walk them all again and again (a third of the time at 100k rows).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import(db, path, options, progress)
    finally:
        if collecting:
            gc.enable()


def _outweighs_deals(db: Database, rows: int) -> bool:
    """Whether the load outweighs the deals already there (:func:`~dealterm.core.bulk.outweighs`).

    Only such a load checks foreign keys once, after it, instead of on every row: the
    check at the end reads every table of the database (0.55-0.7 s of a 1,000-row import
    into a 100,000-deal database). It also reads the won clients all at once.
    """
    with db.session(write=False) as session:
        return outweighs(session.connection(), Deal, rows)


def _import(
    db: Database, path: Path, options: ImportOptions, progress: Progress | None
) -> ImportReport:
    source = read_csv(path, encoding=options.encoding, delimiter=options.delimiter)
    preset, _recognised = _preset(options, source.headers)
    if not source.rows:
        raise DealtermError(f"{source.path.name} has a header line but no deals")
    total = len(source.rows)

    def report_progress(done: int) -> None:
        if progress is not None:
            progress(min(done, total), total)

    write = not options.dry_run
    partial: Path | None = None
    origin = origin_for(preset, source.path, source.headers, options.origin)
    notes: list[str] = []
    try:
        outweighing = _outweighs_deals(db, total)
        with db.session(write=write, bulk=write and outweighing) as session:
            lookups = load_lookups(session, total, outweighing=outweighing)
            fields = [FieldInfo(f.code, f.label) for f in lookups.fields]
            targets = all_targets(fields)
            proposed = propose_mapping(source.headers, preset, fields)
            mapping = resolve_mapping(source.headers, proposed, options.mapping, targets)
            if "title" not in mapping.values():
                shown = ", ".join(repr(h) for h in source.headers[:10])
                raise DealtermError(
                    "no column goes to the deal title; map one with --map 'Column=title' "
                    f"(columns: {shown}{', ...' if len(source.headers) > 10 else ''})"
                )
            context = Context(
                preset=preset,
                lookups=lookups,
                clock=db.clock,
                default_pipeline=_pipeline(options.pipeline, lookups),
                user_id=db.user_id,
                date_order=slash_order(preset.date_order, db.locale),
                date_order_source=(
                    f"the order of the locale {db.locale}"
                    if preset.date_order == "locale"
                    else f"the order {preset.label} writes"
                ),
                notes=notes,
            )
            columns, cells = convert_columns(source.headers, source.rows, mapping, context)
            width = len(source.headers)
            # A row of another width is bad whole: its cells may sit under the wrong headers.
            cells += [
                BadCell(
                    index, "", "", f"the row has {count} cells but the header has {width} columns"
                )
                for index, count in sorted({**source.extra, **source.short}.items())
            ]
            cells += _broken_cells(source)
            moments: dict[str, datetime | None] = {}
            if origin.own_ids:
                moments, bad_moments = _moments(source, columns)
                cells += bad_moments
            headers_of: dict[str, str] = {}
            for header, target in mapping.items():
                if target is not None:
                    headers_of.setdefault(target, header)
            plan = build_plan(
                context,
                columns,
                source.lines,
                cells,
                headers_of,
                lambda keys: _existing(session, origin, keys, moments, notes),
                progress=lambda done: report_progress(done // 2),
            )
            go = write and (not plan.bad or options.skip_bad)
            if go and plan.bad:
                partial = _write_rejects(source, plan.bad)
            if go:
                write_plan(
                    session,
                    plan,
                    origin=origin.key,
                    source=f"{source.path.name} ({preset.label})",
                    taken_logins=set(lookups.user_logins),
                    progress=lambda share: report_progress(int(total * (0.5 + share / 2))),
                )
        rejects = None
        if partial is not None:
            rejects = partial.with_name(partial.name.removesuffix(".part"))
            try:
                partial.replace(rejects)
            except OSError as exc:
                raise DealtermError(
                    f"the deals were imported, but the bad rows could not be written to "
                    f"{rejects}: {exc.strerror or exc}"
                ) from None
            partial = None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    report_progress(total)
    return ImportReport(
        path=source.path,
        preset=preset.name,
        dry_run=options.dry_run,
        rows=total,
        created=plan.created,
        updated=plan.updated,
        merged_rows=plan.merged_rows,
        products=plan.products,
        companies_created=len(plan.companies),
        companies_matched=plan.companies_matched,
        contacts_created=len(plan.contacts),
        contacts_matched=plan.contacts_matched,
        bad=plan.bad,
        rejects_path=rejects,
        imported=go,
        users_created=len(plan.users),
        notes=notes,
    )


def _broken_cells(source: CsvFile) -> list[BadCell]:
    """Rows of a UTF-8 file with bytes that are not UTF-8: bad, at the cell that shows it."""
    found = []
    for index, reason in sorted(source.broken.items()):
        row = source.rows[index]
        column = next((i for i, cell in enumerate(row) if "\ufffd" in cell), None)
        if column is None:
            found.append(BadCell(index, "", "", reason))
        else:
            found.append(BadCell(index, source.headers[column], row[column], reason))
    return found


def _moments(source: CsvFile, columns: Columns) -> tuple[dict[str, datetime | None], list[BadCell]]:
    """Our export's Created moment of each ID, and the Created cells that are no moment."""
    index = created_column(source.headers)
    ids = columns.get("external_id")
    if index is None or ids is None:
        return {}, []
    values = [row[index] for row in source.rows]
    moments, bad = created_moments(values, ids)
    header = source.headers[index]
    return moments, [BadCell(row, header, values[row], reason) for row, reason in bad]


def _existing(
    session: Session,
    origin: Origin,
    keys: list[str],
    moments: dict[str, datetime | None],
    notes: list[str],
) -> dict[str, Existing]:
    """The deals the file's keys name (see ``importing.origins``), noting what to know.

    Deals this file's source made come first; then, for our own export with a Created
    column, the deals of this database whose numbers the other keys are and that were
    created at the key's moment (a deal this file made when its number was not here is
    found as the file's, never by a number it now shares).
    """
    found = load_existing(session, origin.key, keys)
    if origin.own_ids:
        taken = {item.id for item in found.values()}
        numbered, other = load_numbered(
            session, {key: moments.get(key) for key in keys if key not in found}
        )
        found.update((key, item) for key, item in numbered.items() if item.id not in taken)
        notes.append(
            "the file is a dealterm export: a row whose ID is the number of a deal of this "
            f"database and whose {CREATED_HEADER} is that deal's creation moment updates "
            "that deal; the other rows are new deals"
        )
        if other:
            notes.append(_other_moment_note(other))
    elif origin.undated:
        notes.append(
            f"the file is a dealterm export without a {CREATED_HEADER} column (made before "
            "exports had one), so its IDs were not taken as this database's deal numbers: "
            "its rows are new deals (importing this file again updates them); a fresh "
            "export (dealterm export deals) imports back onto the deals"
        )
    rest = [key for key in keys if key not in found]
    if origin.legacy is not None:
        shared = count_origin_ids(session, origin.legacy, rest)
        if shared:
            name = origin.legacy.removeprefix("file:")
            held = "is held by a deal" if shared == 1 else "are held by deals"
            notes.append(
                f"{_counted(shared, 'ID')} of this file {held} that an older dealterm imported "
                f"from a file called {name!r} (in some folder); as that may be another file, "
                "they are left alone and these rows are new deals "
                f"(--origin {origin.legacy} would update them instead)"
            )
    return found


def _other_moment_note(count: int) -> str:
    """What the report says of IDs that are numbers of deals created at other moments."""
    if count == 1:
        ids = "1 ID of this file is the number of a deal of this database created at another "
        which = f"moment (or its rows give no {CREATED_HEADER}), so it is another deal"
        rows = "its rows are a new deal"
    else:
        ids = f"{count:,} IDs of this file are numbers of deals of this database created at "
        which = f"other moments (or their rows give no {CREATED_HEADER}), so they are other deals"
        rows = "their rows are new deals"
    return f"{ids}{which} (the file comes from another database?): {rows}"


def _counted(count: int, noun: str) -> str:
    """ "1 deal", "3 deals"."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
