"""The list's sort keys for title, client and responsible, kept by SQLite (migration 0009).

The list sorts by the lower-cased title, client (the company, else the primary contact)
and responsible, as Python lower-cases them (names are often Cyrillic). ``deal_sort_keys``
holds them so the first page is an index walk; triggers keep it right for every writer,
bulk loads fill it once. Every test compares the table, and the list's order, with the
same worked out in Python from the deals, companies, contacts and users themselves.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from dealterm.core import bulk
from dealterm.core.clock import FixedClock
from dealterm.core.db import Database
from dealterm.core.demo import generate_demo
from dealterm.core.filters import DealFilter
from dealterm.core.queries import deal_list
from dealterm.core.services.deals import DealCreate, DealUpdate, create_deal, delete_deal
from dealterm.core.services.deals import update_deal as edit
from tests.core.importing_helpers import run_import, write_csv
from tests.core.migration_helpers import migrate, row_counts

KEYS = ("title", "client", "responsible")

NAMES = """
SELECT d.id, d.title, co.title,
       (SELECT ct.name FROM deal_contacts dc JOIN contacts ct ON ct.id = dc.contact_id
        WHERE dc.deal_id = d.id ORDER BY dc.is_primary DESC, dc.sort LIMIT 1),
       u.name
FROM deals d LEFT JOIN companies co ON co.id = d.company_id
JOIN users u ON u.id = d.responsible_id
ORDER BY d.id
"""


@pytest.fixture
def db(sqlite_template: Path, tmp_path: Path, clock: FixedClock) -> Iterator[Database]:
    """A set-up SQLite file with 300 demo deals (written with the triggers on)."""
    path = tmp_path / "crm.db"
    shutil.copy2(sqlite_template, path)
    database = Database.open(path, clock=clock)
    with database.session(bulk=True) as session:
        generate_demo(session, deals=300, seed=11)
    yield database
    database.close()


def _expected(db: Database) -> dict[int, tuple[str, str, str]]:
    """Each deal's keys, lower-cased by Python."""
    with db.engine.connect() as conn:
        return {
            deal: (title.lower(), (company or contact or "").lower(), (user or "").lower())
            for deal, title, company, contact, user in conn.execute(text(NAMES))
        }


