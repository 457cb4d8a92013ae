"""Pipelines and their stages."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint

from dealterm.core.models._base import AUTOINCREMENT, Field, SQLModel

__all__ = ["Pipeline", "Semantics", "Stage"]


class Semantics(StrEnum):
    """What being in a stage means: still in progress, won, or lost."""

    PROCESS = "process"
    SUCCESS = "success"
    FAILURE = "failure"


class Pipeline(SQLModel, table=True):
    """A sales pipeline (Bitrix24 deal category)."""

    __tablename__ = "pipelines"
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255, unique=True)
    sort: int = 500
    is_default: bool = False


class Stage(SQLModel, table=True):
    """A stage of one pipeline; ``code`` is unique within the pipeline (NEW, WON, LOSE, ...).

    ``name`` is what users see and edit; ``name_en`` and ``name_ru`` keep the reference
    names of the default stages so imports can match them in either language.
    """

    __tablename__ = "stages"
    __table_args__ = (
        UniqueConstraint("pipeline_id", "code", name="uq_stages_pipeline_code"),
        CheckConstraint("semantics IN ('process', 'success', 'failure')", name="semantics"),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),
        Index("ix_stages_pipeline_sort", "pipeline_id", "sort"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    pipeline_id: int = Field(foreign_key="pipelines.id", ondelete="CASCADE")
    code: str = Field(max_length=22)
    name: str = Field(max_length=255)
    name_en: str | None = Field(default=None, max_length=255)
    name_ru: str | None = Field(default=None, max_length=255)
    sort: int = 10
    color: str = Field(default="#39A8EF", max_length=7)
    semantics: str = Field(default=Semantics.PROCESS, max_length=10)
    probability: int = 0
    rotting_days: int | None = None
    is_system: bool = False
