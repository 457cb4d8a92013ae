"""The filter options `deal list` and `export deals` share, and turning them into a DealFilter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from dealterm.core.filters import DealFilter

__all__ = ["FilterOptions", "build_filter", "command_filter"]

Pipeline = Annotated[
    str | None, typer.Option(help="Pipeline name or id.", rich_help_panel="Filter")
]
Stage = Annotated[str | None, typer.Option(help="Stage code or name.", rich_help_panel="Filter")]
Open = Annotated[
    bool, typer.Option("--open", help="Only deals in progress.", rich_help_panel="Filter")
]
Won = Annotated[bool, typer.Option("--won", help="Only won deals.", rich_help_panel="Filter")]
Lost = Annotated[bool, typer.Option("--lost", help="Only lost deals.", rich_help_panel="Filter")]
Closed = Annotated[
    bool, typer.Option("--closed", help="Only won or lost deals.", rich_help_panel="Filter")
]
Search = Annotated[
    str | None,
    typer.Option(
        help="Words in the title, client, contacts or comments.", rich_help_panel="Filter"
    ),
]
Responsible = Annotated[
    str | None, typer.Option(help="User login, name or id; 'me' for you.", rich_help_panel="Filter")
]
MinAmount = Annotated[
    str | None, typer.Option(help="Amount at least this.", rich_help_panel="Filter")
]
MaxAmount = Annotated[
    str | None, typer.Option(help="Amount at most this.", rich_help_panel="Filter")
]
Currency = Annotated[str | None, typer.Option(help="Currency code.", rich_help_panel="Filter")]
DealType = Annotated[
    str | None, typer.Option("--type", help="Deal type code or name.", rich_help_panel="Filter")
]
Source = Annotated[str | None, typer.Option(help="Source code or name.", rich_help_panel="Filter")]
CreatedFrom = Annotated[
    str | None, typer.Option(help="Created on or after (YYYY-MM-DD).", rich_help_panel="Filter")
]
CreatedTo = Annotated[
    str | None, typer.Option(help="Created on or before (YYYY-MM-DD).", rich_help_panel="Filter")
]
CloseFrom = Annotated[
    str | None, typer.Option(help="Closing on or after (YYYY-MM-DD).", rich_help_panel="Filter")
]
CloseTo = Annotated[
    str | None, typer.Option(help="Closing on or before (YYYY-MM-DD).", rich_help_panel="Filter")
]
Repeat = Annotated[
    bool | None,
    typer.Option(
        "--repeat/--first",
        help="Only repeat deals (the client already won one), or only first deals.",
        show_default=False,
        rich_help_panel="Filter",
    ),
]
WithoutActivities = Annotated[
    bool,
    typer.Option(
        "--without-activities", help="Open deals with nothing planned.", rich_help_panel="Filter"
    ),
]
Overdue = Annotated[
    bool,
    typer.Option(
        "--overdue", help="Open deals with an activity due before today.", rich_help_panel="Filter"
    ),
]
CustomField = Annotated[
    list[str] | None,
    typer.Option(
        "--field",
        help="A custom field: FIELD=VALUE, FIELD>VALUE (>=, <, <=), FIELD=FROM..TO, "
        "FIELD=* (any value), FIELD=- (none). FIELD is the code or the label. Repeatable.",
        rich_help_panel="Filter",
    ),
]
Preset = Annotated[
    str | None,
    typer.Option(
        help="Start from a preset: 'In progress', 'My deals', Won, Lost, Closed, "
        "'Without activities', Overdue.",
        rich_help_panel="Filter",
    ),
]
Saved = Annotated[
    str | None, typer.Option(help="Start from one of your saved filters.", rich_help_panel="Filter")
]


class FilterOptions:
    """Namespace of the option types above, for commands' signatures."""

    Pipeline = Pipeline
    Stage = Stage
    Open = Open
    Won = Won
    Lost = Lost
    Closed = Closed
    Search = Search
    Responsible = Responsible
    MinAmount = MinAmount
    MaxAmount = MaxAmount
    Currency = Currency
    DealType = DealType
    Source = Source
    CreatedFrom = CreatedFrom
    CreatedTo = CreatedTo
    CloseFrom = CloseFrom
    CloseTo = CloseTo
    Repeat = Repeat
    WithoutActivities = WithoutActivities
    Overdue = Overdue
    CustomField = CustomField
    Preset = Preset
    Saved = Saved


def build_filter(session: object, **options: object) -> DealFilter:
    """A DealFilter from the options' values (a preset or saved filter first, then the rest).

    Raises:
        ValidationError: two status flags, a bad amount or date, an unknown preset.
        NotFoundError: no saved filter of that name.
    """
    from dataclasses import replace

    from dealterm.core.errors import ValidationError
    from dealterm.core.filters import DealFilter, Status, parse_custom_condition, preset
    from dealterm.core.validation import parse_amount, parse_date

    statuses = [name for name in ("open", "won", "lost", "closed") if options.get(name)]
    if len(statuses) > 1:
        raise ValidationError("choose one of --open, --won, --lost and --closed", field="status")
    base = DealFilter()
    if options.get("preset"):
        try:
            base = preset(str(options["preset"]))
        except KeyError:
            raise ValidationError(f"unknown preset {options['preset']!r}", field="preset") from None
    if options.get("saved"):
        from dealterm.core.services.saved_filters import get_filter  # the ORM: only when used

        base = get_filter(session, str(options["saved"]))  # type: ignore[arg-type]
    changes: dict[str, object] = {}
    if statuses:
        changes["status"] = Status(statuses[0])
    for key in (
        "pipeline",
        "stage",
        "search",
        "responsible",
        "currency",
        "deal_type",
        "source",
        "repeat",
    ):
        if options.get(key) is not None and options.get(key) != "":
            changes[key] = options[key]
    for key, label in (("min_amount", "amount_min"), ("max_amount", "amount_max")):
        if options.get(key):
            changes[label] = parse_amount(
                options[key], field=key, label=f"--{key.replace('_', '-')}"
            )
    for key in ("created_from", "created_to", "close_from", "close_to"):
        if options.get(key):
            changes[key] = parse_date(options[key], field=key, label=f"--{key.replace('_', '-')}")
    for key in ("without_activities", "overdue"):
        if options.get(key):
            changes[key] = True
    pairs = []
    for item in options.get("field") or []:  # type: ignore[attr-defined]
        pairs.append(parse_custom_condition(str(item)))
    if pairs:
        changes["custom"] = tuple(pairs)
    if changes and base.name:
        changes["name"] = None  # the preset was changed: describe the conditions instead
    return replace(base, **changes)  # type: ignore[arg-type]


# The option names of build_filter, and the parameter names commands give some of them.
_OPTION_NAMES = frozenset(
    {
        "pipeline", "stage", "open", "won", "lost", "closed", "search", "responsible",
        "min_amount", "max_amount", "currency", "deal_type", "source", "created_from",
        "created_to", "close_from", "close_to", "repeat", "without_activities", "overdue",
        "field", "preset", "saved",
    }
)  # fmt: skip
_PARAMETER_NAMES = {"open_": "open", "type_": "deal_type"}


def command_filter(session: object, parameters: Mapping[str, object]) -> DealFilter:
    """The filter of a command whose signature takes the options above (pass its locals())."""
    options = {_PARAMETER_NAMES.get(name, name): value for name, value in parameters.items()}
    return build_filter(
        session, **{name: value for name, value in options.items() if name in _OPTION_NAMES}
    )
