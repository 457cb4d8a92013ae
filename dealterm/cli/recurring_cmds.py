"""``dealterm recurring ...``: recurring deal templates and the run that creates their deals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dealterm.cli.common import (
    DbOption,
    DealId,
    JsonOption,
    ask,
    cleaned,
    echo,
    echo_json,
    fail,
    must_ask,
    must_fit,
    open_db,
    settings_of,
)
from dealterm.cli.words import counted

if TYPE_CHECKING:
    from dealterm.core.services.recurring import TemplateRead

recurring_app = typer.Typer(
    help="Recurring deals: templates that create a deal on a schedule.", no_args_is_help=True
)

TemplateId = Annotated[
    int,
    typer.Argument(
        metavar="ID", help="The template's number.", callback=must_fit("recurring template")
    ),
]
Every = Annotated[
    int | None, typer.Option("--every", help="Every N units (with --unit).", show_default=False)
]
Unit = Annotated[
    str | None,
    typer.Option("--unit", help="day, week, month or year (default month).", show_default=False),
]
Start = Annotated[
    str | None,
    typer.Option("--start", help="Start date YYYY-MM-DD (default today).", show_default=False),
]
Until = Annotated[
    str | None, typer.Option("--until", help="No run after this date.", show_default=False)
]
Times = Annotated[
    int | None, typer.Option("--times", help="Create N deals in all.", show_default=False)
]
NoLimit = Annotated[bool, typer.Option("--no-limit", help="Repeat with no end (edit).")]
Once = Annotated[
    bool, typer.Option("--once", help="One deal, --before N --before-unit U before --start.")
]
Before = Annotated[
    int | None,
    typer.Option(
        "--before", help="With --once: how many units before the start.", show_default=False
    ),
]
BeforeUnit = Annotated[
    str | None,
    typer.Option(
        "--before-unit", help="With --once: day, week, month or year.", show_default=False
    ),
]
Pipeline = Annotated[
    str | None,
    typer.Option(
        "--pipeline", help="Pipeline of the new deals (its first stage).", show_default=False
    ),
]
BeginOffset = Annotated[
    str | None,
    typer.Option(
        "--begin-offset",
        help="New deal's begin date from the run date: 0d, 3d, 1w, 1m (default 0d).",
        show_default=False,
    ),
]
CloseOffset = Annotated[
    str | None,
    typer.Option(
        "--close-offset",
        help="New deal's close date from the run date (default 7d).",
        show_default=False,
    ),
]


def _schedule_values(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The schedule options that were given, as ScheduleInput/TemplateUpdate fields.

    ``parameters``: the command's ``locals()`` (a command without ``--no-limit`` has none).
    """
    every, unit, start, until, times = (
        parameters.get(name) for name in ("every", "unit", "start", "until", "times")
    )
    before, before_unit, pipeline = (
        parameters.get(name) for name in ("before", "before_unit", "pipeline")
    )
    begin_offset, close_offset = parameters.get("begin_offset"), parameters.get("close_offset")
    no_limit, once = bool(parameters.get("no_limit")), bool(parameters.get("once"))
    if once and every is not None:
        fail("--once and --every do not go together")
    if (until is not None) + (times is not None) + no_limit > 1:
        fail("give one of --until, --times and --no-limit")
    if not once and (before is not None or before_unit is not None):
        fail("--before and --before-unit go with --once")
    values: dict[str, Any] = {}
    if once:
        values["mode"] = "once"
        values["step"] = 0 if before is None else before
        values["unit"] = before_unit or "day"
        values["limit_kind"] = "none"
    else:
        if every is not None:
            values["mode"] = "every"
            values["step"] = every
        if unit is not None:
            values["unit"] = unit
    if start is not None:
        values["start"] = start
    if until is not None:
        values["limit_kind"], values["limit_date"] = "date", until
    if times is not None:
        values["limit_kind"], values["limit_times"] = "times", times
    if no_limit:
        values["limit_kind"] = "none"
    if pipeline is not None:
        values["pipeline"] = pipeline
    if begin_offset is not None:
        values["begin_offset"] = begin_offset
    if close_offset is not None:
        values["close_offset"] = close_offset
    return values


def _day(value: object) -> str:
    from dealterm.core.formatting import show_date

    return "—" if value is None else show_date(value)  # type: ignore[arg-type]


def _line(verb: str, template: TemplateRead) -> None:
    nxt = f"; next run {_day(template.next_run)}" if template.next_run else ""
    echo(f'{verb} recurring deal #{template.id} "{template.title}": {template.schedule}{nxt}')


