"""Commands that ask before deleting: in a terminal they ask, elsewhere they need --yes."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Runner, assert_fails, assert_ok


def _template(run: Runner, db: Path) -> str:
    made = assert_ok(run("recurring", "from-deal", "1", "--json", db=db)).json()
    return str(made["id"])


def _templates(run: Runner, db: Path) -> list[int]:
    return [t["id"] for t in assert_ok(run("recurring", "list", "--json", db=db)).json()]


def test_recurring_delete_without_a_terminal_needs_yes(run: Runner, seeded_db: Path) -> None:
    tid = _template(run, seeded_db)
    refused = run("recurring", "delete", tid, db=seeded_db)
    assert_fails(refused, 2, "deleting needs --yes when not run in a terminal")
    assert refused.stdout == ""
    assert _templates(run, seeded_db) == [int(tid)]
    assert_ok(run("recurring", "delete", tid, "--yes", db=seeded_db))
    assert _templates(run, seeded_db) == []


def test_recurring_delete_in_a_terminal_asks(run: Runner, seeded_db: Path) -> None:
    tid = _template(run, seeded_db)
    refused = run("recurring", "delete", tid, db=seeded_db, tty=True, stdin="n\n")
    assert_fails(refused, 1, "not deleted")
    assert f"Delete recurring deal #{tid}" in refused.stdout
    assert _templates(run, seeded_db) == [int(tid)]
    assert_ok(run("recurring", "delete", tid, db=seeded_db, tty=True, stdin="y\n"))
    assert _templates(run, seeded_db) == []


def test_no_question_is_left_that_a_script_would_skip() -> None:
    """Every command that asks goes through must_ask (which refuses without a terminal)."""
    cli = Path(__file__).parents[2] / "dealterm" / "cli"
    for source in cli.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        if source.name != "common.py":
            assert "typer.confirm" not in text, f"{source.name} asks without must_ask/ask"
            assert "isatty()" not in text or source.name == "output.py", source.name
