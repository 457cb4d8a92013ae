"""The app's commits leave checkpoints to a thread of their own (no action waits for one)."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from dealterm.core.clock import FixedClock
from dealterm.core.crm import Crm
from dealterm.core.db import Database, checkpoint
from dealterm.core.services.deals import DealCreate

NOTE = "Called back, they want the bigger model. " * 200  # ~8 KB: a few pages per commit
COMMENTS = 300  # some 1,500 pages of log: past SQLite's own checkpoint at 1,000


def _open(sqlite_template: Path, tmp_path: Path, clock: FixedClock, **kwargs: bool) -> Database:
    path = tmp_path / "crm.db"
    shutil.copy2(sqlite_template, path)
    return Database.open(path, clock=clock, login="tester", **kwargs)


def _threaded(
    sqlite_template: Path,
    tmp_path: Path,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    interval: float,
) -> tuple[Database, Path]:
    """A database with the checkpoint thread, checkpointing every ``interval`` seconds."""
    monkeypatch.setattr(checkpoint, "INTERVAL", interval)
    db = _open(sqlite_template, tmp_path, clock, background_checkpoints=True)
    return db, Path(str(db.url.database))


def _write(db: Database) -> Path:
    crm = Crm(db)
    deal = crm.create(DealCreate(title="Talkative client"))
    for _ in range(COMMENTS):
        crm.comment(deal.id, NOTE)
    return Path(str(db.url.database))


def _autocheckpoint(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.execute(text("PRAGMA wal_autocheckpoint")).scalar_one())


def test_commits_only_append_and_the_thread_copies_the_log_back(
    sqlite_template: Path, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the thread waits an hour: the commits alone
    db, path = _threaded(sqlite_template, tmp_path, clock, monkeypatch, 3600.0)
    try:
        assert _autocheckpoint(db) == checkpoint.SAFETY_PAGES
        before = path.stat().st_size
        _write(db)
        # ~1,500 pages went to the log and none of them into the file: no commit copied them
        assert path.stat().st_size == before
        assert db._checkpointer is not None
        busy, logged, copied = db._checkpointer.checkpoint() or (1, 0, -1)
        assert (busy, copied) == (0, logged) and logged > 1000
        assert path.stat().st_size > before + COMMENTS * len(NOTE) // 2
    finally:
        db.close()
    assert db._checkpointer is None


def test_the_thread_checkpoints_on_its_own_and_stops_with_the_database(
    sqlite_template: Path, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, path = _threaded(sqlite_template, tmp_path, clock, monkeypatch, 0.05)
    before = path.stat().st_size
    try:
        _write(db)
        deadline = time.monotonic() + 10
        while path.stat().st_size <= before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size > before + COMMENTS * len(NOTE) // 2
    finally:
        db.close()
    # every row is in the file itself once the database is closed
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM history WHERE kind = 'comment'").fetchone() == (
            COMMENTS,
        )


def test_without_the_thread_sqlite_checkpoints_in_the_commits(
    sqlite_template: Path, tmp_path: Path, clock: FixedClock
) -> None:
    """The CLI's short runs keep SQLite's own checkpoints (what the thread takes over)."""
    db = _open(sqlite_template, tmp_path, clock)
    try:
        assert _autocheckpoint(db) == 1000
        assert db._checkpointer is None
        path = Path(str(db.url.database))
        before = path.stat().st_size
        _write(db)
        assert path.stat().st_size > before
    finally:
        db.close()


def test_a_uri_target_keeps_sqlites_own_checkpoints(
    sqlite_template: Path, tmp_path: Path, clock: FixedClock
) -> None:
    """No thread for an SQLite URI (its path is SQLite's to read), so no raised limit."""
    path = tmp_path / "crm.db"
    shutil.copy2(sqlite_template, path)
    db = Database.open(
        f"sqlite:///file:{path}?uri=true", clock=clock, login="tester", background_checkpoints=True
    )
    try:
        assert db._checkpointer is None
        assert _autocheckpoint(db) == 1000
    finally:
        db.close()


def test_a_file_gone_before_a_checkpoint_is_not_made_again_empty(
    sqlite_template: Path, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, path = _threaded(sqlite_template, tmp_path, clock, monkeypatch, 0.05)
    try:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        time.sleep(0.5)  # ten checkpoints' time
        assert not path.exists()  # the next start must not find an empty CRM there
    finally:
        db.close()
