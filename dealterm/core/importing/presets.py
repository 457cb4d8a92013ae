"""What each CRM's deal export looks like: headers, date and number habits, stage names.

Header names are matched after :func:`~dealterm.core.importing.values.norm_header`
(case, spaces and punctuation do not count). Which headers each CRM writes is written
up in the import notes; where no real export could be checked, the most plausible
spelling is listed alongside the known one.
"""

from __future__ import annotations

from collections.abc import Iterable

from dealterm.core.importing.preset_model import (
    FAILURE,
    GLOBAL_STAGES,
    STATUSES,
    SUCCESS,
    Preset,
    header_table,
    norms,
    value_table,
)
from dealterm.core.importing.values import norm_header, norm_value

__all__ = ["FAILURE", "GLOBAL_STAGES", "PRESET_MAP", "SUCCESS", "Preset", "recognise"]

GENERIC = Preset(
    name="generic",
    label="generic CSV",
    origin=None,
    headers=header_table(
        {
            "external_id": ("ID", "external_id", "External ID", "Внешний ID", "ИД"),
            "title": ("title", "Deal title", "Название", "Заголовок", "Название сделки"),
            "amount": ("amount", "Сумма"),
            "currency": ("currency", "Валюта"),
            "pipeline": ("pipeline", "Воронка"),
            "stage": ("stage", "Stage name", "Стадия", "Этап", "Название стадии"),
            "status": ("status", "Статус"),
            "company": ("company", "Компания"),
            "company_email": ("company_email", "Company e-mail", "E-mail компании"),
            "company_phone": ("company_phone", "Company phone", "Телефон компании"),
            "contact": ("contacts", "contact", "Контакты", "Контакт"),
            "contact_email": ("contact_email", "Contact e-mail", "E-mail", "Email", "Почта"),
            "contact_phone": ("contact_phone", "Contact phone", "Phone", "Телефон"),
            "type": ("type", "Тип"),
            "source": ("source", "Источник"),
            "source_description": ("source_description", "Source details", "Об источнике"),
            "responsible": ("responsible", "Ответственный"),
            "begin_date": ("begin_date", "Дата начала"),
            "close_date": ("close_date", "Дата закрытия"),
            "closed": ("closed", "Закрыта"),
            "repeat": ("repeat", "Повторная"),
            "probability": ("probability", "Вероятность"),
            "lost_reason": ("lost_reason", "Причина проигрыша", "Причина провала"),
            "comments": ("comments", "comment", "Комментарии", "Комментарий"),
            "product": ("product", "Товар"),
            "price": ("price", "Цена"),
            "quantity": ("quantity", "qty", "Количество"),
            "discount": ("discount", "Discount, %", "Скидка", "Скидка, %"),
            "tax_rate": ("tax_rate", "Tax rate, %", "Ставка налога", "НДС, %"),
            "measure": ("measure", "unit", "Единица"),
        }
    ),
    signatures=norms(
        ("Stage name", "Begin date", "Repeat", "Lost reason", "Discount, %", "Tax rate, %")
    ),
    date_order="locale",
    stages=value_table({}),
    statuses=STATUSES,
    # our own default pipeline, named in English or Russian databases
    pipelines=frozenset(norm_value(name) for name in ("Sales", "Продажи")),
)

