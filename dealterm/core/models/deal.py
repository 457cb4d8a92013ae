"""Deals, the clients they are linked to, and their product rows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Text, false

from dealterm.core.models._base import AUTOINCREMENT, Field, SQLModel
from dealterm.core.types import Fixed, Money, UTCDateTime

__all__ = ["Deal", "DealContact", "DealProduct", "DiscountType"]


class DiscountType(StrEnum):
    """How a product row's discount is given."""

    PERCENT = "percent"
    AMOUNT = "amount"


class Deal(SQLModel, table=True):
    """A deal: an opportunity to sell, moving through the stages of one pipeline.

    ``closed`` is true exactly when the stage's semantics is success or failure.
    ``version`` grows by one on every change and guards against lost updates.
    """

    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount"),
        # Kanban column pages:
        #   WHERE stage_id = ? AND NOT is_recurring ORDER BY moved_at DESC, id DESC
        Index("ix_deals_board", "stage_id", "is_recurring", "moved_at", "id"),
        # "My deals" by stage and close date.
        Index("ix_deals_responsible_stage_close", "responsible_id", "stage_id", "close_date"),
        # The calendar's per-day counts and sums, answered from the index alone.
        Index("ix_deals_close_date", "close_date", "is_recurring", "currency_code", "amount"),
        Index("ix_deals_pipeline_closed", "pipeline_id", "closed"),
        # The board's column headers (count, sum, weighted sum per stage and currency).
        Index(
            "ix_deals_board_summary",
            "pipeline_id",
            "is_recurring",
            "stage_id",
            "currency_code",
            "amount",
            "probability",
        ),
        # The list's count and sum.
        Index("ix_deals_totals", "is_recurring", "currency_code", "amount"),
        Index("ix_deals_company_id", "company_id"),
        Index("ix_deals_created_at", "created_at"),
        Index("ix_deals_origin", "origin", "origin_id"),
        # The activities board: open deals of a pipeline by their nearest open activity,
        # with what its headers add up, answered from the index alone.
        Index(
            "ix_deals_next_activity",
            "pipeline_id",
            "closed",
            "is_recurring",
            "next_deadline",
            "next_incoming",
            "currency_code",
            "amount",
        ),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=255)
    pipeline_id: int = Field(foreign_key="pipelines.id", ondelete="RESTRICT")
    stage_id: int = Field(foreign_key="stages.id", ondelete="RESTRICT")
    type_code: str | None = Field(default=None, foreign_key="deal_types.code", max_length=50)
    source_code: str | None = Field(default=None, foreign_key="sources.code", max_length=50)
    source_description: str | None = Field(default=None, sa_type=Text)
    amount: Decimal = Field(default=Decimal(0), sa_type=Money())
    currency_code: str = Field(foreign_key="currencies.code", max_length=3)
    is_manual_amount: bool = True
    tax_value: Decimal = Field(default=Decimal(0), sa_type=Money())
    probability: int | None = None
    company_id: int | None = Field(default=None, foreign_key="companies.id", ondelete="SET NULL")
    responsible_id: int = Field(foreign_key="users.id", ondelete="RESTRICT")
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: datetime = Field(sa_type=UTCDateTime)
    moved_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    moved_at: datetime = Field(sa_type=UTCDateTime)
    begin_date: date
    close_date: date
    closed: bool = False
    comments: str | None = Field(default=None, sa_type=Text)
    is_repeat: bool = False
    lost_reason_id: int | None = Field(
        default=None, foreign_key="lost_reasons.id", ondelete="SET NULL"
    )
    lost_reason_text: str | None = Field(default=None, sa_type=Text)
    custom_fields: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    version: int = 1
    is_recurring: bool = False
    origin: str | None = Field(default=None, max_length=50)
    origin_id: str | None = Field(default=None, max_length=100)
    # The deadline of the nearest open activity, and whether an open one is incoming. The
    # database keeps both (triggers on activities, migration 0007): never set them here.
    next_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_incoming: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class DealContact(SQLModel, table=True):
    """A contact linked to a deal; one of them is the primary contact."""

    __tablename__ = "deal_contacts"
    __table_args__ = (Index("ix_deal_contacts_contact_id", "contact_id"),)

    deal_id: int = Field(foreign_key="deals.id", primary_key=True, ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contacts.id", primary_key=True, ondelete="CASCADE")
    sort: int = 0
    is_primary: bool = False


class DealProduct(SQLModel, table=True):
    """A product row of a deal.

    ``price`` is the unit price before discount. With ``tax_included`` the price already
    contains the tax; otherwise tax is added on top.
    """

    __tablename__ = "deal_products"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price"),
        CheckConstraint("quantity >= 0", name="quantity"),
        CheckConstraint("discount_type IN ('percent', 'amount')", name="discount_type"),
        Index("ix_deal_products_deal_id", "deal_id", "sort"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deals.id", ondelete="CASCADE")
    product_id: int | None = Field(default=None, foreign_key="products.id", ondelete="SET NULL")
    name: str = Field(max_length=255)
    price: Decimal = Field(default=Decimal(0), sa_type=Money())
    quantity: Decimal = Field(default=Decimal(1), sa_type=Fixed(4))
    discount_type: str = Field(default=DiscountType.PERCENT, max_length=10)
    discount_rate: Decimal = Field(default=Decimal(0), sa_type=Fixed(2))
    discount_sum: Decimal = Field(default=Decimal(0), sa_type=Money())
    tax_rate: Decimal | None = Field(default=None, sa_type=Fixed(2))
    tax_included: bool = False
    measure: str = Field(default="pcs", max_length=20)
    sort: int = 0
