"""Sales scenarios (Bitrix24's sales generator): a client segment and a deal for each client.

A scenario names a segment (birthdays, won N days ago, lost, dormant, periodic buyers)
and what to create per client: title template, pipeline and stage, responsible (one
user or a round-robin queue), an optional comment and planned activity. Deals get the
source RC_GENERATOR. A run records each client with the segment's *period* in
``scenario_runs`` (unique), in the same transaction as the deal, so running twice in
the same period creates nothing new. :func:`preview_scenario` and
:func:`run_scenario` share one planner: what the preview shows is what a run creates.

Segments are SQL aggregates per client (one row per client, never one per deal).
"""

from __future__ import annotations

import calendar
import re
import string
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, exists, or_, select
from sqlalchemy import extract as sql_extract
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from dealterm.core.context import ctx
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.formatting import show_date
from dealterm.core.models import Contact, Pipeline, Scenario, ScenarioRun, Stage, User
from dealterm.core.services import activities, deals, history, pipelines, users
from dealterm.core.services.client_deals import (
    CONTACTS,
    DEALS,
    LINKS,
    ClientKey,
    client_names,
    count_if,
    deal_clients,
    is_open,
    max_date,
    won,
)

__all__ = [
    "SEGMENTS",
    "PlannedDeal",
    "RunReport",
    "ScenarioInput",
    "ScenarioPreview",
    "ScenarioRead",
    "Segment",
    "add_scenario",
    "delete_scenario",
    "get_scenario",
    "list_scenarios",
    "parse_activity",
    "preview_scenario",
    "run_scenario",
]

SOURCE = "RC_GENERATOR"
PLACEHOLDERS = ("client", "date", "event")
# Periodic buyers: look at a window that opens LEAD_DAYS ahead (Bitrix24: 7 days ahead).
LEAD_DAYS = 7
ACTIVITY_HOUR = "10:00"


class Segment(StrEnum):
    """Which clients a scenario picks."""

    BIRTHDAY = "birthday"
    WON_DAYS_AGO = "won-days-ago"
    LOST_12_MONTHS = "lost-12-months"
    DORMANT = "dormant"
    EVERY_YEAR = "every-year"
    EVERY_HALF_YEAR = "every-half-year"
    EVERY_MONTH = "every-month"


@dataclass(frozen=True)
class SegmentInfo:
    """What a segment means and what its ``days`` is."""

    label: str
    days_help: str
    default_days: int | None


SEGMENTS: dict[Segment, SegmentInfo] = {
    Segment.BIRTHDAY: SegmentInfo("Contacts with a birthday in the next N days", "N", 7),
    Segment.WON_DAYS_AGO: SegmentInfo(
        "Clients whose last won deal closed exactly N days ago, nothing open", "N", 30
    ),
    Segment.LOST_12_MONTHS: SegmentInfo(
        "Clients whose last deal was lost more than 12 months ago (or N days)", "N", None
    ),
    Segment.DORMANT: SegmentInfo(
        "Clients with a deal closed in the last 12 months and no open deal", "N", None
    ),
    Segment.EVERY_YEAR: SegmentInfo(
        "Clients who bought about 1 and 2 years ago (window of N days, 7 days ahead)",
        "window",
        30,
    ),
    Segment.EVERY_HALF_YEAR: SegmentInfo(
        "Clients who bought about 6 and 12 months ago (window of N days, 7 days ahead)",
        "window",
        30,
    ),
    Segment.EVERY_MONTH: SegmentInfo(
        "Clients who bought about 1 and 2 months ago (window of N days, 7 days ahead)",
        "window",
        7,
    ),
}
_PERIOD_MONTHS = {Segment.EVERY_YEAR: 12, Segment.EVERY_HALF_YEAR: 6, Segment.EVERY_MONTH: 1}
# These segments are defined by "no open deal": the flag cannot widen them.
_ALWAYS_CLOSED = (Segment.WON_DAYS_AGO, Segment.LOST_12_MONTHS, Segment.DORMANT)