BITRIX24 = Preset(
    name="bitrix24",
    label="Bitrix24",
    origin="bitrix24",
    headers=header_table(
        {
            "external_id": ("ID",),
            "title": ("Название сделки", "Сделка", "Deal name", "Deal"),
            "stage": ("Стадия сделки", "Стадия", "Deal stage", "Stage"),
            "pipeline": ("Направление", "Воронка", "Pipeline", "Category"),
            "amount": ("Сумма", "Сумма сделки", "Income", "Amount", "Opportunity"),
            "currency": ("Валюта", "Currency"),
            "company": ("Компания", "Компания: Название компании", "Company"),
            "contact": ("Контакт", "Контакты", "Contact", "Contacts"),
            "responsible": ("Ответственный", "Responsible person"),
            "begin_date": ("Дата начала", "Start date"),
            "close_date": (
                "Предполагаемая дата закрытия",
                "Дата завершения",
                "Expected close date",
                "Estimated close date",
            ),
            "type": ("Тип", "Тип сделки", "Deal type"),
            "source": ("Источник", "Source"),
            "source_description": (
                "Дополнительно об источнике",
                "Source information",
            ),
            "comments": ("Комментарий", "Комментарии", "Comment"),
            "probability": ("Вероятность", "Probability"),
            "closed": ("Сделка закрыта", "Закрыта", "Closed", "Deal closed"),
            "repeat": ("Повторная сделка", "Repeat deal"),
            "product": ("Товар", "Товары", "Product"),
            "price": ("Цена", "Price"),
            "quantity": ("Количество", "Quantity"),
        }
    ),
    skipped=norms(
        (
            "Доступна для всех",
            "Дата создания",
            "Дата изменения",
            "Кем создана",
            "Кем изменена",
            "Created",
            "Modified",
        )
    ),
    signatures=norms(
        (
            "Стадия сделки",
            "Направление",
            "Предполагаемая дата закрытия",
            "Дополнительно об источнике",
            "Responsible person",
        )
    ),
    codes={
        "ID": "external_id",
        "TITLE": "title",
        "STAGE_ID": "stage",
        "CATEGORY_ID": "pipeline",
        "OPPORTUNITY": "amount",
        "CURRENCY_ID": "currency",
        "COMPANY_ID": "company",
        "CONTACT_ID": "contact",
        "ASSIGNED_BY_ID": "responsible",
        "BEGINDATE": "begin_date",
        "CLOSEDATE": "close_date",
        "TYPE_ID": "type",
        "SOURCE_ID": "source",
        "SOURCE_DESCRIPTION": "source_description",
        "COMMENTS": "comments",
        "PROBABILITY": "probability",
        "CLOSED": "closed",
        "IS_RETURN_CUSTOMER": "repeat",
        "PRODUCT_ID": "product",
        "PRODUCT_PRICE": "price",
        "PRODUCT_QUANTITY": "quantity",
    },
    code_signatures=frozenset(
        (
            "STAGE_ID",
            "CATEGORY_ID",
            "ASSIGNED_BY_ID",
            "OPPORTUNITY",
            "CURRENCY_ID",
            "BEGINDATE",
            "CLOSEDATE",
            "TYPE_ID",
            "SOURCE_ID",
            "COMPANY_ID",
            "CONTACT_ID",
            "PRODUCT_ID",
        )
    ),
    date_order="dmy",
    stages=value_table(
        {
            "NEW": ("новая", "new deal"),
            "PREPARATION": ("подготовка документов", "preparing documents", "preparation"),
            "PREPAYMENT_INVOICE": ("счет на предоплату", "prepayment invoice", "invoice"),
            "EXECUTING": ("в работе", "in progress", "executing"),
            "FINAL_INVOICE": ("финальный счет", "final invoice"),
            "APOLOGY": ("анализ причины провала", "analyze failure", "failure analysis"),
        }
    ),
    statuses=STATUSES,
    pipelines=frozenset(
        norm_value(name) for name in ("0", "Общее", "Общая", "Общий", "General", "Default")
    ),
    unknown_currency_base=True,
)

