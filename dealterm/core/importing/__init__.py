"""Importing deals from CSV and TSV files: our own export and other CRMs' exports.

``Crm.import_preview`` and ``Crm.import_deals`` (and ``dealterm import deals``) call
:func:`preview_file` and :func:`import_file`. The package reads a file (reader), knows
what each CRM writes (presets, targets), converts values (values, convert), knows which
deals a file may update (origins, and our export's Created moments: created), matches
them against the database (lookups), plans the deals and clients (plan) and writes them
in one transaction (writer); engine ties these together.
"""

from __future__ import annotations

from dealterm.core.importing.engine import import_file, preview_file, rejects_path_for
from dealterm.core.importing.model import (
    PRESETS,
    BadRow,
    ImportOptions,
    ImportPreview,
    ImportReport,
    Target,
)

__all__ = [
    "PRESETS",
    "BadRow",
    "ImportOptions",
    "ImportPreview",
    "ImportReport",
    "Target",
    "import_file",
    "preview_file",
    "rejects_path_for",
]
