"""A status flag with a preset, a custom-field filter's message, and fields of several values.

- `deal list --preset Won --lost` used to list lost deals: the flag replaced the preset's
  status. A flag now narrows it (`--preset Closed --won`) and one that contradicts it is
  refused.
- `deal list --field "Budget>abc"` said "Budget must be a number, not ''".
- `deal add --set colors=red --set colors=blue` kept only "blue".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok


def _titles(run: Runner, db: str | Path, *args: str) -> list[str]:
    listed = assert_ok(run("deal", "list", "--json", *args, db=db)).json()
    return sorted(deal["title"] for deal in listed)


@pytest.mark.parametrize(
    ("args", "titles"),
    [
        (("--preset", "Won", "--won"), ["Charlie valves"]),
        (("--preset", "Won", "--closed"), ["Charlie valves"]),
        (("--preset", "Closed", "--won"), ["Charlie valves"]),
        (("--preset", "Closed", "--lost"), ["Delta pipes"]),
        (("--preset", "In progress", "--open"), ["Alpha boiler", "Bravo pumps", "Echo service"]),
        (("--preset", "Overdue", "--won"), []),  # a preset without a status takes any flag
        (("--lost",), ["Delta pipes"]),
    ],
)
def test_a_status_flag_narrows_the_preset(
    run: Runner, listed_db: Path, args: tuple[str, ...], titles: list[str]
) -> None:
    assert _titles(run, listed_db, *args) == titles


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--preset", "Won", "--lost"), "--lost contradicts the preset 'Won', which lists only "
         "won deals"),
        (("--preset", "Lost", "--won"), "--won contradicts the preset 'Lost'"),
        (("--preset", "won", "--open"), "--open contradicts the preset 'Won'"),
        (("--preset", "Closed", "--open"), "which lists only won or lost deals"),
        (("--preset", "In progress", "--closed"), "which lists only deals in progress"),
        (("--preset", "My deals", "--won"), "--won contradicts the preset 'My deals'"),
    ],
)  # fmt: skip
def test_a_status_flag_that_contradicts_the_preset_is_refused(
    run: Runner, listed_db: Path, args: tuple[str, ...], message: str
) -> None:
    assert_fails(run("deal", "list", *args, db=listed_db), 2, message)
    assert_fails(run("export", "deals", *args, db=listed_db), 2, message)


def test_a_saved_filter_is_narrowed_the_same_way(run: Runner, db_target: str) -> None:
    for title in ("Won one", "Lost one"):
        assert_ok(run("deal", "add", "--title", title, db=db_target))
    assert_ok(run("deal", "won", "1", db=db_target))
    assert_ok(run("deal", "lost", "2", db=db_target))
    assert_ok(run("deal", "list", "--won", "--save-as", "Winners", db=db_target))
    assert _titles(run, db_target, "--saved", "Winners", "--closed") == ["Won one"]
    assert_fails(
        run("deal", "list", "--saved", "Winners", "--lost", db=db_target),
        2,
        "--lost contradicts the saved filter 'Winners', which lists only won deals",
    )


@pytest.mark.parametrize(
    ("condition", "given"),
    [
        ("Budget>abc", "'abc'"),
        ("Budget>=EUR", "'EUR'"),
        ("Budget=abc..100", "'abc'"),
        ("budget<1x", "'1x'"),
        ("Size>abc", "'abc'"),
    ],
)
def test_a_bad_value_in_a_field_condition_is_named(
    run: Runner, db_target: str, condition: str, given: str
) -> None:
    assert_ok(run("field", "add", "budget", "Budget", "--type", "money", db=db_target))
    assert_ok(run("field", "add", "size", "Size", "--type", "number", db=db_target))
    line = assert_fails(run("deal", "list", "--field", condition, db=db_target), 2, given)
    assert "must be a number" in line and "''" not in line


def test_a_bad_money_value_on_a_deal_is_named(run: Runner, db_target: str) -> None:
    assert_ok(run("field", "add", "budget", "Budget", "--type", "money", db=db_target))
    assert_fails(
        run("deal", "add", "--set", "budget=abc", db=db_target),
        2,
        "Budget must be a number, not 'abc'",
    )
    deal = assert_ok(run("deal", "add", "--set", "budget=1 500,50 EUR", "--json", db=db_target))
    assert deal.json()["custom_fields"] == {"UF_CRM_BUDGET": "1500.50 EUR"}


@pytest.fixture
def colors(run: Runner, db_target: str) -> str:
    assert_ok(
        run(
            "field", "add", "colors", "Colors", "--type", "list", "--multiple",
            "--option", "red", "--option", "blue", "--option", "Red, dark",
            db=db_target,
        )
    )  # fmt: skip
    assert_ok(run("field", "add", "size", "Size", "--type", "list", "--option", "S",
                  "--option", "XL", db=db_target))  # fmt: skip
    return db_target


def _values(run: Runner, db: str, *sets: str, command: tuple[str, ...] = ("deal", "add")) -> dict:
    args = [arg for value in sets for arg in ("--set", value)]
    return dict(assert_ok(run(*command, *args, "--json", db=db)).json()["custom_fields"])


def test_a_field_of_several_values_takes_repeated_sets(run: Runner, colors: str) -> None:
    assert _values(run, colors, "colors=red", "colors=blue") == {"UF_CRM_COLORS": ["red", "blue"]}
    assert _values(run, colors, "colors=red,blue") == {"UF_CRM_COLORS": ["red", "blue"]}
    # an option with a comma is given whole; the code, its long form and the label add up
    assert _values(run, colors, "colors=Red, dark", "UF_CRM_COLORS=blue", "Colors=red") == {
        "UF_CRM_COLORS": ["Red, dark", "blue", "red"]
    }
    assert _values(run, colors, "colors=red,Red, dark", "colors=RED") == {
        "UF_CRM_COLORS": ["red", "Red, dark"]
    }
    edited = _values(run, colors, "colors=blue", "colors=red", command=("deal", "edit", "1"))
    assert edited == {"UF_CRM_COLORS": ["blue", "red"]}  # the values given replace the old
    assert _values(run, colors, "colors=", command=("deal", "edit", "1")) == {}


def test_a_field_of_one_value_set_twice_is_refused(run: Runner, colors: str) -> None:
    assert_fails(
        run("deal", "add", "--set", "size=S", "--set", "size=XL", db=colors),
        2,
        "Size takes one value",
    )
    assert_fails(
        run("deal", "add", "--set", "colors=red", "--set", "colors=green", db=colors),
        2,
        "Colors must be one of: red, blue, Red, dark (not 'green')",
    )


def test_the_help_says_how_to_give_several_values(run: Runner) -> None:
    text = " ".join(assert_ok(run("deal", "add", "--help")).stdout.replace("│", " ").split())
    assert "repeat a field of several values once per value" in text
    assert "a list option holding a comma is given whole" in text
