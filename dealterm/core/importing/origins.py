"""Where imported deals come from, so that a re-import finds them and nothing else.

A deal an import creates records its origin and the file's ID for it. A re-import of the
same source finds its deals by that pair and updates them; a file of another source never
does, whatever it is called:

- a file of a known CRM (Bitrix24, amoCRM, Pipedrive, HubSpot) is that CRM: its IDs are
  the CRM's own deal ids;
- any other file is its folder and name (``path:`` and a digest of the absolute path): a
  re-import of the same file updates, a file of the same name elsewhere does not. A
  rejects file (``deals.rejects.csv``) counts as the file it came from (``deals.csv``);
- ``--origin NAME`` names the source, so that several files share their IDs;
- our own export (:func:`is_own_export`) is such a file too, and its IDs are deal numbers
  of the database it came from. A number alone does not say which database that was
  (deal #7 of a laptop's SQLite file is not deal #7 of the team's server), so a row
  updates deal #N of this database only when the file has a Created column and deal #N
  was created at the row's Created moment, to the second (``importing.created``). Its
  other rows are new deals of the file's path key, as for any plain file. An export
  without a Created column (made before it had one) updates no deal by number at all.

Before this, a plain file was keyed by its name alone (``file:deals`` for every
``deals.csv``). Such deals are left alone (they may come from another file of that name):
:func:`origin_for` names that older key so the import can say how many IDs it shares, and
``--origin file:deals`` claims them for a file known to be theirs.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dealterm.core.errors import DealtermError
from dealterm.core.importing.created import created_column
from dealterm.core.importing.presets import PRESET_MAP, Preset
from dealterm.core.importing.values import norm_value

__all__ = ["ORIGIN_MAX", "OWN_EXPORT_HEADERS", "Origin", "is_own_export", "origin_for"]

ORIGIN_MAX = 50  # the deals.origin column
_REJECTS = re.compile(r"\.rejects$", re.IGNORECASE)
_SOURCE = "source:"
_LEGACY = "file:"
_SYSTEMS = {preset.origin for preset in PRESET_MAP.values() if preset.origin}
# Headers our export writes that no other CRM's export does (as the exporter spells them):
# with "ID" and "Title", three of them make a file ours.
OWN_EXPORT_HEADERS = frozenset(
    ("Stage name", "Begin date", "Close date", "Closed", "Repeat", "Lost reason")
)
_OWN_EXPORT_MIN = 3


@dataclass(frozen=True)
class Origin:
    """The source of a file's deals.

    Attributes:
        key: what the deals record as their origin.
        own_ids: the file is our export with a Created column: an ID that is the number
            of a deal of this database created at the row's Created moment names it.
        undated: the file is our export without a Created column: its IDs name no deal
            of this database (the report says why).
        legacy: the key an older dealterm gave this file's deals (its name alone), for a
            file keyed by its path; None otherwise.
    """

    key: str
    own_ids: bool = False
    undated: bool = False
    legacy: str | None = None


def is_own_export(headers: Sequence[str]) -> bool:
    """Whether the headers are those of ``dealterm export deals`` (as it spells them).

    "ID" and "Title" and at least three of :data:`OWN_EXPORT_HEADERS`; other columns (a
    custom field, a "reason" of a rejects file, one the user added) may be there too.
    """
    names = {header.strip() for header in headers}
    return "ID" in names and "Title" in names and len(names & OWN_EXPORT_HEADERS) >= _OWN_EXPORT_MIN


def _source_file(path: Path) -> Path:
    """The file whose deals ``path`` holds: a rejects file counts as its original."""
    stem = _REJECTS.sub("", path.stem)
    return path.with_name(stem + path.suffix) if stem != path.stem else path


def _path_key(path: Path) -> str:
    absolute = os.path.normcase(str(_source_file(path.expanduser().resolve())))
    digest = hashlib.sha256(absolute.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    stem = _source_file(path).stem.casefold()
    return f"path:{digest}:{stem}"[:ORIGIN_MAX]


def _legacy_key(path: Path) -> str:
    """What dealterm before the path keys recorded for a plain file (its name alone)."""
    return f"{_LEGACY}{_REJECTS.sub('', path.stem).casefold()}"[:ORIGIN_MAX]


def _given(name: str) -> Origin:
    text = " ".join(name.split())
    if not text:
        raise DealtermError("--origin needs a name (e.g. --origin shop)")
    lowered = text.casefold()
    if lowered in _SYSTEMS:
        return Origin(lowered)
    if lowered.startswith(_LEGACY):  # deals an older dealterm imported from a file of that name
        if len(lowered) > ORIGIN_MAX:
            raise DealtermError(f"--origin {name!r} is longer than {ORIGIN_MAX} characters")
        return Origin(lowered)
    key = _SOURCE + norm_value(text)
    if len(key) > ORIGIN_MAX:
        raise DealtermError(
            f"--origin {name!r} is too long (at most {ORIGIN_MAX - len(_SOURCE)} characters)"
        )
    return Origin(key)


def origin_for(
    preset: Preset, path: Path, headers: Sequence[str], given: str | None = None
) -> Origin:
    """The origin of the deals of the file at ``path`` (see the module docstring).

    Raises:
        DealtermError: ``given`` is empty or too long.
    """
    if given is not None:
        return _given(given)
    if preset.origin:
        return Origin(preset.origin)
    own = preset.name == "generic" and is_own_export(headers)
    dated = own and created_column(headers) is not None
    return Origin(
        _path_key(path), own_ids=dated, undated=own and not dated, legacy=_legacy_key(path)
    )
