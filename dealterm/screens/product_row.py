"""Add or edit one product row, checked as you save."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from dealterm.core.errors import ValidationError
from dealterm.core.services.products import ProductRowInput, compute_row
from dealterm.core.validation import parse_amount, parse_percent, parse_quantity, parse_title

__all__ = ["ProductRowModal"]


class ProductRowModal(ModalScreen[ProductRowInput | None]):
    """Name, price, quantity, discount, tax. A bad value shows beside its field."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="product.save"),
        Binding("escape", "cancel", "Cancel", id="product.cancel"),
    ]

    def __init__(self, row: ProductRowInput | None = None) -> None:
        super().__init__()
        self.row = row or ProductRowInput(name="", price="", quantity="1")

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical(classes="dialog wide"):
            yield Label("Product row", classes="dialog-title")
            for field, label, value in (
                ("name", "Name", row.name or ""),
                ("price", "Price per unit", "" if row.price is None else str(row.price)),
                ("quantity", "Quantity", str(row.quantity)),
            ):
                yield Label(label)
                yield Input(value, id=f"row-{field}")
                yield Label("", id=f"row-{field}-error", classes="error")
            yield Label("Discount")
            with Horizontal(classes="inline"):
                yield Input(str(row.discount), id="row-discount")
                yield Select(
                    [("%", "percent"), ("per unit", "amount")],
                    value=row.discount_type,
                    allow_blank=False,
                    id="row-discount-type",
                )
            yield Label("", id="row-discount-error", classes="error")
            yield Label("Tax rate, %")
            with Horizontal(classes="inline"):
                yield Input("" if row.tax_rate is None else str(row.tax_rate), id="row-tax")
                yield Checkbox(
                    "included in the price", bool(row.tax_included), id="row-tax-included"
                )
            yield Label("", id="row-tax-error", classes="error")
            yield Label("", id="row-total", classes="total")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#row-name", Input).focus()
        self._check(show=False)

    def _value(self, field: str) -> str:
        return self.query_one(f"#row-{field}", Input).value

    def _check(self, *, show: bool = True) -> ProductRowInput | None:
        errors: dict[str, str] = {}
        values: dict[str, object] = {}
        try:
            name = parse_title(self._value("name"), label="Name")
            if not name:
                raise ValidationError("a product row needs a name")
            values["name"] = name
        except ValidationError as error:
            errors["name"] = error.message
        try:
            values["price"] = parse_amount(self._value("price"), label="Price")
        except ValidationError as error:
            errors["price"] = error.message
        try:
            values["quantity"] = parse_quantity(self._value("quantity"))
        except ValidationError as error:
            errors["quantity"] = error.message
        kind = str(self.query_one("#row-discount-type", Select).value)
        raw_discount = self._value("discount").strip() or "0"
        try:
            discount = (
                parse_percent(raw_discount, field="discount", label="Discount")
                if kind == "percent"
                else parse_amount(raw_discount, label="Discount")
            )
            price = values.get("price")
            if kind == "amount" and isinstance(price, Decimal) and discount > price:
                raise ValidationError(f"Discount {discount} is more than the price {price}")
            values["discount"] = discount
        except ValidationError as error:
            errors["discount"] = error.message
        raw_tax = self._value("tax").strip()
        try:
            values["tax_rate"] = (
                parse_percent(raw_tax, field="tax", label="Tax rate") if raw_tax else None
            )
        except ValidationError as error:
            errors["tax"] = error.message
        for field in ("name", "price", "quantity", "discount", "tax"):
            self.query_one(f"#row-{field}-error", Label).update(
                errors.get(field, "") if show else ""
            )
        if errors:
            self.query_one("#row-total", Label).update("")
            return None
        included = self.query_one("#row-tax-included", Checkbox).value
        totals = compute_row(
            price=values["price"],
            quantity=values["quantity"],
            discount_type=kind,  # type: ignore[arg-type]
            discount_rate=values["discount"] if kind == "percent" else Decimal(0),  # type: ignore[arg-type]
            discount_sum=values["discount"] if kind == "amount" else Decimal(0),  # type: ignore[arg-type]
            tax_rate=values["tax_rate"],
            tax_included=included,  # type: ignore[arg-type]
        )
        self.query_one("#row-total", Label).update(f"Row total: {totals.total} (tax {totals.tax})")
        return ProductRowInput(
            name=str(values["name"]),
            price=values["price"],
            quantity=values["quantity"],  # type: ignore[arg-type]
            discount_type=kind,
            discount=values["discount"],
            tax_rate=values["tax_rate"],  # type: ignore[arg-type]
            tax_included=included,
        )

    @on(Input.Changed)
    def _changed(self) -> None:
        self._check(show=False)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        row = self._check()
        if row is not None:
            self.dismiss(row)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