@dataclass(frozen=True)
class ScenarioInput:
    """What the user types to add a scenario. Values may be text; the service checks them.

    Attributes:
        responsible: user ids, logins or names; one user, or the round-robin queue.
        activity: ``kind:subject[:Nd]``, e.g. ``call:Congratulate:2d``.
    """

    name: str
    segment: str
    title: str
    days: int | str | None = None
    pipeline: int | str | None = None
    stage: int | str | None = None
    responsible: tuple[int | str, ...] = ()
    round_robin: bool = False
    comment: str | None = None
    activity: str | None = None
    skip_open: bool = True


@dataclass(frozen=True)
class ScenarioRead:
    """A scenario as lists and forms show it."""

    id: int
    name: str
    segment: str
    segment_label: str
    days: int | None
    title: str
    pipeline: str
    stage: str
    responsible: tuple[str, ...]
    round_robin: bool
    comment: str | None
    activity: str | None
    skip_open: bool
    last_run_at: Any
    last_run_count: int | None


@dataclass(frozen=True)
class PlannedDeal:
    """One deal a run would create (or created)."""

    client_kind: str
    client_id: int
    client: str
    title: str
    responsible: str
    period_key: str
    event_date: date | None
    deal_id: int | None = None

    @property
    def client_ref(self) -> str:
        """``company:12`` or ``contact:5``."""
        return f"{self.client_kind}:{self.client_id}"


@dataclass(frozen=True)
class ScenarioPreview:
    """The matching clients and the deals a run would create for them."""

    scenario: ScenarioRead
    deals: tuple[PlannedDeal, ...]
    already_done: int
    pipeline: str
    stage: str

    @property
    def count(self) -> int:
        """How many deals a run creates."""
        return len(self.deals)


@dataclass(frozen=True)
class RunReport:
    """What a run created."""

    scenario: ScenarioRead
    created: tuple[PlannedDeal, ...]
    already_done: int

    @property
    def count(self) -> int:
        """How many deals were created."""
        return len(self.created)


@dataclass(frozen=True)
class _Match:
    key: ClientKey
    period_key: str
    event_date: date | None


# --- input checks ------------------------------------------------------------------------
def _segment(value: str) -> Segment:
    try:
        return Segment((value or "").strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in Segment)
        raise ValidationError(f"unknown segment {value!r} (use {known})", field="segment") from None


