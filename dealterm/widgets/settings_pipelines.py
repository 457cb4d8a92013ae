"""Settings: pipelines (left) and the stages of the highlighted pipeline (right)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label

from dealterm.core.setup import PipelineRow, StageRow
from dealterm.screens.form import FormField, FormModal, swatch
from dealterm.widgets.settings_base import KeyedTable, SettingsPane

__all__ = ["PipelinesPane"]

_KINDS = {"process": "in progress", "success": "success", "failure": "failure"}


class PipelineTable(KeyedTable):
    """The pipelines: add, rename, delete, make default, reorder."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "pane('add_pipeline')", "Add", id="settings.pipeline_add"),
        Binding("enter,e", "pane('rename_pipeline')", "Rename", id="settings.pipeline_rename"),
        Binding("delete", "pane('delete_pipeline')", "Delete", id="settings.pipeline_delete"),
        Binding(
            "asterisk",
            "pane('default_pipeline')",
            "Default",
            key_display="*",
            id="settings.pipeline_default",
        ),
        Binding("shift+up", "pane('move_pipeline', -1)", "Up", id="settings.pipeline_up"),
        Binding("shift+down", "pane('move_pipeline', 1)", "Down", id="settings.pipeline_down"),
        Binding("right", "pane('focus_stages')", "Stages", show=False, id="settings.to_stages"),
    ]

    def action_pane(self, name: str, *args: Any) -> None:
        pane = self.query_ancestor(PipelinesPane)
        getattr(pane, f"do_{name}")(*args)


