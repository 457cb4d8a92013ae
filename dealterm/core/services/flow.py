"""Moving deals through stages: move, win, lose, reopen, change pipeline, undo.

A deal is closed exactly when its stage is a success or failure stage. Entering such a
stage sets the close date to today; moving back to an in-progress stage reopens it.
Every move writes a stage-changed event naming both stages.

An undo puts back what a move or close changed (:class:`StageState` before and after it):
the stage, whether the deal is closed, the close date, when and by whom it was moved,
the lost reason and the probability.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlmodel import Session, col, select

from dealterm.core.context import ctx
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.models import Deal, EventKind, HistoryEvent, Pipeline, Semantics, Stage
from dealterm.core.queries.deal_read import get_deal
from dealterm.core.readmodels import DealRead
from dealterm.core.services import directories, history, pipelines
from dealterm.core.services.deals import lock_deal, touch

__all__ = [
    "StageChange",
    "StageState",
    "change_pipeline",
    "change_stage",
    "mark_lost",
    "mark_won",
    "move_deal",
    "previous_stage",
    "reopen_deal",
    "undo_stage_change",
]


@dataclass(frozen=True)
class StageState:
    """What a stage move or close may change on a deal: what an undo puts back."""

    stage_id: int
    closed: bool
    close_date: date
    moved_at: datetime
    moved_by_id: int | None
    lost_reason_id: int | None
    lost_reason_text: str | None
    probability: int | None

    @classmethod
    def of(cls, deal: Deal) -> StageState:
        """The state of a deal row as it is now."""
        return cls(**{f.name: getattr(deal, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class StageChange:
    """A move or close as it was made: the deal now, its stage state before and after."""

    deal: DealRead
    before: StageState
    after: StageState


def change_stage(
    session: Session,
    deal_id: int,
    stage: int | str,
    *,
    lost_reason: str | int | None = None,
    expected_version: int | None = None,
) -> StageChange:
    """Move a deal to a stage of its pipeline, keeping what :func:`undo_stage_change` needs.

    A failure stage closes the deal as lost there (:func:`mark_lost`: a deal lost there
    already gets the new reason); any other stage is :func:`move_deal`.

    Raises:
        NotFoundError, ConflictError, ValidationError: nothing is written.
    """
    deal = lock_deal(session, deal_id, expected_version)
    before = StageState.of(deal)
    target = pipelines.resolve_stage(session, _pipeline_of(session, deal), stage)
    if target.semantics == Semantics.FAILURE:
        read = mark_lost(session, deal_id, reason=lost_reason, stage=target.id or 0)
    else:
        read = move_deal(session, deal_id, target.id or 0, lost_reason=lost_reason)
    return StageChange(read, before, StageState.of(deal))


def _set_stage(
    session: Session,
    deal: Deal,
    stage: Stage,
    *,
    reason_id: int | None = None,
    reason_text: str | None = None,
) -> bool:
    """Put ``deal`` in ``stage`` and write the timeline; return False if it was already there."""
    assert deal.id is not None
    old = session.get(Stage, deal.stage_id)
    assert old is not None
    if old.id == stage.id:
        return False
    context = ctx(session)
    was_closed = deal.closed
    deal.stage_id = stage.id or deal.stage_id
    deal.moved_at = context.clock.utcnow()
    deal.moved_by_id = context.user_id or None
    deal.closed = stage.semantics != Semantics.PROCESS
    history.record(
        session,
        deal.id,
        EventKind.STAGE_CHANGED,
        field="stage",
        old=old.name,
        new=stage.name,
        text=f"{old.code} → {stage.code}",
    )
    if deal.closed:
        today = context.clock.today()
        if deal.close_date != today:
            history.record(
                session,
                deal.id,
                EventKind.FIELD_CHANGED,
                field="close_date",
                old=str(deal.close_date),
                new=str(today),
            )
            deal.close_date = today
    if stage.semantics == Semantics.FAILURE:
        deal.lost_reason_id = reason_id
        deal.lost_reason_text = reason_text
        reason = reason_text
        if reason_id is not None:
            found = directories.list_lost_reasons(session)
            reason = next((r.name for r in found if r.id == reason_id), None)
        history.record(
            session,
            deal.id,
            EventKind.LOST,
            text=f"Deal lost: {reason}" if reason else "Deal lost",
        )
    else:
        deal.lost_reason_id = None
        deal.lost_reason_text = None
        if stage.semantics == Semantics.SUCCESS:
            history.record(session, deal.id, EventKind.WON, text="Deal won")
        elif was_closed:
            history.record(
                session, deal.id, EventKind.REOPENED, text=f"Deal reopened in stage {stage.name}"
            )
    touch(session, deal)
    session.flush()
    return True


def _pipeline_of(session: Session, deal: Deal) -> Pipeline:
    pipeline = session.get(Pipeline, deal.pipeline_id)
    assert pipeline is not None
    return pipeline


def move_deal(
    session: Session,
    deal_id: int,
    stage: int | str,
    *,
    expected_version: int | None = None,
    lost_reason: str | int | None = None,
) -> DealRead:
    """Move a deal to another stage of its own pipeline.

    Args:
        stage: stage id, code or name; a stage of another pipeline is refused.
        lost_reason: for a failure stage, a directory reason (id or name) or free text.

    Raises:
        NotFoundError, ConflictError, ValidationError: nothing is written.
    """
    deal = lock_deal(session, deal_id, expected_version)
    target = pipelines.resolve_stage(session, _pipeline_of(session, deal), stage)
    reason_id, reason_text = (None, None)
    if lost_reason not in (None, ""):
        if target.semantics != Semantics.FAILURE:
            raise ValidationError("a lost reason is only for a failure stage", field="lost_reason")
        reason_id, reason_text = directories.resolve_lost_reason(session, lost_reason)
    _set_stage(session, deal, target, reason_id=reason_id, reason_text=reason_text)
    return get_deal(session, deal_id)


def mark_won(session: Session, deal_id: int, *, expected_version: int | None = None) -> DealRead:
    """Close a deal as won: move it to its pipeline's success stage."""
    deal = lock_deal(session, deal_id, expected_version)
    _set_stage(session, deal, pipelines.success_stage(session, deal.pipeline_id))
    return get_deal(session, deal_id)


