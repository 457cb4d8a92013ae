"""`dealterm import deals` as reviewers broke it: files of one name, our own export coming
back, a stray byte in a UTF-8 file, slashed dates, rejects of rejects."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok
from tests.core.importing_helpers import write_csv


def _deals(run: Runner, db: Path) -> list[dict[str, object]]:
    listed: list[dict[str, object]] = assert_ok(
        run("deal", "list", "--json", "--limit", "100", db=db)
    ).json()
    return listed


def _titles(run: Runner, db: Path) -> dict[int, object]:
    return {int(str(deal["id"])): deal["title"] for deal in _deals(run, db)}


def test_two_files_called_deals_csv_in_other_folders_keep_their_own_deals(
    run: Runner, fresh_db: Path, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_csv(tmp_path / "a" / "deals.csv", [["ID", "Title"], ["1", "Pumps for Acme"]])
    second = write_csv(tmp_path / "b" / "deals.csv", [["ID", "Title"], ["1", "Valves for Bolt"]])
    assert_ok(run("import", "deals", str(first), db=fresh_db))
    result = assert_ok(run("import", "deals", str(second), db=fresh_db))
    assert "Deals: 1 created, 0 updated" in result.stdout
    assert _titles(run, fresh_db) == {1: "Pumps for Acme", 2: "Valves for Bolt"}

    # --origin says the two files are one source: then the second updates the first's deal
    third = write_csv(tmp_path / "b" / "more.csv", [["ID", "Title"], ["7", "Pipes"]])
    fourth = write_csv(tmp_path / "a" / "later.csv", [["ID", "Title"], ["7", "Pipes and taps"]])
    assert_ok(run("import", "deals", str(third), "--origin", "shop", db=fresh_db))
    result = assert_ok(run("import", "deals", str(fourth), "--origin", "shop", db=fresh_db))
    assert "Deals: 0 created, 1 updated" in result.stdout
    assert _titles(run, fresh_db)[3] == "Pipes and taps"


def test_our_export_imports_back_as_updates_of_the_same_deals(
    run: Runner, fresh_db: Path, tmp_path: Path
) -> None:
    for title in ("Pumps", "Valves"):
        assert_ok(run("deal", "add", "--title", title, "--amount", "100", db=fresh_db))
    exported = tmp_path / "f.csv"
    assert_ok(run("export", "deals", "-o", str(exported), db=fresh_db))

    result = assert_ok(run("import", "deals", str(exported), db=fresh_db))
    assert "Deals: 0 created, 2 updated" in result.stdout
    assert "Note: the file is a dealterm export" in result.stdout
    assert _titles(run, fresh_db) == {1: "Pumps", 2: "Valves"}

    # a title changed in a spreadsheet
    text = exported.read_text(encoding="utf-8-sig").replace(",Valves,", ",Valves DN50,")
    exported.write_text(text, encoding="utf-8-sig")
    result = assert_ok(run("import", "deals", str(exported), db=fresh_db))
    assert "Deals: 0 created, 2 updated" in result.stdout
    assert _titles(run, fresh_db) == {1: "Pumps", 2: "Valves DN50"}


def test_a_utf8_file_with_one_bad_byte_is_refused_naming_the_row_and_never_mojibaked(
    run: Runner, fresh_db: Path, tmp_path: Path
) -> None:
    text = "ID,Title,Amount\n1,Котельная,100\n2,Счётчики тепла,200\n3,Радиаторы,300\n"
    source = tmp_path / "deals.csv"
    source.write_bytes(text.encode("utf-8").replace("ё".encode(), b"\xd1"))  # half a letter

    result = run("import", "deals", str(source), db=fresh_db)
    assert_fails(result, 2, "1 bad row in deals.csv", "nothing was imported")
    assert "deals.csv: 3 rows, utf-8, comma" in result.stdout
    assert "byte 0xd1 on line 3 is not UTF-8" in result.stdout
    assert _deals(run, fresh_db) == []

    assert_ok(run("import", "deals", str(source), "--skip-bad", db=fresh_db))
    assert sorted(map(str, _titles(run, fresh_db).values())) == ["Котельная", "Радиаторы"]


@pytest.mark.parametrize(
    ("lang", "close"), [("en_US.UTF-8", "2026-03-04"), ("ru_RU.UTF-8", "2026-04-03")]
)
def test_ambiguous_slashed_dates_follow_the_locale_and_say_so(
    run: Runner,
    fresh_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    close: str,
) -> None:
    monkeypatch.setenv("LANG", lang)
    source = write_csv(tmp_path / "deals.csv", [["Title", "Close date"], ["Pumps", "03/04/2026"]])
    result = assert_ok(run("import", "deals", str(source), db=fresh_db))
    assert "Note: Close date: dates such as 03/04/2026 were read as" in result.stdout
    assert _deals(run, fresh_db)[0]["close_date"] == close


def test_skip_bad_on_a_rejects_file_rewrites_it_with_one_reason_column(
    run: Runner, fresh_db: Path, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "y.csv", [["Title", "Amount"], ["A", "12abc"], ["B", "5"]])
    assert_ok(run("import", "deals", str(source), "--skip-bad", db=fresh_db))
    rejects = tmp_path / "y.rejects.csv"
    result = assert_ok(run("import", "deals", str(rejects), "--skip-bad", db=fresh_db))
    assert f"written to {rejects}" in result.stdout
    assert not (tmp_path / "y.rejects.rejects.csv").exists()
    with rejects.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Title", "Amount", "reason"]
    assert [row[:2] for row in rows[1:]] == [["A", "12abc"]]
