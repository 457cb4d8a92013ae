"""Deal filters: the conditions every view shares, presets, and how they are saved.

Plain data with no database imports, so the TUI can hold a filter before the ORM is
loaded; :mod:`dealterm.core.queries.conditions` turns one into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from dealterm.core.errors import ValidationError

__all__ = ["PRESETS", "DealFilter", "Status", "parse_custom_condition", "preset"]


class Status(StrEnum):
    """Which deals by outcome."""

    ANY = "any"
    OPEN = "open"
    WON = "won"
    LOST = "lost"
    CLOSED = "closed"


@dataclass(frozen=True)
class DealFilter:
    """Conditions on deals; every condition given must hold. Templates never match.

    Attributes:
        pipeline: pipeline id or name.
        stage: one stage (code, name or id) within ``pipeline`` or the default pipeline.
        status: open, won, lost, closed or any.
        search: words that must all appear in the title, company, contacts or comments.
        responsible: user id, login or name; ``"me"`` is the acting user.
        amount_min / amount_max: the deal amount, in the deal's own currency.
        currency, deal_type, source: codes.
        created_from / created_to, close_from / close_to: inclusive local dates.
        repeat: only repeat deals (True) or only first deals (False).
        without_activities: open deals with nothing planned.
        overdue: open deals with an activity due before today.
        custom: custom field values that must match exactly, as ``(code, value)`` pairs.
        name: how the filter is called (a preset or a saved filter), for the header.
    """

    pipeline: int | str | None = None
    stage: int | str | None = None
    status: Status = Status.ANY
    search: str | None = None
    responsible: int | str | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    currency: str | None = None
    deal_type: str | None = None
    source: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    close_from: date | None = None
    close_to: date | None = None
    repeat: bool | None = None
    without_activities: bool = False
    overdue: bool = False
    custom: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    name: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when the filter lets every deal through."""
        return self.conditions() == DealFilter().conditions()

    def conditions(self) -> dict[str, Any]:
        """The conditions that are set (everything but the name)."""
        empty = DealFilter()
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "name" and getattr(self, f.name) != getattr(empty, f.name)
        }

    def with_search(self, text: str | None) -> DealFilter:
        """The same filter with another search text."""
        return replace(self, search=(text or "").strip() or None)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form (for saved filters)."""
        data = {key: value for key, value in self.conditions().items()}
        for key, value in list(data.items()):
            if isinstance(value, Decimal):
                data[key] = str(value)
            elif isinstance(value, date):
                data[key] = value.isoformat()
            elif isinstance(value, tuple):
                data[key] = [list(pair) for pair in value]
            elif isinstance(value, Status):
                data[key] = value.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, name: str | None = None) -> DealFilter:
        """Read what :meth:`to_json` wrote (unknown keys are ignored)."""
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known or key == "name":
                continue
            if key in ("amount_min", "amount_max") and value is not None:
                value = Decimal(str(value))
            elif key in ("created_from", "created_to", "close_from", "close_to") and value:
                value = date.fromisoformat(value)
            elif key == "status":
                value = Status(value)
            elif key == "custom":
                value = tuple((str(code), str(val)) for code, val in value)
            values[key] = value
        return cls(**values, name=name)

    def describe(self) -> str:
        """A short text for the header: the name, else the conditions."""
        parts: list[str] = []
        if self.name:
            parts.append(self.name)
        else:
            if self.status != Status.ANY:
                parts.append(self.status.value)
            if self.responsible == "me":
                parts.append("mine")
            elif self.responsible:
                parts.append(f"responsible {self.responsible}")
            if self.amount_min is not None:
                parts.append(f"≥ {self.amount_min}")
            if self.amount_max is not None:
                parts.append(f"≤ {self.amount_max}")
            for label, value in (
                ("pipeline", self.pipeline),
                ("currency", self.currency),
                ("type", self.deal_type),
                ("source", self.source),
                ("stage", self.stage),
            ):
                if value:
                    parts.append(f"{label} {value}")
            if self.created_from or self.created_to:
                parts.append(f"created {self.created_from or '…'}–{self.created_to or '…'}")
            if self.close_from or self.close_to:
                parts.append(f"closing {self.close_from or '…'}–{self.close_to or '…'}")
            if self.repeat is not None:
                parts.append("repeat" if self.repeat else "first deals")
            if self.without_activities:
                parts.append("without activities")
            if self.overdue:
                parts.append("overdue")
            parts.extend(f"{code}={value}" for code, value in self.custom)
        if self.search:
            parts.append(f"“{self.search}”")
        return " · ".join(parts)


# Bitrix24's filter presets (Filter\Preset\Deal), plus the activity ones people ask for.
PRESETS: dict[str, DealFilter] = {
    "In progress": DealFilter(status=Status.OPEN, name="In progress"),
    "My deals": DealFilter(status=Status.OPEN, responsible="me", name="My deals"),
    "Won": DealFilter(status=Status.WON, name="Won"),
    "Lost": DealFilter(status=Status.LOST, name="Lost"),
    "Closed": DealFilter(status=Status.CLOSED, name="Closed"),
    "Without activities": DealFilter(without_activities=True, name="Without activities"),
    "Overdue": DealFilter(overdue=True, name="Overdue"),
}


def preset(name: str) -> DealFilter:
    """A preset by name (case-insensitive).

    Raises:
        KeyError: no such preset.
    """
    for key, value in PRESETS.items():
        if key.lower() == name.strip().lower():
            return value
    raise KeyError(name)


def parse_custom_condition(item: str) -> tuple[str, str]:
    """``"budget>=1000"`` -> ("budget", ">=1000"); ``"region=North"`` -> ("region", "North").

    The field is a code (with or without UF_CRM_) or a label; what follows is a value, a
    comparison (>, >=, <, <=), a range ``a..b``, ``*`` (any value) or ``-`` (none).

    Raises:
        ValidationError: no field or no condition.
    """
    text = item.strip()
    cut = min((text.find(sign) for sign in "=<>" if sign in text), default=-1)
    if cut <= 0:
        raise ValidationError(
            f"a field condition is FIELD=VALUE, FIELD>VALUE or FIELD=FROM..TO, not {item!r}",
            field="custom",
        )
    code, condition = text[:cut].strip(), text[cut:].strip()
    if condition.startswith("=") and condition[1:2] not in ("<", ">"):
        condition = condition[1:].strip()
    if not code or not condition:
        raise ValidationError(f"a field condition needs a field and a value, not {item!r}")
    return code, condition
