"""People: the users who sell, and the clients they sell to (companies and contacts)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, Text

from dealterm.core.models._base import AUTOINCREMENT, Field, SQLModel
from dealterm.core.types import UTCDateTime

__all__ = ["Communication", "Company", "Contact", "User", "UserSetting"]


class User(SQLModel, table=True):
    """A person who works deals: responsible, author of changes.

    The first user is created on first run, named after the operating-system login.
    """

    __tablename__ = "users"
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=255)
    email: str | None = Field(default=None, max_length=255)
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)


class Company(SQLModel, table=True):
    """A client organisation."""

    __tablename__ = "companies"
    __table_args__ = (Index("ix_companies_title", "title"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=255)
    address: str | None = Field(default=None, sa_type=Text)
    comments: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Contact(SQLModel, table=True):
    """A client person, optionally working for a company."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_name", "name"),
        Index("ix_contacts_company_id", "company_id"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    post: str | None = Field(default=None, max_length=255)
    company_id: int | None = Field(default=None, foreign_key="companies.id", ondelete="SET NULL")
    birthday: date | None = None
    comments: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Communication(SQLModel, table=True):
    """A phone number or e-mail address of a contact or a company.

    ``value_norm`` (digits only for phones, lower case for e-mails) is what
    duplicates are found by.
    """

    __tablename__ = "communications"
    __table_args__ = (
        CheckConstraint("(contact_id IS NULL) <> (company_id IS NULL)", name="one_owner"),
        CheckConstraint("kind IN ('phone', 'email')", name="kind"),
        Index("ix_communications_lookup", "kind", "value_norm"),
        Index("ix_communications_contact_id", "contact_id"),
        Index("ix_communications_company_id", "company_id"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", ondelete="CASCADE")
    company_id: int | None = Field(default=None, foreign_key="companies.id", ondelete="CASCADE")
    kind: str = Field(max_length=10)
    value: str = Field(max_length=255)
    value_norm: str = Field(max_length=255)


class UserSetting(SQLModel, table=True):
    """A per-user preference stored with the data (for example "skip the next-activity prompt")."""

    __tablename__ = "user_settings"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(sa_type=Text)
