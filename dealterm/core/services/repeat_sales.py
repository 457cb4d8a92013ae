"""Repeat-sale suggestions: when is a client's next purchase due, and for how much.

From each client's won deals (a *purchase* is one client's won deals closed on one day,
amounts summed in the base currency) the typical interval between purchases and the
typical amount are the medians, their spread the median absolute deviation (MAD). The
next purchase is expected one typical interval after the last one. A client with at
least two purchases and no open deal is suggested when that date falls within the
window ahead (default 30 days) or is overdue by at most one typical interval (longer
than that, the client has probably lapsed; lapsed clients are the "lost" and "dormant"
scenarios' business). Suggestions are ranked by expected amount weighted by urgency.

Only per-client aggregates and the won deals of eligible clients are read, as narrow
tuples; :func:`backtest` replays the same estimate as of a past day.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session

from dealterm.core.context import ctx
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.formatting import format_money, show_date
from dealterm.core.models import Deal, EventKind, RepeatDismissal, User
from dealterm.core.readmodels import DealRead
from dealterm.core.services import deals, directories, history
from dealterm.core.services.client_deals import (
    ClientKey,
    client_chunks,
    client_names,
    count_if,
    deal_clients,
    is_open,
    resolve_client,
    won,
)

__all__ = [
    "DEFAULT_WINDOW",
    "MIN_PURCHASES",
    "Backtest",
    "Estimate",
    "Purchase",
    "Suggestion",
    "accept_suggestion",
    "backtest",
    "dismiss_suggestion",
    "estimate",
    "suggestions",
]

DEFAULT_WINDOW = 30
MIN_PURCHASES = 2
SOURCE = "REPEAT_SALE"
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Purchase:
    """One purchase: a day and what was won that day, in the base currency."""

    day: date
    amount: Decimal


@dataclass(frozen=True)
class Estimate:
    """What a client's history says about the next purchase."""

    purchases: tuple[Purchase, ...]
    interval_days: int
    interval_spread: int
    expected_date: date
    expected_amount: Decimal
    amount_spread: Decimal


@dataclass(frozen=True)
class Suggestion:
    """A client whose next purchase is due, with the evidence.

    Attributes:
        due_in_days: days from today to the expected date (negative: overdue).
        score: the rank: expected amount times urgency (higher first).
    """

    client_kind: str
    client_id: int
    client: str
    currency: str
    estimate: Estimate
    due_in_days: int
    score: float

    @property
    def client_ref(self) -> str:
        """``company:12`` or ``contact:5``."""
        return f"{self.client_kind}:{self.client_id}"

    @property
    def purchases(self) -> tuple[Purchase, ...]:
        """The past purchases, oldest first."""
        return self.estimate.purchases

    @property
    def expected_date(self) -> date:
        """When the next purchase is expected."""
        return self.estimate.expected_date

    @property
    def expected_amount(self) -> Decimal:
        """The typical amount (base currency)."""
        return self.estimate.expected_amount

    def due_text(self) -> str:
        """ "due in 5 days", "due today", "overdue by 3 days"."""
        days = self.due_in_days
        if days == 0:
            return "due today"
        if days > 0:
            return f"due in {days} day{'s' if days != 1 else ''}"
        return f"overdue by {-days} day{'s' if days != -1 else ''}"

    def evidence(self, locale: str = "en_US") -> str:
        """The evidence in one paragraph (written to the new deal's timeline)."""
        est = self.estimate
        past = "; ".join(
            f"{show_date(p.day)} {format_money(p.amount, self.currency, locale)}"
            for p in est.purchases
        )
        return (
            f"Repeat-sale suggestion for {self.client}. Past purchases: {past}. "
            f"Typical interval {est.interval_days} days (± {est.interval_spread}); "
            f"expected {show_date(est.expected_date)} ({self.due_text()}), "
            f"{format_money(est.expected_amount, self.currency, locale)} "
            f"± {format_money(est.amount_spread, self.currency, locale)}."
        )


