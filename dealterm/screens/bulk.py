"""The steps of a bulk action: ask what is needed, confirm, run it off the UI thread."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dealterm.screens.base import in_thread

if TYPE_CHECKING:
    from dealterm.core.cards import PipelineInfo
    from dealterm.screens.base import CrmScreen

__all__ = ["done_message", "run_bulk_action", "spread_message"]


def _selection(screen: CrmScreen) -> list[int]:
    """The deals selected in the screen's deal table (none: an empty list)."""
    from dealterm.widgets.deal_table import DealTable

    tables = screen.query(DealTable)
    return sorted(tables.first().selected) if tables else []


def spread_message(groups: Sequence[tuple[PipelineInfo, int]]) -> str:
    """Why deals of several pipelines cannot move to one stage, with the count of each."""
    parts = ", ".join(f"{pipeline.name} {count:,}" for pipeline, count in groups)
    return (
        f"The selected deals are in {len(groups)} pipelines ({parts}): select the deals "
        "of one pipeline to move them to a stage"
    )


async def run_bulk_action(screen: CrmScreen, action: str, ids: list[int]) -> bool:
    """Ask for what ``action`` needs, then apply it to ``ids``; True when something changed.

    Deletion asks for confirmation with the count. Export opens the export dialog for the
    selection, or for every deal of the current filter when nothing is selected. A move
    to a stage offers the stages of the pipeline the deals are in; deals of several
    pipelines are refused before anything is asked, naming how many each pipeline holds.
    """
    from dealterm.screens.confirm import ConfirmModal
    from dealterm.screens.lost_reason import LostReasonModal
    from dealterm.screens.picker import PickerModal

    app = screen.app
    crm = screen.crm
    count = f"{len(ids):,} deal{'s' if len(ids) != 1 else ''}"
    value: object = None
    lost_reason: str | None = None
    try:
        if action == "move":
            groups = await in_thread(crm.pipelines_holding, ids)
            if len(groups) > 1:
                screen.notify(spread_message(groups), severity="warning", timeout=10)
                return False
            # No pipeline found: the deals are gone, and the mass move will say so.
            pipeline = groups[0][0] if groups else screen.dt_app.pipeline
            if pipeline is None:
                pipeline = await in_thread(crm.default_pipeline)
            stages = await in_thread(crm.stages, pipeline.id)
            value = await app.push_screen_wait(
                PickerModal(
                    f"Move {count} to a stage of {pipeline.name}",
                    [(str(s.id), s.name) for s in stages],
                )
            )
            stage = next((s for s in stages if str(s.id) == value), None)
            if stage is not None and stage.semantics == "failure":
                # As a move of one deal into a failure stage: the reason is asked for.
                reasons = await in_thread(crm.lost_reasons)
                why = await app.push_screen_wait(
                    LostReasonModal(count, reasons, heading=f"Move {count} to {stage.name}")
                )
                if why is None:
                    return False
                lost_reason = why or None
        elif action == "responsible":
            people = await in_thread(crm.users)
            value = await app.push_screen_wait(
                PickerModal(f"Give {count} to", [(c.value, c.label) for c in people])
            )
        elif action == "pipeline":
            pipelines = await in_thread(crm.pipelines)
            value = await app.push_screen_wait(
                PickerModal(f"Move {count} to pipeline", [(str(p.id), p.name) for p in pipelines])
            )
        elif action == "lost":
            reasons = await in_thread(crm.lost_reasons)
            value = await app.push_screen_wait(
                LostReasonModal(count, reasons, heading=f"Mark {count} as lost")
            )
            if value is None:
                return False
        elif action == "won":
            if not await app.push_screen_wait(ConfirmModal(f"Mark {count} as won?", confirm="Won")):
                return False
            value = True
        elif action == "delete":
            if not await app.push_screen_wait(
                ConfirmModal(
                    f"Delete {count} with their history? This cannot be undone.", confirm="Delete"
                )
            ):
                return False
            value = True
        elif action == "export":
            from dealterm.screens.export_dialog import export_deals_flow

            selected = _selection(screen)
            if selected:
                await export_deals_flow(app, crm, ids=selected)
            else:  # nothing selected: every deal the filter matches, not just the cursor's
                await export_deals_flow(app, crm, flt=screen.dt_app.deal_filter)
            return False
        if value is None:
            return False
        changed = await in_thread(crm.bulk, action, ids, value, lost_reason=lost_reason)
    except Exception as error:
        screen.report(error)
        return False
    screen.notify(done_message(action, changed, len(ids)), timeout=4)
    return True


def done_message(action: str, changed: int, asked: int) -> str:
    """What a bulk action did: "Deleted 3 deals", "2 of 3 deals changed"."""
    noun = f"deal{'s' if asked != 1 else ''}"
    if action == "delete":
        return (
            f"Deleted {changed:,} {noun}"
            if changed == asked
            else (f"Deleted {changed:,} of {asked:,} {noun}")
        )
    return f"{changed:,} of {asked:,} {noun} changed"
