"""The recurring deal forms: a template from scratch, and a schedule for an existing deal.

Both are :class:`~dealterm.screens.form.FormModal` dialogs: the save runs in a worker
thread and a refused value shows under its field. The caller gets the saved
:class:`~dealterm.core.services.recurring.TemplateRead` (or None when cancelled).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dealterm.screens.form import FormField, FormModal

if TYPE_CHECKING:
    from dealterm.core.crm import Choice, Crm, PipelineInfo
    from dealterm.core.services.recurring import TemplateRead

__all__ = [
    "TemplateFormModal",
    "make_recurring_form",
    "schedule_fields",
    "schedule_values",
    "template_form",
]

MODES = [("every N units from the start", "every"), ("once, N units before the start", "once")]
UNITS = [("days", "day"), ("weeks", "week"), ("months", "month"), ("years", "year")]
LIMITS = [("no end", "none"), ("until a date", "date"), ("N times", "times")]


def schedule_fields(
    pipelines: list[PipelineInfo], template: TemplateRead | None = None, *, today: str = ""
) -> list[FormField]:
    """The schedule part of a form (filled from ``template`` when editing)."""
    t = template
    return [
        FormField("mode", "Repeat", "select", t.mode if t else "every", MODES, blank=False),
        FormField(
            "step",
            "N",
            value=str(t.step) if t else "1",
            hint="every N units, or N units before the start",
        ),
        FormField("unit", "Unit", "select", t.unit if t else "month", UNITS, blank=False),
        FormField(
            "start",
            "Start date",
            value=t.start.isoformat() if t else today,
            placeholder="YYYY-MM-DD",
        ),
        FormField(
            "limit_kind",
            "Ends",
            "select",
            t.limit_kind if t else "none",
            LIMITS,
            blank=False,
            errors_for=("limit",),
        ),
        FormField(
            "limit_date",
            "Until",
            value=t.limit_date.isoformat() if t and t.limit_date else "",
            placeholder="YYYY-MM-DD",
        ),
        FormField(
            "limit_times",
            "Times",
            value=str(t.limit_times) if t and t.limit_times else "",
            placeholder="6",
        ),
        FormField(
            "pipeline",
            "Pipeline",
            "select",
            str(t.pipeline_id) if t and t.pipeline_id else "",
            [(p.name, str(p.id)) for p in pipelines],
            placeholder="default",
        ),
        FormField(
            "begin_offset",
            "Begin date",
            value=t.begin_offset if t else "0d",
            hint="after the run date: 0d, 3d, 1w, 1m",
        ),
        FormField("close_offset", "Close date", value=t.close_offset if t else "7d"),
    ]


def schedule_values(values: dict[str, Any]) -> dict[str, Any]:
    """The schedule fields of a form's values, as ScheduleInput fields."""
    keys = (
        "mode",
        "step",
        "unit",
        "start",
        "limit_kind",
        "limit_date",
        "limit_times",
        "pipeline",
        "begin_offset",
        "close_offset",
    )
    result = {key: values.get(key) for key in keys}
    result["pipeline"] = result["pipeline"] or None
    result["start"] = (result["start"] or "").strip() or None
    for key in ("limit_date", "limit_times"):
        result[key] = (result[key] or "").strip() or None
    return result


class TemplateFormModal(FormModal):
    """The template form: it needs more lines than a 45-line terminal gives a dialog.

    So its dialog scrolls, and the focused field scrolls into view: tab reaches the
    close date.
    """

    DEFAULT_CSS = """
    TemplateFormModal .dialog { overflow-y: auto; }
    """


def template_form(
    crm: Crm,
    pipelines: list[PipelineInfo],
    currencies: list[Choice],
    template: TemplateRead | None,
    *,
    today: str,
) -> FormModal:
    """The form of a new template (``template`` None) or of an existing one."""
    from dealterm.core.services.recurring import TemplateInput, TemplateUpdate

    t = template
    primary = t.contacts[0] if t and t.contacts else ""
    fields = [
        FormField("title", "Title", value=t.title if t else ""),
        FormField("amount", "Amount", value=f"{t.amount:.2f}" if t else "", placeholder="0"),
        FormField(
            "currency",
            "Currency",
            "select",
            t.currency if t else (currencies[0].value if currencies else ""),
            [(c.label, c.value) for c in currencies],
            blank=False,
        ),
        FormField(
            "company",
            "Client (company)",
            value=t.company or "" if t else "",
            hint="a company name; a new one is created",
        ),
        FormField("contact", "Contact", value=primary, hint=_contact_hint(t)),
        *schedule_fields(pipelines, t, today=today),
    ]

    def save(values: dict[str, Any]) -> TemplateRead:
        contact = (values["contact"] or "").strip()
        deal_values: dict[str, Any] = {
            "title": values["title"],
            "amount": (values["amount"] or "").strip() or None,
            "currency": values["currency"],
            "company": (values["company"] or "").strip() or None,
        }
        if t is None:
            deal_values["contacts"] = [contact] if contact else []
            return crm.add_recurring(TemplateInput(**deal_values, **schedule_values(values)))
        if deal_values["amount"] in (None, f"{t.amount:.2f}"):
            # untouched: an amount that follows the product rows keeps following them
            deal_values.pop("amount")
        if contact != primary:
            # the field is the first contact; the others are kept (by id: names may repeat)
            deal_values["contacts"] = ([contact] if contact else []) + list(t.contact_ids[1:])
        return crm.edit_recurring(t.id, TemplateUpdate(**deal_values, **schedule_values(values)))

    if t is None:
        title = "New recurring deal"
        subtitle = "Product rows and custom fields: add them with dealterm recurring edit"
    else:
        title = f"Recurring deal #{t.id}"
        subtitle = (
            f"{_count(len(t.products), 'product row')}, "
            f"{_count(len(t.custom_fields), 'custom field')} · "
            f"edit them with: dealterm recurring edit {t.id}"
        )
    return TemplateFormModal(title, fields, save, subtitle=subtitle)


def _count(number: int, noun: str) -> str:
    if number == 0:
        return f"no {noun}s"
    return f"1 {noun}" if number == 1 else f"{number} {noun}s"


def _contact_hint(template: TemplateRead | None) -> str:
    if template is not None and len(template.contacts) > 1:
        return f"the first of {len(template.contacts)} contacts; the others stay"
    return "a contact name; a new one is created"


def make_recurring_form(
    crm: Crm, deal_id: int, deal_title: str, pipelines: list[PipelineInfo], *, today: str
) -> FormModal:
    """The schedule form that copies a deal into a new template."""
    from dealterm.core.services.recurring import ScheduleInput

    def save(values: dict[str, Any]) -> TemplateRead:
        return crm.make_recurring(deal_id, ScheduleInput(**schedule_values(values)))

    return FormModal(
        "Make recurring",
        schedule_fields(pipelines, today=today),
        save,
        subtitle=f"“{deal_title}” is copied with its client, products and fields",
    )
