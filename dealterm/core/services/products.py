"""Product rows of a deal and the deal amount they add up to."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from pydantic import BaseModel
from sqlmodel import Session, col, select

from dealterm.core.errors import ValidationError
from dealterm.core.models import Deal, DealProduct, DiscountType, EventKind, Product
from dealterm.core.readmodels import ProductRowRead
from dealterm.core.services import history
from dealterm.core.validation import (
    MAX_AMOUNT,
    parse_amount,
    parse_percent,
    parse_quantity,
    parse_title,
    quantize_money,
)

__all__ = [
    "ProductRowInput",
    "RowTotals",
    "check_row_total",
    "check_rows_total",
    "compute_row",
    "product_rows",
    "replace_rows",
    "row_read",
    "rows_total",
]

HUNDRED = Decimal(100)


class ProductRowInput(BaseModel):
    """A product row as typed in a form or on the command line (values may be text).

    Attributes:
        product: a catalogue product (id or exact name) whose name, price, measure and
            tax fill the fields not given.
        discount_type: "percent" (``discount``% of the price) or "amount" (money off each unit).
    """

    product: int | str | None = None
    name: str | None = None
    price: Decimal | str | None = None
    quantity: Decimal | str | int = Decimal(1)
    discount_type: str = DiscountType.PERCENT
    discount: Decimal | str | int = Decimal(0)
    tax_rate: Decimal | str | int | None = None
    tax_included: bool | None = None
    measure: str | None = None


class RowTotals(NamedTuple):
    """What one row is worth: unit price after discount, its tax and its total (all in cents)."""

    unit_price: Decimal
    tax: Decimal
    total: Decimal


def compute_row(
    *,
    price: Decimal,
    quantity: Decimal,
    discount_type: str,
    discount_rate: Decimal,
    discount_sum: Decimal,
    tax_rate: Decimal | None,
    tax_included: bool,
) -> RowTotals:
    """Price x quantity after discount, with tax added on top unless the price includes it.

    The row total and tax are rounded to cents, as an invoice line is.
    """
    if discount_type == DiscountType.PERCENT:
        unit = price - price * discount_rate / HUNDRED
    else:
        unit = price - discount_sum
    line = unit * quantity
    tax = Decimal(0)
    total = line
    if tax_rate:
        if tax_included:
            tax = line - line / (1 + tax_rate / HUNDRED)
        else:
            tax = line * tax_rate / HUNDRED
            total = line + tax
    return RowTotals(quantize_money(unit), quantize_money(tax), quantize_money(total))


def check_row_total(totals: RowTotals, *, field: str = "products", where: str = "") -> None:
    """Refuse a row worth more than a deal amount may be (see ``MAX_AMOUNT``).

    Args:
        where: what precedes the message ("row 2: ").

    Raises:
        ValidationError: the row's total is over the limit.
    """
    if totals.total > MAX_AMOUNT:
        raise ValidationError(
            f"{where}the row's total is too large (the limit is {MAX_AMOUNT:,})", field=field
        )


def check_rows_total(rows: Sequence[RowTotals], *, field: str = "products") -> None:
    """Refuse rows that add up to more than a deal amount may be: an automatic amount
    becomes their total, a manual one may be switched to it at any time.

    Raises:
        ValidationError: the rows' total is over the limit.
    """
    total = sum((row.total for row in rows), Decimal(0))
    if total > MAX_AMOUNT:
        raise ValidationError(
            f"the rows' total is too large (the limit is {MAX_AMOUNT:,})", field=field
        )


def rows_total(rows: Sequence[RowTotals]) -> tuple[Decimal, Decimal]:
    """The deal amount and tax: sums of the rounded row totals and taxes."""
    amount = sum((row.total for row in rows), Decimal("0.00"))
    tax = sum((row.tax for row in rows), Decimal("0.00"))
    return quantize_money(amount), quantize_money(tax)


def _totals_of(row: DealProduct) -> RowTotals:
    return compute_row(
        price=row.price,
        quantity=row.quantity,
        discount_type=row.discount_type,
        discount_rate=row.discount_rate,
        discount_sum=row.discount_sum,
        tax_rate=row.tax_rate,
        tax_included=row.tax_included,
    )


def row_read(row: DealProduct) -> ProductRowRead:
    """A stored product row with its totals, as the card and the exports show it."""
    totals = _totals_of(row)
    assert row.id is not None
    return ProductRowRead(
        id=row.id,
        product_id=row.product_id,
        name=row.name,
        price=row.price,
        quantity=row.quantity,
        discount_type=row.discount_type,
        discount_rate=row.discount_rate,
        discount_sum=row.discount_sum,
        tax_rate=row.tax_rate,
        tax_included=row.tax_included,
        measure=row.measure,
        sort=row.sort,
        unit_price=totals.unit_price,
        tax=totals.tax,
        total=totals.total,
    )


def _stored_rows(session: Session, deal_id: int) -> list[DealProduct]:
    return list(
        session.exec(
            select(DealProduct)
            .where(DealProduct.deal_id == deal_id)
            .order_by(col(DealProduct.sort), col(DealProduct.id))
        ).all()
    )


def product_rows(session: Session, deal_id: int) -> list[ProductRowRead]:
    """A deal's product rows in order, with totals."""
    return [row_read(row) for row in _stored_rows(session, deal_id)]


