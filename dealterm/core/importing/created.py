"""Our export's Created column: what tells this database's deal #N from another's.

A deal number means something only in the database that gave it: deal #7 of a laptop's
SQLite file is not deal #7 of the team's server. ``dealterm export deals`` writes each
deal's creation moment (``2026-11-29 14:05:33+03:00``: the user's local time with its UTC
offset, to the second), and a row of our export names deal #N of this database only
when deal #N was created at that moment (:func:`same_moment`). The column is read here,
for that and nothing else: it never changes a deal's ``created_at``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from dealterm.core.importing.values import unquote

__all__ = ["CREATED_HEADER", "created_column", "created_moments", "parse_created", "same_moment"]

CREATED_HEADER = "Created"  # as the exporter spells it (``core.export.EXPORT_COLUMNS``)
EXAMPLE = "2026-11-29 14:05:33+03:00"
# What the export writes, and the ISO 8601 spellings of the same thing (T, Z, fractions).
_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
    r"(?P<offset>Z|[+-][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?"
)


def created_column(headers: Sequence[str]) -> int | None:
    """Where the Created column is among the (reader's, stripped) headers, if anywhere."""
    for index, header in enumerate(headers):
        if header.strip() == CREATED_HEADER:
            return index
    return None


def parse_created(text: str) -> datetime:
    """The moment a Created cell holds, as an aware datetime.

    Raises:
        ValueError: the text is not a moment with its UTC offset, for people.
    """
    match = _MOMENT.fullmatch(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not a moment as dealterm's export writes it ({EXAMPLE}); "
            "a spreadsheet may have changed it"
        )
    if match.group("offset") is None:
        raise ValueError(
            f"{text!r} has no UTC offset, so it is not one moment (the export writes {EXAMPLE})"
        )
    try:
        return datetime.fromisoformat(text)
    except ValueError:  # the shape is right, the values are not (month 13, 25:00, ...)
        raise ValueError(f"{text!r} is not a moment (the export writes {EXAMPLE})") from None


def same_moment(stored: datetime, given: datetime) -> bool:
    """Whether two aware moments are the same instant to the second (what the file keeps)."""
    return stored.replace(microsecond=0) == given.replace(microsecond=0)


def _read(raw: str) -> datetime | str | None:
    """A cell's moment, None for an empty cell, or why it is not a moment."""
    text = unquote(raw).strip() if raw[:1] == "'" else raw.strip()
    if not text:
        return None
    try:
        return parse_created(text)
    except ValueError as error:
        return str(error)


def created_moments(
    values: Sequence[str], keys: Sequence[str | None]
) -> tuple[dict[str, datetime | None], list[tuple[int, str]]]:
    """Each ID's creation moment, from the Created cells of its rows, and the bad cells.

    Args:
        values: the Created cell of each record, as read.
        keys: the ID of each record (None for a record without one).

    Returns:
        By ID, the moment its rows give; None when they give none or disagree (then the
        ID names no deal here). And each cell that is not a moment: its record's index
        and the reason.
    """
    moments: dict[str, datetime | None] = {}
    torn: set[str] = set()  # IDs whose rows give two moments: which deal they are is unknown
    bad: list[tuple[int, str]] = []
    read: dict[str, datetime | str | None] = {}  # a deal's product lines repeat its cell
    for index, (raw, key) in enumerate(zip(values, keys, strict=True)):
        if raw in read:
            found = read[raw]
        else:
            found = read[raw] = _read(raw)
        moment = None
        if isinstance(found, str):
            bad.append((index, found))
        else:
            moment = found
        if key is None:
            continue
        known = moments.setdefault(key, None)
        if moment is None or key in torn:
            continue
        if known is None:
            moments[key] = moment
        elif not same_moment(known, moment):
            moments[key] = None
            torn.add(key)
    return moments, bad
