"""Users: the people who own deals and author changes."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from dealterm.core.context import ctx
from dealterm.core.errors import ValidationError
from dealterm.core.models import User, UserSetting

__all__ = [
    "ensure_user",
    "find_user_id",
    "get_user_setting",
    "list_users",
    "resolve_user",
    "set_user_setting",
    "user_names",
]


def find_user_id(session: Session, login: str) -> int | None:
    """The id of the user with this login, or None."""
    return session.exec(select(User.id).where(User.login == login)).first()


def ensure_user(session: Session, *, login: str, name: str | None = None) -> int:
    """Return the id of the user with ``login``, creating them if needed."""
    found = find_user_id(session, login)
    if found is not None:
        return found
    user = User(login=login, name=name or login, created_at=ctx(session).clock.utcnow())
    session.add(user)
    session.flush()
    assert user.id is not None
    return user.id


def resolve_user(session: Session, ref: int | str) -> User:
    """Find a user by id, login or name (case-insensitive).

    Raises:
        ValidationError: no such user, or the name is ambiguous.
    """
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        user = session.get(User, int(ref))
        if user is None:
            raise ValidationError(f"unknown user #{ref}", field="responsible")
        return user
    text = ref.strip()
    user = session.exec(select(User).where(User.login == text)).first()
    if user is not None:
        return user
    matches = session.exec(select(User).where(func.lower(User.name) == text.lower())).all()
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ValidationError(
            f"more than one user is called {text!r}; use the login", field="responsible"
        )
    raise ValidationError(f"unknown user {text!r}", field="responsible")


def list_users(session: Session, *, active_only: bool = True) -> list[User]:
    """Every user, by name."""
    query = select(User).order_by(col(User.name))
    if active_only:
        query = query.where(col(User.active).is_(True))
    return list(session.exec(query).all())


def user_names(session: Session) -> dict[int, str]:
    """Map of user id to display name."""
    return {uid: name for uid, name in session.exec(select(User.id, User.name)).all() if uid}


def get_user_setting(session: Session, key: str, *, user_id: int | None = None) -> str | None:
    """A per-user setting of the acting user (or ``user_id``), or None."""
    uid = user_id if user_id is not None else ctx(session).user_id
    row = session.get(UserSetting, (uid, key))
    return row.value if row else None


def set_user_setting(
    session: Session, key: str, value: str | None, *, user_id: int | None = None
) -> None:
    """Store (or with None, remove) a per-user setting."""
    uid = user_id if user_id is not None else ctx(session).user_id
    row = session.get(UserSetting, (uid, key))
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(UserSetting(user_id=uid, key=key, value=value))
    else:
        row.value = value
        session.add(row)
    session.flush()
