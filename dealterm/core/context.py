"""Who is acting and when: the context every service reads from its session."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from dealterm.core.clock import Clock

__all__ = ["Ctx", "ctx"]


@dataclass(frozen=True)
class Ctx:
    """The acting user, the clock and the locale of one unit of work.

    Attributes:
        user_id: the user who makes the change (author of history events).
        clock: what "now" and "today" are.
        locale: a Babel locale name such as "en_US" or "ru_RU" (names of stages, week start).
    """

    user_id: int
    clock: Clock
    locale: str = "en_US"


def ctx(session: Session) -> Ctx:
    """The context a :class:`~dealterm.core.db.Database` attached to this session."""
    found = session.info.get("ctx")
    if not isinstance(found, Ctx):
        raise RuntimeError("session has no dealterm context: open it with Database.session()")
    return found
