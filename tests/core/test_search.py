"""Search as you type: title, company, contacts and comments, kept in sync by the database."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dealterm.core.db import Database
from dealterm.core.demo import generate_demo
from dealterm.core.models import Company, Contact
from dealterm.core.queries import DealFilter, list_deals
from dealterm.core.search import deferred_search_index
from dealterm.core.services.deals import (
    DealCreate,
    DealUpdate,
    create_deal,
    delete_deal,
    update_deal,
)


def _found(db: Database, query: str) -> list[str]:
    with db.session(write=False) as session:
        return sorted(d.title for d in list_deals(session, DealFilter(search=query), limit=None))


@pytest.fixture
def crm(db: Database) -> Database:
    with db.session() as session:
        create_deal(
            session,
            DealCreate(
                title="Server room",
                company="Acme Ltd",
                contacts=["John Smith"],
                comments="needs cooling",
            ),
        )
        create_deal(
            session,
            DealCreate(
                title="Поставка оборудования", company="ООО «Ромашка»", contacts=["Иван Петров"]
            ),
        )
        create_deal(session, DealCreate(title="Website", company="Globex"))
    return db


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("server", ["Server room"]),
        ("ERVER RO", ["Server room"]),  # any substring, any case
        ("acme", ["Server room"]),  # the company
        ("smith", ["Server room"]),  # a contact
        ("cooling", ["Server room"]),  # the comments
        ("ромашк", ["Поставка оборудования"]),  # Cyrillic, any case
        ("ИВАН", ["Поставка оборудования"]),
        ("acme cooling", ["Server room"]),  # every word must appear
        ("acme globex", []),
        ("we", ["Website"]),  # shorter than a trigram still works
        ("o", ["Server room", "Website"]),  # Latin o; the Russian deal has only Cyrillic о
        ("nothing like it", []),
        ('"quoted"', []),
    ],
)
def test_search_finds_what_was_typed(crm: Database, query: str, titles: list[str]) -> None:
    assert _found(crm, query) == titles


def test_the_index_follows_every_change(crm: Database) -> None:
    with crm.session() as session:
        deal = create_deal(session, DealCreate(title="Fresh deal"))
    assert _found(crm, "fresh") == ["Fresh deal"]
    with crm.session() as session:
        update_deal(
            session,
            deal.id,
            DealUpdate(
                title="Renamed",
                company="Initech",
                contacts=["Peter Gibbons"],
                comments="TPS reports",
            ),
        )
    assert _found(crm, "fresh") == []
    assert _found(crm, "initech") == ["Renamed"]
    assert _found(crm, "gibbons") == ["Renamed"]
    assert _found(crm, "tps") == ["Renamed"]
    with crm.session() as session:
        company = session.exec(text("SELECT id FROM companies WHERE title = 'Initech'")).scalar()  # type: ignore[call-overload]
        found = session.get(Company, company)
        assert found is not None
        found.title = "Initrode"
        session.add(found)
        person = session.exec(text("SELECT id FROM contacts WHERE name = 'Peter Gibbons'")).scalar()  # type: ignore[call-overload]
        contact = session.get(Contact, person)
        assert contact is not None
        contact.name = "Michael Bolton"
        session.add(contact)
    assert _found(crm, "initrode") == ["Renamed"]
    assert _found(crm, "initech") == []
    assert _found(crm, "bolton") == ["Renamed"]
    with crm.session() as session:
        update_deal(session, deal.id, DealUpdate(contacts=[]))
    assert _found(crm, "bolton") == []
    with crm.session() as session:
        delete_deal(session, deal.id)
    assert _found(crm, "renamed") == []


def test_a_bulk_load_is_indexed_like_one_deal_at_a_time(db: Database) -> None:
    """Demo data switches the triggers off and indexes at the end: same result."""
    with db.session(bulk=True) as session:
        generate_demo(session, deals=40, seed=3)
    table, key = (
        ("deal_fts", "rowid")
        if db.url.get_backend_name() == "sqlite"
        else ("deal_search", "deal_id")
    )
    with db.engine.connect() as conn:
        bulk = dict(conn.execute(text(f"SELECT {key}, body FROM {table}")).all())
    with db.session(bulk=True) as session:
        conn = session.connection()
        # Rebuild everything through the triggers: touch each deal's title.
        conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("UPDATE deals SET title = title || ''"))
    with db.engine.connect() as conn:
        by_trigger = dict(conn.execute(text(f"SELECT {key}, body FROM {table}")).all())
    assert len(bulk) == 40
    assert bulk == by_trigger
    with db.session() as session:
        conn = session.connection()
        with deferred_search_index(conn, 10**9):
            pass
        triggers = (
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
            if db.url.get_backend_name() == "sqlite"
            else "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'O'"
        )
        assert conn.execute(text(triggers)).scalar() >= 5
