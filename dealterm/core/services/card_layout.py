"""The deal card's layout: sections, the fields in each, and how each field shows.

Like Bitrix24's card configuration: sections hold fields in order; a field is shown in
its section, always shown (even when empty), or hidden (reachable "on demand"). Built-in
fields and custom fields are placed the same way; a custom field without a place goes to
the last section, so a new field is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.models import CardField, CardSection, CustomField, Visibility
from dealterm.core.seed import BUILT_IN_FIELDS
from dealterm.core.validation import parse_title

__all__ = [
    "FieldDef",
    "LayoutField",
    "LayoutSection",
    "add_section",
    "card_layout",
    "definition",
    "delete_section",
    "field_label",
    "move_section",
    "place_field",
    "rename_section",
    "resolve_field",
    "set_visibility",
]

_BUILT_IN = dict(BUILT_IN_FIELDS)
# The title names the deal everywhere: it can be moved but never hidden.
_NEVER_HIDDEN = ("title",)


@dataclass(frozen=True)
class FieldDef:
    """A custom field's definition, as forms need it."""

    code: str
    label: str
    type: str
    multiple: bool
    required: bool
    default: Any
    options: tuple[str, ...]


@dataclass(frozen=True)
class LayoutField:
    """One field in a section: a built-in key or a custom field."""

    key: str
    label: str
    visibility: str
    custom: FieldDef | None = None

    @property
    def required(self) -> bool:
        """Whether a deal must have a value (the title, or a required custom field)."""
        return self.key == "title" or (self.custom is not None and self.custom.required)


@dataclass(frozen=True)
class LayoutSection:
    """A card section and its fields in order."""

    id: int
    name: str
    fields: tuple[LayoutField, ...]


def definition(field: CustomField) -> FieldDef:
    """A custom field row as a plain definition."""
    return FieldDef(
        code=field.code,
        label=field.label,
        type=field.type,
        multiple=field.multiple,
        required=field.required,
        default=field.default,
        options=tuple(field.options or ()),
    )


def _sections(session: Session) -> list[CardSection]:
    return list(
        session.exec(select(CardSection).order_by(col(CardSection.sort), col(CardSection.id)))
    )


def card_layout(session: Session) -> list[LayoutSection]:
    """Every section with its fields in order (inactive custom fields left out)."""
    sections = _sections(session)
    customs = {
        f.code: f
        for f in session.exec(
            select(CustomField)
            .where(col(CustomField.active).is_(True))
            .order_by(col(CustomField.sort), col(CustomField.id))
        )
    }
    placed: dict[int, list[CardField]] = {s.id or 0: [] for s in sections}
    seen: set[str] = set()
    for row in session.exec(select(CardField).order_by(col(CardField.sort), col(CardField.field))):
        if row.field in _BUILT_IN or row.field in customs:
            placed.setdefault(row.section_id, []).append(row)
            seen.add(row.field)
    result: list[LayoutSection] = []
    for index, section in enumerate(sections):
        fields = [
            LayoutField(
                key=row.field,
                label=_BUILT_IN.get(row.field) or customs[row.field].label,
                visibility=row.visibility,
                custom=definition(customs[row.field]) if row.field in customs else None,
            )
            for row in placed.get(section.id or 0, [])
        ]
        if index == 0:
            fields += [
                LayoutField(key, label, Visibility.SHOWN)
                for key, label in BUILT_IN_FIELDS
                if key not in seen
            ]
        if index == len(sections) - 1:
            fields += [
                LayoutField(code, f.label, Visibility.SHOWN, definition(f))
                for code, f in customs.items()
                if code not in seen
            ]
        result.append(LayoutSection(section.id or 0, section.name, tuple(fields)))
    return result


def field_label(session: Session, key: str) -> str:
    """What users call a field: a built-in's name or a custom field's label."""
    if key in _BUILT_IN:
        return _BUILT_IN[key]
    found = session.exec(select(CustomField.label).where(CustomField.code == key)).first()
    return found or key


def _section_name(name: str) -> str:
    text = parse_title(name, field="name", label="Section name")
    if not text:
        raise ValidationError("a section needs a name", field="name")
    if len(text) > 100:
        raise ValidationError("a section name is limited to 100 characters", field="name")
    return text


def _find_section(session: Session, ref: int | str) -> CardSection:
    text = str(ref).strip()
    for section in _sections(session):
        if str(section.id) == text or section.name.lower() == text.lower():
            return section
    raise NotFoundError(f"no card section {ref!r}")


def _refuse_taken(session: Session, name: str, own_id: int | None = None) -> None:
    taken = session.exec(
        select(CardSection.id).where(func.lower(CardSection.name) == name.lower())
    ).first()
    if taken is not None and taken != own_id:
        raise ValidationError(f"a section {name!r} already exists", field="name")


def _renumber_sections(session: Session, order: list[CardSection]) -> None:
    for position, section in enumerate(order, start=1):
        section.sort = position * 10
        session.add(section)
    session.flush()


