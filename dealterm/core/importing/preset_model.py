"""What a preset is: one CRM's export habits, and the words every CRM uses for won and lost."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dealterm.core.importing.values import norm_header, norm_value

__all__ = [
    "FAILURE",
    "GLOBAL_STAGES",
    "STATUSES",
    "SUCCESS",
    "Preset",
    "header_table",
    "norms",
    "value_table",
]

SUCCESS = "@success"
FAILURE = "@failure"


def header_table(table: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """``{target: [header, ...]}`` -> ``{normalized header: target}``."""
    result: dict[str, str] = {}
    for target, names in table.items():
        for name in (names,) if isinstance(names, str) else names:
            result.setdefault(norm_header(name), target)
    return result


def value_table(table: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """``{result: [value, ...]}`` -> ``{normalized value: result}``."""
    return {norm_value(name): result for result, names in table.items() for name in names}


@dataclass(frozen=True)
class Preset:
    """One CRM's export format.

    Attributes:
        name: the preset's name (one of ``PRESETS``).
        label: the CRM's name for people.
        origin: what imported deals record as their origin; None: derived from the file name.
        headers: normalized header -> target key.
        codes: field codes matched exactly as written ("STAGE_ID", "dealstage"): normalized,
            "CLOSEDATE" would be the same as an English "Close date".
        code_signatures: codes only this CRM writes.
        skipped: normalized headers that are known and deliberately left out.
        signatures: normalized headers only this CRM writes (they decide recognition).
        date_order: how slashed dates read: "dmy", "mdy" or "locale" (the user's locale
            says; our own columns, which any spreadsheet may have written). A date of
            the column with a day above 12 proves otherwise.
        stages: normalized stage value -> our stage code (or "@success" / "@failure").
        statuses: normalized status value -> "success", "failure" or "process".
        pipelines: normalized names of its default pipeline (they mean ours).
        types: normalized deal-type value -> our type code.
        unknown_currency_base: an unknown currency is the base currency instead of an error.
        probability_fraction: probabilities are written 0..1.
    """

    name: str
    label: str
    origin: str | None
    headers: dict[str, str]
    codes: dict[str, str] = field(default_factory=dict)
    code_signatures: frozenset[str] = frozenset()
    skipped: frozenset[str] = frozenset()
    signatures: frozenset[str] = frozenset()
    date_order: str = "dmy"
    stages: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    pipelines: frozenset[str] = frozenset()
    types: dict[str, str] = field(default_factory=dict)
    unknown_currency_base: bool = False
    probability_fraction: bool = False


def norms(names: Iterable[str]) -> frozenset[str]:
    return frozenset(norm_header(name) for name in names)


# Stage names every preset understands: a won or lost stage, in any of the usual words.
GLOBAL_STAGES = value_table(
    {
        SUCCESS: (
            "won",
            "win",
            "deal won",
            "closed won",
            "closedwon",
            "closed - won",
            "success",
            "successful",
            "deal successful",
            "успешно",
            "успешна",
            "выиграна",
            "сделка успешна",
            "сделка выиграна",
            "успешно реализовано",
        ),
        FAILURE: (
            "lost",
            "lose",
            "deal lost",
            "deal failed",
            "failed",
            "closed lost",
            "closedlost",
            "closed - lost",
            "проиграна",
            "провалена",
            "сделка провалена",
            "сделка проиграна",
            "закрыто и не реализовано",
        ),
    }
)
STATUSES = value_table(
    {
        "success": ("won", "win", "успешно", "выиграна", "успешна", "closed won", "closedwon"),
        "failure": ("lost", "lose", "проиграна", "провалена", "closed lost", "closedlost"),
        "process": ("open", "opened", "in progress", "active", "открыта", "в работе", "активна"),
    }
)
