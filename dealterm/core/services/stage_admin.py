"""Setting up stages: add, rename, colour, probability, rotting days, reorder, delete.

Order is enforced as Bitrix24 does: in-progress stages, then the single success stage,
then the failure stages. The first stage and the success stage cannot be deleted; a stage
that holds deals is deleted only by naming the stage its deals go to.
"""

from __future__ import annotations

import re

from sqlmodel import Session, col, func, select

from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.models import Deal, Pipeline, Semantics, Stage
from dealterm.core.services import mass_edit, pipelines

__all__ = ["PALETTE", "add_stage", "delete_stage", "edit_stage", "move_stage", "stage_deal_count"]

# Bitrix24's stage colours, offered as a palette (any #RRGGBB is accepted too).
PALETTE = (
    "#39A8EF",
    "#2FC6F6",
    "#55D0E0",
    "#47E4C2",
    "#7BD500",
    "#FFA900",
    "#FF5752",
    "#E46CBF",
    "#A78BFA",
    "#8D99AE",
    "#F4D35E",
    "#0EAD69",
)
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,22}$")


def _color(value: str) -> str:
    text = (value or "").strip()
    if not _COLOR.match(text):
        raise ValidationError(f"a colour is written #RRGGBB, not {value!r}", field="color")
    return text.upper()


def _probability(value: int | str | None) -> int:
    try:
        number = int(str(value).strip().rstrip("%"))
    except (TypeError, ValueError):
        raise ValidationError(
            f"Probability must be a whole number from 0 to 100 ({value})", field="probability"
        ) from None
    if not 0 <= number <= 100:
        raise ValidationError(
            f"Probability must be a whole number from 0 to 100 ({value})", field="probability"
        )
    return number


def _rotting(value: int | str | None) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"Rotting days must be a whole number of days ({value})", field="rotting_days"
        ) from None
    if number < 0 or number > 3650:
        raise ValidationError(
            f"Rotting days must be between 0 and 3650 ({value})", field="rotting_days"
        )
    return number


