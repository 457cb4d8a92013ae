"""Custom fields of deals and the layout of the deal card."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index

from dealterm.core.models._base import AUTOINCREMENT, Field, SQLModel
from dealterm.core.types import UTCDateTime

__all__ = ["CardField", "CardSection", "CustomField", "FieldType", "Visibility"]


class FieldType(StrEnum):
    """What a custom field holds."""

    STRING = "string"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    LIST = "list"
    URL = "url"
    CONTACT = "contact"
    COMPANY = "company"


class Visibility(StrEnum):
    """How a field shows on the deal card."""

    ALWAYS = "always"  # in its section, even when empty
    SHOWN = "shown"  # in its section once it has a value; empty, it waits behind "more fields"
    HIDDEN = "hidden"  # only "on demand" (more fields), even with a value


class CustomField(SQLModel, table=True):
    """A field an administrator added to deals (Bitrix24 user field, ``UF_CRM_*``).

    Values live in ``deals.custom_fields`` under ``code``, always as text (or a list of
    texts for a multiple field), so that filters compare them the same way everywhere.
    """

    __tablename__ = "custom_fields"
    __table_args__ = (
        CheckConstraint(
            "type IN ('string', 'number', 'money', 'date', 'datetime', 'boolean', 'list', 'url',"
            " 'contact', 'company')",
            name="type",
        ),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True)
    label: str = Field(max_length=255)
    type: str = Field(default=FieldType.STRING, max_length=10)
    multiple: bool = False
    required: bool = False
    default: Any | None = Field(default=None, sa_type=JSON)
    options: list[str] = Field(default_factory=list, sa_type=JSON)
    sort: int = 100
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)


class CardSection(SQLModel, table=True):
    """A section of the deal card ("About the deal", "More", ...)."""

    __tablename__ = "card_sections"
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    sort: int = 100


class CardField(SQLModel, table=True):
    """Where a field (built-in key or custom code) sits on the card, and whether it shows."""

    __tablename__ = "card_fields"
    __table_args__ = (
        CheckConstraint("visibility IN ('shown', 'always', 'hidden')", name="visibility"),
        Index("ix_card_fields_section", "section_id", "sort"),
    )

    field: str = Field(primary_key=True, max_length=50)
    section_id: int = Field(foreign_key="card_sections.id", ondelete="CASCADE")
    sort: int = 100
    visibility: str = Field(default=Visibility.SHOWN, max_length=10)
