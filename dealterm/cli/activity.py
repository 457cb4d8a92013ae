"""``dealterm activity ...``: plan, complete, reschedule and list activities."""

from __future__ import annotations

from typing import Annotated

import typer

from dealterm.cli.common import (
    ActivityId,
    DbOption,
    DealIdOfActivity,
    JsonOption,
    cleaned,
    echo,
    echo_json,
    must_fit,
    open_db,
)

app = typer.Typer(
    help="Plan and complete calls, meetings and tasks on deals.", no_args_is_help=True
)

KINDS = ("call", "meeting", "task", "email")


@app.command("add")
def add(
    ctx: typer.Context,
    deal_id: DealIdOfActivity,
    kind: Annotated[str, typer.Option(help="call, meeting, task or email.")] = "call",
    subject: Annotated[str, typer.Option(help="What to do.")] = "",
    deadline: Annotated[str, typer.Option(help='Local date and time, "YYYY-MM-DD HH:MM".')] = "",
    description: Annotated[str | None, typer.Option(help="Details.")] = None,
    responsible: Annotated[
        str | None, typer.Option(help="User login, name or id; the deal's responsible if left out.")
    ] = None,
    priority: Annotated[str, typer.Option(help="low, medium or high.")] = "medium",
    incoming: Annotated[
        bool,
        typer.Option(
            "--incoming",
            help="The client is reaching us (counts as today on the activities board).",
        ),
    ] = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Plan an activity on a deal."""
    from dealterm.core.errors import ValidationError
    from dealterm.core.services.activities import plan_activity

    if not subject.strip():
        raise ValidationError("--subject is required", field="subject")
    if not deadline.strip():
        raise ValidationError('--deadline is required ("YYYY-MM-DD HH:MM")', field="deadline")
    database = open_db(ctx, db)
    with database.session() as session:
        activity = plan_activity(
            session,
            deal_id,
            kind=kind,
            subject=subject,
            deadline=deadline,
            description=cleaned(description, multiline=True),
            responsible=responsible,
            priority=priority,
            direction="incoming" if incoming else None,
        )
    if json_:
        echo_json(activity.model_dump(mode="json"))
    else:
        when = database.clock.to_local(activity.deadline).strftime("%Y-%m-%d %H:%M")
        echo(
            f"Planned {activity.kind} #{activity.id} on deal #{deal_id}: "
            f"{activity.subject}, due {when}"
        )


@app.command("done")
def done(
    ctx: typer.Context,
    activity_id: ActivityId,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Mark an activity done."""
    from dealterm.core.services.activities import complete_activity, needs_next_activity

    database = open_db(ctx, db)
    with database.session() as session:
        activity = complete_activity(session, activity_id)
        lonely = needs_next_activity(session, activity.deal_id)
    if json_:
        echo_json(activity.model_dump(mode="json") | {"deal_needs_next_activity": lonely})
        return
    echo(f"Done: {activity.kind} #{activity.id} {activity.subject}")
    if lonely:
        echo(
            f"Deal #{activity.deal_id} has no planned activity now; plan the next step with "
            f"`dealterm activity add {activity.deal_id} ...`",
            err=True,
        )


@app.command("reschedule")
def reschedule(
    ctx: typer.Context,
    activity_id: ActivityId,
    deadline: Annotated[str, typer.Argument(help='New local date and time, "YYYY-MM-DD HH:MM".')],
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Move an open activity to a new deadline."""
    from dealterm.core.services.activities import reschedule_activity

    database = open_db(ctx, db)
    with database.session() as session:
        activity = reschedule_activity(session, activity_id, deadline)
    if json_:
        echo_json(activity.model_dump(mode="json"))
    else:
        when = database.clock.to_local(activity.deadline).strftime("%Y-%m-%d %H:%M")
        echo(f"Rescheduled {activity.kind} #{activity.id} to {when}")


@app.command("delete")
def delete(
    ctx: typer.Context,
    activity_id: ActivityId,
    db: DbOption = None,
) -> None:
    """Delete an activity (the deal's history keeps a note)."""
    from dealterm.core.services.activities import delete_activity

    database = open_db(ctx, db)
    with database.session() as session:
        delete_activity(session, activity_id)
    echo(f"Deleted activity #{activity_id}")


@app.command("list")
def list_(
    ctx: typer.Context,
    deal: Annotated[
        int | None, typer.Option(help="Only this deal's activities.", callback=must_fit("deal"))
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only open activities due before today.")
    ] = False,
    open_: Annotated[bool, typer.Option("--open", help="Only activities not done yet.")] = False,
    mine: Annotated[
        bool, typer.Option("--mine", help="Only activities you are responsible for.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 100,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List activities, soonest deadline first."""
    from dealterm.core.services.activities import list_activities

    database = open_db(ctx, db)
    with database.session(write=False) as session:
        found = list_activities(
            session,
            deal_id=deal,
            overdue=overdue,
            open_only=open_,
            responsible_id=database.user_id if mine else None,
            limit=limit,
        )
    if json_:
        echo_json([a.model_dump(mode="json") for a in found])
    else:
        from dealterm.cli.output import print_activities

        print_activities(found, clock=database.clock)