class StageTable(KeyedTable):
    """The stages of one pipeline: add, edit, delete, reorder."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "pane('add_stage')", "Add stage", id="settings.stage_add"),
        Binding("enter,e", "pane('edit_stage')", "Edit", id="settings.stage_edit"),
        Binding("delete", "pane('delete_stage')", "Delete", id="settings.stage_delete"),
        Binding("shift+up", "pane('move_stage', -1)", "Up", id="settings.stage_up"),
        Binding("shift+down", "pane('move_stage', 1)", "Down", id="settings.stage_down"),
        Binding(
            "left", "pane('focus_pipelines')", "Pipelines", show=False, id="settings.to_pipelines"
        ),
    ]

    def action_pane(self, name: str, *args: Any) -> None:
        pane = self.query_ancestor(PipelinesPane)
        getattr(pane, f"do_{name}")(*args)


class PipelinesPane(SettingsPane):
    """Pipelines and their stages, in the order the board shows them."""

    DEFAULT_CSS = """
    PipelinesPane > Horizontal { height: 1fr; }
    PipelinesPane #pipelines-side { width: 1fr; max-width: 44; }
    PipelinesPane #stages-side { width: 3fr; margin-left: 2; }
    PipelinesPane .pane-title { text-style: bold; color: $accent; }
    PipelinesPane KeyedTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__(id="pane-pipelines")
        self.pipelines: list[PipelineRow] = []
        self.stages: list[StageRow] = []
        self.pipeline_id: int | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="pipelines-side"):
                yield Label("Pipelines", classes="pane-title")
                table = PipelineTable(id="pipelines-table")
                table.add_columns("Pipeline", "Deals", "")
                yield table
            with Vertical(id="stages-side"):
                yield Label("Stages", id="stages-title", classes="pane-title")
                stages = StageTable(id="stages-table")
                stages.add_columns("", "Stage", "Kind", "Prob.", "Rotting", "Deals", "Code")
                yield stages
        yield Label(
            "a add · enter rename/edit · delete · * default pipeline · shift+↑↓ reorder · "
            "←/→ pipelines/stages",
            classes="hint",
        )

    # --- reading ------------------------------------------------------------------------
    @work(exclusive=True, group="settings-pipelines", exit_on_error=False)
    async def reload(self) -> None:
        self.pipelines = await self.call(self.setup.pipelines)
        table = self.query_one(PipelineTable)
        table.fill(
            [
                (
                    str(p.id),
                    (
                        Text(p.name, style="bold" if p.is_default else ""),
                        f"{p.deals:,}",
                        "default" if p.is_default else "",
                    ),
                )
                for p in self.pipelines
            ],
            keep=None if self.pipeline_id is None else str(self.pipeline_id),
        )
        key = table.selected_key()
        self.pipeline_id = int(key) if key else None
        await self._load_stages()

    async def _load_stages(self) -> None:
        if self.pipeline_id is None:
            return
        self.stages = await self.call(self.setup.stages, self.pipeline_id)
        name = self._pipeline().name if self._pipeline() else ""
        self.query_one("#stages-title", Label).update(f"Stages of {name}")
        self.query_one(StageTable).fill(
            [
                (
                    str(s.id),
                    (
                        swatch(s.color),
                        s.name,
                        _KINDS.get(s.semantics, s.semantics),
                        f"{s.probability}%",
                        f"{s.rotting_days} d" if s.rotting_days else "—",
                        f"{s.deals:,}",
                        s.code,
                    ),
                )
                for s in self.stages
            ]
        )

    @on(DataTable.RowHighlighted, "#pipelines-table")
    def _pipeline_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        if key is not None and int(key) != self.pipeline_id:
            self.pipeline_id = int(key)
            self._stages_worker()

    @work(exclusive=True, group="settings-stages", exit_on_error=False)
    async def _stages_worker(self) -> None:
        await self._load_stages()

    def _pipeline(self) -> PipelineRow | None:
        return next((p for p in self.pipelines if p.id == self.pipeline_id), None)

    def _stage(self) -> StageRow | None:
        key = self.query_one(StageTable).selected_key()
        return next((s for s in self.stages if str(s.id) == key), None)

    def do_focus_stages(self) -> None:
        self.query_one(StageTable).focus()

    def do_focus_pipelines(self) -> None:
        self.query_one(PipelineTable).focus()

    # --- pipelines ------------------------------------------------------------------------
    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_add_pipeline(self) -> None:
        setup = self.setup
        created = await self.app.push_screen_wait(
            FormModal(
                "New pipeline",
                [FormField("name", "Name", placeholder="e.g. Wholesale")],
                lambda v: setup.add_pipeline(v["name"]),
                subtitle="It starts with the default stages: New … Deal successful, Deal failed.",
            )
        )
        if created:
            self.pipeline_id = int(created)
            self.changed("Pipeline added")

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_rename_pipeline(self) -> None:
        pipeline = self._pipeline()
        if pipeline is None:
            return
        setup = self.setup
        if await self.app.push_screen_wait(
            FormModal(
                f"Rename pipeline “{pipeline.name}”",
                [FormField("name", "Name", value=pipeline.name)],
                lambda v: setup.rename_pipeline(pipeline.id, v["name"]),
            )
        ):
            self.changed("Pipeline renamed")

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_delete_pipeline(self) -> None:
        from dealterm.screens.confirm import ConfirmModal

        pipeline = self._pipeline()
        if pipeline is None:
            return
        setup = self.setup
        if pipeline.is_default:
            self.notify(
                f"“{pipeline.name}” is the default pipeline; make another one the default "
                "first (*)",
                severity="error",
                timeout=8,
            )
            return
        if pipeline.deals:
            others = [(p.name, str(p.id)) for p in self.pipelines if p.id != pipeline.id]
            done = await self.app.push_screen_wait(
                FormModal(
                    f"Delete pipeline “{pipeline.name}”",
                    [FormField("move_to", "Move its deals to", "select", options=others)],
                    lambda v: setup.delete_pipeline(
                        pipeline.id, int(v["move_to"]) if v["move_to"] else None
                    ),
                    subtitle=f"It holds {pipeline.deals:,} deals. Each goes to the first stage "
                    "of the same kind (in progress, won, lost) in the pipeline you pick.",
                )
            )
            if done is not None:
                self.pipeline_id = None
                self.changed(f"Pipeline “{pipeline.name}” deleted")
            return
        if await self.app.push_screen_wait(
            ConfirmModal(f"Delete the pipeline “{pipeline.name}” and its stages?", confirm="Delete")
        ):
            self.pipeline_id = None
            await self.write(
                setup.delete_pipeline, pipeline.id, message=f"Pipeline “{pipeline.name}” deleted"
            )

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_default_pipeline(self) -> None:
        pipeline = self._pipeline()
        if pipeline is not None:
            await self.write(
                self.setup.set_default_pipeline,
                pipeline.id,
                message=f"“{pipeline.name}” is the default pipeline",
            )

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_move_pipeline(self, step: int) -> None:
        pipeline = self._pipeline()
        if pipeline is not None:
            await self.write(self.setup.move_pipeline, pipeline.id, step)

    # --- stages ---------------------------------------------------------------------------
    def _stage_fields(self, stage: StageRow | None) -> list[FormField]:
        from dealterm.core.setup import Setup

        fields = [FormField("name", "Name", value=stage.name if stage else "")]
        if stage is None:
            fields.append(
                FormField(
                    "semantics",
                    "Kind",
                    "select",
                    value="process",
                    options=[("In progress", "process"), ("Failure", "failure")],
                    blank=False,
                )
            )
        fields += [
            FormField(
                "color",
                "Colour",
                "color",
                value=stage.color if stage else "",
                options=Setup.PALETTE,
            ),
            FormField(
                "probability",
                "Probability, %",
                value=str(stage.probability) if stage else "",
                placeholder="0-100",
            ),
            FormField(
                "rotting_days",
                "Rotting after, days",
                value=str(stage.rotting_days or "") if stage else "",
                placeholder="empty: never",
                hint="A deal left this long in the stage is marked on the board.",
            ),
        ]
        return fields

    @staticmethod
    def _stage_values(values: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"color": values["color"] or None}
        if values["probability"].strip():
            result["probability"] = values["probability"]
        result["rotting_days"] = values["rotting_days"].strip() or ""
        return result

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_add_stage(self) -> None:
        pipeline = self._pipeline()
        if pipeline is None:
            return
        setup = self.setup

        def save(values: dict[str, Any]) -> int:
            extra = self._stage_values(values)
            if not extra.get("rotting_days"):
                extra.pop("rotting_days")
            return setup.add_stage(
                pipeline.id, values["name"], semantics=values["semantics"] or "process", **extra
            )

        if await self.app.push_screen_wait(
            FormModal(
                f"New stage in “{pipeline.name}”",
                self._stage_fields(None),
                save,
                subtitle="An in-progress stage goes before the success stage; "
                "a failure stage after it.",
            )
        ):
            self.changed("Stage added")

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_edit_stage(self) -> None:
        stage = self._stage()
        pipeline = self._pipeline()
        if stage is None or pipeline is None:
            return
        setup = self.setup
        if await self.app.push_screen_wait(
            FormModal(
                f"Stage “{stage.name}”",
                self._stage_fields(stage),
                lambda v: setup.edit_stage(
                    pipeline.id, stage.id, name=v["name"], **self._stage_values(v)
                ),
                subtitle=f"{_KINDS.get(stage.semantics, stage.semantics)} · code {stage.code}",
            )
        ):
            self.changed("Stage saved")

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_delete_stage(self) -> None:
        from dealterm.screens.confirm import ConfirmModal

        stage = self._stage()
        pipeline = self._pipeline()
        if stage is None or pipeline is None:
            return
        setup = self.setup
        if stage.semantics == "success":
            self.notify("The success stage cannot be deleted", severity="error", timeout=6)
            return
        if self.stages and self.stages[0].id == stage.id:
            self.notify("The first stage cannot be deleted", severity="error", timeout=6)
            return
        if stage.deals:
            others = [(s.name, str(s.id)) for s in self.stages if s.id != stage.id]
            done = await self.app.push_screen_wait(
                FormModal(
                    f"Delete stage “{stage.name}”",
                    [FormField("move_to", "Move its deals to", "select", options=others)],
                    lambda v: setup.delete_stage(
                        pipeline.id, stage.id, int(v["move_to"]) if v["move_to"] else None
                    ),
                    subtitle=f"It holds {stage.deals:,} deals; choose the stage they go to.",
                )
            )
            if done is not None:
                self.changed(f"Stage “{stage.name}” deleted")
            return
        if await self.app.push_screen_wait(
            ConfirmModal(f"Delete the stage “{stage.name}”?", confirm="Delete")
        ):
            await self.write(
                setup.delete_stage, pipeline.id, stage.id, message=f"Stage “{stage.name}” deleted"
            )

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_move_stage(self, step: int) -> None:
        stage = self._stage()
        pipeline = self._pipeline()
        if stage is not None and pipeline is not None:
            await self.write(self.setup.move_stage, pipeline.id, stage.id, step)
