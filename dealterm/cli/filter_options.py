"""The filter options `deal list` and `export deals` share."""

from __future__ import annotations

from typing import Annotated

import typer

# The options' values become a filter in a module without Typer, which the quick
# `deal list` (dealterm.cli.quick) uses before Typer is imported.
from dealterm.cli.filter_values import build_filter, command_filter

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
        "'Without activities', Overdue. A status flag may narrow its status (--preset Closed "
        "--won), not contradict it.",
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
