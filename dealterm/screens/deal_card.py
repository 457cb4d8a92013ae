"""The deal card: about, client, products, activities and history of one deal.

Leaving an open deal that has nothing planned asks for the next activity first
(the "push" of Bitrix24): Save plans it, Cancel stays on the card, Skip leaves (and can
silence the prompt for a day, a week, a month or for good).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Button,
    Label,
    ListItem,
    ListView,
    Static,
    TabbedContent,
    TabPane,
)

from dealterm.core.errors import ConflictError, DealtermError, ValidationError
from dealterm.core.formatting import format_money, show_date
from dealterm.core.services.deals import DealUpdate
from dealterm.core.services.products import ProductRowInput
from dealterm.messages import DataChanged
from dealterm.screens.base import CrmScreen, in_thread
from dealterm.widgets.app_header import AppHeader
from dealterm.widgets.card_about import AboutForm
from dealterm.widgets.card_sections import (
    ActivitiesSection,
    ClientView,
    HistorySection,
    ProductsSection,
)
from dealterm.widgets.client_picker import ClientPicker
from dealterm.widgets.footer import KeyFooter
from dealterm.widgets.stage_path import StagePath

if TYPE_CHECKING:
    from dealterm.core.readmodels import DealDetail, StageRead

__all__ = ["DealCardScreen"]

SECTIONS = ("about", "client", "products", "activities", "history")


class DealCardScreen(CrmScreen):
    """A full-screen deal card. Dismisses (None) when the user leaves it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", id="card.leave"),
        Binding("ctrl+s", "save", "Save", id="card.save", priority=True),
        Binding(
            "ctrl+pagedown",
            "section(1)",
            "Next section",
            show=False,
            priority=True,
            id="card.next_section",
        ),
        Binding(
            "ctrl+pageup",
            "section(-1)",
            "Prev section",
            show=False,
            priority=True,  # the tables of Products and History would take it otherwise
            id="card.prev_section",
        ),
        Binding("f2", "show_section('about')", "About", id="card.about"),
        Binding("f3", "show_section('client')", "Client", id="card.client"),
        Binding("f4", "show_section('products')", "Products", id="card.products"),
        Binding("f5", "show_section('activities')", "Activities", id="card.activities"),
        Binding("f6", "show_section('history')", "History", id="card.history"),
        # priority: text inputs have their own ctrl+w (delete word) and ctrl+x (cut)
        Binding("ctrl+w", "won", "Won", id="card.won", priority=True),
        Binding("ctrl+x", "lost", "Lost", id="card.lost", priority=True),
        Binding("ctrl+t", "pick_stage", "Stage", id="card.stage", priority=True),
        Binding("ctrl+o", "more_fields", "More fields", id="card.more_fields", priority=True),
        Binding("ctrl+g", "move_pipeline", "Pipeline", id="card.pipeline", priority=True),
        Binding("ctrl+r", "make_recurring", "Make recurring…", id="card.recurring", priority=True),
    ]

    def __init__(self, deal_id: int) -> None:
        super().__init__()
        self.deal_id = deal_id
        self.deal: DealDetail | None = None
        self.stages: list[StageRead] = []
        self.contact_names: list[str] = []
        self._leaving = False

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Vertical(id="card-top"):
            yield Static("Loading…", id="card-title")
            yield StagePath(id="card-path")
            yield Static("", id="card-summary")
        with TabbedContent(initial="about", id="card-tabs"):
            with TabPane("About F2", id="about"):
                yield AboutForm(self.dt_app.card_layout)
            with TabPane("Client F3", id="client"), Horizontal():
                yield ClientView(id="client-view")
                with Vertical(id="client-edit"):
                    yield Label("Company")
                    yield ClientPicker(self.crm, kind="company", id="card-company")
                    yield Label("Contacts (delete removes the highlighted one)")
                    yield ListView(id="card-contacts")
                    yield Label("Add a contact")
                    yield ClientPicker(self.crm, kind="contact", id="card-contact")
                    yield Button("Add contact", id="add-contact")
                    yield Button("Save client (ctrl+s)", variant="primary", id="save-client")
            with TabPane("Products F4", id="products"):
                yield ProductsSection(id="products-section")
            with TabPane("Activities F5", id="activities"):
                yield ActivitiesSection(id="activities-section")
            with TabPane("History F6", id="history"):
                yield HistorySection(id="history-section")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._load_choices()
        self.load()
        self.query_one("#f-title").focus()

    # --- loading ---------------------------------------------------------------------
    @work(exclusive=True, group="card-choices", exit_on_error=False)
    async def _load_choices(self) -> None:
        currencies, types, sources, users = await asyncio.gather(
            in_thread(self.crm.currencies),
            in_thread(self.crm.deal_types),
            in_thread(self.crm.sources),
            in_thread(self.crm.users),
        )
        form = self.query_one(AboutForm)
        form.set_choices(currencies=currencies, types=types, sources=sources, users=users)
        if self.deal is not None:
            form.show(self.deal)

    @work(exclusive=True, group="card-load", exit_on_error=False)
    async def load(self) -> None:
        """Read the deal again and show it everywhere (edits in About are replaced)."""
        try:
            deal = await in_thread(self.crm.detail, self.deal_id)
            if not self.stages or self.stages[0].pipeline_id != deal.pipeline_id:
                self.stages = await in_thread(self.crm.stages, deal.pipeline_id)
        except DealtermError as error:
            self.report(error)
            self.dismiss(None)
            return
        self.show(deal)

    def show(self, deal: DealDetail) -> None:
        """Show a freshly read deal."""
        self.deal = deal
        app = self.dt_app
        locale, clock = app.locale, self.crm.db.clock
        status = {"success": "[green]won[/]", "failure": "[red]lost[/]"}.get(
            deal.semantics, "[cyan]open[/]"
        )
        self.query_one("#card-title", Static).update(
            f"[b]#{deal.id} {_escape(deal.title)}[/b]  {status}"
        )
        self.query_one(StagePath).show(self.stages, deal.stage_id)
        parts = [
            deal.pipeline,
            format_money(deal.amount, deal.currency, locale),
            deal.client or "no client",
            deal.responsible,
            f"close {show_date(deal.close_date, locale)}",
        ]
        if deal.lost_reason:
            parts.append(f"lost: {deal.lost_reason}")
        if deal.repeat:
            parts.append("repeat client")
        self.query_one("#card-summary", Static).update(_escape(" · ".join(parts)))
        self.query_one(AboutForm).show(deal, clock)
        self.query_one(ClientView).show(deal)
        self._show_client_editor(deal)
        self.query_one(ProductsSection).show(deal, locale)
        self.query_one(ActivitiesSection).show(deal, clock)
        self.query_one(HistorySection).show(deal, clock)
        self.sub_title = f"{self.crm.name} · deal #{deal.id}"

    def _show_client_editor(self, deal: DealDetail) -> None:
        company = self.query_one("#card-company", ClientPicker)
        company.query_one("Input").value = deal.company or ""  # type: ignore[attr-defined]
        company.chosen_id = deal.company_id
        self.contact_names = [c.name for c in deal.contacts]
        self._fill_contacts()

    def _fill_contacts(self) -> None:
        contacts = self.query_one("#card-contacts", ListView)
        contacts.clear()
        for name in self.contact_names:
            contacts.append(ListItem(Label(name)))

    def on_data_changed(self, _: DataChanged) -> None:
        if not self._unsaved():  # a reload would put the saved values back over the edits
            self.load()

    # --- saving the About section ----------------------------------------------------
    def action_save(self) -> None:
        active = self.query_one(TabbedContent).active
        if active == "client":
            self._save_client()
        else:
            self._save_about()

    @work(exclusive=True, group="card-write", exit_on_error=False)
    async def _save_about(self) -> None:
        form = self.query_one(AboutForm)
        changes = form.changes()
        if changes is None:
            self.notify(
                "Fix the fields marked in red; nothing was saved", severity="error", timeout=5
            )
            return
        if not changes or self.deal is None:
            self.notify("Nothing to save", timeout=2)
            return
        await self._update(changes)

    async def _update(self, changes: dict[str, Any]) -> bool:
        """Save ``changes``; on a conflict show both versions and let the user choose."""
        from dealterm.screens.conflict import ConflictModal

        assert self.deal is not None
        try:
            deal = await in_thread(
                self.crm.update, self.deal_id, DealUpdate(**changes), self.deal.version
            )
        except ConflictError:
            fresh = await in_thread(self.crm.detail, self.deal_id)
            rows = _differences(changes, fresh)
            choice = await self.app.push_screen_wait(ConflictModal(rows))
            if choice == "theirs":
                self.stages = await in_thread(self.crm.stages, fresh.pipeline_id)
                self.show(fresh)
            elif choice == "mine":
                self.deal = fresh
                return await self._update(changes)
            else:
                self.deal = fresh  # keep the edits; the next save checks against this version
            return False
        except ValidationError as error:
            if not self.query_one(AboutForm).show_error(error.field, error.message):
                self.report(error)
            return False
        except DealtermError as error:
            self.report(error)
            return False
        self.notify("Saved", timeout=2)
        self.dt_app.note_own_change()
        await self._reload_now(deal.id)
        return True

    async def _reload_now(self, deal_id: int) -> None:
        deal = await in_thread(self.crm.detail, deal_id)
        if not self.stages or self.stages[0].pipeline_id != deal.pipeline_id:
            self.stages = await in_thread(self.crm.stages, deal.pipeline_id)
        self.show(deal)

    # --- client ----------------------------------------------------------------------
    @on(Button.Pressed, "#add-contact")
    def _add_contact(self) -> None:
        picker = self.query_one("#card-contact", ClientPicker)
        name = picker.value
        if name and name not in self.contact_names:
            self.contact_names.append(name)
            self._fill_contacts()
        picker.query_one("Input").value = ""  # type: ignore[attr-defined]

    @on(Button.Pressed, "#save-client")
    def _save_client_button(self) -> None:
        self._save_client()

    def on_key(self, event: Any) -> None:
        contacts = self.query_one("#card-contacts", ListView)
        if event.key == "delete" and contacts.has_focus and contacts.index is not None:
            del self.contact_names[contacts.index]
            self._fill_contacts()
            event.stop()

    def _client_changes(self) -> dict[str, Any]:
        """What the Client tab changes of the deal as saved (empty: nothing)."""
        if self.deal is None:
            return {}
        company = self.query_one("#card-company", ClientPicker)
        changes: dict[str, Any] = {}
        if (company.value or None) != self.deal.company:
            changes["company"] = company.chosen_id or (company.value or None)
        if self.contact_names != [c.name for c in self.deal.contacts]:
            changes["contacts"] = list(self.contact_names)
        return changes

    def _unsaved(self) -> bool:
        """Edits the user would lose by leaving: the About form's, the Client tab's (a
        contact typed but not yet added included)."""
        if self.query_one(AboutForm).is_dirty() or self._client_changes():
            return True
        return bool(self.query_one("#card-contact", ClientPicker).value)

    @work(exclusive=True, group="card-write", exit_on_error=False)
    async def _save_client(self) -> None:
        if self.deal is None:
            return
        company = self.query_one("#card-company", ClientPicker)
        if company.chosen_id is None and company.value.isdigit():
            # The core reads a number as a record's id: "3" would link company #3.
            self.notify(
                f"“{company.value}” is only digits: type the company's name, or pick it "
                "from the list",
                severity="error",
                timeout=6,
            )
            return
        changes = self._client_changes()
        if not changes:
            self.notify("Nothing to save", timeout=2)
            return
        await self._update(changes)

    # --- products --------------------------------------------------------------------
    @on(ProductsSection.Action)
    @work(exclusive=True, group="card-write", exit_on_error=False)
    async def _product_action(self, event: ProductsSection.Action) -> None:
        from dealterm.screens.product_row import ProductRowModal

        deal = self.deal
        if deal is None:
            return
        rows = [
            ProductRowInput(
                product=r.product_id,
                name=r.name,
                price=r.price,
                quantity=r.quantity,
                discount_type=r.discount_type,
                discount=r.discount_rate if r.discount_type == "percent" else r.discount_sum,
                tax_rate=r.tax_rate,
                tax_included=r.tax_included,
                measure=r.measure,
            )
            for r in deal.products
        ]
        ids = [r.id for r in deal.products]
        if event.action == "toggle":
            await self._update({"manual_amount": not deal.manual_amount})
            return

        def others(skip: int | None = None) -> Decimal:
            """The total of the deal's rows but one: with the edited row, it must fit the
            amount limit (the form says so before it closes)."""
            return sum((r.total for r in deal.products if r.id != skip), Decimal(0))

        if event.action == "add":
            row = await self.app.push_screen_wait(
                ProductRowModal(others=others(), currency=deal.currency)
            )
            if row is None:
                return
            rows.append(row)
        elif event.action == "edit" and event.row_id in ids:
            index = ids.index(event.row_id)
            row = await self.app.push_screen_wait(
                ProductRowModal(rows[index], others=others(event.row_id), currency=deal.currency)
            )
            if row is None:
                return
            rows[index] = row.model_copy(
                update={"product": rows[index].product, "measure": rows[index].measure}
            )
        elif event.action == "delete" and event.row_id in ids:
            del rows[ids.index(event.row_id)]
        else:
            return
        try:
            await in_thread(self.crm.set_products, deal.id, rows, deal.version)
        except ConflictError as error:
            self.report(error)
            await self._reload_now(deal.id)
            return
        except DealtermError as error:
            self.report(error)
            return
        self.dt_app.note_own_change()
        await self._reload_now(deal.id)

    # --- activities ------------------------------------------------------------------
    @on(ActivitiesSection.Action)
    @work(exclusive=True, group="card-write", exit_on_error=False)
    async def _activity_action(self, event: ActivitiesSection.Action) -> None:
        from dealterm.screens.activity_form import ActivityModal
        from dealterm.screens.confirm import ConfirmModal

        deal = self.deal
        if deal is None:
            return
        clock = self.crm.db.clock
        try:
            if event.action == "plan":
                plan = await self.app.push_screen_wait(ActivityModal(deal.title, clock=clock))
                if plan is None:
                    return
                await in_thread(
                    self.crm.plan,
                    deal.id,
                    kind=plan.kind,
                    subject=plan.subject,
                    deadline=plan.deadline,
                )
            elif event.action == "done" and event.activity_id is not None:
                _done, lonely = await in_thread(self.crm.complete, event.activity_id)
                await self._reload_now(deal.id)
                if lonely:
                    await self._offer_next_activity(leaving=False)
                    return
            elif event.action == "reschedule" and event.activity_id is not None:
                current = next(a for a in deal.activities if a.id == event.activity_id)
                plan = await self.app.push_screen_wait(
                    ActivityModal(
                        deal.title, clock=clock, subject=current.subject, kind=current.kind
                    )
                )
                if plan is None:
                    return
                await in_thread(self.crm.reschedule, event.activity_id, plan.deadline)
            elif event.action == "delete" and event.activity_id is not None:
                if not await self.app.push_screen_wait(
                    ConfirmModal("Delete this activity?", confirm="Delete")
                ):
                    return
                await in_thread(self.crm.delete_activity, event.activity_id)
        except DealtermError as error:
            self.report(error)
            return
        self.dt_app.note_own_change()
        await self._reload_now(deal.id)

    # --- history ---------------------------------------------------------------------
    @on(HistorySection.CommentWanted)
    @work(exclusive=True, group="card-write", exit_on_error=False)
    async def _comment(self) -> None:
        from dealterm.screens.comment import CommentModal

        text = await self.app.push_screen_wait(CommentModal())
        if not text:
            return
        try:
            await in_thread(self.crm.comment, self.deal_id, text)
        except DealtermError as error:
            self.report(error)
            return
        self.dt_app.note_own_change()
        await self._reload_now(self.deal_id)

    # --- stage -------------------------------------------------------------------------
    @work(exclusive=True, group="card-write", exit_on_error=False)
    async def action_won(self) -> None:
        from dealterm.screens.confirm import ConfirmModal

        if self.deal is None:
            return
        if not await self.app.push_screen_wait(
            ConfirmModal(f"Mark “{self.deal.title}” as won?", confirm="Won")
        ):
            return
        await self._write(self.crm.won, self.deal.id, self.deal.version)

    @work(exclusive=True, group="card-write", exit_on_error=False)
    async def action_lost(self) -> None:
        from dealterm.screens.lost_reason import LostReasonModal

        if self.deal is None:
            return
        reasons = await in_thread(self.crm.lost_reasons)
        reason = await self.app.push_screen_wait(LostReasonModal(self.deal.title, reasons))
        if reason is None:
            return
        await self._write(self.crm.lost, self.deal.id, reason or None, self.deal.version)

    @work(exclusive=True, group="card-write", exit_on_error=False)
    async def action_pick_stage(self) -> None:
        from dealterm.screens.picker import PickerModal

        if self.deal is None:
            return
        picked = await self.app.push_screen_wait(
            PickerModal(
                "Move to stage",
                [(str(s.id), s.name) for s in self.stages],
                selected=str(self.deal.stage_id),
            )
        )
        if picked is None or int(picked) == self.deal.stage_id:
            return
        stage = next(s for s in self.stages if s.id == int(picked))
        reason: str | None = None
        if stage.semantics == "failure":
            from dealterm.screens.lost_reason import LostReasonModal

            chosen = await self.app.push_screen_wait(
                LostReasonModal(self.deal.title, await in_thread(self.crm.lost_reasons))
            )
            if chosen is None:
                return
            reason = chosen or None
        await self._write(self.crm.move, self.deal.id, stage.id, self.deal.version, reason)

    @work(exclusive=True, group="card-write", exit_on_error=False)
    async def action_move_pipeline(self) -> None:
        """Move the deal to another pipeline: the first stage of the same kind there."""
        from dealterm.screens.picker import PickerModal

        if self.deal is None:
            return
        pipelines = await in_thread(self.crm.pipelines)
        others = [(str(p.id), p.name) for p in pipelines if p.id != self.deal.pipeline_id]
        if not others:
            self.notify("There is no other pipeline (s: settings adds one)", timeout=4)
            return
        picked = await self.app.push_screen_wait(PickerModal("Move to pipeline", others))
        if picked is not None:
            deal = self.deal
            await self._write(self.crm.change_pipeline, deal.id, int(picked), deal.version)

    @work(exclusive=True, group="card-write", exit_on_error=False)
    async def action_make_recurring(self) -> None:
        """Copy the deal into a recurring template (the schedule form)."""
        from dealterm.screens.recurring_form import make_recurring_form

        if self.deal is None:
            return
        crm = self.crm
        pipelines = await in_thread(crm.pipelines)
        today = crm.db.clock.today().isoformat()
        form = make_recurring_form(crm, self.deal.id, self.deal.title, pipelines, today=today)
        made = await self.app.push_screen_wait(form)
        if made:
            self.notify(f"Recurring: {made.schedule}; next run {made.next_run}", timeout=5)

    async def _write(self, call: Any, *args: Any) -> None:
        try:
            deal = await in_thread(call, *args)
        except DealtermError as error:
            self.report(error)
            await self._reload_now(self.deal_id)
            return
        self.dt_app.note_own_change()
        await self._reload_now(deal.id)

    # --- sections ----------------------------------------------------------------------
    def action_more_fields(self) -> None:
        """Show the fields the layout keeps out of sight (or hide them again)."""
        self.action_show_section("about")
        self.query_one(AboutForm).action_more_fields()

    def action_show_section(self, section: str) -> None:
        # Focus must leave the old pane first: a focused widget in it would pull it back.
        self.set_focus(None)
        self.query_one(TabbedContent).active = section
        self.call_after_refresh(self._focus_section, section)

    def _focus_section(self, section: str) -> None:
        target = {
            "about": "#f-title",
            "client": "#card-company Input",
            "products": "#products-table",
            "activities": "#activities-table",
            "history": "#history-table",
        }[section]
        self.query_one(target).focus()

    def action_section(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        index = SECTIONS.index(tabs.active) if tabs.active in SECTIONS else 0
        self.action_show_section(SECTIONS[(index + step) % len(SECTIONS)])

    # --- leaving -----------------------------------------------------------------------
    @work(exclusive=True, group="card-leave", exit_on_error=False)
    async def action_leave(self) -> None:
        from dealterm.screens.confirm import ConfirmModal

        if self._unsaved() and not await self.app.push_screen_wait(
            ConfirmModal("Leave without saving your changes?", confirm="Discard")
        ):
            return
        if await self._offer_next_activity(leaving=True):
            self.dismiss(None)

    async def _offer_next_activity(self, *, leaving: bool) -> bool:
        """Ask for the next activity when the deal needs one; True when the card may close."""
        from dealterm.screens.activity_form import NextActivityModal, NextStep

        try:
            needed = await in_thread(self.crm.should_prompt, self.deal_id)
        except DealtermError:
            return True
        if not needed or self.deal is None:
            return True
        answer = await self.app.push_screen_wait(
            NextActivityModal(self.deal.title, clock=self.crm.db.clock)
        )
        if not isinstance(answer, NextStep):
            return False  # Cancel: stay on the card
        try:
            if answer.plan is not None:
                plan = answer.plan
                await in_thread(
                    self.crm.plan,
                    self.deal_id,
                    kind=plan.kind,
                    subject=plan.subject,
                    deadline=plan.deadline,
                )
                self.notify(
                    f"{plan.kind.title()} planned for {plan.deadline:%d %b %H:%M}", timeout=3
                )
                self.dt_app.note_own_change()
            elif answer.skip is not None:
                await in_thread(self.crm.skip_prompt, answer.skip)
        except DealtermError as error:
            self.report(error)
            return False
        if not leaving:
            await self._reload_now(self.deal_id)
        return True


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _differences(changes: dict[str, Any], fresh: DealDetail) -> list[tuple[str, str, str]]:
    """Rows of (field, mine, saved now) for the conflict dialog."""
    saved = {
        "title": fresh.title,
        "amount": f"{fresh.amount:.2f}",
        "currency": fresh.currency,
        "type": fresh.type or "",
        "source": fresh.source or "",
        "source_description": fresh.source_description or "",
        "probability": str(fresh.probability),
        "begin_date": str(fresh.begin_date),
        "close_date": str(fresh.close_date),
        "responsible": fresh.responsible,
        "comments": fresh.comments or "",
        "company": fresh.company or "",
        "contacts": ", ".join(c.name for c in fresh.contacts),
        "manual_amount": str(fresh.manual_amount),
    }
    rows = []
    custom = changes.get("custom_fields") or {}
    labels = {v.code: (v.label, v.text) for v in fresh.custom_display}
    for code, mine in custom.items():
        label, now = labels.get(code, (code, ""))
        rows.append((label, "" if mine is None else str(mine), now))
    for field, mine in changes.items():
        if field == "custom_fields":
            continue
        shown = (
            ", ".join(map(str, mine))
            if isinstance(mine, list)
            else ("" if mine is None else str(mine))
        )
        rows.append((field.replace("_", " "), shown, saved.get(field, "")))
    rows.append(("stage (saved now)", "", fresh.stage_name))
    return rows
