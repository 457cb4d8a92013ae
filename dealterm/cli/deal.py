"""``dealterm deal ...``: create, list, show, edit, move, close, reopen and delete deals."""

from __future__ import annotations

from typing import Annotated, Any

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
    open_db,
    settings_of,
)
from dealterm.cli.filter_options import FilterOptions as F
from dealterm.cli.filter_options import command_filter
from dealterm.cli.words import counted

app = typer.Typer(help="Create, find, change and close deals.", no_args_is_help=True)

VersionOption = Annotated[
    int | None,
    typer.Option(
        "--expect-version",
        help="Refuse the change if the deal is no longer at this version (see `deal show --json`).",
        show_default=False,
    ),
]


def parse_row_spec(spec: str) -> Any:
    """Read a product row written as ``name=Widget; price=100; qty=3; discount=10%; tax=20``.

    Keys: name, product (catalogue id or name), price, qty, discount (``10%`` or a sum
    per unit), tax, included (tax included in the price), measure.
    """
    from dealterm.core.errors import ValidationError
    from dealterm.core.services.products import ProductRowInput

    values: dict[str, Any] = {}
    for part in spec.split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        value = value.strip()
        if not sep:
            if key in ("included", "tax-included", "tax_included"):
                values["tax_included"] = True
                continue
            if "name" not in values:
                values["name"] = part
                continue
            raise ValidationError(
                f"product row {spec!r}: {part!r} is not key=value", field="products"
            )
        if key in ("name", "title"):
            values["name"] = value
        elif key == "product":
            values["product"] = value
        elif key == "price":
            values["price"] = value
        elif key in ("qty", "quantity"):
            values["quantity"] = value
        elif key == "discount":
            if value.endswith("%"):
                values["discount_type"], values["discount"] = "percent", value[:-1]
            else:
                values["discount_type"], values["discount"] = "amount", value
        elif key in ("tax", "tax_rate", "vat"):
            values["tax_rate"] = value.rstrip("%")
        elif key == "measure":
            values["measure"] = value
        elif key in ("included", "tax_included"):
            values["tax_included"] = value.lower() in ("1", "yes", "y", "true")
        else:
            raise ValidationError(f"product row {spec!r}: unknown key {key!r}", field="products")
    return ProductRowInput(**values)


def _parse_custom(pairs: list[str]) -> dict[str, Any]:
    """``--set CODE=VALUE`` options as custom values; a field set more than once gets a list
    of every value given (for a field of several values; one value refuses it)."""
    from dealterm.core.errors import ValidationError

    result: dict[str, Any] = {}
    for pair in pairs:
        code, sep, value = pair.partition("=")
        if not sep:
            raise ValidationError(f"--set needs CODE=VALUE, not {pair!r}", field="custom_fields")
        key, given = code.strip(), value if value != "" else None
        if key in result:
            before = result[key]
            result[key] = [*(before if isinstance(before, list) else [before]), given]
        else:
            result[key] = given
    return result


SET_HELP = (
    "Custom field CODE=VALUE (the code or the label). Repeatable: repeat a field of several "
    "values once per value (or separate them with commas); a list option holding a comma is "
    "given whole, as it is written ('--set \"Colors=Red, dark\"')."
)


def _print_deal_line(verb: str, deal: Any) -> None:
    echo(f'{verb} deal #{deal.id} "{deal.title}": {deal.stage_name} ({deal.pipeline})')


