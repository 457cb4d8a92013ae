"""Time for the CRM: "now" and "today" in the user's time zone, injectable for tests.

Timestamps are stored in UTC; dates a user sees and types (today, a deadline's day)
are in the user's zone. Every service asks the clock instead of calling
``datetime.now()``, so a test can freeze the day.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Clock", "FixedClock", "SystemClock", "resolve_timezone"]


def _local_zone_name() -> str | None:
    """The IANA name of the machine's zone: ``TZ``, else the /etc/localtime link."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env:
        return env
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return None
    marker = "zoneinfo/"
    return target[target.index(marker) + len(marker) :] if marker in target else None


def resolve_timezone(name: str | None) -> tzinfo:
    """Return the zone called ``name`` (an IANA name such as "Europe/Moscow").

    ``None`` or an empty name means the machine's local zone. The standard library's
    ``zoneinfo`` is used where it knows the zone (it is fast and handles DST).

    Raises:
        ValueError: the name is not a known time zone.
    """
    wanted = name or _local_zone_name()
    if wanted:
        try:
            return ZoneInfo(wanted)
        except (ZoneInfoNotFoundError, ValueError):
            if name:
                from dateutil import tz as dateutil_tz  # rare: imported when needed

                zone: tzinfo | None = dateutil_tz.gettz(name)
                if zone is None:
                    raise ValueError(f"unknown time zone {name!r}") from None
                return zone
    from dateutil import tz as dateutil_tz  # no zone name anywhere: imported when needed

    local: tzinfo = dateutil_tz.tzlocal()
    return local


@dataclass
class Clock:
    """The base clock: subclasses say what "now" is."""

    zone: tzinfo = field(default_factory=lambda: resolve_timezone(None))

    def utcnow(self) -> datetime:
        """Now, as an aware UTC datetime."""
        raise NotImplementedError

    def now(self) -> datetime:
        """Now, as an aware datetime in the user's zone."""
        return self.utcnow().astimezone(self.zone)

    def today(self) -> date:
        """Today's date in the user's zone."""
        return self.now().date()

    def to_local(self, moment: datetime) -> datetime:
        """Express an aware (or naive UTC) moment in the user's zone."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone)

    def local_to_utc(self, wall: datetime) -> datetime:
        """Read a naive wall-clock time as the user's local time and return it in UTC."""
        if wall.tzinfo is None:
            wall = wall.replace(tzinfo=self.zone)
        return wall.astimezone(UTC)

    def start_of_day(self, day: date) -> datetime:
        """The UTC moment the user's local ``day`` begins."""
        return self.local_to_utc(datetime.combine(day, time.min))


@dataclass
class SystemClock(Clock):
    """The real clock."""

    def utcnow(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock(Clock):
    """A clock stopped at one moment (for tests and reproducible demo data).

    Attributes:
        moment: the frozen "now"; a naive value is read as local time in ``zone``.
    """

    moment: datetime = field(default_factory=lambda: datetime(2026, 1, 1, 12, 0, tzinfo=UTC))

    def __post_init__(self) -> None:
        if self.moment.tzinfo is None:
            self.moment = self.moment.replace(tzinfo=self.zone)

    def utcnow(self) -> datetime:
        return self.moment.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        """Move the frozen moment forward, e.g. ``advance(days=1)``."""
        self.moment = self.moment + timedelta(**delta)
