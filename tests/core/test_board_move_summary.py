"""A stage move worked out without the aggregate: column headers and the moved card.

The board shows a move from what the move wrote: it takes the deal out of one header and
puts it into another (:func:`summary_after_move`) and builds the card its new column would
read (:func:`card_after_move`). Both must equal what the queries read afterwards.
"""

from __future__ import annotations

from decimal import Decimal

from dealterm.core.db import Database
from dealterm.core.queries import get_deal
from dealterm.core.queries.board import (
    ColumnSummary,
    board_summary,
    card_after_move,
    column_page,
    summary_after_move,
)
from dealterm.core.services import directory_admin as dirs
from dealterm.core.services import flow, pipelines
from dealterm.core.services.deals import DealCreate, create_deal


def _headers(db: Database) -> dict[str, ColumnSummary]:
    with db.session(write=False) as session:
        sales = pipelines.resolve_pipeline(session, "Sales")
        found = board_summary(session, sales.id or 0)
    assert all(isinstance(s, ColumnSummary) for s in found)
    return {s.stage.code: s for s in found if isinstance(s, ColumnSummary)}


def _shown(summary: ColumnSummary) -> tuple[object, ...]:
    """What a header shows, and what it was summed from (in any order)."""
    return (summary.count, summary.total, summary.weighted, sorted(summary.parts))


def _move(db: Database, deal_id: int, code: str) -> None:
    """Move a deal as the board does, and check both headers against the aggregate."""
    before = _headers(db)
    with db.session() as session:
        old_stage = get_deal(session, deal_id).stage
        moved = flow.move_deal(session, deal_id, code)
    after = _headers(db)
    for stage_code, sign in ((old_stage, -1), (code, 1)):
        worked_out = summary_after_move(
            before[stage_code],
            currency=moved.currency,
            amount=moved.amount,
            own_probability=moved.own_probability,
            sign=sign,
        )
        assert _shown(worked_out) == _shown(after[stage_code])


def test_headers_after_moves_equal_the_aggregate(db: Database) -> None:
    with db.session() as session:
        dirs.edit_entry(session, "currency", "EUR", rate="1.0837")  # rounds differently
        deals = [
            create_deal(session, DealCreate(title="USD", amount="100.10")),
            create_deal(session, DealCreate(title="EUR", amount="333.33", currency="EUR")),
            create_deal(
                session,
                DealCreate(title="EUR 35%", amount="0.07", currency="EUR", probability=35),
            ),
            create_deal(session, DealCreate(title="RUB", amount="12345.67", currency="RUB")),
        ]
    usd, eur, eur_own, rub = (d.id for d in deals)
    _move(db, eur, "PREPARATION")  # a currency new to the column
    _move(db, eur_own, "PREPARATION")  # its own probability, not the stage's
    _move(db, eur, "EXECUTING")  # the column keeps EUR (the other deal)
    _move(db, eur_own, "EXECUTING")  # the last EUR deal out: no EUR part left
    _move(db, rub, "WON")
    _move(db, usd, "LOSE")
    _move(db, usd, "NEW")  # reopened
    assert _headers(db)["NEW"].count == 1


def test_the_moved_card_is_the_card_its_new_column_reads(db: Database) -> None:
    with db.session() as session:
        deal = create_deal(session, DealCreate(title="Card", amount="10"))
        card = column_page(session, deal.stage_id, offset=0, limit=5)[0]
        moved = flow.move_deal(session, deal.id, "WON")
    with db.session(write=False) as session:
        stage = next(s for s in _headers(db).values() if s.stage.id == moved.stage_id).stage
        read = column_page(session, moved.stage_id, offset=0, limit=5)[0]
        clock = db.clock
    made = card_after_move(
        card,
        stage=stage,
        version=moved.version,
        moved_at=moved.moved_at,
        closed=moved.closed,
        clock=clock,
    )
    assert made == read
    assert made.closed and made.marker == "closed"


def test_rounding_of_a_header_is_kept_to_the_cent() -> None:
    from dealterm.core.readmodels import StageRead

    stage = StageRead(
        id=1,
        pipeline_id=1,
        code="NEW",
        name="New",
        color="blue",
        semantics="process",
        sort=10,
        probability=10,
        rotting_days=None,
    )
    rates = (("USD", Decimal(1)), ("EUR", Decimal("1.0837")))
    empty = ColumnSummary(stage=stage, count=0, total=Decimal(0), weighted=Decimal(0), rates=rates)
    one = summary_after_move(
        empty, currency="EUR", amount=Decimal("0.07"), own_probability=None, sign=1
    )
    assert (one.count, one.total, one.weighted) == (1, Decimal("0.08"), Decimal("0.01"))
    back = summary_after_move(
        one, currency="EUR", amount=Decimal("0.07"), own_probability=None, sign=-1
    )
    assert (back.count, back.total, back.weighted, back.parts) == (0, 0, 0, ())
    assert hash(back) == hash(empty)  # a header is hashable, as StageSummary is
