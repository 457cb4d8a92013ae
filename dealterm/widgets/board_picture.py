"""The board screen's first frame as one widget: a picture of the screen.

Textual's work for the board screen's ~60 widgets (lanes, headers, columns, scrollbars,
the header's and the footer's parts) was most of the time from Textual's import to the
first frame. At start, the board screen shows this widget alone: the same header, status
line, stage headers, cards, scrollbars and keys, drawn line by line from the first board
read, cell for cell as the widgets draw them. Right after that frame is on screen, the
screen mounts its widgets and removes the picture (``BoardScreen._show_board``); the
keys typed meanwhile are held by the app and handed on after.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING, Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip
from textual.style import Style as TextualStyle
from textual.widget import Widget

from dealterm.widgets.card_view import CARD_HEIGHT, card_line
from dealterm.widgets.stage_header import HEADER_HEIGHT, header_lines, lane_width

if TYPE_CHECKING:
    from dealterm.core.cards import StageSummary
    from dealterm.widgets.card_view import CardView

__all__ = ["BoardPicture"]


class BoardPicture(Widget):
    """A still picture of the board screen: its header, status line, columns and keys.

    It takes no keys: the app holds them until the board replaces it
    (:meth:`~dealterm.app.DealtermApp.hold_keys`).
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "picture--active",
        "picture--header",
        "picture--status",
        "picture--footer",
        "picture--footer-item",
        "picture--footer-key",
        "picture--footer-description",
        "picture--footer-border",
    }

    # The colours of the widgets it stands for: the active stage header (app.tcss),
    # Textual's Header and Footer, the status line (#board-status in app.tcss). The
    # board's geometry is its own (widgets/board.py, stage_column.py): padding 0 1, lanes
    # of 30 cells (24 for a closed stage) one cell apart, a scrollbar row below them.
    DEFAULT_CSS = """
    BoardPicture {
        height: 1fr;
    }
    BoardPicture > .picture--active {
        background: $boost;
    }
    BoardPicture > .picture--header {
        background: $panel;
        color: $foreground;
    }
    BoardPicture > .picture--status {
        color: $text-muted;
    }
    BoardPicture > .picture--footer {
        color: $footer-foreground;
        background: $footer-background;
    }
    BoardPicture > .picture--footer-item {
        background: $footer-item-background;
    }
    BoardPicture > .picture--footer-key {
        color: $footer-key-foreground;
        background: $footer-key-background;
    }
    BoardPicture > .picture--footer-description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    BoardPicture > .picture--footer-border {
        color: $foreground 20%;
    }
    """

    def __init__(
        self,
        summaries: list[StageSummary],
        pages: dict[int, list[CardView]],
        *,
        base_currency: str,
        locale: str,
        status: str,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.status = status
        self.summaries = summaries
        self.pages = pages
        self.base_currency = base_currency
        self.locale = locale
        self._lines: dict[int, Strip] = {}
        self._drawn_for: tuple[Any, ...] | None = None

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        base = self.rich_style
        drawn_for = (width, height, base)
        if drawn_for != self._drawn_for:
            self._lines = self._draw(width, height, base)
            self._drawn_for = drawn_for
        return self._lines.get(y) or Strip.blank(width, base)

    def _draw(self, width: int, height: int, base: Style) -> dict[int, Strip]:
        """Every line of the picture, drawn at once (it is drawn about once): the header,
        the status line, the board and the footer, as the board screen lays them out."""
        lines: dict[int, Strip] = {}
        if height <= 0 or width <= 0:
            return lines
        lines[0] = self._header_line(width)
        if height > 1:
            lines[height - 1] = self._footer_line(width)
        if height > 2:
            status = [
                Segment("  ", base),
                Segment(self.status, self._over_screen("picture--status")),
            ]
            lines[1] = Strip(status).crop_extend(0, width, base)
        if height > 3:
            for y, strip in self._board_lines(width, height - 3, base).items():
                lines[2 + y] = strip
        return lines

    def _header_line(self, width: int) -> Strip:
        """Textual's Header: its icon, the title centred between the icon and the clock's
        space."""
        app = self.app
        style = self._over_screen("picture--header")
        title = app.format_title(
            self.screen.title or app.title, self.screen.sub_title or app.sub_title
        )
        middle = max(0, width - 18)
        line = title.truncate(middle, ellipsis=True).center(middle)
        segments = [
            Segment(" ⭘".ljust(8), style),
            *line.render_segments(TextualStyle.from_rich_style(style)),
        ]
        return Strip(segments).crop_extend(0, width, style)

    def _footer_line(self, width: int) -> Strip:
        """Textual's Footer (not compact): the screen's keys that show, grouped as it
        groups them, and the command palette's key on the right."""
        app = self.app
        footer = self._over_screen("picture--footer")
        item = footer + self._over(footer, "picture--footer-item")
        key = item + self._over(item, "picture--footer-key") + Style(bold=True)
        description = item + self._over(item, "picture--footer-description")
        label = footer + self._over(footer, "picture--footer-description")
        gap = Segment(" ", footer)

        def shown(enabled: bool, text: str, style: Style) -> Segment:
            """A key's part, dim while its action is disabled (Textual's ``-disabled``)."""
            return Segment(text, style if enabled else style + Style(dim=True))

        def display(binding: Any) -> str:
            return str(app.get_key_display(binding))

        bindings = self.screen.active_bindings
        by_action: dict[str, list[tuple[Any, bool]]] = {}
        for _node, binding, enabled, _tooltip in bindings.values():
            if binding.show:
                by_action.setdefault(binding.action, []).append((binding, enabled))
        segments: list[Segment] = []
        for group, runs in groupby(by_action.values(), lambda run: run[0][0].group):
            keys = [run[0] for run in runs]
            if group is not None and len(keys) > 1:  # keys side by side, then the label
                if group.compact:  # padded by one cell before, a margin of one after
                    segments.append(gap)
                    segments += [shown(on, display(b), key) for b, on in keys]
                    segments.append(gap)
                else:  # each key with a margin of one cell on both sides
                    for b, on in keys:
                        segments += [gap, shown(on, display(b), key), gap]
                segments += [Segment(group.description, label), gap]
                continue
            for b, on in keys:
                segments.append(shown(on, f" {display(b)} ", key))
                segments.append(shown(on, f"{b.description} ", description))
        palette: list[Segment] = []
        found = bindings.get(app.COMMAND_PALETTE_BINDING) if app.ENABLE_COMMAND_PALETTE else None
        if found is not None:
            _node, binding, enabled, _tooltip = found
            border = item + self._over(item, "picture--footer-border")
            palette = [
                Segment("▏", border),
                shown(enabled, display(binding), key),
                shown(enabled, f" {binding.description}", description),
                Segment(" ", item),
            ]
        room = max(0, width - Segment.get_line_length(palette))
        return Strip([*Strip(segments).crop_extend(0, room, footer), *palette]).crop_extend(
            0, width, footer
        )

    def _over_screen(self, name: str) -> Style:
        """A component's colours, its background laid over the screen's."""
        return self._over(self.rich_style, name)

    def _over(self, under: Style, name: str) -> Style:
        """A component's colours over a style: its background and text colour blended
        onto ``under``'s background, as Textual lays a widget over its parent."""
        styles = self.get_component_styles(name)
        back = Color.from_rich_color(under.bgcolor) if under.bgcolor else Color(0, 0, 0)
        back = back + styles.background
        style = Style(bgcolor=back.rich_color)
        if styles.has_rule("color"):
            color = styles.color
            if styles.has_rule("auto_color") and styles.auto_color:  # "auto": a contrast
                color = back.get_contrast_text(color.a)
            style += Style(color=(back + color).rich_color)
        return style

    def _board_lines(self, width: int, height: int, base: Style) -> dict[int, Strip]:
        """The board's lines: its lanes and, below, its horizontal scrollbar.

        Each lane is drawn as strips of known width (lane and margin) and cut where the
        board's right padding starts: no line is measured again.
        """
        inside = max(0, width - 2)  # between the board's padding
        total = sum(lane_width(summary.stage) + 1 for summary in self.summaries)
        scrolls_sideways = total > inside
        # A horizontal scrollbar's row below the lanes when they do not all fit.
        lanes = max(0, height - 1 if scrolls_sideways else height)
        # The board's padding and the lanes' margins: its background only.
        gap = Segment(" ", Style(bgcolor=base.bgcolor))
        # Each line's segments and how many cells they fill: one strip per line at the
        # end, not one per lane and line (a strip is costly to make).
        rows: list[list[Segment]] = [[gap] for _ in range(lanes)]
        filled = [1] * lanes
        boost = self.get_component_styles("picture--active").background
        active = base + Style(bgcolor=(self.background_colors[1] + boost).rich_color)
        bar_back, bar_color = self._scrollbar_colors()
        console = self.app.console
        x = 0  # where the next lane starts, inside the padding
        for index, summary in enumerate(self.summaries):
            lane = lane_width(summary.stage)
            room, x = inside - x, x + lane + 1
            if room <= 0:
                continue

            def put(y: int, segments: list[Segment], room: int = room, lane: int = lane) -> None:
                """A line of the lane (``lane`` cells and the margin), cut where it must."""
                if lane + 1 <= room:
                    rows[y] += segments
                    filled[y] += lane + 1
                else:
                    rows[y] += Strip(segments, lane + 1).crop(0, room)
                    filled[y] += room

            header_style = active if index == 0 else base
            texts = header_lines(
                summary,
                base_currency=self.base_currency,
                locale=self.locale,
                active=index == 0,
                width=lane,
            )
            # Wrapped as the header's Static wraps them, cut at its height.
            wrapped = Text("\n").join(texts).wrap(console, lane - 2)
            for line in range(min(HEADER_HEIGHT, lanes)):
                pieces = [Segment(" ", header_style)]
                if line < len(wrapped):
                    pieces += Segment.apply_style(wrapped[line].render(console), header_style)
                put(line, [*Strip(pieces).crop_extend(0, lane, header_style), gap])
            column = lanes - HEADER_HEIGHT
            if column <= 0:
                continue
            cards = self.pages.get(summary.stage.id, [])
            scrolls = summary.count * CARD_HEIGHT > column
            card_width = lane - 1 if scrolls else lane
            bar: list[Segment] = []
            if scrolls:
                drawn = ScrollBarRender.render_bar(
                    size=column,
                    virtual_size=summary.count * CARD_HEIGHT,
                    window_size=column,
                    back_color=bar_back,
                    bar_color=bar_color,
                ).segments
                # Drawn over the column's style, as Textual's compositor does.
                bar = [Segment(seg.text, base + seg.style) for seg in drawn if seg.text != "\n"]
            blank = Segment(" ", base)
            empty = [Segment(" " * card_width, base)]
            for line in range(column):
                row, part = divmod(line, CARD_HEIGHT)
                if row >= summary.count:
                    segments = empty
                else:
                    view = cards[row] if row < len(cards) else None
                    selected = index == 0 and row == 0 and part < CARD_HEIGHT - 1
                    segments = card_line(view, part, card_width, selected, base)
                if scrolls:
                    put(
                        HEADER_HEIGHT + line,
                        [*segments, bar[line] if line < len(bar) else blank, gap],
                    )
                else:
                    put(HEADER_HEIGHT + line, [*segments, gap])
        lines = {}
        for y, segments in enumerate(rows):
            if filled[y] < inside + 1:  # no lane reaches the right: the board's background
                segments.append(Segment(" " * (inside + 1 - filled[y]), base))
            segments.append(gap)
            lines[y] = Strip(segments, max(filled[y], inside + 1) + 1)
        if scrolls_sideways and height > 0:
            segments = ScrollBarRender.render_bar(
                size=inside,
                virtual_size=total,
                window_size=inside,
                vertical=False,
                back_color=bar_back,
                bar_color=bar_color,
            ).segments
            segments = [Segment(seg.text, base + seg.style) for seg in segments if seg.text != "\n"]
            lines[height - 1] = Strip([gap, *segments, gap]).crop_extend(0, width, base)
        return lines

    def _scrollbar_colors(self) -> tuple[Any, Any]:
        """The scrollbars' colours as Textual's ``ScrollBar.render`` works them out."""
        styles = self.styles
        background = styles.scrollbar_background
        if background.a < 1:
            background = self.background_colors[0] + background
        return background.rich_color, (background + styles.scrollbar_color).rich_color
