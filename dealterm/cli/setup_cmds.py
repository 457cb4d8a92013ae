"""``dealterm pipeline|stage|field ...``: setting up pipelines, stages and custom fields."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dealterm.cli.common import (
    DbOption,
    JsonOption,
    cleaned,
    echo,
    echo_json,
    open_db,
)
from dealterm.cli.words import counted

pipeline_app = typer.Typer(
    help="Pipelines: list, add, rename, reorder, default, delete.", no_args_is_help=True
)
stage_app = typer.Typer(
    help="Stages of a pipeline: list, add, edit, move, delete.", no_args_is_help=True
)
field_app = typer.Typer(
    help="Custom fields of deals: list, add, edit, delete.", no_args_is_help=True
)

PipelineOpt = Annotated[
    str | None,
    typer.Option("--pipeline", "-p", help="Pipeline name or id; the default one if left out."),
]


def _deals(count: int) -> str:
    return counted(count, "deal")


def _pipeline_json(pipeline: Any, deals: int) -> dict[str, Any]:
    return {
        "id": pipeline.id,
        "name": pipeline.name,
        "sort": pipeline.sort,
        "default": pipeline.is_default,
        "deals": deals,
    }


@pipeline_app.command("list")
def pipeline_list(ctx: typer.Context, json_: JsonOption = False, db: DbOption = None) -> None:
    """List pipelines with their number of deals."""
    from dealterm.core.services import pipeline_admin, pipelines

    database = open_db(ctx, db)
    with database.session(write=False) as session:
        rows = [
            _pipeline_json(p, pipeline_admin.deal_count(session, p.id or 0))
            for p in pipelines.list_pipelines(session)
        ]
    if json_:
        echo_json(rows)
        return
    for row in rows:
        mark = " (default)" if row["default"] else ""
        echo(f"{row['id']:>3}  {row['name']}{mark}  {_deals(row['deals'])}")


@pipeline_app.command("add")
def pipeline_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The new pipeline's name.")],
    default: Annotated[
        bool, typer.Option("--default", help="Make it the default pipeline.")
    ] = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Add a pipeline with the default stages (New … Deal successful, Deal failed, …)."""
    from dealterm.core.services import pipeline_admin, pipelines

    database = open_db(ctx, db)
    with database.session() as session:
        pipeline = pipelines.create_pipeline(
            session, cleaned(name), sort=100 * (len(pipelines.list_pipelines(session)) + 1)
        )
        if default:
            pipeline_admin.set_default_pipeline(session, pipeline.id or 0)
        row = _pipeline_json(pipeline, 0)
    echo_json(row) if json_ else echo(f"Added pipeline #{row['id']} {row['name']!r}")


@pipeline_app.command("rename")
def pipeline_rename(
    ctx: typer.Context,
    pipeline: Annotated[str, typer.Argument(help="Pipeline name or id.")],
    name: Annotated[str, typer.Argument(help="The new name.")],
    db: DbOption = None,
) -> None:
    """Rename a pipeline."""
    from dealterm.core.services import pipeline_admin

    with open_db(ctx, db).session() as session:
        renamed = pipeline_admin.rename_pipeline(session, pipeline, cleaned(name))
        echo(f"Pipeline #{renamed.id} is now {renamed.name!r}")


@pipeline_app.command("default")
def pipeline_default(
    ctx: typer.Context,
    pipeline: Annotated[str, typer.Argument(help="Pipeline name or id.")],
    db: DbOption = None,
) -> None:
    """Make a pipeline the default one."""
    from dealterm.core.services import pipeline_admin

    with open_db(ctx, db).session() as session:
        chosen = pipeline_admin.set_default_pipeline(session, pipeline)
        echo(f"{chosen.name!r} is the default pipeline")


@pipeline_app.command("reorder")
def pipeline_reorder(
    ctx: typer.Context,
    order: Annotated[
        list[str], typer.Argument(help="Pipelines (names or ids) in the order wanted.")
    ],
    db: DbOption = None,
) -> None:
    """Put pipelines in an order (those not named follow)."""
    from dealterm.core.services import pipeline_admin

    with open_db(ctx, db).session() as session:
        result = pipeline_admin.reorder_pipelines(session, list(order))
        echo("Order: " + ", ".join(p.name for p in result))


