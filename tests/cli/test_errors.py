"""Bad input: the right exit code, one "dealterm: ..." line on stderr, and nothing written.

Exit 2 is for usage and validation errors, 1 for a record that does not exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_fails

LONG = "x" * 256
HUGE_ID = "99999999999999999999"


HUGE_NUMBER = (
    "a number too big for the decimal context (1e30, 29+ digits) crashes the amount / "
    "quantity parser with decimal.InvalidOperation: 'internal error', exit 1"
)
HUGE_ID_BUG = (
    "an id beyond 64 bits crashes SQLite with OverflowError ('internal error') instead of "
    "'deal #N not found'"
)


def case(args: tuple[str, ...], code: int, *fragments: str, bug: str | None = None) -> object:
    """One bad command line, the exit code it must give and what its error line must say."""
    name = " ".join(a if len(a) < 30 else a[:12] + "…" for a in args)
    marks = [pytest.mark.xfail(strict=True, reason=f"BUG: {bug}")] if bug else []
    return pytest.param(args, code, fragments, id=name, marks=marks)


CASES = [
    # deal add
    case(("deal", "add", "--amount", "-5"), 2, "Amount cannot be negative"),
    case(("deal", "add", "--amount=-0.01"), 2, "Amount cannot be negative"),
    case(("deal", "add", "--amount", "abc"), 2, "Amount must be a number"),
    case(("deal", "add", "--amount", "NaN"), 2, "Amount must be a number"),
    case(("deal", "add", "--amount", "1.234"), 2, "more than two decimal places"),
    case(("deal", "add", "--amount", "99999999999999999999"), 2, "Amount is too large"),
    case(("deal", "add", "--amount", "1e30"), 2, "Amount"),
    case(("deal", "add", "--amount", "1" + "0" * 29), 2, "Amount"),
    case(("deal", "add", "--stage", "NOPE"), 2, "unknown stage 'NOPE'"),
    case(("deal", "add", "--currency", "XXX"), 2, "unknown currency 'XXX'"),
    case(("deal", "add", "--type", "NOPE"), 2, "unknown type 'NOPE'"),
    case(("deal", "add", "--source", "NOPE"), 2, "unknown source 'NOPE'"),
    case(("deal", "add", "--pipeline", "Nope"), 2, "unknown pipeline 'Nope'"),
    case(("deal", "add", "--close-date", "2026-13-01"), 2, "Close date", "not a date"),
    case(("deal", "add", "--begin-date", "junk"), 2, "Begin date", "not a date"),
    case(("deal", "add", "--title", LONG), 2, "256 characters", "limit is 255"),
    case(("deal", "add", "--probability", "150"), 2, "Probability"),
    case(("deal", "add", "--probability", "50.5"), 2, "Probability"),
    case(("deal", "add", "--responsible", "nobody"), 2, "unknown user 'nobody'"),
    case(("deal", "add", "--company", "999"), 2, "unknown company #999"),
    case(("deal", "add", "--contact", "999"), 2, "unknown contact #999"),
    case(("deal", "add", "--company", "c" * 300), 2, "limit is 255"),
    case(("deal", "add", "--set", "FOO=1"), 2, "unknown custom field"),
    case(("deal", "add", "--set", "UF_CRM_X"), 2, "CODE=VALUE"),
    case(("deal", "add", "--product", "name=X; price=1; bogus=1"), 2, "unknown key 'bogus'"),
    case(("deal", "add", "--product", "name=X; price=-1"), 2, "row 1", "negative"),
    case(("deal", "add", "--product", "name=X; price=1; qty=1e30"), 2, "Quantity"),
    case(("deal", "add", "--bogus"), 2, "No such option: --bogus"),
    case(("deal", "add", "--amount"), 2, "--amount", "requires an argument"),
    # deal list
    case(("deal", "list", "--stage", "NOPE"), 2, "unknown stage 'NOPE'"),
    case(("deal", "list", "--pipeline", "NOPE"), 2, "unknown pipeline 'NOPE'"),
    case(("deal", "list", "--responsible", "nobody"), 2, "unknown user"),
    case(("deal", "list", "--limit", "0"), 2, "--limit"),
    case(("deal", "list", "--won", "--closed"), 2, "choose one of"),
    case(("deal", "list", "--bogus"), 2, "No such option"),
    # deal show
    case(("deal", "show", "999"), 1, "deal #999 not found"),
    case(("deal", "show", "abc"), 2, "'ID'"),
    case(("deal", "show"), 2, "Missing argument 'ID'"),
    case(("deal", "show", "1", "--bogus"), 2, "No such option"),
    case(("deal", "show", HUGE_ID), 1, "not found"),
    case(("deal", "won", HUGE_ID), 1, "not found"),
    # deal edit
    case(("deal", "edit", "999", "--title", "x"), 1, "deal #999 not found"),
    case(("deal", "edit", "1"), 2, "nothing to change"),
    case(("deal", "edit", "1", "--amount", "-1"), 2, "Amount cannot be negative"),
    case(("deal", "edit", "1", "--amount", ""), 2, "Amount cannot be empty"),
    case(("deal", "edit", "1", "--amount", "1e30"), 2, "Amount"),
    case(("deal", "edit", "1", "--title", ""), 2, "needs a title"),
    case(("deal", "edit", "1", "--title", LONG), 2, "limit is 255"),
    case(("deal", "edit", "1", "--currency", "XXX"), 2, "unknown currency"),
    case(("deal", "edit", "1", "--type", "NOPE"), 2, "unknown type"),
    case(("deal", "edit", "1", "--source", "NOPE"), 2, "unknown source"),
    case(("deal", "edit", "1", "--close-date", "31.02.2026"), 2, "not a date"),
    case(("deal", "edit", "1", "--close-date", ""), 2, "needs a close date"),
    case(("deal", "edit", "1", "--responsible", ""), 2, "needs a responsible"),
    case(("deal", "edit", "1", "--probability", "101"), 2, "Probability"),
    case(("deal", "edit", "1", "--set", "bad=1"), 2, "unknown custom field"),
    case(("deal", "edit", "1", "--title", "ok", "--currency", "XXX"), 2, "unknown currency"),
    case(("deal", "edit", "1", "--stage", "WON"), 2, "No such option: --stage"),
    case(("deal", "edit", "1", "--title", "x", "--expect-version", "abc"), 2, "--expect-version"),
    # products, move, won, lost, reopen, delete
    case(("deal", "products", "999", "--clear"), 1, "deal #999 not found"),
    case(("deal", "products", "1"), 2, "--row"),
    case(("deal", "products", "1", "--row", "name=X; price=1e30"), 2, "price"),
    case(("deal", "move", "1"), 2, "Missing argument 'STAGE_CODE'"),
    case(("deal", "move", "999", "WON"), 1, "deal #999 not found"),
    case(("deal", "move", "1", "NOPE"), 2, "unknown stage 'NOPE'"),
    case(("deal", "won"), 2, "Missing argument 'ID'"),
    case(("deal", "lost", "999", "--reason", "x"), 1, "deal #999 not found"),
    case(("deal", "lost", "1", "--reason", "r" * 1001), 2, "limited to 1000"),
    case(("deal", "reopen", "999"), 1, "deal #999 not found"),
    case(("deal", "reopen", "1", "--bogus"), 2, "No such option"),
    case(("deal", "delete", "999", "--yes"), 1, "deal #999 not found"),
    case(("deal", "delete", "1"), 2, "deleting needs --yes when not run in a terminal"),
    case(("deal", "delete", "abc"), 2, "'ID'"),
    case(("deal", "nosuch"), 2, "No such command 'nosuch'"),
    # activity
    case(
        ("activity", "add", "999", "--subject", "x", "--deadline", "2026-12-01 10:00"),
        1,
        "deal #999 not found",
    ),
    case(("activity", "add", "1", "--deadline", "2026-12-01 10:00"), 2, "--subject is required"),
    case(("activity", "add", "1", "--subject", "x"), 2, "--deadline is required"),
    case(
        ("activity", "add", "1", "--subject", "x", "--deadline", "junk"),
        2,
        "Deadline",
        "not a date and time",
    ),
    case(
        (
            "activity",
            "add",
            "1",
            "--subject",
            "x",
            "--deadline",
            "2026-12-01 10:00",
            "--kind",
            "fax",
        ),
        2,
        "unknown activity kind 'fax'",
    ),
    case(
        (
            "activity",
            "add",
            "1",
            "--subject",
            "x",
            "--deadline",
            "2026-12-01 10:00",
            "--priority",
            "urgent",
        ),
        2,
        "priority must be low, medium or high",
    ),
    case(
        ("activity", "add", "1", "--subject", LONG, "--deadline", "2026-12-01 10:00"),
        2,
        "Subject is 256 characters",
    ),
    case(
        (
            "activity",
            "add",
            "1",
            "--subject",
            "x",
            "--deadline",
            "2026-12-01 10:00",
            "--responsible",
            "nobody",
        ),
        2,
        "unknown user",
    ),
    case(("activity", "add"), 2, "Missing argument 'DEAL_ID'"),
    case(("activity", "add", "1", "--bogus"), 2, "No such option"),
    case(("activity", "done", "999"), 1, "activity #999 not found"),
    case(("activity", "done", "abc"), 2, "'ID'"),
    case(("activity", "reschedule", "999", "2026-12-01 10:00"), 1, "activity #999 not found"),
    case(("activity", "reschedule", "1", "junk"), 2, "not a date and time"),
    case(("activity", "reschedule", "1"), 2, "Missing argument 'deadline'"),
    case(("activity", "delete", "999"), 1, "activity #999 not found"),
    case(("activity", "list", "--limit", "0"), 2, "--limit"),
    case(("activity", "list", "--deal", "abc"), 2, "--deal"),
    case(("activity", "list", "--deal", "999"), 1, "deal #999 not found"),
    # comment
    case(("comment", "add", "999", "hi"), 1, "deal #999 not found"),
    case(("comment", "add", "1", "   "), 2, "comment cannot be empty"),
    case(("comment", "add", "1", "x" * 10_001), 2, "limited to 10000 characters"),
    case(("comment", "add", "1"), 2, "Missing argument 'text'"),
    # demo, root
    case(("demo", "--deals", "5"), 2, "already holds 2 deals", "--append"),
    case(("demo", "--deals", "-1"), 2, "--deals"),
    case(("nosuch",), 2, "No such command 'nosuch'"),
]


@pytest.mark.parametrize(("args", "code", "fragments"), CASES)
def test_bad_input_is_refused_and_nothing_is_written(
    run: Runner,
    seeded_db: Path,
    unchanged,
    args: tuple[str, ...],
    code: int,
    fragments: tuple[str, ...],
) -> None:
    with unchanged(seeded_db):
        result = run(*args, db=seeded_db)
        assert_fails(result, code, *fragments)
        assert result.stdout == ""


@pytest.mark.parametrize("group", ["deal", "activity", "comment", "config"])
def test_a_command_group_without_a_command_shows_its_commands(run: Runner, group: str) -> None:
    result = run(group)
    assert "Usage: dealterm " + group in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert result.code in (0, 2)


@pytest.mark.parametrize("group", ["deal", "activity"])
def test_a_command_group_without_a_command_has_no_empty_error_line(run: Runner, group: str) -> None:
    result = run(group)
    if result.stderr:
        line = result.stderr.splitlines()[0]
        assert line[len("dealterm: ") :].strip()[:1].isalnum(), line


def test_version(run: Runner) -> None:
    result = run("--version")
    assert result.code == 0
    assert result.stdout.startswith("dealterm ")
    assert result.stdout.split()[1][0].isdigit()


def test_help_lists_every_command(run: Runner) -> None:
    result = run("--help")
    assert result.code == 0
    for command in ("deal", "activity", "comment", "demo", "config"):
        assert command in result.stdout