def _days(segment: Segment, value: int | str | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return SEGMENTS[segment].default_days
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 3660:
        raise ValidationError(f"days must be a whole number from 1 to 3660 ({value})", field="days")
    number = int(text)
    if segment is Segment.BIRTHDAY and number > 366:
        raise ValidationError("a birthday window is at most 366 days", field="days")
    return number


def _template(text: str) -> str:
    value = (text or "").strip()
    if not value:
        raise ValidationError("a scenario needs a title template", field="title")
    if len(value) > 255:
        raise ValidationError("a title template is limited to 255 characters", field="title")
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        raise ValidationError(f"bad title template: {exc}", field="title") from None
    for name in fields:
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise ValidationError(
                f"unknown placeholder {{{name}}} in the title (use {known})", field="title"
            )
    return value


_ACTIVITY = re.compile(r"^\s*(\w+)\s*:\s*([^:]+?)\s*(?::\s*(\d+)\s*d?\s*)?$", re.IGNORECASE)


def parse_activity(text: str | None) -> tuple[str, str, int] | None:
    """``call:Congratulate:2d`` -> ("call", "Congratulate", 2); empty -> None.

    Raises:
        ValidationError: not ``kind:subject[:Nd]`` or an unknown kind.
    """
    if text is None or not text.strip():
        return None
    found = _ACTIVITY.match(text)
    if not found:
        raise ValidationError(
            f"bad activity {text!r}: use kind:subject[:Nd], e.g. call:Congratulate:2d",
            field="activity",
        )
    kind = found.group(1).lower()
    if kind not in {k.value for k in activities.PLANNABLE_KINDS}:
        raise ValidationError(
            f"unknown activity kind {kind!r} (use call, meeting, task or email)", field="activity"
        )
    days = int(found.group(3) or 0)
    if days > 365:
        raise ValidationError("an activity is planned at most 365 days ahead", field="activity")
    return kind, found.group(2).strip(), days


# --- scenarios -----------------------------------------------------------------------
def _read(session: Session, scenario: Scenario) -> ScenarioRead:
    assert scenario.id is not None
    pipeline = (
        session.get(Pipeline, scenario.pipeline_id) if scenario.pipeline_id is not None else None
    )
    stage = session.get(Stage, scenario.stage_id) if scenario.stage_id is not None else None
    names = users.user_names(session)
    segment = _segment(scenario.segment)
    return ScenarioRead(
        id=scenario.id,
        name=scenario.name,
        segment=scenario.segment,
        segment_label=SEGMENTS[segment].label,
        days=scenario.days,
        title=scenario.title_template,
        pipeline=pipeline.name if pipeline else "(default)",
        stage=stage.name if stage else "(first stage)",
        responsible=tuple(names.get(uid, f"#{uid}") for uid in scenario.responsible_ids),
        round_robin=scenario.round_robin,
        comment=scenario.comment,
        activity=scenario.activity,
        skip_open=scenario.skip_open,
        last_run_at=scenario.last_run_at,
        last_run_count=scenario.last_run_count,
    )


def add_scenario(session: Session, data: ScenarioInput) -> ScenarioRead:
    """Save a new scenario.

    Raises:
        ValidationError: a value is invalid or the name is taken; nothing is written.
    """
    name = (data.name or "").strip()
    if not name:
        raise ValidationError("a scenario needs a name", field="name")
    if len(name) > 100:
        raise ValidationError("a scenario name is limited to 100 characters", field="name")
    if session.exec(sm_select(Scenario.id).where(Scenario.name == name)).first() is not None:
        raise ValidationError(f"a scenario called {name!r} already exists", field="name")
    segment = _segment(data.segment)
    days = _days(segment, data.days)
    title = _template(data.title)
    pipeline_id: int | None = None
    stage_id: int | None = None
    if data.pipeline not in (None, "") or data.stage not in (None, ""):
        pipeline = pipelines.resolve_pipeline(session, data.pipeline)
        pipeline_id = pipeline.id
        if data.stage not in (None, ""):
            assert data.stage is not None
            stage = pipelines.resolve_stage(session, pipeline, data.stage)
            if stage.semantics != "process":
                raise ValidationError(
                    f"stage {stage.name!r} closes deals; pick an in-progress stage", field="stage"
                )
            stage_id = stage.id
    refs = [r for r in data.responsible if str(r).strip()]
    responsible = [users.resolve_user(session, r).id or 0 for r in refs]
    if data.round_robin and len(responsible) < 2:
        raise ValidationError("round-robin needs at least two users", field="responsible")
    if not data.round_robin and len(responsible) > 1:
        raise ValidationError(
            "give one responsible user, or use round-robin for several", field="responsible"
        )
    activity = (data.activity or "").strip() or None
    parse_activity(activity)
    comment = (data.comment or "").strip() or None
    scenario = Scenario(
        name=name,
        segment=segment.value,
        days=days,
        title_template=title,
        pipeline_id=pipeline_id,
        stage_id=stage_id,
        responsible_ids=responsible,
        round_robin=data.round_robin,
        comment=comment,
        activity=activity,
        skip_open=data.skip_open,
        created_at=ctx(session).clock.utcnow(),
    )
    session.add(scenario)
    session.flush()
    return _read(session, scenario)


def _find(session: Session, ref: int | str) -> Scenario:
    text = str(ref).strip()
    found = session.exec(sm_select(Scenario).where(Scenario.name == text)).first()
    if found is None and text.isdigit() and int(text) <= 2**31 - 1:
        found = session.get(Scenario, int(text))
    if found is None:
        raise NotFoundError(f"no scenario called {text!r}")
    return found


def get_scenario(session: Session, ref: int | str) -> ScenarioRead:
    """A scenario by name or id.

    Raises:
        NotFoundError: no such scenario.
    """
    return _read(session, _find(session, ref))


def list_scenarios(session: Session) -> list[ScenarioRead]:
    """Every scenario, by name."""
    return [
        _read(session, s)
        for s in session.exec(sm_select(Scenario).order_by(col(Scenario.name))).all()
    ]


def delete_scenario(session: Session, ref: int | str) -> str:
    """Delete a scenario (the deals it created stay); returns its name."""
    scenario = _find(session, ref)
    name = scenario.name
    session.delete(scenario)
    session.flush()
    return name


# --- segments ------------------------------------------------------------------------
def _birthdays(session: Session, today: date, days: int, skip_open: bool) -> list[_Match]:
    """Contacts whose birthday falls in [today, today + days], across the year end."""
    occurrences: dict[int, date] = {}
    for offset in range(days + 1):
        day = today + timedelta(days=offset)
        occurrences.setdefault(day.month * 100 + day.day, day)
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            occurrences.setdefault(229, day)  # 29 February birthdays are kept on the 28th
    month_day = sql_extract("month", CONTACTS.c.birthday) * 100 + sql_extract(
        "day", CONTACTS.c.birthday
    )
    query = select(CONTACTS.c.id, month_day).where(
        CONTACTS.c.birthday.is_not(None), month_day.in_(sorted(occurrences))
    )
    if skip_open:
        open_link = (
            select(LINKS.c.deal_id)
            .select_from(LINKS.join(DEALS, DEALS.c.id == LINKS.c.deal_id))
            .where(
                LINKS.c.contact_id == CONTACTS.c.id,
                DEALS.c.closed.is_(False),
                DEALS.c.is_recurring.is_(False),
            )
        )
        query = query.where(~exists(open_link))
    matches = []
    for contact_id, key in session.execute(query):
        day = occurrences[int(key)]
        matches.append(_Match(("contact", int(contact_id)), str(day.year), day))
    return matches


def _per_client(
    session: Session, conditions: list[Any], columns: dict[str, Any], having: list[Any]
) -> list[Any]:
    sub = deal_clients()
    query = (
        select(sub.c.kind, sub.c.client_id, *(f(sub).label(n) for n, f in columns.items()))
        .where(*[c(sub) for c in conditions])
        .group_by(sub.c.kind, sub.c.client_id)
        .having(and_(*[h(sub) for h in having]))
    )
    return list(session.execute(query))


def _periodic(
    session: Session, segment: Segment, today: date, days: int, skip_open: bool
) -> list[_Match]:
    months = _PERIOD_MONTHS[segment]
    start = today + timedelta(days=LEAD_DAYS)
    one = (
        start - relativedelta(months=months),
        start - relativedelta(months=months) + timedelta(days=days),
    )
    two = (
        start - relativedelta(months=2 * months),
        start - relativedelta(months=2 * months) + timedelta(days=days),
    )

    def within(sub: Any, bounds: tuple[date, date]) -> Any:
        return and_(won(sub), sub.c.close_date >= bounds[0], sub.c.close_date < bounds[1])

    having = [
        lambda s: count_if(within(s, one)) > 0,
        lambda s: count_if(within(s, two)) > 0,
    ]
    if skip_open:
        having.append(lambda s: count_if(is_open(s, None)) == 0)
    rows = _per_client(
        session, [], {"last": lambda s: max_date(within(s, one), s.c.close_date)}, having
    )
    matches = []
    for kind, client_id, last in rows:
        due = _as_date(last) + relativedelta(months=months)
        if months == 12:
            key = f"{due.year}"
        elif months == 6:
            key = f"{due.year}-H{1 if due.month <= 6 else 2}"
        else:
            key = f"{due:%Y-%m}"
        matches.append(_Match((str(kind), int(client_id)), key, due))
    return matches


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _segment_matches(
    session: Session, segment: Segment, today: date, days: int | None, skip_open: bool
) -> list[_Match]:
    month_key = f"{today:%Y-%m}"
    no_open = [lambda s: count_if(is_open(s, None)) == 0]
    if segment is Segment.BIRTHDAY:
        return _birthdays(session, today, days or 7, skip_open)
    if segment in _PERIOD_MONTHS:
        return _periodic(session, segment, today, days or 30, skip_open)
    if segment is Segment.WON_DAYS_AGO:
        day = today - timedelta(days=days or 30)
        rows = _per_client(
            session,
            [],
            {},
            [lambda s: max_date(won(s), s.c.close_date) == day, *no_open],
        )
        return [_Match((str(k), int(i)), day.isoformat(), day) for k, i in rows]
    if segment is Segment.LOST_12_MONTHS:
        cutoff = today - (timedelta(days=days) if days else relativedelta(months=12))

        def last_lost(s: Any) -> Any:
            return max_date(s.c.semantics == "failure", s.c.close_date)

        def last_won(s: Any) -> Any:
            return max_date(won(s), s.c.close_date)

        rows = _per_client(
            session,
            [],
            {"lost": last_lost},
            [
                lambda s: last_lost(s).is_not(None),
                lambda s: last_lost(s) < cutoff,
                # the last closed deal is that loss: nothing won on or after it
                lambda s: or_(last_won(s).is_(None), last_won(s) < last_lost(s)),
                *no_open,
            ],
        )
        return [_Match((str(k), int(i)), month_key, _as_date(lost)) for k, i, lost in rows]
    # dormant
    cutoff = today - (timedelta(days=days) if days else relativedelta(months=12))
    rows = _per_client(
        session,
        [],
        {"last": lambda s: max_date(s.c.closed.is_(True), s.c.close_date)},
        [lambda s: max_date(s.c.closed.is_(True), s.c.close_date) >= cutoff, *no_open],
    )
    return [_Match((str(k), int(i)), month_key, _as_date(last)) for k, i, last in rows]


# --- planning and running ------------------------------------------------------------
def _plan(session: Session, scenario: Scenario) -> ScenarioPreview:
    """The deals a run of ``scenario`` creates now (clients done this period left out)."""
    context = ctx(session)
    today = context.clock.today()
    segment = _segment(scenario.segment)
    skip_open = scenario.skip_open or segment in _ALWAYS_CLOSED
    matches = _segment_matches(session, segment, today, scenario.days, skip_open)
    assert scenario.id is not None
    done: set[tuple[str, int, str]] = set()
    periods = sorted({m.period_key for m in matches})
    for start in range(0, len(periods), 200):
        for kind, client_id, period in session.execute(
            select(ScenarioRun.client_kind, ScenarioRun.client_id, ScenarioRun.period_key).where(  # type: ignore[call-overload]
                ScenarioRun.scenario_id == scenario.id,
                col(ScenarioRun.period_key).in_(periods[start : start + 200]),
            )
        ):
            done.add((str(kind), int(client_id), str(period)))
    fresh = [m for m in matches if (*m.key, m.period_key) not in done]
    names = client_names(session, [m.key for m in fresh])
    fresh.sort(key=lambda m: (names.get(m.key, "").lower(), m.key))
    user_names = users.user_names(session)
    queue = list(scenario.responsible_ids) or [context.user_id]
    pipeline = (
        session.get(Pipeline, scenario.pipeline_id)
        if scenario.pipeline_id is not None
        else pipelines.default_pipeline(session)
    ) or pipelines.default_pipeline(session)
    assert pipeline.id is not None
    stage = (
        session.get(Stage, scenario.stage_id) if scenario.stage_id is not None else None
    ) or pipelines.first_stage(session, pipeline.id)
    planned = []
    for index, match in enumerate(fresh):
        if scenario.round_robin:
            user_id = queue[(scenario.next_responsible + index) % len(queue)]
        else:
            user_id = queue[0]
        client = names.get(match.key, f"{match.key[0]} #{match.key[1]}")
        title = scenario.title_template.format_map(
            {
                "client": client,
                "date": show_date(today),
                "event": show_date(match.event_date) if match.event_date else "",
            }
        )[:255]
        planned.append(
            PlannedDeal(
                client_kind=match.key[0],
                client_id=match.key[1],
                client=client,
                title=title.strip() or client,
                responsible=user_names.get(user_id, f"#{user_id}"),
                period_key=match.period_key,
                event_date=match.event_date,
            )
        )
    return ScenarioPreview(
        scenario=_read(session, scenario),
        deals=tuple(planned),
        already_done=len(matches) - len(fresh),
        pipeline=pipeline.name,
        stage=stage.name,
    )


def preview_scenario(session: Session, ref: int | str) -> ScenarioPreview:
    """The matching clients and the deals a run would create; nothing is written.

    Raises:
        NotFoundError: no such scenario.
    """
    return _plan(session, _find(session, ref))


def run_scenario(session: Session, ref: int | str) -> RunReport:
    """Create the planned deals, each with its run record, in the caller's transaction.

    Raises:
        NotFoundError: no such scenario.
        ValidationError: the scenario's pipeline, stage or a user can no longer be used.
    """
    scenario = _find(session, ref)
    preview = _plan(session, scenario)
    context = ctx(session)
    today = context.clock.today()
    activity = parse_activity(scenario.activity)
    pipeline_name = preview.pipeline
    queue = list(scenario.responsible_ids) or [context.user_id]
    created = []
    for index, plan in enumerate(preview.deals):
        if scenario.round_robin:
            user_id = queue[(scenario.next_responsible + index) % len(queue)]
        else:
            user_id = queue[0]
        if plan.client_kind == "company":
            company: int | None = plan.client_id
            contacts: list[int | str] = []
        else:
            contact = session.get(Contact, plan.client_id)
            company = contact.company_id if contact else None
            contacts = [plan.client_id]
        user = session.get(User, user_id)
        deal = deals.create_deal(
            session,
            deals.DealCreate(
                title=plan.title,
                pipeline=scenario.pipeline_id or pipeline_name,
                stage=scenario.stage_id,
                source=SOURCE,
                source_description=f"Scenario: {scenario.name}",
                company=company,
                contacts=contacts,
                responsible=user.id if user is not None and user.active else None,
            ),
        )
        assert scenario.id is not None
        session.add(
            ScenarioRun(
                scenario_id=scenario.id,
                client_kind=plan.client_kind,
                client_id=plan.client_id,
                period_key=plan.period_key,
                deal_id=deal.id,
                created_at=context.clock.utcnow(),
            )
        )
        if scenario.comment:
            history.add_comment(session, deal.id, scenario.comment)
        if activity is not None:
            kind, subject, days = activity
            activities.plan_activity(
                session,
                deal.id,
                kind=kind,
                subject=subject,
                deadline=f"{today + timedelta(days=days):%Y-%m-%d} {ACTIVITY_HOUR}",
            )
        created.append(
            PlannedDeal(
                client_kind=plan.client_kind,
                client_id=plan.client_id,
                client=plan.client,
                title=deal.title,
                responsible=plan.responsible,
                period_key=plan.period_key,
                event_date=plan.event_date,
                deal_id=deal.id,
            )
        )
    if scenario.round_robin and queue:
        scenario.next_responsible = (scenario.next_responsible + len(created)) % len(queue)
    scenario.last_run_at = context.clock.utcnow()
    scenario.last_run_count = len(created)
    session.add(scenario)
    session.flush()
    return RunReport(_read(session, scenario), tuple(created), preview.already_done)
