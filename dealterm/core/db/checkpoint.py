"""Copying an SQLite file's write-ahead log back into it, off the path of the app's writes.

By default SQLite does it inside the commit that takes the log past 1,000 pages (~4 MB).
In the app that commit is something a user just did: at 1,000,000 deals one stage move in
about 75 took 0.7-0.9 s instead of 6 ms, copying back the pages of the moves before it.
An app that opens its database with ``background_checkpoints`` leaves the work to a
:class:`Checkpointer` thread: its connections only append to the log, and their own
automatic checkpoint waits for :data:`SAFETY_PAGES` (a bound on the log should the thread
fall behind or stop).

A ``PASSIVE`` checkpoint never waits for readers or writers, nor holds them up: it copies
what no reader still needs, and the next writer starts the log again from its beginning
once all of it has been copied. SQLite releases the GIL while it runs.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

__all__ = ["INTERVAL", "SAFETY_PAGES", "Checkpointer"]

INTERVAL = 1.0  # seconds between checkpoints
SAFETY_PAGES = 16_384  # ~64 MiB: the app's connections checkpoint themselves past this


class Checkpointer:
    """A daemon thread checkpointing one SQLite file every ``interval`` seconds.

    Args:
        path: the database file (the app's connections are in WAL mode).
        interval: seconds between checkpoints (``INTERVAL`` by default).
    """

    def __init__(self, path: str, interval: float | None = None) -> None:
        self.path = path
        self.interval = INTERVAL if interval is None else interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None

    def start(self) -> Checkpointer:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="dealterm-checkpoint", daemon=True
            )
            self._thread.start()
        return self

    def checkpoint(self) -> tuple[int, int, int] | None:
        """Checkpoint now: ``(busy, frames in the log, frames copied)``, None if it failed."""
        try:
            if self._conn is None:
                # mode=rw: a file deleted or moved meanwhile is not made again, empty
                uri = f"{Path(self.path).absolute().as_uri()}?mode=rw"
                self._conn = sqlite3.connect(uri, uri=True, timeout=0, check_same_thread=False)
            row = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:  # locked for a moment, read-only, gone: the next one will do
            return None
        return (int(row[0]), int(row[1]), int(row[2])) if row else None

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                self.checkpoint()
        finally:
            self._close()

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def stop(self) -> None:
        """Stop the thread and close its connection (waits for a checkpoint under way)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        else:
            self._close()
