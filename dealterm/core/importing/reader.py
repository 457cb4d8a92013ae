"""Reading CSV and TSV files: the encoding, the delimiter, and the records with their lines.

Other CRMs export in whatever their users' Excel likes: UTF-8 with or without a BOM,
Windows-1251 or KOI8-R for Russian, UTF-16 from "Unicode text"; ``,`` ``;`` or tab.
Everything is read into memory at once (100,000 deals are a few tens of megabytes).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from dealterm.core.errors import DealtermError

__all__ = [
    "DELIMITERS",
    "CsvFile",
    "decode",
    "detect_delimiter",
    "detect_encoding",
    "parse_delimiter",
    "read_csv",
]

DELIMITERS = (",", ";", "\t")
MAX_FILE_BYTES = 1 << 30
_SAMPLE = 64 * 1024
# The most frequent Russian letters: the right 8-bit code page turns the text into them.
_RUSSIAN = frozenset("оеаинтсрвлкмдпуяыОЕАИНТСРВЛКМДПУЯЫ")
_DELIMITER_NAMES = {
    "tab": "\t",
    "\\t": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
}
_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook (.xlsx); save it as CSV first"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word file (.xls); save it as CSV first"),
    (b"%PDF", "a PDF document, not a CSV file"),
)


@dataclass(frozen=True)
class CsvFile:
    """A file read into records.

    Attributes:
        headers: the header cells, stripped, unique ("Note", "Note (2)").
        rows: data records, each exactly as long as ``headers`` (a short one is padded
            with empty cells, a long one cut).
        lines: the line each record starts on (the header is line 1 when it is first).
        extra: for records with more cells than headers: the record index -> cell count.
        short: for records with fewer cells than headers: the record index -> cell count.
            Such a record is bad: its cells may have slid into other columns, and what
            is missing would be read as empty values.
        raw_headers: the header cells as written (for the rejects file).
        broken: for records of a UTF-8 file that hold bytes UTF-8 has no meaning for:
            the record index -> what is wrong. Such a byte is read as "\ufffd"; the
            record is bad (the rest of the file is read as the UTF-8 it is).
    """

    path: Path
    encoding: str
    delimiter: str
    headers: list[str]
    rows: list[list[str]]
    lines: list[int]
    extra: dict[int, int]
    short: dict[int, int]
    raw_headers: list[str]
    broken: dict[int, str] = field(default_factory=dict)


def parse_delimiter(value: str | None) -> str | None:
    """``"tab"``, ``"\\t"``, ``";"``, ``"comma"`` ... -> the character; None stays None.

    Raises:
        DealtermError: not a single character or a known name.
    """
    if value is None or value == "":
        return None
    if value in ("\t", ",", ";", "|"):
        return value
    named = _DELIMITER_NAMES.get(value.strip().lower())
    if named:
        return named
    if len(value) == 1 and value not in "\"'\r\n" and not value.isalnum():
        return value
    raise DealtermError(f"the delimiter is one character such as ',', ';' or 'tab', not {value!r}")


def _check_codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise DealtermError(
            f"unknown encoding {name!r} (try utf-8, utf-8-sig, cp1251, koi8-r or utf-16)"
        ) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when every other byte is zero (Latin text), else None."""
    sample = data[:_SAMPLE]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_zero = sample[0::2].count(0)
    odd_zero = sample[1::2].count(0)
    half = len(sample) // 2
    guess = None
    if odd_zero > half * 0.3 and even_zero < half * 0.05:
        guess = "utf-16-le"
    elif even_zero > half * 0.3 and odd_zero < half * 0.05:
        guess = "utf-16-be"
    if guess is None:
        return None
    # zero bytes in step happen in binary files too: the text must read as letters
    text = sample.decode(guess, errors="replace")
    readable = sum(1 for char in text if " " <= char < "\u0500" or char in "\t\r\n")
    return guess if readable >= len(text) * 0.95 else None


