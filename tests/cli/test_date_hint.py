"""A date the CLI cannot read is refused naming the formats it reads: the user's first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok


@pytest.fixture
def dotted(monkeypatch: pytest.MonkeyPatch) -> None:
    """date_format = "dd.mm.yyyy" in the settings file."""
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "dealterm" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('date_format = "dd.mm.yyyy"\n', encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ("deal", "list", "--close-from", "2026-13-45"),  # the quick path hands it to Typer
        ("export", "deals", "--created-to", "soon"),
        ("deal", "add", "--title", "X", "--close-date", "32.01.2026"),
        ("deal", "edit", "1", "--begin-date", "tomorrow"),
        ("recurring", "run", "--until", "someday"),
        ("suggest", "backtest", "--as-of", "2026/13/01"),
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_a_bad_date_names_the_configured_format(
    run: Runner, seeded_db: Path, dotted: None, args: tuple[str, ...]
) -> None:
    assert_fails(run(*args, db=seeded_db), 2, "is not a date (use DD.MM.YYYY or YYYY-MM-DD)")


def test_a_bad_deadline_names_the_configured_format(
    run: Runner, seeded_db: Path, dotted: None
) -> None:
    args = ("activity", "add", "1", "--kind", "call", "--subject", "S", "--deadline", "soon")
    result = run(*args, db=seeded_db)
    assert_fails(result, 2, "(use DD.MM.YYYY HH:MM or YYYY-MM-DD HH:MM)")


def test_both_named_formats_are_read(run: Runner, seeded_db: Path, dotted: None) -> None:
    for day in ("31.12.2026", "2026-12-31"):
        assert_ok(run("deal", "edit", "1", "--close-date", day, db=seeded_db))
    assert_ok(run("deal", "list", "--close-from", "31.12.2026", db=seeded_db))


def test_without_a_date_format_iso_is_named(run: Runner, seeded_db: Path) -> None:
    line = assert_fails(run("deal", "list", "--close-from", "soon", db=seeded_db), 2)
    assert line.endswith("is not a date (use YYYY-MM-DD)")
