"""Which deals a file may update: its own source's, never those of another file of that name.

A plain file is its folder and name; a CRM's export is that CRM; ``origin`` names a source
several files share; our own export updates the deals it lists by their numbers (and
their Created moments: test_import_created).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from dealterm.core.db import Database
from dealterm.core.export import write_deals_file
from dealterm.core.models import Deal
from dealterm.core.services.deals import DealCreate, create_deal, delete_deal
from dealterm.core.services.products import ProductRowInput
from tests.core.importing_helpers import counts, deals_by_title, run_import, write_csv

PLAIN = ["ID", "Title", "Amount"]


def _folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


def _deal_count(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.execute(select(func.count()).select_from(Deal)).scalar_one())


def test_a_file_of_the_same_name_in_another_folder_never_updates_the_first_ones_deals(
    db: Database, tmp_path: Path
) -> None:
    ours = write_csv(_folder(tmp_path, "ours") / "deals.csv", [PLAIN, ["1", "Pumps", "100"]])
    theirs = write_csv(_folder(tmp_path, "theirs") / "deals.csv", [PLAIN, ["1", "Valves", "200"]])
    assert run_import(db, ours).created == 1

    other = run_import(db, theirs)
    assert (other.created, other.updated) == (1, 0)
    deals = deals_by_title(db)
    assert set(deals) == {"Pumps", "Valves"}
    assert deals["Pumps"].amount == Decimal("100.00")

    # the same file again (the source changed an amount) still updates its own deal
    write_csv(ours, [PLAIN, ["1", "Pumps", "150"]])
    again = run_import(db, ours)
    assert (again.created, again.updated) == (0, 1)
    after = deals_by_title(db)
    assert after["Pumps"].id == deals["Pumps"].id
    assert after["Pumps"].amount == Decimal("150.00")
    assert after["Valves"].amount == Decimal("200.00")


def test_an_origin_name_makes_files_one_source(db: Database, tmp_path: Path) -> None:
    march = write_csv(tmp_path / "shop-march.csv", [PLAIN, ["S-1", "Counter", "10"]])
    april = write_csv(_folder(tmp_path, "later") / "shop-april.csv", [PLAIN, ["S-1", "Till", "12"]])
    assert run_import(db, march, origin="Shop").created == 1
    report = run_import(db, april, origin="shop")  # case and spaces aside, the same name
    assert (report.created, report.updated) == (0, 1)
    assert set(deals_by_title(db)) == {"Till"}
    # without it, the file is a source of its own
    assert run_import(db, march).created == 1


def test_a_crm_export_is_that_crm_wherever_the_file_is(db: Database, tmp_path: Path) -> None:
    header = ["ID", "Название сделки", "Стадия сделки", "Сумма"]
    first = write_csv(
        _folder(tmp_path, "jan") / "export.csv", [header, ["77", "Котельная", "Новая", "100"]]
    )
    second = write_csv(
        _folder(tmp_path, "feb") / "deals.csv", [header, ["77", "Котельная", "В работе", "100"]]
    )
    assert run_import(db, first).created == 1
    report = run_import(db, second)
    assert (report.preset, report.created, report.updated) == ("bitrix24", 0, 1)
    assert deals_by_title(db)["Котельная"].stage == "EXECUTING"


def test_deals_an_older_version_keyed_by_the_file_name_are_left_alone_unless_claimed(
    db: Database, tmp_path: Path
) -> None:
    with db.session() as session:
        old = create_deal(
            session, DealCreate(title="Old pumps", amount="5", origin="file:deals", origin_id="1")
        )
    source = write_csv(_folder(tmp_path, "elsewhere") / "deals.csv", [PLAIN, ["1", "Valves", "9"]])

    report = run_import(db, source, dry_run=True)
    assert (report.created, report.updated) == (1, 0)
    assert any("--origin file:deals" in note for note in report.notes), report.notes
    report = run_import(db, source)
    assert (report.created, report.updated) == (1, 0)
    deals = deals_by_title(db)
    assert deals["Old pumps"].id == old.id and deals["Old pumps"].amount == Decimal("5.00")

    # the user knows this file is theirs: the older deals are updated, not doubled
    claimed = run_import(db, source, origin="file:deals")
    assert (claimed.created, claimed.updated) == (0, 1)
    with db.session(write=False) as session:
        titles = dict(session.execute(select(Deal.id, Deal.title).order_by(Deal.id)).all())
    assert titles[old.id] == "Valves" and len(titles) == 2


def _export(db: Database, path: Path) -> Path:
    with db.session(write=False) as session:
        write_deals_file(session, path)
    return path


def _rewrite(path: Path, change: dict[str, str]) -> None:
    """Edit titles in an exported file as a spreadsheet would (UTF-8 with a BOM kept)."""
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    title = rows[0].index("Title")
    for row in rows[1:]:
        row[title] = change.get(row[title], row[title])
    write_csv(path, rows, encoding="utf-8-sig")


def test_our_own_export_updates_the_deals_it_came_from(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        kit = create_deal(
            session,
            DealCreate(
                title="Boiler kit",
                company="Acme Ltd",
                contacts=["John Smith"],
                products=[
                    ProductRowInput(name="Boiler", price="1000", quantity="2"),
                    ProductRowInput(name="Fitting", price="35.50", quantity="3"),
                ],
            ),
        )
        typed = create_deal(session, DealCreate(title="Service", amount="300"))
    before = counts(db)
    exported = _export(db, tmp_path / "f.csv")

    report = run_import(db, exported)
    assert (report.bad, report.created, report.updated) == ([], 0, 2)
    assert counts(db)["Deal"] == before["Deal"]
    assert counts(db)["DealProduct"] == before["DealProduct"]
    assert counts(db)["Company"] == before["Company"]
    deals = deals_by_title(db)
    assert deals["Boiler kit"].history[0].text.endswith("nothing changed")
    assert deals["Boiler kit"].version == 1

    # a title edited in a spreadsheet comes back as a change of that deal
    _rewrite(exported, {"Service": "Service contract"})
    edited = run_import(db, exported)
    assert (edited.created, edited.updated) == (0, 2)
    after = deals_by_title(db)
    assert set(after) == {"Boiler kit", "Service contract"}
    assert after["Service contract"].id == typed.id
    assert after["Service contract"].amount == Decimal("300.00")
    assert after["Boiler kit"].id == kit.id

    # a deal deleted since the export comes back once, then is updated like the rest
    with db.session() as session:
        delete_deal(session, typed.id)
    back = run_import(db, exported)
    assert (back.created, back.updated) == (1, 1)
    again = run_import(db, exported)
    assert (again.created, again.updated) == (0, 2)
    assert _deal_count(db) == 2


def test_an_export_read_into_a_database_numbers_its_new_deals_by_the_file(
    db: Database, tmp_path: Path
) -> None:
    """Deals an export made here are found again as the file's, not by the numbers they
    got here (deal #2 here came from the file's ID 3)."""
    with db.session() as session:
        create_deal(session, DealCreate(title="Already here"))
    header = ["ID", "Title", "Stage name", "Begin date", "Close date", "Closed", "Amount"]
    source = write_csv(
        tmp_path / "export-from-elsewhere.csv",
        [
            header,
            ["3", "Three", "New", "2026-01-01", "2026-04-01", "N", "30.00"],
            ["9", "Nine", "New", "2026-01-01", "2026-04-01", "N", "90.00"],
        ],
    )
    assert run_import(db, source).created == 2
    numbers = {title: deal.id for title, deal in deals_by_title(db).items()}

    again = run_import(db, source)
    assert (again.created, again.updated) == (0, 2)
    assert {title: deal.id for title, deal in deals_by_title(db).items()} == numbers
    deals = deals_by_title(db)
    assert (deals["Three"].amount, deals["Nine"].amount) == (Decimal("30.00"), Decimal("90.00"))


def test_an_export_with_an_origin_name_adds_its_deals_instead(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        create_deal(session, DealCreate(title="Pumps", amount="10"))
    exported = _export(db, tmp_path / "f.csv")
    report = run_import(db, exported, origin="other database")
    assert (report.created, report.updated) == (1, 0)
    assert _deal_count(db) == 2


def test_importing_a_rejects_file_puts_the_rows_still_bad_back_into_it(
    db: Database, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "y.csv", [["Title", "Amount"], ["A", "12abc"], ["B", "5"], ["C", "x"]]
    )
    first = run_import(db, source, skip_bad=True)
    rejects = tmp_path / "y.rejects.csv"
    assert first.rejects_path == rejects
    rows = list(csv.reader(rejects.read_text(encoding="utf-8").splitlines()))
    rows[1][1] = "12"  # A fixed, C not
    write_csv(rejects, rows)

    second = run_import(db, rejects, skip_bad=True)
    assert (second.created, second.rejects_path) == (1, rejects)
    assert sorted(p.name for p in tmp_path.glob("y.*")) == ["y.csv", "y.rejects.csv"]
    header, *left = list(csv.reader(rejects.read_text(encoding="utf-8").splitlines()))
    assert header == ["Title", "Amount", "reason"]
    assert [row[:2] for row in left] == [["C", "x"]]
    assert set(deals_by_title(db)) == {"A", "B"}
