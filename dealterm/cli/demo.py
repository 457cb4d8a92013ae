"""``dealterm demo``: fill a database with realistic demo data."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from dealterm.cli.common import DbOption, JsonOption, echo, echo_json, open_db
from dealterm.cli.words import counted


def demo(
    ctx: typer.Context,
    deals: Annotated[
        int, typer.Option("--deals", min=0, max=5_000_000, help="How many deals.")
    ] = 500,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed on the same day gives the same data.")
    ] = 42,
    append: Annotated[bool, typer.Option(help="Add to a database that already has deals.")] = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Fill the database with demo companies, contacts, deals, activities and history."""
    from dataclasses import asdict

    from dealterm.core.demo import generate_demo

    database = open_db(ctx, db)
    started = time.perf_counter()
    with database.session(bulk=True) as session:
        summary = generate_demo(session, deals=deals, seed=seed, append=append)
    elapsed = time.perf_counter() - started
    if json_:
        echo_json(asdict(summary) | {"seconds": round(elapsed, 2), "database": str(database.url)})
    else:
        echo(
            f"Demo data in {database.name}: {counted(summary.deals, 'deal')}, "
            f"{counted(summary.companies, 'company', 'companies')}, "
            f"{counted(summary.contacts, 'contact')}, "
            f"{counted(summary.activities, 'activity', 'activities')} ({elapsed:.1f} s)"
        )
