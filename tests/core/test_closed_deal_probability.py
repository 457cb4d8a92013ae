"""A closed deal counts 100% won and 0% lost, whatever probability it was given while open.

Bitrix24's rule: in the weighted sums (every way the board reads them: the SQLite totals
table, the aggregate with a filter and on PostgreSQL, a move worked out in place) and in
what is shown (the read model, the list's column and sort, the CLI's quick read). The
probability typed on a deal is kept, and holds again once the deal is reopened.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text

from dealterm.core.cards import ColumnSummary
from dealterm.core.db import Database
from dealterm.core.filters import DealFilter
from dealterm.core.queries import get_deal
from dealterm.core.queries.board import board_summary, summary_after_move
from dealterm.core.queries.deal_list import list_rows, ordered_ids
from dealterm.core.services import flow, pipelines
from dealterm.core.services.deals import DealCreate, DealUpdate, create_deal, update_deal


def _headers(db: Database, flt: DealFilter | None = None) -> dict[str, ColumnSummary]:
    with db.session(write=False) as session:
        sales = pipelines.resolve_pipeline(session, "Sales").id or 0
        found = board_summary(session, sales, flt)
    return {s.stage.code: s for s in found if isinstance(s, ColumnSummary)}


def _three_deals_at_60(db: Database) -> tuple[int, int, int]:
    """Three deals given 60% by hand: one stays open, one is won, one is lost."""
    with db.session() as session:
        ids = [
            create_deal(session, DealCreate(title=f"Odds {n}", amount=amount, probability=60)).id
            for n, amount in enumerate(("1000", "250.50", "80"))
        ]
        flow.mark_won(session, ids[1])
        flow.mark_lost(session, ids[2], reason="No budget")
    return ids[0], ids[1], ids[2]


def test_won_counts_in_full_and_lost_not_at_all_in_the_headers(db: Database) -> None:
    _three_deals_at_60(db)
    # the unfiltered board (SQLite: the totals table) and a filtered one (the aggregate)
    for flt in (None, DealFilter(search="Odds")):
        headers = _headers(db, flt)
        won, lost, new = headers["WON"], headers["LOSE"], headers["NEW"]
        assert won.weighted == won.total  # 100%, not the 60% it was given
        assert lost.weighted == 0 and lost.total > 0
        if flt is not None:
            assert (won.total, lost.total) == (Decimal("250.50"), Decimal("80.00"))
            assert new.weighted == Decimal("600.00")  # an open deal keeps its own 60%


def test_a_closed_deal_shows_100_or_0_and_keeps_its_own_for_a_reopen(db: Database) -> None:
    open_id, won_id, lost_id = _three_deals_at_60(db)
    with db.session(write=False) as session:
        shown = {i: get_deal(session, i) for i in (open_id, won_id, lost_id)}
        rows = list_rows(session, [open_id, won_id, lost_id])
        by_odds = list(ordered_ids(session, DealFilter(search="Odds"), sort="probability"))
    assert [shown[i].probability for i in (open_id, won_id, lost_id)] == [60, 100, 0]
    assert {shown[i].own_probability for i in shown} == {60}
    assert [rows[i]["probability"] for i in (open_id, won_id, lost_id)] == [60, 100, 0]
    assert by_odds == [won_id, open_id, lost_id]  # newest-first order is descending

    with db.session() as session:
        reopened = flow.reopen_deal(session, lost_id)
    assert (reopened.probability, reopened.own_probability) == (60, 60)
    assert _headers(db, DealFilter(search="Odds"))["NEW"].weighted == Decimal("648.00")


def test_deals_closed_before_the_fix_count_right_with_no_migration(db: Database) -> None:
    """A database written by an older dealterm: a manual probability on closed deals."""
    with db.session() as session:
        won = create_deal(session, DealCreate(title="Old won", amount="500", stage="WON"))
        lost = create_deal(session, DealCreate(title="Old lost", amount="70", stage="LOSE"))
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE deals SET probability = 35 WHERE id IN (:a, :b)"),
            {"a": won.id, "b": lost.id},
        )
    for flt in (None, DealFilter(search="Old")):
        headers = _headers(db, flt)
        assert headers["WON"].weighted == headers["WON"].total
        assert headers["LOSE"].weighted == 0
    with db.session(write=False) as session:
        assert (get_deal(session, won.id).probability, get_deal(session, lost.id).probability) == (
            100,
            0,
        )


def test_a_move_worked_out_in_place_agrees_with_the_headers(db: Database) -> None:
    with db.session() as session:
        deal = create_deal(session, DealCreate(title="Sixty", amount="1000.10", probability=60))
    for code in ("WON", "FINAL_INVOICE", "LOSE", "NEW"):
        before = _headers(db)
        with db.session() as session:
            old = get_deal(session, deal.id).stage
            moved = flow.move_deal(session, deal.id, code)
        after = _headers(db)
        for stage, sign in ((old, -1), (code, 1)):
            worked_out = summary_after_move(
                before[stage],
                currency=moved.currency,
                amount=moved.amount,
                own_probability=moved.own_probability,
                sign=sign,
            )
            assert (worked_out.count, worked_out.total, worked_out.weighted) == (
                after[stage].count,
                after[stage].total,
                after[stage].weighted,
            )
            assert sorted(worked_out.parts) == sorted(after[stage].parts)


def test_probability_typed_on_a_closed_deal_waits_for_a_reopen(db: Database) -> None:
    with db.session() as session:
        deal = create_deal(session, DealCreate(title="Won then edited", amount="10"))
        flow.mark_won(session, deal.id)
        edited = update_deal(session, deal.id, DealUpdate(probability=20))
    assert (edited.probability, edited.own_probability) == (100, 20)
    with db.session() as session:
        assert flow.reopen_deal(session, deal.id).probability == 20
