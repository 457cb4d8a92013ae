"""Money formats worked out at one start are read back at the next (formatting.py).

Working out how a currency is written in a locale loads Babel's locale data (~15 ms of
the app's start, before it can draw an amount). The app keeps what it worked out in a
cache file; a later start formats the same amounts the same way without Babel, and uses
the file only if it is the user's own, private, whole and written for the same Babel.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from dealterm.core import formatting
from dealterm.core.formatting import format_money, load_money_templates, save_money_templates

CASES = [
    ("USD", "en_US"),
    ("EUR", "de_DE"),
    ("RUB", "ru_RU"),
    ("JPY", "ja_JP"),
    ("CHF", "de_CH"),
    ("KZT", "kk_KZ"),
]
AMOUNTS = [Decimal(text) for text in ("0", "1500", "-1234567.891", "0.005", "99999999999.99")]


def _forget() -> None:
    """As a new process: no template known, none worked out."""
    formatting._known.clear()
    formatting._learned.clear()


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    _forget()
    yield
    _forget()


def _written() -> dict[tuple[str, str, Decimal], str]:
    return {
        (currency, locale, amount): format_money(amount, currency, locale)
        for currency, locale in CASES
        for amount in AMOUNTS
    }


def _no_babel(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("a template was worked out again")

    monkeypatch.setattr(formatting, "_work_out_template", refuse)


def test_a_later_start_writes_money_the_same_without_working_it_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache" / "money.json"
    first = _written()
    save_money_templates(cache)
    assert cache.stat().st_mode & 0o777 == 0o600  # the user's only
    assert first[("USD", "en_US", Decimal("-1234567.891"))] == "-$1,234,567.89"

    _forget()
    assert load_money_templates(cache) == len(CASES)
    _no_babel(monkeypatch)
    assert _written() == first


def test_nothing_new_is_not_written_again(tmp_path: Path) -> None:
    cache = tmp_path / "money.json"
    _written()
    save_money_templates(cache)
    written = cache.stat().st_mtime_ns
    os.utime(cache, ns=(written - 10**9, written - 10**9))
    save_money_templates(cache)  # nothing worked out since
    assert cache.stat().st_mtime_ns == written - 10**9

    _forget()
    load_money_templates(cache)
    format_money(Decimal(1), "GBP", "en_GB")  # a new one: the file gets it
    save_money_templates(cache)
    _forget()
    assert load_money_templates(cache) == len(CASES) + 1


@pytest.mark.parametrize("spoil", ["another babel", "writable by others", "cut short", "not json"])
def test_a_file_that_cannot_be_trusted_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoil: str
) -> None:
    cache = tmp_path / "money.json"
    first = _written()
    save_money_templates(cache)
    text = cache.read_text()
    if spoil == "another babel":
        data = json.loads(text)
        data["stamp"] = data["stamp"][:-1] + ("0" if data["stamp"][-1] != "0" else "1")
        cache.write_text(json.dumps(data))
    elif spoil == "writable by others":
        cache.chmod(0o666)
    elif spoil == "cut short":
        cache.write_text(text[: len(text) // 2])
    else:
        cache.write_text("\x00garbage")

    _forget()
    assert load_money_templates(cache) == 0
    assert _written() == first  # worked out again, the same


def test_a_template_with_wrong_parts_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "money.json"
    _written()
    save_money_templates(cache)
    data = json.loads(cache.read_text())
    data["templates"][0][1] = ["not a number", ",", ".", "$", "", "-$", ""]
    cache.write_text(json.dumps(data))
    cache.chmod(0o600)
    _forget()
    assert load_money_templates(cache) == 0


def test_no_file_is_no_template(tmp_path: Path) -> None:
    assert load_money_templates(tmp_path / "missing.json") == 0
    assert format_money(Decimal("1500"), "USD", "en_US") == "$1,500.00"
