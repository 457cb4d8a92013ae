"""Opening a dealterm database: connect, migrate, set up, and hand out sessions."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session

from dealterm.core.clock import Clock, SystemClock
from dealterm.core.context import Ctx
from dealterm.core.db.checkpoint import SAFETY_PAGES, Checkpointer
from dealterm.core.db.engine import describe_target, make_engine, resolve_url, sqlite_file
from dealterm.core.db.errors import translate_db_error
from dealterm.core.db.migrate import upgrade
from dealterm.core.errors import DatabaseError, DealtermError, NotFoundError

__all__ = ["Database", "current_login"]


def current_login() -> str:
    """The login dealterm acts as: ``DEALTERM_USER``, else the operating-system user."""
    login = os.environ.get("DEALTERM_USER", "").strip()
    if login:
        return login
    try:
        return getpass.getuser() or "user"
    except (KeyError, OSError):
        return "user"


@dataclass
class Database:
    """An open dealterm database and the user working with it.

    Create one with :meth:`open`. Every unit of work is a ``with db.session() as s:``
    block: it commits at the end, or rolls back everything if anything fails.

    Attributes:
        engine: the SQLAlchemy engine.
        url: where the data lives.
        clock: what "now" is for every service called through this database.
        locale: the user's locale (Babel name).
        user_id: the acting user; set by :meth:`open`.
    """

    engine: Engine
    url: URL
    clock: Clock = field(default_factory=SystemClock)
    locale: str = "en_US"
    user_id: int = 0
    _checkpointer: Checkpointer | None = field(default=None, repr=False, compare=False)

    @classmethod
    def open(
        cls,
        target: str | os.PathLike[str],
        *,
        clock: Clock | None = None,
        locale: str = "en_US",
        login: str | None = None,
        user_name: str | None = None,
        base_currency: str | None = None,
        create: bool = True,
        background_checkpoints: bool = False,
    ) -> Database:
        """Open (and if needed create, upgrade and set up) the database at ``target``.

        Args:
            target: an SQLite file path or an SQLAlchemy URL.
            clock: the clock for services; the system clock by default.
            locale: the user's locale, used for default names on a new database.
            login: the acting user's login; ``DEALTERM_USER`` or the OS user by default.
            user_name: display name for a user created now.
            base_currency: base currency for a database set up now.
            create: create a missing SQLite file.
            background_checkpoints: SQLite: a thread copies the write-ahead log back into
                the file, not the commits of this process (see
                :mod:`dealterm.core.db.checkpoint`; for the app, whose commits a user
                waits for). :meth:`close` stops it.

        Raises:
            DatabaseError: the database cannot be opened, is not ours, or is damaged.
        """
        url = resolve_url(target)
        checkpointed = sqlite_file(url) if background_checkpoints else None
        engine = make_engine(
            url, create=create, autocheckpoint=None if checkpointed is None else SAFETY_PAGES
        )
        db = cls(engine=engine, url=url, clock=clock or SystemClock(), locale=locale)
        try:
            upgrade(engine, db.name)
            db._setup(login or current_login(), user_name, base_currency)
        except DealtermError:
            engine.dispose()
            raise
        except SQLAlchemyError as exc:
            engine.dispose()
            translated = translate_db_error(exc, url)
            if translated is None:
                raise
            raise translated from None
        if checkpointed is not None:
            db._checkpointer = Checkpointer(checkpointed).start()
        return db

    def _setup(self, login: str, user_name: str | None, base_currency: str | None) -> None:
        from dealterm.core import seed
        from dealterm.core.services import users

        with self.session(as_user=False) as session:
            if not seed.is_bootstrapped(session):
                seed.bootstrap(session, locale=self.locale, base_currency=base_currency)
        with self.session(write=False, as_user=False) as session:
            found = users.find_user_id(session, login)
        if found is None:
            with self.session(as_user=False) as session:
                found = users.ensure_user(session, login=login, name=user_name)
        self.user_id = found

    @property
    def name(self) -> str:
        """A short name for the header: the file name or host/database."""
        return describe_target(self.url)

    @property
    def is_sqlite(self) -> bool:
        """True for an SQLite file."""
        return self.url.get_backend_name() == "sqlite"

    def context(self) -> Ctx:
        """The context services see: this user, clock and locale."""
        return Ctx(user_id=self.user_id, clock=self.clock, locale=self.locale)

    @contextmanager
    def session(
        self, *, write: bool = True, as_user: bool = True, bulk: bool = False
    ) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any error.

        Args:
            write: take the write lock at the start (SQLite ``BEGIN IMMEDIATE``), so a
                read-then-write unit never fails half way on a lock upgrade.
            as_user: attach the acting user's context (False only while setting up).
            bulk: a large load (demo data, imports): on SQLite, foreign keys are checked
                once before commit instead of on every row.

        Raises:
            DatabaseError: the database failed (locked, read-only, gone), or a bulk load
                broke a foreign key; nothing was saved.
        """
        bind: Any = self.engine
        if write and self.is_sqlite:
            bind = self.engine.execution_options(sqlite_begin="IMMEDIATE", sqlite_bulk=bulk)
        session = Session(bind=bind, expire_on_commit=False, autoflush=False)
        if as_user:
            session.info["ctx"] = self.context()
        else:
            session.info["ctx"] = Ctx(user_id=0, clock=self.clock, locale=self.locale)
        try:
            yield session
            if bulk and write and self.is_sqlite:
                session.flush()
                broken = session.connection().exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:
                    raise DatabaseError(
                        f"the load broke a link between records ({broken[0]} -> {broken[2]}); "
                        "nothing was saved"
                    )
            session.commit()
        except DealtermError:
            session.rollback()
            raise
        except OverflowError:
            session.rollback()
            raise NotFoundError("no such record: the number is too large to be an id") from None
        except IntegrityError as exc:
            session.rollback()
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseError(f"the database refused the change: {detail}") from None
        except SQLAlchemyError as exc:
            session.rollback()
            if "out of range" in str(getattr(exc, "orig", "")).lower():
                raise NotFoundError("no such record: the number is out of range") from None
            translated = translate_db_error(exc, self.url)
            if translated is None:
                raise
            raise translated from None
        finally:
            session.close()

    def close(self) -> None:
        """Stop the checkpoint thread, if any, and release every connection."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        self.engine.dispose()
