"""Custom fields of deals: define them, and check and normalize the values deals get.

Values are stored as text (a list of texts for a multiple field): numbers and money keep
their exact decimal text, dates are ISO, yes/no is "Y"/"N", links hold the client's id.
Filters therefore compare the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, func, select

from dealterm.core.context import ctx
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.models import (
    CardField,
    CardSection,
    Company,
    Contact,
    Currency,
    CustomField,
    Deal,
    FieldType,
)
from dealterm.core.validation import (
    clean_text,
    parse_amount,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_title,
)

__all__ = [
    "CODE_PATTERN",
    "apply_defaults",
    "as_text",
    "check_required",
    "define_field",
    "delete_field",
    "display_page",
    "display_values",
    "edit_field",
    "get_field",
    "list_fields",
    "normalize_one",
    "normalize_values",
    "refuse_clearing_required",
    "restore_field",
]

CODE_PATTERN = re.compile(r"^UF_CRM_[A-Z0-9_]{1,43}$")
_URL = re.compile(r"^(https?|ftp)://[^\s/$.?#].[^\s]*$", re.IGNORECASE)
_YES = {"y", "yes", "true", "1", "да", "on"}
_NO = {"n", "no", "false", "0", "нет", "off"}


def _code(value: str) -> str:
    code = (value or "").strip().upper()
    if code and not code.startswith("UF_CRM_"):
        code = "UF_CRM_" + code
    if not CODE_PATTERN.match(code):
        raise ValidationError(
            f"a field code looks like UF_CRM_NAME (A-Z, 0-9, _), not {value!r}", field="code"
        )
    return code


def _type(value: str) -> str:
    text = (value or "").strip().lower()
    aliases = {
        "text": "string",
        "str": "string",
        "int": "number",
        "integer": "number",
        "double": "number",
        "bool": "boolean",
        "yes/no": "boolean",
        "enumeration": "list",
        "enum": "list",
        "link": "url",
        "crm_contact": "contact",
        "crm_company": "company",
    }
    text = aliases.get(text, text)
    if text not in {t.value for t in FieldType}:
        raise ValidationError(
            f"unknown field type {value!r} (use {', '.join(t.value for t in FieldType)})",
            field="type",
        )
    return text


def _options(options: list[str]) -> list[str]:
    """A list field's options: one line each (controls removed), trimmed, none empty."""
    cleaned = (clean_text(str(o or ""), multiline=False).strip() for o in options)
    return [o for o in cleaned if o]


def list_fields(session: Session, *, include_hidden: bool = False) -> list[CustomField]:
    """The custom fields in order."""
    query = select(CustomField).order_by(col(CustomField.sort), col(CustomField.id))
    if not include_hidden:
        query = query.where(col(CustomField.active).is_(True))
    return list(session.exec(query).all())


def get_field(session: Session, ref: str | int) -> CustomField:
    """A field by id, code (with or without UF_CRM_) or label.

    Raises:
        NotFoundError: no such field.
    """
    text = str(ref).strip()
    if text.isdigit():
        found = session.get(CustomField, int(text))
        if found is not None:
            return found
    code = text.upper() if text.upper().startswith("UF_CRM_") else "UF_CRM_" + text.upper()
    found = session.exec(select(CustomField).where(CustomField.code == code)).first()
    if found is None:
        found = session.exec(
            select(CustomField).where(func.lower(CustomField.label) == text.lower())
        ).first()
    if found is None:
        raise NotFoundError(f"no custom field {ref!r}")
    return found


def split_money(text: str) -> tuple[str, str]:
    """A money field's text as (amount, currency code or ""): "1 500,50 EUR", "1500.5|EUR",
    "EUR 1500" or a bare amount."""
    parts = text.replace("|", " ").split()
    code = ""
    if parts and re.fullmatch(r"[A-Za-z]{3}", parts[-1]):
        code = parts.pop().upper()
    elif parts and re.fullmatch(r"[A-Za-z]{3}", parts[0]):
        code = parts.pop(0).upper()
    return " ".join(parts), code


