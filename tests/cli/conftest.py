"""Helpers for the CLI tests: run ``dealterm`` in-process and look at what it printed.

``run("deal", "list", "--json", db=path)`` calls :func:`dealterm.cli.main`, catches the
``SystemExit`` it always ends in and returns the exit code with the captured stdout and
stderr. The database goes in as the root ``--db`` option (``dealterm --db X deal list``).
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dealterm.cli import main
from dealterm.core.clock import FixedClock

MOSCOW = ZoneInfo("Europe/Moscow")


@dataclass(frozen=True)
class Result:
    """What one ``dealterm`` invocation did."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """The JSON document printed on stdout."""
        assert self.stdout.strip(), f"no output on stdout; stderr: {self.stderr!r}"
        return json.loads(self.stdout)

    @property
    def error(self) -> str:
        """The one error line on stderr (asserted to be exactly one line)."""
        return error_line(self)


Runner = Callable[..., Result]


def error_line(result: Result) -> str:
    """Check that stderr is exactly one non-empty "dealterm: ..." line and return it."""
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {result.stderr!r}"
    line = lines[0]
    assert line.startswith("dealterm: "), line
    assert line[len("dealterm: ") :].strip(), f"empty error message: {line!r}"
    return line


def assert_ok(result: Result) -> Result:
    """The command succeeded: exit 0, nothing alarming on stderr."""
    assert result.code == 0, f"exit {result.code}; stderr: {result.stderr!r}"
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr
    return result


def assert_fails(result: Result, code: int, *fragments: str) -> str:
    """The command failed with ``code`` and one error line containing every fragment."""
    line = error_line(result)
    assert result.code == code, f"exit {result.code} (wanted {code}): {line}"
    for fragment in fragments:
        assert fragment.lower() in line.lower(), f"{fragment!r} not in {line!r}"
    return line


def today() -> date:
    """Today in the CLI's zone (the CLI runs on the real clock, in TZ=Europe/Moscow)."""
    return datetime.now(MOSCOW).date()