def _stored(db: Database) -> dict[int, tuple[str, str, str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT deal_id, title, client, responsible FROM deal_sort_keys"))
        return {deal: (title, client, user) for deal, title, client, user in rows}


def _right(db: Database) -> bool:
    expected = _expected(db)
    assert expected, "no deals to compare proves nothing"
    return _stored(db) == expected


def _sql(db: Database, statement: str, **params: object) -> None:
    with db.session() as session:
        session.connection().execute(text(statement), params)


def test_demo_deals_have_their_keys(db: Database) -> None:
    assert _right(db)
    keys = _expected(db).values()
    assert len({client for _t, client, _u in keys}) > 10  # real names, not blanks


def test_keys_follow_every_change_of_a_name_a_link_or_a_deal(db: Database) -> None:
    with db.session() as session:
        alone = create_deal(
            session, DealCreate(title="Ёлка для офиса", contacts=["Яков Петров", "Анна"])
        )
        other = create_deal(session, DealCreate(title="Второй", company="ООО Ромашка"))
    assert _right(db)
    assert _stored(db)[alone.id] == ("ёлка для офиса", "яков петров", _expected(db)[alone.id][2])

    _sql(db, "UPDATE contacts SET name = 'Борис' WHERE name = 'Яков Петров'")
    assert _stored(db)[alone.id][1] == "борис"
    with db.session() as session:  # the other contact becomes the only one
        edit(session, alone.id, DealUpdate(contacts=["Анна"]))
    assert _stored(db)[alone.id][1] == "анна"
    with db.session() as session:  # a company wins over the contacts
        edit(session, alone.id, DealUpdate(company="Зенит", title="Новогодняя ёлка"))
    assert _stored(db)[alone.id][:2] == ("новогодняя ёлка", "зенит")
    _sql(db, "UPDATE companies SET title = 'АЛЬФА' WHERE title = 'Зенит'")
    assert _stored(db)[alone.id][1] == "альфа"
    with db.session() as session:
        edit(session, alone.id, DealUpdate(company=None))
    assert _stored(db)[alone.id][1] == "анна"
    _sql(db, "DELETE FROM deal_contacts WHERE deal_id = :deal", deal=alone.id)
    assert _stored(db)[alone.id][1] == ""

    _sql(
        db,
        "UPDATE users SET name = 'Ёжик Иванов' "
        "WHERE id = (SELECT responsible_id FROM deals WHERE id = :deal)",
        deal=other.id,
    )
    assert _stored(db)[other.id][2] == "ёжик иванов"
    assert _right(db)

    _sql(db, "DELETE FROM companies WHERE title = 'ООО Ромашка'")  # the deal keeps no company
    assert _stored(db)[other.id][1] == ""
    with db.session() as session:
        delete_deal(session, other.id)
    assert other.id not in _stored(db)
    assert _right(db)


def _python_order(db: Database, ids: set[int], key: str, descending: bool) -> list[int]:
    position = KEYS.index(key)
    keys = _expected(db)
    return sorted(ids, key=lambda deal: (keys[deal][position], deal), reverse=descending)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("search", [None, "a", "ан", "ltd", "zq"])
def test_the_list_in_a_key_order_is_the_names_order(
    db: Database, key: str, search: str | None
) -> None:
    with db.session() as session:  # Cyrillic beside Latin, capitals beside small letters
        create_deal(session, DealCreate(title="Яблоки", company="анна и ко"))
        create_deal(session, DealCreate(title="яблоки", contacts=["Андрей"]))
        create_deal(session, DealCreate(title="Apples Ltd deal", company="Ltd Ёж"))
    flt = DealFilter(search=search) if search else None
    with db.session(write=False) as session:
        matching = set(deal_list.ordered_ids(session, flt, sort="id"))
        for descending in (True, False):
            expected = _python_order(db, matching, key, descending)
            full = deal_list.ordered_ids(session, flt, sort=key, descending=descending)
            assert list(full) == expected
            page = deal_list.ordered_ids(session, flt, sort=key, descending=descending, limit=20)
            assert list(page) == expected[:20]


def test_a_first_page_past_the_walk_reads_the_matching_deals_at_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deal_list, "WALK_WINDOW", 5)  # the page is never full within it
    flt = DealFilter(search="a")
    with db.session(write=False) as session:
        matching = set(deal_list.ordered_ids(session, flt, sort="id"))
        assert len(matching) > 20
        page = deal_list.ordered_ids(session, flt, sort="client", descending=False, limit=20)
    assert list(page) == _python_order(db, matching, "client", False)[:20]


def test_a_bulk_load_fills_the_keys_once_and_puts_the_triggers_back(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "INDEX_DEFERRAL_ROWS", 50)  # the demo's deals go the bulk way
    with db.session(bulk=True) as session:
        generate_demo(session, deals=400, seed=12, append=True)  # more than the 300 there
    assert _right(db)
    with db.engine.connect() as conn:
        triggers = set(
            conn.execute(
                text(
                    "SELECT name FROM sqlite_master "
                    "WHERE type = 'trigger' AND name LIKE 'deal_keys%'"
                )
            ).scalars()
        )
        indexes = set(
            conn.execute(
                text(
                    "SELECT name FROM sqlite_master "
                    "WHERE tbl_name = 'deal_sort_keys' AND type = 'index'"
                )
            ).scalars()
        )
    assert len(triggers) == 9
    assert indexes >= {"ix_deal_sort_keys_title", "ix_deal_sort_keys_client"}
    with db.session() as session:  # and they are at work again
        create_deal(session, DealCreate(title="After the load", contacts=["Вера"]))
    assert _right(db)


def test_an_import_of_deals_without_a_company_keys_them_by_their_contact(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "INDEX_DEFERRAL_ROWS", 50)  # links and deals the bulk way
    rows = [["Title", "Company", "Contacts"]]
    rows += [[f"Сделка {i}", "", f"Контакт {i % 40}"] for i in range(400)]
    rows += [[f"Deal {i}", f"Фирма {i % 30}", ""] for i in range(200)]
    report = run_import(db, write_csv(tmp_path / "deals.csv", rows))
    assert report.imported and report.created == 600
    assert _right(db)
    assert sum(1 for _t, client, _u in _stored(db).values() if client.startswith("контакт")) == 400


def test_down_to_0008_and_up_again_fills_the_table_and_keeps_every_row(
    db: Database, clock: FixedClock
) -> None:
    path = Path(str(db.url.database))
    expected = _expected(db)
    rows = row_counts(db, ("deals", "companies", "contacts", "deal_contacts", "history"))
    migrate(db, "0008")
    with db.engine.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
    assert "deal_sort_keys" not in names
    assert not any(name.startswith("deal_keys") for name in names)
    assert "deal_totals_insert" in names  # the other triggers stay
    db.close()

    db = Database.open(path, clock=clock)  # upgrades to the head
    try:
        assert _stored(db) == expected
        assert row_counts(db, rows) == rows
    finally:
        db.close()


@pytest.mark.parametrize("key", ["id", "created", "close", "amount", "stage", *KEYS])
def test_a_first_page_is_the_full_order_s_start_for_common_and_rare_words(
    db: Database, key: str
) -> None:
    with db.session() as session:  # a two-letter word three deals hold
        for title in ("Qz alpha", "Бета qz a", "qZ gamma"):
            create_deal(session, DealCreate(title=title, amount="100"))
    with db.session(write=False) as session:
        assert deal_list._rare_words(session, DealFilter(search="qz"))
        assert not deal_list._rare_words(session, DealFilter(search="a"))
        for search in ("a", "qz", "a qz"):
            flt = DealFilter(search=search)
            for descending in (True, False):
                full = deal_list.ordered_ids(session, flt, sort=key, descending=descending)
                page = deal_list.ordered_ids(
                    session, flt, sort=key, descending=descending, limit=20
                )
                assert list(page) == list(full[:20])
                assert (len(full) == 3) == (search != "a")