@app.command("add")
def add(
    ctx: typer.Context,
    title: Annotated[
        str | None, typer.Option("--title", help='Title; "Deal #<id>" if left out.')
    ] = None,
    amount: Annotated[str | None, typer.Option(help="Amount, e.g. 1500 or 1 500,50.")] = None,
    currency: Annotated[
        str | None, typer.Option(help="Currency code; the base currency if left out.")
    ] = None,
    pipeline: Annotated[
        str | None, typer.Option(help="Pipeline name or id; the default pipeline if left out.")
    ] = None,
    stage: Annotated[
        str | None, typer.Option(help="Stage code or name; the pipeline's first stage if left out.")
    ] = None,
    company: Annotated[
        str | None, typer.Option(help="Company name (created if new) or id.")
    ] = None,
    contact: Annotated[
        list[str] | None,
        typer.Option(help="Contact name or id; repeat for more (the first is primary)."),
    ] = None,
    type_: Annotated[
        str | None, typer.Option("--type", help="Deal type code or name (SALE, SERVICES, ...).")
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Source code or name (CALL, WEB, ...).")
    ] = None,
    source_description: Annotated[
        str | None, typer.Option(help="Where exactly the deal came from.")
    ] = None,
    responsible: Annotated[
        str | None, typer.Option(help="User login, name or id; you if left out.")
    ] = None,
    begin_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD; today if left out.")] = None,
    close_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD; today + 7 days if left out.")
    ] = None,
    probability: Annotated[
        str | None, typer.Option(help="0-100; the stage's probability if left out.")
    ] = None,
    comment: Annotated[str | None, typer.Option(help="Comments on the deal.")] = None,
    product: Annotated[
        list[str] | None,
        typer.Option(
            help="Product row: 'name=Widget; price=100; qty=3; discount=10%; tax=20'. Repeatable."
        ),
    ] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help=SET_HELP)] = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Create a deal."""
    from dealterm.core.services.deals import DealCreate, create_deal

    data = DealCreate(
        title=title,
        amount=amount,
        currency=currency,
        pipeline=pipeline,
        stage=stage,
        company=company,
        contacts=list(contact or []),
        type=type_,
        source=source,
        source_description=cleaned(source_description),
        responsible=responsible,
        begin_date=begin_date,
        close_date=close_date,
        probability=probability,
        comments=cleaned(comment, multiline=True),
        products=[parse_row_spec(spec) for spec in product or []],
        custom_fields=_parse_custom(set_ or []),
    )
    database = open_db(ctx, db)
    with database.session() as session:
        deal = create_deal(session, data)
    if json_:
        echo_json(deal.model_dump(mode="json"))
    else:
        _print_deal_line("Created", deal)


@app.command("list")
def list_(
    ctx: typer.Context,
    pipeline: F.Pipeline = None,
    stage: F.Stage = None,
    open_: F.Open = False,
    won: F.Won = False,
    lost: F.Lost = False,
    closed: F.Closed = False,
    search: F.Search = None,
    responsible: F.Responsible = None,
    min_amount: F.MinAmount = None,
    max_amount: F.MaxAmount = None,
    currency: F.Currency = None,
    type_: F.DealType = None,
    source: F.Source = None,
    created_from: F.CreatedFrom = None,
    created_to: F.CreatedTo = None,
    close_from: F.CloseFrom = None,
    close_to: F.CloseTo = None,
    repeat: F.Repeat = None,
    without_activities: F.WithoutActivities = False,
    overdue: F.Overdue = False,
    field: F.CustomField = None,
    preset: F.Preset = None,
    saved: F.Saved = None,
    save_as: Annotated[
        str | None, typer.Option(help="Save this filter under a name (for --saved and the app).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000_000, help="At most this many deals.")] = 50,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List deals matching a filter, newest first."""
    options = dict(locals())
    settings_of(ctx, db)  # the date format, before the dates given are read
    # Only a saved filter needs the database to be built.
    flt = None if saved else command_filter(None, options)
    if flt is not None and not save_as and _quick_list(ctx, db, flt, limit, json_=json_):
        return
    from dealterm.core.queries import count_deals, list_deals

    database = open_db(ctx, db)
    with database.session(write=save_as is not None) as session:
        if flt is None:
            flt = command_filter(session, options)
        deals = list_deals(session, flt, limit=limit)
        total = count_deals(session, flt) if not json_ and len(deals) == limit else None
        if save_as:
            from dealterm.core.services.saved_filters import save_filter

            save_filter(session, cleaned(save_as), flt)
    if json_:
        echo_json([deal.model_dump(mode="json") for deal in deals])
    else:
        from dealterm.cli.output import print_deal_table

        print_deal_table(deals, locale=database.locale, total=total)
        if save_as:
            echo(f"Saved the filter as {save_as!r}", err=True)


