"""Bulk actions on a selection of deals: move, won, lost, responsible, pipeline, delete.

Each action is one transaction (the caller's session) and writes a history event per
deal it changes. The work is set-based: a statement per chunk of ids, whatever the size
of the selection, so "select all 40,000 matching deals, move to stage" takes seconds,
not minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Date, Integer, String, and_, delete, func, insert, literal, select, update
from sqlalchemy import cast as sa_cast
from sqlmodel import Session, col

from dealterm.core.context import ctx
from dealterm.core.errors import ValidationError
from dealterm.core.models import Deal, EventKind, HistoryEvent, Pipeline, Semantics, Stage, User
from dealterm.core.services import directories, pipelines, users
from dealterm.core.types import UTCDateTime

__all__ = [
    "CHUNK",
    "mass_delete",
    "mass_lost",
    "mass_move",
    "mass_pipeline",
    "mass_responsible",
    "mass_won",
    "pipeline_counts",
]

CHUNK = 500


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    unique = sorted(set(int(i) for i in ids))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def _history_table() -> Any:
    return HistoryEvent.__table__  # type: ignore[attr-defined]


def _deals_table() -> Any:
    return Deal.__table__  # type: ignore[attr-defined]


def _stamp(session: Session) -> dict[str, Any]:
    context = ctx(session)
    return {
        "now": context.clock.utcnow(),
        "user": context.user_id or None,
        "today": context.clock.today(),
    }


def _event_rows(session: Session, query: Any) -> None:
    """INSERT INTO history (...) SELECT ... for the rows of ``query``."""
    history = _history_table()
    session.execute(
        insert(history).from_select(
            ["deal_id", "at", "author_id", "kind", "field", "old_value", "new_value", "text"], query
        )
    )


def _text(value: str | None) -> Any:
    return literal(value, type_=String) if value is not None else sa_cast(literal(None), String)


def _move_chunk(
    session: Session, chunk: list[int], stage: Stage, reason: tuple[int | None, str | None]
) -> int:
    stamp = _stamp(session)
    deals = _deals_table()
    stages = Stage.__table__  # type: ignore[attr-defined]
    moving = and_(deals.c.id.in_(chunk), deals.c.stage_id != stage.id)
    now = literal(stamp["now"], type_=UTCDateTime())
    author = literal(stamp["user"], type_=Integer)
    closes = stage.semantics != Semantics.PROCESS
    _event_rows(
        session,
        select(
            deals.c.id,
            now,
            author,
            literal(EventKind.STAGE_CHANGED.value),
            literal("stage"),
            stages.c.name,
            literal(stage.name),
            stages.c.code + literal(f" → {stage.code}"),
        )
        .select_from(deals.join(stages, stages.c.id == deals.c.stage_id))
        .where(moving),
    )
    if closes:
        today = literal(stamp["today"], type_=Date)
        _event_rows(
            session,
            select(
                deals.c.id,
                now,
                author,
                literal(EventKind.FIELD_CHANGED.value),
                literal("close_date"),
                sa_cast(deals.c.close_date, String),
                sa_cast(today, String),
                _text(None),
            ).where(moving, deals.c.close_date != today),
        )
    if stage.semantics == Semantics.SUCCESS:
        kind, words = EventKind.WON, "Deal won"
    elif stage.semantics == Semantics.FAILURE:
        reason_text = reason[1]
        if reason[0] is not None:
            found = next(
                (r.name for r in directories.list_lost_reasons(session) if r.id == reason[0]), None
            )
            reason_text = found
        kind, words = EventKind.LOST, f"Deal lost: {reason_text}" if reason_text else "Deal lost"
    else:
        kind, words = EventKind.REOPENED, f"Deal reopened in stage {stage.name}"
    condition = moving if closes else and_(moving, deals.c.closed.is_(True))
    _event_rows(
        session,
        select(
            deals.c.id,
            now,
            author,
            literal(kind.value),
            _text(None),
            _text(None),
            _text(None),
            literal(words),
        ).where(condition),
    )
    values: dict[str, Any] = {
        "stage_id": stage.id,
        "moved_at": stamp["now"],
        "moved_by_id": stamp["user"],
        "closed": closes,
        "updated_at": stamp["now"],
        "updated_by_id": stamp["user"],
        "version": deals.c.version + 1,
        "lost_reason_id": reason[0] if stage.semantics == Semantics.FAILURE else None,
        "lost_reason_text": reason[1] if stage.semantics == Semantics.FAILURE else None,
    }
    if closes:
        values["close_date"] = stamp["today"]
    result = session.execute(update(deals).where(moving).values(**values))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def pipeline_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """How many of the deals ``ids`` each pipeline holds (deals since deleted are left out)."""
    counts: dict[int, int] = {}
    for chunk in _chunks(ids):
        for pipeline_id, count in session.execute(
            select(col(Deal.pipeline_id), func.count())
            .where(col(Deal.id).in_(chunk))
            .group_by(col(Deal.pipeline_id))
        ).all():
            counts[pipeline_id] = counts.get(pipeline_id, 0) + int(count)
    return counts


def _pipelines_of(session: Session, chunk: list[int]) -> set[int]:
    return {
        row[0]
        for row in session.execute(
            select(col(Deal.pipeline_id)).where(col(Deal.id).in_(chunk)).distinct()
        ).all()
    }


def mass_move(
    session: Session, ids: Sequence[int], stage_id: int, *, lost_reason: str | int | None = None
) -> int:
    """Move the deals to one stage; returns how many moved (those already there are skipped).

    Raises:
        ValidationError: the stage is unknown, or some deals are in another pipeline.
    """
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise ValidationError(f"unknown stage #{stage_id}", field="stage")
    reason: tuple[int | None, str | None] = (None, None)
    if lost_reason not in (None, ""):
        if stage.semantics != Semantics.FAILURE:
            raise ValidationError("a lost reason is only for a failure stage", field="lost_reason")
        reason = directories.resolve_lost_reason(session, lost_reason)
    chunks = list(_chunks(ids))
    for chunk in chunks:
        foreign = _pipelines_of(session, chunk) - {stage.pipeline_id}
        if foreign:
            pipeline = session.get(Pipeline, stage.pipeline_id)
            raise ValidationError(
                f"some selected deals are not in pipeline {pipeline.name if pipeline else '?'!r}; "
                "move them to that pipeline first",
                field="stage",
            )
    return sum(_move_chunk(session, chunk, stage, reason) for chunk in chunks)


def _close_each_pipeline(
    session: Session, ids: Sequence[int], semantics: str, reason: str | int | None
) -> int:
    moved = 0
    by_pipeline: dict[int, list[int]] = {}
    for chunk in _chunks(ids):
        for deal_id, pipeline_id in session.execute(
            select(col(Deal.id), col(Deal.pipeline_id)).where(col(Deal.id).in_(chunk))
        ).all():
            by_pipeline.setdefault(pipeline_id, []).append(deal_id)
    for pipeline_id, members in by_pipeline.items():
        if semantics == Semantics.SUCCESS:
            target = pipelines.success_stage(session, pipeline_id)
        else:
            failures = [
                s
                for s in pipelines.stages_of(session, pipeline_id)
                if s.semantics == Semantics.FAILURE
            ]
            if not failures:
                raise ValidationError(
                    "a pipeline of the selection has no failure stage", field="stage"
                )
            target = failures[0]
        assert target.id is not None
        moved += mass_move(session, members, target.id, lost_reason=reason)
    return moved


def mass_won(session: Session, ids: Sequence[int]) -> int:
    """Close the deals as won (each in its own pipeline's success stage)."""
    return _close_each_pipeline(session, ids, Semantics.SUCCESS, None)


def mass_lost(session: Session, ids: Sequence[int], reason: str | int | None = None) -> int:
    """Close the deals as lost with one reason (the first failure stage of each pipeline)."""
    return _close_each_pipeline(session, ids, Semantics.FAILURE, reason)


def mass_responsible(session: Session, ids: Sequence[int], responsible: int | str) -> int:
    """Give the deals to another responsible person."""
    user = users.resolve_user(session, responsible)
    stamp = _stamp(session)
    deals = _deals_table()
    people = User.__table__  # type: ignore[attr-defined]
    changed = 0
    for chunk in _chunks(ids):
        moving = and_(deals.c.id.in_(chunk), deals.c.responsible_id != user.id)
        _event_rows(
            session,
            select(
                deals.c.id,
                literal(stamp["now"], type_=UTCDateTime()),
                literal(stamp["user"], type_=Integer),
                literal(EventKind.FIELD_CHANGED.value),
                literal("responsible"),
                people.c.name,
                literal(user.name),
                _text(None),
            )
            .select_from(deals.join(people, people.c.id == deals.c.responsible_id))
            .where(moving),
        )
        result = session.execute(
            update(deals)
            .where(moving)
            .values(
                responsible_id=user.id,
                version=deals.c.version + 1,
                updated_at=stamp["now"],
                updated_by_id=stamp["user"],
            )
        )
        changed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return changed


def mass_pipeline(session: Session, ids: Sequence[int], pipeline: int | str) -> int:
    """Move the deals to another pipeline, each into its first stage of the same semantics."""
    target = pipelines.resolve_pipeline(session, pipeline)
    assert target.id is not None
    stages = pipelines.stages_of(session, target.id)
    first_of: dict[str, Stage] = {}
    for stage in stages:
        first_of.setdefault(stage.semantics, stage)
    stamp = _stamp(session)
    deals = _deals_table()
    old_stage = Stage.__table__.alias("old_stage")  # type: ignore[attr-defined]
    old_pipeline = Pipeline.__table__.alias("old_pipeline")  # type: ignore[attr-defined]
    changed = 0
    for chunk in _chunks(ids):
        for semantics, stage in first_of.items():
            moving = and_(
                deals.c.id.in_(chunk),
                deals.c.pipeline_id != target.id,
                deals.c.stage_id.in_(
                    select(old_stage.c.id).where(old_stage.c.semantics == semantics)
                ),
            )
            _event_rows(
                session,
                select(
                    deals.c.id,
                    literal(stamp["now"], type_=UTCDateTime()),
                    literal(stamp["user"], type_=Integer),
                    literal(EventKind.PIPELINE_CHANGED.value),
                    literal("pipeline"),
                    old_pipeline.c.name + literal(" / ") + old_stage.c.name,
                    literal(f"{target.name} / {stage.name}"),
                    old_stage.c.code + literal(f" → {stage.code}"),
                )
                .select_from(
                    deals.join(old_stage, old_stage.c.id == deals.c.stage_id).join(
                        old_pipeline, old_pipeline.c.id == deals.c.pipeline_id
                    )
                )
                .where(moving),
            )
            result = session.execute(
                update(deals)
                .where(moving)
                .values(
                    pipeline_id=target.id,
                    stage_id=stage.id,
                    moved_at=stamp["now"],
                    moved_by_id=stamp["user"],
                    version=deals.c.version + 1,
                    updated_at=stamp["now"],
                    updated_by_id=stamp["user"],
                )
            )
            changed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    missing = set(first_of) ^ {Semantics.PROCESS, Semantics.SUCCESS, Semantics.FAILURE}
    if missing:
        left = session.execute(
            select(col(Deal.id)).where(
                col(Deal.id).in_(list(ids)), col(Deal.pipeline_id) != target.id
            )
        ).first()
        if left is not None:
            raise ValidationError(
                f"pipeline {target.name!r} has no stage for some selected deals", field="pipeline"
            )
    return changed


def mass_delete(session: Session, ids: Iterable[int]) -> int:
    """Delete the deals with their products, activities and history."""
    deleted = 0
    for chunk in _chunks(list(ids)):
        result = session.execute(delete(_deals_table()).where(_deals_table().c.id.in_(chunk)))
        deleted += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return deleted
