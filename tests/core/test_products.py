"""Product rows and the deal amount they add up to."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealterm.core.db import Database
from dealterm.core.errors import ValidationError
from dealterm.core.queries import deal_detail
from dealterm.core.services.deals import (
    DealCreate,
    DealUpdate,
    create_deal,
    set_product_rows,
    update_deal,
)
from dealterm.core.services.products import ProductRowInput, compute_row, rows_total


def _row(**fields: object) -> ProductRowInput:
    return ProductRowInput(**fields)


def test_amount_follows_the_rows_with_discount_and_tax(db: Database) -> None:
    with db.session() as session:
        deal = create_deal(session, DealCreate(title="Kit"))
        assert deal.manual_amount is False
        after = set_product_rows(
            session,
            deal.id,
            [
                _row(
                    name="Widget", price="100", quantity=3, discount="10", tax_rate="20"
                ),  # 270 + 54 tax
                _row(name="Delivery", price="50"),  # 50, no tax
                _row(
                    name="Licence", price="120", tax_rate="20", tax_included=True
                ),  # 120 incl. 20 tax
                _row(
                    name="Cable", price="10", quantity="2.5", discount_type="amount", discount="1"
                ),  # 22.50
            ],
        )
    assert after.amount == Decimal("516.50")
    assert after.tax_value == Decimal("74.00")
    with db.session(write=False) as session:
        rows = deal_detail(session, deal.id).products
    assert [r.total for r in rows] == [
        Decimal("324.00"),
        Decimal("50.00"),
        Decimal("120.00"),
        Decimal("22.50"),
    ]
    assert [r.unit_price for r in rows] == [
        Decimal("90.00"),
        Decimal("50.00"),
        Decimal("120.00"),
        Decimal("9.00"),
    ]


def test_a_manual_amount_is_kept(db: Database) -> None:
    with db.session() as session:
        deal = create_deal(session, DealCreate(title="Typed", amount="999"))
        after = set_product_rows(session, deal.id, [_row(name="Widget", price="10")])
    assert after.amount == Decimal("999.00") and after.manual_amount
    with db.session() as session:
        auto = update_deal(session, deal.id, DealUpdate(manual_amount=False))
    assert auto.amount == Decimal("10.00")


def test_typing_an_amount_makes_it_manual(db: Database) -> None:
    with db.session() as session:
        deal = create_deal(
            session, DealCreate(title="Kit", products=[_row(name="Widget", price="10")])
        )
        assert deal.amount == Decimal("10.00") and not deal.manual_amount
        typed = update_deal(session, deal.id, DealUpdate(amount="15"))
        assert typed.manual_amount and typed.amount == Decimal("15.00")
        kept = set_product_rows(session, deal.id, [_row(name="Widget", price="10", quantity=5)])
    assert kept.amount == Decimal("15.00")


def test_deleting_all_rows_resets_an_automatic_amount(db: Database) -> None:
    with db.session() as session:
        deal = create_deal(
            session, DealCreate(title="Kit", products=[_row(name="Widget", price="10")])
        )
        cleared = set_product_rows(session, deal.id, [])
    assert cleared.amount == Decimal("0.00") and cleared.tax_value == Decimal("0.00")


def test_product_changes_are_in_the_history(db: Database) -> None:
    with db.session() as session:
        deal = create_deal(session, DealCreate(title="Kit"))
        set_product_rows(session, deal.id, [_row(name="Widget", price="10", quantity=2)])
    with db.session(write=False) as session:
        history = deal_detail(session, deal.id).history
    descriptions = [e.description for e in history]
    assert "Products: no products → 1 row, 20.00" in descriptions
    assert "amount: 0.00 → 20.00" in descriptions


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ({"name": "W", "price": "-1"}, "cannot be negative"),
        ({"name": "W", "price": "1", "quantity": "-2"}, "greater than zero"),
        ({"name": "W", "price": "1", "quantity": "0"}, "greater than zero"),
        (
            {"name": "W", "price": "5", "discount_type": "amount", "discount": "6"},
            "more than the price",
        ),
        ({"name": "W", "price": "5", "discount": "101"}, "between 0 and 100"),
        ({"name": "W", "price": "5", "tax_rate": "x"}, "must be a number"),
        ({"price": "5"}, "needs a name"),
        ({"name": "W"}, "price is missing"),
        ({"product": "No such thing"}, "unknown product"),
    ],
)
def test_a_bad_row_changes_nothing(db: Database, row: dict[str, object], fragment: str) -> None:
    with db.session() as session:
        deal = create_deal(
            session, DealCreate(title="Kit", products=[_row(name="Keep", price="7")])
        )
    with pytest.raises(ValidationError, match=fragment), db.session() as session:
        set_product_rows(session, deal.id, [_row(name="Fine", price="1"), _row(**row)])
    with db.session(write=False) as session:
        detail = deal_detail(session, deal.id)
    assert [r.name for r in detail.products] == ["Keep"]
    assert detail.amount == Decimal("7.00") and detail.version == deal.version


def test_a_catalogue_product_fills_the_row(db: Database) -> None:
    from dealterm.core.models import Product

    with db.session() as session:
        session.add(
            Product(
                name="Support",
                price=Decimal("1200"),
                currency_code="USD",
                measure="year",
                tax_rate=Decimal("20"),
            )
        )
        session.flush()
        deal = create_deal(
            session, DealCreate(title="Kit", products=[_row(product="Support", quantity=2)])
        )
    assert deal.amount == Decimal("2880.00")


money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
qty = st.decimals(
    min_value=Decimal("0.0001"), max_value=10**4, places=4, allow_nan=False, allow_infinity=False
)
pct = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@given(price=money, quantity=qty, discount=pct, tax=st.none() | pct, included=st.booleans())
def test_row_totals_are_exact_cents_and_never_negative(
    price: Decimal, quantity: Decimal, discount: Decimal, tax: Decimal | None, included: bool
) -> None:
    totals = compute_row(
        price=price,
        quantity=quantity,
        discount_type="percent",
        discount_rate=discount,
        discount_sum=Decimal(0),
        tax_rate=tax,
        tax_included=included,
    )
    for value in totals:
        assert value >= 0
        assert value == value.quantize(Decimal("0.01"))
    if included or not tax:
        exact = price * (1 - discount / 100) * quantity
        assert totals.total == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    amount, tax_sum = rows_total([totals, totals])
    assert amount == totals.total * 2 and tax_sum == totals.tax * 2


# --- the amount limit: a row, or the rows together, worth more than a deal may hold -------

HUGE = {"name": "Huge", "price": "99999999999999", "quantity": "99999999"}


@pytest.mark.parametrize("typed_amount", [None, "500"])
def test_a_row_worth_more_than_a_deal_may_hold_is_refused(
    db: Database, typed_amount: str | None
) -> None:
    with db.session() as session:
        deal = create_deal(session, DealCreate(title="Kit", amount=typed_amount))
        set_product_rows(session, deal.id, [_row(name="Keep", price="7")])
        kept = deal_detail(session, deal.id)
    with (
        pytest.raises(ValidationError, match=r"row 2: the row's total is too large") as caught,
        db.session() as session,
    ):
        set_product_rows(session, deal.id, [_row(name="Keep", price="7"), _row(**HUGE)])
    assert caught.value.field == "products"
    assert "999,999,999,999,999.99" in caught.value.message
    with db.session(write=False) as session:
        detail = deal_detail(session, deal.id)
    assert [r.name for r in detail.products] == ["Keep"]
    assert (detail.amount, detail.version) == (kept.amount, kept.version)


def test_rows_that_add_up_to_more_than_a_deal_may_hold_are_refused_even_on_a_manual_amount(
    db: Database,
) -> None:
    half = {"name": "Half", "price": "600000000000000"}  # each row fits, the two do not
    with db.session() as session:
        deal = create_deal(session, DealCreate(title="Typed", amount="10"))
        set_product_rows(session, deal.id, [_row(**half)])
    with (
        pytest.raises(ValidationError, match=r"the rows' total is too large"),
        db.session() as session,
    ):
        set_product_rows(session, deal.id, [_row(**half), _row(**half)])
    with db.session(write=False) as session:
        assert len(deal_detail(session, deal.id).products) == 1
    with db.session() as session:  # up to the limit is fine, and the amount may follow it
        set_product_rows(session, deal.id, [_row(name="All of it", price="999999999999999.99")])
        auto = update_deal(session, deal.id, DealUpdate(manual_amount=False))
    assert auto.amount == Decimal("999999999999999.99")


def test_following_rows_stored_over_the_limit_is_a_clear_refusal(db: Database) -> None:
    """Rows saved before the limit was checked: `t` (follow the products) says why it
    cannot, instead of failing on the number (it was "no such record")."""
    from dealterm.core.models import DealProduct

    with db.session() as session:
        deal = create_deal(session, DealCreate(title="Typed", amount="10"))
        session.add(
            DealProduct(
                deal_id=deal.id,
                name="Huge",
                price=Decimal("99999999999999"),
                quantity=Decimal("99999999"),
                discount_type="percent",
                discount_rate=Decimal(0),
                discount_sum=Decimal(0),
                tax_rate=None,
                tax_included=False,
                measure="pcs",
                sort=10,
            )
        )
    with (
        pytest.raises(ValidationError, match=r"the rows' total is too large"),
        db.session() as session,
    ):
        update_deal(session, deal.id, DealUpdate(manual_amount=False))
    with db.session(write=False) as session:
        detail = deal_detail(session, deal.id)
    assert detail.manual_amount and detail.amount == Decimal("10.00")