def _name(value: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise ValidationError("a stage needs a name", field="name")
    if len(text) > 255:
        raise ValidationError("a stage name is limited to 255 characters", field="name")
    return text


def _renumber(session: Session, pipeline_id: int, order: list[Stage]) -> list[Stage]:
    """Store ``order`` as sort values, after checking Bitrix24's order rule."""
    kinds = [s.semantics for s in order]
    process = [k for k in kinds if k == Semantics.PROCESS]
    if kinds.count(Semantics.SUCCESS) != 1:
        raise ValidationError("a pipeline has exactly one success stage", field="stage")
    expected = process + [Semantics.SUCCESS] + [Semantics.FAILURE] * kinds.count(Semantics.FAILURE)
    if kinds != expected:
        raise ValidationError(
            "stages go in-progress first, then the success stage, then the failure stages",
            field="position",
        )
    if not process:
        raise ValidationError("a pipeline needs at least one in-progress stage", field="stage")
    for position, stage in enumerate(order, start=1):
        stage.sort = position * 10
        session.add(stage)
    session.flush()
    return pipelines.stages_of(session, pipeline_id)


def _code_for(session: Session, pipeline_id: int, code: str | None) -> str:
    existing = {s.code.upper() for s in pipelines.stages_of(session, pipeline_id)}
    if code:
        text = code.strip().upper()
        if not _CODE.match(text):
            raise ValidationError("a stage code is 1-22 letters, digits, _ or -", field="code")
        if text in existing:
            raise ValidationError(f"the pipeline already has a stage {text}", field="code")
        return text
    number = 1  # like Bitrix24's issueStageID: numbers for stages users add
    while str(number) in existing:
        number += 1
    return str(number)


def add_stage(
    session: Session,
    pipeline: int | str,
    name: str,
    *,
    semantics: str = Semantics.PROCESS,
    color: str | None = None,
    probability: int | str | None = None,
    rotting_days: int | str | None = None,
    code: str | None = None,
    position: int | None = None,
) -> Stage:
    """Add an in-progress or failure stage.

    Args:
        position: 1-based place among the stages of its kind (in-progress or failure);
            the end of that group by default.

    Raises:
        ValidationError: a success stage (there is one already), bad values.
    """
    found = pipelines.resolve_pipeline(session, pipeline)
    assert found.id is not None
    if semantics not in (Semantics.PROCESS, Semantics.FAILURE):
        raise ValidationError("only in-progress and failure stages can be added", field="semantics")
    stages = pipelines.stages_of(session, found.id)
    _refuse_taken_name(session, found.id, _name(name), None)
    stage = Stage(
        pipeline_id=found.id,
        code=_code_for(session, found.id, code),
        name=_name(name),
        color=_color(color) if color else PALETTE[len(stages) % len(PALETTE)],
        semantics=semantics,
        probability=_probability(probability)
        if probability not in (None, "")
        else (0 if semantics == Semantics.FAILURE else 50),
        rotting_days=_rotting(rotting_days),
        sort=0,
    )
    group = [s for s in stages if s.semantics == semantics]
    index = len(group) if position is None else max(0, min(len(group), position - 1))
    group.insert(index, stage)
    process = (
        group
        if semantics == Semantics.PROCESS
        else [s for s in stages if s.semantics == Semantics.PROCESS]
    )
    failure = (
        group
        if semantics == Semantics.FAILURE
        else [s for s in stages if s.semantics == Semantics.FAILURE]
    )
    success = [s for s in stages if s.semantics == Semantics.SUCCESS]
    session.add(stage)
    session.flush()
    _renumber(session, found.id, [*process, *success, *failure])
    return stage


def _find(session: Session, pipeline: int | str, ref: int | str) -> Stage:
    """The stage a command is about: one that does not exist is "not found" (exit 1)."""
    try:
        found = pipelines.resolve_pipeline(session, pipeline)
        return pipelines.resolve_stage(session, found, ref)
    except ValidationError as error:
        raise NotFoundError(error.message) from None


def _refuse_taken_name(session: Session, pipeline_id: int, name: str, own: int | None) -> None:
    for stage in pipelines.stages_of(session, pipeline_id):
        if stage.name.lower() == name.lower() and stage.id != own:
            raise ValidationError(f"the pipeline already has a stage {name!r}", field="name")


def edit_stage(
    session: Session,
    pipeline: int | str,
    ref: int | str,
    *,
    name: str | None = None,
    color: str | None = None,
    probability: int | str | None = None,
    rotting_days: int | str | None = None,
) -> Stage:
    """Change a stage's name, colour, probability or rotting days (rotting 0 or '' turns it off)."""
    stage = _find(session, pipeline, ref)
    if name is not None:
        _refuse_taken_name(session, stage.pipeline_id, _name(name), stage.id)
        stage.name = _name(name)
    if color is not None:
        stage.color = _color(color)
    if probability is not None:
        stage.probability = _probability(probability)
    if rotting_days is not None:
        stage.rotting_days = _rotting(rotting_days)
    session.add(stage)
    session.flush()
    return stage


def move_stage(session: Session, pipeline: int | str, ref: int | str, position: int) -> list[Stage]:
    """Move a stage to a 1-based position among all stages of the pipeline.

    Raises:
        ValidationError: the new order breaks the rule (in-progress, success, failure).
    """
    stage = _find(session, pipeline, ref)
    stages = [s for s in pipelines.stages_of(session, stage.pipeline_id) if s.id != stage.id]
    index = max(0, position - 1)
    if index > len(stages):
        # past the last stage: the end of the stage's own group (in-progress or failure)
        same = [i for i, s in enumerate(stages) if s.semantics == stage.semantics]
        index = same[-1] + 1 if same else len(stages)
    stages.insert(index, stage)
    return _renumber(session, stage.pipeline_id, stages)


def stage_deal_count(session: Session, stage_id: int) -> int:
    """How many deals (templates included) are in a stage."""
    return int(
        session.exec(
            select(func.count()).select_from(Deal).where(col(Deal.stage_id) == stage_id)
        ).one()
    )


def delete_stage(
    session: Session, pipeline: int | str, ref: int | str, *, move_to: int | str | None = None
) -> int:
    """Delete a stage; returns how many deals were moved to ``move_to`` first.

    Raises:
        ValidationError: the first or the success stage, deals and no target, a target
            that is the stage itself.
    """
    stage = _find(session, pipeline, ref)
    assert stage.id is not None
    if stage.semantics == Semantics.SUCCESS:
        raise ValidationError("the success stage cannot be deleted", field="stage")
    first = pipelines.first_stage(session, stage.pipeline_id)
    if first.id == stage.id:
        raise ValidationError("the first stage cannot be deleted", field="stage")
    failures = [
        s for s in pipelines.stages_of(session, stage.pipeline_id) if s.semantics == stage.semantics
    ]
    if stage.semantics == Semantics.FAILURE and len(failures) == 1:
        raise ValidationError(
            "a pipeline keeps at least one failure stage (deals are lost into it)", field="stage"
        )
    owner = session.get(Pipeline, stage.pipeline_id)
    assert owner is not None and owner.id is not None
    target = None
    if move_to not in (None, ""):
        target = pipelines.resolve_stage(session, owner, move_to)  # checked even with no deals
        if target.id == stage.id:
            raise ValidationError("the deals must go to another stage", field="move_to")
    count = stage_deal_count(session, stage.id)
    moved = 0
    if count:
        if target is None:
            raise ValidationError(
                f"stage {stage.name!r} holds {count} deal{'s' if count != 1 else ''}; "
                "choose the stage they go to",
                field="move_to",
            )
        ids = [
            deal_id
            for (deal_id,) in session.execute(
                select(col(Deal.id)).where(col(Deal.stage_id) == stage.id)
            ).all()
        ]
        assert target.id is not None
        moved = mass_edit.mass_move(session, ids, target.id)
    session.delete(stage)
    session.flush()
    remaining = pipelines.stages_of(session, stage.pipeline_id)
    _renumber(session, stage.pipeline_id, remaining)
    return moved
