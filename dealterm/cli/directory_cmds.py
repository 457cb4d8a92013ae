"""``dealterm directory ...`` and ``dealterm product ...``: the directories and the catalogue."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from dealterm.cli.common import DbOption, JsonOption, echo, echo_json, open_db

directory_app = typer.Typer(
    help="Directories: deal types (type), sources (source), lost reasons (lost_reason), currencies "
    "(currency). List, add, edit, remove (hidden when in use), restore.",
    no_args_is_help=True,
)
product_app = typer.Typer(
    help="The products catalogue: list, add, edit, remove.", no_args_is_help=True
)

Kind = Annotated[str, typer.Argument(help="type, source, lost_reason or currency.")]
Key = Annotated[str, typer.Argument(help="Code (types, sources, currencies) or id/name.")]


def _print(entries: list, json_: bool) -> None:  # type: ignore[type-arg]
    if json_:
        echo_json([asdict(e) for e in entries])
        return
    for entry in entries:
        details = ", ".join(
            f"{k}={v}" for k, v in entry.details.items() if v not in (None, "", False)
        )
        hidden = " (hidden)" if not entry.active else ""
        echo(f"{entry.key:<18} {entry.name:<32} {details}{hidden}")


@directory_app.command("list")
def directory_list(
    ctx: typer.Context,
    kind: Kind,
    all_: Annotated[bool, typer.Option("--all", help="Include hidden values.")] = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List a directory."""
    from dealterm.core.services import directory_admin

    with open_db(ctx, db).session(write=False) as session:
        _print(directory_admin.list_entries(session, kind, include_hidden=all_), json_)


@directory_app.command("add")
def directory_add(
    ctx: typer.Context,
    kind: Kind,
    name: Annotated[str, typer.Argument(help="What users see.")],
    code: Annotated[
        str | None,
        typer.Option(
            help="The fixed code deals, filters, imports and scripts use for the value "
            "(--type WEB, --source TIKTOK): capital letters, digits and _. Types and sources: "
            'made from the name if left out ("TikTok" -> TIKTOK, "Соцсети" -> SOTSSETI). '
            "Currencies: required, three letters (EUR).",
            show_default=False,
        ),
    ] = None,
    symbol: Annotated[str | None, typer.Option(help="Currency sign, e.g. €.")] = None,
    rate: Annotated[
        str | None, typer.Option(help="Value of one unit in the base currency.")
    ] = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Add a value to a directory."""
    from dealterm.core.services import directory_admin

    with open_db(ctx, db).session() as session:
        entry = directory_admin.add_entry(
            session, kind, name=name, code=code, symbol=symbol, rate=rate or 1
        )
    _print([entry], json_) if json_ else echo(f"Added {entry.kind} {entry.key} {entry.name!r}")


@directory_app.command("edit")
def directory_edit(
    ctx: typer.Context,
    kind: Kind,
    key: Key,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    symbol: Annotated[str | None, typer.Option(help="Currency sign.")] = None,
    rate: Annotated[
        str | None, typer.Option(help="Value of one unit in the base currency.")
    ] = None,
    sort: Annotated[int | None, typer.Option(help="Position in lists.")] = None,
    db: DbOption = None,
) -> None:
    """Change a directory value (codes stay)."""
    from dealterm.core.services import directory_admin

    with open_db(ctx, db).session() as session:
        entry = directory_admin.edit_entry(
            session, kind, key, name=name, symbol=symbol, rate=rate, sort=sort
        )
    echo(f"{entry.kind} {entry.key}: {entry.name!r}")


@directory_app.command("remove")
def directory_remove(ctx: typer.Context, kind: Kind, key: Key, db: DbOption = None) -> None:
    """Delete a value, or hide it when deals use it."""
    from dealterm.core.services import directory_admin

    with open_db(ctx, db).session() as session:
        result = directory_admin.remove_entry(session, kind, key)
    echo(f"{kind} {key} {result}" + (" (deals use it)" if result == "hidden" else ""))


@directory_app.command("restore")
def directory_restore(ctx: typer.Context, kind: Kind, key: Key, db: DbOption = None) -> None:
    """Show a hidden value again."""
    from dealterm.core.services import directory_admin

    with open_db(ctx, db).session() as session:
        entry = directory_admin.restore_entry(session, kind, key)
    echo(f"{entry.kind} {entry.key} is shown again")


@directory_app.command("base-currency")
def directory_base(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Currency code.")],
    db: DbOption = None,
) -> None:
    """Make a currency the base one (every rate is recomputed against it)."""
    from dealterm.core.services import directory_admin

    with open_db(ctx, db).session() as session:
        entry = directory_admin.set_base_currency(session, code)
    echo(f"{entry.key} is the base currency; rates were recomputed")


@product_app.command("list")
def product_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include hidden products.")] = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List the catalogue."""
    from dealterm.core.services import directory_admin

    with open_db(ctx, db).session(write=False) as session:
        _print(directory_admin.list_entries(session, "product", include_hidden=all_), json_)


@product_app.command("add")
def product_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Product name.")],
    price: Annotated[str, typer.Option(help="Unit price.")] = "0",
    currency: Annotated[
        str | None, typer.Option(help="Currency code; the base one if left out.")
    ] = None,
    measure: Annotated[str, typer.Option(help="Unit: pcs, h, kg, ...")] = "pcs",
    tax: Annotated[str | None, typer.Option(help="Tax rate, %.")] = None,
    tax_included: Annotated[
        bool, typer.Option("--tax-included", help="The price includes the tax.")
    ] = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Add a product to the catalogue."""
    from dealterm.core.services import directory_admin

    with open_db(ctx, db).session() as session:
        entry = directory_admin.add_entry(
            session,
            "product",
            name=name,
            price=price,
            currency=currency,
            measure=measure,
            tax_rate=tax,
            tax_included=tax_included,
        )
    _print([entry], json_) if json_ else echo(f"Added product #{entry.key} {entry.name!r}")


@product_app.command("edit")
def product_edit(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Product id or name.")],
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    price: Annotated[str | None, typer.Option(help="Unit price.")] = None,
    currency: Annotated[str | None, typer.Option(help="Currency code.")] = None,
    measure: Annotated[str | None, typer.Option(help="Unit.")] = None,
    tax: Annotated[str | None, typer.Option(help="Tax rate, % ('' removes it).")] = None,
    db: DbOption = None,
) -> None:
    """Change a product."""
    from dealterm.core.services import directory_admin

    values = {"name": name, "price": price, "currency": currency, "measure": measure}
    if tax is not None:
        values["tax_rate"] = tax
    with open_db(ctx, db).session() as session:
        entry = directory_admin.edit_entry(session, "product", key, **values)
    echo(
        f"Product #{entry.key}: {entry.name!r} {entry.details['price']} {entry.details['currency']}"
    )


@product_app.command("remove")
def product_remove(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Product id or name.")],
    db: DbOption = None,
) -> None:
    """Delete a product, or hide it when deals use it."""
    from dealterm.core.services import directory_admin

    with open_db(ctx, db).session() as session:
        result = directory_admin.remove_entry(session, "product", key)
    echo(f"Product {key} {result}")
