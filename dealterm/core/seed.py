"""Reference data a new database starts with: Bitrix24's default stages, types, sources.

Runs once per database (marked in ``settings``), so a user who deletes a directory
value does not see it come back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from sqlmodel import Session, select

from dealterm.core.models import (
    CardField,
    CardSection,
    Currency,
    DealType,
    LostReason,
    Pipeline,
    Setting,
    Source,
    Stage,
)

__all__ = [
    "BUILT_IN_FIELDS",
    "CURRENCIES",
    "DEAL_TYPES",
    "DEFAULT_STAGES",
    "SOURCES",
    "StageSpec",
    "bootstrap",
    "default_base_currency",
    "ensure_card_layout",
    "is_bootstrapped",
    "is_russian",
]

BOOTSTRAP_KEY = "bootstrapped"
BASE_CURRENCY_KEY = "base_currency"


class StageSpec(NamedTuple):
    """One stage of the default set."""

    code: str
    sort: int
    name_en: str
    name_ru: str
    color: str
    semantics: str
    probability: int
    rotting_days: int | None
    is_system: bool


DEFAULT_STAGES: tuple[StageSpec, ...] = (
    StageSpec("NEW", 10, "New", "Новая", "#39A8EF", "process", 10, 7, True),
    StageSpec(
        "PREPARATION",
        20,
        "Document preparation",
        "Подготовка документов",
        "#2FC6F6",
        "process",
        20,
        14,
        False,
    ),
    StageSpec(
        "PREPAYMENT_INVOICE",
        30,
        "Prepayment invoice",
        "Счёт на предоплату",
        "#55D0E0",
        "process",
        40,
        14,
        False,
    ),
    StageSpec("EXECUTING", 40, "In progress", "В работе", "#47E4C2", "process", 60, 30, False),
    StageSpec(
        "FINAL_INVOICE", 50, "Final invoice", "Финальный счёт", "#FFA900", "process", 80, 14, False
    ),
    StageSpec(
        "WON", 60, "Deal successful", "Сделка успешна", "#7BD500", "success", 100, None, True
    ),
    StageSpec("LOSE", 70, "Deal failed", "Сделка провалена", "#FF5752", "failure", 0, None, True),
    StageSpec(
        "APOLOGY",
        80,
        "Failure reason analysis",
        "Анализ причины провала",
        "#FF5752",
        "failure",
        0,
        None,
        False,
    ),
)

DEAL_TYPES: tuple[tuple[str, int, str, str], ...] = (
    ("SALE", 10, "Sales", "Продажа"),
    ("COMPLEX", 20, "Integrated sales", "Комплексная продажа"),
    ("GOODS", 30, "Merchandise sales", "Продажа товара"),
    ("SERVICES", 40, "Services", "Продажа услуги"),
    ("SERVICE", 50, "After-sales service", "Сервисное обслуживание"),
)

SOURCES: tuple[tuple[str, int, str, str], ...] = (
    ("CALL", 10, "Call", "Звонок"),
    ("EMAIL", 20, "E-mail", "Электронная почта"),
    ("WEB", 30, "Website", "Веб-сайт"),
    ("ADVERTISING", 40, "Advertising", "Реклама"),
    ("PARTNER", 50, "Existing client", "Существующий клиент"),
    ("RECOMMENDATION", 60, "By recommendation", "По рекомендации"),
    ("TRADE_SHOW", 70, "Trade show", "Выставка"),
    ("WEBFORM", 75, "CRM form", "CRM-форма"),
    ("CALLBACK", 77, "Callback", "Обратный звонок"),
    ("RC_GENERATOR", 78, "Sales generator", "Генератор продаж"),
    ("STORE", 79, "Online store", "Интернет-магазин"),
    ("REPEAT_SALE", 79, "Repeat sales", "Повторные продажи"),
    ("OTHER", 80, "Other", "Другое"),
)

LOST_REASONS_EN = (
    "Price too high",
    "Chose a competitor",
    "No budget",
    "No response from the client",
    "Not a fit for the client's needs",
    "Bad timing",
)
LOST_REASONS_RU = (
    "Слишком дорого",
    "Выбрали конкурента",
    "Нет бюджета",
    "Клиент не отвечает",
    "Не подходит под задачи клиента",
    "Не время",
)

# code, English name, symbol, value of one unit in US dollars (starting rates; users edit them).
CURRENCIES: tuple[tuple[str, str, str, Decimal], ...] = (
    ("USD", "US Dollar", "$", Decimal("1")),
    ("EUR", "Euro", "€", Decimal("1.08")),
    ("RUB", "Russian Ruble", "₽", Decimal("0.011")),
    ("GBP", "British Pound", "£", Decimal("1.27")),
    ("KZT", "Kazakhstani Tenge", "₸", Decimal("0.002")),
    ("BYN", "Belarusian Ruble", "Br", Decimal("0.30")),
    ("CNY", "Chinese Yuan", "¥", Decimal("0.14")),
)


def is_russian(locale: str) -> bool:
    """True for Russian-language locales."""
    return locale.lower().startswith("ru")


def default_base_currency(locale: str) -> str:
    """The base currency for a new database in ``locale``: RUB for Russia, EUR in the euro zone."""
    territory = (
        locale.replace("-", "_").split("_")[1].upper() if "_" in locale.replace("-", "_") else ""
    )
    if territory == "RU" or (is_russian(locale) and not territory):
        return "RUB"
    if territory in {"DE", "FR", "ES", "IT", "NL", "AT", "BE", "FI", "IE", "PT", "GR"}:
        return "EUR"
    if territory == "GB":
        return "GBP"
    if territory == "KZ":
        return "KZT"
    if territory == "BY":
        return "BYN"
    return "USD"


def is_bootstrapped(session: Session) -> bool:
    """True once the reference data has been written."""
    return session.get(Setting, BOOTSTRAP_KEY) is not None


def default_stages(pipeline_id: int, *, locale: str) -> list[Stage]:
    """The Bitrix24 default stage set for a pipeline, named in the user's language."""
    russian = is_russian(locale)
    return [
        Stage(
            pipeline_id=pipeline_id,
            code=spec.code,
            name=spec.name_ru if russian else spec.name_en,
            name_en=spec.name_en,
            name_ru=spec.name_ru,
            sort=spec.sort,
            color=spec.color,
            semantics=spec.semantics,
            probability=spec.probability,
            rotting_days=spec.rotting_days,
            is_system=spec.is_system,
        )
        for spec in DEFAULT_STAGES
    ]


