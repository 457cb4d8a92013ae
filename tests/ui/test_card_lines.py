"""A card's lines, built as segments, are exactly what Rich renders for them as ``Text``.

The board drew each card line as a Rich ``Text`` (concatenated, truncated with an
ellipsis, padded, with the background stacked over it) and rendered it: tens of
microseconds a line, most of drawing a board. ``card_segments`` builds the same segments
directly. The ``Text`` version is kept here as the reference, and compared with over
titles in any script (wide characters included), any width a column can have, the
cursor, and cards not read yet.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from dealterm.core.cards import Card
from dealterm.widgets.card_view import CARD_HEIGHT, MARKER_STYLE, CardView, card_strip

CONSOLE = Console(width=200, color_system="truecolor", force_terminal=True)
BASE = Style(color="white", bgcolor="black")


def reference_line(view: CardView, line: int, width: int) -> Text:
    """The card's line as the board wrote it before, as Rich ``Text``."""
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


def reference_strip(view: CardView | None, line: int, width: int, selected: bool) -> Strip:
    """StageColumn._draw_line as it was, Rich ``Text`` rendered."""
    if view is None:
        text = Text(" …" if line == 0 else "", style="grey50")
        text.pad_right(width - text.cell_len)
    else:
        text = reference_line(view, line, width)
    if selected:
        text.stylize(Style(bgcolor="grey30"))
        if line == 0:
            text = Text("▌", style="bold bright_cyan") + text[1:]
    elif line < CARD_HEIGHT - 1:
        text.stylize(Style(bgcolor="grey15"))
    segments = list(text.render(CONSOLE))
    if not segments:
        return Strip([Segment(" " * width, BASE)], width)
    return Strip(segments, width).crop_extend(0, width, BASE).simplify()


def view_of(
    title: str,
    client: str,
    amount: str,
    age: str,
    marker: str,
    marker_style: str,
    subject: str | None,
    rotting: bool,
) -> CardView:
    card = Card(
        id=1,
        version=1,
        title=title,
        amount=Decimal("1"),
        currency="USD",
        client=client,
        moved_at=datetime(2026, 3, 1),
        days_in_stage=3,
        rotting=rotting,
        closed=False,
        next_deadline=None,
        next_kind=None,
        marker="none",
        next_subject=subject,
    )
    return CardView(card=card, amount=amount, marker=marker, marker_style=marker_style, age=age)


# Letters of several scripts, wide (CJK, emoji) and combining characters, punctuation,
# and the control codes Rich drops (bell, backspace, vertical tab, form feed, return).
TEXT = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ 0123.,-—·…ёжЯ中文字한국😀👍é\u0301\ufe0f&'\"\x07\x08\x0b\x0c\r")
    ),
    max_size=40,
)
STYLES = st.sampled_from(["", *MARKER_STYLE.values()])


VIEWS = st.builds(
    view_of,
    title=TEXT,
    client=TEXT,
    amount=st.sampled_from(["", "$1.00", "€1,234,567.89", "₽ 1 118 181,82", "CHF 1'234.50"]),
    age=st.sampled_from(["0d", "12d", "⌛ 750d"]),
    marker=TEXT,
    marker_style=STYLES,
    subject=st.none() | TEXT,
    rotting=st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(
    view=st.none() | VIEWS,  # None: a card not read yet
    line=st.integers(0, CARD_HEIGHT - 1),
    width=st.integers(3, 40),
    selected=st.booleans(),
)
@example(  # a title cut inside a wide character
    view=view_of("中文字中文字中文字中文字中文字", "", "$1.00", "1d", "", "", None, False),
    line=0,
    width=12,
    selected=True,
)
def test_a_card_line_is_what_rich_renders_for_it(
    view: CardView | None, line: int, width: int, selected: bool
) -> None:
    selected = selected and line < CARD_HEIGHT - 1  # as the column asks
    ours = card_strip(view, line, width, selected, BASE)
    expected = reference_strip(view, line, width, selected)
    assert list(ours) == list(expected)
    assert cell_len(ours.text) == width  # what reaches the terminal, not what Strip was told
    assert not set(ours.text) & set("\x07\x08\x0b\x0c\r")


def test_a_long_title_ends_in_an_ellipsis_and_the_cursor_bar_stays() -> None:
    view = view_of("Annual maintenance contract", "Acme", "$1.00", "3d", "", "", None, False)
    line = card_strip(view, 0, 16, True, BASE)
    assert line.text == "▌Annual mainte… "
