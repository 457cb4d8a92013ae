"""The command palette (ctrl+p): new deal, open a deal by title, switch pipeline or view..."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from dealterm.app import DealtermApp

__all__ = ["DealCommands"]

_VIEWS = (
    ("board", "Board"),
    ("list", "List"),
    ("activities", "Activities"),
    ("calendar", "Calendar"),
)


class DealCommands(Provider):
    """Commands of the CRM, plus every deal whose title matches what is typed."""

    @property
    def dt_app(self) -> DealtermApp:
        return self.app  # type: ignore[return-value]

    def _commands(self) -> list[tuple[str, str, Any]]:
        from dealterm.screens.help import screen_commands

        # The actions of the screen in sight, from its keys (with their keys and ids): the
        # screen the palette was opened over (app.screen is the palette).
        screen = self.screen
        app = self.dt_app
        commands: list[tuple[str, str, Any]] = list(screen_commands(screen))
        in_view = app.is_view(screen)
        if app.deal_filter is not None and in_view:
            commands.append(
                (
                    "Clear the filter",
                    f"{app.key_of('app.clear_filter')} · app.clear_filter · every deal again",
                    app.action_clear_filter,
                )
            )
        for mode, label in _VIEWS:
            if in_view and mode == app.current_mode:
                continue  # the view in sight
            commands.append(
                (
                    f"Switch view: {label}",
                    f"Show the {label.lower()} view",
                    partial(self.app.switch_mode, mode),
                )
            )
        settings = self.dt_app.action_settings
        from dealterm.screens.settings import SECTIONS

        for section, label in SECTIONS:
            commands.append(
                (f"Settings: {label}", f"Set up {label.lower()}", partial(settings, section))
            )
        commands.append(("Keys", "List every key of this screen", self.app.action_help))
        for title, help_text, name in (
            ("Recurring deals", "Templates that create deals on a schedule", "recurring"),
            ("Sales scenarios", "Create deals for a segment of your clients", "scenarios"),
            (
                "Repeat-sale suggestions",
                "Clients due to buy again, with the evidence",
                "suggestions",
            ),
        ):
            commands.append((title, help_text, partial(self.dt_app.action_open_screen, name)))
        commands.append(
            (
                "Import deals…",
                "From a CSV/TSV file or a Bitrix24, amoCRM, Pipedrive or HubSpot export",
                partial(self.dt_app.action_open_screen, "import"),
            )
        )
        commands.append(
            (
                "Export deals (current filter)…",
                "Write the deals the filter matches to a CSV or JSON file",
                self._export_deals,
            )
        )
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
        crm = self.dt_app.crm
        if crm is None or len(query.strip()) < 2:
            return
        pipelines = await asyncio.to_thread(crm.pipelines)
        for pipeline in pipelines:
            title = f"Pipeline: {pipeline.name}"
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self._switch_pipeline, pipeline.id),
                    help="Show this pipeline on the board",
                )
        deals = await asyncio.to_thread(crm.search_deals, query.strip(), 20)
        for deal in deals:
            title = f"Open: {deal.title}"
            score = max(matcher.match(deal.title), 0.5)
            yield Hit(
                score,
                matcher.highlight(title),
                partial(self._open_deal, deal.id),
                help=f"#{deal.id} · {deal.stage_name} · {deal.client or 'no client'}",
            )

    def _switch_pipeline(self, pipeline_id: int) -> None:
        app = self.dt_app
        crm = app.crm
        if crm is None:
            return
        app.switch_mode("board")
        app.run_worker(self._apply_pipeline(pipeline_id), exclusive=True, group="palette")

    async def _apply_pipeline(self, pipeline_id: int) -> None:
        app = self.dt_app
        assert app.crm is not None
        pipelines = await asyncio.to_thread(app.crm.pipelines)
        app.pipeline = next(p for p in pipelines if p.id == pipeline_id)
        screen = app.screen
        if hasattr(screen, "reload"):
            screen.reload(new_pipeline=True)

    def _open_deal(self, deal_id: int) -> None:
        from dealterm.screens.board import BoardScreen

        screen = self.app.screen
        if isinstance(screen, BoardScreen):
            screen.open_card(deal_id)
        else:
            from dealterm.screens.deal_card import DealCardScreen

            self.app.push_screen(DealCardScreen(deal_id))

    def _export_deals(self) -> None:
        from dealterm.screens.export_dialog import export_deals_flow

        app = self.dt_app
        if app.crm is None:
            return
        app.run_worker(
            export_deals_flow(app, app.crm, flt=app.deal_filter),
            group="export",
            exit_on_error=False,
        )