def _find_product(session: Session, ref: int | str, position: int) -> Product:
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        found = session.get(Product, int(ref))
    else:
        found = session.exec(select(Product).where(Product.name == ref.strip())).first()
    if found is None:
        raise ValidationError(f"row {position}: unknown product {ref!r}", field="products")
    return found


def _build_row(session: Session, deal_id: int, data: ProductRowInput, position: int) -> DealProduct:
    where = f"row {position}: "
    product = _find_product(session, data.product, position) if data.product is not None else None
    name = parse_title(
        data.name if data.name is not None else (product.name if product else ""),
        field="products",
        label=f"{where}name",
    )
    if not name:
        raise ValidationError(f"{where}a product row needs a name", field="products")
    raw_price = data.price if data.price is not None else (product.price if product else None)
    if raw_price is None:
        raise ValidationError(f"{where}price is missing", field="products")
    price = parse_amount(raw_price, field="products", label=f"{where}price")
    quantity = parse_quantity(data.quantity, field="products")
    kind = (data.discount_type or DiscountType.PERCENT).strip().lower()
    if kind in ("%", "percent", "pct"):
        kind = DiscountType.PERCENT
    elif kind in ("sum", "amount", "money", "abs"):
        kind = DiscountType.AMOUNT
    else:
        raise ValidationError(f"{where}discount type must be percent or amount", field="products")
    rate = Decimal(0)
    off = Decimal(0)
    if kind == DiscountType.PERCENT:
        rate = parse_percent(data.discount, field="products", label=f"{where}discount")
    else:
        off = parse_amount(data.discount, field="products", label=f"{where}discount")
        if off > price:
            raise ValidationError(
                f"{where}discount {off} is more than the price {price}", field="products"
            )
    raw_tax = (
        data.tax_rate if data.tax_rate is not None else (product.tax_rate if product else None)
    )
    tax_rate = (
        None
        if raw_tax is None or raw_tax == ""
        else parse_percent(raw_tax, field="products", label=f"{where}tax rate")
    )
    included = (
        data.tax_included
        if data.tax_included is not None
        else (product.tax_included if product else False)
    )
    measure = (data.measure or (product.measure if product else "") or "pcs").strip()[:20]
    row = DealProduct(
        deal_id=deal_id,
        product_id=product.id if product else None,
        name=name,
        price=price,
        quantity=quantity,
        discount_type=kind,
        discount_rate=rate,
        discount_sum=off,
        tax_rate=tax_rate,
        tax_included=bool(included),
        measure=measure,
        sort=position * 10,
    )
    check_row_total(_totals_of(row), where=where)
    return row


def _summary(rows: Sequence[DealProduct]) -> str:
    if not rows:
        return "no products"
    amount, _tax = rows_total([_totals_of(row) for row in rows])
    return f"{len(rows)} row{'s' if len(rows) != 1 else ''}, {amount:.2f}"


def replace_rows(
    session: Session, deal: Deal, rows: Sequence[ProductRowInput], *, log: bool = True
) -> bool:
    """Replace a deal's product rows (rows not given are deleted) and follow the amount.

    Unless the deal's amount is manual, amount and tax become the rows' totals
    (no rows: zero). Returns True if the amount or tax changed. The caller bumps
    the deal's version; history is written here when ``log`` is set.

    Raises:
        ValidationError: a row is invalid, or the rows add up to more than a deal
            amount may be (even under a manual amount, which may follow them later);
            nothing is changed.
    """
    assert deal.id is not None
    built = [_build_row(session, deal.id, data, i) for i, data in enumerate(rows, start=1)]
    check_rows_total([_totals_of(row) for row in built])
    old = _stored_rows(session, deal.id)
    before = _summary(old)
    for row in old:
        session.delete(row)
    session.flush()
    session.add_all(built)
    session.flush()
    if log:
        history.record(
            session,
            deal.id,
            EventKind.PRODUCTS_CHANGED,
            field="products",
            old=before,
            new=_summary(built),
            text=f"Products: {before} → {_summary(built)}",
        )
    return recompute_amount(session, deal, built, log=log)


def recompute_amount(
    session: Session, deal: Deal, rows: Sequence[DealProduct] | None = None, *, log: bool = True
) -> bool:
    """Set an automatic amount to the rows' total; returns True if amount or tax changed.

    Raises:
        ValidationError: the rows add up to more than a deal amount may be (rows stored
            before that was checked); nothing is changed.
    """
    if deal.is_manual_amount:
        return False
    assert deal.id is not None
    current = list(rows) if rows is not None else _stored_rows(session, deal.id)
    totals = [_totals_of(row) for row in current]
    check_rows_total(totals)
    amount, tax = rows_total(totals)
    changed = amount != deal.amount or tax != deal.tax_value
    if log and amount != deal.amount:
        history.record(
            session,
            deal.id,
            EventKind.FIELD_CHANGED,
            field="amount",
            old=f"{deal.amount:.2f}",
            new=f"{amount:.2f}",
        )
    deal.amount = amount
    deal.tax_value = tax
    session.add(deal)
    return changed
