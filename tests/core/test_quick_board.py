"""The first board read with sqlite3 alone equals what the ORM queries read."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from dealterm.core.clock import FixedClock
from dealterm.core.crm import Crm
from dealterm.core.db import Database
from dealterm.core.demo import generate_demo
from dealterm.core.quickread import quick_board
from dealterm.core.services import directory_admin as dirs
from dealterm.core.services import pipelines

PAGE = 20


@pytest.fixture
def demo(sqlite_template: Path, tmp_path: Path, clock: FixedClock) -> Path:
    """Demo deals with activities (overdue, today, later), rotting stages, several currencies."""
    path = tmp_path / "demo.db"
    shutil.copy2(sqlite_template, path)
    database = Database.open(path, clock=clock, login="tester")
    try:
        with database.session(bulk=True) as session:
            generate_demo(session, deals=400, seed=3)
        with database.session() as session:
            dirs.edit_entry(session, "currency", "EUR", rate="1.0837")
            stage = pipelines.resolve_stage(
                session, pipelines.resolve_pipeline(session, None), "NEW"
            )
            stage.rotting_days = 2
            session.add(stage)
    finally:
        database.close()
    return path


def _orm_board(path: Path, clock: FixedClock, pipeline: str | None) -> tuple[object, ...]:
    database = Database.open(path, clock=clock, login="tester")
    try:
        crm = Crm(database)
        chosen = (
            next(
                (p for p in crm.pipelines() if pipeline and pipeline.lower() == p.name.lower()),
                None,
            )
            or crm.default_pipeline()
        )
        summaries = crm.board(chosen.id)
        pages = {s.stage.id: crm.column_page(s.stage.id, 0, PAGE) for s in summaries if s.count}
        return chosen, crm.base_currency(), summaries, pages
    finally:
        database.close()


@pytest.mark.parametrize("pipeline", [None, "Projects"])
def test_the_quick_board_is_the_orm_board(
    demo: Path, clock: FixedClock, pipeline: str | None
) -> None:
    chosen, base, summaries, pages = _orm_board(demo, clock, pipeline)

    quick = quick_board(demo, clock, pipeline=pipeline, page_size=PAGE)

    assert quick is not None
    assert quick.pipeline == chosen
    assert quick.base_currency == base
    assert quick.summaries == summaries
    assert quick.pages == pages
    # the comparison covers what a card can show
    cards = [card for page in quick.pages.values() for card in page]
    assert {card.marker for card in cards} >= {"overdue", "planned", "none"}
    assert any(card.rotting for card in cards)
    assert len({card.currency for card in cards}) > 1


def test_days_in_stage_follow_the_clock(demo: Path, clock: FixedClock) -> None:
    later = FixedClock(zone=clock.zone, moment=clock.now() + timedelta(days=30))

    _, _, _, pages = _orm_board(demo, later, None)
    quick = quick_board(demo, later, pipeline=None, page_size=PAGE)

    assert quick is not None and quick.pages == pages


def test_no_quick_board_for_an_unknown_pipeline_or_an_older_schema(
    demo: Path, clock: FixedClock, tmp_path: Path
) -> None:
    import sqlite3

    assert quick_board(demo, clock, pipeline="No such pipeline", page_size=PAGE) is None

    older = tmp_path / "older.db"
    shutil.copy2(demo, older)
    with sqlite3.connect(older) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0006'")
    assert quick_board(older, clock, pipeline=None, page_size=PAGE) is None
    assert quick_board(tmp_path / "missing.db", clock, pipeline=None, page_size=PAGE) is None
