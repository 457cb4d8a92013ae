"""The deal card's table sections: products, activities, history (and the client view)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from dealterm.core.formatting import format_money
from dealterm.widgets.table import Table

if TYPE_CHECKING:
    from dealterm.core.clock import Clock
    from dealterm.core.readmodels import DealDetail

__all__ = ["ActivitiesSection", "ClientView", "HistorySection", "ProductsSection"]


class _Table(Table[str | Text]):
    """A read-only table whose rows are keyed by record id."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def selected_key(self) -> str | None:
        """The key of the highlighted row."""
        if not self.row_count:
            return None
        key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return str(key.value) if key.value is not None else None


class _ProductsTable(_Table):
    """The product rows: enter edits the highlighted row (the table takes enter first)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Edit row", id="card.product_edit"),
    ]


class ProductsSection(Vertical):
    """Product rows with totals.

    `n` adds, `enter` edits, `delete` removes, `t` switches between a manual amount and one
    that follows the rows.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add", "Add row", id="card.product_add"),
        Binding("delete", "remove", "Delete row", id="card.product_delete"),
        Binding("t", "toggle_manual", "Manual/auto amount", id="card.amount_mode"),
    ]

    class Action(Message):
        """The user asked to add, edit or delete a row, or toggle the amount mode."""

        def __init__(self, action: str, row_id: int | None = None) -> None:
            super().__init__()
            self.action = action
            self.row_id = row_id

    def compose(self) -> ComposeResult:
        table = _ProductsTable(id="products-table")
        table.add_columns("Product", "Price", "Qty", "Discount", "Tax", "Total")
        yield table
        yield Static("", id="products-total")

    def show(self, deal: DealDetail, locale: str) -> None:
        """Fill the table from the deal."""
        table = self.query_one(_Table)
        table.clear()
        for row in deal.products:
            discount = (
                f"{row.discount_rate.normalize():f}%"
                if row.discount_type == "percent" and row.discount_rate
                else f"{row.discount_sum} /unit"
                if row.discount_sum
                else ""
            )
            tax = (
                ""
                if row.tax_rate is None
                else f"{row.tax_rate.normalize():f}%" + (" incl." if row.tax_included else "")
            )
            table.add_row(
                row.name,
                f"{row.price}",
                f"{row.quantity.normalize():f} {row.measure}",
                discount,
                tax,
                format_money(row.total, deal.currency, locale),
                key=str(row.id),
            )
        mode = (
            "manual amount (press t to follow the products)"
            if deal.manual_amount
            else "the amount follows the products (t: manual)"
        )
        # Total and tax are the rows' own: a manual amount keeps the deal's stored tax as
        # it was typed (or as the rows once gave it), which is not what the rows say now.
        total = sum((r.total for r in deal.products), start=deal.amount * 0)
        rows_tax = sum((r.tax for r in deal.products), start=deal.amount * 0)
        count = len(deal.products)
        self.query_one("#products-total", Static).update(
            f"{count} row{'' if count == 1 else 's'} · "
            f"total {format_money(total, deal.currency, locale)} · "
            f"tax {format_money(rows_tax, deal.currency, locale)} · deal amount "
            f"{format_money(deal.amount, deal.currency, locale)} — {mode}"
        )

    def _selected(self) -> int | None:
        key = self.query_one(_Table).selected_key()
        return int(key) if key else None

    @on(DataTable.RowSelected, "#products-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_add(self) -> None:
        self.post_message(self.Action("add"))

    def action_edit(self) -> None:
        if (row := self._selected()) is not None:
            self.post_message(self.Action("edit", row))

    def action_remove(self) -> None:
        if (row := self._selected()) is not None:
            self.post_message(self.Action("delete", row))

    def action_toggle_manual(self) -> None:
        self.post_message(self.Action("toggle"))


class ActivitiesSection(Vertical):
    """Planned and done activities; `a` plans, `d` completes, `r` reschedules, `delete` removes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "act('plan')", "Plan", id="card.activity_plan"),
        Binding("d", "act('done')", "Done", id="card.activity_done"),
        Binding("r", "act('reschedule')", "Reschedule", id="card.activity_reschedule"),
        Binding("delete", "act('delete')", "Delete", id="card.activity_delete"),
    ]

    class Action(Message):
        """The user asked to plan, complete, reschedule or delete an activity."""

        def __init__(self, action: str, activity_id: int | None = None) -> None:
            super().__init__()
            self.action = action
            self.activity_id = activity_id

    def compose(self) -> ComposeResult:
        table = _Table(id="activities-table")
        table.add_columns("When", "Kind", "Subject", "Responsible", "Status")
        yield table

    def show(self, deal: DealDetail, clock: Clock) -> None:
        """Fill the table: open activities first, soonest first."""
        table = self.query_one(_Table)
        table.clear()
        today = clock.today()
        for activity in deal.activities:
            local = clock.to_local(activity.deadline)
            if activity.completed:
                status = Text("done", style="green")
            elif local.date() < today:
                status = Text("overdue", style="bold red")
            elif local.date() == today:
                status = Text("today", style="bold green")
            else:
                status = Text("planned", style="grey70")
            table.add_row(
                local.strftime("%Y-%m-%d %H:%M"),
                activity.kind,
                activity.subject,
                activity.responsible,
                status,
                key=str(activity.id),
            )

    def action_act(self, action: str) -> None:
        key = self.query_one(_Table).selected_key()
        if action != "plan" and key is None:
            self.notify("No activity selected", severity="warning", timeout=2)
            return
        self.post_message(self.Action(action, int(key) if key else None))


class HistorySection(Vertical):
    """The timeline, newest first; `c` adds a comment."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "comment", "Comment", id="card.comment"),
    ]

    class CommentWanted(Message):
        """The user wants to write a comment."""

    def compose(self) -> ComposeResult:
        table = _Table(id="history-table")
        table.add_columns("When", "Author", "Kind", "Description")
        yield table

    def show(self, deal: DealDetail, clock: Clock) -> None:
        """Fill the timeline."""
        table = self.query_one(_Table)
        table.clear()
        for event in deal.history:
            table.add_row(
                clock.to_local(event.at).strftime("%Y-%m-%d %H:%M"),
                event.author or "—",
                event.kind.replace("_", " "),
                event.description,
                key=str(event.id),
            )

    def action_comment(self) -> None:
        self.post_message(self.CommentWanted())


class ClientView(Vertical):
    """Company and contacts with their phones and e-mails."""

    def compose(self) -> ComposeResult:
        yield Label("", id="client-text")

    def show(self, deal: DealDetail) -> None:
        """Draw the client."""
        text = Text()
        text.append("Company\n", style="bold")
        if deal.company:
            text.append(f"  {deal.company}\n")
            for phone in deal.company_phones:
                text.append(f"    ☎ {phone}\n", style="grey70")
            for email in deal.company_emails:
                text.append(f"    ✉ {email}\n", style="grey70")
        else:
            text.append("  —\n", style="grey50")
        text.append("\nContacts\n", style="bold")
        if not deal.contacts:
            text.append("  —\n", style="grey50")
        for contact in deal.contacts:
            text.append(
                f"  {contact.name}"
                + ("  (primary)" if contact.primary and len(deal.contacts) > 1 else "")
                + "\n"
            )
            for phone in contact.phones:
                text.append(f"    ☎ {phone}\n", style="grey70")
            for email in contact.emails:
                text.append(f"    ✉ {email}\n", style="grey70")
        self.query_one("#client-text", Label).update(text)