def _value(session: Session, field: CustomField, raw: Any) -> str | None:
    """One value of ``field`` as stored text, or None for empty."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    label = field.label
    kind = field.type
    text = clean_text(str(raw)).strip() if not isinstance(raw, bool) else ("Y" if raw else "N")
    if not text:
        return None
    if kind == FieldType.STRING:
        if len(text) > 2000:
            raise ValidationError(f"{label} is limited to 2000 characters", field=field.code)
        return text
    if kind == FieldType.NUMBER:
        return format(parse_decimal(text, field=field.code, label=label).normalize(), "f")
    if kind == FieldType.MONEY:
        amount, code = split_money(text)
        if not amount:  # "abc" reads as a currency code alone: name what was given, not ''
            raise ValidationError(f"{label} must be a number, not {text!r}", field=field.code)
        value = parse_amount(amount, field=field.code, label=label)
        if code and session.get(Currency, code) is None:
            raise ValidationError(f"{label}: unknown currency {code!r}", field=field.code)
        return f"{value} {code}" if code else f"{value}"
    if kind == FieldType.DATE:
        return parse_date(text, field=field.code, label=label).isoformat()
    if kind == FieldType.DATETIME:
        wall = parse_datetime(text, field=field.code, label=label)
        moment = (
            ctx(session).clock.local_to_utc(wall) if wall.tzinfo is None else wall.astimezone(UTC)
        )
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == FieldType.BOOLEAN:
        if text.lower() in _YES:
            return "Y"
        if text.lower() in _NO:
            return "N"
        raise ValidationError(f"{label} is yes or no, not {text!r}", field=field.code)
    if kind == FieldType.LIST:
        for option in field.options:
            if option.lower() == text.lower():
                return option
        raise ValidationError(
            f"{label} must be one of: {', '.join(field.options)} (not {text!r})", field=field.code
        )
    if kind == FieldType.URL:
        if not _URL.match(text):
            raise ValidationError(
                f"{label} must be a web address (https://...), not {text!r}", field=field.code
            )
        return text
    model: Any = Contact if kind == FieldType.CONTACT else Company
    if text.isdigit() and session.get(model, int(text)) is not None:
        return text
    name_column = Contact.name if kind == FieldType.CONTACT else Company.title
    found = session.exec(select(model.id).where(func.lower(name_column) == text.lower())).first()
    if found is None:
        raise ValidationError(f"{label}: no {kind} {text!r}", field=field.code)
    return str(found)


def _parts(field: CustomField, item: Any) -> list[Any]:
    """One typed value of a multiple field as the values it holds: "red,blue" is two, but
    "Red, dark" is one when it is an option of a list field (the options tell, the longest
    first: "red,Red, dark" is red and "Red, dark")."""
    if not isinstance(item, str) or "," not in item:
        return [item]
    parts = item.split(",")
    if field.type != FieldType.LIST:
        return parts
    options = {option.lower() for option in field.options}
    found: list[Any] = []
    start = 0
    while start < len(parts):
        for end in range(len(parts), start, -1):
            joined = ",".join(parts[start:end])
            if end == start + 1 or clean_text(joined).strip().lower() in options:
                found.append(joined)
                start = end
                break
    return found


def normalize_values(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Check values against their fields' definitions; None removes a value.

    A multiple field takes a list of values or one text of values separated by commas;
    for a list field, each item of a list is read that way too, and an item that is an
    option as a whole ("Red, dark") stays one value. Keys naming the same field (code,
    code without UF_CRM_, label) add up their values.

    Raises:
        ValidationError: an unknown field, a value of the wrong kind, several values for a
            single field.
    """
    result: dict[str, Any] = {}
    seen: dict[str, list[Any]] = {}
    for key, raw in values.items():
        try:
            field = get_field(session, key)
        except NotFoundError:
            raise ValidationError(
                f"unknown custom field {key!r} (define it first: dealterm field add)",
                field="custom_fields",
            ) from None
        if raw is None:
            result.setdefault(field.code, None)
            continue
        if not field.active:
            raise ValidationError(
                f"{field.label} is hidden; restore it first (dealterm field restore)",
                field=field.code,
            )
        items = list(raw) if isinstance(raw, list | tuple) else [raw]
        if field.multiple and (
            field.type == FieldType.LIST
            or (isinstance(raw, str) and field.type != FieldType.STRING)
        ):
            items = [part for item in items for part in _parts(field, item)]
        found = [v for v in (_value(session, field, item) for item in items) if v is not None]
        cleaned = seen.setdefault(field.code, [])
        cleaned.extend(v for v in found if v not in cleaned)
        if not cleaned:
            result[field.code] = None
        elif field.multiple:
            result[field.code] = cleaned
        elif len(cleaned) > 1:
            raise ValidationError(f"{field.label} takes one value", field=field.code)
        else:
            result[field.code] = cleaned[0]
    return result


