"""The CRM's tables (SQLModel) and the constants that name their values."""

from __future__ import annotations

from dealterm.core.models.activity import Activity, ActivityDirection, ActivityKind, Priority
from dealterm.core.models.catalog import Currency, DealType, LostReason, Product, Setting, Source
from dealterm.core.models.deal import Deal, DealContact, DealProduct, DiscountType
from dealterm.core.models.fields import CardField, CardSection, CustomField, FieldType, Visibility
from dealterm.core.models.filters import SavedFilter
from dealterm.core.models.history import EventKind, HistoryEvent
from dealterm.core.models.people import Communication, Company, Contact, User, UserSetting
from dealterm.core.models.pipeline import Pipeline, Semantics, Stage
from dealterm.core.models.recurring import (
    LimitKind,
    RecurringRun,
    RecurringTemplate,
    ScheduleMode,
    TimeUnit,
)
from dealterm.core.models.scenarios import RepeatDismissal, Scenario, ScenarioRun

__all__ = [
    "Activity",
    "ActivityDirection",
    "ActivityKind",
    "CardField",
    "CardSection",
    "Communication",
    "Company",
    "Contact",
    "Currency",
    "CustomField",
    "Deal",
    "DealContact",
    "DealProduct",
    "DealType",
    "DiscountType",
    "EventKind",
    "FieldType",
    "HistoryEvent",
    "LimitKind",
    "LostReason",
    "Pipeline",
    "Priority",
    "Product",
    "RecurringRun",
    "RecurringTemplate",
    "RepeatDismissal",
    "SavedFilter",
    "Scenario",
    "ScenarioRun",
    "ScheduleMode",
    "Semantics",
    "Setting",
    "Source",
    "Stage",
    "TimeUnit",
    "User",
    "UserSetting",
    "Visibility",
]
