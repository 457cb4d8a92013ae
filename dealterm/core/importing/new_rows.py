"""The new deals of a plan, their contact links and product rows, column by column.

A 100,000-row import writes these with :func:`dealterm.core.bulk.bulk_insert_columns`:
one list per column instead of a dict per row saves building, converting and freeing
millions of small objects. Client and user refs (negative for those the import creates)
become real ids here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any

from dealterm.core.importing.fast_search import deal_body
from dealterm.core.importing.plan_types import DealPlan, Plan, ProductLine

__all__ = [
    "PRODUCT_CONSTANTS",
    "add_products",
    "deal_columns",
    "link_columns",
    "product_columns",
    "search_bodies",
]

Columns = dict[str, Sequence[Any]]
# Product rows the import writes all have these.
PRODUCT_CONSTANTS = {"discount_type": "percent", "discount_sum": Decimal(0)}


def _reals(refs: Sequence[int | None], ids: Sequence[int]) -> Sequence[int | None]:
    """Refs with the new ones (-1 is the first new id, and so on) replaced by real ids."""
    if all(ref is None or ref > 0 for ref in refs):
        return refs
    return [ref if ref is None or ref > 0 else ids[-ref - 1] for ref in refs]


def deal_columns(
    created: Sequence[DealPlan],
    company_ids: Sequence[int],
    user_ids: Sequence[int],
    resolve_custom: Callable[[Any], Any],
) -> Columns:
    """The columns of the new deals (all plan the same columns), with real ids.

    Raises:
        ValueError: the deals do not all plan the same columns (a bug in the planner).
    """
    if not created:
        return {}
    values = [deal.values for deal in created]
    names = list(values[0])
    if any(len(row) != len(names) for row in values):
        raise ValueError("new deals plan different columns")
    getter = itemgetter(*names)
    if len(names) == 1:
        columns: Columns = {names[0]: [getter(row) for row in values]}
    else:
        # A C-level transpose; a missing column raises KeyError (then also a bug).
        columns = dict(zip(names, zip(*map(getter, values), strict=True), strict=True))
    if "company_id" in columns:
        columns["company_id"] = _reals(columns["company_id"], company_ids)
    if "responsible_id" in columns:
        columns["responsible_id"] = _reals(columns["responsible_id"], user_ids)
    if "custom_fields" in columns:
        columns["custom_fields"] = [resolve_custom(custom) for custom in columns["custom_fields"]]
    columns["origin_id"] = [deal.origin_id for deal in created]
    return columns


def link_columns(
    created: Sequence[DealPlan], deal_ids: Sequence[int], contact_ids: Sequence[int]
) -> Columns:
    """The contact links of the new deals: the first contact of each is its primary one."""
    deals: list[int] = []
    contacts: list[int] = []
    sorts: list[int] = []
    primary: list[bool] = []
    for deal_id, deal in zip(deal_ids, created, strict=True):
        refs = deal.contacts
        if not refs:
            continue
        for position, ref in enumerate(refs):
            deals.append(deal_id)
            contacts.append(ref if ref > 0 else contact_ids[-ref - 1])
            sorts.append(position * 10)
            primary.append(not position)
    return {"deal_id": deals, "contact_id": contacts, "sort": sorts, "is_primary": primary}


def product_columns(created: Sequence[DealPlan], deal_ids: Sequence[int]) -> dict[str, list[Any]]:
    """The product rows of the new deals (more may be added with :func:`add_products`)."""
    columns: dict[str, list[Any]] = {name: [] for name in _PRODUCT_NAMES}
    for deal_id, deal in zip(deal_ids, created, strict=True):
        if deal.products:
            add_products(columns, deal_id, deal.products)
    return columns


def add_products(columns: dict[str, list[Any]], deal_id: int, lines: Sequence[ProductLine]) -> None:
    """Add the product rows of one deal to ``columns``, in order."""
    for position, line in enumerate(lines):
        columns["deal_id"].append(deal_id)
        columns["product_id"].append(line.product_id)
        columns["name"].append(line.name)
        columns["price"].append(line.price)
        columns["quantity"].append(line.quantity)
        columns["discount_rate"].append(line.discount_rate)
        columns["tax_rate"].append(line.tax_rate)
        columns["tax_included"].append(line.tax_included)
        columns["measure"].append(line.measure)
        columns["sort"].append((position + 1) * 10)


_PRODUCT_NAMES = (
    "deal_id",
    "product_id",
    "name",
    "price",
    "quantity",
    "discount_rate",
    "tax_rate",
    "tax_included",
    "measure",
    "sort",
)


def search_bodies(
    plan: Plan,
    created: Sequence[DealPlan],
    columns: Columns,
    company_ids: Sequence[int],
    contact_ids: Sequence[int],
) -> list[tuple[int, str]]:
    """``(id, searchable text)`` of each new deal (``columns`` as written: real ids)."""
    companies = dict(plan.company_names)
    companies.update(zip(company_ids, (c.name for c in plan.companies), strict=True))
    contacts = dict(plan.contact_names)
    contacts.update(zip(contact_ids, (c.name for c in plan.contacts), strict=True))
    count = len(created)
    titles = columns.get("title") or [None] * count
    comments = columns.get("comments") or [None] * count
    company_of = columns.get("company_id") or [None] * count
    found = []
    for deal_id, deal, title, company, comment in zip(
        columns["id"], created, titles, company_of, comments, strict=True
    ):
        refs = deal.contacts or ()
        if len(refs) == 1:
            ref = refs[0]
            names = [contacts[ref if ref > 0 else contact_ids[-ref - 1]]]
        else:
            ids = sorted(ref if ref > 0 else contact_ids[-ref - 1] for ref in refs)
            names = [contacts[contact_id] for contact_id in ids]
        name = companies[company] if company is not None else None
        found.append((deal_id, deal_body(title, name, names, comment)))
    return found
