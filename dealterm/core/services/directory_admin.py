"""Editing the directories: deal types, sources, lost reasons, currencies and products.

A value that deals already use is hidden, not deleted: it disappears from pickers but the
deals keep it. :func:`remove_entry` says which of the two happened.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, func, select

from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.models import (
    Currency,
    Deal,
    DealProduct,
    DealType,
    LostReason,
    Product,
    Setting,
    Source,
)
from dealterm.core.validation import (
    clean_text,
    parse_amount,
    parse_decimal,
    parse_percent,
    parse_title,
)

__all__ = [
    "KINDS",
    "Entry",
    "add_entry",
    "edit_entry",
    "list_entries",
    "remove_entry",
    "restore_entry",
    "set_base_currency",
]

KINDS = ("type", "source", "lost_reason", "currency", "product")
_CODE = re.compile(r"^[A-Z0-9_]{1,50}$")
_ISO = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Entry:
    """One directory value as the settings screen and the CLI show it."""

    kind: str
    key: str  # code, or id as text
    name: str
    active: bool
    details: dict[str, Any]


def _kind(kind: str) -> str:
    text = kind.strip().lower().replace("-", "_")
    aliases = {
        "types": "type",
        "deal_type": "type",
        "sources": "source",
        "lost_reasons": "lost_reason",
        "reason": "lost_reason",
        "reasons": "lost_reason",
        "currencies": "currency",
        "products": "product",
    }
    text = aliases.get(text, text)
    if text not in KINDS:
        raise ValidationError(
            f"unknown directory {kind!r} (known: {', '.join(KINDS)})", field="kind"
        )
    return text


def _entry(kind: str, row: Any) -> Entry:
    if kind in ("type", "source"):
        return Entry(
            kind,
            row.code,
            row.name,
            row.active,
            {"sort": row.sort, "name_en": row.name_en, "name_ru": row.name_ru},
        )
    if kind == "lost_reason":
        return Entry(kind, str(row.id), row.name, row.active, {"sort": row.sort})
    if kind == "currency":
        return Entry(
            kind,
            row.code,
            row.name,
            row.active,
            {"symbol": row.symbol, "rate": str(row.rate), "base": row.is_base},
        )
    return Entry(
        kind,
        str(row.id),
        row.name,
        row.active,
        {
            "price": str(row.price),
            "currency": row.currency_code,
            "measure": row.measure,
            "tax_rate": None if row.tax_rate is None else str(row.tax_rate),
            "tax_included": row.tax_included,
        },
    )


def _model(kind: str) -> Any:
    return {
        "type": DealType,
        "source": Source,
        "lost_reason": LostReason,
        "currency": Currency,
        "product": Product,
    }[kind]


def list_entries(session: Session, kind: str, *, include_hidden: bool = False) -> list[Entry]:
    """A directory's values in display order (hidden ones too when asked)."""
    kind = _kind(kind)
    model = _model(kind)
    query = select(model)
    if not include_hidden:
        query = query.where(col(model.active).is_(True))
    order = {
        "type": (col(DealType.sort), col(DealType.code)),
        "source": (col(Source.sort), col(Source.code)),
        "lost_reason": (col(LostReason.sort), col(LostReason.id)),
        "currency": (col(Currency.is_base).desc(), col(Currency.sort), col(Currency.code)),
        "product": (col(Product.sort), col(Product.name)),
    }[kind]
    return [_entry(kind, row) for row in session.exec(query.order_by(*order)).all()]


def _get(session: Session, kind: str, key: str | int) -> Any:
    model = _model(kind)
    text = str(key).strip()
    if kind in ("type", "source", "currency"):
        found = session.get(model, text.upper())
        if found is None:
            found = session.exec(
                select(model).where(func.lower(model.name) == text.lower())
            ).first()
    else:
        found = session.get(model, int(text)) if text.isdigit() else None
        if found is None:
            found = session.exec(
                select(model).where(func.lower(model.name) == text.lower())
            ).first()
    if found is None:
        raise NotFoundError(f"no {kind.replace('_', ' ')} {key!r}")
    return found


# Russian letters in Latin (the passport rules, GOST R 52535.1-2006), for codes made from
# names: "Соцсети" -> SOTSSETI. Other scripts without a Latin form get a numbered code.
_LATIN = "a,b,v,g,d,e,e,zh,z,i,i,k,l,m,n,o,p,r,s,t,u,f,kh,ts,ch,sh,shch,ie,y,,e,iu,ia,i,i,ie,g,u"
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў", _LATIN.split(","), strict=True))


