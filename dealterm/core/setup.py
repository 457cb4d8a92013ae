"""One call, one transaction: setting up the CRM as the settings screen does it.

Pipelines and stages, directories and the product catalog, custom fields and the deal
card's layout. Like :class:`~dealterm.core.crm.Crm`, every method opens its own session
and returns plain read models, so the TUI can call them from thread workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col

from dealterm.core.db import Database
from dealterm.core.models import Deal
from dealterm.core.services import (
    card_layout,
    custom_fields,
    directory_admin,
    pipeline_admin,
    pipelines,
    stage_admin,
)
from dealterm.core.services.card_layout import FieldDef, LayoutSection
from dealterm.core.services.directory_admin import Entry

__all__ = ["FieldRow", "PipelineRow", "Setup", "StageRow"]


@dataclass(frozen=True)
class PipelineRow:
    """A pipeline with the number of deals in it."""

    id: int
    name: str
    is_default: bool
    deals: int


@dataclass(frozen=True)
class StageRow:
    """A stage as the settings screen shows it."""

    id: int
    code: str
    name: str
    color: str
    semantics: str
    probability: int
    rotting_days: int | None
    deals: int


@dataclass(frozen=True)
class FieldRow:
    """A custom field with whether it is still offered (hidden fields keep their values)."""

    definition: FieldDef
    active: bool


class Setup:
    """The administrator's side of one database."""

    PALETTE = stage_admin.PALETTE
    DIRECTORY_KINDS = directory_admin.KINDS

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- pipelines ----------------------------------------------------------------------
    def pipelines(self) -> list[PipelineRow]:
        """Every pipeline in order, with its deal count."""
        with self.db.session(write=False) as session:
            counts = dict(
                session.execute(
                    sa_select(col(Deal.pipeline_id), func.count()).group_by(col(Deal.pipeline_id))
                ).all()
            )
            return [
                PipelineRow(p.id or 0, p.name, p.is_default, int(counts.get(p.id, 0)))
                for p in pipelines.list_pipelines(session)
            ]

    def add_pipeline(self, name: str) -> int:
        """Create a pipeline with the default stages, at the end; returns its id."""
        with self.db.session() as session:
            last = max((p.sort for p in pipelines.list_pipelines(session)), default=0)
            return pipelines.create_pipeline(session, name, sort=last + 100).id or 0

    def rename_pipeline(self, pipeline_id: int, name: str) -> None:
        """Rename a pipeline."""
        with self.db.session() as session:
            pipeline_admin.rename_pipeline(session, pipeline_id, name)

    def move_pipeline(self, pipeline_id: int, step: int) -> None:
        """Move a pipeline ``step`` places up (negative) or down."""
        with self.db.session() as session:
            order = [p.id or 0 for p in pipelines.list_pipelines(session)]
            index = order.index(pipeline_id)
            target = max(0, min(len(order) - 1, index + step))
            order.insert(target, order.pop(index))
            pipeline_admin.reorder_pipelines(session, list(order))

    def set_default_pipeline(self, pipeline_id: int) -> None:
        """Make a pipeline the default one."""
        with self.db.session() as session:
            pipeline_admin.set_default_pipeline(session, pipeline_id)

    def delete_pipeline(self, pipeline_id: int, move_to: int | None = None) -> int:
        """Delete a pipeline, moving its deals to ``move_to`` first; returns how many moved."""
        with self.db.session() as session:
            return pipeline_admin.delete_pipeline(session, pipeline_id, move_to=move_to)

    # --- stages ---------------------------------------------------------------------------
    def stages(self, pipeline_id: int) -> list[StageRow]:
        """A pipeline's stages in order, with their deal counts."""
        with self.db.session(write=False) as session:
            counts = dict(
                session.execute(
                    sa_select(col(Deal.stage_id), func.count())
                    .where(col(Deal.pipeline_id) == pipeline_id)
                    .group_by(col(Deal.stage_id))
                ).all()
            )
            return [
                StageRow(
                    s.id or 0,
                    s.code,
                    s.name,
                    s.color,
                    s.semantics,
                    s.probability,
                    s.rotting_days,
                    int(counts.get(s.id, 0)),
                )
                for s in pipelines.stages_of(session, pipeline_id)
            ]

    def add_stage(self, pipeline_id: int, name: str, **values: Any) -> int:
        """Add a stage (``semantics``, ``color``, ``probability``, ``rotting_days``)."""
        with self.db.session() as session:
            return stage_admin.add_stage(session, pipeline_id, name, **values).id or 0

    def edit_stage(self, pipeline_id: int, stage_id: int, **values: Any) -> None:
        """Change a stage's name, colour, probability or rotting days."""
        with self.db.session() as session:
            stage_admin.edit_stage(session, pipeline_id, stage_id, **values)

    def move_stage(self, pipeline_id: int, stage_id: int, step: int) -> None:
        """Move a stage ``step`` places (the order rule is enforced)."""
        with self.db.session() as session:
            order = [s.id for s in pipelines.stages_of(session, pipeline_id)]
            position = order.index(stage_id) + 1 + step
            stage_admin.move_stage(session, pipeline_id, stage_id, max(1, position))

    def delete_stage(self, pipeline_id: int, stage_id: int, move_to: int | None = None) -> int:
        """Delete a stage, moving its deals to ``move_to`` first; returns how many moved."""
        with self.db.session() as session:
            return stage_admin.delete_stage(session, pipeline_id, stage_id, move_to=move_to)

    # --- directories and products ------------------------------------------------------
    def entries(self, kind: str) -> list[Entry]:
        """A directory's values, hidden ones included."""
        with self.db.session(write=False) as session:
            return directory_admin.list_entries(session, kind, include_hidden=True)

    def add_entry(self, kind: str, **values: Any) -> Entry:
        """Add a directory value."""
        with self.db.session() as session:
            return directory_admin.add_entry(session, kind, **values)

    def edit_entry(self, kind: str, key: str, **values: Any) -> Entry:
        """Change a directory value."""
        with self.db.session() as session:
            return directory_admin.edit_entry(session, kind, key, **values)

    def remove_entry(self, kind: str, key: str) -> str:
        """Delete a value, or hide it when deals use it; returns "deleted" or "hidden"."""
        with self.db.session() as session:
            return directory_admin.remove_entry(session, kind, key)

    def restore_entry(self, kind: str, key: str) -> Entry:
        """Offer a hidden value again."""
        with self.db.session() as session:
            return directory_admin.restore_entry(session, kind, key)

    def set_base_currency(self, code: str) -> Entry:
        """Make a currency the base one."""
        with self.db.session() as session:
            return directory_admin.set_base_currency(session, code)

    # --- custom fields ---------------------------------------------------------------
    def fields(self) -> list[FieldRow]:
        """Every custom field, hidden ones included, in order."""
        with self.db.session(write=False) as session:
            return [
                FieldRow(card_layout.definition(f), f.active)
                for f in custom_fields.list_fields(session, include_hidden=True)
            ]

    def define_field(self, code: str, label: str, **values: Any) -> FieldDef:
        """Add a custom field."""
        with self.db.session() as session:
            return card_layout.definition(
                custom_fields.define_field(session, code, label, **values)
            )

    def edit_field(self, code: str, **values: Any) -> FieldDef:
        """Change a custom field."""
        with self.db.session() as session:
            return card_layout.definition(custom_fields.edit_field(session, code, **values))

    def delete_field(self, code: str) -> str:
        """Delete a field, or hide it when deals hold values; returns "deleted" or "hidden"."""
        with self.db.session() as session:
            return custom_fields.delete_field(session, code)

    def restore_field(self, code: str) -> None:
        """Offer a hidden field again."""
        with self.db.session() as session:
            custom_fields.restore_field(session, code)

    # --- card layout -----------------------------------------------------------------
    def layout(self) -> list[LayoutSection]:
        """The card's sections and their fields."""
        with self.db.session(write=False) as session:
            return card_layout.card_layout(session)

    def add_section(self, name: str) -> None:
        """Add a section at the end of the card."""
        with self.db.session() as session:
            card_layout.add_section(session, name)

    def rename_section(self, section_id: int, name: str) -> None:
        """Rename a section."""
        with self.db.session() as session:
            card_layout.rename_section(session, section_id, name)

    def move_section(self, section_id: int, step: int) -> None:
        """Move a section ``step`` places up or down."""
        with self.db.session() as session:
            ids = [s.id for s in card_layout.card_layout(session)]
            position = ids.index(section_id) + 1 + step
            card_layout.move_section(session, section_id, max(1, min(len(ids), position)))

    def delete_section(self, section_id: int) -> str:
        """Delete a section; returns the name of the one that took its fields."""
        with self.db.session() as session:
            return card_layout.delete_section(session, section_id)

    def move_field(self, key: str, step: int) -> None:
        """Move a field one place up or down; past a section's edge it changes section."""
        with self.db.session() as session:
            layout = card_layout.card_layout(session)
            index = next(i for i, s in enumerate(layout) if any(f.key == key for f in s.fields))
            keys = [f.key for f in layout[index].fields]
            position = keys.index(key) + 1 + step
            if position < 1 and index > 0:
                card_layout.place_field(session, key, layout[index - 1].id)
            elif position > len(keys) and index < len(layout) - 1:
                card_layout.place_field(session, key, layout[index + 1].id, 1)
            else:
                card_layout.place_field(session, key, None, max(1, min(len(keys), position)))

    def place_field(self, key: str, section_id: int) -> None:
        """Move a field to the end of another section."""
        with self.db.session() as session:
            card_layout.place_field(session, key, section_id)

    def set_visibility(self, key: str, visibility: str) -> None:
        """Show, always show or hide a field."""
        with self.db.session() as session:
            card_layout.set_visibility(session, key, visibility)
