"""Pipelines and stages: reading them and finding them by what a user types."""

from __future__ import annotations

from sqlmodel import Session, col, func, or_, select

from dealterm.core.context import ctx
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.models import Pipeline, Semantics, Stage
from dealterm.core.seed import default_stages

__all__ = [
    "create_pipeline",
    "default_pipeline",
    "first_stage",
    "list_pipelines",
    "resolve_pipeline",
    "resolve_stage",
    "stages_of",
    "success_stage",
]


def list_pipelines(session: Session) -> list[Pipeline]:
    """Every pipeline in display order (the default first on equal sort)."""
    return list(
        session.exec(
            select(Pipeline).order_by(
                col(Pipeline.sort), col(Pipeline.is_default).desc(), col(Pipeline.id)
            )
        ).all()
    )


def default_pipeline(session: Session) -> Pipeline:
    """The default pipeline (the first one if none is marked)."""
    found = session.exec(select(Pipeline).where(col(Pipeline.is_default).is_(True))).first()
    if found is not None:
        return found
    pipelines = list_pipelines(session)
    if not pipelines:
        raise NotFoundError("the database has no pipelines")
    return pipelines[0]


def resolve_pipeline(session: Session, ref: int | str | None) -> Pipeline:
    """A pipeline by id or name (case-insensitive); None means the default pipeline.

    Raises:
        ValidationError: no pipeline matches.
    """
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        return default_pipeline(session)
    if isinstance(ref, int) or ref.strip().isdigit():
        found = session.get(Pipeline, int(ref))
        if found is not None:
            return found
    else:
        text = ref.strip()
        found = session.exec(
            select(Pipeline).where(func.lower(Pipeline.name) == text.lower())
        ).first()
        if found is not None:
            return found
    known = ", ".join(repr(p.name) for p in list_pipelines(session))
    raise ValidationError(f"unknown pipeline {ref!r} (known: {known})", field="pipeline")


def stages_of(session: Session, pipeline_id: int) -> list[Stage]:
    """The stages of a pipeline in order."""
    return list(
        session.exec(
            select(Stage)
            .where(Stage.pipeline_id == pipeline_id)
            .order_by(col(Stage.sort), col(Stage.id))
        ).all()
    )


def first_stage(session: Session, pipeline_id: int) -> Stage:
    """The first in-progress stage of a pipeline, where new deals land."""
    for stage in stages_of(session, pipeline_id):
        if stage.semantics == Semantics.PROCESS:
            return stage
    raise NotFoundError(f"pipeline #{pipeline_id} has no in-progress stage")


def success_stage(session: Session, pipeline_id: int) -> Stage:
    """The single success (won) stage of a pipeline."""
    for stage in stages_of(session, pipeline_id):
        if stage.semantics == Semantics.SUCCESS:
            return stage
    raise NotFoundError(f"pipeline #{pipeline_id} has no success stage")


def _strip_prefix(code: str) -> str:
    # Bitrix24 writes stages of pipeline N as "CN:CODE"; accept that spelling too.
    if ":" in code and code.upper().startswith("C"):
        head, _, tail = code.partition(":")
        if head[1:].isdigit():
            return tail
    return code


def resolve_stage(session: Session, pipeline: Pipeline, ref: int | str) -> Stage:
    """A stage of ``pipeline`` by id, code or name (either language, case-insensitive).

    Raises:
        ValidationError: no such stage, or it belongs to another pipeline.
    """
    assert pipeline.id is not None
    if isinstance(ref, int):
        stage = session.get(Stage, ref)
        if stage is None:
            raise ValidationError(f"unknown stage #{ref}", field="stage")
        if stage.pipeline_id != pipeline.id:
            other = session.get(Pipeline, stage.pipeline_id)
            raise ValidationError(
                f"stage {stage.code} belongs to pipeline {other.name if other else '?'!r}, "
                f"not {pipeline.name!r}",
                field="stage",
            )
        return stage
    text = _strip_prefix((ref or "").strip())
    if not text:
        raise ValidationError("a stage is required", field="stage")
    lowered = text.lower()
    found = session.exec(
        select(Stage).where(
            Stage.pipeline_id == pipeline.id,
            or_(
                func.upper(Stage.code) == text.upper(),
                func.lower(Stage.name) == lowered,
                func.lower(Stage.name_en) == lowered,
                func.lower(Stage.name_ru) == lowered,
            ),
        )
    ).first()
    if found is not None:
        return found
    elsewhere = session.exec(
        select(Pipeline.name)
        .join(Stage, col(Stage.pipeline_id) == col(Pipeline.id))
        .where(func.upper(Stage.code) == text.upper())
    ).first()
    known = ", ".join(s.code for s in stages_of(session, pipeline.id))
    if elsewhere is not None:
        raise ValidationError(
            f"stage {text!r} belongs to pipeline {elsewhere!r}, not {pipeline.name!r} "
            f"(its stages: {known})",
            field="stage",
        )
    raise ValidationError(
        f"unknown stage {ref!r} in pipeline {pipeline.name!r} (known: {known})", field="stage"
    )


def create_pipeline(session: Session, name: str, *, sort: int = 500) -> Pipeline:
    """Create a pipeline with the default stage set.

    Raises:
        ValidationError: the name is empty, too long or taken.
    """
    text = " ".join((name or "").split())
    if not text:
        raise ValidationError("a pipeline needs a name", field="name")
    if len(text) > 255:
        raise ValidationError("a pipeline name is limited to 255 characters", field="name")
    taken = session.exec(
        select(Pipeline.id).where(func.lower(Pipeline.name) == text.lower())
    ).first()
    if taken is not None:
        raise ValidationError(f"a pipeline called {text!r} already exists", field="name")
    pipeline = Pipeline(name=text, sort=sort, is_default=False)
    session.add(pipeline)
    session.flush()
    assert pipeline.id is not None
    session.add_all(default_stages(pipeline.id, locale=ctx(session).locale))
    session.flush()
    return pipeline
