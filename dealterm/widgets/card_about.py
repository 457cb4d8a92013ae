"""The deal card's "About the deal" section: the deal's own fields, checked as you type."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Select, TextArea

from dealterm.core.errors import ValidationError
from dealterm.core.validation import parse_amount, parse_date, parse_decimal, parse_title

if TYPE_CHECKING:
    from dealterm.core.crm import Choice
    from dealterm.core.readmodels import DealDetail

__all__ = ["AboutForm"]

_TEXT_FIELDS = ("title", "amount", "probability", "begin_date", "close_date")
_SELECTS = ("currency", "type", "source", "responsible")


def _check(field: str, raw: str) -> tuple[Any, str | None]:
    """Parse one field; return (value, error message)."""
    try:
        if field == "title":
            title = parse_title(raw)
            if not title:
                raise ValidationError("a deal needs a title")
            return title, None
        if field == "amount":
            return parse_amount(raw if raw.strip() else "0"), None
        if field == "probability":
            if not raw.strip():
                return None, None
            number = parse_decimal(raw, field="probability", label="Probability")
            if number != number.to_integral_value() or not 0 <= number <= 100:
                raise ValidationError("Probability must be a whole number from 0 to 100")
            return int(number), None
        if field in ("begin_date", "close_date"):
            label = "Begin date" if field == "begin_date" else "Close date"
            return parse_date(raw, field=field, label=label), None
    except ValidationError as error:
        return None, error.message
    return raw, None


class AboutForm(VerticalScroll):
    """Title, amount and currency, type, source, probability, dates, responsible, comments.

    A bad value shows a message under its field at once; :meth:`changes` returns what
    differs from the saved deal, or None while any field is invalid.
    """

    DEFAULT_CSS = """
    AboutForm { padding: 1 1; }
    AboutForm #about-grid {
        grid-size: 3;
        grid-columns: 16 1fr 1fr;
        grid-rows: 1;
        grid-gutter: 1 2;
        height: auto;
    }
    AboutForm .inline { height: 1; }
    AboutForm .inline > Input { width: 1fr; }
    AboutForm .inline > Select { width: 16; margin-left: 1; }
    AboutForm TextArea { height: 6; }
    AboutForm .section-label { margin-top: 1; }
    """

    class Dirty(Message):
        """The form differs from the saved deal (or no longer does)."""

        def __init__(self, dirty: bool) -> None:
            super().__init__()
            self.dirty = dirty

    def __init__(self) -> None:
        super().__init__(id="about-form")
        self.deal: DealDetail | None = None
        self._loading = False

    def compose(self) -> ComposeResult:
        with Grid(id="about-grid"):
            yield Label("Title")
            yield Input(id="f-title", compact=True)
            yield Label("", id="e-title", classes="error")
            yield Label("Amount", id="amount-label")
            with Horizontal(classes="inline"):
                yield Input(id="f-amount", compact=True)
                yield Select([], prompt="currency", id="f-currency", compact=True)
            yield Label("", id="e-amount", classes="error")
            yield Label("Type")
            yield Select([], prompt="type", id="f-type", compact=True)
            yield Label("")
            yield Label("Source")
            yield Select([], prompt="source", id="f-source", compact=True)
            yield Label("")
            yield Label("Probability, %")
            yield Input(id="f-probability", compact=True)
            yield Label("", id="e-probability", classes="error")
            yield Label("Begin date")
            yield Input(id="f-begin_date", compact=True, placeholder="YYYY-MM-DD")
            yield Label("", id="e-begin_date", classes="error")
            yield Label("Close date")
            yield Input(id="f-close_date", compact=True, placeholder="YYYY-MM-DD")
            yield Label("", id="e-close_date", classes="error")
            yield Label("Responsible")
            yield Select([], prompt="responsible", id="f-responsible", compact=True)
            yield Label("")
        yield Label("Comments", classes="section-label")
        yield TextArea(id="f-comments")
        yield Label("", id="amount-mode", classes="hint")
        yield Label("ctrl+s saves · a field in red is not saved until it is right", classes="hint")

    def set_choices(
        self,
        *,
        currencies: list[Choice],
        types: list[Choice],
        sources: list[Choice],
        users: list[Choice],
    ) -> None:
        """Fill the select boxes."""
        for field, choices in (
            ("currency", currencies),
            ("type", types),
            ("source", sources),
            ("responsible", users),
        ):
            self.query_one(f"#f-{field}", Select).set_options([(c.label, c.value) for c in choices])

    def show(self, deal: DealDetail) -> None:
        """Put the saved deal's values in the fields (discarding edits)."""
        self.deal = deal
        self._loading = True
        values = self._saved_values(deal)
        for field in _TEXT_FIELDS:
            self.query_one(f"#f-{field}", Input).value = values[field]
            self.query_one(f"#e-{field}", Label).update("")
        for field in _SELECTS:
            select = self.query_one(f"#f-{field}", Select)
            value = values[field]
            try:
                select.value = value if value else Select.BLANK
            except Exception:
                select.clear()
        self.query_one("#f-comments", TextArea).text = values["comments"]
        self.query_one("#f-probability", Input).placeholder = f"{deal.probability} (the stage's)"
        self.query_one("#amount-mode", Label).update(
            "The amount is typed by hand."
            if deal.manual_amount
            else "The amount follows the products; typing an amount makes it manual."
        )
        self._loading = False
        self.post_message(self.Dirty(False))

    @staticmethod
    def _saved_values(deal: DealDetail) -> dict[str, str]:
        return {
            "title": deal.title,
            "amount": f"{deal.amount:.2f}",
            "probability": "" if deal.own_probability is None else str(deal.own_probability),
            "begin_date": deal.begin_date.isoformat(),
            "close_date": deal.close_date.isoformat(),
            "currency": deal.currency,
            "type": deal.type or "",
            "source": deal.source or "",
            "responsible": str(deal.responsible_id),
            "comments": deal.comments or "",
        }

    def _raw(self) -> dict[str, str]:
        values = {field: self.query_one(f"#f-{field}", Input).value for field in _TEXT_FIELDS}
        for field in _SELECTS:
            value = self.query_one(f"#f-{field}", Select).value
            values[field] = "" if value is Select.BLANK else str(value)
        values["comments"] = self.query_one("#f-comments", TextArea).text
        return values

    def changes(self, *, show_errors: bool = True) -> dict[str, Any] | None:
        """The fields that differ from the saved deal, parsed; None if any is invalid."""
        if self.deal is None:
            return {}
        raw = self._raw()
        saved = self._saved_values(self.deal)
        result: dict[str, Any] = {}
        valid = True
        for field in _TEXT_FIELDS:
            value, error = _check(field, raw[field])
            if show_errors:
                self.query_one(f"#e-{field}", Label).update(error or "")
            if error:
                valid = False
                continue
            if raw[field].strip() != saved[field]:
                result[field] = "" if field == "probability" and value is None else value
        if "amount" in result and result["amount"] == self.deal.amount:
            del result["amount"]
        for field in _SELECTS:
            if raw[field] != saved[field]:
                result[field] = raw[field] or None
        if raw["comments"].strip() != saved["comments"].strip():
            result["comments"] = raw["comments"]
        return result if valid else None

    def is_dirty(self) -> bool:
        """True when the fields differ from the saved deal (valid or not)."""
        if self.deal is None:
            return False
        raw = self._raw()
        saved = self._saved_values(self.deal)
        return any(raw[k].strip() != saved[k].strip() for k in saved)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _edited(self, event: Message) -> None:
        if self._loading or self.deal is None:
            return
        if isinstance(event, Input.Changed):
            field = (event.input.id or "")[2:]
            if field in _TEXT_FIELDS:
                _value, error = _check(field, event.value)
                self.query_one(f"#e-{field}", Label).update(error or "")
        self.post_message(self.Dirty(self.is_dirty()))