def _code_from_name(session: Session, kind: str, name: str) -> str:
    """A free code for a type or source named ``name``: its Latin letters and digits in
    capitals with ``_`` between words ("Trade fair 2026" -> TRADE_FAIR_2026), numbered when
    taken (``_2``), or ``SOURCE_1`` when the name has no letter that can be written so."""
    latin = "".join(_CYRILLIC.get(ch, ch) for ch in name.lower())
    ascii_only = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Z0-9]+", "_", ascii_only.upper()).strip("_")[:44].rstrip("_")
    model = _model(kind)
    candidates = (
        (stem if n == 1 else f"{stem}_{n}") if stem else f"{kind.upper()}_{n}"
        for n in range(1, 10_000)
    )
    for candidate in candidates:
        if session.get(model, candidate) is None:
            return candidate
    raise ValidationError("no free code for this name; give one", field="code")


def _short(value: Any, limit: int) -> str:
    """A currency sign or a unit: one line without controls, trimmed, cut to ``limit``."""
    return clean_text(str(value or ""), multiline=False).strip()[:limit]


def _rate(value: Any) -> Decimal:
    number = parse_decimal(value, field="rate", label="Rate")
    if number <= 0:
        raise ValidationError(f"Rate must be greater than zero ({value})", field="rate")
    return number.quantize(Decimal("0.00000001"))


_EDITABLE = {
    "type": {"name", "sort"},
    "source": {"name", "sort"},
    "lost_reason": {"name", "sort"},
    "currency": {"name", "symbol", "rate"},
    "product": {"name", "sort", "price", "currency", "measure", "tax_rate", "tax_included"},
}


def add_entry(session: Session, kind: str, **values: Any) -> Entry:
    """Add a value: ``code`` and ``name`` (types, sources, currencies), ``name`` (reasons,
    products), and for currencies ``symbol`` and ``rate``, for products ``price``,
    ``currency``, ``measure``, ``tax_rate``, ``tax_included``.

    A type or source given no ``code`` (None, not "") gets one made from its name
    ("TikTok" -> TIKTOK, "Соцсети" -> SOTSSETI), and is refused if one of that name exists.

    Raises:
        ValidationError: a missing or bad value, or a code/name that is taken.
    """
    kind = _kind(kind)
    name = parse_title(values.get("name"), field="name", label="Name")
    if not name:
        raise ValidationError("a name is required", field="name")
    model = _model(kind)
    if kind in ("type", "source") and values.get("code") is None:
        same = session.exec(select(model).where(func.lower(model.name) == name.lower())).first()
        if same is not None:
            raise ValidationError(
                f"the {kind} {same.name!r} already exists ({same.code})", field="name"
            )
        values = {**values, "code": _code_from_name(session, kind, name)}
    if kind in ("type", "source", "currency"):
        code = str(values.get("code") or "").strip().upper()
        pattern = _ISO if kind == "currency" else _CODE
        if not pattern.match(code):
            raise ValidationError(
                "a currency code is three letters (EUR)"
                if kind == "currency"
                else "a code is 1-50 capital letters, digits or _",
                field="code",
            )
        if session.get(model, code) is not None:
            raise ValidationError(f"{code} already exists", field="code")
        if kind == "currency":
            row: Any = Currency(
                code=code,
                name=name,
                symbol=_short(values.get("symbol"), 10),
                rate=_rate(values.get("rate", 1)),
                is_base=False,
            )
        else:
            row = model(code=code, name=name, sort=int(values.get("sort") or 500))
    elif kind == "lost_reason":
        if session.exec(
            select(LostReason).where(func.lower(LostReason.name) == name.lower())
        ).first():
            raise ValidationError(f"the reason {name!r} already exists", field="name")
        row = LostReason(name=name, sort=int(values.get("sort") or 500))
    else:
        currency = str(values.get("currency") or "").strip().upper() or _base(session)
        if session.get(Currency, currency) is None:
            raise ValidationError(f"unknown currency {currency!r}", field="currency")
        tax = values.get("tax_rate")
        row = Product(
            name=name,
            price=parse_amount(values.get("price", 0), field="price", label="Price"),
            currency_code=currency,
            measure=_short(values.get("measure"), 20) or "pcs",
            tax_rate=None
            if tax in (None, "")
            else parse_percent(tax, field="tax_rate", label="Tax rate"),
            tax_included=bool(values.get("tax_included", False)),
        )
    session.add(row)
    session.flush()
    return _entry(kind, row)