def mark_lost(
    session: Session,
    deal_id: int,
    *,
    reason: str | int | None = None,
    stage: int | str | None = None,
    expected_version: int | None = None,
) -> DealRead:
    """Close a deal as lost with a reason (a directory entry or free text).

    Args:
        stage: which failure stage; the pipeline's first failure stage by default.

    Raises:
        ValidationError: ``stage`` is not a failure stage of the deal's pipeline.
    """
    deal = lock_deal(session, deal_id, expected_version)
    pipeline = _pipeline_of(session, deal)
    if stage not in (None, ""):
        target = pipelines.resolve_stage(session, pipeline, stage)
        if target.semantics != Semantics.FAILURE:
            raise ValidationError(f"{target.code} is not a failure stage", field="stage")
    else:
        assert pipeline.id is not None
        failures = [
            s for s in pipelines.stages_of(session, pipeline.id) if s.semantics == Semantics.FAILURE
        ]
        if not failures:
            raise NotFoundError(f"pipeline {pipeline.name!r} has no failure stage")
        target = failures[0]
    reason_id, reason_text = (
        directories.resolve_lost_reason(session, reason)
        if reason not in (None, "")
        else (None, None)
    )
    current = session.get(Stage, deal.stage_id)
    if current is not None and current.id == target.id:
        # Already lost here: record the (new) reason only.
        if (reason_id, reason_text) != (deal.lost_reason_id, deal.lost_reason_text):
            old = deal.lost_reason_text
            deal.lost_reason_id, deal.lost_reason_text = reason_id, reason_text
            history.record(
                session,
                deal_id,
                EventKind.FIELD_CHANGED,
                field="lost_reason",
                old=old,
                new=reason_text or (str(reason_id) if reason_id else None),
            )
            touch(session, deal)
            session.flush()
        return get_deal(session, deal_id)
    _set_stage(session, deal, target, reason_id=reason_id, reason_text=reason_text)
    return get_deal(session, deal_id)


def previous_stage(session: Session, deal: Deal) -> Stage | None:
    """The last in-progress stage the deal was in before its current stage, if any."""
    assert deal.id is not None
    codes = session.exec(
        select(HistoryEvent.text)
        .where(HistoryEvent.deal_id == deal.id, HistoryEvent.kind == EventKind.STAGE_CHANGED)
        .order_by(col(HistoryEvent.at).desc(), col(HistoryEvent.id).desc())
    ).all()
    stages = {s.code: s for s in pipelines.stages_of(session, deal.pipeline_id)}
    for text in codes:
        old_code = (text or "").split(" → ")[0]
        stage = stages.get(old_code)
        if stage is not None and stage.semantics == Semantics.PROCESS:
            return stage
    return None


def reopen_deal(
    session: Session,
    deal_id: int,
    *,
    stage: int | str | None = None,
    expected_version: int | None = None,
) -> DealRead:
    """Reopen a closed deal: back to ``stage``, else the stage it was in before closing,
    else the pipeline's first stage.

    Raises:
        ValidationError: the deal is not closed, or ``stage`` is not an in-progress stage.
    """
    deal = lock_deal(session, deal_id, expected_version)
    pipeline = _pipeline_of(session, deal)
    assert pipeline.id is not None
    if not deal.closed:
        raise ValidationError(f"deal #{deal_id} is not closed", field="stage")
    if stage not in (None, ""):
        target = pipelines.resolve_stage(session, pipeline, stage)
        if target.semantics != Semantics.PROCESS:
            raise ValidationError(f"{target.code} is not an in-progress stage", field="stage")
    else:
        target = previous_stage(session, deal) or pipelines.first_stage(session, pipeline.id)
    _set_stage(session, deal, target)
    return get_deal(session, deal_id)


