"""``dealterm comment ...``: comments on a deal's timeline."""

from __future__ import annotations

from typing import Annotated

import typer

from dealterm.cli.common import (
    DbOption,
    DealIdOfActivity,
    JsonOption,
    cleaned,
    echo,
    echo_json,
    open_db,
)

app = typer.Typer(help="Comment on deals.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    deal_id: DealIdOfActivity,
    text: Annotated[str, typer.Argument(help="The comment.")],
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Add a comment to a deal's history."""
    from dealterm.core.services.history import add_comment

    database = open_db(ctx, db)
    with database.session() as session:
        event = add_comment(session, deal_id, cleaned(text, multiline=True))
        payload = {
            "id": event.id,
            "deal_id": deal_id,
            "at": event.at.isoformat().replace("+00:00", "Z"),
            "text": event.text,
        }
    if json_:
        echo_json(payload)
    else:
        echo(f"Comment added to deal #{deal_id}")