@dataclass(frozen=True)
class Backtest:
    """How suggestions made as of a past day compare with what clients then bought.

    Attributes:
        suggested: clients suggested as of ``as_of``.
        buyers: clients with a won deal closed in (as_of, as_of + window].
        eligible_buyers: buyers who had at least two purchases by ``as_of``.
        hits: suggested clients who bought.
        eligible: clients with at least two purchases and no open deal as of ``as_of``.
        eligible_bought: how many of those bought (the base rate to beat).
    """

    as_of: date
    window: int
    deals: int
    skip_open: bool
    suggested: int
    buyers: int
    eligible_buyers: int
    hits: int
    eligible: int
    eligible_bought: int

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def precision(self) -> float | None:
        """Share of the suggested clients who bought."""
        return self._share(self.hits, self.suggested)

    @property
    def recall(self) -> float | None:
        """Share of the buyers who were suggested."""
        return self._share(self.hits, self.buyers)

    @property
    def recall_eligible(self) -> float | None:
        """Share of the buyers with two or more past purchases who were suggested."""
        return self._share(self.hits, self.eligible_buyers)

    @property
    def base_rate(self) -> float | None:
        """Share of all eligible clients who bought (what suggesting everyone would score)."""
        return self._share(self.eligible_bought, self.eligible)

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain values (for JSON)."""
        return {
            "as_of": self.as_of.isoformat(),
            "window": self.window,
            "deals": self.deals,
            "skip_open": self.skip_open,
            "suggested": self.suggested,
            "buyers": self.buyers,
            "eligible_buyers": self.eligible_buyers,
            "hits": self.hits,
            "precision": self.precision,
            "recall": self.recall,
            "recall_eligible": self.recall_eligible,
            "eligible": self.eligible,
            "eligible_bought": self.eligible_bought,
            "base_rate": self.base_rate,
        }


# --- the estimate ---------------------------------------------------------------------
def _mad(values: list[Any], centre: Any) -> Any:
    return statistics.median([abs(v - centre) for v in values])


def estimate(purchases: list[Purchase]) -> Estimate | None:
    """The next purchase from past ones (any order); None with fewer than two."""
    ordered = sorted(purchases, key=lambda p: p.day)
    if len(ordered) < MIN_PURCHASES:
        return None
    gaps = [(b.day - a.day).days for a, b in pairwise(ordered)]
    interval = statistics.median(gaps)
    amounts = [p.amount for p in ordered]
    amount = statistics.median(amounts)
    return Estimate(
        purchases=tuple(ordered),
        interval_days=round(interval),
        interval_spread=round(_mad(gaps, interval)),
        expected_date=ordered[-1].day + timedelta(days=round(interval)),
        expected_amount=Decimal(amount).quantize(_CENT),
        amount_spread=Decimal(_mad(amounts, amount)).quantize(_CENT),
    )


def _histories(
    session: Session, as_of: date, client: ClientKey | None = None, *, skip_open: bool = True
) -> dict[ClientKey, list[Purchase]]:
    """Purchases up to ``as_of`` of the clients with two or more and nothing open then.

    The clients are found first; only their won deals are read then, through the
    clients' indexes (one query joining the two read every won deal: 3 s at 1M deals).
    """
    rates = directories.currency_rates(session)
    sub = deal_clients(None if client is None else (client[0], [client[1]]))
    bought = and_(won(sub), sub.c.close_date <= as_of)
    eligible = (
        select(sub.c.kind, sub.c.client_id)
        .where(sub.c.begin_date <= as_of)
        .group_by(sub.c.kind, sub.c.client_id)
        .having(
            count_if(bought) >= MIN_PURCHASES,
            count_if(is_open(sub, as_of)) == 0 if skip_open else count_if(bought) > 0,
        )
    )
    keys = [(str(kind), int(client_id)) for kind, client_id in session.execute(eligible)]
    by_day: dict[ClientKey, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for of in client_chunks(keys):
        rows = deal_clients(of)
        query = select(
            rows.c.kind, rows.c.client_id, rows.c.close_date, rows.c.amount, rows.c.currency
        ).where(won(rows), rows.c.close_date <= as_of)
        for kind, client_id, day, amount, currency in session.execute(query):
            value = Decimal(amount) * rates.get(currency, Decimal(1))
            by_day[(str(kind), int(client_id))][_as_date(day)] += value
    return {
        key: [Purchase(day, amount.quantize(_CENT)) for day, amount in sorted(days.items())]
        for key, days in by_day.items()
        if len(days) >= MIN_PURCHASES
    }


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _urgency(due_in: int, window: int) -> float:
    """1 when due within a week or overdue, falling to 0.25 at the end of the window."""
    if due_in <= 7:
        return 1.0
    return max(0.25, 1.0 - 0.75 * (due_in - 7) / max(1, window - 7))


def _suggest(
    session: Session,
    as_of: date,
    window: int,
    *,
    dismissed: bool,
    client: ClientKey | None = None,
    skip_open: bool = True,
) -> list[Suggestion]:
    if not 1 <= window <= 366:
        raise ValidationError(f"the window is 1 to 366 days ({window})", field="window")
    histories = _histories(session, as_of, client, skip_open=skip_open)
    found: list[tuple[ClientKey, Estimate, int]] = []
    for key, purchases in histories.items():
        est = estimate(purchases)
        if est is None or est.interval_days <= 0:
            continue
        due_in = (est.expected_date - as_of).days
        if due_in > window or -due_in > max(est.interval_days, window):
            continue
        found.append((key, est, due_in))
    if dismissed and found:
        hidden = {
            (str(k), int(i), _as_date(d))
            for k, i, d in session.execute(
                select(
                    RepeatDismissal.client_kind,  # type: ignore[call-overload]
                    RepeatDismissal.client_id,
                    RepeatDismissal.expected_date,
                )
            )
        }
        found = [f for f in found if (*f[0], f[1].expected_date) not in hidden]
    names = client_names(session, [f[0] for f in found])
    base = directories.base_currency(session)
    result = [
        Suggestion(
            client_kind=key[0],
            client_id=key[1],
            client=names.get(key, f"{key[0]} #{key[1]}"),
            currency=base,
            estimate=est,
            due_in_days=due_in,
            score=round(float(est.expected_amount) * _urgency(due_in, window), 2),
        )
        for key, est, due_in in found
    ]
    result.sort(key=lambda s: (-s.score, s.due_in_days, s.client.lower(), s.client_id))
    return result


def suggestions(session: Session, *, window: int = DEFAULT_WINDOW) -> list[Suggestion]:
    """Clients due within ``window`` days (overdue included), best first; dismissed ones out.

    Raises:
        ValidationError: the window is not 1 to 366 days.
    """
    return _suggest(session, ctx(session).clock.today(), window, dismissed=True)


def _one(session: Session, ref: str) -> Suggestion:
    client = resolve_client(session, ref)
    today = ctx(session).clock.today()
    # a deliberate choice: any client with a history can be accepted, due or not
    found = _suggest(session, today, 366, dismissed=False, client=(client.kind, client.id))
    if not found:
        histories = _histories(session, today, (client.kind, client.id))
        why = "has an open deal" if not histories else "has lapsed"
        raise NotFoundError(
            f"no repeat-sale suggestion for {client.name} ({client.ref}): it needs "
            f"{MIN_PURCHASES} or more purchases and no open deal"
            if not histories
            else f"no repeat-sale suggestion for {client.name} ({client.ref}): {why}"
        )
    return found[0]


def accept_suggestion(session: Session, ref: str) -> DealRead:
    """Create the repeat deal for a client: source REPEAT_SALE, the repeat flag, evidence.

    The deal gets the expected amount, the responsible of the client's last won deal
    (if still active), and closes on the expected date (or in a week, if overdue).

    Raises:
        ValidationError, NotFoundError: a bad reference, or no suggestion for the client.
    """
    found = _one(session, ref)
    context = ctx(session)
    today = context.clock.today()
    sub = deal_clients((found.client_kind, [found.client_id]))
    last_owner = session.execute(
        select(sub.c.responsible_id)
        .where(won(sub))
        .order_by(sub.c.close_date.desc(), sub.c.deal_id.desc())
        .limit(1)
    ).scalar()
    owner = session.get(User, last_owner) if last_owner is not None else None
    close = (
        found.expected_date
        if found.expected_date > today
        else today + timedelta(days=deals.CLOSE_AFTER_DAYS)
    )
    deal = deals.create_deal(
        session,
        deals.DealCreate(
            title=f"Repeat sale: {found.client}",
            amount=found.expected_amount,
            currency=found.currency,
            source=SOURCE,
            source_description="Repeat-sale suggestion",
            company=found.client_id if found.client_kind == "company" else None,
            contacts=[found.client_id] if found.client_kind == "contact" else [],
            responsible=owner.id if owner is not None and owner.active else None,
            close_date=close,
        ),
    )
    row = session.get(Deal, deal.id)
    assert row is not None
    row.is_repeat = True
    session.add(row)
    history.record(session, deal.id, EventKind.COMMENT, text=found.evidence(context.locale))
    session.flush()
    return deal


def dismiss_suggestion(session: Session, ref: str) -> Suggestion:
    """Hide a client's suggestion until a new purchase moves the expected date.

    Raises:
        ValidationError, NotFoundError: a bad reference, or no suggestion for the client.
    """
    found = _one(session, ref)
    exists = session.execute(
        select(RepeatDismissal.id).where(  # type: ignore[call-overload]
            RepeatDismissal.client_kind == found.client_kind,
            RepeatDismissal.client_id == found.client_id,
            RepeatDismissal.expected_date == found.expected_date,
        )
    ).first()
    if exists is None:
        context = ctx(session)
        session.add(
            RepeatDismissal(
                client_kind=found.client_kind,
                client_id=found.client_id,
                expected_date=found.expected_date,
                dismissed_by_id=context.user_id or None,
                dismissed_at=context.clock.utcnow(),
            )
        )
        session.flush()
    return found


def backtest(
    session: Session, *, as_of: date, window: int = DEFAULT_WINDOW, skip_open: bool = True
) -> Backtest:
    """Suggest as of a past day (history up to it only), then check who bought after.

    ``skip_open=False`` also suggests clients with a deal open on that day (to measure
    the estimate alone; live suggestions always leave such clients out).

    Raises:
        ValidationError: the window after ``as_of`` has not ended yet, or a bad window.
    """
    today = ctx(session).clock.today()
    if as_of + timedelta(days=window) > today:
        latest = today - timedelta(days=window)
        raise ValidationError(
            f"the {window}-day window after {as_of.isoformat()} has not ended; "
            f"use a date on or before {latest.isoformat()}",
            field="as_of",
        )
    suggested = {
        (s.client_kind, s.client_id)
        for s in _suggest(session, as_of, window, dismissed=False, skip_open=skip_open)
    }
    histories = _histories(session, as_of, skip_open=skip_open)
    sub = deal_clients()
    end = as_of + timedelta(days=window)
    buyers = {
        (str(k), int(i))
        for k, i in session.execute(
            select(sub.c.kind, sub.c.client_id)
            .where(won(sub), sub.c.close_date > as_of, sub.c.close_date <= end)
            .group_by(sub.c.kind, sub.c.client_id)
        )
    }
    experienced = _experienced(session, as_of)
    total = session.execute(
        select(count_if(sub.c.begin_date <= as_of)).select_from(sub)
    ).scalar_one()
    return Backtest(
        as_of=as_of,
        window=window,
        deals=int(total),
        skip_open=skip_open,
        suggested=len(suggested),
        buyers=len(buyers),
        eligible_buyers=len(buyers & experienced),
        hits=len(suggested & buyers),
        eligible=len(histories),
        eligible_bought=len(set(histories) & buyers),
    )


def _experienced(session: Session, as_of: date) -> set[ClientKey]:
    """Clients with purchases on two or more days by ``as_of`` (open deals or not)."""
    sub = deal_clients()
    days = (
        select(sub.c.kind, sub.c.client_id, sub.c.close_date)
        .where(won(sub), sub.c.close_date <= as_of)
        .distinct()
        .subquery("days")
    )
    return {
        (str(k), int(i))
        for k, i in session.execute(
            select(days.c.kind, days.c.client_id)
            .group_by(days.c.kind, days.c.client_id)
            .having(count_if(days.c.close_date.is_not(None)) >= MIN_PURCHASES)
        )
    }
