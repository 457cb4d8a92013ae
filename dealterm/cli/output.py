"""Text output of the CLI: deal tables, deal cards, activity lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dealterm.cli.printable import visible
from dealterm.cli.words import counted

if TYPE_CHECKING:
    from rich.text import Text

    from dealterm.core.clock import Clock
    from dealterm.core.readmodels import ActivityRead, DealDetail, DealRead

__all__ = ["console", "print_activities", "print_deal", "print_deal_table"]


class _Console(Console):
    def render_str(self, text: str, **options: Any) -> Text:
        """Every string printed (a line, a table cell) with its control characters shown
        (``\\x1b``) rather than sent: stored values may hold escape sequences. The markup
        itself has none, and a shown control never puts a backslash before a ``[``."""
        return super().render_str(visible(text), **options)

    def on_broken_pipe(self) -> None:
        """The reader has gone (`| head -1`): Rich would exit with 1, we end quietly (0)."""
        from dealterm.cli.pipes import reader_gone

        self.quiet = True
        reader_gone()


def console() -> Console:
    """A console for stdout (no colour and no 80-column squeeze when piped)."""
    import sys

    return _Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 200)


def _day(day: object) -> str:
    from dealterm.core.formatting import show_date

    return show_date(day)  # type: ignore[arg-type]


def _when(moment: object) -> str:
    from dealterm.core.formatting import show_datetime

    return show_datetime(moment)  # type: ignore[arg-type]


def _money(amount: object, currency: str, locale: str) -> str:
    from dealterm.core.formatting import format_money

    return format_money(amount, currency, locale)  # type: ignore[arg-type]


def print_deal_table(deals: list[DealRead], *, locale: str, total: int | None = None) -> None:
    """A table of deals, one per line."""
    out = console()
    if not deals:
        out.print("No deals match.")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    amounts = [_money(deal.amount, deal.currency, locale) for deal in deals]
    # ID, amount and date never shrink: titles and names give way in a narrow terminal.
    fixed = {
        "ID": max(2, *(len(str(d.id)) for d in deals)),
        "Amount": max(6, *(len(a) for a in amounts)),
        "Close": 10,
    }
    for name, justify in (
        ("ID", "right"),
        ("Title", "left"),
        ("Stage", "left"),
        ("Amount", "right"),
        ("Client", "left"),
        ("Responsible", "left"),
        ("Close", "left"),
    ):
        table.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]
            overflow="ellipsis",
            no_wrap=True,
            min_width=fixed.get(name),
        )
    for deal, amount in zip(deals, amounts, strict=True):
        table.add_row(
            str(deal.id),
            escape(deal.title),
            f"[{deal.stage_color}]{escape(deal.stage_name)}[/]",
            amount,
            escape(deal.client),
            escape(deal.responsible),
            _day(deal.close_date),
        )
    out.print(table)
    if total is not None and total > len(deals):
        out.print(f"[dim]{len(deals):,} of {counted(total, 'deal')}; use --limit to see more[/]")


def print_deal(deal: DealDetail, *, locale: str, clock: Clock) -> None:
    """The deal card as text: fields, client, products, activities, timeline."""
    out = console()
    status = {"success": "won", "failure": "lost"}.get(deal.semantics, "open")
    out.print(f"[bold]#{deal.id} {escape(deal.title)}[/]  ({status})")
    fields = [
        (
            "Pipeline / stage",
            f"{escape(deal.pipeline)} / "
            f"[{deal.stage_color}]{escape(deal.stage_name)}[/] ({deal.stage})",
        ),
        (
            "Amount",
            _money(deal.amount, deal.currency, locale)
            + (f" (tax {_money(deal.tax_value, deal.currency, locale)})" if deal.tax_value else "")
            + ("" if deal.manual_amount else " [dim]from products[/]"),
        ),
        ("Probability", f"{deal.probability}%"),
        (
            "Type / source",
            f"{deal.type_name or '—'} / {deal.source_name or '—'}"
            + (f" ({deal.source_description})" if deal.source_description else ""),
        ),
        ("Responsible", deal.responsible),
        ("Begin / close", f"{_day(deal.begin_date)} / {_day(deal.close_date)}"),
        ("Repeat deal", "yes" if deal.repeat else "no"),
    ]
    if deal.lost_reason:
        fields.append(("Lost reason", deal.lost_reason))
    if deal.comments:
        fields.append(("Comments", deal.comments))
    for custom in deal.custom_display:
        fields.append((custom.label, custom.text))
    for label, value in fields:
        out.print(f"  [dim]{label:<17}[/] ", end="")
        out.print(value, markup=label in ("Pipeline / stage", "Amount"))
    out.print("[bold]Client[/]")
    if deal.company:
        extra = ", ".join(deal.company_phones + deal.company_emails)
        out.print(f"  {escape(deal.company)}" + (f"  [dim]{escape(extra)}[/]" if extra else ""))
    for contact in deal.contacts:
        extra = ", ".join(contact.phones + contact.emails)
        mark = " (primary)" if contact.primary and len(deal.contacts) > 1 else ""
        out.print(
            f"  {escape(contact.name)}{mark}" + (f"  [dim]{escape(extra)}[/]" if extra else "")
        )
    if not deal.company and not deal.contacts:
        out.print("  [dim]none[/]")
    if deal.products:
        out.print("[bold]Products[/]")
        for row in deal.products:
            discount = (
                f" -{row.discount_rate.normalize():f}%"
                if row.discount_type == "percent" and row.discount_rate
                else f" -{row.discount_sum}"
                if row.discount_sum
                else ""
            )
            tax = f" tax {row.tax_rate.normalize():f}%" if row.tax_rate else ""
            out.print(
                f"  {escape(row.name)}: {row.price} x {row.quantity.normalize():f} "
                f"{row.measure}{discount}{tax}"
                f" = {_money(row.total, deal.currency, locale)}"
            )
    out.print("[bold]Activities[/]")
    if not deal.activities:
        out.print("  [dim]none planned[/]")
    for activity in deal.activities:
        when = _when(clock.to_local(activity.deadline))
        done = "[green]done[/]" if activity.completed else "planned"
        out.print(f"  #{activity.id} {when} {activity.kind}: {escape(activity.subject)} ({done})")
    out.print("[bold]History[/]")
    for event in deal.history:
        when = _when(clock.to_local(event.at))
        out.print(f"  {when} [dim]{escape(event.author or '—')}[/] {escape(event.description)}")


def print_activities(activities: list[ActivityRead], *, clock: Clock) -> None:
    """Activities, one per line."""
    out = console()
    if not activities:
        out.print("No activities match.")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in ("ID", "Deadline", "Kind", "Subject", "Deal", "Responsible", "Status"):
        table.add_column(name, no_wrap=True, overflow="ellipsis")
    today = clock.today()
    for activity in activities:
        local = clock.to_local(activity.deadline)
        if activity.completed:
            status = "[green]done[/]"
        elif local.date() < today:
            status = "[red]overdue[/]"
        elif local.date() == today:
            status = "[yellow]today[/]"
        else:
            status = "planned"
        table.add_row(
            str(activity.id),
            _when(local),
            activity.kind,
            escape(activity.subject),
            escape(f"#{activity.deal_id} {activity.deal_title or ''}".strip()),
            escape(activity.responsible),
            status,
        )
    out.print(table)
