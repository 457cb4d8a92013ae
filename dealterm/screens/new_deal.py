"""The new deal form: title, amount, currency, client, products, type, source, comment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ListItem, ListView, Select, TextArea

from dealterm.core.errors import ValidationError
from dealterm.core.formatting import format_money
from dealterm.core.services.card_layout import FieldDef
from dealterm.core.services.deals import DealCreate
from dealterm.core.services.products import ProductRowInput, compute_row
from dealterm.core.validation import parse_amount, parse_title
from dealterm.widgets.card_about import check_custom, placeholder_for
from dealterm.widgets.client_picker import ClientPicker
from dealterm.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from dealterm.core.crm import Choice, Crm, PipelineInfo
    from dealterm.core.readmodels import StageRead

__all__ = ["NewDealChoices", "NewDealModal", "load_choices"]


@dataclass(frozen=True)
class NewDealChoices:
    """The select boxes' options, read before the form opens (nothing loads while typing)."""

    currencies: list[Choice]
    base_currency: str
    types: list[Choice]
    sources: list[Choice]
    required: tuple[FieldDef, ...] = ()  # custom fields a deal must have (and no default fills)


def load_choices(crm: Crm) -> NewDealChoices:
    """Read the options (call it in a thread)."""
    required = tuple(
        row.definition
        for row in crm.setup.fields()
        if row.active and row.definition.required and row.definition.default in (None, "", [])
    )
    return NewDealChoices(
        crm.currencies(), crm.base_currency(), crm.deal_types(), crm.sources(), required
    )


def _row_total(row: ProductRowInput) -> Decimal:
    """The total of a row the product row form returned (its values are already parsed)."""
    amount_off = row.discount_type == "amount"
    discount = Decimal(row.discount)
    return compute_row(
        price=Decimal(row.price or 0),
        quantity=Decimal(row.quantity),
        discount_type=row.discount_type,
        discount_rate=Decimal(0) if amount_off else discount,
        discount_sum=discount if amount_off else Decimal(0),
        tax_rate=None if row.tax_rate is None else Decimal(row.tax_rate),
        tax_included=bool(row.tax_included),
    ).total


