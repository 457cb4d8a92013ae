"""What the importer takes and gives back: options, a preview, bad rows and the report.

These are the types the CLI and the TUI wizard are written against (the import contract).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "PRESETS",
    "BadRow",
    "ImportOptions",
    "ImportPreview",
    "ImportReport",
    "Target",
]

PRESETS: tuple[str, ...] = ("generic", "bitrix24", "amocrm", "pipedrive", "hubspot")


@dataclass(frozen=True)
class Target:
    """A field a column can be mapped to.

    Attributes:
        key: "title", "amount", "company", "contact_email", "product", "external_id",
            "cf:UF_CRM_X" for a custom field, ...
        label: what people read: "Title", "Contract number (custom)", ...
    """

    key: str
    label: str


@dataclass(frozen=True)
class ImportOptions:
    """How to read and import a file.

    Attributes:
        preset: one of :data:`PRESETS`; None recognises it from the headers.
        mapping: column header -> target key, or None to leave the column out; overrides
            what the preset proposes.
        encoding: a Python codec name; None detects it.
        delimiter: one character (``,`` ``;`` tab); None detects it.
        pipeline: name or id; deals without a pipeline column go here (the default
            pipeline otherwise).
        skip_bad: import the good rows and write the bad ones to a rejects file.
        dry_run: check everything and report what would happen; write nothing.
        origin: the name of the source the file's IDs belong to: files imported with
            the same name update each other's deals. None: the CRM the preset names, else
            the file itself (its folder and name); see ``importing.origins``.
    """

    preset: str | None = None
    mapping: Mapping[str, str | None] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    pipeline: str | None = None
    skip_bad: bool = False
    dry_run: bool = False
    origin: str | None = None


@dataclass(frozen=True)
class ImportPreview:
    """What the wizard shows before importing."""

    path: Path
    encoding: str
    delimiter: str
    preset: str
    recognised: bool
    headers: list[str]
    rows: list[list[str]]
    mapping: dict[str, str | None]
    targets: list[Target]
    row_count: int


@dataclass(frozen=True)
class BadRow:
    """One problem with one row.

    Attributes:
        row: 1-based line number where the record starts in the file (the header is 1).
        column: header of the column at fault ("" for the row as a whole).
        value: the value at fault as it is in the file.
        reason: what is wrong, for people.
    """

    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, for a dry run or a refused import, would do).

    ``users_created`` is an addition to the contract: responsible people named in the
    file who were not users yet. ``notes`` are what a user should know about how the file
    was read (the order of slashed dates, IDs of deals from another source, ...), one
    sentence each.
    """

    path: Path
    preset: str
    dry_run: bool
    rows: int
    created: int
    updated: int
    merged_rows: int
    products: int
    companies_created: int
    companies_matched: int
    contacts_created: int
    contacts_matched: int
    bad: list[BadRow]
    rejects_path: Path | None
    imported: bool
    users_created: int = 0
    notes: list[str] = field(default_factory=list)