BUILT_IN_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Title"),
    ("amount", "Amount"),
    ("currency", "Currency"),
    ("type", "Type"),
    ("source", "Source"),
    ("source_description", "Source details"),
    ("probability", "Probability"),
    ("begin_date", "Begin date"),
    ("close_date", "Close date"),
    ("responsible", "Responsible"),
    ("comments", "Comments"),
)
TUCKED_AWAY = ("source_description",)  # shown once filled in; the rest always


def ensure_card_layout(session: Session) -> None:
    """Create the default card layout when the database has none."""
    if session.exec(select(CardSection)).first() is not None:
        return
    about = CardSection(name="About the deal", sort=10)
    more = CardSection(name="More", sort=20)
    session.add_all([about, more])
    session.flush()
    assert about.id is not None
    for index, (key, _label) in enumerate(BUILT_IN_FIELDS, start=1):
        session.add(
            CardField(
                field=key,
                section_id=about.id,
                sort=index * 10,
                visibility="shown" if key in TUCKED_AWAY else "always",
            )
        )
    session.flush()


def bootstrap(session: Session, *, locale: str, base_currency: str | None = None) -> None:
    """Write the reference data of a new database (idempotent).

    Args:
        session: an open write session.
        locale: decides the language of names and the default base currency.
        base_currency: overrides the base currency (must be one of :data:`CURRENCIES`).
    """
    if is_bootstrapped(session):
        return
    russian = is_russian(locale)
    base = (base_currency or default_base_currency(locale)).upper()
    known = {code for code, *_ in CURRENCIES}
    if base not in known:
        base = "USD"
    base_usd = next(usd for code, _n, _s, usd in CURRENCIES if code == base)
    for sort, (code, name, symbol, usd) in enumerate(CURRENCIES, start=1):
        rate = (usd / base_usd).quantize(Decimal("0.00000001"))
        session.add(
            Currency(
                code=code,
                name=name,
                symbol=symbol,
                rate=rate,
                is_base=code == base,
                sort=0 if code == base else sort * 10,
            )
        )
    for code, sort, en, ru in DEAL_TYPES:
        session.add(
            DealType(code=code, sort=sort, name=ru if russian else en, name_en=en, name_ru=ru)
        )
    for code, sort, en, ru in SOURCES:
        session.add(
            Source(code=code, sort=sort, name=ru if russian else en, name_en=en, name_ru=ru)
        )
    for sort, reason in enumerate(LOST_REASONS_RU if russian else LOST_REASONS_EN, start=1):
        session.add(LostReason(name=reason, sort=sort * 10))
    if session.exec(select(Pipeline)).first() is None:
        pipeline = Pipeline(name="Продажи" if russian else "Sales", sort=100, is_default=True)
        session.add(pipeline)
        session.flush()
        assert pipeline.id is not None
        session.add_all(default_stages(pipeline.id, locale=locale))
    ensure_card_layout(session)
    session.add(Setting(key=BASE_CURRENCY_KEY, value=base))
    session.add(Setting(key=BOOTSTRAP_KEY, value="1"))
    session.flush()
