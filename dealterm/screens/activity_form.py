"""Planning an activity: kind, subject, deadline with quick choices.

:class:`ActivityModal` plans one from the board or the card. :class:`NextActivityModal`
is the "Schedule the next activity" prompt shown when leaving an open deal that has
nothing planned: it adds Skip (this time, for a day, a week, a month, forever).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select

from dealterm.core.clock import Clock
from dealterm.core.errors import ValidationError
from dealterm.core.services.activities import PLANNABLE_KINDS, activity_label
from dealterm.core.validation import parse_datetime, parse_title
from dealterm.widgets.footer import KeyFooter

__all__ = [
    "QUICK_CHOICES",
    "ActivityModal",
    "ActivityPlan",
    "NextActivityModal",
    "NextStep",
    "quick_deadline",
    "week_of",
]

# The kinds the core lets a user plan (the CLI's --kind takes the same), in its order.
KINDS = tuple((str(kind.value), activity_label(kind.value)) for kind in PLANNABLE_KINDS)
QUICK_CHOICES = (
    ("today", "Today"),
    ("tomorrow", "Tomorrow"),
    ("3days", "In 3 days"),
    ("week", "Next week"),
)
SKIP_CHOICES = ("this time", "for a day", "for a week", "for a month", "forever")


@dataclass(frozen=True)
class ActivityPlan:
    """What to plan: the deadline is the user's local wall-clock time."""

    kind: str
    subject: str
    deadline: datetime


@dataclass(frozen=True)
class NextStep:
    """The answer to the next-activity prompt: save a plan, or skip (for a period)."""

    plan: ActivityPlan | None = None
    skip: str | None = None


def week_of(locale: str) -> tuple[int, frozenset[int]]:
    """The first day of the week (0 = Monday) as the Activities view counts weeks (the
    ``first_day_of_week`` preference, else the locale's), and the locale's weekend days."""
    from dealterm.core.formatting import safe_locale
    from dealterm.core.queries.activity_board import first_week_day

    weekend = frozenset({5, 6})
    try:
        from babel import Locale

        known = Locale.parse(safe_locale(locale))
        start, end = int(known.weekend_start), int(known.weekend_end)
        weekend = frozenset((start + i) % 7 for i in range((end - start) % 7 + 1))
    except Exception:
        pass  # Babel without weekend data: Saturday and Sunday
    return first_week_day(locale), weekend


def quick_deadline(
    choice: str,
    now: datetime,
    *,
    week_start: int = 0,
    weekend: frozenset[int] = frozenset({5, 6}),
) -> datetime:
    """The deadline a quick choice stands for, from the local ``now``.

    Today: the next full hour (at the latest 23:00); tomorrow and in 3 days: 10:00;
    next week: the first working day of the next week at 10:00, weeks starting on
    ``week_start`` (0 = Monday) as the Activities view's "Next week" column counts them.
    """
    today = now.date()
    if choice == "today":
        nxt = (now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)).replace(
            tzinfo=None
        )
        return nxt if nxt.date() == today else datetime.combine(today, time(23, 0))
    if choice == "tomorrow":
        return datetime.combine(today + timedelta(days=1), time(10, 0))
    if choice == "3days":
        return datetime.combine(today + timedelta(days=3), time(10, 0))
    days_into_week = (today.weekday() - week_start) % 7
    day: date = today + timedelta(days=7 - days_into_week)
    for _ in range(6):  # a weekend never fills a whole week; stay inside it regardless
        if day.weekday() not in weekend:
            break
        day += timedelta(days=1)
    return datetime.combine(day, time(10, 0))