class NewDealModal(ModalScreen[DealCreate | None]):
    """Dismisses with what to create (checked field by field), or None when cancelled.

    Escape (or Cancel) on a form with anything typed in it asks before throwing it away.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Create", id="new_deal.save"),
        Binding("escape", "cancel", "Cancel", id="new_deal.cancel"),
        Binding("ctrl+o", "add_product", "Add product", id="new_deal.add_product"),
    ]

    def __init__(
        self,
        crm: Crm,
        *,
        pipeline: PipelineInfo,
        stage: StageRead,
        choices: NewDealChoices,
    ) -> None:
        super().__init__()
        self.crm = crm
        self.pipeline = pipeline
        self.stage = stage
        self.choices = choices
        self.products: list[ProductRowInput] = []
        self._initial: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield Label(
                f"New deal in {self.pipeline.name} / {self.stage.name}", classes="dialog-title"
            )
            with VerticalScroll():
                yield Label("Title")
                yield Input(placeholder="e.g. Server room for Acme", id="title")
                yield Label("", id="title-error", classes="error")
                yield Label("Amount and currency")
                with Horizontal(classes="inline"):
                    yield Input(placeholder="0.00 (or leave empty and add products)", id="amount")
                    yield Select(
                        [(c.label, c.value) for c in self.choices.currencies],
                        value=self.choices.base_currency,
                        allow_blank=False,
                        id="currency",
                    )
                yield Label("", id="amount-error", classes="error")
                # Required custom fields come next: the deal cannot be created without them.
                for field in self.choices.required:
                    yield Label(f"{field.label} *")
                    yield Input(placeholder=placeholder_for(field), id=f"cf-{field.code}")
                    yield Label("", id=f"cf-error-{field.code}", classes="error")
                with Horizontal(classes="inline"):
                    with Vertical(classes="client"):
                        yield Label("Company")
                        yield ClientPicker(self.crm, kind="company", id="company")
                    with Vertical(classes="client"):
                        yield Label("Contact")
                        yield ClientPicker(self.crm, kind="contact", id="contact")
                yield Label("Products (ctrl+o adds one)")
                yield ListView(id="products")
                yield Button("Add product", id="add-product")
                yield Label("Type and source")
                with Horizontal(classes="inline"):
                    types = self.choices.types
                    yield Select(
                        [(t.label, t.value) for t in types],
                        value=types[0].value if types else Select.NULL,
                        prompt="type",
                        id="type",
                    )
                    sources = [(s.label, s.value) for s in self.choices.sources]
                    yield Select(sources, prompt="source", id="source")
                yield Label("Comment")
                yield TextArea(id="comment")
            with Horizontal(classes="buttons"):
                yield Button("Create (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        self._initial = self._entered()

    def _entered(self) -> dict[str, object]:
        """What the fields hold now (to tell whether anything was typed or chosen)."""
        held: dict[str, object] = {
            f"#{widget.id}": widget.value for widget in self.query(Input) if widget.id
        }
        held.update({f"#{s.id}": s.value for s in self.query(Select) if s.id})
        held.update({f"#{p.id}": p.value for p in self.query(ClientPicker) if p.id})
        held["#comment"] = self.query_one("#comment", TextArea).text.strip()
        held["products"] = len(self.products)
        return held

    def is_dirty(self) -> bool:
        """True when something was typed, chosen or added since the form opened."""
        return self._entered() != self._initial

    # --- products ------------------------------------------------------------------------
    @on(Button.Pressed, "#add-product")
    def _add_product_button(self) -> None:
        self.action_add_product()

    @work(exit_on_error=False)
    async def action_add_product(self) -> None:
        from dealterm.screens.product_row import ProductRowModal, shown_amount

        currency = self.query_one("#currency", Select).value
        chosen = None if currency is Select.NULL else str(currency)
        others = sum((_row_total(r) for r in self.products), Decimal(0))
        row = await self.app.push_screen_wait(ProductRowModal(others=others, currency=chosen))
        if row is None:
            return
        self.products.append(row)
        locale = str(getattr(self.app, "locale", "en_US") or "en_US")
        price = Decimal(row.price or 0)
        quantity = format(Decimal(row.quantity).normalize(), "f")
        shown = format_money(price, chosen, locale) if chosen else shown_amount(price, locale)
        listed = self.query_one("#products", ListView)
        await listed.append(ListItem(Label(f"{row.name}: {shown} x {quantity}")))
        # The cursor goes beside what was just added (in sight even in a short terminal),
        # where enter adds another row.
        self.query_one("#add-product", Button).focus()

    # --- saving ----------------------------------------------------------------------
    def _collect(self) -> DealCreate | None:
        # The fields refused with their messages, in form order: the cursor goes to the first.
        bad: list[tuple[Input, Label]] = []
        title_error = self.query_one("#title-error", Label)
        amount_error = self.query_one("#amount-error", Label)
        title_error.update("")
        amount_error.update("")
        title = ""
        try:
            title = parse_title(self.query_one("#title", Input).value)
        except ValidationError as error:
            title_error.update(error.message)
            bad.append((self.query_one("#title", Input), title_error))
        raw_amount = self.query_one("#amount", Input).value.strip()
        amount = None
        if raw_amount:
            try:
                amount = parse_amount(raw_amount)
            except ValidationError as error:
                amount_error.update(error.message)
                bad.append((self.query_one("#amount", Input), amount_error))
        custom: dict[str, str] = {}
        for field in self.choices.required:
            field_input = self.query_one(f"#cf-{field.code}", Input)
            field_error = self.query_one(f"#cf-error-{field.code}", Label)
            raw = field_input.value
            problem = check_custom(field, raw)
            field_error.update(problem or "")
            if problem:
                bad.append((field_input, field_error))
            else:
                custom[field.code] = raw.strip()
        if bad:
            first, message = bad[0]
            first.focus()
            # The message sits under the field: once it is laid out, scroll it into view too.
            self.call_after_refresh(message.scroll_visible, animate=False)
            return None
        company = self.query_one("#company", ClientPicker)
        contact = self.query_one("#contact", ClientPicker)
        currency = self.query_one("#currency", Select).value
        deal_type = self.query_one("#type", Select).value
        source = self.query_one("#source", Select).value
        return DealCreate(
            title=title or None,
            pipeline=self.pipeline.id,
            stage=self.stage.id,
            amount=amount,
            currency=None if currency is Select.NULL else str(currency),
            company=company.chosen_id if company.chosen_id else (company.value or None),
            contacts=[contact.chosen_id if contact.chosen_id else contact.value]
            if contact.value
            else [],
            type=None if deal_type is Select.NULL else str(deal_type),
            source=None if source is Select.NULL else str(source),
            comments=self.query_one("#comment", TextArea).text.strip() or None,
            products=list(self.products),
            custom_fields=custom,
        )

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        data = self._collect()
        if data is not None:
            self.dismiss(data)

    @on(Input.Submitted, "#title, #amount")
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.is_dirty():
            self.dismiss(None)
            return
        from dealterm.screens.confirm import ConfirmModal

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmModal("Discard this new deal?", confirm="Discard"), answered)
