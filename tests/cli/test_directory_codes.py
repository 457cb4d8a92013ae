"""`directory add type|source NAME` without --code makes the code from the name.

It used to fail for every name ("a code is 1-50 capital letters, digits or _"), even
"TikTok", since no code at all was taken for a bad one.
"""

from __future__ import annotations

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok


def _added(run: Runner, db: str, kind: str, name: str) -> str:
    entry = assert_ok(run("directory", "add", kind, name, "--json", db=db)).json()[0]
    assert entry["name"] == name
    return str(entry["key"])


def test_a_code_is_made_from_the_name(run: Runner, db_target: str) -> None:
    assert _added(run, db_target, "source", "TikTok") == "TIKTOK"
    assert _added(run, db_target, "source", "Соцсети") == "SOTSSETI"
    assert _added(run, db_target, "source", "Trade fair 2026 (Köln)") == "TRADE_FAIR_2026_KOLN"
    assert _added(run, db_target, "type", "Щедрый объём") == "SHCHEDRYI_OBIEEM"
    assert _added(run, db_target, "type", "微信") == "TYPE_1"  # nothing to write in Latin
    assert _added(run, db_target, "type", "抖音") == "TYPE_2"
    assert _added(run, db_target, "source", "Tik-Tok") == "TIK_TOK"
    assert _added(run, db_target, "source", "Tik Tok!") == "TIK_TOK_2"  # the code was taken
    # the code is what deals and filters name it by
    deal = assert_ok(
        run("deal", "add", "--title", "From TikTok", "--source", "TIKTOK", "--json", db=db_target)
    ).json()
    assert deal["source_name"] == "TikTok"
    listed = assert_ok(run("deal", "list", "--source", "SOTSSETI", "--json", db=db_target))
    assert listed.json() == []


def test_a_name_already_there_is_refused_and_an_explicit_code_still_rules(
    run: Runner, db_target: str
) -> None:
    _added(run, db_target, "source", "TikTok")
    assert_fails(
        run("directory", "add", "source", "tiktok", db=db_target),
        2,
        "the source 'TikTok' already exists (TIKTOK)",
    )
    entry = assert_ok(
        run("directory", "add", "source", "tiktok", "--code", "tt_2", "--json", db=db_target)
    ).json()[0]
    assert entry["key"] == "TT_2"
    assert_fails(
        run("directory", "add", "type", "X", "--code", "two words", db=db_target),
        2,
        "a code is 1-50 capital letters, digits or _",
    )
    assert_fails(run("directory", "add", "currency", "Yen", db=db_target), 2, "three letters")


@pytest.mark.parametrize("fragment", ["made from the name", "TIKTOK", "three letters"])
def test_the_help_says_what_the_code_is(run: Runner, fragment: str) -> None:
    text = " ".join(assert_ok(run("directory", "add", "--help")).stdout.split())
    assert "--code" in text and fragment in text.replace("│ ", "")
