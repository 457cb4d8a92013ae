"""Turning the values of the filter options into a DealFilter, without importing Typer.

The options themselves (their help and flags) are in :mod:`dealterm.cli.filter_options`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dealterm.core.filters import DealFilter, Status

__all__ = ["build_filter", "command_filter"]


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
        source = (
            f"saved filter {options['saved']!r}"
            if options.get("saved")
            else f"preset {base.name!r}"
        )
        changes["status"] = _status_within(base, Status(statuses[0]), source)
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


_DEALS = {
    "open": "deals in progress",
    "won": "won deals",
    "lost": "lost deals",
    "closed": "won or lost deals",
}


def _status_within(base: DealFilter, flag: Status, source: str) -> Status:
    """A status flag applied to a preset or saved filter that has a status of its own.

    The flag narrows the filter's status, as options narrow a filter: ``--preset Closed
    --won`` lists won deals, ``--preset Won --closed`` still won ones. A flag that leaves
    nothing of it (``--preset Won --lost``) is refused: replacing the status silently
    listed the very deals the preset leaves out.

    Raises:
        ValidationError: the flag and the filter's status exclude each other.
    """
    from dealterm.core.errors import ValidationError
    from dealterm.core.filters import Status

    have = base.status
    if have in (Status.ANY, flag) or (have == Status.CLOSED and flag != Status.OPEN):
        return flag
    if flag == Status.CLOSED and have in (Status.WON, Status.LOST):
        return have
    raise ValidationError(
        f"--{flag.value} contradicts the {source}, which lists only {_DEALS[have.value]}",
        field="status",
    )


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