_HIGH_BYTES = bytes(range(0x80, 0x100))
_ESCAPED = re.compile("[\udc80-\udcff]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_UTF8 = ("utf-8", "utf-8-sig")


def _mostly_utf8(data: bytes, codec: str = "utf-8") -> bool:
    """Whether ``data`` is UTF-8 text with a few bytes that are not.

    Each stray byte must be outweighed by two bytes of valid UTF-8 characters beyond
    ASCII: an 8-bit code page (Windows-1251, KOI8-R) makes almost every letter such a
    stray byte, and seldom a valid sequence.
    """
    stray = len(data.decode(codec, "surrogateescape")) - len(data.decode(codec, "ignore"))
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    return stray > 0 and high - stray >= 2 * stray


def _russian_score(text: str) -> int:
    return sum(1 for char in text if char in _RUSSIAN)


def detect_encoding(data: bytes) -> str:
    """The encoding of ``data``: by its BOM, else UTF-8, UTF-16, Windows-1251 or KOI8-R.

    Raises:
        DealtermError: the bytes are a binary file, not text.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise DealtermError(f"the file is {what}")
    wide = _utf16_without_bom(data)
    if wide:
        return wide
    if b"\x00" in data[:_SAMPLE]:
        raise DealtermError("the file is not text (it holds zero bytes); is it a CSV file?")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        if _mostly_utf8(data):  # UTF-8 with a few bad bytes: their rows are bad, not the file
            return "utf-8"
    else:
        return "utf-8"
    sample = data[: _SAMPLE * 4]
    scores: dict[str, int] = {}
    for name in ("cp1251", "koi8-r"):
        try:
            scores[name] = _russian_score(sample.decode(name))
        except UnicodeDecodeError:
            continue
    if not scores:
        return "koi8-r"  # decodes every byte; a wrong guess shows as odd letters, not a crash
    return max(scores, key=lambda name: (scores[name], name == "cp1251"))


def decode(data: bytes, encoding: str, *, given: bool) -> str:
    """The text of ``data`` in ``encoding``.

    Raises:
        DealtermError: the bytes are not valid in that encoding.
    """
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        where = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
        hint = "; leave the encoding out to detect it" if given else ""
        raise DealtermError(f"the file is not valid {encoding} text ({where}){hint}") from None
    return _checked(text)


def _checked(text: str) -> str:
    """``text`` without a BOM, once it looks like text.

    Raises:
        DealtermError: it holds zero bytes or many control characters.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    sample = text[:_SAMPLE]
    controls = sum(1 for char in sample if char < " " and char not in "\t\r\n")
    if "\x00" in text or controls > max(2, len(sample) // 100):
        raise DealtermError("the file is not text (it holds control characters); is it a CSV file?")
    return text


def _decode_text(data: bytes, encoding: str, *, given: bool) -> tuple[str, list[tuple[int, int]]]:
    """The text of ``data``, and where UTF-8 text holds bytes that are not UTF-8.

    Returns:
        the text (each run of stray bytes read as "\ufffd") and, for each run, the line
        it is on (counted as the CSV reader counts lines) and its first byte.

    Raises:
        DealtermError: as :func:`decode`; for UTF-8, only when the bytes are not mostly
            UTF-8 (see :func:`_mostly_utf8`).
    """
    try:
        return decode(data, encoding, given=given), []
    except DealtermError:
        if codecs.lookup(encoding).name not in _UTF8 or not _mostly_utf8(data, encoding):
            raise
    escaped = data.decode(encoding, "surrogateescape")
    stray: list[tuple[int, int]] = []
    line, last = 1, 0
    for match in _ESCAPED.finditer(escaped):
        line += len(_LINE_BREAK.findall(escaped, last, match.start()))
        last = match.start()
        stray.append((line, ord(match.group()[0]) - 0xDC00))
    return _checked(_ESCAPED.sub("\ufffd", escaped)), stray


def _first_records(text: str, delimiter: str, limit: int = 50) -> list[list[str]]:
    sample = text[:_SAMPLE]
    if len(text) > _SAMPLE and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
    records: list[list[str]] = []
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append(record)
                if len(records) >= limit:
                    break
    except csv.Error:
        pass
    return records


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the header and the first records into the same columns."""
    best = ","
    best_score: tuple[float, int] = (-1.0, 0)
    for delimiter in DELIMITERS:
        records = _first_records(text, delimiter)
        if not records:
            continue
        width = len(records[0])
        if width < 2:
            continue
        body = records[1:] or records
        same = sum(1 for record in body if len(record) == width) / len(body)
        score = (same, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for index, raw in enumerate(headers, start=1):
        name = " ".join(raw.replace("\ufeff", "").split()) or f"Column {index}"
        count = seen.get(name.lower(), 0) + 1
        seen[name.lower()] = count
        result.append(name if count == 1 else f"{name} ({count})")
    return result


def _records(text: str, sep: str, name: str) -> tuple[list[str] | None, list[list[str]], list[int]]:
    """The header, the data records and the line each starts on; blank records skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    try:
        records: list[list[str]] | None = list(reader)
    except csv.Error:
        records = None  # read again record by record below, to say on which line
    if records is not None and reader.line_num == len(records):
        # Every record on a line of its own (no line breaks inside quotes): record i starts
        # on line i + 1, and the lines need not be followed record by record.
        kept = [index for index, record in enumerate(records) if "".join(record).strip()]
        if not kept:
            return None, [], []
        return (
            records[kept[0]],
            [records[index] for index in kept[1:]],
            [index + 1 for index in kept[1:]],
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    previous = 0
    try:
        for record in reader:
            start = previous + 1
            previous = reader.line_num
            if not record or not "".join(record).strip():
                continue
            if header is None:
                header = record
                continue
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise DealtermError(f"cannot read {name} as CSV at line {previous + 1}: {exc}") from None
    return header, rows, lines


def read_csv(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> CsvFile:
    """Read a whole CSV or TSV file.

    Args:
        encoding: a codec name; detected when None.
        delimiter: one character; detected when None.

    Raises:
        DealtermError: the file is missing, unreadable, binary, not in the given encoding,
            badly quoted, or has no header.
    """
    given_encoding = _check_codec(encoding) if encoding else None
    delimiter = parse_delimiter(delimiter)
    target = path.expanduser()
    try:
        if target.is_dir():
            raise DealtermError(f"{target} is a folder, not a file")
        if target.stat().st_size > MAX_FILE_BYTES:
            raise DealtermError(f"{target} is larger than 1 GiB; split it into smaller files")
        data = target.read_bytes()
    except FileNotFoundError:
        raise DealtermError(f"no such file: {target}") from None
    except OSError as exc:
        raise DealtermError(f"cannot read {target}: {exc.strerror or exc}") from None
    if not data.strip():
        raise DealtermError(f"{target.name} is empty")
    chosen = given_encoding or detect_encoding(data)
    text, stray = _decode_text(data, chosen, given=given_encoding is not None)
    sep = delimiter or detect_delimiter(text)
    header, rows, lines = _records(text, sep, target.name)
    extra: dict[int, int] = {}
    short: dict[int, int] = {}
    if header is None:
        raise DealtermError(f"{target.name} has no header line")
    broken: dict[int, str] = {}
    for line, byte in stray:
        index = bisect_right(lines, line) - 1
        if index < 0:
            raise DealtermError(
                f"{target.name} is UTF-8 text except for byte 0x{byte:02x} on line {line}, "
                "in the header; fix that line (or give the file's encoding with --encoding)"
            )
        broken.setdefault(
            index,
            f"byte 0x{byte:02x} on line {line} is not UTF-8 (the rest of the file is); "
            "fix it in the file",
        )
    width = len(header)
    if any(len(row) != width for row in rows):
        for index, row in enumerate(rows):
            count = len(row)
            if count < width:
                short[index] = count
                row.extend([""] * (width - count))
            elif count > width:
                if "".join(row[width:]).strip():
                    extra[index] = count
                del row[width:]
    return CsvFile(
        path=target,
        encoding=chosen,
        delimiter=sep,
        headers=_unique(header),
        rows=rows,
        lines=lines,
        extra=extra,
        short=short,
        raw_headers=list(header),
        broken=broken,
    )
