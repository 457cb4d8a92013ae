"""``dealterm activity ...`` and ``dealterm comment add``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok, today

ACTIVITY_KEYS = {
    "id",
    "deal_id",
    "kind",
    "subject",
    "description",
    "deadline",
    "completed",
    "completed_at",
    "responsible",
    "priority",
    "direction",
    "created_at",
}


def _activities(run: Runner, db: Path, *args: str) -> list[dict]:
    return assert_ok(run("activity", "list", "--json", *args, db=db)).json()


def _history(run: Runner, db: Path, deal_id: int = 1) -> list[dict]:
    return assert_ok(run("deal", "show", str(deal_id), "--json", db=db)).json()["history"]


# --- add -------------------------------------------------------------------------------


def test_add_with_defaults(run: Runner, seeded_db: Path) -> None:
    result = assert_ok(
        run(
            "activity",
            "add",
            "1",
            "--subject",
            "Send the offer",
            "--deadline",
            "2026-12-01 10:00",
            db=seeded_db,
        )
    )
    assert result.stdout == ("Planned call #2 on deal #1: Send the offer, due 2026-12-01 10:00\n")
    added = next(a for a in _activities(run, seeded_db, "--deal", "1") if a["id"] == 2)
    assert set(added) >= ACTIVITY_KEYS
    assert (added["kind"], added["priority"], added["direction"]) == ("call", "medium", None)
    assert added["deadline"] == "2026-12-01T07:00:00Z"  # 10:00 in Moscow, stored in UTC
    assert added["completed"] is False and added["completed_at"] is None
    assert added["responsible"] == "Test User"  # the deal's responsible person
    assert added["deal_title"] == "Base deal"
    assert _history(run, seeded_db)[0]["text"] == (
        "Call planned: Send the offer, due 2026-12-01 10:00"
    )


def test_add_with_every_option(run: Runner, seeded_db: Path) -> None:
    activity = assert_ok(
        run(
            "activity", "add", "1",
            "--kind", "Meeting",
            "--subject", "  Site visit  ",
            "--deadline", "2026-12-02",
            "--description", "Bring the samples",
            "--responsible", "tester",
            "--priority", "high",
            "--incoming",
            "--json",
            db=seeded_db,
        )
    ).json()  # fmt: skip
    assert set(activity) >= ACTIVITY_KEYS
    assert activity["kind"] == "meeting"
    assert activity["subject"] == "Site visit"
    assert activity["deadline"] == "2026-12-02T06:00:00Z"  # a bare date means 09:00 local
    assert activity["description"] == "Bring the samples"
    assert (activity["priority"], activity["direction"]) == ("high", "incoming")
    shown = assert_ok(run("deal", "show", "1", "--json", db=seeded_db)).json()
    assert [a["subject"] for a in shown["activities"]] == ["First call", "Site visit"]


# --- done ------------------------------------------------------------------------------


def test_done(run: Runner, seeded_db: Path) -> None:
    follow_up = ("--subject", "Follow up", "--deadline", "2026-12-01 10:00")
    assert_ok(run("activity", "add", "1", *follow_up, db=seeded_db))
    result = assert_ok(run("activity", "done", "1", db=seeded_db))
    assert result.stdout == "Done: call #1 First call\n"
    assert result.stderr == ""  # the deal still has a planned activity
    done = next(a for a in _activities(run, seeded_db) if a["id"] == 1)
    assert done["completed"] is True and done["completed_at"] is not None
    assert _history(run, seeded_db)[0]["text"] == "Call done: First call"


def test_done_on_the_last_open_activity_suggests_the_next_step(
    run: Runner, seeded_db: Path
) -> None:
    result = assert_ok(run("activity", "done", "1", db=seeded_db))
    assert result.stdout == "Done: call #1 First call\n"
    assert "Deal #1 has no planned activity now" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_done_json_and_twice(run: Runner, seeded_db: Path) -> None:
    first = assert_ok(run("activity", "done", "1", "--json", db=seeded_db)).json()
    assert first["completed"] is True
    assert first["deal_needs_next_activity"] is True
    events = len(_history(run, seeded_db))
    second = assert_ok(run("activity", "done", "1", "--json", db=seeded_db)).json()
    assert second["completed_at"] == first["completed_at"]
    assert len(_history(run, seeded_db)) == events  # doing it again records nothing


# --- reschedule ------------------------------------------------------------------------


def test_reschedule(run: Runner, seeded_db: Path) -> None:
    result = assert_ok(run("activity", "reschedule", "1", "2026-12-24 15:30", db=seeded_db))
    assert result.stdout == "Rescheduled call #1 to 2026-12-24 15:30\n"
    moved = _activities(run, seeded_db, "--deal", "1")[0]
    assert moved["deadline"] == "2026-12-24T12:30:00Z"
    event = _history(run, seeded_db)[0]
    assert (event["field"], event["old_value"], event["new_value"]) == (
        "deadline",
        "2026-03-12 11:00",
        "2026-12-24 15:30",
    )


def test_reschedule_json(run: Runner, seeded_db: Path) -> None:
    activity = assert_ok(
        run("activity", "reschedule", "1", "25.12.2026 08:00", "--json", db=seeded_db)
    ).json()
    assert activity["deadline"] == "2026-12-25T05:00:00Z"


def test_a_done_activity_cannot_be_rescheduled(run: Runner, seeded_db: Path, unchanged) -> None:
    assert_ok(run("activity", "done", "1", db=seeded_db))
    with unchanged(seeded_db):
        assert_fails(
            run("activity", "reschedule", "1", "2026-12-24 15:30", db=seeded_db),
            2,
            "completed activity cannot be rescheduled",
        )


# --- delete ----------------------------------------------------------------------------


def test_delete(run: Runner, seeded_db: Path) -> None:
    result = assert_ok(run("activity", "delete", "1", db=seeded_db))
    assert result.stdout == "Deleted activity #1\n"
    assert _activities(run, seeded_db) == []
    assert _history(run, seeded_db)[0]["text"] == "Call deleted: First call"
    assert_fails(run("activity", "done", "1", db=seeded_db), 1, "activity #1 not found")


# --- list ------------------------------------------------------------------------------


@pytest.fixture
def planned(run: Runner, seeded_db: Path) -> Path:
    """On deal 2: overdue (yesterday), due today, tomorrow, and one done yesterday.

    The seeded call on deal 1 is removed so that "today" is all the test controls.
    """
    assert_ok(run("activity", "delete", "1", db=seeded_db))
    day = today()
    ids = {}
    for subject, when in (
        ("Overdue", day - timedelta(days=1)),
        ("Today", day),
        ("Tomorrow", day + timedelta(days=1)),
        ("Finished", day - timedelta(days=1)),
    ):
        hour = "23:59" if subject == "Today" else "10:00"
        ids[subject] = assert_ok(
            run(
                "activity",
                "add",
                "2",
                "--subject",
                subject,
                "--kind",
                "task",
                "--deadline",
                f"{when.isoformat()} {hour}",
                "--json",
                db=seeded_db,
            )
        ).json()["id"]
    assert_ok(run("activity", "done", str(ids["Finished"]), db=seeded_db))
    return seeded_db


@pytest.mark.parametrize(
    ("args", "subjects"),
    [
        ((), ["Overdue", "Today", "Tomorrow", "Finished"]),  # open first, soonest first
        (("--overdue",), ["Overdue"]),
        (("--open",), ["Overdue", "Today", "Tomorrow"]),
        (("--deal", "2"), ["Overdue", "Today", "Tomorrow", "Finished"]),
        (("--deal", "1"), []),
        (("--mine", "--open"), ["Overdue", "Today", "Tomorrow"]),
        (("--limit", "2"), ["Overdue", "Today"]),
    ],
)
def test_list_filters(
    run: Runner, planned: Path, args: tuple[str, ...], subjects: list[str]
) -> None:
    assert [a["subject"] for a in _activities(run, planned, *args)] == subjects


def test_list_as_text_marks_overdue_and_today(run: Runner, planned: Path) -> None:
    lines = assert_ok(run("activity", "list", db=planned)).stdout.splitlines()
    assert lines[0].split() == [
        "ID",
        "Deadline",
        "Kind",
        "Subject",
        "Deal",
        "Responsible",
        "Status",
    ]
    status = {line.split()[4]: line.split()[-1] for line in lines[1:]}
    assert status == {
        "Overdue": "overdue",
        "Today": "today",
        "Tomorrow": "planned",
        "Finished": "done",
    }
    assert all("#2 Closed deal" in line for line in lines[1:])


def test_list_when_nothing_matches(run: Runner, seeded_db: Path) -> None:
    result = assert_ok(run("activity", "list", "--deal", "2", db=seeded_db))
    assert result.stdout.strip() == "No activities match."


# --- comment ---------------------------------------------------------------------------


def test_comment_add(run: Runner, seeded_db: Path) -> None:
    result = assert_ok(run("comment", "add", "1", "Called, no answer", db=seeded_db))
    assert result.stdout == "Comment added to deal #1\n"
    event = _history(run, seeded_db)[0]
    assert (event["kind"], event["text"], event["author"]) == (
        "comment",
        "Called, no answer",
        "Test User",
    )
    assert "Called, no answer" in run("deal", "show", "1", db=seeded_db).stdout


def test_comment_add_json(run: Runner, seeded_db: Path) -> None:
    payload = assert_ok(
        run("comment", "add", "2", "  Paid in full  ", "--json", db=seeded_db)
    ).json()
    assert set(payload) == {"id", "deal_id", "at", "text"}
    assert (payload["deal_id"], payload["text"]) == (2, "Paid in full")
    moment = datetime.fromisoformat(payload["at"])
    assert moment.tzinfo is not None
    assert abs(datetime.now(UTC) - moment) < timedelta(minutes=5)
