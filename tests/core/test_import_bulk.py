"""Big imports take the bulk paths (search text composed by the import, columns converted
whole); what a user sees must be what the row-by-row paths give."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from dealterm.core import bulk
from dealterm.core.crm import Crm
from dealterm.core.db import Database
from dealterm.core.importing import BadRow
from dealterm.core.importing.reader import read_csv
from dealterm.core.importing.writer import SEARCH_DEFERRAL_DEALS
from dealterm.core.services import clients
from dealterm.core.services.deals import DealCreate
from tests.core.importing_helpers import deals_by_title, run_import, write_csv

# The text of each deal as the search triggers of migration 0002 compose it.
TRIGGER_TEXT = """
SELECT d.id, coalesce(d.title, '') || ' ' || coalesce(c.title, '') || ' ' ||
       coalesce((SELECT {agg} FROM deal_contacts dc JOIN contacts ct ON ct.id = dc.contact_id
                 WHERE dc.deal_id = d.id), '') || ' ' || coalesce(d.comments, '')
FROM deals d LEFT JOIN companies c ON c.id = d.company_id ORDER BY d.id
"""


def _indexed(db: Database) -> list[tuple[int, str]]:
    with db.session(write=False) as session:
        if db.is_sqlite:
            found = session.execute(text("SELECT rowid, body FROM deal_fts ORDER BY rowid"))
        else:
            found = session.execute(text("SELECT deal_id, body FROM deal_search ORDER BY deal_id"))
        return [(int(i), str(body)) for i, body in found]


def _composed(db: Database) -> list[tuple[int, str]]:
    agg = "group_concat(ct.name, ' ')" if db.is_sqlite else "string_agg(ct.name, ' ')"
    with db.session(write=False) as session:
        found = session.execute(text(TRIGGER_TEXT.format(agg=agg)))
        return [(int(i), str(body)) for i, body in found]


@pytest.mark.parametrize("count", [6, SEARCH_DEFERRAL_DEALS + 50], ids=["small", "big"])
def test_an_import_is_found_by_search_as_if_each_deal_were_typed_in(
    db: Database, tmp_path: Path, count: int
) -> None:
    """Small and big imports alike (on SQLite both write the text of their new deals at
    once), on top of deals typed in before, whose text must stay as it was."""
    with db.session() as session:
        clients.create_company(session, "Old Acme Ltd")
        clients.create_contact(session, "Zoe Known", emails=["zoe@known.example"])
    crm = Crm(db)
    crm.create(DealCreate(title="Typed earlier", company="Old Acme Ltd", contacts=["Zoe Known"]))
    rows = [["ID", "Title", "Company", "Contacts", "Contact e-mail", "Comments"]]
    for n in range(1, count + 1):
        company = ("Old Acme Ltd", f"New Co {n % 7}", "")[n % 3]
        # a new contact listed before a known one: the text names them by contact id
        contacts = f"Person {n % 11}; Zoe Known" if n % 4 == 0 else f"Person {n % 11}"
        email = "zoe@known.example" if n % 10 == 5 else ""
        rows.append([str(n), f"Deal {n}", company, contacts, email, "ring back" * (n % 2)])
    rows.append(["x1", "Needle deal", "Haystack Widgets", "Ann Needleman", "", "quarterly"])
    report = run_import(db, write_csv(tmp_path / "deals.csv", rows))
    assert report.imported and report.created == count + 1

    indexed = _indexed(db)
    assert indexed == _composed(db)
    assert len(indexed) == count + 2
    if db.is_sqlite:  # the index's settings are as they were (its load setting put back)
        with db.session(write=False) as session:
            config = session.execute(text("SELECT k, v FROM deal_fts_config ORDER BY k"))
            assert [tuple(row) for row in config] == [("version", 4)]
    assert [d.title for d in crm.search_deals("needleman")] == ["Needle deal"]
    assert [d.title for d in crm.search_deals("haystack widg")] == ["Needle deal"]
    assert len(crm.search_deals("old acme", limit=5000)) == 1 + len(
        [n for n in range(1, count + 1) if n % 3 == 0]
    )
    assert [d.title for d in crm.search_deals("typed earl")] == ["Typed earlier"]

    # the triggers are back: a later change is indexed as it happens
    with db.session() as session:
        session.execute(text("UPDATE deals SET title = 'Renamed needle' WHERE origin_id = 'x1'"))
    assert [d.title for d in crm.search_deals("renamed")] == ["Renamed needle"]
    assert _indexed(db) == _composed(db)


def test_a_column_converted_whole_still_reports_each_bad_value_with_its_row(
    db: Database, tmp_path: Path
) -> None:
    rows = [["ID", "Title", "Amount", "Price", "Product"]]
    rows += [[str(n), f"Deal {n}", f"{n}.50", "", ""] for n in range(1, 40)]
    rows += [
        ["40", "Too precise", "12.345", "", ""],  # plain, but three decimals
        ["41", "Line\nbreaks  in title", "7", "", ""],
        ["42", "Grouped", "", "1 234,50", "Widget"],  # not plain: the price goes one by one
        ["43", "Priced", "", "19.99", "Widget"],
        ["44", "  '=Formula-like  ", "", "'-5", "Widget"],
    ]
    path = write_csv(tmp_path / "deals.csv", rows)
    report = run_import(db, path)
    assert report.bad == [
        BadRow(41, "Amount", "12.345", "the amount has more than two decimal places"),
        BadRow(46, "Price", "'-5", "the price cannot be negative"),
    ]
    report = run_import(db, path, skip_bad=True)
    assert report.created == 42
    deals = deals_by_title(db)
    assert deals["Deal 7"].amount == Decimal("7.50")
    assert deals["Line breaks in title"].amount == Decimal("7.00")
    assert deals["Grouped"].amount == Decimal("1234.50")
    assert deals["Priced"].amount == Decimal("19.99")


def test_records_on_one_line_each_keep_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("\nID,Title\r\n1,Pumps\r\n\r\n , \r\n2,Boilers\r\n3,Valves", encoding="utf-8")
    found = read_csv(path)
    assert found.headers == ["ID", "Title"]
    assert found.rows == [["1", "Pumps"], ["2", "Boilers"], ["3", "Valves"]]
    assert found.lines == [3, 6, 7]


@pytest.mark.parametrize("way", ["client by client", "all at once"])
def test_a_deal_for_a_client_with_a_won_deal_is_a_repeat_sale(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    """Whether clients have won deals is asked client by client when the database holds
    more deals than the file brings, read all at once otherwise; the deals say the same.
    (With the threshold at 1, the small file also takes the other bulk paths.)"""
    if way == "all at once":
        monkeypatch.setattr(bulk, "INDEX_DEFERRAL_ROWS", 1)
    crm = Crm(db)
    won_co = crm.create(DealCreate(title="Won before", company="Won Co"))
    crm.won(won_co.id, won_co.version)
    crm.create(DealCreate(title="Still open", company="Open Co"))
    won_person = crm.create(DealCreate(title="Won with Carol", contacts=["Carol Won"]))
    crm.won(won_person.id, won_person.version)
    lost = crm.create(DealCreate(title="Lost with Dan", company="Lost Co", contacts=["Dan Lost"]))
    crm.lost(lost.id, None, lost.version)
    rows = [
        ["ID", "Title", "Company", "Contacts"],
        ["1", "Again for Won Co", "won co", ""],
        ["2", "Again for Open Co", "Open Co", ""],
        ["3", "Again with Carol", "", "Someone New; Carol Won"],
        ["4", "Again for Lost Co", "Lost Co", "Dan Lost"],
        ["5", "First for New Co", "New Co", "Nina New"],
        ["6", "New Co's second", "New Co", ""],
    ]
    report = run_import(db, write_csv(tmp_path / "deals.csv", rows))
    assert (report.bad, report.created) == ([], 6)
    deals = deals_by_title(db)
    assert {title: deals[title].repeat for title, *_ in (r[1:] for r in rows[1:])} == {
        "Again for Won Co": True,
        "Again for Open Co": False,
        "Again with Carol": True,
        "Again for Lost Co": False,
        "First for New Co": False,
        "New Co's second": False,
    }
