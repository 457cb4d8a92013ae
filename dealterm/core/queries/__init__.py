"""Read-side queries for the views and the CLI."""

from __future__ import annotations

from dealterm.core.queries.deal_read import get_deal, read_deals
from dealterm.core.queries.deals import DealFilter, Status, count_deals, deal_detail, list_deals

__all__ = [
    "DealFilter",
    "Status",
    "count_deals",
    "deal_detail",
    "get_deal",
    "list_deals",
    "read_deals",
]
