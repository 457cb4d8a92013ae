"""``dealterm deal``: a close date before the begin date is refused in one line (exit 2), and
a closed deal shows 100% won or 0% lost whatever probability it was given while open."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Runner, assert_fails, assert_ok


def _add(run: Runner, db: Path, *args: str) -> dict:
    return assert_ok(run("deal", "add", "--title", "Dated", "--json", *args, db=db)).json()


def test_add_refuses_a_close_date_before_the_begin_date(run: Runner, fresh_db: Path) -> None:
    result = run(
        "deal", "add", "--begin-date", "2030-12-31", "--close-date", "2030-12-01", db=fresh_db
    )
    assert_fails(result, 2, "close date is before the begin date")
    assert assert_ok(run("deal", "list", "--json", db=fresh_db)).json() == []


def test_edit_refuses_dates_in_the_wrong_order_and_changes_nothing(
    run: Runner, fresh_db: Path
) -> None:
    deal = _add(run, fresh_db, "--begin-date", "2030-12-01", "--close-date", "2031-01-21")
    number = str(deal["id"])
    result = run("deal", "edit", number, "--close-date", "2030-11-30", "--title", "X", db=fresh_db)
    assert_fails(result, 2, "close date is before the begin date")
    result = run("deal", "edit", number, "--begin-date", "2031-02-01", db=fresh_db)
    assert_fails(result, 2, "begin date is after the close date")
    shown = assert_ok(run("deal", "show", number, "--json", db=fresh_db)).json()
    assert (shown["title"], shown["begin_date"], shown["close_date"], shown["version"]) == (
        "Dated",
        "2030-12-01",
        "2031-01-21",
        deal["version"],
    )


def test_a_lost_deal_shows_0_and_a_won_one_100_percent(run: Runner, fresh_db: Path) -> None:
    lost = _add(run, fresh_db, "--probability", "60")
    won = _add(run, fresh_db, "--probability", "60")
    assert_ok(run("deal", "lost", str(lost["id"]), "--reason", "No budget", db=fresh_db))
    assert_ok(run("deal", "won", str(won["id"]), db=fresh_db))
    text = assert_ok(run("deal", "show", str(lost["id"]), db=fresh_db)).stdout
    line = next(line for line in text.splitlines() if "Probability" in line)
    assert line.split()[-1] == "0%", line
    shown = {d["id"]: d for d in assert_ok(run("deal", "list", "--json", db=fresh_db)).json()}
    assert (shown[lost["id"]]["probability"], shown[won["id"]]["probability"]) == (0, 100)
    assert (
        assert_ok(run("deal", "reopen", str(lost["id"]), "--json", db=fresh_db)).json()[
            "probability"
        ]
        == 60
    )
