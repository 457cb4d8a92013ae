"""``dealterm deal list`` without Typer: the CLI's most frequent command, in a blink.

Importing Typer alone takes as long as reading and printing fifty deals with ``sqlite3``,
and Typer then spends as long again inspecting the command's signature (it builds a
pydantic adapter for each of its options). :func:`run_quick` reads the arguments of a
plain listing itself: ``deal list`` with the root options ``--db`` and ``--demo`` and the
command options that :mod:`dealterm.core.quickread` can read (``--limit``, ``--json``,
``--db``, the status flags, the amount and closing-date ranges, ``--repeat``/``--first``,
``--without-activities``), each written once.

Anything else, or anything doubtful (an unknown or repeated option, a value that is not
plainly a value, a filter the CRM refuses, a settings file with a problem, a database the
quick read cannot take), returns None before a byte is printed, and :func:`dealterm.cli.main`
goes through Typer, which parses, reports and lists exactly as it always has. A test runs
every case both ways and compares what is printed.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dealterm.config import Settings
    from dealterm.core.filters import DealFilter

__all__ = ["echo_json", "print_quick_listing", "run_quick"]

# The root options the quick path takes (before the command).
_ROOT_FLAGS: dict[str, tuple[str, bool]] = {"--demo": ("demo", True)}
_ROOT_VALUES: dict[str, str] = {"--db": "db"}
# Flags of `deal list` the quick path takes: the parameter each sets, and its value.
_FLAGS: dict[str, tuple[str, bool]] = {
    "--json": ("json", True),
    "--open": ("open", True),
    "--won": ("won", True),
    "--lost": ("lost", True),
    "--closed": ("closed", True),
    "--repeat": ("repeat", True),
    "--first": ("repeat", False),
    "--without-activities": ("without_activities", True),
}
# Options of `deal list` with a value that the quick path takes, and their parameters.
_VALUES: dict[str, str] = {
    "--limit": "limit",
    "--db": "db",
    "--min-amount": "min_amount",
    "--max-amount": "max_amount",
    "--close-from": "close_from",
    "--close-to": "close_to",
}
_LIMIT = re.compile(r"[0-9]{1,7}")
MAX_LIMIT = 1_000_000  # as `deal list --limit` declares it


# What JSON leaves as it is with ensure_ascii=False but a terminal must not receive (DEL,
# the C1 controls) or stdout cannot encode (lone surrogates): written as \u escapes, which
# mean the same characters to every JSON reader.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\ud800-\udfff]")


def echo_json(data: Any) -> None:
    """Print JSON (UTF-8, indented) to stdout."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    text = _JSON_UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
    sys.stdout.write(text + "\n")


def _options(
    args: Sequence[str], flags: dict[str, tuple[str, bool]], values: dict[str, str]
) -> tuple[dict[str, Any], int] | None:
    """The options up to the first argument that is not one, each given once, and where
    that argument is; None if any is unknown, repeated or has an odd value."""
    options: dict[str, Any] = {}
    index = 0
    while index < len(args):
        name, sep, value = args[index].partition("=")
        if not name.startswith("-"):
            break
        given: Any
        if name in flags and not sep:
            parameter, given = flags[name]
        elif name in values:
            parameter = values[name]
            if not sep:
                index += 1
                if index >= len(args):
                    return None
                value = args[index]
            if not value or value.startswith("-"):
                return None
            given = value
        else:
            return None
        if parameter in options:
            return None
        options[parameter] = given
        index += 1
    return options, index


def run_quick(args: Sequence[str]) -> bool:
    """List the deals if the arguments are a plain ``deal list``; False if Typer should."""
    found = _options(args, _ROOT_FLAGS, _ROOT_VALUES)
    if found is None:
        return False
    root, start = found
    if list(args[start : start + 2]) != ["deal", "list"]:
        return False
    listing = args[start + 2 :]
    found = _options(listing, _FLAGS, _VALUES)
    if found is None or found[1] != len(listing):
        return False
    options = found[0]
    limit = options.get("limit", "50")
    if not _LIMIT.fullmatch(limit) or not 1 <= int(limit) <= MAX_LIMIT:
        return False  # Typer says what is wrong with it
    options["limit"] = int(limit)

    from dealterm.cli.filter_values import build_filter
    from dealterm.config import load_settings, resolve_database
    from dealterm.core.errors import DealtermError

    settings = load_settings()
    if settings.problem:
        return False  # Typer's path warns about it, once
    from dealterm.core.formatting import configure

    configure(settings.formats())  # before the dates given are read
    target = resolve_database(
        options.pop("db", None) or root.get("db"),
        demo=root.get("demo", False),
        configured=settings.db,
    )
    json_ = options.pop("json", False)
    limit = options.pop("limit")
    try:
        flt = build_filter(None, **options)
    except DealtermError:
        return False  # Typer's path reports it
    return print_quick_listing(settings, target, flt, limit, json_=json_)


def print_quick_listing(
    settings: Settings, target: str, flt: DealFilter, limit: int, *, json_: bool
) -> bool:
    """Print the listing read with ``sqlite3`` alone (no ORM import), if it can be."""
    from pathlib import Path

    from dealterm.core import quickread

    if "://" in target:
        return False
    path = Path(target).expanduser().resolve()
    found = quickread.quick_listing(path, flt, limit, total=not json_)
    if found is None:
        return False
    deals, total = found
    if json_:
        echo_json(deals)
        return True
    from dealterm.cli.output import print_deal_table
    from dealterm.core.formatting import configure
    from dealterm.core.readmodels import DealRead

    configure(settings.formats())
    shown = [DealRead.model_validate(deal) for deal in deals]
    print_deal_table(shown, locale=settings.locale, total=total)
    return True