def add_section(session: Session, name: str) -> CardSection:
    """Add an empty section at the end of the card."""
    text = _section_name(name)
    _refuse_taken(session, text)
    sections = _sections(session)
    section = CardSection(name=text, sort=(sections[-1].sort + 10) if sections else 10)
    session.add(section)
    session.flush()
    return section


def rename_section(session: Session, ref: int | str, name: str) -> CardSection:
    """Rename a section."""
    section = _find_section(session, ref)
    text = _section_name(name)
    _refuse_taken(session, text, section.id)
    section.name = text
    session.add(section)
    session.flush()
    return section


def move_section(session: Session, ref: int | str, position: int) -> list[CardSection]:
    """Put a section at ``position`` (1 = top of the card)."""
    section = _find_section(session, ref)
    order = [s for s in _sections(session) if s.id != section.id]
    if not 1 <= position <= len(order) + 1:
        raise ValidationError(
            f"position must be from 1 to {len(order) + 1}, not {position}", field="position"
        )
    order.insert(position - 1, section)
    _renumber_sections(session, order)
    return order


def delete_section(session: Session, ref: int | str) -> str:
    """Delete a section; its fields go to the end of the section above it (or below).

    Returns the name of the section that took the fields.

    Raises:
        ValidationError: it is the only section.
    """
    section = _find_section(session, ref)
    sections = _sections(session)
    if len(sections) == 1:
        raise ValidationError("the card needs at least one section", field="section")
    index = next(i for i, s in enumerate(sections) if s.id == section.id)
    heir = sections[index - 1] if index > 0 else sections[1]
    assert heir.id is not None
    tail = _fields_in(session, heir.id)
    moved = _fields_in(session, section.id or 0)
    _store_order(session, heir.id, tail + moved)
    session.delete(section)
    session.flush()
    return heir.name


def _fields_in(session: Session, section_id: int) -> list[CardField]:
    return list(
        session.exec(
            select(CardField)
            .where(CardField.section_id == section_id)
            .order_by(col(CardField.sort), col(CardField.field))
        )
    )


def _store_order(session: Session, section_id: int, rows: list[CardField]) -> None:
    for position, row in enumerate(rows, start=1):
        row.section_id = section_id
        row.sort = position * 10
        session.add(row)
    session.flush()


def _placement(session: Session, key: str) -> CardField:
    """The field's row, created in the section the layout shows it in when it has none."""
    if key not in _BUILT_IN:
        active = session.exec(
            select(CustomField.id).where(CustomField.code == key, col(CustomField.active).is_(True))
        ).first()
        if active is None:
            raise NotFoundError(f"no field {key!r} on the card")
    row = session.get(CardField, key)
    if row is not None:
        return row
    layout = card_layout(session)
    section = next(s for s in layout if any(f.key == key for f in s.fields))
    row = CardField(field=key, section_id=section.id, sort=10_000)
    session.add(row)
    session.flush()
    return row


def resolve_field(session: Session, ref: str) -> str:
    """A field key from a built-in key or label, or a custom field's code or label."""
    text = ref.strip()
    for key, label in BUILT_IN_FIELDS:
        if text.lower() in (key, label.lower()):
            return key
    upper = text.upper()
    code = upper if upper.startswith("UF_CRM_") else "UF_CRM_" + upper
    found = session.exec(select(CustomField.code).where(CustomField.code == code)).first()
    if found is None:
        found = session.exec(
            select(CustomField.code).where(func.lower(CustomField.label) == text.lower())
        ).first()
    if found is None:
        raise NotFoundError(f"no field {ref!r} on the card")
    return found


def place_field(
    session: Session, ref: str, section: int | str | None = None, position: int | None = None
) -> LayoutSection:
    """Move a field to ``section`` (default: where it is) at ``position`` (default: last).

    Returns the section the field is now in.
    """
    key = resolve_field(session, ref)
    row = _placement(session, key)
    target = _find_section(session, section) if section is not None else None
    section_id = target.id if target is not None else row.section_id
    assert section_id is not None
    others = [r for r in _fields_in(session, section_id) if r.field != key]
    if position is None:
        position = len(others) + 1
    if not 1 <= position <= len(others) + 1:
        raise ValidationError(
            f"position must be from 1 to {len(others) + 1}, not {position}", field="position"
        )
    others.insert(position - 1, row)
    _store_order(session, section_id, others)
    return next(s for s in card_layout(session) if s.id == section_id)


def set_visibility(session: Session, ref: str, visibility: str) -> LayoutField:
    """Show a field, show it always (even empty), or hide it (shown only on demand)."""
    key = resolve_field(session, ref)
    try:
        value = Visibility(visibility.strip().lower())
    except ValueError:
        raise ValidationError(
            f"visibility is shown, always or hidden, not {visibility!r}", field="visibility"
        ) from None
    if value == Visibility.HIDDEN and key in _NEVER_HIDDEN:
        raise ValidationError("the title is always on the card", field="visibility")
    row = _placement(session, key)
    row.visibility = value
    session.add(row)
    session.flush()
    return next(f for s in card_layout(session) for f in s.fields if f.key == key)
