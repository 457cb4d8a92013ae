"""What an import plans to write: deals to create or update, their product rows, the counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dealterm.core.importing.clients import NewClient
from dealterm.core.importing.lookups import Existing
from dealterm.core.importing.model import BadRow

__all__ = ["DealPlan", "Plan", "ProductLine"]


@dataclass(frozen=True)
class ProductLine:
    """A product row of an imported deal."""

    product_id: int | None
    name: str
    price: Decimal
    quantity: Decimal
    discount_rate: Decimal
    tax_rate: Decimal | None
    tax_included: bool
    measure: str

    def key(self) -> tuple[Any, ...]:
        """What a re-import compares (as :func:`lookups.load_existing` reads it)."""
        return (
            self.product_id,
            self.name,
            self.price,
            self.quantity,
            self.discount_rate,
            self.tax_rate,
            self.measure,
        )


@dataclass
class DealPlan:
    """One deal to create (``existing`` None) or update.

    Attributes:
        values: deal columns to write (all of them for a new deal, the changed ones for an
            update); ``company_id`` and ``responsible_id`` may hold negative refs.
        contacts: contact refs in order, the first primary; None leaves them as they are.
        products: the product rows; None leaves them as they are.
        changes: what changed, for the history event of an update.
    """

    line: int
    origin_id: str
    existing: Existing | None
    values: dict[str, Any]
    contacts: list[int] | None
    products: list[ProductLine] | None
    changes: list[str]


@dataclass
class Plan:
    """Everything an import would write, and the rows it cannot."""

    deals: list[DealPlan]
    companies: list[NewClient]
    contacts: list[NewClient]
    users: list[NewClient]
    bad: list[BadRow]
    merged_rows: int
    companies_matched: int
    contacts_matched: int
    link_fields: dict[str, str] = field(default_factory=dict)
    # Names of the companies and contacts already in the database, by id (for the search
    # index of the new deals that name them).
    company_names: dict[int, str] = field(default_factory=dict)
    contact_names: dict[int, str] = field(default_factory=dict)

    @property
    def created(self) -> int:
        """Deals the plan creates."""
        return sum(1 for deal in self.deals if deal.existing is None)

    @property
    def updated(self) -> int:
        """Deals the plan updates."""
        return sum(1 for deal in self.deals if deal.existing is not None)

    @property
    def products(self) -> int:
        """Product rows the plan writes."""
        return sum(len(deal.products or ()) for deal in self.deals)
