"""Directories and settings: currencies, deal types, sources, lost reasons, products."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Text

from dealterm.core.models._base import AUTOINCREMENT, Field, SQLModel
from dealterm.core.types import Fixed, Money

__all__ = ["Currency", "DealType", "LostReason", "Product", "Setting", "Source"]


class Setting(SQLModel, table=True):
    """A database-wide setting shared by everyone who uses the database (key/value)."""

    __tablename__ = "settings"

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(sa_type=Text)


class Currency(SQLModel, table=True):
    """A currency and its rate: one unit of it is worth ``rate`` units of the base currency."""

    __tablename__ = "currencies"

    code: str = Field(primary_key=True, max_length=3)
    name: str = Field(max_length=100)
    symbol: str = Field(default="", max_length=10)
    rate: Decimal = Field(default=Decimal(1), sa_type=Fixed(8))
    is_base: bool = False
    sort: int = 100
    active: bool = True


class DealType(SQLModel, table=True):
    """A deal type (Bitrix24 DEAL_TYPE): SALE, COMPLEX, GOODS, SERVICES, SERVICE, ..."""

    __tablename__ = "deal_types"

    code: str = Field(primary_key=True, max_length=50)
    name: str = Field(max_length=255)
    name_en: str | None = Field(default=None, max_length=255)
    name_ru: str | None = Field(default=None, max_length=255)
    sort: int = 100
    active: bool = True


class Source(SQLModel, table=True):
    """Where a deal came from (Bitrix24 SOURCE): CALL, EMAIL, WEB, ..."""

    __tablename__ = "sources"

    code: str = Field(primary_key=True, max_length=50)
    name: str = Field(max_length=255)
    name_en: str | None = Field(default=None, max_length=255)
    name_ru: str | None = Field(default=None, max_length=255)
    sort: int = 100
    active: bool = True


class LostReason(SQLModel, table=True):
    """A reason a deal was lost, picked when closing it as lost."""

    __tablename__ = "lost_reasons"
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255, unique=True)
    sort: int = 100
    active: bool = True


class Product(SQLModel, table=True):
    """A catalogue product that product rows can refer to."""

    __tablename__ = "products"
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255, index=True)
    price: Decimal = Field(default=Decimal(0), sa_type=Money())
    currency_code: str = Field(foreign_key="currencies.code", max_length=3)
    measure: str = Field(default="pcs", max_length=20)
    tax_rate: Decimal | None = Field(default=None, sa_type=Fixed(2))
    tax_included: bool = False
    sort: int = 100
    active: bool = True