def edit_entry(session: Session, kind: str, key: str | int, **values: Any) -> Entry:
    """Change a value's fields (the code of a type, source or currency never changes)."""
    kind = _kind(kind)
    row = _get(session, kind, key)
    allowed = _EDITABLE[kind]
    given = sorted(k for k, v in values.items() if v is not None and k not in allowed)
    if given:
        raise ValidationError(
            f"{', '.join(given)} does not apply to a {kind.replace('_', ' ')}", field=given[0]
        )
    if values.get("name") is not None:
        name = parse_title(values["name"], field="name", label="Name")
        if not name:
            raise ValidationError("a name is required", field="name")
        if kind == "lost_reason":
            taken = session.exec(
                select(LostReason.id).where(
                    func.lower(LostReason.name) == name.lower(), LostReason.id != row.id
                )
            ).first()
            if taken is not None:
                raise ValidationError(f"the reason {name!r} already exists", field="name")
        row.name = name
    if values.get("sort") is not None and kind in ("type", "source", "lost_reason", "product"):
        row.sort = int(values["sort"])
    if kind == "currency":
        if values.get("symbol") is not None:
            row.symbol = _short(values["symbol"], 10)
        if values.get("rate") is not None:
            if row.is_base:
                raise ValidationError("the base currency's rate is always 1", field="rate")
            row.rate = _rate(values["rate"])
    if kind == "product":
        if values.get("price") is not None:
            row.price = parse_amount(values["price"], field="price", label="Price")
        if values.get("currency") is not None:
            code = str(values["currency"]).upper()
            if session.get(Currency, code) is None:
                raise ValidationError(f"unknown currency {code!r}", field="currency")
            row.currency_code = code
        if values.get("measure") is not None:
            row.measure = _short(values["measure"], 20)
        if "tax_rate" in values:
            tax = values["tax_rate"]
            row.tax_rate = (
                None
                if tax in (None, "")
                else parse_percent(tax, field="tax_rate", label="Tax rate")
            )
        if values.get("tax_included") is not None:
            row.tax_included = bool(values["tax_included"])
    session.add(row)
    session.flush()
    return _entry(kind, row)


def _in_use(session: Session, kind: str, row: Any) -> bool:
    if kind == "type":
        condition = col(Deal.type_code) == row.code
    elif kind == "source":
        condition = col(Deal.source_code) == row.code
    elif kind == "lost_reason":
        condition = col(Deal.lost_reason_id) == row.id
    elif kind == "currency":
        condition = col(Deal.currency_code) == row.code
        if session.exec(
            select(Product.id).where(Product.currency_code == row.code).limit(1)
        ).first():
            return True
    else:
        return (
            session.exec(
                select(DealProduct.id).where(DealProduct.product_id == row.id).limit(1)
            ).first()
            is not None
        )
    return session.exec(select(Deal.id).where(condition).limit(1)).first() is not None


def remove_entry(session: Session, kind: str, key: str | int) -> str:
    """Delete a value, or hide it when deals use it; returns "deleted" or "hidden".

    Raises:
        ValidationError: the base currency.
    """
    kind = _kind(kind)
    row = _get(session, kind, key)
    if kind == "currency" and row.is_base:
        raise ValidationError(
            "the base currency cannot be removed; choose another base first", field="currency"
        )
    if _in_use(session, kind, row):
        row.active = False
        session.add(row)
        session.flush()
        return "hidden"
    session.delete(row)
    session.flush()
    return "deleted"


def restore_entry(session: Session, kind: str, key: str | int) -> Entry:
    """Show a hidden value again."""
    kind = _kind(kind)
    row = _get(session, kind, key)
    row.active = True
    session.add(row)
    session.flush()
    return _entry(kind, row)


def _base(session: Session) -> str:
    code = session.exec(select(Currency.code).where(col(Currency.is_base).is_(True))).first()
    return code or "USD"


def set_base_currency(session: Session, code: str) -> Entry:
    """Make ``code`` the base currency; every rate is recomputed against it (it becomes 1)."""
    new = _get(session, "currency", code)
    new.active = True  # the base currency is always offered
    if new.is_base:
        session.add(new)
        session.flush()
        return _entry("currency", new)
    factor = new.rate
    for currency in session.exec(select(Currency)).all():
        currency.rate = (currency.rate / factor).quantize(Decimal("0.00000001"))
        currency.is_base = currency.code == new.code
        session.add(currency)
    new.rate = Decimal(1)
    setting = session.get(Setting, "base_currency")
    if setting is not None:
        setting.value = new.code
        session.add(setting)
    session.flush()
    return _entry("currency", new)