def change_pipeline(
    session: Session, deal_id: int, pipeline: int | str, *, expected_version: int | None = None
) -> DealRead:
    """Move a deal to another pipeline, into its first stage with the same semantics.

    The timeline records both pipelines and both stages.
    """
    deal = lock_deal(session, deal_id, expected_version)
    target_pipeline = pipelines.resolve_pipeline(session, pipeline)
    assert target_pipeline.id is not None
    if target_pipeline.id == deal.pipeline_id:
        return get_deal(session, deal_id)
    old_pipeline = _pipeline_of(session, deal)
    old_stage = session.get(Stage, deal.stage_id)
    assert old_stage is not None
    candidates = [
        s
        for s in pipelines.stages_of(session, target_pipeline.id)
        if s.semantics == old_stage.semantics
    ]
    if not candidates:
        raise ValidationError(
            f"pipeline {target_pipeline.name!r} has no {old_stage.semantics} stage",
            field="pipeline",
        )
    target = candidates[0]
    context = ctx(session)
    deal.pipeline_id = target_pipeline.id
    deal.stage_id = target.id or deal.stage_id
    deal.moved_at = context.clock.utcnow()
    deal.moved_by_id = context.user_id or None
    history.record(
        session,
        deal_id,
        EventKind.PIPELINE_CHANGED,
        field="pipeline",
        old=f"{old_pipeline.name} / {old_stage.name}",
        new=f"{target_pipeline.name} / {target.name}",
        text=f"{old_stage.code} → {target.code}",
    )
    touch(session, deal)
    session.flush()
    return get_deal(session, deal_id)


def _reason_name(session: Session, reason_id: int | None, reason_text: str | None) -> str | None:
    if reason_id is None:
        return reason_text
    found = directories.list_lost_reasons(session)
    return next((r.name for r in found if r.id == reason_id), str(reason_id))


def undo_stage_change(session: Session, deal_id: int, change: StageChange) -> DealRead:
    """Undo a move or close: put back each field it changed (``change.before``).

    A field someone changed since keeps its new value. The timeline records the undo and
    each field put back (stage, close date, lost reason, probability); ``closed`` follows
    the stage, so a deal taken back to an in-progress stage is open again.

    Raises:
        NotFoundError: no such deal.
        ValidationError: the deal has left the stage the change put it in; nothing is
            written.
    """
    before, after = change.before, change.after
    deal = lock_deal(session, deal_id)
    if deal.stage_id != after.stage_id:
        raise ValidationError(f"“{deal.title}” was moved since; nothing was undone", field="stage")
    now = StageState.of(deal)
    back = {
        f.name: getattr(before, f.name)
        for f in fields(StageState)
        if getattr(now, f.name) == getattr(after, f.name) != getattr(before, f.name)
    }
    if not back:
        return get_deal(session, deal_id)
    old_stage = session.get(Stage, deal.stage_id)
    new_stage = session.get(Stage, back.get("stage_id", deal.stage_id))
    if new_stage is None or new_stage.pipeline_id != deal.pipeline_id:
        raise ValidationError("the stage to go back to is gone; nothing was undone", field="stage")
    assert old_stage is not None
    if old_stage.id != new_stage.id:
        history.record(
            session,
            deal_id,
            EventKind.STAGE_CHANGED,
            field="stage",
            old=old_stage.name,
            new=new_stage.name,
            text=f"{old_stage.code} → {new_stage.code}",
        )
    if "close_date" in back:
        history.record(
            session,
            deal_id,
            EventKind.FIELD_CHANGED,
            field="close_date",
            old=deal.close_date,
            new=back["close_date"],
        )
    if back.keys() & {"lost_reason_id", "lost_reason_text"}:
        history.record(
            session,
            deal_id,
            EventKind.FIELD_CHANGED,
            field="lost_reason",
            old=_reason_name(session, deal.lost_reason_id, deal.lost_reason_text),
            new=_reason_name(
                session,
                back.get("lost_reason_id", deal.lost_reason_id),
                back.get("lost_reason_text", deal.lost_reason_text),
            ),
        )
    if "probability" in back:
        history.record(
            session,
            deal_id,
            EventKind.FIELD_CHANGED,
            field="probability",
            old=deal.probability,
            new=back["probability"],
        )
    was_closed = deal.closed
    for name, value in back.items():
        setattr(deal, name, value)
    deal.closed = new_stage.semantics != Semantics.PROCESS
    reopened = " (reopened)" if was_closed and not deal.closed else ""
    history.record(
        session, deal_id, EventKind.UNDONE, text=f"Undone: in stage {new_stage.name}{reopened}"
    )
    touch(session, deal)
    session.flush()
    return get_deal(session, deal_id)