class ActivityModal(ModalScreen[ActivityPlan | None]):
    """Plan an activity; dismisses with the plan, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="activity.save"),
        Binding("escape", "cancel", "Cancel", id="activity.cancel"),
    ]

    title_text = "Plan an activity"

    def __init__(
        self,
        deal_title: str,
        *,
        clock: Clock,
        subject: str | None = None,
        kind: str = "call",
        locale: str | None = None,
    ) -> None:
        """Args:
        locale: the user's locale, for where weeks start (None: the app's).
        """
        super().__init__()
        self.deal_title = deal_title
        self.clock = clock
        self.subject = subject if subject is not None else f"Follow up: {deal_title}"[:255]
        self.kind = kind
        self._locale = locale

    def _deadline(self, choice: str) -> datetime:
        """The deadline of a quick choice, now, in the user's weeks."""
        locale = self._locale or str(getattr(self.app, "locale", "") or "en_US")
        week_start, weekend = week_of(locale)
        return quick_deadline(choice, self.clock.now(), week_start=week_start, weekend=weekend)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.title_text, classes="dialog-title")
            yield Label(self.deal_title, classes="dialog-subtitle")
            with RadioSet(id="kind"):
                for value, label in KINDS:
                    yield RadioButton(label, value=value == self.kind, name=value)
            yield Label("Subject")
            yield Input(self.subject, id="subject")
            yield Label("", id="subject-error", classes="error")
            yield Label("Deadline")
            with RadioSet(id="quick"):
                for value, label in QUICK_CHOICES:
                    yield RadioButton(label, value=value == "tomorrow", name=value)
            yield Input(
                self._deadline("tomorrow").strftime("%Y-%m-%d %H:%M"),
                placeholder="YYYY-MM-DD HH:MM",
                id="deadline",
            )
            yield Label("", id="deadline-error", classes="error")
            yield from self.compose_buttons()
        yield KeyFooter()

    def compose_buttons(self) -> ComposeResult:
        """The row of buttons (the prompt adds Skip)."""
        with Horizontal(classes="buttons"):
            yield Button("Save (ctrl+s)", variant="primary", id="save")
            yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#subject", Input).focus()

    @on(RadioSet.Changed, "#quick")
    def _quick(self, event: RadioSet.Changed) -> None:
        choice = event.pressed.name or "tomorrow"
        self.query_one("#deadline", Input).value = self._deadline(choice).strftime("%Y-%m-%d %H:%M")

    def _kind(self) -> str:
        pressed = self.query_one("#kind", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else "call"

    def collect(self) -> ActivityPlan | None:
        """Read and check the form; show a message beside each bad field."""
        ok = True
        subject_error = self.query_one("#subject-error", Label)
        deadline_error = self.query_one("#deadline-error", Label)
        subject_error.update("")
        deadline_error.update("")
        subject = ""
        try:
            subject = parse_title(
                self.query_one("#subject", Input).value, field="subject", label="Subject"
            )
            if not subject:
                raise ValidationError("an activity needs a subject", field="subject")
        except ValidationError as error:
            subject_error.update(error.message)
            ok = False
        deadline = None
        try:
            deadline = parse_datetime(
                self.query_one("#deadline", Input).value, field="deadline", label="Deadline"
            )
        except ValidationError as error:
            deadline_error.update(error.message)
            ok = False
        if not ok or deadline is None:
            return None
        return ActivityPlan(kind=self._kind(), subject=subject, deadline=deadline)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        plan = self.collect()
        if plan is not None:
            self.dismiss(plan)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class NextActivityModal(ActivityModal):
    """ "Schedule the next activity": Save, Cancel (stay on the card), or Skip.

    Dismisses with a :class:`NextStep` (a plan or a skip period), or None for Cancel.
    """

    title_text = "Schedule the next activity"

    def compose_buttons(self) -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button("Save (ctrl+s)", variant="primary", id="save")
            yield Button("Cancel", id="cancel")
            yield Button("Skip", variant="warning", id="skip")
            yield Select(
                [(label, label) for label in SKIP_CHOICES],
                value="this time",
                allow_blank=False,
                id="skip-period",
            )

    def on_mount(self) -> None:
        self.query_one("#subject", Input).focus()
        self.query_one("#subject", Input).tooltip = "The deal is open and nothing is planned on it."

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        plan = self.collect()
        if plan is not None:
            self.dismiss(NextStep(plan=plan))  # type: ignore[arg-type]

    @on(Button.Pressed, "#skip")
    def _skip(self) -> None:
        period = self.query_one("#skip-period", Select).value
        self.dismiss(NextStep(skip=str(period)))  # type: ignore[arg-type]
