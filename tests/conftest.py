"""Shared fixtures: real databases (an SQLite file and the PostgreSQL server), a frozen clock.

PostgreSQL: the server at ``DEALTERM_TEST_PG`` (default: postgres on 127.0.0.1:5432, trust
auth). A fresh database is created for the test run and dropped after it. Without a
server the PostgreSQL tests are skipped with the reason shown; under CI (``CI=true``)
a missing server is an error, never a skip.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dealterm.core.clock import FixedClock

PG_SERVER = os.environ.get(
    "DEALTERM_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# A Tuesday, mid-morning in Moscow: weeks, days and "today" are all unambiguous.
FROZEN = datetime(2026, 3, 10, 10, 30, tzinfo=ZoneInfo("Europe/Moscow"))
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs the PostgreSQL server")


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test away from the user's real data, settings and terminal theme."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("DEALTERM_USER", "tester")
    monkeypatch.setenv("TZ", "Europe/Moscow")
    for name in (
        "DEALTERM_DB",
        "DEALTERM_CONFIG",
        "DEALTERM_DATA_DIR",
        "DEALTERM_CACHE_DIR",
        "TEXTUAL_THEME",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


def _pg_admin_url() -> str:
    return PG_SERVER.replace("postgresql+psycopg://", "postgresql://")


def _pg_problem() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        with psycopg.connect(_pg_admin_url(), connect_timeout=3, autocommit=True):
            return None
    except psycopg.Error as exc:
        return f"no PostgreSQL server at {PG_SERVER}: {str(exc).splitlines()[0]}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run (dropped at the end)."""
    problem = _pg_problem()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL tests must run in CI: {problem}")
        pytest.skip(problem)
    import psycopg

    name = f"dealterm_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_SERVER.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_PG_ENGINES: dict[str, object] = {}


def _empty_postgres(url: str) -> None:
    """Delete every row and restart the id sequences (faster than TRUNCATE for tiny tables)."""
    from sqlalchemy import Engine, create_engine, text

    from dealterm.core.models._base import SQLModel

    engine = _PG_ENGINES.get(url)
    if not isinstance(engine, Engine):
        engine = create_engine(url)
        _PG_ENGINES[url] = engine
    with engine.begin() as conn:
        if conn.execute(text("SELECT to_regclass('alembic_version')")).scalar() is None:
            return
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
        for table in SQLModel.metadata.sorted_tables:
            if "id" in table.c:  # setval(NULL, ...) is a no-op for tables without a sequence
                conn.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, 'id'), 1, false)"),
                    {"t": table.name},
                )


@pytest.fixture
def clock() -> FixedClock:
    """A clock frozen at :data:`FROZEN` in Europe/Moscow."""
    return FixedClock(zone=ZoneInfo("Europe/Moscow"), moment=FROZEN)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of the database backend under test."""
    return str(request.param)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, set-up SQLite database that tests copy (migrating each time is slow)."""
    from dealterm.core.db import Database

    path = tmp_path_factory.mktemp("template") / "template.db"
    clock = FixedClock(zone=ZoneInfo("Europe/Moscow"), moment=FROZEN)
    Database.open(path, clock=clock, login="tester", user_name="Test User").close()
    return path


@pytest.fixture
def db_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where a test's database lives: a new SQLite file, or the emptied PostgreSQL database."""
    if backend == "sqlite":
        target = tmp_path / "crm.db"
        shutil.copy2(request.getfixturevalue("sqlite_template"), target)
        yield str(target)
        return
    url = request.getfixturevalue("pg_url")
    _empty_postgres(url)
    yield url


@pytest.fixture
def db(db_target: str, clock: FixedClock) -> Iterator[object]:
    """An open dealterm database on each backend, acting as user "tester"."""
    from dealterm.core.db import Database

    database = Database.open(db_target, clock=clock, login="tester", user_name="Test User")
    try:
        yield database
    finally:
        database.close()
