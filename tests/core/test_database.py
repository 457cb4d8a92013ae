"""Opening databases: schema from Alembic, SQLite settings, and clear errors for bad files."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from dealterm.core.db import Database, head_revision
from dealterm.core.errors import DatabaseError
from dealterm.core.models._base import SQLModel
from dealterm.core.search import in_schema_compare
from dealterm.core.services.deals import DealCreate, create_deal
from tests.readonly import read_only_file


def test_an_upgraded_empty_database_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": in_schema_compare}
        )
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, SQLModel.metadata) == []


def test_a_new_database_has_the_default_directories(db: Database) -> None:
    with db.engine.connect() as conn:
        stages = conn.execute(text("SELECT code, name_ru FROM stages ORDER BY sort")).all()
        types = {r[0] for r in conn.execute(text("SELECT code FROM deal_types"))}
        sources = {r[0] for r in conn.execute(text("SELECT code FROM sources"))}
        users = conn.execute(text("SELECT login, name FROM users")).all()
    assert [code for code, _ in stages] == [
        "NEW",
        "PREPARATION",
        "PREPAYMENT_INVOICE",
        "EXECUTING",
        "FINAL_INVOICE",
        "WON",
        "LOSE",
        "APOLOGY",
    ]
    assert stages[0][1] == "Новая"
    assert types == {"SALE", "COMPLEX", "GOODS", "SERVICES", "SERVICE"}
    assert {
        "CALL",
        "EMAIL",
        "WEB",
        "ADVERTISING",
        "PARTNER",
        "RECOMMENDATION",
        "TRADE_SHOW",
        "WEBFORM",
        "CALLBACK",
        "RC_GENERATOR",
        "STORE",
        "REPEAT_SALE",
        "OTHER",
    } <= sources
    assert users == [("tester", "Test User")]


def test_reopening_does_not_seed_twice(db_target: str, clock: object) -> None:
    Database.open(db_target, clock=clock).close()  # type: ignore[arg-type]
    second = Database.open(db_target, clock=clock)  # type: ignore[arg-type]
    with second.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pipelines")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM stages")).scalar() == 8
    second.close()


def test_russian_locale_names_things_in_russian(tmp_path: Path, clock: object) -> None:
    db = Database.open(tmp_path / "ru.db", clock=clock, locale="ru_RU")  # type: ignore[arg-type]
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM pipelines")).scalar() == "Продажи"
        assert (
            conn.execute(text("SELECT name FROM stages WHERE code='WON'")).scalar()
            == "Сделка успешна"
        )
        assert conn.execute(text("SELECT code FROM currencies WHERE is_base")).scalar() == "RUB"
    db.close()


def test_sqlite_file_is_private_and_in_wal_mode(tmp_path: Path, clock: object) -> None:
    path = tmp_path / "sub" / "crm.db"
    db = Database.open(path, clock=clock)  # type: ignore[arg-type]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    db.close()


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(DatabaseError, match="is not a dealterm database"):
        Database.open(path)


def test_a_foreign_sqlite_database_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    with pytest.raises(DatabaseError, match="not a dealterm database"):
        Database.open(path)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"recipes"}


def test_a_database_from_a_newer_dealterm(tmp_path: Path, clock: object) -> None:
    path = tmp_path / "future.db"
    Database.open(path, clock=clock).close()  # type: ignore[arg-type]
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(DatabaseError, match="newer dealterm"):
        Database.open(path)


def test_a_locked_database_gives_a_clear_error(
    tmp_path: Path, clock: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dealterm.core.db.engine as engine_module

    path = tmp_path / "busy.db"
    Database.open(path, clock=clock).close()  # type: ignore[arg-type]
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 100)
    db = Database.open(path, clock=clock)  # type: ignore[arg-type]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with (
            pytest.raises(DatabaseError, match="locked by another program"),
            db.session() as session,
        ):
            create_deal(session, DealCreate(title="Blocked"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    with db.session() as session:
        assert create_deal(session, DealCreate(title="Later")).title == "Later"
    db.close()


def test_a_read_only_database_gives_a_clear_error(tmp_path: Path, clock: object) -> None:
    path = tmp_path / "ro.db"
    Database.open(path, clock=clock).close()  # type: ignore[arg-type]
    with read_only_file(path):
        db = Database.open(path, clock=clock)  # type: ignore[arg-type]
        with pytest.raises(DatabaseError, match="read-only"), db.session() as session:
            create_deal(session, DealCreate(title="Nope"))
        db.close()


def test_a_read_only_connection_gives_a_clear_error(tmp_path: Path, clock: object) -> None:
    """Works as root too: SQLite opened read-only refuses writes like a read-only file."""
    path = tmp_path / "ro.db"
    Database.open(path, clock=clock).close()  # type: ignore[arg-type]
    db = Database.open(f"sqlite:///file:{path}?mode=ro&uri=true", clock=clock)  # type: ignore[arg-type]
    with pytest.raises(DatabaseError, match="read-only"), db.session() as session:
        create_deal(session, DealCreate(title="Nope"))
    db.close()


def test_an_unreachable_postgresql_server() -> None:
    with pytest.raises(DatabaseError, match=r"cannot connect|PostgreSQL"):
        Database.open("postgresql+psycopg://nobody@127.0.0.1:1/nothing")


def test_an_unknown_kind_of_database() -> None:
    with pytest.raises(DatabaseError, match="unsupported database"):
        Database.open("mysql://root@localhost/crm")


def test_create_engine_of_the_test_server_is_reachable(pg_url: str) -> None:
    """Guards the PostgreSQL half of the suite: CI must really talk to the server."""
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()


def test_a_bulk_session_still_refuses_broken_links(tmp_path: Path, clock: object) -> None:
    from dealterm.core.models import HistoryEvent

    db = Database.open(tmp_path / "bulk.db", clock=clock)  # type: ignore[arg-type]
    with pytest.raises(DatabaseError, match="broke a link"), db.session(bulk=True) as session:
        session.add(HistoryEvent(deal_id=4242, at=db.clock.utcnow(), kind="comment", text="orphan"))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM history")).scalar() == 0
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.close()


def test_the_head_constant_names_the_newest_migration() -> None:
    from dealterm.migrations import HEAD

    assert head_revision() == HEAD
