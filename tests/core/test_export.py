"""Exporting deals (CSV, JSON) and open activities (iCalendar), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlmodel import select

from dealterm.core.clock import FixedClock
from dealterm.core.crm import Crm
from dealterm.core.db import Database
from dealterm.core.errors import ValidationError
from dealterm.core.export import (
    EXPORT_COLUMNS,
    deal_pages,
    neutralize,
    resolve_columns,
    write_deals,
    write_deals_csv,
    write_deals_file,
)
from dealterm.core.filters import DealFilter, Status
from dealterm.core.ical import activity_uid, write_activities_ics, write_activities_ics_file
from dealterm.core.importing import ImportOptions
from dealterm.core.models import Company, Deal, DealProduct
from dealterm.core.queries import list_deals
from dealterm.core.services import custom_fields, users
from dealterm.core.services.activities import complete_activity, plan_activity
from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.core.services.flow import mark_won
from dealterm.core.services.products import ProductRowInput

MOSCOW = ZoneInfo("Europe/Moscow")
DEAL_HEADERS = [header for _key, header in EXPORT_COLUMNS]
PRODUCT_HEADERS = ["Product", "Price", "Quantity", "Discount, %", "Tax rate, %", "Measure"]
# Where each header is in a full export of the `data` fixture (two custom fields).
COLUMN = {
    header: i
    for i, header in enumerate([*DEAL_HEADERS, "Region", "Partner", "Size", *PRODUCT_HEADERS])
}


@dataclass(frozen=True)
class Data:
    """The ids the fixture made."""

    kit: int  # two product rows, two contacts, custom values
    plain: int  # won, no products, no client
    russian: int  # a Russian company name (Windows-1251 can hold it)
    partner: int  # a deal of the company a link field points at
    partner_company: int


@pytest.fixture
def data(db: Database) -> Data:
    with db.session() as session:
        custom_fields.define_field(
            session, "region", "Region", type="list", options=["North", "South"]
        )
        custom_fields.define_field(session, "partner", "Partner", type="company")
        custom_fields.define_field(session, "size", "Size", type="number")
        partner = create_deal(session, DealCreate(title="Partner deal", company="Partner Co"))
        kit = create_deal(
            session,
            DealCreate(
                title="Server room",
                company="Acme Ltd",
                contacts=["John Smith", "Mary Jones"],
                type="SERVICES",
                source="WEB",
                begin_date="2026-03-01",
                close_date="2026-04-15",
                comments="Needs a crane",
                custom_fields={
                    "region": "North",
                    "partner": "Partner Co",
                    "size": "-12.5",
                },
                products=[
                    ProductRowInput(
                        name="Widget", price="100", quantity="3", discount="10", tax_rate="20"
                    ),
                    ProductRowInput(
                        name="Cable",
                        price="10",
                        quantity="2.5",
                        discount_type="amount",
                        discount="1",
                        measure="m",
                    ),
                ],
            ),
        )
        plain = create_deal(session, DealCreate(title="Plain", amount="1234.5"))
        mark_won(session, plain.id)
        russian = create_deal(
            session, DealCreate(title="Поставка труб", company="ООО «Ромашка»", amount="99.9")
        )
    return Data(
        kit=kit.id,
        plain=plain.id,
        russian=russian.id,
        partner=partner.id,
        partner_company=partner.company_id or 0,
    )


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for the files written (the SQLite database lives in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _export(db: Database, **options: object) -> bytes:
    out = io.BytesIO()
    with db.session(write=False) as session:
        write_deals(session, out, **options)  # type: ignore[arg-type]
    return out.getvalue()


def _rows(raw: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode(encoding), newline="")))


def _lines_of(rows: list[list[str]], deal_id: int) -> list[list[str]]:
    return [row for row in rows[1:] if row[0] == str(deal_id)]


# --- CSV ---------------------------------------------------------------------------------------
def test_csv_header_is_the_importer_contract(db: Database, data: Data) -> None:
    header = _rows(_export(db))[0]
    assert header == [*DEAL_HEADERS, "Region", "Partner", "Size", *PRODUCT_HEADERS]
    assert DEAL_HEADERS == [
        "ID",
        "Title",
        "Pipeline",
        "Stage",
        "Stage name",
        "Amount",
        "Currency",
        "Company",
        "Contacts",
        "Type",
        "Source",
        "Responsible",
        "Begin date",
        "Close date",
        "Closed",
        "Repeat",
        "Lost reason",
        "Created",
        "Comments",
    ]


def test_a_deal_with_product_rows_takes_one_line_per_row(db: Database, data: Data) -> None:
    rows = _rows(_export(db))
    kit = _lines_of(rows, data.kit)
    assert len(kit) == 2
    deal_part = len(DEAL_HEADERS) + 3
    assert kit[0][:deal_part] == kit[1][:deal_part]  # the deal's columns repeat
    first = kit[0]
    assert first[COLUMN["Title"]] == "Server room"
    assert first[COLUMN["Pipeline"]] == "Sales"
    assert first[COLUMN["Stage"]] == "NEW"  # the code; the name has its own column
    assert first[COLUMN["Stage name"]] == "New"
    # 3 x 90 + 20 % tax = 324.00, plus 2.5 x 9 = 22.50
    assert first[COLUMN["Amount"]] == "346.50"
    assert first[COLUMN["Currency"]] == "USD"
    assert first[COLUMN["Company"]] == "Acme Ltd"
    assert first[COLUMN["Contacts"]] == "John Smith; Mary Jones"
    assert (first[COLUMN["Type"]], first[COLUMN["Source"]]) == ("SERVICES", "WEB")
    assert first[COLUMN["Responsible"]] == "Test User"
    assert (first[COLUMN["Begin date"]], first[COLUMN["Close date"]]) == (
        "2026-03-01",
        "2026-04-15",
    )
    assert (first[COLUMN["Closed"]], first[COLUMN["Repeat"]]) == ("N", "N")
    assert first[COLUMN["Comments"]] == "Needs a crane"
    products = [row[COLUMN["Product"] :] for row in kit]
    assert products == [
        ["Widget", "100.00", "3", "10", "20", "pcs"],
        # one off each 10.00 unit is 10 % of the price
        ["Cable", "10.00", "2.5", "10", "", "m"],
    ]
    # Without products: one line, empty product cells.
    (plain,) = _lines_of(rows, data.plain)
    assert plain[COLUMN["Amount"]] == "1234.50"
    assert plain[COLUMN["Stage"]] == "WON"
    assert plain[COLUMN["Closed"]] == "Y"
    assert plain[COLUMN["Company"]] == plain[COLUMN["Contacts"]] == ""
    assert plain[COLUMN["Product"] :] == [""] * 6
    # Newest first, as `deal list` shows them.
    assert [int(row[0]) for row in rows[1:]] == [
        data.russian,
        data.plain,
        data.kit,
        data.kit,
        data.partner,
    ]


def test_created_is_the_local_moment_with_its_offset_to_the_second(
    db: Database, data: Data, clock: FixedClock
) -> None:
    """What tells this database's deal #N from another's: readable, exact, inert."""
    clock.advance(days=30, seconds=7, microseconds=654_321)
    with db.session() as session:
        later = create_deal(session, DealCreate(title="=Later"))
    rows = _rows(_export(db))
    created = {int(row[0]): row[COLUMN["Created"]] for row in rows[1:]}
    assert created[data.kit] == "2026-03-10 10:30:00+03:00"  # FROZEN, in Moscow
    assert created[later.id] == "2026-04-09 10:30:07+03:00"
    with db.session(write=False) as session:
        stored = session.get(Deal, later.id)
        assert stored is not None and stored.created_at.microsecond == 654_321
        assert [c.header for c in resolve_columns(session, ["id,created"])] == ["ID", "Created"]
    # the same instant, to the second, as any ISO 8601 reader takes it
    assert datetime.fromisoformat(created[later.id]) == stored.created_at.replace(microsecond=0)
    assert _lines_of(rows, later.id)[0][COLUMN["Title"]] == "'=Later"


def test_custom_fields_are_columns_with_links_by_name(db: Database, data: Data) -> None:
    (line, _second) = _lines_of(_rows(_export(db)), data.kit)
    assert line[COLUMN["Region"]] == "North"
    assert line[COLUMN["Partner"]] == "Partner Co"
    assert line[COLUMN["Size"]] == "-12.5"  # a negative number stays a number
    (plain,) = _lines_of(_rows(_export(db)), data.plain)
    assert [plain[COLUMN[h]] for h in ("Region", "Partner", "Size")] == ["", "", ""]


@pytest.mark.parametrize(
    "title",
    ["=1+2", "+SUM(A1:A9)", "-2+3", "@cmd", "\tTAB=1", "\rCR=1", "-", "-1e5", "-inf"],
)
def test_every_formula_start_is_neutralized(db: Database, title: str) -> None:
    with db.session() as session:
        deal = create_deal(
            session,
            DealCreate(
                title="Formula",
                company="Some Co",
                products=[ProductRowInput(name="Part", price="1")],
            ),
        )
        # The services trim what people type; an import or another program may not.
        row = session.get(Deal, deal.id)
        assert row is not None and row.company_id is not None
        row.title, row.comments = title, title
        company = session.get(Company, row.company_id)
        assert company is not None
        company.title = f"{title} Co"
        product = session.exec(select(DealProduct).where(DealProduct.deal_id == deal.id)).one()
        product.name = f"{title} part"
        session.add_all([row, company, product])
    rows = _rows(_export(db))
    (line,) = (dict(zip(rows[0], row, strict=True)) for row in _lines_of(rows, deal.id))
    assert line["Title"] == line["Comments"] == "'" + title
    assert line["Company"] == "'" + f"{title} Co"
    assert line["Product"] == "'" + f"{title} part"


def test_neutralize_keeps_plain_text_and_negative_numbers() -> None:
    assert neutralize("Acme") == "Acme"
    assert neutralize("") == ""
    assert neutralize("-12") == "-12"
    assert neutralize("-1234.50") == "-1234.50"
    assert neutralize("-12 EUR") == "'-12 EUR"
    assert neutralize("- 12") == "'- 12"
    assert neutralize("+12") == "'+12"
    assert neutralize("a=b") == "a=b"


def test_values_starting_with_a_quote_come_back_from_an_export_exactly(
    db: Database, tmp_path: Path
) -> None:
    titles = ["'-5", "'=x", "''", "'", "'t Hooft", "=1+2", "-12.5"]
    with db.session() as session:
        for title in titles:
            create_deal(session, DealCreate(title=title))
    exported = tmp_path / "quotes.csv"
    with db.session(write=False) as session:
        write_deals_file(session, exported, columns=["id", "title"])
    cells = [row[1] for row in _rows(exported.read_bytes())[1:]]
    assert "''-5" in cells and "'=1+2" in cells  # still inert in a spreadsheet

    report = Crm(db).import_deals(
        exported, ImportOptions(mapping={"ID": "external_id"}, origin="copy")
    )
    assert (report.bad, report.created) == ([], len(titles))
    with db.session(write=False) as session:
        stored = session.exec(select(Deal.title)).all()
    assert sorted(stored) == sorted(titles * 2)


def test_columns_pick_and_order_by_key_or_header(db: Database, data: Data) -> None:
    rows = _rows(_export(db, columns=["title,ID", "amount", "region"]))
    assert rows[0] == ["Title", "ID", "Amount", "Region"]
    # no product column: one line per deal
    assert [row[1] for row in rows[1:]] == [
        str(i) for i in (data.russian, data.plain, data.kit, data.partner)
    ]
    assert rows[1 + 2] == ["Server room", str(data.kit), "346.50", "North"]
    with_products = _rows(_export(db, columns=["id,Product,discount, %"]))
    assert with_products[0] == ["ID", "Product", "Discount, %"]
    assert _lines_of(with_products, data.kit) == [
        [str(data.kit), "Widget", "10"],
        [str(data.kit), "Cable", "10"],
    ]
    with db.session(write=False) as session:
        assert [c.header for c in resolve_columns(session, ["Discount, %", "UF_CRM_SIZE"])] == [
            "Discount, %",
            "Size",
        ]
        with pytest.raises(ValidationError) as refused:
            resolve_columns(session, ["title,colour"])
    assert refused.value.field == "columns"
    assert "'colour'" in refused.value.message
    assert "title" in refused.value.message and "UF_CRM_REGION" in refused.value.message


# --- encodings and files ------------------------------------------------------------------------
def test_utf8_with_and_without_bom(db: Database, data: Data) -> None:
    with_bom = _export(db, encoding="utf-8-sig")
    without = _export(db, encoding="utf-8")
    assert with_bom.startswith(b"\xef\xbb\xbfID,Title,")
    assert without.startswith(b"ID,Title,")
    assert with_bom[3:] == without
    assert "ООО «Ромашка»" in without.decode("utf-8")


def test_windows_1251_is_readable_back(db: Database, data: Data, out: Path) -> None:
    target = out / "deals.csv"
    with db.session(write=False) as session:
        written = write_deals_file(session, target, encoding="cp1251")
    assert written == 4
    raw = target.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    (line,) = _lines_of(_rows(raw, "cp1251"), data.russian)
    assert line[COLUMN["Company"]] == "ООО «Ромашка»"
    assert line[COLUMN["Title"]] == "Поставка труб"


def test_a_value_windows_1251_cannot_hold_leaves_no_file(
    db: Database, data: Data, out: Path
) -> None:
    with db.session() as session:
        bad = create_deal(session, DealCreate(title="Zürich office"))
    target = out / "deals.csv"
    with db.session(write=False) as session, pytest.raises(ValidationError) as refused:
        write_deals_file(session, target, encoding="windows-1251")
    assert refused.value.field == "encoding"
    assert f"#{bad.id}" in refused.value.message and "'ü'" in refused.value.message
    assert list(out.iterdir()) == []
    # An older file of that name is left as it was.
    target.write_text("old", encoding="utf-8")
    with db.session(write=False) as session, pytest.raises(ValidationError):
        write_deals_file(session, target, encoding="cp1251")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in out.iterdir()) == ["deals.csv"]


def test_an_unwritable_path_is_a_clear_refusal(db: Database, data: Data, out: Path) -> None:
    with db.session(write=False) as session:
        with pytest.raises(ValidationError) as missing:
            write_deals_file(session, out / "no" / "such" / "deals.csv")
        with pytest.raises(ValidationError) as folder:
            write_deals_file(session, out)
        with pytest.raises(ValidationError) as encoding:
            write_deals_file(session, out / "x.csv", encoding="latin-1")
    assert missing.value.field == "path" and "No such file or directory" in missing.value.message
    assert folder.value.field == "path" and "folder" in folder.value.message
    assert encoding.value.field == "encoding" and "utf-8-sig" in encoding.value.message
    assert list(out.iterdir()) == []


def test_write_deals_csv_keeps_its_signature(db: Database, data: Data, out: Path) -> None:
    target = out / "deals.csv"
    with db.session(write=False) as session:
        assert write_deals_csv(session, [data.plain, data.kit], target) == 2
        assert write_deals_csv(session, [data.kit], out / "b.csv", encoding="utf-8") == 1
    rows = _rows(target.read_bytes())
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM by default
    assert [row[0] for row in rows[1:]] == [str(data.plain), str(data.kit), str(data.kit)]
    assert not (out / "b.csv").read_bytes().startswith(b"\xef\xbb\xbf")


# --- what is read -----------------------------------------------------------------------------
def test_a_filter_exports_what_the_list_shows_in_pages(db: Database, data: Data) -> None:
    with db.session() as session:
        for i in range(7):
            create_deal(session, DealCreate(title=f"Extra {i}", amount=str(10 + i)))
    for flt in (None, DealFilter(status=Status.OPEN), DealFilter(search="extra")):
        with db.session(write=False) as session:
            expected = [d.id for d in list_deals(session, flt, limit=None)]
            pages = list(deal_pages(session, flt=flt, page_size=3))
        assert [d.id for page in pages for d in page] == expected
        assert all(len(page) <= 3 for page in pages)
        ids = [int(row[0]) for row in _rows(_export(db, flt=flt, columns=["id"]))[1:]]
        assert ids == expected
    with db.session(write=False) as session:
        chosen = [data.plain, data.kit, data.russian]
        pages = list(deal_pages(session, ids=chosen, page_size=2))
        assert [[d.id for d in page] for page in pages] == [chosen[:2], chosen[2:]]
        with pytest.raises(ValidationError):
            deal_pages(session, flt=DealFilter(pipeline="No such pipeline"))


# --- JSON -------------------------------------------------------------------------------------
def test_json_parses_back_with_exact_amounts(db: Database, data: Data) -> None:
    raw = _export(db, fmt="json", encoding="cp1251")  # JSON ignores the CSV encoding
    deals = {d["id"]: d for d in json.loads(raw.decode("utf-8"))}
    assert list(deals) == [data.russian, data.plain, data.kit, data.partner]
    kit = deals[data.kit]
    assert kit["amount"] == "346.50" and Decimal(kit["amount"]) == Decimal("346.50")
    assert kit["tax_value"] == "54.00"
    assert kit["stage"] == "NEW" and kit["pipeline"] == "Sales"
    assert kit["begin_date"] == "2026-03-01" and kit["close_date"] == "2026-04-15"
    assert datetime.fromisoformat(kit["created_at"]).tzinfo is not None
    assert [c["name"] for c in kit["contacts"]] == ["John Smith", "Mary Jones"]
    assert kit["contacts"][0]["primary"] is True
    assert kit["custom_fields"] == {
        "UF_CRM_REGION": "North",
        "UF_CRM_PARTNER": str(data.partner_company),  # by code, as stored
        "UF_CRM_SIZE": "-12.5",
    }
    widget, cable = kit["products"]
    assert widget["name"] == "Widget"
    assert (widget["price"], widget["quantity"], widget["discount_rate"]) == ("100.00", "3", "10")
    assert (widget["tax_rate"], widget["total"]) == ("20", "324.00")
    assert (cable["discount_type"], cable["discount_sum"], cable["total"]) == (
        "amount",
        "1.00",
        "22.50",
    )
    assert sum(Decimal(p["total"]) for p in kit["products"]) == Decimal(kit["amount"])
    assert deals[data.plain]["amount"] == "1234.50" and deals[data.plain]["products"] == []
    assert deals[data.russian]["company"] == "ООО «Ромашка»"


def test_json_of_nothing_is_an_empty_list(db: Database) -> None:
    assert json.loads(_export(db, fmt="json")) == []
    assert _rows(_export(db, encoding="utf-8"), "utf-8") == [[*DEAL_HEADERS, *PRODUCT_HEADERS]]
    with pytest.raises(ValidationError) as refused:
        _export(db, fmt="xml")
    assert refused.value.field == "format"


# --- iCalendar --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Planned:
    call: int  # mine, open
    task: int  # mine, open
    done: int  # mine, completed
    theirs: int  # someone else's meeting


@pytest.fixture
def planned(db: Database, data: Data) -> Planned:
    with db.session() as session:
        other = users.ensure_user(session, login="olga", name="Olga Smirnova")
        call = plan_activity(
            session, data.kit, kind="call", subject="Discuss the offer", deadline="2026-03-12 11:00"
        )
        task = plan_activity(
            session,
            data.plain,
            kind="task",
            subject="Send the contract",
            deadline="2026-03-13 18:00",
        )
        done = plan_activity(
            session, data.kit, kind="call", subject="Old call", deadline="2026-03-09 10:00"
        )
        complete_activity(session, done.id)
        theirs = plan_activity(
            session,
            data.russian,
            kind="meeting",
            subject="Site visit",
            deadline="2026-03-16 09:30",
            responsible=other,
        )
    return Planned(call=call.id, task=task.id, done=done.id, theirs=theirs.id)


def _calendar(db: Database, *, everyone: bool = False) -> icalendar.Calendar:
    out = io.BytesIO()
    with db.session(write=False) as session:
        write_activities_ics(session, out, everyone=everyone, page_size=2)
    return icalendar.Calendar.from_ical(out.getvalue())


def _events(calendar: icalendar.Calendar) -> Iterator[tuple[str, icalendar.Event]]:
    for event in calendar.walk("VEVENT"):
        yield str(event["UID"]), event


def test_ics_has_one_event_per_open_activity_of_mine(db: Database, planned: Planned) -> None:
    calendar = _calendar(db)
    assert str(calendar["VERSION"]) == "2.0"
    assert "dealterm" in str(calendar["PRODID"])
    events = dict(_events(calendar))
    assert sorted(events) == sorted([activity_uid(planned.call), activity_uid(planned.task)])
    assert activity_uid(planned.call) == f"activity-{planned.call}@dealterm"
    everyone = dict(_events(_calendar(db, everyone=True)))
    assert sorted(everyone) == sorted(
        activity_uid(i) for i in (planned.call, planned.task, planned.theirs)
    )
    assert activity_uid(planned.done) not in everyone  # done is not planned any more


def test_ics_events_carry_time_zone_kind_and_deal(db: Database, planned: Planned) -> None:
    calendar = _calendar(db, everyone=True)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Moscow"]
    assert calendar.get_missing_tzids() == set()
    events = dict(_events(calendar))
    call = events[activity_uid(planned.call)]
    start, end = call.decoded("DTSTART"), call.decoded("DTEND")
    assert start == datetime(2026, 3, 12, 11, 0, tzinfo=MOSCOW)
    assert str(start.tzinfo) == "Europe/Moscow"
    assert end - start == timedelta(minutes=15)
    assert "TZID=Europe/Moscow" in call.to_ical().decode()
    assert str(call["SUMMARY"]) == "Call: Discuss the offer"
    assert call.categories == ["call"]
    description = str(call["DESCRIPTION"])
    assert "Server room" in description
    assert "Client: Acme Ltd" in description
    assert "$346.50" in description
    meeting = events[activity_uid(planned.theirs)]
    assert meeting.categories == ["meeting"]
    assert meeting.decoded("DTEND") - meeting.decoded("DTSTART") == timedelta(hours=1)
    assert "ООО «Ромашка»" in str(meeting["DESCRIPTION"])
    assert "Olga Smirnova" in str(meeting["DESCRIPTION"])
    task = events[activity_uid(planned.task)]
    assert task.decoded("DTSTART") == datetime(2026, 3, 13, 18, 0, tzinfo=MOSCOW)
    assert task.decoded("DTEND") > task.decoded("DTSTART")
    assert task.categories == ["task"]


def test_ics_uids_are_stable_and_the_file_is_all_or_nothing(
    db: Database, planned: Planned, out: Path
) -> None:
    first = sorted(uid for uid, _ in _events(_calendar(db)))
    with db.session() as session:
        plan_activity(session, 1, kind="task", subject="New one", deadline="2026-03-20 12:00")
    second = sorted(uid for uid, _ in _events(_calendar(db)))
    assert set(first) < set(second)
    target = out / "activities.ics"
    with db.session(write=False) as session:
        assert write_activities_ics_file(session, target) == len(second)
        with pytest.raises(ValidationError) as refused:
            write_activities_ics_file(session, out / "missing" / "a.ics")
    assert refused.value.field == "path"
    assert len(list(icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT"))) == 3
    assert sorted(p.name for p in out.iterdir()) == ["activities.ics"]


def test_ics_of_nothing_is_an_empty_calendar(db: Database) -> None:
    calendar = _calendar(db)
    assert list(calendar.walk("VEVENT")) == []
    assert str(calendar["VERSION"]) == "2.0"
