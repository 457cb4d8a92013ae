"""Settings (issue #5): pipelines, stages, directories, the catalogue and custom fields.

Every test runs on SQLite and PostgreSQL. A refused change must leave the database as it
was, so most refusals are followed by a look at what a user would see afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from dealterm.core.clock import FixedClock
from dealterm.core.db import Database
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.models import CardField, HistoryEvent, Stage
from dealterm.core.queries import get_deal
from dealterm.core.queries.board import board_summary, column_page
from dealterm.core.readmodels import DealRead
from dealterm.core.services import custom_fields as cf
from dealterm.core.services import (
    directories,
    flow,
    mass_edit,
    pipeline_admin,
    pipelines,
    stage_admin,
)
from dealterm.core.services import directory_admin as dirs
from dealterm.core.services.deals import DealCreate, DealUpdate, create_deal, update_deal
from dealterm.core.services.products import ProductRowInput

DEFAULT_SET = [
    ("NEW", "New", "process"),
    ("PREPARATION", "Document preparation", "process"),
    ("PREPAYMENT_INVOICE", "Prepayment invoice", "process"),
    ("EXECUTING", "In progress", "process"),
    ("FINAL_INVOICE", "Final invoice", "process"),
    ("WON", "Deal successful", "success"),
    ("LOSE", "Deal failed", "failure"),
    ("APOLOGY", "Failure reason analysis", "failure"),
]
DEFAULT_CODES = [code for code, _, _ in DEFAULT_SET]


# --- helpers ---------------------------------------------------------------------------


def _deal(db: Database, **fields: object) -> DealRead:
    with db.session() as session:
        return create_deal(session, DealCreate(**{"title": "Deal", "amount": "100", **fields}))


def _read(db: Database, deal_id: int) -> DealRead:
    with db.session(write=False) as session:
        return get_deal(session, deal_id)


def _codes(db: Database, pipeline: str = "Sales") -> list[str]:
    with db.session(write=False) as session:
        found = pipelines.resolve_pipeline(session, pipeline)
        return [s.code for s in pipelines.stages_of(session, found.id or 0)]


def _stage(db: Database, code: str, pipeline: str = "Sales") -> Stage:
    with db.session(write=False) as session:
        return pipelines.resolve_stage(session, pipelines.resolve_pipeline(session, pipeline), code)


def _names(db: Database) -> list[tuple[str, bool]]:
    with db.session(write=False) as session:
        return [(p.name, p.is_default) for p in pipelines.list_pipelines(session)]


def _events(db: Database, deal_id: int, kind: str) -> list[tuple[str | None, ...]]:
    with db.session(write=False) as session:
        rows = session.exec(
            select(HistoryEvent)
            .where(HistoryEvent.deal_id == deal_id, HistoryEvent.kind == kind)
            .order_by(HistoryEvent.id)  # type: ignore[arg-type]
        ).all()
    return [(e.old_value, e.new_value, e.text) for e in rows]


def _refused(
    db: Database,
    match: str,
    action: Callable[[Session], object],
    error: type[Exception] = ValidationError,
) -> None:
    """``action`` fails with ``error`` matching ``match`` (its transaction is rolled back)."""
    with pytest.raises(error, match=match), db.session() as session:
        action(session)


def _entries(db: Database, kind: str, *, hidden: bool = False) -> dict[str, tuple[str, bool]]:
    with db.session(write=False) as session:
        return {
            e.key: (e.name, e.active)
            for e in dirs.list_entries(session, kind, include_hidden=hidden)
        }


# --- pipelines -------------------------------------------------------------------------


def test_a_new_pipeline_starts_with_the_default_stages(db: Database) -> None:
    with db.session() as session:
        pipelines.create_pipeline(session, "  Big   projects ")
    assert _names(db) == [("Sales", True), ("Big projects", False)]
    with db.session(write=False) as session:
        found = pipelines.resolve_pipeline(session, "big PROJECTS")
        stages = pipelines.stages_of(session, found.id or 0)
    assert [(s.code, s.name, s.semantics) for s in stages] == DEFAULT_SET
    _refused(
        db,
        "called 'BIG PROJECTS' already exists",
        lambda s: pipelines.create_pipeline(s, "BIG PROJECTS"),
    )
    _refused(db, "needs a name", lambda s: pipelines.create_pipeline(s, "   "))
    _refused(db, "limited to 255", lambda s: pipelines.create_pipeline(s, "p" * 256))
    assert len(_names(db)) == 2


def test_rename_reorder_and_choose_the_default(db: Database) -> None:
    with db.session() as session:
        pipelines.create_pipeline(session, "Projects")
        pipelines.create_pipeline(session, "Service")
        pipeline_admin.rename_pipeline(session, "projects", "Big projects")
        pipeline_admin.rename_pipeline(session, "Service", "SERVICE")  # its own name, new case
    _refused(
        db,
        "'sales' already exists",
        lambda s: pipeline_admin.rename_pipeline(s, "SERVICE", "sales"),
    )
    _refused(db, "needs a name", lambda s: pipeline_admin.rename_pipeline(s, "SERVICE", " "))
    _refused(
        db,
        "unknown pipeline 'Nope'",
        lambda s: pipeline_admin.rename_pipeline(s, "Nope", "X"),
        NotFoundError,  # the pipeline the command is about
    )
    assert _names(db) == [("Sales", True), ("Big projects", False), ("SERVICE", False)]

    with db.session() as session:
        pipeline_admin.reorder_pipelines(session, ["SERVICE", "Big projects"])
    assert [n for n, _ in _names(db)] == ["SERVICE", "Big projects", "Sales"]
    _refused(db, "named twice", lambda s: pipeline_admin.reorder_pipelines(s, ["Sales", "sales"]))
    assert [n for n, _ in _names(db)] == ["SERVICE", "Big projects", "Sales"]

    with db.session() as session:
        pipeline_admin.set_default_pipeline(session, "Big projects")
    assert _names(db) == [("SERVICE", False), ("Big projects", True), ("Sales", False)]
    deal = _deal(db)
    assert (deal.pipeline, deal.stage) == ("Big projects", "NEW")


def test_an_empty_pipeline_is_deleted_with_its_stages(db: Database) -> None:
    with db.session() as session:
        gone = pipelines.create_pipeline(session, "Projects").id
    with db.session() as session:
        assert pipeline_admin.delete_pipeline(session, "Projects") == 0
    assert _names(db) == [("Sales", True)]
    with db.session(write=False) as session:
        assert session.exec(select(Stage).where(Stage.pipeline_id == gone)).all() == []
    _refused(db, "unknown pipeline 'Projects'", lambda s: pipelines.resolve_pipeline(s, "Projects"))


def test_a_pipeline_with_deals_or_the_default_one_is_not_deleted(db: Database) -> None:
    with db.session() as session:
        pipelines.create_pipeline(session, "Projects")
    first = _deal(db, pipeline="Projects")
    _deal(db, pipeline="Projects")
    _refused(
        db,
        "'Projects' holds 2 deals; choose a pipeline to move them to",
        lambda s: pipeline_admin.delete_pipeline(s, "Projects"),
    )
    _refused(
        db,
        "must go to another pipeline",
        lambda s: pipeline_admin.delete_pipeline(s, "Projects", move_to="projects"),
    )
    _refused(
        db,
        "unknown pipeline 'Nope'",
        lambda s: pipeline_admin.delete_pipeline(s, "Projects", move_to="Nope"),
    )
    _refused(
        db,
        "'Sales' is the default pipeline; make another one the default first",
        lambda s: pipeline_admin.delete_pipeline(s, "Sales", move_to="Projects"),
    )
    assert _names(db) == [("Sales", True), ("Projects", False)]
    assert _read(db, first.id).pipeline == "Projects"
    assert _read(db, first.id).version == first.version


def test_deleting_a_pipeline_moves_its_deals_by_the_kind_of_their_stage(db: Database) -> None:
    with db.session() as session:
        pipelines.create_pipeline(session, "Projects")
        # In Sales the first in-progress stage becomes PREPARATION, the first failure APOLOGY.
        stage_admin.move_stage(session, "Sales", "NEW", 2)
        stage_admin.move_stage(session, "Sales", "APOLOGY", 7)
    open_deal = _deal(db, pipeline="Projects", stage="EXECUTING")
    won = _deal(db, pipeline="Projects")
    lost = _deal(db, pipeline="Projects")
    with db.session() as session:
        flow.mark_won(session, won.id)
        flow.mark_lost(session, lost.id, reason="No budget")
        assert pipeline_admin.delete_pipeline(session, "Projects", move_to="Sales") == 3
    assert _names(db) == [("Sales", True)]
    after = {d: _read(db, d) for d in (open_deal.id, won.id, lost.id)}
    assert [(d.pipeline, d.stage, d.closed) for d in after.values()] == [
        ("Sales", "PREPARATION", False),
        ("Sales", "WON", True),
        ("Sales", "APOLOGY", True),
    ]
    assert after[lost.id].lost_reason == "No budget"
    assert _events(db, open_deal.id, "pipeline_changed") == [
        ("Projects / In progress", "Sales / Document preparation", "EXECUTING → PREPARATION")
    ]
    assert _events(db, lost.id, "pipeline_changed") == [
        ("Projects / Deal failed", "Sales / Failure reason analysis", "LOSE → APOLOGY")
    ]


# --- moving deals between pipelines ----------------------------------------------------


def test_change_pipeline_lands_in_the_first_stage_of_the_same_kind(db: Database) -> None:
    with db.session() as session:
        pipelines.create_pipeline(session, "Projects")
        stage_admin.add_stage(session, "Projects", "Qualify", code="QUALIFY", position=1)
        stage_admin.add_stage(session, "Projects", "Ghosted", semantics="failure", position=1)
    open_deal = _deal(db, stage="FINAL_INVOICE")
    won = _deal(db)
    lost = _deal(db)
    with db.session() as session:
        flow.mark_won(session, won.id)
        flow.mark_lost(session, lost.id, reason="Went with a competitor")
    with db.session() as session:
        moved = [flow.change_pipeline(session, d.id, "projects") for d in (open_deal, won, lost)]
    assert [(d.pipeline, d.stage_name, d.closed) for d in moved] == [
        ("Projects", "Qualify", False),
        ("Projects", "Deal successful", True),
        ("Projects", "Ghosted", True),
    ]
    assert moved[2].lost_reason == "Went with a competitor"
    assert moved[0].version == open_deal.version + 1
    assert _events(db, open_deal.id, "pipeline_changed") == [
        ("Sales / Final invoice", "Projects / Qualify", "FINAL_INVOICE → QUALIFY")
    ]
    assert _events(db, won.id, "pipeline_changed") == [
        ("Sales / Deal successful", "Projects / Deal successful", "WON → WON")
    ]
    assert _events(db, lost.id, "pipeline_changed") == [
        ("Sales / Deal failed", "Projects / Ghosted", "LOSE → 1")
    ]
    with db.session() as session:  # already there: nothing changes, nothing is written
        again = flow.change_pipeline(session, open_deal.id, "Projects")
    assert again.version == moved[0].version
    assert len(_events(db, open_deal.id, "pipeline_changed")) == 1


def test_mass_pipeline_moves_each_deal_once_with_its_own_event(db: Database) -> None:
    with db.session() as session:
        pipelines.create_pipeline(session, "Projects")
    ids = [_deal(db, title=f"Deal {i}").id for i in range(4)]
    with db.session() as session:
        flow.move_deal(session, ids[1], "EXECUTING")
        flow.mark_won(session, ids[2])
        flow.change_pipeline(session, ids[3], "Projects")
    with db.session() as session:
        assert mass_edit.mass_pipeline(session, ids, "Projects") == 3
    after = [_read(db, i) for i in ids]
    assert [(d.pipeline, d.stage) for d in after] == [
        ("Projects", "NEW"),
        ("Projects", "NEW"),
        ("Projects", "WON"),
        ("Projects", "NEW"),
    ]
    assert _events(db, ids[1], "pipeline_changed") == [
        ("Sales / In progress", "Projects / New", "EXECUTING → NEW")
    ]
    assert len(_events(db, ids[3], "pipeline_changed")) == 1  # it was there already


def test_the_last_failure_stage_cannot_be_deleted(db: Database) -> None:
    with db.session() as session:
        pipelines.create_pipeline(session, "Projects")
        stage_admin.delete_stage(session, "Projects", "LOSE")
    _refused(
        db,
        "keeps at least one failure stage",
        lambda s: stage_admin.delete_stage(s, "Projects", "APOLOGY"),
    )
    lost = _deal(db)
    with db.session() as session:  # so a lost deal always has somewhere to go
        flow.mark_lost(session, lost.id)
        flow.change_pipeline(session, lost.id, "Projects")
    assert (_read(db, lost.id).pipeline, _read(db, lost.id).stage) == ("Projects", "APOLOGY")


def _without_failure_stages(db: Database) -> None:
    """A pipeline with no failure stage (only an older database could hold one now)."""
    with db.session() as session:
        pipelines.create_pipeline(session, "Projects")
        for stage in pipelines.stages_of(
            session, pipelines.resolve_pipeline(session, "Projects").id or 0
        ):
            if stage.semantics == "failure":
                session.delete(stage)


def test_a_target_without_that_kind_of_stage_is_refused_and_nothing_moves(db: Database) -> None:
    _without_failure_stages(db)
    open_deal = _deal(db)
    lost = _deal(db)
    with db.session() as session:
        flow.mark_lost(session, lost.id)
    _refused(
        db,
        "pipeline 'Projects' has no failure stage",
        lambda s: flow.change_pipeline(s, lost.id, "Projects"),
    )
    _refused(
        db,
        "'Projects' has no stage for some selected deals",
        lambda s: mass_edit.mass_pipeline(s, [open_deal.id, lost.id], "Projects"),
    )
    assert [(_read(db, d).pipeline, _read(db, d).stage) for d in (open_deal.id, lost.id)] == [
        ("Sales", "NEW"),
        ("Sales", "LOSE"),
    ]
    assert _events(db, open_deal.id, "pipeline_changed") == []


# --- stages ----------------------------------------------------------------------------


def test_added_stages_go_to_the_end_of_their_group_or_where_asked(db: Database) -> None:
    with db.session() as session:
        review = stage_admin.add_stage(session, "Sales", "Review")
        qualify = stage_admin.add_stage(session, "Sales", "Qualify", code="qualify", position=2)
        ghosted = stage_admin.add_stage(
            session,
            "Sales",
            "Ghosted",
            semantics="failure",
            color="#a1b2c3",
            probability="5%",
            rotting_days="3",
        )
    assert _codes(db) == [
        "NEW",
        "QUALIFY",
        "PREPARATION",
        "PREPAYMENT_INVOICE",
        "EXECUTING",
        "FINAL_INVOICE",
        "1",
        "WON",
        "LOSE",
        "APOLOGY",
        "2",
    ]
    assert (review.code, review.semantics, review.probability) == ("1", "process", 50)
    assert review.color in stage_admin.PALETTE
    assert qualify.code == "QUALIFY"
    stored = _stage(db, "2")
    assert (stored.name, stored.semantics, stored.color) == ("Ghosted", "failure", "#A1B2C3")
    assert (stored.probability, stored.rotting_days) == (5, 3)
    assert ghosted.id == stored.id
    # A deal can be lost into the new failure stage.
    deal = _deal(db)
    with db.session() as session:
        assert flow.mark_lost(session, deal.id, stage="Ghosted").stage == "2"


BAD_NEW_STAGES = [
    ({"semantics": "success"}, "only in-progress and failure stages can be added"),
    ({"name": "  "}, "a stage needs a name"),
    ({"name": "s" * 256}, "limited to 255 characters"),
    ({"color": "red"}, "a colour is written #RRGGBB, not 'red'"),
    ({"color": "#12345"}, "#RRGGBB"),
    ({"probability": "101"}, r"Probability must be a whole number from 0 to 100 \(101\)"),
    ({"probability": "half"}, "Probability must be a whole number"),
    ({"rotting_days": "-1"}, "Rotting days must be between 0 and 3650"),
    ({"rotting_days": "1.5"}, "Rotting days must be a whole number of days"),
    ({"code": "new"}, "the pipeline already has a stage NEW"),
    ({"code": "two words"}, "a stage code is 1-22 letters, digits, _ or -"),
    ({"pipeline": "Nope"}, "unknown pipeline 'Nope'"),
]


def test_bad_new_stages_are_refused(db: Database) -> None:
    for change, message in BAD_NEW_STAGES:
        extra = dict(change)
        pipeline = str(extra.pop("pipeline", "Sales"))
        name = str(extra.pop("name", "Extra"))
        _refused(
            db,
            message,
            lambda s, p=pipeline, n=name, e=extra: stage_admin.add_stage(s, p, n, **e),
        )
    assert _codes(db) == DEFAULT_CODES


def test_edit_a_stage_and_see_deals_follow_it(db: Database, clock: FixedClock) -> None:
    deal = _deal(db, stage="EXECUTING")
    own = _deal(db, stage="EXECUTING", probability="15")
    with db.session() as session:
        edited = stage_admin.edit_stage(
            session,
            "Sales",
            "In progress",
            name="  Doing   it ",
            color="#ff00aa",
            probability="75",
            rotting_days="3",
        )
    assert (edited.code, edited.name, edited.color) == ("EXECUTING", "Doing it", "#FF00AA")
    shown = _read(db, deal.id)
    assert (shown.stage_name, shown.stage_color, shown.probability) == ("Doing it", "#FF00AA", 75)
    assert _read(db, own.id).probability == 15  # a deal's own probability wins

    stage_id = edited.id or 0
    clock.advance(days=4)
    with db.session(write=False) as session:
        cards = column_page(session, stage_id, offset=0, limit=10)
    assert [(c.id, c.days_in_stage, c.rotting) for c in cards] == [
        (own.id, 4, True),
        (deal.id, 4, True),
    ]
    with db.session() as session:
        assert (
            stage_admin.edit_stage(session, "Sales", "EXECUTING", rotting_days="0").rotting_days
            is None
        )
    with db.session(write=False) as session:
        assert not any(c.rotting for c in column_page(session, stage_id, offset=0, limit=10))

    _refused(db, "#RRGGBB", lambda s: stage_admin.edit_stage(s, "Sales", "EXECUTING", color="pink"))
    _refused(db, "needs a name", lambda s: stage_admin.edit_stage(s, "Sales", "EXECUTING", name=""))
    _refused(
        db,
        "unknown stage 'NOPE'",
        lambda s: stage_admin.edit_stage(s, "Sales", "NOPE", name="x"),
        NotFoundError,
    )
    assert _stage(db, "EXECUTING").name == "Doing it"


def test_moving_stages_keeps_in_progress_success_failure_order(db: Database) -> None:
    with db.session() as session:
        stage_admin.move_stage(session, "Sales", "FINAL_INVOICE", 1)
        stage_admin.move_stage(session, "Sales", "APOLOGY", 7)
    order = ["FINAL_INVOICE", *DEFAULT_CODES[:4], "WON", "APOLOGY", "LOSE"]
    assert _codes(db) == order
    rule = "stages go in-progress first, then the success stage, then the failure stages"
    for code, position in (("WON", 1), ("WON", 8), ("LOSE", 2), ("NEW", 7)):
        _refused(db, rule, lambda s, c=code, p=position: stage_admin.move_stage(s, "Sales", c, p))
    assert _codes(db) == order
    with db.session() as session:  # past the last stage: the end of its own group
        stage_admin.move_stage(session, "Sales", "NEW", 99)
    order = ["FINAL_INVOICE", *DEFAULT_CODES[1:4], "NEW", "WON", "APOLOGY", "LOSE"]
    assert _codes(db) == order
    # New deals land in whichever in-progress stage now comes first.
    assert _codes(db)[0] == "FINAL_INVOICE"
    assert _deal(db).stage == "FINAL_INVOICE"


def test_the_first_stage_and_the_success_stage_cannot_be_deleted(db: Database) -> None:
    _refused(
        db,
        "the first stage cannot be deleted",
        lambda s: stage_admin.delete_stage(s, "Sales", "NEW"),
    )
    _refused(
        db,
        "the success stage cannot be deleted",
        lambda s: stage_admin.delete_stage(s, "Sales", "Deal successful"),
    )
    with db.session() as session:  # once NEW is not first, it goes; the new first stays
        stage_admin.move_stage(session, "Sales", "NEW", 3)
        stage_admin.delete_stage(session, "Sales", "NEW")
    _refused(
        db,
        "the first stage cannot be deleted",
        lambda s: stage_admin.delete_stage(s, "Sales", "PREPARATION"),
    )
    assert _codes(db) == [c for c in DEFAULT_CODES if c != "NEW"]
    with db.session(write=False) as session:  # renumbered without gaps
        assert [s.sort for s in pipelines.stages_of(session, 1)] == list(range(10, 80, 10))


def test_a_stage_with_deals_is_deleted_only_into_another_stage(db: Database) -> None:
    first = _deal(db, stage="PREPARATION", close_date="2026-04-01")
    second = _deal(db, stage="PREPARATION")
    other = _deal(db, stage="EXECUTING")
    _refused(
        db,
        "stage 'Document preparation' holds 2 deals; choose the stage they go to",
        lambda s: stage_admin.delete_stage(s, "Sales", "PREPARATION"),
    )
    _refused(
        db,
        "the deals must go to another stage",
        lambda s: stage_admin.delete_stage(s, "Sales", "PREPARATION", move_to="preparation"),
    )
    _refused(
        db,
        "unknown stage 'NOPE'",
        lambda s: stage_admin.delete_stage(s, "Sales", "PREPARATION", move_to="NOPE"),
    )
    assert _codes(db) == DEFAULT_CODES
    assert _read(db, first.id).stage == "PREPARATION"

    with db.session() as session:
        moved = stage_admin.delete_stage(session, "Sales", "PREPARATION", move_to="Deal failed")
    assert moved == 2
    assert "PREPARATION" not in _codes(db)
    after = _read(db, first.id)
    assert (after.stage, after.closed, after.close_date.isoformat()) == ("LOSE", True, "2026-03-10")
    assert _read(db, second.id).stage == "LOSE"
    assert _read(db, other.id).stage == "EXECUTING"
    assert _events(db, first.id, "stage_changed") == [
        ("Document preparation", "Deal failed", "PREPARATION → LOSE")
    ]
    assert _events(db, first.id, "lost") == [(None, None, "Deal lost")]


# --- directories -----------------------------------------------------------------------


def test_types_sources_and_lost_reasons_are_listed_added_and_edited(db: Database) -> None:
    with db.session() as session:
        added = dirs.add_entry(session, "types", code="consulting", name="  Consulting ")
        dirs.add_entry(session, "source", code="FAIR_2026", name="Trade fair", sort=1)
        reason = dirs.add_entry(session, "reasons", name="Went silent")
        dirs.edit_entry(session, "type", "SALE", name="Direct sale", sort=999)
        dirs.edit_entry(session, "lost_reason", reason.key, name="Stopped answering")
    assert (added.key, added.name, added.active) == ("CONSULTING", "Consulting", True)
    types = list(_entries(db, "type"))
    assert types[-2:] == ["CONSULTING", "SALE"] and types[0] == "COMPLEX"
    assert _entries(db, "type")["SALE"] == ("Direct sale", True)
    assert next(iter(_entries(db, "source"))) == "FAIR_2026"
    assert _entries(db, "lost_reason")[reason.key] == ("Stopped answering", True)
    # What was added is what deals pick, by code or by name.
    deal = _deal(db, type="Consulting", source="trade fair")
    assert (deal.type, deal.type_name, deal.source, deal.source_name) == (
        "CONSULTING",
        "Consulting",
        "FAIR_2026",
        "Trade fair",
    )
    with db.session() as session:
        assert flow.mark_lost(session, deal.id, reason="stopped answering").lost_reason == (
            "Stopped answering"
        )

    refusals = [
        ("type", {"code": "SALE", "name": "Again"}, "SALE already exists"),
        ("type", {"code": "two words", "name": "X"}, "capital letters, digits or _"),
        ("type", {"code": "", "name": "X"}, "capital letters, digits or _"),
        ("source", {"code": "X", "name": "  "}, "a name is required"),
        ("lost_reason", {"name": "no BUDGET"}, "the reason 'no BUDGET' already exists"),
        ("colours", {"name": "Red"}, "unknown directory 'colours'"),
    ]
    for kind, values, message in refusals:
        _refused(db, message, lambda s, k=kind, v=values: dirs.add_entry(s, k, **v))
    _refused(
        db, "no type 'NOPE'", lambda s: dirs.edit_entry(s, "type", "NOPE", name="x"), NotFoundError
    )
    _refused(db, "a name is required", lambda s: dirs.edit_entry(s, "source", "WEB", name=" "))
    assert len(_entries(db, "type")) == 6


def test_a_value_in_use_is_hidden_and_an_unused_one_deleted(db: Database) -> None:
    with db.session() as session:
        dirs.add_entry(session, "type", code="CONSULTING", name="Consulting")
        dirs.add_entry(session, "source", code="FAIR", name="Trade fair")
        dirs.add_entry(session, "lost_reason", name="Went silent")
        dirs.add_entry(session, "currency", code="JPY", name="Yen", symbol="¥", rate="0.0067")
        dirs.add_entry(session, "product", name="Widget", price="10")
        dirs.add_entry(session, "product", name="Gadget", price="20")
    deal = _deal(
        db,
        type="CONSULTING",
        source="FAIR",
        currency="JPY",
        products=[ProductRowInput(product="Widget")],
    )
    with db.session() as session:
        flow.mark_lost(session, deal.id, reason="Went silent")
    with db.session() as session:
        results = {
            (kind, key): dirs.remove_entry(session, kind, key)
            for kind, key in [
                ("type", "consulting"),
                ("type", "SERVICE"),
                ("source", "Trade fair"),
                ("source", "OTHER"),
                ("lost_reason", "Went silent"),
                ("lost_reason", "Bad timing"),
                ("currency", "JPY"),
                ("currency", "CNY"),
                ("product", "Widget"),
                ("product", "Gadget"),
            ]
        }
    assert {key for key, result in results.items() if result == "hidden"} == {
        ("type", "consulting"),
        ("source", "Trade fair"),
        ("lost_reason", "Went silent"),
        ("currency", "JPY"),
        ("product", "Widget"),
    }
    assert {key for key, result in results.items() if result == "deleted"} == {
        ("type", "SERVICE"),
        ("source", "OTHER"),
        ("lost_reason", "Bad timing"),
        ("currency", "CNY"),
        ("product", "Gadget"),
    }
    assert "CONSULTING" not in _entries(db, "type") and "SERVICE" not in _entries(db, "type")
    assert _entries(db, "type", hidden=True)["CONSULTING"] == ("Consulting", False)
    assert "SERVICE" not in _entries(db, "type", hidden=True)
    assert [name for name, _ in _entries(db, "product", hidden=True).values()] == ["Widget"]
    assert _entries(db, "product") == {}
    # The deal keeps every value it had.
    kept = _read(db, deal.id)
    assert (kept.type_name, kept.source_name, kept.currency, kept.lost_reason) == (
        "Consulting",
        "Trade fair",
        "JPY",
        "Went silent",
    )
    # Hidden values are no longer offered to new deals.
    _refused(
        db, "unknown type 'CONSULTING'", lambda s: create_deal(s, DealCreate(type="CONSULTING"))
    )
    _refused(db, "unknown currency 'JPY'", lambda s: create_deal(s, DealCreate(currency="JPY")))
    _refused(
        db, "unknown source 'FAIR'", lambda s: update_deal(s, deal.id, DealUpdate(source="FAIR"))
    )
    with db.session() as session:
        dirs.restore_entry(session, "type", "CONSULTING")
        dirs.restore_entry(session, "currency", "jpy")
    assert _entries(db, "type")["CONSULTING"] == ("Consulting", True)
    assert _deal(db, type="CONSULTING", currency="JPY").currency == "JPY"


def test_currency_rates_and_the_base_currency(db: Database) -> None:
    with db.session() as session:
        yen = dirs.add_entry(session, "currency", code="jpy", name="Yen", symbol="¥", rate="0,0067")
        dirs.edit_entry(session, "currency", "EUR", rate="1.08", symbol="EUR")
    assert (yen.key, yen.details) == ("JPY", {"symbol": "¥", "rate": "0.00670000", "base": False})
    for values, message in (
        ({"code": "JP", "name": "Yen"}, "a currency code is three letters"),
        ({"code": "JPY", "name": "Yen"}, "JPY already exists"),
        ({"code": "CHF", "name": "Franc", "rate": "0"}, "Rate must be greater than zero"),
        ({"code": "CHF", "name": "Franc", "rate": "abc"}, "Rate must be a number"),
    ):
        _refused(db, message, lambda s, v=values: dirs.add_entry(s, "currency", **v))
    _refused(
        db,
        "base currency's rate is always 1",
        lambda s: dirs.edit_entry(s, "currency", "USD", rate="2"),
    )
    _refused(
        db,
        "the base currency cannot be removed; choose another base first",
        lambda s: dirs.remove_entry(s, "currency", "USD"),
    )
    _refused(db, "no currency 'XXX'", lambda s: dirs.set_base_currency(s, "XXX"), NotFoundError)

    _deal(db, amount="100", currency="EUR")
    _deal(db, amount="108", currency="USD")
    new_id = _stage(db, "NEW").id

    def new_column_total() -> Decimal:
        with db.session(write=False) as session:
            sales = pipelines.resolve_pipeline(session, "Sales")
            summary = board_summary(session, sales.id or 0)
        return next(c.total for c in summary if c.stage.id == new_id)

    assert new_column_total() == Decimal("216.00")
    with db.session() as session:
        dirs.set_base_currency(session, "eur")
    with db.session(write=False) as session:
        assert directories.base_currency(session) == "EUR"
        listed = dirs.list_entries(session, "currency")
    rates = {e.key: Decimal(e.details["rate"]) for e in listed}
    assert [(e.key, e.details["base"]) for e in listed[:2]] == [("EUR", True), ("USD", False)]
    assert (rates["EUR"], rates["USD"], rates["JPY"]) == (
        Decimal(1),
        Decimal("0.92592593"),  # 1 / 1.08
        Decimal("0.00620370"),  # 0.0067 / 1.08
    )
    assert new_column_total() == Decimal("200.00")
    assert _deal(db, amount="1").currency == "EUR"
    with db.session() as session:  # the old base is an ordinary currency now
        assert dirs.remove_entry(session, "currency", "USD") == "hidden"


def test_the_products_catalogue(db: Database) -> None:
    with db.session() as session:
        widget = dirs.add_entry(
            session,
            "product",
            name="Widget",
            price="1 500,50",
            currency="eur",
            measure="kg",
            tax_rate="20",
            tax_included=True,
        )
        gadget = dirs.add_entry(session, "products", name="Gadget")
    assert widget.details == {
        "price": "1500.50",
        "currency": "EUR",
        "measure": "kg",
        "tax_rate": "20.00",
        "tax_included": True,
    }
    assert gadget.details == {
        "price": "0.00",
        "currency": "USD",
        "measure": "pcs",
        "tax_rate": None,
        "tax_included": False,
    }
    assert [name for name, _ in _entries(db, "product").values()] == ["Gadget", "Widget"]
    with db.session() as session:
        dirs.edit_entry(
            session,
            "product",
            "widget",
            name="Widget XL",
            price="99.90",
            currency="usd",
            tax_rate="",
        )
    with db.session(write=False) as session:
        edited = next(e for e in dirs.list_entries(session, "product") if e.key == widget.key)
    assert (edited.name, edited.details["price"], edited.details["currency"]) == (
        "Widget XL",
        "99.90",
        "USD",
    )
    assert edited.details["tax_rate"] is None
    # A product row taken from the catalogue copies its name, price and measure.
    deal = _deal(db, amount=None, products=[ProductRowInput(product="Widget XL", quantity="2")])
    assert (deal.amount, deal.manual_amount) == (Decimal("199.80"), False)

    for values, message in (
        ({"name": " "}, "a name is required"),
        ({"name": "X", "price": "abc"}, "Price must be a number"),
        ({"name": "X", "price": "-1"}, "Price cannot be negative"),
        ({"name": "X", "currency": "XXX"}, "unknown currency 'XXX'"),
        ({"name": "X", "tax_rate": "lots"}, "Tax rate must be a number"),
    ):
        _refused(db, message, lambda s, v=values: dirs.add_entry(s, "product", **v))
    _refused(
        db,
        "unknown currency 'XXX'",
        lambda s: dirs.edit_entry(s, "product", "Gadget", currency="xxx"),
    )
    _refused(db, "no product '99'", lambda s: dirs.remove_entry(s, "product", "99"), NotFoundError)
    assert len(_entries(db, "product")) == 2


def test_renaming_a_lost_reason_to_a_taken_name_is_refused_clearly(db: Database) -> None:
    for taken in ("No budget", "NO BUDGET"):
        _refused(
            db,
            "already exists",
            lambda s, t=taken: dirs.edit_entry(s, "lost_reason", "Price too high", name=t),
        )
    assert "Price too high" in [name for name, _ in _entries(db, "lost_reason").values()]


def test_the_base_currency_is_always_listed(db: Database) -> None:
    _deal(db, currency="EUR")
    with db.session() as session:
        assert dirs.remove_entry(session, "currency", "EUR") == "hidden"
    try:
        with db.session() as session:
            dirs.set_base_currency(session, "EUR")
    except ValidationError:
        return  # refusing is fine too
    assert "EUR" in _entries(db, "currency")


# --- custom fields ---------------------------------------------------------------------


FIELD_VALUES = [
    # (code, type, options, raw, stored)
    ("S", "string", None, "  Northern branch ", "Northern branch"),
    ("N", "number", None, "1 500,50", "1500.5"),
    ("M", "money", None, "250 eur", "250.00 EUR"),
    ("M2", "money", None, "99.9", "99.90"),
    ("D", "date", None, "01.04.2026", "2026-04-01"),
    ("DT", "datetime", None, "2026-04-01 10:00", "2026-04-01T07:00:00Z"),  # Moscow is UTC+3
    ("B", "boolean", None, "да", "Y"),
    ("B2", "bool", None, "no", "N"),
    ("L", "list", ["Small", "Large"], "large", "Large"),
    ("U", "url", None, "https://example.com/x?y=1", "https://example.com/x?y=1"),
]

BAD_FIELD_VALUES = [
    ("N", "abc", "Field N must be a number, not 'abc'"),
    ("M", "-5 EUR", "Field M cannot be negative"),
    ("D", "2026-02-30", "Field D: '2026-02-30' is not a date"),
    ("DT", "soon", "Field DT: 'soon' is not a date and time"),
    ("B", "maybe", "Field B is yes or no, not 'maybe'"),
    ("L", "Medium", r"Field L must be one of: Small, Large \(not 'Medium'\)"),
    ("U", "example.com", "Field U must be a web address"),
    ("C", "Nobody", "Field C: no contact 'Nobody'"),
    ("CO", "999", "Field CO: no company '999'"),
    ("S", "x" * 2001, "Field S is limited to 2000 characters"),
    ("N", ["1", "2"], "Field N takes one value"),
    ("NOPE", "1", "unknown custom field 'NOPE'"),
]


def _define_all(db: Database) -> None:
    with db.session() as session:
        for code, kind, options, _, _ in FIELD_VALUES:
            cf.define_field(session, code, f"Field {code}", type=kind, options=options)
        cf.define_field(session, "C", "Field C", type="contact")
        cf.define_field(session, "CO", "Field CO", type="crm_company")


def test_each_field_type_stores_its_values_in_one_form(db: Database) -> None:
    client = _deal(db, company="Acme Ltd", contacts=["John Smith"])
    _define_all(db)
    values = {f"UF_CRM_{code}": raw for code, _, _, raw, _ in FIELD_VALUES}
    values |= {"uf_crm_c": "john smith", "Field CO": str(client.company_id)}
    deal = _deal(db, custom_fields=values)
    expected = {f"UF_CRM_{code}": stored for code, _, _, _, stored in FIELD_VALUES}
    expected |= {"UF_CRM_C": str(client.contacts[0].id), "UF_CRM_CO": str(client.company_id)}
    assert _read(db, deal.id).custom_fields == expected
    with db.session(write=False) as session:
        kinds = {f.code: f.type for f in cf.list_fields(session)}
    assert kinds["UF_CRM_B2"] == "boolean" and kinds["UF_CRM_CO"] == "company"


def test_bad_field_values_are_refused_with_the_fields_label(db: Database) -> None:
    _deal(db, company="Acme Ltd", contacts=["John Smith"])
    _define_all(db)
    before = _read(db, 1)
    for code, raw, message in BAD_FIELD_VALUES:
        _refused(
            db,
            message,
            lambda s, c=code, r=raw: update_deal(s, 1, DealUpdate(custom_fields={c: r})),
        )
        _refused(
            db,
            message,
            lambda s, c=code, r=raw: create_deal(s, DealCreate(title="x", custom_fields={c: r})),
        )
    after = _read(db, 1)
    assert (after.version, after.custom_fields) == (before.version, before.custom_fields)
    with db.session(write=False) as session:
        assert len(session.exec(select(HistoryEvent)).all()) == 1  # only "created"


def test_multiple_values(db: Database) -> None:
    with db.session() as session:
        cf.define_field(
            session, "SIZES", "Sizes", type="list", options=["S", "M", "L"], multiple=True
        )
        cf.define_field(session, "NOTES", "Notes", multiple=True)
        cf.define_field(session, "QTY", "Quantities", type="number", multiple=True)
    deal = _deal(db, custom_fields={"SIZES": "s, l", "NOTES": "a, b", "QTY": ["1", "2.50"]})
    assert _read(db, deal.id).custom_fields == {
        "UF_CRM_SIZES": ["S", "L"],
        "UF_CRM_NOTES": ["a, b"],  # text keeps its commas
        "UF_CRM_QTY": ["1", "2.5"],
    }
    with db.session() as session:
        update_deal(session, deal.id, DealUpdate(custom_fields={"NOTES": ["x", "y"]}))
    assert _read(db, deal.id).custom_fields["UF_CRM_NOTES"] == ["x", "y"]
    _refused(
        db,
        "a yes/no field cannot hold several values",
        lambda s: cf.define_field(s, "FLAG", "Flag", type="boolean", multiple=True),
    )


def test_required_fields_and_defaults(db: Database) -> None:
    before = _deal(db, title="Before the rule")
    with db.session() as session:
        cf.define_field(session, "REGION", "Region", required=True)
        cf.define_field(session, "SIZE", "Size", type="list", options=["S", "M"], default="m")
        cf.define_field(
            session, "TAGS", "Tags", type="list", options=["a", "b"], multiple=True, default="a,b"
        )
    _refused(db, "^Region is required$", lambda s: create_deal(s, DealCreate(title="No region")))
    _refused(
        db,
        "^Region is required$",
        lambda s: create_deal(s, DealCreate(title="Blank", custom_fields={"REGION": "  "})),
    )
    deal = _deal(db, custom_fields={"REGION": "North"})
    assert deal.custom_fields == {
        "UF_CRM_REGION": "North",
        "UF_CRM_SIZE": "M",
        "UF_CRM_TAGS": ["a", "b"],
    }
    chosen = _deal(db, custom_fields={"REGION": "South", "SIZE": "S"})
    assert chosen.custom_fields["UF_CRM_SIZE"] == "S"
    _refused(
        db,
        "Region is required",
        lambda s: update_deal(s, deal.id, DealUpdate(custom_fields={"REGION": None})),
    )
    # A deal made before the rule may stay without a value while other fields change.
    with db.session() as session:
        update_deal(session, before.id, DealUpdate(title="Still no region"))
    with db.session() as session:  # a default makes the field optional to type
        cf.edit_field(session, "REGION", default="Centre")
    assert _deal(db).custom_fields["UF_CRM_REGION"] == "Centre"
    _refused(db, "Size must be one of: S, M", lambda s: cf.edit_field(s, "SIZE", default="XL"))


def test_edit_a_field_but_never_its_code_or_type(db: Database) -> None:
    with db.session() as session:
        cf.define_field(session, "size", "Size", type="list", options=["S", "M"])
    with db.session() as session:
        edited = cf.edit_field(
            session,
            "Size",
            label="T-shirt size",
            options=[" S ", "M", "L", ""],
            required=True,
            sort=1,
        )
    assert (edited.code, edited.type, edited.label) == ("UF_CRM_SIZE", "list", "T-shirt size")
    assert (edited.options, edited.required) == (["S", "M", "L"], True)
    assert _deal(db, custom_fields={"T-shirt size": "l"}).custom_fields == {"UF_CRM_SIZE": "L"}
    with db.session() as session:
        cf.edit_field(session, "UF_CRM_SIZE", required=False, multiple=True)
    assert _deal(db, custom_fields={"SIZE": "s,m"}).custom_fields == {"UF_CRM_SIZE": ["S", "M"]}
    with db.session() as session:
        cf.define_field(session, "FLAG", "Flag", type="yes/no")
    for ref, change, message in (
        ("SIZE", {"options": ["", " "]}, "a list field needs options"),
        ("SIZE", {"label": " "}, "a field needs a label"),
        ("FLAG", {"options": ["Y"]}, "only a list field has options"),
        ("FLAG", {"multiple": True}, "cannot hold several values"),
    ):
        _refused(db, message, lambda s, r=ref, c=change: cf.edit_field(s, r, **c))
    _refused(
        db, "no custom field 'NOPE'", lambda s: cf.edit_field(s, "NOPE", label="x"), NotFoundError
    )
    with db.session(write=False) as session:
        assert cf.get_field(session, "SIZE").options == ["S", "M", "L"]


def test_bad_field_definitions_are_refused(db: Database) -> None:
    with db.session() as session:
        cf.define_field(session, "UF_CRM_REGION", "Region")
    for code, label, extra, message in (
        ("region", "Again", {}, "a field UF_CRM_REGION already exists"),
        ("two words", "X", {}, "a field code looks like UF_CRM_NAME"),
        ("UF_CRM_", "X", {}, "a field code looks like UF_CRM_NAME"),
        ("X" * 44, "X", {}, "a field code looks like UF_CRM_NAME"),
        ("OK", " ", {}, "a field needs a label"),
        ("OK", "Ok", {"type": "colour"}, "unknown field type 'colour'"),
        ("OK", "Ok", {"type": "list"}, "a list field needs options"),
        ("OK", "Ok", {"type": "number", "default": "lots"}, "Ok must be a number"),
    ):
        _refused(db, message, lambda s, c=code, lb=label, e=extra: cf.define_field(s, c, lb, **e))
    with db.session(write=False) as session:
        assert [f.code for f in cf.list_fields(session, include_hidden=True)] == ["UF_CRM_REGION"]
    with db.session() as session:  # the longest code there is still fits
        assert cf.define_field(session, "X" * 43, "Long").code == "UF_CRM_" + "X" * 43


def test_deleting_a_field_hides_it_while_deals_hold_values(db: Database) -> None:
    with db.session() as session:
        cf.define_field(session, "REGION", "Region", required=True)
        cf.define_field(session, "NOTE", "Note")
        assert session.get(CardField, "UF_CRM_NOTE") is not None  # on the card
    deal = _deal(db, custom_fields={"REGION": "North"})
    with db.session() as session:
        assert cf.delete_field(session, "NOTE") == "deleted"
        assert cf.delete_field(session, "Region") == "hidden"
    with db.session(write=False) as session:
        assert cf.list_fields(session) == []
        hidden = cf.list_fields(session, include_hidden=True)
        assert session.get(CardField, "UF_CRM_NOTE") is None
    assert [(f.code, f.active, f.required) for f in hidden] == [("UF_CRM_REGION", False, False)]
    assert _read(db, deal.id).custom_fields == {"UF_CRM_REGION": "North"}
    assert _deal(db).custom_fields == {}  # no longer required
    _refused(db, "no custom field 'NOTE'", lambda s: cf.delete_field(s, "NOTE"), NotFoundError)
    with db.session() as session:  # the code is free again
        assert cf.define_field(session, "NOTE", "Note again").label == "Note again"


def test_new_options_do_not_leave_a_stale_default(db: Database) -> None:
    with db.session() as session:
        cf.define_field(session, "SIZE", "Size", type="list", options=["S", "M"], default="M")
    try:
        with db.session() as session:
            cf.edit_field(session, "SIZE", options=["L", "XL"])
    except ValidationError:
        return  # refusing the change is fine too
    _deal(db, title="Any new deal")


def test_a_single_field_does_not_keep_a_multiple_default(db: Database) -> None:
    with db.session() as session:
        cf.define_field(
            session, "TAGS", "Tags", type="list", options=["a", "b"], multiple=True, default="a,b"
        )
    try:
        with db.session() as session:
            cf.edit_field(session, "TAGS", multiple=False)
    except ValidationError:
        return  # refusing the change is fine too
    _deal(db, title="Any new deal")


def test_money_values_accept_the_amount_formats_deals_accept(db: Database) -> None:
    with db.session() as session:
        cf.define_field(session, "BUDGET", "Budget", type="money")
    deal = _deal(db, custom_fields={"BUDGET": "1 500,50 EUR"})
    assert deal.custom_fields == {"UF_CRM_BUDGET": "1500.50 EUR"}


def test_money_values_need_a_known_currency(db: Database) -> None:
    with db.session() as session:
        cf.define_field(session, "BUDGET", "Budget", type="money")
    _refused(
        db,
        "currency",
        lambda s: create_deal(s, DealCreate(title="x", custom_fields={"BUDGET": "100 XYZ"})),
    )
