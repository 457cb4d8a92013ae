"""Every service that stores free text drops terminal controls, on SQLite and PostgreSQL.

A comment, a description or a lost reason typed in the app or pasted from coloured
terminal output must not reach another user's terminal as commands to it.
"""

from __future__ import annotations

from dealterm.core.db import Database
from dealterm.core.queries import deal_detail
from dealterm.core.services import activities, flow, history
from dealterm.core.services.deals import DealCreate, DealUpdate, create_deal, update_deal

RED = "\x1b[31m"
TITLE = "\x1b]0;owned\x07"


def test_comments_descriptions_and_lost_reasons_are_stored_without_controls(
    db: Database,
) -> None:
    with db.session() as session:
        deal = create_deal(
            session,
            DealCreate(
                title="Clean",
                comments=f"first {RED}line\nsecond\x07 line",
                source_description=f"fair{TITLE}\nstand",
            ),
        )
        assert deal.comments == "first line\nsecond line"
        update_deal(session, deal.id, DealUpdate(comments=f"{RED}edited\x00"))
        event = history.add_comment(session, deal.id, f"call {RED}back\x1b[0m\nsoon")
        assert event.text == "call back\nsoon"
        planned = activities.plan_activity(
            session,
            deal.id,
            kind="call",
            subject="Call",
            deadline="2026-03-12 10:00",
            description=f"ask {TITLE}about it",
        )
        assert planned.description == "ask about it"
        lost = flow.mark_lost(session, deal.id, reason=f"too {RED}expensive")
    with db.session(write=False) as session:
        detail = deal_detail(session, deal.id)
    assert detail.comments == "edited"
    assert detail.source_description == "fair stand"
    assert lost.lost_reason == detail.lost_reason == "too expensive"
