"""How a kanban card looks: pre-formatted text, so drawing a line costs nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text

from dealterm.core.cards import Card, Marker
from dealterm.core.formatting import format_money

if TYPE_CHECKING:
    from dealterm.core.clock import Clock

__all__ = ["CARD_HEIGHT", "MARKER_STYLE", "CardView", "card_line", "card_view", "marker_text"]

CARD_HEIGHT = 5  # four lines of card and one of space

_KIND_ICON = {"call": "☎", "meeting": "◆", "task": "✓", "email": "✉"}
MARKER_STYLE = {
    Marker.OVERDUE: "bold red",
    Marker.TODAY: "bold green",
    Marker.PLANNED: "grey62",
    Marker.NONE: "bold yellow",
    Marker.CLOSED: "grey50",
}


@dataclass(frozen=True)
class CardView:
    """A card with its four lines ready to draw."""

    card: Card
    amount: str
    marker: str
    marker_style: str
    age: str


def marker_text(card: Card, clock: Clock) -> str:
    """The next-activity marker: "☎ overdue · 26 Nov", "☎ today 15:00", "◆ Tue 03 Dec 10:00",
    "▲ no activity planned"; nothing for a closed deal."""
    icon = _KIND_ICON.get(card.next_kind or "", "●")
    if card.marker == Marker.CLOSED:
        return ""
    if card.marker == Marker.NONE:
        return "▲ no activity planned"
    assert card.next_deadline is not None
    local = clock.to_local(card.next_deadline)
    if card.marker == Marker.OVERDUE:
        return f"{icon} overdue · {local:%d %b}"
    if card.marker == Marker.TODAY:
        return f"{icon} today {local:%H:%M}"
    return f"{icon} {local:%a %d %b %H:%M}"


def card_view(card: Card, *, clock: Clock, locale: str) -> CardView:
    """Format a card once, when its page arrives."""
    age = f"{card.days_in_stage}d"
    if card.rotting:
        age = f"⌛ {age}"
    return CardView(
        card=card,
        amount=format_money(card.amount, card.currency, locale),
        marker=marker_text(card, clock),
        marker_style=MARKER_STYLE.get(card.marker, ""),
        age=age,
    )


def card_line(view: CardView, line: int, width: int) -> Text:
    """One of the card's lines as styled text, ``width`` cells wide (without selection)."""
    card = view.card
    inner = max(1, width - 2)
    if line == 0:
        text = Text(" ") + Text(card.title, style="bold")
    elif line == 1:
        amount = Text(view.amount)
        age = Text(view.age, style="bold dark_orange" if card.rotting else "grey62")
        gap = max(1, inner - amount.cell_len - age.cell_len)
        text = Text(" ") + amount + Text(" " * gap) + age
    elif line == 2:
        text = Text(" ") + Text(card.client or "—", style="italic grey70")
    elif line == 3:
        text = Text(" ") + Text(view.marker, style=view.marker_style)
        if card.next_subject:
            text.append(" · " + card.next_subject, style="grey70")
    else:
        return Text(" " * width)
    text.truncate(width - 1, overflow="ellipsis")
    text.pad_right(width - text.cell_len)
    return text