AMOCRM = Preset(
    name="amocrm",
    label="amoCRM / Kommo",
    origin="amocrm",
    headers=header_table(
        {
            "external_id": ("ID", "ID сделки", "Lead ID"),
            "title": (
                "Название сделки",
                "Название (сделка)",
                "Сделка",
                "Lead title",
                "Lead name",
                "Name (lead)",
            ),
            "amount": ("Бюджет", "Бюджет сделки", "Бюджет руб.", "Бюджет руб. (сделка)", "Budget"),
            "stage": ("Этап сделки", "Статус сделки", "Этап", "Lead status", "Stage", "Status"),
            "pipeline": ("Воронка", "Pipeline"),
            "company": ("Компания", "Название (компания)", "Company", "Company name"),
            "contact": (
                "Основной контакт",
                "Полное имя (контакт)",
                "Контакт",
                "Main contact",
                "Full name (contact)",
                "Contact",
            ),
            "contact_email": (
                "Рабочий email (контакт)",
                "Личный email (контакт)",
                "Другой email (контакт)",
                "Work email (contact)",
                "Personal email (contact)",
            ),
            "contact_phone": (
                "Рабочий телефон (контакт)",
                "Мобильный телефон (контакт)",
                "Рабочий прямой телефон (контакт)",
                "Домашний телефон (контакт)",
                "Другой телефон (контакт)",
                "Work phone (contact)",
                "Mobile phone (contact)",
            ),
            "company_email": ("Рабочий email (компания)", "Work email (company)"),
            "company_phone": ("Рабочий телефон (компания)", "Work phone (company)"),
            "responsible": (
                "Ответственный",
                "Ответственный за сделку",
                "Responsible user",
                "Responsible",
            ),
            "begin_date": (
                "Дата создания",
                "Дата создания (сделка)",
                "Дата создания сделки",
                "Created date",
                "Date created",
            ),
            "close_date": ("Дата закрытия", "Дата закрытия сделки", "Closing date", "Closed at"),
            "comments": ("Примечание", "Примечание к сделке", "Note", "Notes"),
            "lost_reason": ("Причина отказа", "Loss reason"),
        }
    ),
    skipped=norms(("Теги", "Теги сделки", "Тег сделки", "Tags", "Кем создана", "Created by")),
    signatures=norms(
        (
            "Бюджет",
            "Бюджет руб.",
            "Этап сделки",
            "Основной контакт",
            "Рабочий телефон (контакт)",
            "Рабочий email (контакт)",
            "Полное имя (контакт)",
            "Lead title",
            "Lead status",
            "Main contact",
            "Budget",
            "Responsible user",
        )
    ),
    date_order="dmy",
    stages=value_table(
        {
            "NEW": (
                "неразобранное",
                "первичный контакт",
                "новая заявка",
                "incoming leads",
                "initial contact",
            ),
            "PREPARATION": ("переговоры", "negotiation", "discussions"),
            "EXECUTING": ("принимают решение", "decision making"),
            "FINAL_INVOICE": ("согласование договора", "contract discussion"),
            SUCCESS: ("successfully realized", "closed - won", "успешно реализовано"),
            FAILURE: ("closed and not realized", "closed - lost", "закрыто и не реализовано"),
        }
    ),
    statuses=STATUSES
    | value_table(
        {
            "success": ("успешно реализовано", "closed - won", "successfully realized"),
            "failure": ("закрыто и не реализовано", "closed - lost", "closed and not realized"),
        }
    ),
    pipelines=frozenset(norm_value(name) for name in ("Воронка", "Основная воронка", "Pipeline")),
)

PIPEDRIVE = Preset(
    name="pipedrive",
    label="Pipedrive",
    origin="pipedrive",
    headers=header_table(
        {
            "external_id": ("Deal - ID", "Deal - Pipedrive System ID", "ID"),
            "title": ("Deal - Title",),
            "amount": ("Deal - Value",),
            "currency": ("Deal - Currency", "Deal - Currency of value"),
            "stage": ("Deal - Stage", "Deal - Stage (pipeline)"),
            "pipeline": ("Deal - Pipeline",),
            "status": ("Deal - Status",),
            "company": (
                "Deal - Organization",
                "Deal - Organization name",
                "Organization",
                "Organization - Name",
            ),
            "contact": (
                "Deal - Contact person",
                "Contact person",
                "Person - Name",
                "Deal - Person",
            ),
            "contact_email": (
                "Person - Email",
                "Person - Email - Work",
                "Person - Email (Work)",
                "Person - Email - Home",
            ),
            "contact_phone": (
                "Person - Phone",
                "Person - Phone - Work",
                "Person - Phone (Work)",
                "Person - Phone - Mobile",
            ),
            "responsible": ("Deal - Owner", "Deal - Owner name", "Deal - Assigned to user"),
            "begin_date": ("Deal - Deal created", "Deal - Creation date", "Deal - Add time"),
            "close_date": ("Deal - Expected close date",),
            "probability": ("Deal - Probability",),
            "lost_reason": ("Deal - Lost reason",),
        }
    ),
    skipped=norms(
        (
            "Deal - Won time",
            "Deal - Lost time",
            "Deal - Closed on",
            "Deal - Update time",
            "Deal - Label",
            "Deal - Visible to",
            "Deal - Next activity date",
            "Deal - Weighted value",
            "Deal - Product quantity",
            "Deal - Product amount",
        )
    ),
    signatures=norms(
        (
            "Deal - ID",
            "Deal - Title",
            "Deal - Value",
            "Deal - Currency",
            "Deal - Stage",
            "Deal - Pipeline",
            "Deal - Status",
            "Deal - Organization",
            "Deal - Contact person",
            "Deal - Owner",
            "Deal - Expected close date",
        )
    ),
    date_order="mdy",
    stages=value_table(
        {
            "NEW": ("qualified", "lead in"),
            "PREPARATION": ("contact made",),
            "PREPAYMENT_INVOICE": ("demo scheduled", "needs defined"),
            "EXECUTING": ("proposal made",),
            "FINAL_INVOICE": ("negotiations started",),
        }
    ),
    statuses=STATUSES,
    pipelines=frozenset(norm_value(name) for name in ("Pipeline", "Sales pipeline", "Default")),
)

