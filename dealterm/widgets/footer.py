"""The key footer: Textual's Footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen

__all__ = ["KeyFooter"]


class KeyFooter(Footer):
    """Textual's footer, recomposed only when what it shows changes.

    Textual's footer builds a widget per key again whenever the screen's bindings are
    updated: on every switch between the views and on every focus change. At 15-20 keys
    that was 150-250 ms of each switch between views (benchmark figure 5). The keys
    shown, their labels and whether they are enabled are compared first; the same keys
    keep the same widgets.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None

    def _keys(self, screen: Screen[Any]) -> tuple[Any, ...]:
        app = self.app
        keys = tuple(
            (
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                binding.group,
                enabled,
                tooltip,
            )
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show or binding.key == app.COMMAND_PALETTE_BINDING
        )
        return (*keys, self.show_command_palette, self.compact)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys(self.screen)
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # Textual's keys start compact and are bound to the footer's (not compact; the
                # command palette's key is not bound and stays compact):
                # each key's watcher then restyled it once more before it was even mounted,
                # ~25 ms of a start for 20 keys. Born with the footer's value, none changes.
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if (
            self._bindings_ready
            and self.is_attached
            and screen is self.screen
            and self._shown is not None
            and self._keys(screen) == self._shown
        ):
            return
        super().bindings_changed(screen)
