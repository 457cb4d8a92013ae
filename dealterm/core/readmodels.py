"""Read models: what services hand to the TUI and the CLI (never live ORM rows).

They serialize to JSON with ``model_dump(mode="json")``: money as decimal strings
("1500.00"), dates as ISO strings.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from dealterm.core.cards import StageRead  # a dataclass, read before pydantic at start-up

__all__ = [
    "ActivityRead",
    "ContactRef",
    "DealDetail",
    "DealRead",
    "EventRead",
    "ProductRowRead",
    "StageRead",
]


class _Read(BaseModel):
    model_config = ConfigDict(frozen=True)


class ContactRef(_Read):
    """A contact linked to a deal."""

    id: int
    name: str
    primary: bool = False
    phones: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)


class DealRead(_Read):
    """A deal with the names of everything it refers to."""

    id: int
    title: str
    pipeline_id: int
    pipeline: str
    stage_id: int
    stage: str
    stage_name: str
    stage_color: str
    semantics: str
    closed: bool
    amount: Decimal
    currency: str
    tax_value: Decimal
    manual_amount: bool
    probability: int
    own_probability: int | None = None  # set on the deal itself; None follows the stage
    company_id: int | None
    company: str | None
    company_phones: list[str] = Field(default_factory=list)
    company_emails: list[str] = Field(default_factory=list)
    contacts: list[ContactRef] = Field(default_factory=list)
    type: str | None
    type_name: str | None
    source: str | None
    source_name: str | None
    source_description: str | None
    responsible_id: int
    responsible: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    moved_at: datetime
    begin_date: date
    close_date: date
    comments: str | None
    repeat: bool
    lost_reason: str | None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    version: int
    recurring: bool = False

    @field_serializer("amount", "tax_value")
    def _money(self, value: Decimal) -> str:
        return f"{value:.2f}"

    @property
    def client(self) -> str:
        """The company name, else the primary contact's name, else ''."""
        if self.company:
            return self.company
        for contact in self.contacts:
            if contact.primary:
                return contact.name
        return self.contacts[0].name if self.contacts else ""


class ProductRowRead(_Read):
    """A product row with its computed totals."""

    id: int
    product_id: int | None
    name: str
    price: Decimal
    quantity: Decimal
    discount_type: str
    discount_rate: Decimal
    discount_sum: Decimal
    tax_rate: Decimal | None
    tax_included: bool
    measure: str
    sort: int
    unit_price: Decimal  # after discount
    tax: Decimal
    total: Decimal

    @field_serializer("price", "discount_sum", "unit_price", "tax", "total")
    def _money(self, value: Decimal) -> str:
        return f"{value:.2f}"

    @field_serializer("quantity", "discount_rate")
    def _number(self, value: Decimal) -> str:
        return format(value.normalize(), "f")

    @field_serializer("tax_rate")
    def _rate(self, value: Decimal | None) -> str | None:
        return None if value is None else format(value.normalize(), "f")


class ActivityRead(_Read):
    """An activity of a deal."""

    id: int
    deal_id: int
    deal_title: str | None = None
    kind: str
    subject: str
    description: str | None
    deadline: datetime
    completed: bool
    completed_at: datetime | None
    responsible_id: int
    responsible: str
    priority: str
    direction: str | None
    created_at: datetime


class EventRead(_Read):
    """One entry of a deal's timeline."""

    id: int
    deal_id: int
    at: datetime
    author: str | None
    kind: str
    field: str | None
    old_value: str | None
    new_value: str | None
    text: str | None

    @property
    def description(self) -> str:
        """A one-line human description of the event."""
        label = self.field or ""
        if self.kind in ("field_changed", "stage_changed", "pipeline_changed"):
            old = self.old_value if self.old_value not in (None, "") else "—"
            new = self.new_value if self.new_value not in (None, "") else "—"
            what = label.replace("_", " ") if label else self.kind.replace("_", " ")
            return f"{what}: {old} → {new}"
        return self.text or self.kind.replace("_", " ")


class CustomValueRead(_Read):
    """A custom field's value as people read it."""

    code: str
    label: str
    text: str


class DealDetail(DealRead):
    """A deal with its product rows, activities and timeline (the deal card)."""

    custom_display: list[CustomValueRead] = Field(default_factory=list)
    products: list[ProductRowRead] = Field(default_factory=list)
    activities: list[ActivityRead] = Field(default_factory=list)
    history: list[EventRead] = Field(default_factory=list)