def _quick_list(ctx: typer.Context, db: str | None, flt: Any, limit: int, *, json_: bool) -> bool:
    """Print the listing read with ``sqlite3`` alone (no ORM import), if it can be."""
    from dealterm.cli.quick import print_quick_listing

    settings, target = settings_of(ctx, db)
    return print_quick_listing(settings, target, flt, limit, json_=json_)


@app.command("show")
def show(
    ctx: typer.Context,
    deal_id: DealId,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show a deal with its product rows, activities and history."""
    from dealterm.core.queries import deal_detail

    database = open_db(ctx, db)
    with database.session(write=False) as session:
        deal = deal_detail(session, deal_id)
    if json_:
        echo_json(deal.model_dump(mode="json"))
    else:
        from dealterm.cli.output import print_deal

        print_deal(deal, locale=database.locale, clock=database.clock)


@app.command("edit")
def edit(
    ctx: typer.Context,
    deal_id: DealId,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    amount: Annotated[
        str | None, typer.Option(help="New amount (makes the amount manual).")
    ] = None,
    currency: Annotated[str | None, typer.Option(help="Currency code.")] = None,
    company: Annotated[str | None, typer.Option(help="Company name or id; '' removes it.")] = None,
    contact: Annotated[
        list[str] | None, typer.Option(help="Contacts (replace the list); repeat for more.")
    ] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Deal type code or name.")] = None,
    source: Annotated[str | None, typer.Option(help="Source code or name.")] = None,
    source_description: Annotated[str | None, typer.Option(help="Source description.")] = None,
    responsible: Annotated[str | None, typer.Option(help="User login, name or id.")] = None,
    begin_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    close_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    probability: Annotated[str | None, typer.Option(help="0-100; '' follows the stage.")] = None,
    comments: Annotated[str | None, typer.Option(help="Comments on the deal ('' clears).")] = None,
    manual_amount: Annotated[
        bool | None,
        typer.Option(
            "--manual-amount/--auto-amount",
            help="Keep a typed amount, or follow the product rows.",
            show_default=False,
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help=SET_HELP + " 'CODE=' removes the value; several values replace the old ones.",
        ),
    ] = None,
    version: VersionOption = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Change fields of a deal; each change is recorded in its history."""
    from dealterm.core.services.deals import DealUpdate, update_deal

    given: dict[str, Any] = {}
    for key, value in (
        ("title", title),
        ("amount", amount),
        ("currency", currency),
        ("company", company),
        ("type", type_),
        ("source", source),
        ("source_description", cleaned(source_description)),
        ("responsible", responsible),
        ("begin_date", begin_date),
        ("close_date", close_date),
        ("probability", probability),
        ("comments", cleaned(comments, multiline=True)),
        ("manual_amount", manual_amount),
    ):
        if value is not None:
            given[key] = value
    if contact is not None:
        given["contacts"] = [c for c in contact if c.strip()]
    if set_:
        given["custom_fields"] = _parse_custom(set_)
    if not given:
        fail("nothing to change: give at least one option (see dealterm deal edit --help)")
    database = open_db(ctx, db)
    with database.session() as session:
        deal = update_deal(session, deal_id, DealUpdate(**given), expected_version=version)
    if json_:
        echo_json(deal.model_dump(mode="json"))
    else:
        _print_deal_line("Updated", deal)


@app.command("products")
def products(
    ctx: typer.Context,
    deal_id: DealId,
    row: Annotated[
        list[str] | None,
        typer.Option(
            help="A row: 'name=Widget; price=100; qty=3; discount=10%; tax=20'. Repeatable."
        ),
    ] = None,
    clear: Annotated[bool, typer.Option(help="Remove every product row.")] = False,
    version: VersionOption = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Replace a deal's product rows (an automatic amount follows their total)."""
    from dealterm.core.services.deals import set_product_rows

    if not row and not clear:
        fail("give --row (repeatable) or --clear")
    if row and clear:
        fail("--row and --clear cannot be combined")
    rows = [parse_row_spec(spec) for spec in row or []]
    database = open_db(ctx, db)
    with database.session() as session:
        deal = set_product_rows(session, deal_id, rows, expected_version=version)
    if json_:
        echo_json(deal.model_dump(mode="json"))
    else:
        echo(
            f"Deal #{deal.id} now has {counted(len(rows), 'product row')}; "
            f"amount {deal.amount} {deal.currency}"
        )


@app.command("move")
def move(
    ctx: typer.Context,
    deal_id: DealId,
    stage: Annotated[str, typer.Argument(metavar="STAGE_CODE", help="Target stage code or name.")],
    reason: Annotated[
        str | None, typer.Option(help="Lost reason, when moving to a failure stage.")
    ] = None,
    version: VersionOption = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Move a deal to another stage of its pipeline."""
    from dealterm.core.services.flow import move_deal

    database = open_db(ctx, db)
    with database.session() as session:
        deal = move_deal(
            session, deal_id, stage, expected_version=version, lost_reason=cleaned(reason)
        )
    if json_:
        echo_json(deal.model_dump(mode="json"))
    else:
        _print_deal_line("Moved", deal)


@app.command("pipeline")
def pipeline(
    ctx: typer.Context,
    deal_id: DealId,
    target: Annotated[str, typer.Argument(help="Pipeline name or id.", show_default=False)],
    version: VersionOption = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Move a deal to another pipeline: into its first stage of the same kind
    (in progress, won or lost)."""
    from dealterm.core.services.flow import change_pipeline

    database = open_db(ctx, db)
    with database.session() as session:
        deal = change_pipeline(session, deal_id, target, expected_version=version)
    if json_:
        echo_json(deal.model_dump(mode="json"))
    else:
        _print_deal_line("Moved", deal)


@app.command("won")
def won(
    ctx: typer.Context,
    deal_id: DealId,
    version: VersionOption = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Close a deal as won."""
    from dealterm.core.services.flow import mark_won

    database = open_db(ctx, db)
    with database.session() as session:
        deal = mark_won(session, deal_id, expected_version=version)
    if json_:
        echo_json(deal.model_dump(mode="json"))
    else:
        _print_deal_line("Won", deal)


@app.command("lost")
def lost(
    ctx: typer.Context,
    deal_id: DealId,
    reason: Annotated[
        str | None, typer.Option(help="Why: a reason from the directory or free text.")
    ] = None,
    stage: Annotated[
        str | None, typer.Option(help="Failure stage; the first one if left out.")
    ] = None,
    version: VersionOption = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Close a deal as lost, with a reason."""
    from dealterm.core.services.flow import mark_lost

    database = open_db(ctx, db)
    with database.session() as session:
        deal = mark_lost(
            session, deal_id, reason=cleaned(reason), stage=stage, expected_version=version
        )
    if json_:
        echo_json(deal.model_dump(mode="json"))
    else:
        _print_deal_line("Lost", deal)


@app.command("reopen")
def reopen(
    ctx: typer.Context,
    deal_id: DealId,
    stage: Annotated[
        str | None,
        typer.Option(help="Stage to reopen in; the stage it was in before closing if left out."),
    ] = None,
    version: VersionOption = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Reopen a won or lost deal."""
    from dealterm.core.services.flow import reopen_deal

    database = open_db(ctx, db)
    with database.session() as session:
        deal = reopen_deal(session, deal_id, stage=stage, expected_version=version)
    if json_:
        echo_json(deal.model_dump(mode="json"))
    else:
        _print_deal_line("Reopened", deal)


@app.command("delete")
def delete(
    ctx: typer.Context,
    deal_id: DealId,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Delete a deal with its products, activities and history.

    Asks first in a terminal; elsewhere (a script, a pipe) it needs --yes.
    """
    from dealterm.core.queries import get_deal
    from dealterm.core.services.deals import delete_deal

    asking = must_ask(yes, "deleting")
    database = open_db(ctx, db)
    if asking:
        with database.session(write=False) as session:
            deal = get_deal(session, deal_id)
        ask(f'Delete deal #{deal.id} "{deal.title}" and its history?')
    with database.session() as session:
        title = delete_deal(session, deal_id)
    echo(f'Deleted deal #{deal_id} "{title}"')