def _print_table(templates: list[TemplateRead], locale: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    from dealterm.cli.output import console
    from dealterm.core.formatting import format_money

    out = console()
    if not templates:
        out.print("No recurring deals.")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name, justify in (
        ("ID", "right"),
        ("Title", "left"),
        ("Client", "left"),
        ("Amount", "right"),
        ("Schedule", "left"),
        ("Next run", "left"),
        ("State", "left"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for t in templates:
        table.add_row(
            str(t.id),
            escape(t.title),
            escape(t.client),
            format_money(t.amount, t.currency, locale),
            escape(t.schedule),
            _day(t.next_run),
            t.state,
        )
    out.print(table)


_SET_HELP = (
    "Custom field CODE=VALUE. Repeatable; a field of several values is repeated once per "
    "value (see `dealterm deal add --help`)."
)


@recurring_app.command("list")
def list_(ctx: typer.Context, json_: JsonOption = False, db: DbOption = None) -> None:
    """List the templates with their schedule and next run."""
    from dealterm.core.crm import Crm

    database = open_db(ctx, db)
    templates = Crm(database).recurring_templates()
    if json_:
        echo_json([t.model_dump(mode="json") for t in templates])
    else:
        _print_table(templates, database.locale)


@recurring_app.command("add")
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Option("--title", help="Title of every new deal.")],
    amount: Annotated[str | None, typer.Option(help="Amount (or the product rows' total).")] = None,
    currency: Annotated[str | None, typer.Option(help="Currency code.")] = None,
    company: Annotated[
        str | None, typer.Option(help="Company name (created if new) or id.")
    ] = None,
    contact: Annotated[
        list[str] | None, typer.Option(help="Contact name or id; repeat for more.")
    ] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Deal type code or name.")] = None,
    source: Annotated[str | None, typer.Option(help="Source code or name.")] = None,
    responsible: Annotated[str | None, typer.Option(help="User login, name or id.")] = None,
    comment: Annotated[str | None, typer.Option(help="Comments of every new deal.")] = None,
    product: Annotated[
        list[str] | None,
        typer.Option(help="Product row: 'name=Widget; price=100; qty=3'. Repeatable."),
    ] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help=_SET_HELP)] = None,
    every: Every = None,
    unit: Unit = None,
    start: Start = None,
    until: Until = None,
    times: Times = None,
    once: Once = False,
    before: Before = None,
    before_unit: BeforeUnit = None,
    pipeline: Pipeline = None,
    begin_offset: BeginOffset = None,
    close_offset: CloseOffset = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Make a recurring deal from scratch."""
    from dealterm.cli.deal import _parse_custom, parse_row_spec
    from dealterm.core.crm import Crm
    from dealterm.core.services.recurring import TemplateInput

    schedule = _schedule_values(locals())
    data = TemplateInput(
        title=title,
        amount=amount,
        currency=currency,
        company=company,
        contacts=list(contact or []),
        type=type_,
        source=source,
        responsible=responsible,
        comments=cleaned(comment, multiline=True),
        products=[parse_row_spec(spec) for spec in product or []],
        custom_fields=_parse_custom(set_ or []),
        **schedule,
    )
    template = Crm(open_db(ctx, db)).add_recurring(data)
    if json_:
        echo_json(template.model_dump(mode="json"))
    else:
        _line("Created", template)


@recurring_app.command("from-deal")
def from_deal(
    ctx: typer.Context,
    deal_id: DealId,
    every: Every = None,
    unit: Unit = None,
    start: Start = None,
    until: Until = None,
    times: Times = None,
    once: Once = False,
    before: Before = None,
    before_unit: BeforeUnit = None,
    pipeline: Pipeline = None,
    begin_offset: BeginOffset = None,
    close_offset: CloseOffset = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Copy a deal (fields, client, products, custom fields) into a recurring deal."""
    from dealterm.core.crm import Crm
    from dealterm.core.services.recurring import ScheduleInput

    schedule = _schedule_values(locals())
    template = Crm(open_db(ctx, db)).make_recurring(deal_id, ScheduleInput(**schedule))
    if json_:
        echo_json(template.model_dump(mode="json"))
    else:
        _line("Created", template)


@recurring_app.command("show")
def show(
    ctx: typer.Context, template_id: TemplateId, json_: JsonOption = False, db: DbOption = None
) -> None:
    """One template: its fields, products and schedule."""
    from dealterm.core.crm import Crm
    from dealterm.core.formatting import format_money

    database = open_db(ctx, db)
    t = Crm(database).recurring_template(template_id)
    if json_:
        echo_json(t.model_dump(mode="json"))
        return
    lines = [
        f"#{t.id} {t.title} ({t.state})",
        f"Amount: {format_money(t.amount, t.currency, database.locale)}",
        f"Client: {t.client or '—'}"
        + (f"; contacts: {', '.join(t.contacts)}" if t.contacts else ""),
        f"Pipeline: {t.pipeline or 'default'}",
        f"Schedule: {t.schedule}",
        f"Dates of a new deal: begin run+{t.begin_offset}, close run+{t.close_offset}",
        f"Last run: {_day(t.last_run)}; next run: {_day(t.next_run)}",
    ]
    if t.based_on_deal_id:
        lines.append(f"Made from deal #{t.based_on_deal_id}")
    for row in t.products:
        lines.append(f"  {row['name']}: {row['price']} x {row['quantity']}")
    for code, value in t.custom_fields.items():
        lines.append(f"  {code} = {value}")
    echo("\n".join(lines))