HUBSPOT = Preset(
    name="hubspot",
    label="HubSpot",
    origin="hubspot",
    headers=header_table(
        {
            "external_id": ("Record ID", "Deal ID"),
            "title": ("Deal Name",),
            "amount": ("Amount",),
            "currency": ("Currency", "Deal currency code"),
            "stage": ("Deal Stage",),
            "pipeline": ("Pipeline",),
            "close_date": ("Close Date",),
            "begin_date": ("Create Date",),
            "company": ("Associated Company", "Associated Company (Primary)", "Company name"),
            "contact": ("Associated Contact", "Associated Contacts"),
            "responsible": ("Deal owner", "Deal Owner"),
            "type": ("Deal Type",),
            "comments": ("Deal Description",),
            "probability": ("Deal probability",),
            "lost_reason": ("Closed Lost Reason",),
        }
    ),
    skipped=norms(
        (
            "Associated Company ID",
            "Associated Company IDs",
            "Associated Contact IDs",
            "Last Modified Date",
            "Last Activity Date",
            "Next Activity Date",
            "Forecast amount",
            "Weighted amount",
            "Amount in company currency",
        )
    ),
    codes={
        "hs_object_id": "external_id",
        "dealname": "title",
        "amount": "amount",
        "deal_currency_code": "currency",
        "dealstage": "stage",
        "pipeline": "pipeline",
        "closedate": "close_date",
        "createdate": "begin_date",
        "hubspot_owner_id": "responsible",
        "dealtype": "type",
        "description": "comments",
        "hs_deal_stage_probability": "probability",
        "closed_lost_reason": "lost_reason",
    },
    code_signatures=frozenset(("hs_object_id", "dealname", "dealstage", "hubspot_owner_id")),
    signatures=norms(
        (
            "Record ID",
            "Deal Name",
            "Deal Stage",
            "Deal owner",
            "Associated Company",
            "Associated Contact",
            "Associated Contacts",
            "Create Date",
        )
    ),
    date_order="mdy",
    stages=value_table(
        {
            "NEW": ("appointmentscheduled", "appointment scheduled"),
            "PREPARATION": ("qualifiedtobuy", "qualified to buy"),
            "PREPAYMENT_INVOICE": ("presentationscheduled", "presentation scheduled"),
            "EXECUTING": ("decisionmakerboughtin", "decision maker bought-in"),
            "FINAL_INVOICE": ("contractsent", "contract sent"),
            SUCCESS: ("closedwon", "closed won"),
            FAILURE: ("closedlost", "closed lost"),
        }
    ),
    statuses=STATUSES,
    pipelines=frozenset(norm_value(name) for name in ("Sales Pipeline", "default", "Pipeline")),
    types=value_table(
        {
            "SALE": ("newbusiness", "new business", "existingbusiness", "existing business"),
        }
    ),
    probability_fraction=True,
)

PRESET_MAP: dict[str, Preset] = {
    preset.name: preset for preset in (GENERIC, BITRIX24, AMOCRM, PIPEDRIVE, HUBSPOT)
}


def recognise(headers: Iterable[str]) -> tuple[Preset, int]:
    """The preset whose headers these are, and its score (0: nothing matched).

    Each known header scores 1 and each header only that CRM writes 3 more; the highest
    score wins, and on a tie the earlier preset (generic first).
    """
    raw = [header.strip() for header in headers]
    keys = [norm_header(header) for header in headers]
    best, best_score = GENERIC, 0
    for preset in PRESET_MAP.values():
        score = 0
        for code, key in zip(raw, keys, strict=True):
            if code in preset.codes:
                score += 1 + (3 if code in preset.code_signatures else 0)
            elif key in preset.headers:
                score += 1 + (3 if key in preset.signatures else 0)
        if score > best_score:
            best, best_score = preset, score
    return best, best_score
