"""How a kanban card looks: pre-formatted text, so drawing a line costs nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from dealterm.core.cards import Card, Marker
from dealterm.core.formatting import format_money

if TYPE_CHECKING:
    from dealterm.core.clock import Clock

__all__ = [
    "CARD_HEIGHT",
    "MARKER_STYLE",
    "CardView",
    "card_line",
    "card_segments",
    "card_strip",
    "card_view",
    "marker_text",
]

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


# What a card line is made of: pieces of text, each with the styles Rich would stack on it
# (in order, later ones win), and the styles themselves, combined once per stack.
_Piece = tuple[str, tuple[str | Style, ...]]
_BACKGROUND = Style(bgcolor="grey15")
_SELECTED = Style(bgcolor="grey30")
_CURSOR = "bold bright_cyan"
_combined: dict[tuple[str | Style, ...], Style] = {}


def _style(stack: tuple[str | Style, ...]) -> Style:
    style = _combined.get(stack)
    if style is None:
        parsed = [item if isinstance(item, Style) else Style.parse(item) for item in stack]
        style = _combined[stack] = Style.combine([Style.null(), *parsed])
    return style


def card_segments(view: CardView | None, line: int, width: int, selected: bool) -> list[Segment]:
    """One line of a card (``None``: a card not read yet), ``width`` cells wide.

    The segments Rich gives for the card's line written as ``Text`` and rendered (how it
    was drawn before; the tests keep that version to compare with), built directly: a
    line costs a few microseconds instead of tens, most of drawing a board.
    """
    pieces: list[_Piece]
    if view is None:
        text = " …" if line == 0 else ""
        text += " " * max(0, width - cell_len(text))
        # grey50 is the text's own style, which Rich applies only where a style is stacked
        pieces, styled = [(text, ("grey50",))], False
    elif line >= CARD_HEIGHT - 1:
        return [Segment(" " * width)]
    else:
        pieces = _pad(_truncate(_card_pieces(view, line, width), width - 1), width)
        styled = any(stack for text, stack in pieces if text)
    if selected or line < CARD_HEIGHT - 1:
        background = _SELECTED if selected else _BACKGROUND
        pieces = [(text, (*stack, background)) for text, stack in pieces if text]
        styled = styled or bool(pieces)
    if not styled:
        return [Segment("".join(text for text, _ in pieces))]
    if selected and line == 0:
        # The cursor's bar replaces the first character, and its style goes under the rest
        return [Segment("▌", _style((_CURSOR,)))] + [
            Segment(text, _style((_CURSOR, *stack)))
            for text, stack in _without_first_character(pieces)
        ]
    return [Segment(text, _style(stack)) for text, stack in pieces if text]


def card_strip(view: CardView | None, line: int, width: int, selected: bool, base: Style) -> Strip:
    """:func:`card_line` as a strip exactly ``width`` cells wide, ``base`` around it."""
    return Strip(card_line(view, line, width, selected, base), width).simplify()


def card_line(
    view: CardView | None, line: int, width: int, selected: bool, base: Style
) -> list[Segment]:
    """A card's line as segments filling ``width`` cells (a blank one in ``base`` if the
    card has nothing there), without the cost of a strip: for drawing a screen of cards."""
    return card_segments(view, line, width, selected) or [Segment(" " * width, base)]


def _without_first_character(pieces: list[_Piece]) -> list[_Piece]:
    rest = [piece for piece in pieces if piece[0]]
    if rest:
        text, stack = rest[0]
        rest[0] = (text[1:], stack)
    return [piece for piece in rest if piece[0]]


def _card_pieces(view: CardView, line: int, width: int) -> list[_Piece]:
    # Rich's Text drops the control codes it cannot show (bell, backspace, form feed,
    # carriage return...): a title imported with one must not reach the terminal raw.
    card, clean = view.card, strip_control_codes
    if line == 0:
        return [(" ", ()), (clean(card.title), ("bold",))]
    if line == 1:
        inner = max(1, width - 2)
        amount, age = clean(view.amount), clean(view.age)
        age_style = "bold dark_orange" if card.rotting else "grey62"
        gap = max(1, inner - cell_len(amount) - cell_len(age))
        return [(" ", ()), (amount, ()), (" " * gap, ()), (age, (age_style,))]
    if line == 2:
        return [(" ", ()), (clean(card.client or "—"), ("italic grey70",))]
    if line == 3:
        marker: _Piece = (clean(view.marker), (view.marker_style,) if view.marker_style else ())
        if card.next_subject:
            return [(" ", ()), marker, (clean(" · " + card.next_subject), ("grey70",))]
        return [(" ", ()), marker]
    return []


def _truncate(pieces: list[_Piece], max_width: int) -> list[_Piece]:
    """Rich's ``Text.truncate(max_width, overflow="ellipsis")``: the text is cut to fit
    with "…" at the end, each piece keeping its styles over the characters it had."""
    plain = "".join(text for text, _ in pieces)
    if cell_len(plain) <= max_width:
        return pieces
    plain = set_cell_size(plain, max_width - 1) + "…"
    cut: list[_Piece] = []
    offset = 0
    for text, stack in pieces:
        if offset >= len(plain):
            break
        cut.append((plain[offset : offset + len(text)], stack))
        offset += len(text)
    if offset < len(plain):  # set_cell_size padded a wide character out with spaces
        last, stack = cut[-1] if cut else ("", ())
        cut[-1:] = [(last + plain[offset:], stack)]
    return cut


def _pad(pieces: list[_Piece], width: int) -> list[_Piece]:
    missing = width - sum(cell_len(text) for text, _ in pieces)
    return [*pieces, (" " * missing, ())] if missing > 0 else pieces
