"""The deal card's "About" section: the deal's fields in the card layout, checked as you type.

Sections and field order come from the card layout (settings → Deal card layout). A field
shown "always" is always there; one shown "when filled" appears once it has a value; one
kept "on demand" appears with ctrl+o (more fields), like Bitrix24's "show more".
Custom fields get an input that fits their type; a bad value shows a message under the
field at once, and nothing is saved while any field is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, TextArea

from dealterm.core.errors import ValidationError
from dealterm.core.services.card_layout import FieldDef, LayoutField, LayoutSection
from dealterm.core.validation import (
    parse_amount,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_title,
)

if TYPE_CHECKING:
    from dealterm.core.crm import Choice
    from dealterm.core.readmodels import DealDetail

__all__ = ["AboutForm", "check_custom", "default_layout", "placeholder_for"]

_TEXT_FIELDS = ("title", "amount", "probability", "begin_date", "close_date", "source_description")
_SELECTS = ("currency", "type", "source", "responsible")
_LABELS = {"probability": "Probability, %"}
_OUTCOMES = {"success": "won", "failure": "lost"}  # closed deals' probability says why


def default_layout() -> list[LayoutSection]:
    """The built-in fields in one section (until the database's layout is read)."""
    from dealterm.core.seed import BUILT_IN_FIELDS

    return [
        LayoutSection(
            0, "About the deal", tuple(LayoutField(k, lb, "always") for k, lb in BUILT_IN_FIELDS)
        )
    ]


def _date_hint() -> str:
    from dealterm.core.formatting import date_pattern

    return date_pattern().replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")


def placeholder_for(field: FieldDef) -> str:
    several = ", several separated by commas" if field.multiple else ""
    return {
        "number": "a number",
        "money": "1500 EUR",
        "date": _date_hint(),
        "datetime": f"{_date_hint()} HH:MM",
        "url": "https://…",
        "contact": "contact name",
        "company": "company name",
        "list": ", ".join(field.options),
    }.get(field.type, "") + several


def _check_builtin(field: str, raw: str) -> tuple[Any, str | None]:
    """Parse one built-in field; return (value, error message)."""
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


def check_custom(field: FieldDef, raw: str) -> str | None:
    """What is wrong with a custom field's text, or None (links are checked on save)."""
    items = [p.strip() for p in raw.split(",")] if field.multiple else [raw.strip()]
    items = [item for item in items if item]
    if not items:
        return f"{field.label} is required" if field.required else None
    try:
        for item in items:
            if field.type == "number":
                parse_decimal(item, field=field.code, label=field.label)
            elif field.type == "money":
                parse_amount(item.replace("|", " ").split(" ")[0], label=field.label)
            elif field.type == "date":
                parse_date(item, field=field.code, label=field.label)
            elif field.type == "datetime":
                parse_datetime(item, field=field.code, label=field.label)
            elif field.type == "url" and "://" not in item:
                return f"{field.label} must be a web address (https://...)"
            elif field.type == "list" and item.lower() not in {o.lower() for o in field.options}:
                return f"{field.label} must be one of: {', '.join(field.options)}"
    except ValidationError as error:
        return error.message
    return None


def _edit_text(field: FieldDef, stored: Any, shown: str, clock: Any) -> str:
    """A stored custom value as the user types it."""
    from datetime import date, datetime

    from dealterm.core.formatting import date_pattern

    if stored in (None, "", []):
        return ""
    if field.type in ("contact", "company"):
        return shown
    items = stored if isinstance(stored, list) else [stored]
    texts = []
    for item in items:
        text = str(item)
        try:
            if field.type == "date":
                text = date.fromisoformat(text).strftime(date_pattern())
            elif field.type == "datetime":
                moment = clock.to_local(datetime.fromisoformat(text.replace("Z", "+00:00")))
                text = moment.strftime(f"{date_pattern()} %H:%M")
        except ValueError:
            pass
        texts.append(text)
    return ", ".join(texts)


class AboutForm(VerticalScroll):
    """The deal's own fields, laid out as the card layout says.

    :meth:`changes` returns what differs from the saved deal, or None while any field is
    invalid.
    """

    DEFAULT_CSS = """
    AboutForm { padding: 0 1; }
    AboutForm .about-grid {
        grid-size: 3;
        grid-columns: 18 1fr 1fr;
        grid-rows: auto;
        grid-gutter: 0 2;
        height: auto;
    }
    AboutForm TextArea { height: 5; column-span: 2; }
    AboutForm .section-label { margin-top: 1; text-style: bold; color: $accent; }
    AboutForm .required { text-style: bold; }
    """

    class Dirty(Message):
        """The form differs from the saved deal (or no longer does)."""

        def __init__(self, dirty: bool) -> None:
            super().__init__()
            self.dirty = dirty

    def __init__(self, layout: list[LayoutSection] | None = None) -> None:
        super().__init__(id="about-form")
        self.card_layout = layout or default_layout()
        self.fields = {f.key: f for s in self.card_layout for f in s.fields}
        self.customs = {k: f.custom for k, f in self.fields.items() if f.custom is not None}
        self.deal: DealDetail | None = None
        self.clock: Any = None
        self.show_all = False
        self._loading = False
        # The form's widgets by field key, noted as they are composed: the form reads and
        # writes them on every keystroke and every show, and a DOM query per field per
        # event was ~40% of opening a card (Input.Changed for each field it fills).
        self._inputs: dict[str, Widget] = {}
        self._errors: dict[str, Label] = {}
        self._rows: dict[str, list[Widget]] = {}
        self._sections: list[Label] = []
        self._saved: tuple[DealDetail, Any, dict[str, str]] | None = None

    # --- building -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        self._inputs, self._errors, self._rows, self._sections = {}, {}, {}, []
        for index, section in enumerate(self.card_layout):
            heading = Label(section.name, classes="section-label", id=f"section-{index}")
            self._sections.append(heading)
            yield heading
            with Grid(classes="about-grid"):
                for field in section.fields:
                    yield from self._row(field)
        yield Label("", id="more-fields", classes="hint")
        yield Label("", id="amount-mode", classes="hint")
        yield Label(
            "ctrl+s saves · a field in red is not saved until it is right · "
            "ctrl+o shows every field",
            classes="hint",
        )

    def _row(self, field: LayoutField) -> Iterable[Widget]:
        widgets = list(self._row_widgets(field))
        self._rows[field.key] = widgets
        for widget in widgets:
            if widget.id == f"f-{field.key}":
                self._inputs[field.key] = widget
            elif widget.id == f"e-{field.key}" and isinstance(widget, Label):
                self._errors[field.key] = widget
        return widgets

    def _row_widgets(self, field: LayoutField) -> Iterable[Widget]:
        key = field.key
        row = f"row-{key}"
        label = _LABELS.get(key, field.label) + (" *" if field.required else "")
        yield Label(label, classes=f"{row} {'required' if field.required else ''}")
        if key == "comments":
            yield TextArea(id="f-comments", classes=row)
            return
        if key in _SELECTS:
            yield Select([], prompt=key, id=f"f-{key}", compact=True, classes=row)
        elif field.custom is not None and field.custom.type == "boolean":
            yield Select(
                [("yes", "Y"), ("no", "N")], prompt="—", id=f"f-{key}", compact=True, classes=row
            )
        elif field.custom is not None and field.custom.type == "list" and not field.custom.multiple:
            yield Select(
                [(o, o) for o in field.custom.options],
                prompt="—",
                id=f"f-{key}",
                compact=True,
                classes=row,
            )
        else:
            placeholder = (
                placeholder_for(field.custom)
                if field.custom is not None
                else (_date_hint() if key.endswith("_date") else "")
            )
            # The card opens with the cursor in the title, which its read fills a moment
            # later: selecting the text on focus made the first key typed replace the
            # whole title or not, depending on which came first on a busy machine.
            yield Input(
                id=f"f-{key}",
                compact=True,
                placeholder=placeholder,
                classes=row,
                select_on_focus=key != "title",
            )
        yield Label("", id=f"e-{key}", classes=f"error {row}")

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
            found = self._inputs.get(field)
            if isinstance(found, Select):
                found.set_options([(c.label, c.value) for c in choices])

    # --- showing a deal ------------------------------------------------------------------
    def show(self, deal: DealDetail, clock: Any = None) -> None:
        """Put the saved deal's values in the fields (discarding edits)."""
        self.deal = deal
        if clock is not None:
            self.clock = clock
        self._loading = True
        values = self._saved_values(deal)
        for key, value in values.items():
            widget = self._inputs.get(key)
            if widget is None:
                continue
            if isinstance(widget, Input):
                widget.value = value
            elif isinstance(widget, TextArea):
                widget.text = value
            elif isinstance(widget, Select):
                try:
                    widget.value = value if value else Select.NULL
                except Exception:
                    widget.clear()
            if key in self._errors:
                self._errors[key].update("")
        probability = self._inputs.get("probability")
        if isinstance(probability, Input):
            # A won or lost deal counts 100% or 0%: its own probability waits for a reopen.
            outcome = _OUTCOMES.get(deal.semantics)
            probability.disabled = outcome is not None
            whose = outcome or "the stage's"
            probability.placeholder = f"{deal.probability} ({whose})"
        self.query_one("#amount-mode", Label).update(
            "The amount is typed by hand."
            if deal.manual_amount
            else "The amount follows the products; typing an amount makes it manual."
        )
        self._loading = False
        self._arrange()
        self.post_message(self.Dirty(False))

    def _saved_values(self, deal: DealDetail) -> dict[str, str]:
        """The deal's values as the fields show them (worked out once per deal read)."""
        if self._saved is not None and self._saved[0] is deal and self._saved[1] is self.clock:
            return self._saved[2]
        values = self._values_of(deal)
        self._saved = (deal, self.clock, values)
        return values

    def _values_of(self, deal: DealDetail) -> dict[str, str]:
        from dealterm.core.formatting import date_pattern

        values = {
            "title": deal.title,
            "amount": f"{deal.amount:.2f}",
            "probability": ""
            if deal.own_probability is None or deal.semantics in _OUTCOMES
            else str(deal.own_probability),
            "begin_date": deal.begin_date.strftime(date_pattern()),
            "close_date": deal.close_date.strftime(date_pattern()),
            "currency": deal.currency,
            "type": deal.type or "",
            "source": deal.source or "",
            "source_description": deal.source_description or "",
            "responsible": str(deal.responsible_id),
            "comments": deal.comments or "",
        }
        shown = {v.code: v.text for v in deal.custom_display}
        for code, field in self.customs.items():
            values[code] = _edit_text(
                field, deal.custom_fields.get(code), shown.get(code, ""), self.clock
            )
        return values

    # --- which fields show ------------------------------------------------------------
    def action_more_fields(self) -> None:
        """Show every field, or only those the layout shows."""
        self.show_all = not self.show_all
        self._arrange()

    def _arrange(self) -> None:
        if self.deal is None:
            return
        saved = self._saved_values(self.deal)
        raw = self._raw()
        tucked = 0
        for key, field in self.fields.items():
            filled = bool(saved.get(key, "").strip() or raw.get(key, "").strip())
            visible = (
                self.show_all
                or field.visibility == "always"
                or (field.visibility == "shown" and filled)
                or raw.get(key, "") != saved.get(key, "")  # being edited
            )
            if not visible:
                tucked += 1
            for widget in self._rows.get(key, ()):
                widget.display = visible
        for heading, section in zip(self._sections, self.card_layout, strict=False):
            # a section with nothing to show keeps its heading out of the way too
            heading.display = any(
                self._rows[f.key][0].display for f in section.fields if self._rows.get(f.key)
            )
        self.query_one("#more-fields", Label).update(
            "1 more field: ctrl+o shows it"
            if tucked == 1
            else f"{tucked} more fields: ctrl+o shows them"
            if tucked
            else ("ctrl+o shows only the usual fields" if self.show_all else "")
        )

    # --- reading the fields -----------------------------------------------------------
    def _raw(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for key in self.fields:
            widget = self._inputs.get(key)
            if isinstance(widget, Input):
                values[key] = widget.value
            elif isinstance(widget, TextArea):
                values[key] = widget.text
            elif isinstance(widget, Select):
                values[key] = "" if widget.value is Select.NULL else str(widget.value)
        return values

    def _error(self, key: str, raw: str) -> tuple[Any, str | None]:
        if key in self.customs:
            field = self.customs[key]
            if field.required and not raw.strip() and self.deal is not None:
                # deals made before the field was required may lack it; clearing it is refused
                had = self._saved_values(self.deal).get(key, "").strip()
                return raw, f"{field.label} is required" if had else None
            return raw, check_custom(field, raw)
        if key in _TEXT_FIELDS:
            return _check_builtin(key, raw)
        return raw, None

    def _date_order(self, raw: dict[str, str]) -> tuple[str, str] | None:
        """(field, message) when the dates typed put the close date before the begin date.

        Checked only once one of them is edited: a deal closed before the begin date it was
        given keeps its other fields editable.
        """
        from dealterm.core.services.deals import check_dates

        if self.deal is None or not {"begin_date", "close_date"} <= raw.keys():
            return None
        saved = self._saved_values(self.deal)
        edited = [k for k in ("close_date", "begin_date") if raw[k].strip() != saved[k].strip()]
        if not edited:
            return None
        begin, begin_error = _check_builtin("begin_date", raw["begin_date"])
        close, close_error = _check_builtin("close_date", raw["close_date"])
        if begin_error or close_error:
            return None  # each says what is wrong with it
        try:
            check_dates(begin, close, field=edited[0])
        except ValidationError as error:
            return error.field or edited[0], error.message
        return None

    def _show_date_order(self) -> None:
        """As the dates are typed: say so under a date that is not a date, else under the
        one that puts the close date before the begin date."""
        raw = self._raw()
        order = self._date_order(raw)
        for key in ("begin_date", "close_date"):
            label = self._errors.get(key)
            if label is None or key not in raw:
                continue
            _value, own = self._error(key, raw[key])
            label.update(own or (order[1] if order is not None and order[0] == key else ""))

    def show_error(self, key: str | None, message: str) -> bool:
        """Put a save's refusal under its field; False when no field of the form is meant."""
        if key is None or key not in self._errors:
            return False
        self._errors[key].update(message)
        for widget in self._rows.get(key, ()):
            widget.display = True
        self._inputs[key].focus()
        return True

    def changes(self, *, show_errors: bool = True) -> dict[str, Any] | None:
        """The fields that differ from the saved deal, parsed; None if any is invalid."""
        if self.deal is None:
            return {}
        raw = self._raw()
        saved = self._saved_values(self.deal)
        result: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        valid = True
        for key, text in raw.items():
            value, error = self._error(key, text)
            if show_errors and key in self._errors:
                self._errors[key].update(error or "")
            if error:
                valid = False
                for widget in self._rows.get(key, ()):
                    widget.display = True
                continue
            if text.strip() == saved.get(key, "").strip():
                continue
            if key in self.customs:
                custom[key] = text.strip() or None
            elif key in _SELECTS:
                result[key] = text or None
            elif key == "probability":
                result[key] = "" if value is None else value
            else:
                result[key] = value
        order = self._date_order(raw)
        if order is not None:
            valid = False
            key, message = order
            if show_errors:
                self.show_error(key, message)
        if "amount" in result and result["amount"] == self.deal.amount:
            del result["amount"]
        if custom:
            result["custom_fields"] = custom
        return result if valid else None

    def is_dirty(self) -> bool:
        """True when the fields differ from the saved deal (valid or not)."""
        if self.deal is None:
            return False
        raw = self._raw()
        saved = self._saved_values(self.deal)
        return any(raw[k].strip() != saved.get(k, "").strip() for k in raw)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _edited(self, event: Message) -> None:
        if self._loading or self.deal is None:
            return
        if isinstance(event, Input.Changed):
            key = (event.input.id or "")[2:]
            if key in ("begin_date", "close_date"):
                self._show_date_order()  # one date's change can be the other's error
            elif key in self._errors:
                _value, error = self._error(key, event.value)
                self._errors[key].update(error or "")
        self.post_message(self.Dirty(self.is_dirty()))
