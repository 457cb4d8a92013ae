"""Small helpers the import tests share: write a CSV, import it, read what came in."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from dealterm.core.crm import Crm
from dealterm.core.db import Database
from dealterm.core.importing import ImportOptions, ImportReport
from dealterm.core.models import (
    Communication,
    Company,
    Contact,
    Deal,
    DealContact,
    DealProduct,
    HistoryEvent,
    User,
)
from dealterm.core.readmodels import DealDetail

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"


def write_csv(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    """Write ``rows`` (the header first) as a CSV file, quoting where needed."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run_import(db: Database, path: Path, **options: Any) -> ImportReport:
    """Import ``path`` through the Crm facade, as the CLI and the TUI do."""
    return Crm(db).import_deals(path, ImportOptions(**options))


def deals_by_title(db: Database) -> dict[str, DealDetail]:
    """Every deal, read as the deal card reads it, by title."""
    crm = Crm(db)
    with db.session(write=False) as session:
        ids = [i for (i,) in session.execute(select(Deal.id).order_by(Deal.id)).all()]
    return {detail.title: detail for detail in (crm.detail(i) for i in ids)}


def counts(db: Database) -> dict[str, int]:
    """How many rows each table an import writes to holds."""
    with db.session(write=False) as session:
        return {
            model.__name__: session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (
                Deal,
                Company,
                Contact,
                Communication,
                DealContact,
                DealProduct,
                HistoryEvent,
                User,
            )
        }
