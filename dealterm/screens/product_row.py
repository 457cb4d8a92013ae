"""Add or edit one product row, checked as you save."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from dealterm.core.errors import ValidationError
from dealterm.core.formatting import format_money, format_number
from dealterm.core.services.products import (
    ProductRowInput,
    RowTotals,
    check_row_total,
    compute_row,
)
from dealterm.core.validation import (
    MAX_AMOUNT,
    parse_amount,
    parse_percent,
    parse_quantity,
    parse_title,
)
from dealterm.widgets.footer import KeyFooter

__all__ = ["ProductRowModal", "shown_amount"]


def shown_amount(value: object, locale: str) -> str:
    """An amount to edit, written as the locale writes numbers ("1,000.50", "1 000,50").

    The plain form ("1000.50") when the locale's way would not be read back as the same
    amount (a grouping sign the amount parser does not know): what is shown must save
    unchanged.
    """
    if value is None:
        return ""
    if not isinstance(value, Decimal):
        return str(value)
    try:
        shown = format_number(value, locale)
        if parse_amount(shown) == value:
            return shown
    except (ValidationError, ArithmeticError, ValueError):
        pass
    return str(value)


def _say(label: Label, message: str) -> None:
    """Show ``message`` under a field; an empty one takes no line (the form fits 24 rows)."""
    label.update(message)
    label.display = bool(message)


class ProductRowModal(ModalScreen[ProductRowInput | None]):
    """Name, price, quantity, discount, tax. A bad value shows beside its field.

    A row worth more than a deal amount may be (``MAX_AMOUNT``, counting ``others``) is
    refused here, with what was typed kept.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="product.save"),
        Binding("escape", "cancel", "Cancel", id="product.cancel"),
    ]

    def __init__(
        self,
        row: ProductRowInput | None = None,
        *,
        others: Decimal = Decimal(0),
        currency: str | None = None,
    ) -> None:
        """Args:
        row: the row to edit (None: a new row).
        others: the total of the deal's other rows (their sum with this one is checked
            against the amount limit too).
        currency: the deal's currency, to show the row total as money.
        """
        super().__init__()
        self.row = row or ProductRowInput(name="", price="", quantity="1")
        self.others = others
        self.currency = currency

    @property
    def locale(self) -> str:
        """The user's locale (the app's), for the numbers shown."""
        return str(getattr(self.app, "locale", "en_US") or "en_US")

    def compose(self) -> ComposeResult:
        row = self.row
        locale = self.locale
        discount = (
            shown_amount(row.discount, locale)
            if row.discount_type == "amount"
            else str(row.discount)
        )
        quantity = (
            format(row.quantity.normalize(), "f")
            if isinstance(row.quantity, Decimal)
            else str(row.quantity)
        )
        with VerticalScroll(classes="dialog wide", id="row-dialog"):
            yield Label("Product row", classes="dialog-title")
            with Grid(classes="row-grid"):
                for field, label, value in (
                    ("name", "Name", row.name or ""),
                    ("price", "Price per unit", shown_amount(row.price, locale)),
                    ("quantity", "Quantity", quantity),
                ):
                    yield Label(label)
                    with Vertical(classes="row-cell"):
                        yield Input(value, id=f"row-{field}", compact=True)
                        yield Label("", id=f"row-{field}-error", classes="error")
                yield Label("Discount")
                with Vertical(classes="row-cell"):
                    with Horizontal(classes="row-pair"):
                        yield Input(discount, id="row-discount", compact=True)
                        yield Select(
                            [("%", "percent"), ("per unit", "amount")],
                            value=row.discount_type,
                            allow_blank=False,
                            compact=True,
                            id="row-discount-type",
                        )
                    yield Label("", id="row-discount-error", classes="error")
                yield Label("Tax rate, %")
                with Vertical(classes="row-cell"):
                    with Horizontal(classes="row-pair"):
                        yield Input(
                            "" if row.tax_rate is None else str(row.tax_rate),
                            id="row-tax",
                            compact=True,
                        )
                        yield Checkbox(
                            "included in the price",
                            bool(row.tax_included),
                            id="row-tax-included",
                            compact=True,
                        )
                    yield Label("", id="row-tax-error", classes="error")
            yield Label("", id="row-total", classes="total")
            yield Label("", id="row-total-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#row-name", Input).focus()
        self._check(show=False)

    def _value(self, field: str) -> str:
        return self.query_one(f"#row-{field}", Input).value

    def _money(self, amount: Decimal) -> str:
        if self.currency:
            return format_money(amount, self.currency, self.locale)
        return format_number(amount, self.locale)

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
            _say(
                self.query_one(f"#row-{field}-error", Label), errors.get(field, "") if show else ""
            )
        total_error = self.query_one("#row-total-error", Label)
        _say(total_error, "")
        if errors:
            self.query_one("#row-total", Label).update("")
            return None
        included = self.query_one("#row-tax-included", Checkbox).value
        totals = compute_row(
            price=values["price"],  # type: ignore[arg-type]
            quantity=values["quantity"],  # type: ignore[arg-type]
            discount_type=kind,
            discount_rate=values["discount"] if kind == "percent" else Decimal(0),  # type: ignore[arg-type]
            discount_sum=values["discount"] if kind == "amount" else Decimal(0),  # type: ignore[arg-type]
            tax_rate=values["tax_rate"],  # type: ignore[arg-type]
            tax_included=included,
        )
        problem = self._too_large(totals)
        if problem:
            # The total is shown only once it is one a deal can hold.
            self.query_one("#row-total", Label).update("")
            _say(total_error, problem if show else "")
            return None
        self.query_one("#row-total", Label).update(
            f"Row total: {self._money(totals.total)} (tax {self._money(totals.tax)})"
        )
        return ProductRowInput(
            name=str(values["name"]),
            price=values["price"],
            quantity=values["quantity"],
            discount_type=kind,
            discount=values["discount"],
            tax_rate=values["tax_rate"],
            tax_included=included,
        )

    def _too_large(self, totals: RowTotals) -> str:
        """Why the row cannot be kept for its size ("" when it can)."""
        limit = format_number(MAX_AMOUNT, self.locale)
        try:
            check_row_total(totals)
        except ValidationError:
            return f"The row's total is too large: a deal's amount is at most {limit}"
        if totals.total + self.others > MAX_AMOUNT:
            return f"The rows' total is too large: a deal's amount is at most {limit}"
        return ""

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
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
