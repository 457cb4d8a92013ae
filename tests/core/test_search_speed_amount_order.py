"""The list sorted by amount: its first page is read per currency, and must be the top of
the full order (amounts compared in the base currency, the id breaking ties), whatever
the search, the direction and the rates.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from dealterm.core.db import Database
from dealterm.core.filters import DealFilter
from dealterm.core.queries.deal_list import ordered_ids
from dealterm.core.services import directories
from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.core.services.directory_admin import set_base_currency

# (title, amount, currency): the same base amounts in several currencies (ties), small
# amounts in a strong currency above big ones in a weak one, and words to search for.
BOOK = [
    ("Summit pumps", "100", "EUR"),
    ("Summit valves", "100", "RUB"),
    ("Harbor cranes", "108", "USD"),
    ("Harbor ropes", "100", "EUR"),
    ("Summit cables", "9000", "RUB"),
    ("Delta steel", "99.99", "USD"),
    ("Delta glass", "0", "EUR"),
    ("Summit audit", "250", "USD"),
    ("Sunrise paper", "250", "USD"),
    ("Sunrise ink", "231.48", "EUR"),
    ("Nordic timber", "12", "GBP"),
    ("Nordic fish", "1", "USD"),
]
SEARCHES = ["", "s", "su", "um", "summit", "sun ink", "delta", "nothing like it"]


@pytest.fixture
def book(db: Database) -> Database:
    with db.session() as session:
        for title, amount, currency in BOOK:
            create_deal(session, DealCreate(title=title, amount=amount, currency=currency))
    return db


def _ids(db: Database, text: str, *, descending: bool, limit: int | None) -> list[int]:
    flt = DealFilter(search=text) if text else None
    with db.session(write=False) as session:
        return list(ordered_ids(session, flt, sort="amount", descending=descending, limit=limit))


def _titles(db: Database, ids: list[int]) -> list[str]:
    by_id = {deal_id: title for deal_id, (title, _, _) in enumerate(BOOK, start=1)}
    return [by_id[deal_id] for deal_id in ids]


@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("limit", [1, 3, 5, 200])
def test_the_first_page_is_the_top_of_the_full_order(
    book: Database, descending: bool, limit: int
) -> None:
    for text in SEARCHES:
        full = _ids(book, text, descending=descending, limit=None)
        assert _ids(book, text, descending=descending, limit=limit) == full[:limit], text


def test_amounts_compare_in_the_base_currency_and_ties_go_by_id(book: Database) -> None:
    with book.session(write=False) as session:
        base = directories.base_currency(session)
        rates = directories.currency_rates(session)
    assert base == "USD"  # the test database's base; the book is written for it
    assert rates["EUR"] > 1 > rates["RUB"]
    down = _titles(book, _ids(book, "", descending=True, limit=None))
    up = _titles(book, _ids(book, "", descending=False, limit=None))
    # 250 USD twice (the newer deal first going down); 231.48 EUR is 249.9984 USD.
    assert down[:3] == ["Sunrise paper", "Summit audit", "Sunrise ink"]
    assert down.index("Summit pumps") < down.index("Summit valves")  # 100 EUR > 100 RUB
    assert down.index("Nordic timber") < down.index("Nordic fish")  # 12 GBP > 1 USD
    assert up[0] == "Delta glass"  # nothing is worth less than 0
    assert up == list(reversed(down))
    for limit in (1, 3):
        assert _titles(book, _ids(book, "", descending=True, limit=limit)) == down[:limit]
        assert _titles(book, _ids(book, "", descending=False, limit=limit)) == up[:limit]


def test_a_search_of_one_two_or_more_letters_keeps_the_order(book: Database) -> None:
    everything = _ids(book, "", descending=True, limit=None)
    for text in SEARCHES[1:]:
        found = _ids(book, text, descending=True, limit=2)
        expected = [
            deal_id
            for deal_id in everything
            if all(word in _titles(book, [deal_id])[0].lower() for word in text.split())
        ][:2]
        assert found == expected, text


def test_a_new_base_currency_reorders_the_first_page_too(book: Database) -> None:
    with book.session() as session:
        set_base_currency(session, "EUR")
        rates = directories.currency_rates(session)
    assert rates["EUR"] == Decimal(1)
    after = _ids(book, "", descending=True, limit=None)
    for limit in (1, 4, 200):
        assert _ids(book, "", descending=True, limit=limit) == after[:limit]
    pumps, valves = 1, 2  # 100 EUR and 100 RUB
    assert after.index(pumps) < after.index(valves)
