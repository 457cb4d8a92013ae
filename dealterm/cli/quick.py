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


def echo_json(data: Any) -> None:
    """Print JSON (UTF-8, indented) to stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _root_options(args: Sequence[str]) -> tuple[dict[str, Any], int] | None:
    """The root options before the command (``--db X``, ``--demo``) and where it starts."""
    root: dict[str, Any] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        name, sep, value = arg.partition("=")
        if arg == "--demo" and "demo" not in root:
            root["demo"] = True
        elif name == "--db" and "db" not in root:
            if not sep:
                if index + 1 >= len(args):
                    return None
                index += 1
                value = args[index]
            if not value or value.startswith("-"):
                return None
            root["db"] = value
        elif arg.startswith("-"):
            return None
        else:
            return root, index
        index += 1
    return None


def _listing_options(args: Sequence[str]) -> dict[str, Any] | None:
    """The parameters of ``deal list`` the arguments give, if the quick path takes them all."""
    options: dict[str, Any] = {}
    index = 0
    while index < len(args):
        name, sep, value = args[index].partition("=")
        if name in _FLAGS and not sep:
            parameter, flag = _FLAGS[name]
            if parameter in options:
                return None
            options[parameter] = flag
        elif name in _VALUES:
            parameter = _VALUES[name]
            if parameter in options:
                return None
            if not sep:
                if index + 1 >= len(args):
                    return None
                index += 1
                value = args[index]
            if not value or value.startswith("-"):
                return None
            options[parameter] = value
        else:
            return None
        index += 1
    limit = options.get("limit", "50")
    if not _LIMIT.fullmatch(limit) or not 1 <= int(limit) <= MAX_LIMIT:
        return None  # Typer says what is wrong with it
    options["limit"] = int(limit)
    return options


def run_quick(args: Sequence[str]) -> bool:
    """List the deals if the arguments are a plain ``deal list``; False if Typer should."""
    found = _root_options(args)
    if found is None:
        return False
    root, start = found
    if list(args[start : start + 2]) != ["deal", "list"]:
        return False
    options = _listing_options(args[start + 2 :])
    if options is None:
        return False

    from dealterm.cli.filter_values import build_filter
    from dealterm.config import load_settings, resolve_database
    from dealterm.core.errors import DealtermError

    settings = load_settings()
    if settings.problem:
        return False  # Typer's path warns about it, once
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
