"""Reading the files other CRMs and spreadsheets write: encodings, delimiters, quoting."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from dealterm.core.errors import DealtermError
from dealterm.core.importing.reader import read_csv

ROWS = [
    ["ID", "Название сделки", "Сумма"],
    ["1", "Поставка котлов Север-2", "1 500,00"],
    ["2", "Монтаж; пусконаладка", "750"],
]


def _text(delimiter: str) -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if delimiter in value else value

    return "\r\n".join(delimiter.join(cell(v) for v in row) for row in ROWS) + "\r\n"


@pytest.mark.parametrize(
    ("encoding", "prefix", "detected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("cp1251", b"", "cp1251"),
        ("koi8-r", b"", "koi8-r"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
    ],
)
def test_every_encoding_is_detected_and_read(
    tmp_path: Path, encoding: str, prefix: bytes, detected: str
) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes(prefix + _text(";").encode(encoding))
    found = read_csv(path)
    assert found.encoding == detected
    assert found.headers == ROWS[0]
    assert found.rows == ROWS[1:]


def test_utf16_without_a_bom_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes("Title\tAmount\r\nPumps\t100\r\n".encode("utf-16-le"))
    found = read_csv(path)
    assert found.encoding == "utf-16-le"
    assert found.delimiter == "\t"
    assert found.rows == [["Pumps", "100"]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(_text(delimiter), encoding="utf-8")
    found = read_csv(path)
    assert found.delimiter == delimiter
    assert found.rows == ROWS[1:]


def test_quoted_cells_keep_delimiters_quotes_and_line_breaks_and_rows_know_their_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(
        "ID,Title,Comments\n"
        '1,"Pumps, valves and ""fittings""","first line\nsecond line\nthird line"\n'
        "\n"
        "2,Boilers,plain\n",
        encoding="utf-8",
    )
    found = read_csv(path)
    assert found.rows == [
        ["1", 'Pumps, valves and "fittings"', "first line\nsecond line\nthird line"],
        ["2", "Boilers", "plain"],
    ]
    # the second record starts on line 6: the first spans lines 2-4, line 5 is empty
    assert found.lines == [2, 6]


def test_short_and_long_rows_are_made_as_wide_as_the_header_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("A,B,C\n1,2\n1,2,3,4\n1,2,3,,\n1,,\n", encoding="utf-8")
    found = read_csv(path)
    assert found.rows == [["1", "2", ""], ["1", "2", "3"], ["1", "2", "3"], ["1", "", ""]]
    assert found.extra == {1: 4}  # only a row whose extra cells hold something
    assert found.short == {0: 2}  # a row written with its empty cells is whole


def test_repeated_and_empty_headers_get_names(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("Примечание;Примечание; ;Title\na;b;c;d\n", encoding="utf-8")
    assert read_csv(path).headers == ["Примечание", "Примечание (2)", "Column 3", "Title"]


def test_a_given_encoding_and_delimiter_are_used(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes("Title|Сумма\nКотёл|5\n".encode("koi8-r"))
    found = read_csv(path, encoding="koi8-r", delimiter="|")
    assert found.rows == [["Котёл", "5"]]
    assert read_csv(path, encoding="koi8_r", delimiter="pipe").headers == ["Title", "Сумма"]


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        ("Title\nКотёл\n".encode("cp1251"), {"encoding": "utf-8"}, "not valid utf-8 text"),
        (b"Title\n1\n", {"encoding": "klingon"}, "unknown encoding 'klingon'"),
        (b"Title\n1\n", {"delimiter": "ab"}, "delimiter is one character"),
        (b"PK\x03\x04\x14\x00\x06\x00", {}, "Excel workbook"),
        (b"\x00\x01\x02\x03binary\x00\xff", {}, "not text"),
        (b"", {}, "is empty"),
        (b" \r\n\r\n", {}, "is empty"),
        (b'Title\n"never closed\n', {}, None),
    ],
)
def test_files_that_cannot_be_read_say_why_in_one_line(
    tmp_path: Path, content: bytes, options: dict[str, str], message: str | None
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    if message is None:  # an unclosed quote runs to the end: one odd cell, not an error
        assert read_csv(path, **options).rows == [["never closed\n"]]
        return
    with pytest.raises(DealtermError) as caught:
        read_csv(path, **options)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_utf8_with_a_stray_byte_stays_utf8_and_names_the_row_that_holds_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deals.csv"
    # "М" as Windows-1251 writes it (0xcc), pasted into a UTF-8 file
    data = _text(";").encode("utf-8").replace("Монтаж".encode(), b"\xcc" + "онтаж".encode())
    path.write_bytes(data)
    found = read_csv(path)
    assert found.encoding == "utf-8"
    assert found.headers == ROWS[0]
    assert found.rows[0] == ROWS[1]  # the rest of the file is its real text
    assert found.rows[1] == ["2", "\ufffdонтаж; пусконаладка", "750"]
    assert list(found.broken) == [1]
    assert "byte 0xcc on line 3 is not UTF-8" in found.broken[1]


def test_a_stray_byte_in_the_header_of_a_utf8_file_stops_the_import_naming_the_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes(_text(";").encode("utf-8").replace("Сумма".encode(), b"\xd1\xf3\xec\xec\xe0"))
    with pytest.raises(DealtermError) as caught:
        read_csv(path)
    assert "byte 0xd1 on line 1, in the header" in str(caught.value)


def test_a_windows_1251_file_with_a_valid_utf8_pair_by_chance_is_still_windows_1251(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deals.csv"
    # "Р»" is 0xd0 0xbb in Windows-1251: by chance also a valid UTF-8 letter
    rows = "Title;Company\nПоставка котлов;ТОО «МИР»\nМонтаж систем отопления;ООО «Север»\n"
    path.write_bytes(rows.encode("cp1251"))
    found = read_csv(path)
    assert found.encoding == "cp1251"
    assert found.rows[0] == ["Поставка котлов", "ТОО «МИР»"]
    assert found.broken == {}


def test_a_missing_file_or_a_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DealtermError, match="no such file"):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(DealtermError, match="is a folder"):
        read_csv(tmp_path)
