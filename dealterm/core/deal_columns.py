"""The columns the deal list can show and sort by (plain data, no database imports)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COLUMNS", "CUSTOM_PREFIX", "DEFAULT_COLUMNS", "ListColumn", "custom_column"]

CUSTOM_PREFIX = "cf:"  # a custom field's column is "cf:UF_CRM_CODE"


@dataclass(frozen=True)
class ListColumn:
    """A column the list can show and sort by."""

    key: str
    label: str
    width: int
    align: str = "left"


COLUMNS: dict[str, ListColumn] = {
    column.key: column
    for column in (
        ListColumn("id", "#", 7, "right"),
        ListColumn("title", "Title", 34),
        ListColumn("stage", "Stage", 18),
        ListColumn("amount", "Amount", 14, "right"),
        ListColumn("currency", "Cur", 4),
        ListColumn("client", "Client", 24),
        ListColumn("responsible", "Responsible", 16),
        ListColumn("created", "Created", 10),
        ListColumn("begin", "Begin", 10),
        ListColumn("close", "Close", 10),
        ListColumn("type", "Type", 16),
        ListColumn("source", "Source", 16),
        ListColumn("probability", "Prob.", 5, "right"),
        ListColumn("next_activity", "Next activity", 16),
        ListColumn("repeat", "Repeat", 6),
    )
}
_WIDTHS = {"boolean": 5, "date": 10, "datetime": 16, "number": 12, "money": 16}


def custom_column(code: str, label: str, type: str) -> ListColumn:
    """The list column of a custom field."""
    return ListColumn(
        CUSTOM_PREFIX + code,
        label,
        max(_WIDTHS.get(type, 18), min(len(label), 24)),
        "right" if type in ("number", "money") else "left",
    )


DEFAULT_COLUMNS = (
    "id",
    "title",
    "stage",
    "amount",
    "client",
    "responsible",
    "close",
    "next_activity",
)
