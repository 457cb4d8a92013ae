"""``dealterm layout ...``: the deal card's sections and where each field sits."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dealterm.cli.common import DbOption, JsonOption, echo, echo_json, open_db

layout_app = typer.Typer(
    help="The deal card's layout: sections, field order, shown/always/hidden fields.",
    no_args_is_help=True,
)

SectionArg = Annotated[str, typer.Argument(help="Section name or id.")]
FieldArg = Annotated[
    str, typer.Argument(help="A field: built-in key or name (close_date, Close date) or UF code.")
]


def _layout_json(sections: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": section.id,
            "name": section.name,
            "fields": [
                {
                    "key": f.key,
                    "label": f.label,
                    "visibility": f.visibility,
                    "custom": f.custom is not None,
                    "required": f.required,
                }
                for f in section.fields
            ],
        }
        for section in sections
    ]


def _print(rows: list[dict[str, Any]]) -> None:
    for section in rows:
        echo(f"{section['id']:>3}  {section['name']}")
        for field in section["fields"]:
            marks = [field["visibility"]] + (["required"] if field["required"] else [])
            echo(f"       {field['label']:<28} {field['key']:<24} {', '.join(marks)}")


@layout_app.command("show")
def layout_show(ctx: typer.Context, json_: JsonOption = False, db: DbOption = None) -> None:
    """Show the card's sections and their fields in order."""
    from dealterm.core.services import card_layout

    with open_db(ctx, db).session(write=False) as session:
        rows = _layout_json(card_layout.card_layout(session))
    echo_json(rows) if json_ else _print(rows)


@layout_app.command("add-section")
def add_section(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The new section's name.")],
    db: DbOption = None,
) -> None:
    """Add an empty section at the end of the card."""
    from dealterm.core.services import card_layout

    with open_db(ctx, db).session() as session:
        section = card_layout.add_section(session, name)
        echo(f"Added section #{section.id} {section.name!r}")


@layout_app.command("rename-section")
def rename_section(
    ctx: typer.Context,
    section: SectionArg,
    name: Annotated[str, typer.Argument(help="The new name.")],
    db: DbOption = None,
) -> None:
    """Rename a section."""
    from dealterm.core.services import card_layout

    with open_db(ctx, db).session() as session:
        renamed = card_layout.rename_section(session, section, name)
        echo(f"Section #{renamed.id} is now {renamed.name!r}")


@layout_app.command("move-section")
def move_section(
    ctx: typer.Context,
    section: SectionArg,
    position: Annotated[int, typer.Argument(help="1 = the top of the card.")],
    db: DbOption = None,
) -> None:
    """Move a section to another position."""
    from dealterm.core.services import card_layout

    with open_db(ctx, db).session() as session:
        order = card_layout.move_section(session, section, position)
        echo("Sections: " + ", ".join(s.name for s in order))


@layout_app.command("delete-section")
def delete_section(ctx: typer.Context, section: SectionArg, db: DbOption = None) -> None:
    """Delete a section; its fields go to the section above it."""
    from dealterm.core.services import card_layout

    with open_db(ctx, db).session() as session:
        heir = card_layout.delete_section(session, section)
        echo(f"Deleted section {section!r}; its fields are now in {heir!r}")


@layout_app.command("place")
def place(
    ctx: typer.Context,
    field: FieldArg,
    section: Annotated[
        str | None, typer.Option("--section", "-s", help="Section name or id (default: its own).")
    ] = None,
    position: Annotated[
        int | None, typer.Option("--position", help="1 = first in the section (default: last).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Move a field to another section or position."""
    from dealterm.core.services import card_layout

    with open_db(ctx, db).session() as session:
        target = card_layout.place_field(session, field, section, position)
        echo(f"{target.name}: " + ", ".join(f.label for f in target.fields))


@layout_app.command("visibility")
def visibility(
    ctx: typer.Context,
    field: FieldArg,
    mode: Annotated[
        str,
        typer.Argument(
            help="always (even when empty), shown (once it has a value) or hidden (on demand)."
        ),
    ],
    db: DbOption = None,
) -> None:
    """Show a field always, only once filled, or only on demand (ctrl+o on the card)."""
    from dealterm.core.services import card_layout

    with open_db(ctx, db).session() as session:
        changed = card_layout.set_visibility(session, field, mode)
        echo(f"{changed.label}: {changed.visibility}")
