"""``dealterm scenario ...`` and ``dealterm suggest ...``: the sales generator and repeat sales."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from dealterm.cli.common import (
    DbOption,
    JsonOption,
    cleaned,
    echo,
    echo_json,
    fail,
    open_db,
    settings_of,
)
from dealterm.cli.words import counted

if TYPE_CHECKING:
    from dealterm.core.services.repeat_sales import Suggestion
    from dealterm.core.services.scenarios import PlannedDeal, ScenarioRead

__all__ = ["scenario_app", "suggest_app"]

scenario_app = typer.Typer(
    help="Sales scenarios: create a deal for every client of a segment.", no_args_is_help=True
)
suggest_app = typer.Typer(
    help="Repeat-sale suggestions: clients whose next purchase is due.", no_args_is_help=True
)

SEGMENT_NAMES = (
    "birthday, won-days-ago, lost-12-months, dormant, every-year, every-half-year, every-month"
)
WindowOption = Annotated[
    int, typer.Option("--window", help="Days ahead to look (overdue clients are included).")
]


# --- scenarios -----------------------------------------------------------------------


def _clients_match(count: int) -> str:
    return counted(count, "client matches", "clients match")


def _deals(count: int) -> str:
    return counted(count, "deal")


def _scenario_dict(s: ScenarioRead) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "segment": s.segment,
        "days": s.days,
        "title": s.title,
        "pipeline": s.pipeline,
        "stage": s.stage,
        "responsible": list(s.responsible),
        "round_robin": s.round_robin,
        "comment": s.comment,
        "activity": s.activity,
        "skip_open": s.skip_open,
        "last_run_at": s.last_run_at.isoformat() if s.last_run_at else None,
        "last_run_count": s.last_run_count,
    }


def _planned_dict(p: PlannedDeal) -> dict[str, Any]:
    return {
        "client": p.client,
        "client_ref": p.client_ref,
        "title": p.title,
        "responsible": p.responsible,
        "period": p.period_key,
        "event_date": p.event_date.isoformat() if p.event_date else None,
        "deal_id": p.deal_id,
    }


def _print_planned(rows: tuple[PlannedDeal, ...], *, created: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    from dealterm.cli.output import console

    out = console()
    table = Table(box=None, pad_edge=False, header_style="bold")
    columns = (["Deal"] if created else []) + ["Client", "Title", "Responsible", "Event"]
    for name in columns:
        table.add_column(name, no_wrap=True, overflow="ellipsis")
    for p in rows:
        cells = [escape(p.client), escape(p.title), escape(p.responsible)]
        cells.append(p.event_date.isoformat() if p.event_date else "")
        table.add_row(*([f"#{p.deal_id}"] if created else []), *cells)
    if rows:
        out.print(table)


@scenario_app.command("list")
def scenario_list(ctx: typer.Context, db: DbOption = None, json_: JsonOption = False) -> None:
    """List the saved scenarios with their segment and last run."""
    from dealterm.core.services.scenarios import list_scenarios

    database = open_db(ctx, db)
    with database.session(write=False) as session:
        found = list_scenarios(session)
    if json_:
        echo_json([_scenario_dict(s) for s in found])
        return
    if not found:
        echo("No scenarios yet; add one with `dealterm scenario add`.")
        return
    for s in found:
        days = f" ({counted(s.days, 'day')})" if s.days else ""
        last = (
            f"last run {database.clock.to_local(s.last_run_at):%Y-%m-%d %H:%M}: "
            f"{_deals(s.last_run_count or 0)}"
            if s.last_run_at
            else "never run"
        )
        echo(f"{s.name}: {s.segment}{days}; {last}")


@scenario_app.command("add")
def scenario_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The scenario's name.")],
    segment: Annotated[str, typer.Option("--segment", help=f"One of: {SEGMENT_NAMES}.")],
    title: Annotated[
        str,
        typer.Option("--title", help="Title template; placeholders {client}, {date}, {event}."),
    ],
    days: Annotated[
        int | None,
        typer.Option(
            "--days", help="N for the segment (birthday window, won N days ago, ...).", min=1
        ),
    ] = None,
    pipeline: Annotated[str | None, typer.Option(help="Pipeline name or id.")] = None,
    stage: Annotated[str | None, typer.Option(help="Stage code or name.")] = None,
    responsible: Annotated[
        list[str] | None, typer.Option("--responsible", help="The responsible user.")
    ] = None,
    round_robin: Annotated[
        str | None,
        typer.Option("--round-robin", help="Users to take turns, comma-separated: ann,bob."),
    ] = None,
    comment: Annotated[str | None, typer.Option(help="A comment added to each deal.")] = None,
    activity: Annotated[
        str | None,
        typer.Option(help="Plan an activity on each deal: kind:subject[:Nd], e.g. call:Hi:2d."),
    ] = None,
    include_open: Annotated[
        bool,
        typer.Option(
            "--include-with-open-deals", help="Also create deals for clients with an open deal."
        ),
    ] = False,
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """Save a scenario: a segment and the deal to create for each of its clients."""
    from dealterm.core.services.scenarios import ScenarioInput, add_scenario

    if responsible and round_robin:
        fail("give --responsible or --round-robin, not both")
    queue = tuple(r.strip() for r in (round_robin or "").split(",") if r.strip())
    database = open_db(ctx, db)
    with database.session() as session:
        saved = add_scenario(
            session,
            ScenarioInput(
                name=cleaned(name),
                segment=segment,
                title=cleaned(title),
                days=days,
                pipeline=pipeline,
                stage=stage,
                responsible=queue or tuple(responsible or ()),
                round_robin=round_robin is not None,
                comment=cleaned(comment, multiline=True),
                activity=cleaned(activity),
                skip_open=not include_open,
            ),
        )
    if json_:
        echo_json(_scenario_dict(saved))
        return
    echo(f'Added scenario "{saved.name}": {saved.segment_label}')


@scenario_app.command("preview")
def scenario_preview(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The scenario's name.")],
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """Show the matching clients and the deals a run would create (nothing is written)."""
    from dealterm.core.services.scenarios import preview_scenario

    database = open_db(ctx, db)
    with database.session(write=False) as session:
        preview = preview_scenario(session, name)
    if json_:
        echo_json(
            {
                "scenario": preview.scenario.name,
                "count": preview.count,
                "already_done": preview.already_done,
                "pipeline": preview.pipeline,
                "stage": preview.stage,
                "deals": [_planned_dict(p) for p in preview.deals],
            }
        )
        return
    echo(
        f'Scenario "{preview.scenario.name}": {_clients_match(preview.count)}; '
        f"a run creates {_deals(preview.count)} in {preview.pipeline} / {preview.stage}"
        + (
            f" ({counted(preview.already_done, 'client')} already done this period)"
            if preview.already_done
            else ""
        )
    )
    _print_planned(preview.deals, created=False)


@scenario_app.command("run")
def scenario_run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The scenario's name.")],
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """Create the scenario's deals (never twice for one client in one period)."""
    from dealterm.core.services.scenarios import run_scenario

    database = open_db(ctx, db)
    with database.session() as session:
        report = run_scenario(session, name)
    if json_:
        echo_json(
            {
                "scenario": report.scenario.name,
                "created": report.count,
                "already_done": report.already_done,
                "deals": [_planned_dict(p) for p in report.created],
            }
        )
        return
    echo(
        f'Scenario "{report.scenario.name}": created {_deals(report.count)}'
        + (
            f" ({counted(report.already_done, 'client')} already done this period)"
            if report.already_done
            else ""
        )
    )
    _print_planned(report.created, created=True)


