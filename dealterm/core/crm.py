"""One call, one transaction: the CRM as the TUI uses it.

Every method opens its own session on the :class:`Database`, calls the services and
queries, and returns read models. The TUI calls these from thread workers, so none of
this runs on the UI thread.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col

from dealterm.core.cards import PipelineInfo
from dealterm.core.db import Database
from dealterm.core.errors import ValidationError
from dealterm.core.filters import DealFilter
from dealterm.core.models import CustomField, Deal, HistoryEvent, Stage
from dealterm.core.queries import board as board_queries
from dealterm.core.queries import deal_detail, deal_list, get_deal, list_deals
from dealterm.core.readmodels import ActivityRead, DealDetail, DealRead, StageRead
from dealterm.core.services import (
    activities,
    clients,
    deals,
    directories,
    flow,
    history,
    mass_edit,
    recurring,
    saved_filters,
    users,
)
from dealterm.core.services import pipelines as pipeline_service
from dealterm.core.services.products import ProductRowInput

if TYPE_CHECKING:
    from collections.abc import Callable
    from os import PathLike

    from dealterm.core.importing import ImportOptions, ImportPreview, ImportReport
    from dealterm.core.queries.activity_board import BoardTop
    from dealterm.core.setup import Setup

__all__ = ["SKIP_PERIODS", "Choice", "Crm", "PipelineInfo"]

SKIP_KEY = "skip_next_activity_prompt"
# How long "Skip" silences the next-activity prompt; None = only this time, "forever" = never ask.
SKIP_PERIODS: dict[str, timedelta | str | None] = {
    "this time": None,
    "for a day": timedelta(days=1),
    "for a week": timedelta(weeks=1),
    "for a month": timedelta(days=30),
    "forever": "forever",
}


@dataclass(frozen=True)
class Choice:
    """A value for a select box: what is stored and what is shown."""

    value: str
    label: str


class Crm:
    """The CRM for one user of one database.

    Args:
        db: the open database.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._setup: Setup | None = None

    @property
    def setup(self) -> Setup:
        """The administrator's side: pipelines, stages, directories, fields, card layout."""
        if self._setup is None:
            from dealterm.core.setup import Setup

            self._setup = Setup(self.db)
        return self._setup

    # --- reference data ---------------------------------------------------------------
    @property
    def name(self) -> str:
        """The database's short name."""
        return self.db.name

    def pipelines(self) -> list[PipelineInfo]:
        """Every pipeline, default first on equal sort."""
        with self.db.session(write=False) as session:
            return [
                PipelineInfo(p.id or 0, p.name, p.is_default)
                for p in pipeline_service.list_pipelines(session)
            ]

    def pipelines_holding(self, ids: Sequence[int]) -> list[tuple[PipelineInfo, int]]:
        """The pipelines the deals ``ids`` are in, with how many each holds, most first."""
        with self.db.session(write=False) as session:
            counts = mass_edit.pipeline_counts(session, ids)
            named = {
                p.id: PipelineInfo(p.id or 0, p.name, p.is_default)
                for p in pipeline_service.list_pipelines(session)
            }
        return sorted(
            ((named[pid], count) for pid, count in counts.items() if pid in named),
            key=lambda item: (-item[1], item[0].name),
        )

    def default_pipeline(self) -> PipelineInfo:
        """The default pipeline."""
        with self.db.session(write=False) as session:
            found = pipeline_service.default_pipeline(session)
            return PipelineInfo(found.id or 0, found.name, found.is_default)

    def stages(self, pipeline_id: int) -> list[StageRead]:
        """A pipeline's stages in order."""
        with self.db.session(write=False) as session:
            return board_queries.stage_reads(session, pipeline_id)

    def currencies(self) -> list[Choice]:
        """Active currencies, the base one first."""
        with self.db.session(write=False) as session:
            return [
                Choice(c.code, f"{c.code} {c.symbol}".strip())
                for c in directories.list_currencies(session)
            ]

    def base_currency(self) -> str:
        """The code of the base currency."""
        with self.db.session(write=False) as session:
            return directories.base_currency(session)

    def deal_types(self) -> list[Choice]:
        """Active deal types."""
        with self.db.session(write=False) as session:
            return [Choice(t.code, t.name) for t in directories.list_deal_types(session)]

    def sources(self) -> list[Choice]:
        """Active sources."""
        with self.db.session(write=False) as session:
            return [Choice(s.code, s.name) for s in directories.list_sources(session)]

    def lost_reasons(self) -> list[Choice]:
        """The lost-reason directory."""
        with self.db.session(write=False) as session:
            return [Choice(str(r.id), r.name) for r in directories.list_lost_reasons(session)]

    def users(self) -> list[Choice]:
        """Active users (value: id)."""
        with self.db.session(write=False) as session:
            return [Choice(str(u.id), u.name) for u in users.list_users(session)]

    # --- board ------------------------------------------------------------------------
    def board(
        self, pipeline_id: int, flt: DealFilter | None = None
    ) -> list[board_queries.StageSummary]:
        """Column headers of a pipeline."""
        with self.db.session(write=False) as session:
            return board_queries.board_summary(session, pipeline_id, flt)

    def column_page(
        self, stage_id: int, offset: int, limit: int, flt: DealFilter | None = None
    ) -> list[board_queries.Card]:
        """A page of cards of one column."""
        with self.db.session(write=False) as session:
            return board_queries.column_page(session, stage_id, offset=offset, limit=limit, flt=flt)

    def position(self, deal_id: int, flt: DealFilter | None = None) -> tuple[int, int] | None:
        """``(stage_id, row)`` of a deal on the board, or None if hidden or gone."""
        with self.db.session(write=False) as session:
            deal = session.get(Deal, deal_id)
            if deal is None:
                return None
            row = board_queries.position_in_stage(session, deal_id, flt)
            return None if row is None else (deal.stage_id, row)

    def signature(self) -> tuple[Any, ...]:
        """A cheap fingerprint of the data: it changes when anyone changes anything."""
        with self.db.session(write=False) as session:
            row = session.execute(
                sa_select(func.count(col(Deal.id)), func.max(Deal.updated_at), func.max(Deal.id))
            ).one()
            last_event = session.execute(sa_select(func.max(HistoryEvent.id))).scalar()
            # stages and fields added, removed or reordered elsewhere (renames show on reload)
            setup = session.execute(
                sa_select(func.count(col(Stage.id)), func.sum(col(Stage.sort)), func.max(Stage.id))
            ).one()
            fields = session.execute(sa_select(func.count(col(CustomField.id)))).scalar()
            return (*tuple(row), last_event, *tuple(setup), fields)

    # --- deals ------------------------------------------------------------------------
    def deal(self, deal_id: int) -> DealRead:
        """One deal."""
        with self.db.session(write=False) as session:
            return get_deal(session, deal_id)

    def detail(self, deal_id: int) -> DealDetail:
        """Everything the deal card shows."""
        with self.db.session(write=False) as session:
            return deal_detail(session, deal_id)

    def search_deals(self, text: str, limit: int = 20) -> list[DealRead]:
        """Deals whose title, client or comments contain ``text``."""
        with self.db.session(write=False) as session:
            return list_deals(session, DealFilter(search=text), limit=limit)

    def create(self, data: deals.DealCreate) -> DealRead:
        """Create a deal."""
        with self.db.session() as session:
            return deals.create_deal(session, data)

    def update(self, deal_id: int, changes: deals.DealUpdate, version: int | None) -> DealRead:
        """Change a deal's fields (refused if it changed since ``version``)."""
        with self.db.session() as session:
            return deals.update_deal(session, deal_id, changes, expected_version=version)

    def set_products(
        self, deal_id: int, rows: Sequence[ProductRowInput], version: int | None
    ) -> DealRead:
        """Replace a deal's product rows."""
        with self.db.session() as session:
            return deals.set_product_rows(session, deal_id, list(rows), expected_version=version)

    def move(
        self, deal_id: int, stage_id: int, version: int | None, lost_reason: str | None = None
    ) -> DealRead:
        """Move a deal to a stage of its pipeline."""
        with self.db.session() as session:
            return flow.move_deal(
                session, deal_id, stage_id, expected_version=version, lost_reason=lost_reason
            )

    def change_pipeline(self, deal_id: int, pipeline_id: int, version: int | None) -> DealRead:
        """Move a deal to another pipeline (the first stage of the same kind)."""
        with self.db.session() as session:
            return flow.change_pipeline(session, deal_id, pipeline_id, expected_version=version)

    def won(self, deal_id: int, version: int | None) -> DealRead:
        """Close a deal as won."""
        with self.db.session() as session:
            return flow.mark_won(session, deal_id, expected_version=version)

    def lost(
        self, deal_id: int, reason: str | None, version: int | None, stage_id: int | None = None
    ) -> DealRead:
        """Close a deal as lost."""
        with self.db.session() as session:
            return flow.mark_lost(
                session, deal_id, reason=reason, stage=stage_id, expected_version=version
            )

    def change_stage(
        self, deal_id: int, stage_id: int, version: int | None, lost_reason: str | None = None
    ) -> flow.StageChange:
        """Move a deal (into a failure stage: close it as lost), keeping what undo needs."""
        with self.db.session() as session:
            return flow.change_stage(
                session, deal_id, stage_id, lost_reason=lost_reason, expected_version=version
            )

    def undo_stage_change(self, change: flow.StageChange) -> DealRead:
        """Put back what a :meth:`change_stage` changed (and someone has not since)."""
        with self.db.session() as session:
            return flow.undo_stage_change(session, change.deal.id, change)

    def delete(self, deal_id: int, version: int | None) -> str:
        """Delete a deal; returns its title."""
        with self.db.session() as session:
            return deals.delete_deal(session, deal_id, expected_version=version)

    def comment(self, deal_id: int, text: str) -> None:
        """Add a comment to a deal's timeline."""
        with self.db.session() as session:
            history.add_comment(session, deal_id, text)

    # --- clients ----------------------------------------------------------------------
    def search_clients(self, text: str, limit: int = 8) -> list[Choice]:
        """Companies and contacts whose name contains ``text``.

        Values are "company:ID" or "contact:ID".
        """
        if len(text.strip()) < 1:
            return []
        with self.db.session(write=False) as session:
            found = [
                Choice(f"company:{c.id}", c.title)
                for c in clients.search_companies(session, text, limit=limit)
            ]
            found += [
                Choice(f"contact:{c.id}", c.name)
                for c in clients.search_contacts(session, text, limit=limit)
            ]
            return found

    # --- activities -------------------------------------------------------------------
    def plan(
        self,
        deal_id: int,
        *,
        kind: str,
        subject: str,
        deadline: datetime | str,
        description: str | None = None,
        priority: str = "medium",
    ) -> ActivityRead:
        """Plan an activity (deadline in the user's local time)."""
        with self.db.session() as session:
            return activities.plan_activity(
                session,
                deal_id,
                kind=kind,
                subject=subject,
                deadline=deadline,
                description=description,
                priority=priority,
            )

    def complete(self, activity_id: int) -> tuple[ActivityRead, bool]:
        """Mark an activity done; also says whether its deal now needs a next step."""
        with self.db.session() as session:
            done = activities.complete_activity(session, activity_id)
            return done, activities.needs_next_activity(session, done.deal_id)

    def reschedule(self, activity_id: int, deadline: datetime | str) -> ActivityRead:
        """Give an open activity a new deadline."""
        with self.db.session() as session:
            return activities.reschedule_activity(session, activity_id, deadline)

    def delete_activity(self, activity_id: int) -> None:
        """Delete an activity."""
        with self.db.session() as session:
            activities.delete_activity(session, activity_id)

    # --- the next-activity prompt -----------------------------------------------------
    def should_prompt(self, deal_id: int) -> bool:
        """True when leaving this deal should ask for the next activity.

        The deal is open, has nothing planned, and the user has not skipped the prompt
        for a period that is still running (or forever).
        """
        with self.db.session(write=False) as session:
            if not activities.needs_next_activity(session, deal_id):
                return False
            skip = users.get_user_setting(session, SKIP_KEY)
        if skip == "forever":
            return False
        if skip:
            try:
                until = datetime.fromisoformat(skip)
            except ValueError:
                return True
            return self.db.clock.utcnow() >= until
        return True

    def skip_prompt(self, period: str) -> None:
        """Remember that the user skipped the prompt (see :data:`SKIP_PERIODS`)."""
        if period not in SKIP_PERIODS:
            raise ValidationError(f"unknown skip period {period!r}", field="skip")
        span = SKIP_PERIODS[period]
        if span is None:
            return
        value = "forever" if span == "forever" else (self.db.clock.utcnow() + span).isoformat()  # type: ignore[operator]
        with self.db.session() as session:
            users.set_user_setting(session, SKIP_KEY, value)

    def reset_prompt(self) -> None:
        """Ask again from now on."""
        with self.db.session() as session:
            users.set_user_setting(session, SKIP_KEY, None)

    # --- the deal list ----------------------------------------------------------------
    def list_ids(
        self, flt: DealFilter | None, sort: str = "id", descending: bool = True
    ) -> array[int]:
        """Ids of every deal matching ``flt``, in list order (the first ones: :meth:`list_top`)."""
        with self.db.session(write=False) as session:
            return deal_list.ordered_ids(session, flt, sort=sort, descending=descending)

    def list_top(
        self, flt: DealFilter | None, sort: str, descending: bool, limit: int, rows: int
    ) -> tuple[array[int], dict[int, dict[str, Any]]]:
        """The first ``limit`` ids in list order and the rows of the first ``rows`` of them.

        One read for what the list shows first (a sort, a search keystroke).
        """
        with self.db.session(write=False) as session:
            ids = deal_list.ordered_ids(session, flt, sort=sort, descending=descending, limit=limit)
            return ids, deal_list.list_rows(session, ids[:rows])

    def list_setup(self, keys: Sequence[str]) -> tuple[list[Any], dict[str, str | None]]:
        """The list's custom-field columns and the user's preferences ``keys``, in one read."""
        from dealterm.core.deal_columns import custom_column
        from dealterm.core.services.custom_fields import list_fields

        with self.db.session(write=False) as session:
            columns = [custom_column(f.code, f.label, f.type) for f in list_fields(session)]
            return columns, {key: users.get_user_setting(session, key) for key in keys}

    def list_rows(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The list columns of some deals."""
        with self.db.session(write=False) as session:
            return deal_list.list_rows(session, ids)

    def list_totals(self, flt: DealFilter | None) -> deal_list.ListTotals:
        """Count and base-currency sum of the deals matching ``flt``."""
        with self.db.session(write=False) as session:
            return deal_list.list_totals(session, flt)

    def bulk(
        self,
        action: str,
        ids: Sequence[int],
        value: Any = None,
        *,
        lost_reason: str | int | None = None,
    ) -> int:
        """Apply a bulk action to the deals in one transaction; returns how many changed.

        Args:
            action: "move" (value: stage id), "won", "lost" (value: reason), "responsible"
                (value: user id), "pipeline" (value: pipeline id) or "delete".
            lost_reason: a move to a failure stage: why the deals were lost.
        """
        with self.db.session() as session:
            if action == "move":
                return mass_edit.mass_move(session, ids, int(value), lost_reason=lost_reason)
            if action == "won":
                return mass_edit.mass_won(session, ids)
            if action == "lost":
                return mass_edit.mass_lost(session, ids, value or None)
            if action == "responsible":
                return mass_edit.mass_responsible(session, ids, int(value))
            if action == "pipeline":
                return mass_edit.mass_pipeline(session, ids, int(value))
            if action == "delete":
                return mass_edit.mass_delete(session, ids)
        raise ValidationError(f"unknown bulk action {action!r}", field="action")

    # --- preferences and saved filters -----------------------------------------------
    def set_preference(self, key: str, value: str | None) -> None:
        """Remember one of the user's preferences."""
        with self.db.session() as session:
            users.set_user_setting(session, key, value)

    def saved_filters(self) -> list[DealFilter]:
        """The user's saved filters."""
        with self.db.session(write=False) as session:
            return saved_filters.list_filters(session)

    def save_filter(self, name: str, flt: DealFilter) -> DealFilter:
        """Save the filter under a name."""
        with self.db.session() as session:
            return saved_filters.save_filter(session, name, flt)

    def delete_filter(self, name: str) -> None:
        """Delete a saved filter."""
        with self.db.session() as session:
            saved_filters.delete_filter(session, name)

    def export_csv(self, ids: Sequence[int], path: str, *, encoding: str = "utf-8-sig") -> int:
        """Write the deals to a CSV file; returns how many were written."""
        return self.export_deals(path, ids=ids, encoding=encoding)

    def export_deals(
        self,
        path: str,
        *,
        ids: Sequence[int] | None = None,
        flt: DealFilter | None = None,
        fmt: str = "csv",
        encoding: str = "utf-8-sig",
    ) -> int:
        """Write deals (these ids, else those ``flt`` matches) to a CSV or JSON file.

        Returns how many deals were written. The file appears only when it is complete.

        Raises:
            ValidationError: the file cannot be written (field "path"), a value does not
                fit the encoding (field "encoding"), a bad format or filter.
        """
        from dealterm.core.export import write_deals_file

        with self.db.session(write=False) as session:
            return write_deals_file(session, path, ids=ids, flt=flt, fmt=fmt, encoding=encoding)

    def export_count(self, flt: DealFilter | None) -> int:
        """How many deals an export of ``flt`` writes."""
        from dealterm.core.queries import count_deals

        with self.db.session(write=False) as session:
            return count_deals(session, flt)

    # --- the activities board --------------------------------------------------------
    def activity_board_top(
        self, flt: DealFilter | None, page_size: int, *, select: int | None = None
    ) -> BoardTop:
        """The activities board's first read: the column headers, each
        column's first page of cards, and where deal ``select`` is."""
        from dealterm.core.queries.activity_board import board_top

        with self.db.session(write=False) as session:
            return board_top(session, flt, page_size, select)

    def activity_page(
        self, flt: DealFilter | None, code: str, *, offset: int, limit: int
    ) -> list[Any]:
        """A page of one column of the activities board, with each deal's nearest activity."""
        from dealterm.core.queries.activity_board import bucket_cards

        with self.db.session(write=False) as session:
            return bucket_cards(session, code, offset=offset, limit=limit, flt=flt)

    def move_to_bucket(self, deal_id: int, code: str) -> ActivityRead:
        """Reschedule a deal's nearest activity (or plan one) so it lands in column ``code``."""
        from dealterm.core.queries.activity_board import move_to_bucket

        with self.db.session() as session:
            return move_to_bucket(session, deal_id, code)

    # --- importing deals from files --------------------------------------------------
    def import_preview(self, path: str | PathLike[str], options: ImportOptions) -> ImportPreview:
        """Read a CSV/TSV file and propose how its columns map; nothing is imported.

        Raises:
            DealtermError: the file cannot be read, an unknown preset or pipeline, a bad
                mapping entry.
        """
        from pathlib import Path

        from dealterm.core.importing import preview_file

        return preview_file(self.db, Path(path), options)

    def import_deals(
        self,
        path: str | PathLike[str],
        options: ImportOptions,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Import the deals of a CSV/TSV file in one transaction (see ``core.importing``).

        Args:
            progress: called with ``(done_rows, total_rows)`` from this thread, about every
                1000 rows.

        Raises:
            DealtermError: the file cannot be read at all (missing, not CSV, the given
                encoding is wrong, no header, no title column), or the database refused it.
        """
        from pathlib import Path

        from dealterm.core.importing import import_file

        return import_file(self.db, Path(path), options, progress)

    # --- recurring deals --------------------------------------------------------------
    def recurring_templates(self) -> list[recurring.TemplateRead]:
        """Every recurring deal template, active ones by next run first."""
        with self.db.session(write=False) as session:
            return recurring.list_templates(session)

    def recurring_template(self, template_id: int) -> recurring.TemplateRead:
        """One template (NotFoundError if there is none)."""
        with self.db.session(write=False) as session:
            return recurring.get_template(session, template_id)

    def add_recurring(self, data: recurring.TemplateInput) -> recurring.TemplateRead:
        """Make a template from scratch."""
        with self.db.session() as session:
            return recurring.create_template(session, data)

    def make_recurring(
        self, deal_id: int, schedule: recurring.ScheduleInput
    ) -> recurring.TemplateRead:
        """Copy a deal into a new template (the deal stays as it is)."""
        with self.db.session() as session:
            return recurring.template_from_deal(session, deal_id, schedule)

    def edit_recurring(
        self, template_id: int, changes: recurring.TemplateUpdate
    ) -> recurring.TemplateRead:
        """Change a template's fields or schedule."""
        with self.db.session() as session:
            return recurring.update_template(session, template_id, changes)

    def pause_recurring(self, template_id: int, paused: bool = True) -> recurring.TemplateRead:
        """Pause (or, with ``paused=False``, resume) a template."""
        with self.db.session() as session:
            return recurring.set_active(session, template_id, not paused)

    def delete_recurring(self, template_id: int) -> str:
        """Delete a template (its deals stay); returns its title."""
        with self.db.session() as session:
            return recurring.delete_template(session, template_id)

    def run_recurring(self, until: date | None = None) -> recurring.RunReport:
        """Create the deals of every occurrence due by ``until`` (today), missed ones too.

        Safe to call from several processes at once and again after an interrupted run:
        no occurrence ever makes two deals.
        """
        return recurring.run_due(self.db, until)

    # --- sales scenarios and repeat-sale suggestions ----------------------------------
    def scenarios(self) -> list[Any]:
        """Every saved scenario (``ScenarioRead``), by name."""
        from dealterm.core.services import scenarios

        with self.db.session(write=False) as session:
            return list(scenarios.list_scenarios(session))

    def add_scenario(self, data: Any) -> Any:
        """Save a scenario from a ``ScenarioInput``; returns its ``ScenarioRead``."""
        from dealterm.core.services import scenarios

        with self.db.session() as session:
            return scenarios.add_scenario(session, data)

    def delete_scenario(self, ref: int | str) -> str:
        """Delete a scenario (its deals stay); returns its name."""
        from dealterm.core.services import scenarios

        with self.db.session() as session:
            return scenarios.delete_scenario(session, ref)

    def preview_scenario(self, ref: int | str) -> Any:
        """The clients a scenario matches now and the deals a run would create."""
        from dealterm.core.services import scenarios

        with self.db.session(write=False) as session:
            return scenarios.preview_scenario(session, ref)

    def run_scenario(self, ref: int | str) -> Any:
        """Create a scenario's deals (none twice for a client in one period)."""
        from dealterm.core.services import scenarios

        with self.db.session() as session:
            return scenarios.run_scenario(session, ref)

    def repeat_suggestions(self, window: int = 30) -> list[Any]:
        """Clients whose next purchase is due within ``window`` days, best first."""
        from dealterm.core.services import repeat_sales

        with self.db.session(write=False) as session:
            return list(repeat_sales.suggestions(session, window=window))

    def accept_suggestion(self, client_ref: str) -> DealRead:
        """Create the REPEAT_SALE deal a suggestion proposes."""
        from dealterm.core.services import repeat_sales

        with self.db.session() as session:
            return repeat_sales.accept_suggestion(session, client_ref)

    def dismiss_suggestion(self, client_ref: str) -> Any:
        """Hide a suggestion until the client's next purchase."""
        from dealterm.core.services import repeat_sales

        with self.db.session() as session:
            return repeat_sales.dismiss_suggestion(session, client_ref)
