"""Control characters never reach the terminal: removed where text enters, shown where
text already stored (or a driver's message) is printed.

`deal add --title $'a\\x1b[31mred'` used to store the escape sequence, and `deal list`
then sent ESC[31m to the terminal; a damaged database's message carried its raw bytes.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok

ESC = "\x1b"
# What a terminal would act on: C0 controls but tab and newline, DEL, C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
RED = f"{ESC}[31m"
TITLE = f"a{RED}red{ESC}[0m\x07"


def _safe(text: str) -> str:
    """``text``, once checked to hold nothing a terminal would act on."""
    assert not CONTROL.search(text), repr(text)
    return text


def test_text_given_on_the_command_line_is_stored_without_controls(
    run: Runner, db_target: str
) -> None:
    assert_ok(run("field", "add", "note", "Note", db=db_target))
    assert_ok(run("directory", "add", "source", f"Fair{RED} 2026", "--code", "FAIR", db=db_target))
    deal = assert_ok(
        run(
            "deal", "add", "--json",
            "--title", TITLE,
            "--company", f"Acme{ESC}]0;owned\x07 Ltd",
            "--contact", "John\x9b2J Smith",
            "--comment", f"first line\nsecond{RED} line\r\nthird\x00",
            "--source-description", f"from\tthe{ESC}[1m fair",
            "--set", f"note=n{RED}ote\x85",
            db=db_target,
        )
    ).json()  # fmt: skip
    assert deal["title"] == "ared"
    shown = assert_ok(run("deal", "show", str(deal["id"]), "--json", db=db_target)).json()
    assert shown["company"] == "Acme Ltd"
    assert [c["name"] for c in shown["contacts"]] == ["John Smith"]
    assert shown["comments"] == "first line\nsecond line\nthird"  # the line breaks stay
    assert shown["source_description"] == "from the fair"
    assert shown["custom_fields"] == {"UF_CRM_NOTE": "note"}
    sources = assert_ok(run("directory", "list", "source", "--json", db=db_target)).json()
    assert {"key": "FAIR", "name": "Fair 2026"}.items() <= sources[-1].items()

    assert_ok(run("comment", "add", str(deal["id"]), f"call{RED} back\nsoon", db=db_target))
    assert_ok(
        run(
            "activity", "add", str(deal["id"]),
            "--subject", f"Call{ESC}[5m",
            "--description", "ask\x07 about\nthe price",
            "--deadline", "2030-01-02 10:00",
            db=db_target,
        )
    )  # fmt: skip
    assert_ok(run("deal", "lost", str(deal["id"]), "--reason", f"too{RED} dear", db=db_target))
    for command in (
        ("deal", "list"),
        ("deal", "list", "--json"),
        ("deal", "show", str(deal["id"])),
        ("deal", "show", str(deal["id"]), "--json"),
        ("activity", "list", "--json"),
    ):
        _safe(assert_ok(run(*command, db=db_target)).stdout)
    shown = assert_ok(run("deal", "show", str(deal["id"]), "--json", db=db_target)).json()
    assert shown["lost_reason"] == "too dear"
    assert [e["text"] for e in shown["history"] if e["kind"] == "comment"] == ["call back\nsoon"]
    assert shown["activities"][0]["subject"] == "Call"


def test_names_given_to_the_settings_commands_lose_their_controls(
    run: Runner, db_target: str
) -> None:
    added = assert_ok(run("pipeline", "add", f"Whole{RED}sale", "--json", db=db_target)).json()
    assert added["name"] == "Wholesale"
    stage = assert_ok(
        run("stage", "add", f"Talks{ESC}[0m", "-p", "Wholesale", "--json", db=db_target)
    ).json()
    assert stage["name"] == "Talks"
    field = assert_ok(
        run(
            "field", "add", "colors", f"Col{RED}ors", "--type", "list",
            "--option", f"red{ESC}[0m", "--option", "blue", "--json",
            db=db_target,
        )
    ).json()  # fmt: skip
    assert (field["label"], field["options"]) == ("Colors", ["red", "blue"])


@pytest.fixture
def stored_db(seeded_db: Path) -> Path:
    """The seeded database with escape sequences written into it by another program."""
    conn = sqlite3.connect(seeded_db)
    conn.execute(
        "UPDATE deals SET title = ?, comments = ? WHERE id = 1",
        (f"old{RED}red\x9b2J\x07", f"c{ESC}]0;x\x07\nnext"),
    )
    conn.execute("UPDATE companies SET title = ?", (f"Acme{ESC}[5m",))
    conn.execute("UPDATE activities SET subject = ?", (f"s{ESC}[8m",))
    conn.commit()
    conn.close()
    return seeded_db


@pytest.mark.parametrize(
    "command",
    [
        ("deal", "list"),  # the quick path (sqlite3 alone)
        ("deal", "list", "--search", "old"),  # through Typer and the ORM
        ("deal", "show", "1"),
        ("activity", "list"),
        ("activity", "done", "1"),
        ("deal", "won", "1"),
        ("deal", "delete", "1", "--yes"),
    ],
)
def test_values_already_stored_are_shown_not_sent(
    run: Runner, stored_db: Path, command: tuple[str, ...]
) -> None:
    out = _safe(assert_ok(run(*command, db=stored_db)).stdout)
    assert "\\x1b[" in out  # shown the way Python writes it, so still recognisable
    if command[:2] == ("deal", "list"):
        assert "old\\x1b[31mred\\x9b2J\\x07" in out and "Acme\\x1b[5m" in out
    if command[:2] == ("deal", "show"):
        assert "c\\x1b]0;x\\x07\nnext" in out  # the comment keeps its line break


def test_json_escapes_every_control(run: Runner, stored_db: Path) -> None:
    out = _safe(assert_ok(run("deal", "list", "--json", db=stored_db)).stdout)
    assert "old\\u001b[31mred\\u009b2J\\u0007" in out
    listed = assert_ok(run("deal", "list", "--json", db=stored_db)).json()
    assert listed[-1]["title"] == f"old{RED}red\x9b2J\x07"  # the same value to a program
    _safe(assert_ok(run("deal", "list", "--json", "--search", "old", db=stored_db)).stdout)


def test_a_damaged_database_message_is_printable(run: Runner, seeded_db: Path) -> None:
    conn = sqlite3.connect(seeded_db)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "INSERT INTO sqlite_master VALUES ('table', ?, ?, 0, ?)",
        (f"x{RED}\x01", "x", f"CREATE TABLE {RED}\x07 garbage("),
    )
    conn.commit()
    conn.close()
    for command in (("deal", "show", "1"), ("deal", "list"), ("deal", "list", "--json")):
        result = run(*command, db=seeded_db)
        line = assert_fails(result, 2, "seeded.db", "malformed database schema")
        _safe(result.stderr)
        assert "x\\x1b[31m\\x01" in line


def test_bytes_that_are_not_utf8_are_bad_input(run: Runner, seeded_db: Path) -> None:
    title = b"Caf\xe9".decode("utf-8", "surrogateescape")  # a Latin-1 terminal's "Café"
    result = run("deal", "add", "--title", "x", "--company", title, db=seeded_db)
    line = assert_fails(result, 2, "not UTF-8")
    assert "\\xe9" in line
    stored = assert_ok(run("deal", "add", "--title", title, "--json", db=seeded_db)).json()
    assert stored["title"] == "Caf"  # what cannot be stored is left out, as a control is
