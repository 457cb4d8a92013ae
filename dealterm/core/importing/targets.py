"""The fields a column can go to, and which column goes to which field.

A preset proposes a target for each header it knows; a header that names a custom field
(its label or code, case and spaces aside) goes to that field; the user's mapping has the
last word. Our export's Created column goes nowhere unless the user says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dealterm.core.errors import DealtermError
from dealterm.core.importing.created import CREATED_HEADER
from dealterm.core.importing.model import Target
from dealterm.core.importing.origins import is_own_export
from dealterm.core.importing.presets import Preset
from dealterm.core.importing.values import norm_header

__all__ = [
    "BUILT_IN",
    "MULTI",
    "FieldInfo",
    "all_targets",
    "propose_mapping",
    "resolve_mapping",
    "target_key",
]

BUILT_IN: tuple[Target, ...] = (
    Target("external_id", "External ID (the source's deal ID)"),
    Target("title", "Title"),
    Target("amount", "Amount"),
    Target("currency", "Currency"),
    Target("pipeline", "Pipeline"),
    Target("stage", "Stage"),
    Target("status", "Status (open / won / lost)"),
    Target("company", "Company"),
    Target("company_email", "Company e-mail"),
    Target("company_phone", "Company phone"),
    Target("contact", "Contacts"),
    Target("contact_email", "Contact e-mail"),
    Target("contact_phone", "Contact phone"),
    Target("type", "Type"),
    Target("source", "Source"),
    Target("source_description", "Source details"),
    Target("responsible", "Responsible"),
    Target("begin_date", "Begin date"),
    Target("close_date", "Close date"),
    Target("closed", "Closed (yes / no)"),
    Target("repeat", "Repeat deal (yes / no)"),
    Target("probability", "Probability, %"),
    Target("lost_reason", "Lost reason"),
    Target("comments", "Comments"),
    Target("product", "Product"),
    Target("price", "Product price"),
    Target("quantity", "Product quantity"),
    Target("discount", "Product discount, %"),
    Target("tax_rate", "Product tax rate, %"),
    Target("measure", "Product measure"),
)
_BUILT_IN_KEYS = frozenset(target.key for target in BUILT_IN)
# The generic preset also knows each target by its own key and label ("Product price").
_OWN_NAMES = {norm_header(t.label): t.key for t in BUILT_IN} | {
    norm_header(t.key): t.key for t in BUILT_IN
}
# Several columns may go to these: their values are joined (the rest take the first value).
MULTI = frozenset({"comments", "contact", "contact_email", "contact_phone"})
_CODE_IN_PARENS = re.compile(r"\(\s*([A-Z][A-Z0-9_]*)\s*\)\s*$")
_SKIP_WORDS = frozenset({"", "none", "-", "skip", "ignore", "нет"})


@dataclass(frozen=True)
class FieldInfo:
    """A custom field as mapping needs it."""

    code: str
    label: str


def all_targets(fields: Sequence[FieldInfo]) -> list[Target]:
    """Every target: the built-in ones, then one per custom field."""
    return list(BUILT_IN) + [Target(f"cf:{f.code}", f"{f.label} (custom)") for f in fields]


def _custom_index(fields: Sequence[FieldInfo]) -> dict[str, str]:
    index: dict[str, str] = {}
    for field in fields:
        code = field.code.upper()
        index.setdefault(norm_header(code), code)
        index.setdefault(norm_header(code.removeprefix("UF_CRM_")), code)
    for field in fields:  # labels win over codes of other fields
        index[norm_header(field.label)] = field.code.upper()
    return index


def propose_mapping(
    headers: Sequence[str], preset: Preset, fields: Sequence[FieldInfo]
) -> dict[str, str | None]:
    """What the preset makes of each header (None: left out).

    Our export's Created column is left out: it tells which deal a row is
    (``importing.created``), and a deal's creation moment is not something to import
    (not even into a custom field that happens to be called "Created").
    """
    custom = _custom_index(fields)
    mapping: dict[str, str | None] = {}
    own = preset.name == "generic" and is_own_export(headers)
    for header in headers:
        if own and header.strip() == CREATED_HEADER:
            mapping[header] = None
            continue
        base = re.sub(r" \(\d+\)$", "", header)  # "Note (2)": a repeated header
        key = norm_header(base)
        target: str | None = preset.codes.get(base.strip()) or preset.headers.get(key)
        if target is None and preset.name == "generic":
            target = _OWN_NAMES.get(key)
        if target is None and key not in preset.skipped and key in custom:
            target = f"cf:{custom[key]}"
        if target is None and key not in preset.skipped:
            coded = _CODE_IN_PARENS.search(base)  # Bitrix24 "Сумма (OPPORTUNITY)"
            if coded:
                target = preset.codes.get(coded.group(1))
                if target is None and norm_header(coded.group(1)) in custom:
                    target = f"cf:{custom[norm_header(coded.group(1))]}"
        if target is not None and target not in MULTI and target in mapping.values():
            # a second "Amount": keep the first, leave this one out unless the user says so
            target = None
        mapping[header] = target
    return mapping


def target_key(text: str | None, targets: Sequence[Target]) -> str | None:
    """A target by key or label (any case); None or "none"/"" leaves the column out.

    Raises:
        DealtermError: no such target.
    """
    if text is None:
        return None
    wanted = text.strip()
    if wanted.lower() in _SKIP_WORDS:
        return None
    for target in targets:
        if wanted == target.key:
            return target.key
    folded = norm_header(wanted)
    for target in targets:
        if folded in (norm_header(target.key), norm_header(target.label)):
            return target.key
    for target in targets:  # a custom field by its code or label without "(custom)"
        if target.key.startswith("cf:") and folded in (
            norm_header(target.key[3:]),
            norm_header(target.key[3:].removeprefix("UF_CRM_")),
            norm_header(target.label.removesuffix(" (custom)")),
        ):
            return target.key
    shown = ", ".join(t.key for t in targets if t.key in _BUILT_IN_KEYS)
    custom = [t.key for t in targets if t.key.startswith("cf:")]
    more = f", or a custom field ({', '.join(custom)})" if custom else ""
    raise DealtermError(f"unknown field {text!r} (fields: {shown}{more}; 'none' leaves it out)")


def resolve_mapping(
    headers: Sequence[str],
    proposed: Mapping[str, str | None],
    overrides: Mapping[str, str | None],
    targets: Sequence[Target],
) -> dict[str, str | None]:
    """The proposal with the user's overrides applied and checked.

    Raises:
        DealtermError: an override names a column the file does not have, or an unknown field.
    """
    mapping = {header: proposed.get(header) for header in headers}
    by_fold = {header.casefold(): header for header in headers}
    for column, wanted in overrides.items():
        header = column if column in mapping else by_fold.get(column.strip().casefold())
        if header is None:
            shown = ", ".join(repr(h) for h in headers[:12])
            more = ", ..." if len(headers) > 12 else ""
            raise DealtermError(f"the file has no column {column!r} (columns: {shown}{more})")
        try:
            mapping[header] = target_key(wanted, targets)
        except DealtermError as error:
            raise DealtermError(f"column {header!r}: {error.message}") from None
    return mapping
