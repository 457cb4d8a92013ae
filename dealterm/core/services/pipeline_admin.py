"""Setting up pipelines: rename, reorder, choose the default, delete (moving deals first)."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.models import Deal, Pipeline
from dealterm.core.services import mass_edit, pipelines

__all__ = [
    "deal_count",
    "delete_pipeline",
    "rename_pipeline",
    "reorder_pipelines",
    "set_default_pipeline",
]


def _subject(session: Session, ref: int | str) -> Pipeline:
    """The pipeline a command is about: one that does not exist is "not found" (exit 1)."""
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        raise ValidationError("name the pipeline", field="pipeline")
    try:
        return pipelines.resolve_pipeline(session, ref)
    except ValidationError as error:
        raise NotFoundError(error.message) from None


def _name(name: str) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise ValidationError("a pipeline needs a name", field="name")
    if len(text) > 255:
        raise ValidationError("a pipeline name is limited to 255 characters", field="name")
    return text


def rename_pipeline(session: Session, ref: int | str, name: str) -> Pipeline:
    """Give a pipeline a new name (unique, case-insensitive).

    Raises:
        ValidationError: unknown pipeline, empty or taken name.
    """
    pipeline = _subject(session, ref)
    text = _name(name)
    taken = session.exec(
        select(Pipeline.id).where(
            func.lower(Pipeline.name) == text.lower(), Pipeline.id != pipeline.id
        )
    ).first()
    if taken is not None:
        raise ValidationError(f"a pipeline called {text!r} already exists", field="name")
    pipeline.name = text
    session.add(pipeline)
    session.flush()
    return pipeline


def reorder_pipelines(session: Session, order: list[int | str]) -> list[Pipeline]:
    """Put the pipelines in this order (those not named keep their place after them)."""
    chosen = [pipelines.resolve_pipeline(session, ref) for ref in order]
    ids = [p.id for p in chosen]
    if len(set(ids)) != len(ids):
        raise ValidationError("a pipeline is named twice", field="order")
    rest = [p for p in pipelines.list_pipelines(session) if p.id not in ids]
    for position, pipeline in enumerate([*chosen, *rest], start=1):
        pipeline.sort = position * 100
        session.add(pipeline)
    session.flush()
    return pipelines.list_pipelines(session)


def set_default_pipeline(session: Session, ref: int | str) -> Pipeline:
    """Make a pipeline the default one (where new deals go when none is named)."""
    pipeline = _subject(session, ref)
    for other in pipelines.list_pipelines(session):
        if other.is_default and other.id != pipeline.id:
            other.is_default = False
            session.add(other)
    pipeline.is_default = True
    session.add(pipeline)
    session.flush()
    return pipeline


def deal_count(session: Session, pipeline_id: int) -> int:
    """How many deals (templates included) a pipeline holds."""
    return int(
        session.exec(
            select(func.count()).select_from(Deal).where(col(Deal.pipeline_id) == pipeline_id)
        ).one()
    )


def delete_pipeline(session: Session, ref: int | str, *, move_to: int | str | None = None) -> int:
    """Delete a pipeline with its stages; returns how many deals were moved out first.

    Deals block the deletion unless ``move_to`` names the pipeline they go to (each to
    the first stage with the same semantics, with a history event). The default pipeline
    cannot be deleted: choose another default first.

    Raises:
        ValidationError: the default pipeline, deals and no target, or the target is the
            pipeline itself.
    """
    pipeline = _subject(session, ref)
    assert pipeline.id is not None
    if pipeline.is_default:
        raise ValidationError(
            f"{pipeline.name!r} is the default pipeline; make another one the default first",
            field="pipeline",
        )
    target = None
    if move_to not in (None, ""):
        target = pipelines.resolve_pipeline(session, move_to)  # checked even with no deals
        if target.id == pipeline.id:
            raise ValidationError("the deals must go to another pipeline", field="move_to")
    count = deal_count(session, pipeline.id)
    moved = 0
    if count:
        if target is None:
            raise ValidationError(
                f"pipeline {pipeline.name!r} holds {count} deal{'s' if count != 1 else ''}; "
                "choose a pipeline to move them to",
                field="move_to",
            )
        ids = [
            deal_id
            for (deal_id,) in session.execute(
                select(col(Deal.id)).where(col(Deal.pipeline_id) == pipeline.id)
            ).all()
        ]
        assert target.id is not None
        moved = mass_edit.mass_pipeline(session, ids, target.id)
    session.delete(pipeline)
    session.flush()
    return moved
