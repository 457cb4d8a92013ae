"""The filter form (`f`): presets, saved filters and every condition, shared by all views."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select

from dealterm.core.errors import ValidationError
from dealterm.core.filters import PRESETS, DealFilter, Status
from dealterm.core.validation import parse_amount, parse_date
from dealterm.widgets.footer import KeyFooter

__all__ = ["FilterChoices", "FilterModal", "FilterResult"]


@dataclass(frozen=True)
class FilterChoices:
    """Options of the select boxes, read before the form opens."""

    users: list[tuple[str, str]]
    currencies: list[tuple[str, str]]
    types: list[tuple[str, str]]
    sources: list[tuple[str, str]]
    saved: list[DealFilter]
    fields: list[str] = field(default_factory=list)  # labels of the custom fields


@dataclass(frozen=True)
class FilterResult:
    """What the user chose: a filter to apply (None clears it), maybe saved or deleted."""

    filter: DealFilter | None
    save_as: str | None = None
    delete: str | None = None


STATUSES = (
    ("Any", "any"),
    ("In progress", "open"),
    ("Won", "won"),
    ("Lost", "lost"),
    ("Closed", "closed"),
)
REPEAT = (("Any", "any"), ("Repeat deals only", "yes"), ("First deals only", "no"))
DATES = ("created_from", "created_to", "close_from", "close_to")
# The inputs whose text is parsed, and the row (its message line) each belongs to.
ROW_OF = {
    "amount_min": "amount",
    "amount_max": "amount",
    "created_from": "created",
    "created_to": "created",
    "close_from": "close",
    "close_to": "close",
    "custom": "custom",
}


class FilterModal(ModalScreen[FilterResult | None]):
    """Conditions checked as you save; the header of every view shows the result.

    A value that does not parse keeps the form open: its input gets the focus, scrolled
    into view, with the message on the line under it.
    """

    DEFAULT_CSS = """
    FilterModal .f-cell {
        height: auto;
    }
    FilterModal .f-error {
        width: 100%;
    }
    FilterModal Input.-refused {
        border: tall $error 60%;
    }
    FilterModal Input.-refused:focus {
        border: tall $error;
    }
    """

    # Under the form's width (app.tcss) its buttons take only their labels' width, so
    # the five fit an 80-column terminal. (Not ClassVar: Textual declares it "ClassVar[...]
    # | None", which mypy reads as an instance variable.)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (92, "-wide")]  # noqa: RUF012

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Apply", id="filter_form.apply"),
        Binding("escape", "cancel", "Cancel", id="filter_form.cancel"),
    ]

    def __init__(self, current: DealFilter | None, choices: FilterChoices) -> None:
        super().__init__()
        self.current = current or DealFilter()
        self.choices = choices
        examples = [f"{label}=…" for label in choices.fields[:2]]
        self.custom_hint = (
            "; ".join(examples) + "  (>, <, FROM..TO, * any, - none)"
            if examples
            else "no custom fields yet (settings: s)"
        )

    def compose(self) -> ComposeResult:
        flt = self.current
        presets = [(name, f"preset:{name}") for name in PRESETS]
        saved = [(f"★ {f.name}", f"saved:{f.name}") for f in self.choices.saved]
        with Vertical(classes="dialog form"):
            yield Label("Filter deals", classes="dialog-title")
            with VerticalScroll(), Grid(id="filter-grid"):
                yield Label("Start from")
                yield Select(presets + saved, prompt="a preset or saved filter", id="f-start")
                yield Label("Words")
                yield Input(
                    flt.search or "",
                    placeholder="title, client, contact, comment",
                    id="f-search",
                )
                yield Label("Status")
                yield Select(STATUSES, value=flt.status.value, allow_blank=False, id="f-status")
                yield Label("Responsible")
                yield Select(
                    [("Me", "me"), *self.choices.users],
                    value=_value(flt.responsible),
                    prompt="anyone",
                    id="f-responsible",
                )
                yield Label("Amount from / to")
                with Vertical(classes="f-cell"):
                    with Horizontal(classes="inline"):
                        yield Input(_text(flt.amount_min), placeholder="min", id="f-amount_min")
                        yield Input(_text(flt.amount_max), placeholder="max", id="f-amount_max")
                    yield _row_error("amount")
                yield Label("Currency")
                yield Select(
                    self.choices.currencies,
                    value=_value(flt.currency),
                    prompt="any",
                    id="f-currency",
                )
                yield Label("Type")
                yield Select(
                    self.choices.types, value=_value(flt.deal_type), prompt="any", id="f-type"
                )
                yield Label("Source")
                yield Select(
                    self.choices.sources, value=_value(flt.source), prompt="any", id="f-source"
                )
                for row, label in (("created", "Created"), ("close", "Closing")):
                    yield Label(f"{label} from / to")
                    with Vertical(classes="f-cell"):
                        with Horizontal(classes="inline"):
                            for key in (f"{row}_from", f"{row}_to"):
                                yield Input(
                                    _text(getattr(flt, key)),
                                    placeholder="YYYY-MM-DD",
                                    id=f"f-{key}",
                                )
                        yield _row_error(row)
                yield Label("Repeat")
                repeat = "any" if flt.repeat is None else ("yes" if flt.repeat else "no")
                yield Select(REPEAT, value=repeat, allow_blank=False, id="f-repeat")
                yield Label("Activities")
                with Horizontal(classes="inline"):
                    yield Checkbox("without activities", flt.without_activities, id="f-without")
                    yield Checkbox("overdue", flt.overdue, id="f-overdue")
                yield Label("Custom fields")
                custom = "; ".join(f"{code}={value}" for code, value in flt.custom)
                with Vertical(classes="f-cell"):
                    yield Input(
                        custom,
                        placeholder=self.custom_hint,
                        id="f-custom",
                        tooltip="FIELD=VALUE, FIELD>VALUE, FIELD=FROM..TO, FIELD=* (any), "
                        "FIELD=- (none); separate conditions with ;",
                    )
                    yield _row_error("custom")
            # Outside the scrolled fields: a message about the whole form is always in sight.
            error = Label("", id="filter-error", classes="error")
            error.display = False
            yield error
            with Horizontal(classes="buttons"):
                yield Button("Apply (ctrl+s)", variant="primary", id="apply")
                yield Button("Save as…", id="save")
                yield Button("Delete saved", id="delete")
                yield Button("Clear", variant="warning", id="clear")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#f-search", Input).focus()

    @on(Select.Changed, "#f-start")
    def _start_from(self, event: Select.Changed) -> None:
        value = str(event.value) if event.value is not Select.NULL else ""
        kind, _, name = value.partition(":")
        if kind == "preset":
            chosen = PRESETS[name]
        elif kind == "saved":
            chosen = next((f for f in self.choices.saved if f.name == name), DealFilter())
        else:
            return
        self.current = chosen
        self._fill(chosen)

    def _fill(self, flt: DealFilter) -> None:
        self.query_one("#f-search", Input).value = flt.search or ""
        self.query_one("#f-status", Select).value = flt.status.value
        self._select("#f-responsible", flt.responsible)
        self._select("#f-currency", flt.currency)
        self._select("#f-type", flt.deal_type)
        self._select("#f-source", flt.source)
        self.query_one("#f-amount_min", Input).value = _text(flt.amount_min)
        self.query_one("#f-amount_max", Input).value = _text(flt.amount_max)
        for key in DATES:
            self.query_one(f"#f-{key}", Input).value = _text(getattr(flt, key))
        self.query_one("#f-repeat", Select).value = (
            "any" if flt.repeat is None else ("yes" if flt.repeat else "no")
        )
        self.query_one("#f-without", Checkbox).value = flt.without_activities
        self.query_one("#f-overdue", Checkbox).value = flt.overdue
        self.query_one("#f-custom", Input).value = "; ".join(f"{c}={v}" for c, v in flt.custom)

    def _select(self, selector: str, value: object) -> None:
        select = self.query_one(selector, Select)
        try:
            select.value = _value(value)
        except Exception:
            select.clear()

    def _say(self, message: str) -> None:
        """Show (or, with "", hide) a message about the whole form above the buttons."""
        error = self.query_one("#filter-error", Label)
        error.update(message)
        error.display = bool(message)

    def _clear_errors(self) -> None:
        self._say("")
        for label in self.query(".f-error").results(Label):
            label.update("")
            label.display = False
        for box in self.query("Input.-refused").results(Input):
            box.remove_class("-refused")

    def _show_error(self, key: str, message: str) -> None:
        """Put ``message`` under the input ``key``, focus it and scroll both into view."""
        box = self.query_one(f"#f-{key}", Input)
        box.add_class("-refused")
        label = self.query_one(f"#e-{ROW_OF[key]}", Label)
        label.update(message)
        label.display = True
        box.focus(scroll_visible=False)
        cell = label.parent
        # After the message's line is laid out, so the scroll takes it in too.
        if isinstance(cell, Widget):
            self.call_after_refresh(cell.scroll_visible, animate=False)

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        # Typing in a field that was refused takes its message away.
        if not event.input.has_class("-refused"):
            return
        event.input.remove_class("-refused")
        key = (event.input.id or "").removeprefix("f-")
        label = self.query_one(f"#e-{ROW_OF[key]}", Label)
        label.update("")
        label.display = False

    def _read(self) -> DealFilter | None:
        self._clear_errors()
        parsing = ""  # the input being read when a value is refused
        try:
            values: dict[str, object] = {}
            values["search"] = self.query_one("#f-search", Input).value.strip() or None
            values["status"] = Status(str(self.query_one("#f-status", Select).value))
            for key, selector in (
                ("responsible", "#f-responsible"),
                ("currency", "#f-currency"),
                ("deal_type", "#f-type"),
                ("source", "#f-source"),
            ):
                chosen = self.query_one(selector, Select).value
                values[key] = None if chosen is Select.NULL else str(chosen)
            for key in ("amount_min", "amount_max"):
                parsing = key
                raw = self.query_one(f"#f-{key}", Input).value.strip()
                values[key] = parse_amount(raw, field=key, label="Amount") if raw else None
            for key in DATES:
                parsing = key
                raw = self.query_one(f"#f-{key}", Input).value.strip()
                values[key] = (
                    parse_date(raw, field=key, label=key.replace("_", " ").capitalize())
                    if raw
                    else None
                )
            repeat = str(self.query_one("#f-repeat", Select).value)
            values["repeat"] = None if repeat == "any" else repeat == "yes"
            values["without_activities"] = self.query_one("#f-without", Checkbox).value
            values["overdue"] = self.query_one("#f-overdue", Checkbox).value
            parsing = "custom"
            values["custom"] = _custom(self.query_one("#f-custom", Input).value)
        except ValidationError as exc:
            if parsing in ROW_OF:
                self._show_error(parsing, exc.message)
            else:
                self._say(exc.message)
            return None
        flt = DealFilter(**values)  # type: ignore[arg-type]
        name = (
            self.current.name
            if self.current.name and flt.conditions() == self.current.conditions()
            else None
        )
        return replace(flt, name=name)

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        flt = self._read()
        if flt is not None:
            self.dismiss(FilterResult(None if flt.is_empty else flt))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        flt = self._read()
        if flt is None:
            return
        if flt.is_empty:
            self._say("Set a condition before saving")
            return

        def saved_as(name: str | None) -> None:
            if name:
                self.dismiss(FilterResult(replace(flt, name=name), save_as=name))

        self.app.push_screen(_prompt("Save this filter as", flt.name or ""), saved_as)

    @on(Button.Pressed, "#delete")
    def _delete(self) -> None:
        if not self.current.name or self.current.name not in {f.name for f in self.choices.saved}:
            self._say("Pick a saved filter (★) in “Start from” to delete it")
            return
        self.dismiss(FilterResult(None, delete=self.current.name))

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        self.dismiss(FilterResult(None))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _prompt(question: str, value: str):  # type: ignore[no-untyped-def]
    from dealterm.screens.prompt import PromptModal

    return PromptModal(question, value)


def _row_error(row: str) -> Label:
    """The (hidden) line under a row of inputs where a refused value is explained."""
    label = Label("", id=f"e-{row}", classes="error f-error")
    label.display = False
    return label


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date | Decimal):
        return str(value)
    return str(value)


def _value(value: object) -> object:
    return Select.NULL if value in (None, "") else str(value)


def _custom(text: str) -> tuple[tuple[str, str], ...]:
    from dealterm.core.filters import parse_custom_condition

    return tuple(parse_custom_condition(item) for item in text.split(";") if item.strip())