@recurring_app.command("edit")
def edit(
    ctx: typer.Context,
    template_id: TemplateId,
    title: Annotated[str | None, typer.Option("--title")] = None,
    amount: Annotated[str | None, typer.Option()] = None,
    currency: Annotated[str | None, typer.Option()] = None,
    company: Annotated[str | None, typer.Option()] = None,
    contact: Annotated[
        list[str] | None,
        typer.Option(help="Contact name or id; repeat for more (replaces the contacts)."),
    ] = None,
    comment: Annotated[str | None, typer.Option()] = None,
    product: Annotated[
        list[str] | None,
        typer.Option(
            help="Product row: 'name=Widget; price=100; qty=3'. Repeatable (replaces the rows)."
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help=_SET_HELP + " CODE= clears it."),
    ] = None,
    every: Every = None,
    unit: Unit = None,
    start: Start = None,
    until: Until = None,
    times: Times = None,
    no_limit: NoLimit = False,
    once: Once = False,
    before: Before = None,
    before_unit: BeforeUnit = None,
    pipeline: Pipeline = None,
    begin_offset: BeginOffset = None,
    close_offset: CloseOffset = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Change a template's fields or schedule (only the options given).

    A changed schedule keeps the dates that were due and not run yet: the next run
    creates them.
    """
    from dealterm.cli.deal import _parse_custom, parse_row_spec
    from dealterm.core.crm import Crm
    from dealterm.core.services.recurring import TemplateUpdate

    values = _schedule_values(locals())
    for key, value in (
        ("title", title),
        ("amount", amount),
        ("currency", currency),
        ("company", company),
        ("comments", cleaned(comment, multiline=True)),
    ):
        if value is not None:
            values[key] = value
    if contact:
        values["contacts"] = list(contact)
    if product:
        values["products"] = [parse_row_spec(spec) for spec in product]
    if set_:
        values["custom_fields"] = _parse_custom(set_)
    if not values:
        fail("nothing to change: give an option such as --title or --every")
    template = Crm(open_db(ctx, db)).edit_recurring(template_id, TemplateUpdate(**values))
    if json_:
        echo_json(template.model_dump(mode="json"))
    else:
        _line("Changed", template)


@recurring_app.command("pause")
def pause(ctx: typer.Context, template_id: TemplateId, db: DbOption = None) -> None:
    """Stop a template from running until it is resumed."""
    from dealterm.core.crm import Crm

    _line("Paused", Crm(open_db(ctx, db)).pause_recurring(template_id))


@recurring_app.command("resume")
def resume(ctx: typer.Context, template_id: TemplateId, db: DbOption = None) -> None:
    """Run a paused template again (the dates it missed are skipped)."""
    from dealterm.core.crm import Crm

    _line("Resumed", Crm(open_db(ctx, db)).pause_recurring(template_id, paused=False))


@recurring_app.command("delete")
def delete(
    ctx: typer.Context,
    template_id: TemplateId,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Delete a template; the deals it created stay.

    Asks first in a terminal; elsewhere (a script, a pipe) it needs --yes.
    """
    from dealterm.core.crm import Crm

    asking = must_ask(yes, "deleting")
    crm = Crm(open_db(ctx, db))
    if asking:
        template = crm.recurring_template(template_id)
        ask(f'Delete recurring deal #{template_id} "{template.title}"?')
    title = crm.delete_recurring(template_id)
    echo(f'Deleted recurring deal #{template_id} "{title}"')


@recurring_app.command("run")
def run(
    ctx: typer.Context,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", help="Run what is due by this date (default today).", show_default=False
        ),
    ] = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Create the deals that are due, missed dates included (safe to run from cron)."""
    from dealterm.core.crm import Crm
    from dealterm.core.validation import parse_date

    settings_of(ctx, db)  # the date format, before --until is read
    day = parse_date(until, field="until", label="--until") if until else None
    report = Crm(open_db(ctx, db)).run_recurring(day)
    if json_:
        echo_json(
            {
                "created": [
                    {
                        "template_id": tid,
                        "occurrence": occurrence.isoformat(),
                        "deal_id": deal.id,
                        "title": deal.title,
                    }
                    for tid, occurrence, deal in report.created
                ],
                "errors": [{"template_id": tid, "error": msg} for tid, msg in report.errors],
            }
        )
    else:
        for tid, occurrence, deal in report.created:
            echo(f'Created deal #{deal.id} "{deal.title}" for {occurrence} (recurring #{tid})')
        echo(f"{counted(report.count, 'recurring deal')} created")
    for tid, message in report.errors:
        echo(f"dealterm: recurring deal #{tid} did not run: {message}", err=True)
    if report.errors:
        raise typer.Exit(1)