def apply_defaults(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """A new deal's custom values: the given ones, defaults for the rest; required ones checked.

    Raises:
        ValidationError: a required field has neither a value nor a default.
    """
    merged = {code: value for code, value in values.items() if value is not None}
    for field in list_fields(session):
        if field.code not in merged and field.default not in (None, "", []):
            merged[field.code] = normalize_values(session, {field.code: field.default})[field.code]
    check_required(session, merged)
    return merged


def refuse_clearing_required(session: Session, codes: list[str]) -> None:
    """An edit may not empty a required field (deals made before it was required may lack it)."""
    for field in list_fields(session):
        if field.required and field.code in codes:
            raise ValidationError(f"{field.label} is required", field=field.code)


def check_required(session: Session, values: dict[str, Any]) -> None:
    """Refuse values that leave a required field empty."""
    for field in list_fields(session):
        if field.required and values.get(field.code) in (None, "", []):
            raise ValidationError(f"{field.label} is required", field=field.code)


def define_field(
    session: Session,
    code: str,
    label: str,
    *,
    type: str = FieldType.STRING,
    multiple: bool = False,
    required: bool = False,
    default: Any = None,
    options: list[str] | None = None,
    sort: int | None = None,
) -> CustomField:
    """Add a custom field (it appears on the card, in the list, the filters, import and export).

    Raises:
        ValidationError: a bad or taken code, a list without options, a bad default.
    """
    field_code = _code(code)
    if (
        session.exec(select(CustomField.id).where(CustomField.code == field_code)).first()
        is not None
    ):
        raise ValidationError(f"a field {field_code} already exists", field="code")
    name = parse_title(label, field="label", label="Label")
    if not name:
        raise ValidationError("a field needs a label", field="label")
    kind = _type(type)
    choices = _options(options or [])
    if kind == FieldType.LIST and not choices:
        raise ValidationError("a list field needs options", field="options")
    if kind == FieldType.BOOLEAN and multiple:
        raise ValidationError("a yes/no field cannot hold several values", field="multiple")
    field = CustomField(
        code=field_code,
        label=name,
        type=kind,
        multiple=multiple,
        required=required,
        options=choices,
        sort=sort if sort is not None else 100 + len(list_fields(session, include_hidden=True)),
        created_at=ctx(session).clock.utcnow(),
    )
    session.add(field)
    session.flush()
    if default not in (None, ""):
        field.default = normalize_values(session, {field_code: default})[field_code]
        session.add(field)
    section = session.exec(select(CardSection).order_by(col(CardSection.sort).desc())).first()
    if section is not None and section.id is not None:
        session.add(
            CardField(
                field=field_code,
                section_id=section.id,
                sort=1000 + (field.id or 0),
                visibility="always",
            )
        )
    session.flush()
    return field


def edit_field(
    session: Session,
    ref: str | int,
    *,
    label: str | None = None,
    required: bool | None = None,
    default: Any = ...,
    options: list[str] | None = None,
    multiple: bool | None = None,
    sort: int | None = None,
) -> CustomField:
    """Change a field's label, required flag, default, options, multiple flag or order.

    The code and the type never change (deals hold values in that form).
    """
    field = get_field(session, ref)
    if label is not None:
        name = parse_title(label, field="label", label="Label")
        if not name:
            raise ValidationError("a field needs a label", field="label")
        field.label = name
    if options is not None:
        if field.type != FieldType.LIST:
            raise ValidationError("only a list field has options", field="options")
        choices = _options(options)
        if not choices:
            raise ValidationError("a list field needs options", field="options")
        field.options = choices
    if multiple is not None:
        if multiple and field.type == FieldType.BOOLEAN:
            raise ValidationError("a yes/no field cannot hold several values", field="multiple")
        field.multiple = multiple
    if sort is not None:
        field.sort = sort
    if default is not ...:
        field.default = None if default in (None, "") else default
    if field.default not in (None, "", []):
        # options or the multiple flag may have changed: the default must still fit
        try:
            field.default = normalize_values(session, {field.code: field.default})[field.code]
        except ValidationError as error:
            raise ValidationError(
                f"the default no longer fits: {error.message}; change or clear the default",
                field="default",
            ) from None
    if required is not None:
        field.required = required
    session.add(field)
    session.flush()
    return field


def delete_field(session: Session, ref: str | int) -> str:
    """Delete a field, or hide it when deals hold values of it; returns "deleted" or "hidden"."""
    field = get_field(session, ref)
    code = field.code
    from dealterm.core.queries.conditions import custom_value

    used = (
        session.execute(
            select(col(Deal.id)).where(custom_value(session, code).is_not(None)).limit(1)
        ).first()
        is not None
    )
    placement = session.get(CardField, code)
    if used:
        field.active = False
        field.required = False
        session.add(field)
        session.flush()
        return "hidden"
    if placement is not None:
        session.delete(placement)
    session.delete(field)
    session.flush()
    return "deleted"


def restore_field(session: Session, ref: str | int) -> CustomField:
    """Offer a hidden field again (its values were kept)."""
    field = get_field(session, ref)
    field.active = True
    session.add(field)
    session.flush()
    return field


def as_text(value: Any) -> str | None:
    """A stored value as one line (several values joined by ", ")."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _shown(session: Session, field: CustomField, value: str, names: dict[str, str]) -> str:
    from dealterm.core.formatting import format_money, show_date, show_datetime

    locale = ctx(session).locale
    if field.type == FieldType.BOOLEAN:
        return "yes" if value == "Y" else "no"
    if field.type == FieldType.DATE:
        try:
            return show_date(date.fromisoformat(value), locale)
        except ValueError:
            return value
    if field.type == FieldType.DATETIME:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return show_datetime(ctx(session).clock.to_local(moment), locale)
    if field.type == FieldType.MONEY:
        amount, _, currency = value.partition(" ")
        try:
            return format_money(Decimal(amount), currency or "USD", locale) if currency else amount
        except ArithmeticError:
            return value
    if field.type in (FieldType.CONTACT, FieldType.COMPANY):
        return names.get(f"{field.type}:{value}", f"#{value}")
    return value


def _link_names(
    session: Session, fields: list[CustomField], rows: list[dict[str, Any]]
) -> dict[str, str]:
    """Names of the contacts and companies link fields point at ("contact:7" -> name)."""
    wanted: dict[str, set[int]] = {FieldType.CONTACT: set(), FieldType.COMPANY: set()}
    for field in fields:
        if field.type not in wanted:
            continue
        for values in rows:
            raw = values.get(field.code)
            for item in raw if isinstance(raw, list) else [raw]:
                if item is not None and str(item).isdigit():
                    wanted[field.type].add(int(item))
    names: dict[str, str] = {}
    for kind, model, name_column in (
        (FieldType.CONTACT, Contact, col(Contact.name)),
        (FieldType.COMPANY, Company, col(Company.title)),
    ):
        ids = sorted(wanted[kind])
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for key, name in session.execute(
                select(col(model.id), name_column).where(col(model.id).in_(chunk))
            ).all():
                names[f"{kind}:{key}"] = name
    return names


def display_page(session: Session, rows: dict[int, dict[str, Any]]) -> dict[int, dict[str, str]]:
    """For each deal id, ``{code: text}`` of its custom values as people read them."""
    fields = list_fields(session, include_hidden=True)
    names = _link_names(session, fields, list(rows.values()))
    result: dict[int, dict[str, str]] = {}
    for deal_id, values in rows.items():
        shown: dict[str, str] = {}
        for field in fields:
            raw = (values or {}).get(field.code)
            if raw in (None, "", []):
                continue
            items = raw if isinstance(raw, list) else [raw]
            shown[field.code] = ", ".join(_shown(session, field, str(i), names) for i in items)
        result[deal_id] = shown
    return result


def display_values(session: Session, values: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(code, label, text)`` of each value a deal holds, in field order, for people."""
    shown = display_page(session, {0: values})[0]
    return [
        (f.code, f.label, shown[f.code])
        for f in list_fields(session, include_hidden=True)
        if f.code in shown
    ]


def normalize_one(session: Session, ref: str, raw: Any) -> tuple[CustomField, str | None]:
    """A field and one value of it as stored (for filters: "28.11.2026" -> "2026-11-28").

    Raises:
        ValidationError: an unknown field or a value of the wrong kind.
    """
    try:
        field = get_field(session, ref)
    except NotFoundError:
        raise ValidationError(f"unknown custom field {ref!r}", field="custom") from None
    return field, _value(session, field, raw)