class _Tty(io.StringIO):
    """A stdin that claims to be a terminal (for the delete confirmation)."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich sizes tables to COLUMNS when stdout is not a terminal: make text output stable."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("DEALTERM_DEBUG", raising=False)


@pytest.fixture(scope="session")
def command_tree() -> tuple[object, object]:
    """The Typer app and the Click command ``main()`` builds from it, built once.

    Turning the Typer app into a Click command is two thirds of the cost of a call
    (typer inspects every command's signature). The tree is the same for every call,
    so :func:`run` hands ``main()`` this one; ``run(..., fresh_tree=True)`` and the
    subprocess tests exercise the unshared path.
    """
    import typer.main

    from dealterm.cli.root import build_app

    app = build_app()
    return app, typer.main.get_command(app)


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command_tree: tuple[object, object],
) -> Runner:
    """``run(*args, db=None, stdin="", tty=False, fresh_tree=False) -> Result``."""
    import typer.main

    from dealterm.cli import root

    app, command = command_tree
    real_get_command = typer.main.get_command

    def shared_get_command(typer_instance: object) -> object:
        return command if typer_instance is app else real_get_command(typer_instance)  # type: ignore[arg-type]

    def _run(
        *args: str,
        db: str | Path | None = None,
        stdin: str = "",
        tty: bool = False,
        fresh_tree: bool = False,
    ) -> Result:
        argv = [str(a) for a in args]
        if db is not None:
            argv = ["--db", str(db), *argv]
        capsys.readouterr()  # drop anything printed before
        with monkeypatch.context() as patch:
            patch.setattr(sys, "stdin", _Tty(stdin) if tty else io.StringIO(stdin))
            if not fresh_tree:
                patch.setattr(root, "build_app", lambda only=None: app)
                patch.setattr(typer.main, "get_command", shared_get_command)
            try:
                main(argv)
            except SystemExit as exc:
                code = exc.code
            else:  # pragma: no cover - main() must always exit
                pytest.fail(f"dealterm.cli.main({argv!r}) returned instead of exiting")
        out, err = capsys.readouterr()
        if code is None:
            status = 0
        elif isinstance(code, int):
            status = code
        else:
            status = 1
            err += str(code)
        return Result(status, out, err)

    return _run


@pytest.fixture
def fresh_db(sqlite_template: Path, tmp_path: Path) -> Path:
    """A set-up, empty dealterm SQLite file (user "tester" is "Test User")."""
    target = tmp_path / "fresh.db"
    shutil.copy2(sqlite_template, target)
    return target


def _frozen_clock() -> FixedClock:
    return FixedClock(zone=MOSCOW, moment=datetime(2026, 3, 10, 10, 30, tzinfo=MOSCOW))


@pytest.fixture(scope="session")
def seeded_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with a little data, built once through the core services.

    Deal #1 "Base deal": Acme Ltd / John Smith, 100.00 USD typed by hand, one product row,
    a planned call (#1) and a comment. Deal #2 "Closed deal": won.
    """
    from dealterm.core.db import Database
    from dealterm.core.services.activities import plan_activity
    from dealterm.core.services.deals import DealCreate, create_deal
    from dealterm.core.services.flow import mark_won
    from dealterm.core.services.history import add_comment
    from dealterm.core.services.products import ProductRowInput

    path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    shutil.copy2(sqlite_template, path)
    database = Database.open(path, clock=_frozen_clock(), login="tester", user_name="Test User")
    try:
        with database.session() as session:
            base = create_deal(
                session,
                DealCreate(
                    title="Base deal",
                    amount="100",
                    company="Acme Ltd",
                    contacts=["John Smith"],
                    products=[ProductRowInput(name="Widget", price="40", quantity="2")],
                ),
            )
            plan_activity(
                session, base.id, kind="call", subject="First call", deadline="2026-03-12 11:00"
            )
            add_comment(session, base.id, "Seeded comment")
            closed = create_deal(session, DealCreate(title="Closed deal", amount="5"))
            mark_won(session, closed.id)
    finally:
        database.close()
    return path


@pytest.fixture(scope="session")
def listed_db(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five deals for the list filters (shared: only read-only commands may use it).

    1 "Alpha boiler" (NEW, comment "needs a crane"), 2 "Bravo pumps" (EXECUTING),
    3 "Charlie valves" (won), 4 "Delta pipes" (lost: No budget), 5 "Echo service"
    (NEW, company "ООО «Ромашка»").
    """
    from dealterm.core.db import Database
    from dealterm.core.services.deals import DealCreate, create_deal
    from dealterm.core.services.flow import mark_lost, mark_won

    path = tmp_path_factory.mktemp("listed") / "listed.db"
    shutil.copy2(sqlite_template, path)
    database = Database.open(path, clock=_frozen_clock(), login="tester", user_name="Test User")
    try:
        with database.session() as session:
            for fields in (
                {"title": "Alpha boiler", "comments": "needs a crane"},
                {"title": "Bravo pumps", "stage": "EXECUTING"},
                {"title": "Charlie valves"},
                {"title": "Delta pipes"},
                {"title": "Echo service", "company": "ООО «Ромашка»"},
            ):
                create_deal(session, DealCreate(**fields))
            mark_won(session, 3)
            mark_lost(session, 4, reason="No budget")
    finally:
        database.close()
    return path


@pytest.fixture
def seeded_db(seeded_template: Path, tmp_path: Path) -> Path:
    """A private copy of :func:`seeded_template`."""
    target = tmp_path / "seeded.db"
    shutil.copy2(seeded_template, target)
    return target


def dump_rows(path: Path) -> list[str]:
    """Every row of every table of an SQLite file, as SQL (for "nothing was written")."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


_LIST_CACHE: dict[int, str] = {}


@pytest.fixture
def unchanged(run: Runner) -> Callable[[Path], AbstractContextManager[None]]:
    """``with unchanged(path): ...`` asserts the block wrote nothing to the database.

    Every row of every table must be the same afterwards, and so must what
    ``deal list --json --limit 1000`` prints.
    """

    def listing(path: Path) -> str:
        return assert_ok(run("deal", "list", "--json", "--limit", "1000", db=path)).stdout

    @contextmanager
    def _unchanged(path: Path) -> Iterator[None]:
        before_rows = dump_rows(path)
        key = hash(tuple(before_rows))
        if key not in _LIST_CACHE:  # the listing depends only on the rows
            _LIST_CACHE[key] = listing(path)
        yield
        assert dump_rows(path) == before_rows, "the command changed the database"
        assert listing(path) == _LIST_CACHE[key]

    return _unchanged