@pipeline_app.command("delete")
def pipeline_delete(
    ctx: typer.Context,
    pipeline: Annotated[str, typer.Argument(help="Pipeline name or id.")],
    move_to: Annotated[
        str | None, typer.Option(help="Move its deals to this pipeline first (same kind of stage).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Delete a pipeline (refused while it holds deals, unless --move-to says where they go)."""
    from dealterm.core.services import pipeline_admin

    with open_db(ctx, db).session() as session:
        moved = pipeline_admin.delete_pipeline(session, pipeline, move_to=move_to)
    echo(f"Deleted pipeline {pipeline!r}" + (f"; moved {_deals(moved)}" if moved else ""))


def _stage_json(stage: Any, deals: int) -> dict[str, Any]:
    return {
        "id": stage.id,
        "code": stage.code,
        "name": stage.name,
        "semantics": stage.semantics,
        "sort": stage.sort,
        "color": stage.color,
        "probability": stage.probability,
        "rotting_days": stage.rotting_days,
        "deals": deals,
    }


@stage_app.command("list")
def stage_list(
    ctx: typer.Context, pipeline: PipelineOpt = None, json_: JsonOption = False, db: DbOption = None
) -> None:
    """List the stages of a pipeline in order."""
    from dealterm.core.services import pipelines, stage_admin

    database = open_db(ctx, db)
    with database.session(write=False) as session:
        found = pipelines.resolve_pipeline(session, pipeline)
        rows = [
            _stage_json(s, stage_admin.stage_deal_count(session, s.id or 0))
            for s in pipelines.stages_of(session, found.id or 0)
        ]
    if json_:
        echo_json(rows)
        return
    for row in rows:
        rot = f", rotting after {row['rotting_days']}d" if row["rotting_days"] else ""
        echo(
            f"{row['code']:<20} {row['name']:<28} {row['semantics']:<8} {row['color']} "
            f"{row['probability']:>3}%{rot}  {_deals(row['deals'])}"
        )


@stage_app.command("add")
def stage_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The stage's name.")],
    pipeline: PipelineOpt = None,
    failure: Annotated[
        bool,
        typer.Option("--failure", help="A failure (lost) stage instead of an in-progress one."),
    ] = False,
    code: Annotated[
        str | None, typer.Option(help="Stage code (letters, digits, _ or -); a number if left out.")
    ] = None,
    color: Annotated[str | None, typer.Option(help="#RRGGBB.")] = None,
    probability: Annotated[str | None, typer.Option(help="0-100.")] = None,
    rotting_days: Annotated[
        str | None, typer.Option(help="Days in the stage before a deal is marked rotting.")
    ] = None,
    position: Annotated[
        int | None, typer.Option(min=1, help="Place among the stages of its kind (1 = first).")
    ] = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Add an in-progress stage (or with --failure, a failure stage)."""
    from dealterm.core.services import stage_admin

    with open_db(ctx, db).session() as session:
        stage = stage_admin.add_stage(
            session,
            pipeline or "",
            cleaned(name),
            semantics="failure" if failure else "process",
            color=color,
            probability=probability,
            rotting_days=rotting_days,
            code=code,
            position=position,
        )
        row = _stage_json(stage, 0)
    echo_json(row) if json_ else echo(f"Added stage {row['code']} {row['name']!r}")


@stage_app.command("edit")
def stage_edit(
    ctx: typer.Context,
    stage: Annotated[str, typer.Argument(help="Stage code or name.")],
    pipeline: PipelineOpt = None,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    color: Annotated[str | None, typer.Option(help="#RRGGBB.")] = None,
    probability: Annotated[str | None, typer.Option(help="0-100.")] = None,
    rotting_days: Annotated[str | None, typer.Option(help="Days; 0 turns it off.")] = None,
    db: DbOption = None,
) -> None:
    """Change a stage's name, colour, probability or rotting days."""
    from dealterm.core.services import stage_admin

    with open_db(ctx, db).session() as session:
        changed = stage_admin.edit_stage(
            session,
            pipeline or "",
            stage,
            name=cleaned(name),
            color=color,
            probability=probability,
            rotting_days=rotting_days,
        )
        echo(f"Stage {changed.code}: {changed.name!r}, {changed.color}, {changed.probability}%")


@stage_app.command("move")
def stage_move(
    ctx: typer.Context,
    stage: Annotated[str, typer.Argument(help="Stage code or name.")],
    position: Annotated[int, typer.Argument(min=1, help="New place among all stages (1 = first).")],
    pipeline: PipelineOpt = None,
    db: DbOption = None,
) -> None:
    """Move a stage (in-progress stages stay before the success stage, failure stages after)."""
    from dealterm.core.services import stage_admin

    with open_db(ctx, db).session() as session:
        stages = stage_admin.move_stage(session, pipeline or "", stage, position)
        echo("Order: " + ", ".join(s.code for s in stages))


@stage_app.command("delete")
def stage_delete(
    ctx: typer.Context,
    stage: Annotated[str, typer.Argument(help="Stage code or name.")],
    pipeline: PipelineOpt = None,
    move_to: Annotated[str | None, typer.Option(help="Stage that takes its deals.")] = None,
    db: DbOption = None,
) -> None:
    """Delete a stage (its deals need --move-to; the first and the success stage stay)."""
    from dealterm.core.services import stage_admin

    with open_db(ctx, db).session() as session:
        moved = stage_admin.delete_stage(session, pipeline or "", stage, move_to=move_to)
    echo(f"Deleted stage {stage}" + (f"; moved {_deals(moved)}" if moved else ""))


def _field_json(field: Any) -> dict[str, Any]:
    return {
        "code": field.code,
        "label": field.label,
        "type": field.type,
        "multiple": field.multiple,
        "required": field.required,
        "default": field.default,
        "options": field.options,
        "sort": field.sort,
        "active": field.active,
    }


@field_app.command("list")
def field_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include hidden fields.")] = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List custom fields."""
    from dealterm.core.services import custom_fields

    with open_db(ctx, db).session(write=False) as session:
        rows = [_field_json(f) for f in custom_fields.list_fields(session, include_hidden=all_)]
    if json_:
        echo_json(rows)
        return
    if not rows:
        echo("No custom fields yet: dealterm field add CODE LABEL --type ...")
    for row in rows:
        flags = (
            [row["type"]]
            + (["multiple"] if row["multiple"] else [])
            + (["required"] if row["required"] else [])
        )
        extra = f" options: {', '.join(row['options'])}" if row["options"] else ""
        default = f" default: {row['default']}" if row["default"] not in (None, "") else ""
        hidden = " (hidden)" if not row["active"] else ""
        echo(f"{row['code']:<24} {row['label']:<24} {', '.join(flags)}{extra}{default}{hidden}")


@field_app.command("add")
def field_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="UF_CRM_NAME (the prefix is added if left out).")],
    label: Annotated[str, typer.Argument(help="What users see.")],
    type_: Annotated[
        str,
        typer.Option(
            "--type",
            help="string, number, money, date, datetime, boolean, list, url, contact or company.",
        ),
    ] = "string",
    option: Annotated[
        list[str] | None, typer.Option(help="An option of a list field. Repeatable.")
    ] = None,
    multiple: Annotated[bool, typer.Option("--multiple", help="Several values.")] = False,
    required: Annotated[bool, typer.Option("--required", help="Deals must have a value.")] = False,
    default: Annotated[str | None, typer.Option(help="Value of new deals.")] = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Add a custom field to deals."""
    from dealterm.core.services import custom_fields

    with open_db(ctx, db).session() as session:
        field = custom_fields.define_field(
            session,
            code,
            label,
            type=type_,
            multiple=multiple,
            required=required,
            default=default,
            options=list(option or []),
        )
        row = _field_json(field)
    echo_json(row) if json_ else echo(f"Added field {row['code']} ({row['type']})")


@field_app.command("edit")
def field_edit(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Field code or label.")],
    label: Annotated[str | None, typer.Option(help="New label.")] = None,
    option: Annotated[
        list[str] | None, typer.Option(help="Replace the options of a list field. Repeatable.")
    ] = None,
    required: Annotated[
        bool | None,
        typer.Option("--required/--optional", help="Required or not.", show_default=False),
    ] = None,
    multiple: Annotated[
        bool | None,
        typer.Option("--multiple/--single", help="Several values or one.", show_default=False),
    ] = None,
    default: Annotated[str | None, typer.Option(help="Value of new deals ('' removes it).")] = None,
    db: DbOption = None,
) -> None:
    """Change a custom field (its code and type stay)."""
    from dealterm.core.services import custom_fields

    with open_db(ctx, db).session() as session:
        field = custom_fields.edit_field(
            session,
            code,
            label=label,
            options=list(option) if option else None,
            required=required,
            multiple=multiple,
            default=... if default is None else default,
        )
        echo(
            f"Field {field.code}: {field.label!r}, {field.type}"
            + (", required" if field.required else "")
        )


@field_app.command("delete")
def field_delete(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Field code or label.")],
    db: DbOption = None,
) -> None:
    """Delete a custom field (hidden instead when deals hold values of it)."""
    from dealterm.core.services import custom_fields

    with open_db(ctx, db).session() as session:
        result = custom_fields.delete_field(session, code)
    echo(f"Field {code} {result}" + (" (deals hold values of it)" if result == "hidden" else ""))


@field_app.command("restore")
def field_restore(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Field code or label.")],
    db: DbOption = None,
) -> None:
    """Offer a hidden custom field again (its values were kept)."""
    from dealterm.core.services import custom_fields

    with open_db(ctx, db).session() as session:
        field = custom_fields.restore_field(session, code)
        echo(f"Field {field.code} is offered again")