@scenario_app.command("delete")
def scenario_delete(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The scenario's name.")],
    db: DbOption = None,
) -> None:
    """Delete a scenario (the deals it created stay)."""
    from dealterm.core.services.scenarios import delete_scenario

    database = open_db(ctx, db)
    with database.session() as session:
        gone = delete_scenario(session, name)
    echo(f'Deleted scenario "{gone}"')


# --- repeat-sale suggestions ---------------------------------------------------------
def _suggestion_dict(s: Suggestion) -> dict[str, Any]:
    est = s.estimate
    return {
        "client": s.client,
        "client_ref": s.client_ref,
        "currency": s.currency,
        "purchases": [{"date": p.day.isoformat(), "amount": str(p.amount)} for p in s.purchases],
        "interval_days": est.interval_days,
        "interval_spread_days": est.interval_spread,
        "expected_date": est.expected_date.isoformat(),
        "expected_amount": str(est.expected_amount),
        "amount_spread": str(est.amount_spread),
        "due_in_days": s.due_in_days,
        "score": s.score,
    }


@suggest_app.command("list")
def suggest_list(
    ctx: typer.Context,
    window: WindowOption = 30,
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """Clients whose next purchase is due within the window (overdue included), best first."""
    from rich.markup import escape
    from rich.table import Table

    from dealterm.cli.output import console
    from dealterm.core.formatting import format_money
    from dealterm.core.services.repeat_sales import suggestions

    database = open_db(ctx, db)
    with database.session(write=False) as session:
        found = suggestions(session, window=window)
    if json_:
        echo_json([_suggestion_dict(s) for s in found])
        return
    out = console()
    if not found:
        out.print(f"No client is due within {counted(window, 'day')}.")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("Client", "Ref", "Due", "Expected", "Amount", "Past purchases"):
        table.add_column(column, no_wrap=True, overflow="ellipsis")
    for s in found:
        money = format_money(s.expected_amount, s.currency, database.locale)
        spread = format_money(s.estimate.amount_spread, s.currency, database.locale)
        table.add_row(
            escape(s.client),
            s.client_ref,
            s.due_text(),
            s.expected_date.isoformat(),
            f"{money} ± {spread}",
            ", ".join(p.day.isoformat() for p in s.purchases[-4:]),
        )
    out.print(table)


@suggest_app.command("accept")
def suggest_accept(
    ctx: typer.Context,
    client: Annotated[
        str, typer.Argument(metavar="CLIENT_REF", help="company:ID, contact:ID or a name.")
    ],
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """Create the repeat deal (source REPEAT_SALE, repeat flag, evidence in its history)."""
    from dealterm.core.services.repeat_sales import accept_suggestion

    database = open_db(ctx, db)
    with database.session() as session:
        deal = accept_suggestion(session, client)
    if json_:
        echo_json({"id": deal.id, "title": deal.title, "amount": str(deal.amount)})
        return
    echo(f'Created deal #{deal.id} "{deal.title}": {deal.amount} {deal.currency}')


@suggest_app.command("dismiss")
def suggest_dismiss(
    ctx: typer.Context,
    client: Annotated[
        str, typer.Argument(metavar="CLIENT_REF", help="company:ID, contact:ID or a name.")
    ],
    db: DbOption = None,
) -> None:
    """Hide a client's suggestion until a new purchase moves the expected date."""
    from dealterm.core.services.repeat_sales import dismiss_suggestion

    database = open_db(ctx, db)
    with database.session() as session:
        found = dismiss_suggestion(session, client)
    echo(f"Dismissed the suggestion for {found.client} (expected {found.expected_date})")


@suggest_app.command("backtest")
def suggest_backtest(
    ctx: typer.Context,
    as_of: Annotated[str, typer.Option("--as-of", help="The day to replay history up to.")],
    window: WindowOption = 30,
    include_open: Annotated[
        bool,
        typer.Option(
            "--include-with-open-deals",
            help="Also suggest clients with a deal open then (measures the estimate alone).",
        ),
    ] = False,
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """Suggest as of a past day and report precision and recall over the window after it."""
    from dealterm.core.services.repeat_sales import backtest
    from dealterm.core.validation import parse_date

    settings_of(ctx, db)  # the date format, before --as-of is read
    day = parse_date(as_of, field="as_of", label="--as-of")
    database = open_db(ctx, db)
    with database.session(write=False) as session:
        result = backtest(session, as_of=day, window=window, skip_open=not include_open)
    if json_:
        echo_json(result.as_dict())
        return

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    echo(
        f"As of {result.as_of}, window {counted(result.window, 'day')}, "
        f"{_deals(result.deals)} by then"
        + ("" if result.skip_open else " (clients with open deals included)")
    )
    echo(f"  suggested {result.suggested}; bought in the window {result.buyers}")
    echo(f"  precision {pct(result.precision)} ({result.hits}/{result.suggested})")
    echo(f"  recall    {pct(result.recall)} ({result.hits}/{result.buyers} buyers)")
    echo(
        f"  recall among buyers with 2+ past purchases {pct(result.recall_eligible)} "
        f"({result.hits}/{result.eligible_buyers})"
    )
    echo(f"  base rate: {pct(result.base_rate)} of {result.eligible} eligible clients bought")
