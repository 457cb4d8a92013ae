"""``dealterm demo``: realistic data, the same for the same seed on the same day."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok

TIMESTAMPS = ("created_at", "updated_at", "moved_at")
_PAIR: dict[str, tuple[str, str]] = {}


@pytest.fixture
def demo_listings(run: Runner, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """``deal list --json --limit 1000`` of two brand-new files, each given
    ``demo --deals 50 --seed 3`` (made once per module: migrating new files is slow)."""
    if "pair" not in _PAIR:
        listings = []
        for name in ("first", "second"):
            path = tmp_path_factory.mktemp("demo") / f"{name}.db"
            assert not path.exists()
            result = assert_ok(run("demo", "--deals", "50", "--seed", "3", db=path))
            assert result.stdout.startswith(f"Demo data in {name}.db: 50 deals, ")
            listed = assert_ok(run("deal", "list", "--json", "--limit", "1000", db=path))
            listings.append(listed.stdout)
        _PAIR["pair"] = (listings[0], listings[1])
    return _PAIR["pair"]


def test_the_same_seed_gives_the_same_deals(demo_listings: tuple[str, str]) -> None:
    first, second = demo_listings
    assert first == second


def test_the_same_seed_gives_the_same_deals_apart_from_timestamps(
    demo_listings: tuple[str, str],
) -> None:
    first, second = (json.loads(text) for text in demo_listings)
    assert len(first) == 50

    def strip(deals: list[dict]) -> list[dict]:
        return [{k: v for k, v in deal.items() if k not in TIMESTAMPS} for deal in deals]

    assert strip(first) == strip(second)
    # and it is a realistic spread: several stages, both outcomes, clients
    assert {d["semantics"] for d in first} == {"process", "success", "failure"}
    assert len({d["stage"] for d in first}) >= 4
    assert sum(1 for d in first if d["company"]) >= 25
    assert len({d["currency"] for d in first}) >= 2


def test_another_seed_gives_other_deals(
    run: Runner, fresh_db: Path, sqlite_template: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    shutil.copy2(sqlite_template, other)
    assert_ok(run("demo", "--deals", "20", "--seed", "3", db=fresh_db))
    assert_ok(run("demo", "--deals", "20", "--seed", "4", db=other))
    titles_3 = [d["title"] for d in assert_ok(run("deal", "list", "--json", db=fresh_db)).json()]
    titles_4 = [d["title"] for d in assert_ok(run("deal", "list", "--json", db=other)).json()]
    assert len(titles_3) == len(titles_4) == 20
    assert titles_3 != titles_4


def test_demo_json_summary(run: Runner, fresh_db: Path) -> None:
    summary = assert_ok(run("demo", "--deals", "12", "--seed", "1", "--json", db=fresh_db)).json()
    assert summary["deals"] == 12
    assert summary["companies"] >= 1 and summary["contacts"] >= 1
    assert {"activities", "events", "products", "seconds", "database"} <= set(summary)
    assert summary["database"].endswith(str(fresh_db))
    listed = assert_ok(run("deal", "list", "--json", "--limit", "1000", db=fresh_db)).json()
    assert len(listed) == 12
    activities = assert_ok(run("activity", "list", "--json", "--limit", "1000", db=fresh_db))
    assert len(activities.json()) == summary["activities"]


def test_demo_refuses_a_database_that_has_deals(run: Runner, seeded_db: Path, unchanged) -> None:
    with unchanged(seeded_db):
        assert_fails(
            run("demo", "--deals", "50", "--seed", "3", db=seeded_db),
            2,
            "already holds 2 deals",
            "--append",
        )


def test_demo_append_adds_to_what_is_there(run: Runner, seeded_db: Path) -> None:
    before = assert_ok(run("deal", "show", "1", "--json", db=seeded_db)).json()
    result = assert_ok(run("demo", "--deals", "10", "--seed", "3", "--append", db=seeded_db))
    assert "10 deals" in result.stdout
    deals = assert_ok(run("deal", "list", "--json", "--limit", "1000", db=seeded_db)).json()
    assert len(deals) == 12
    assert len({d["id"] for d in deals}) == 12
    assert assert_ok(run("deal", "show", "1", "--json", db=seeded_db)).json() == before


def test_demo_with_no_deals(run: Runner, fresh_db: Path) -> None:
    result = assert_ok(run("demo", "--deals", "0", db=fresh_db))
    assert ": 0 deals," in result.stdout
    assert assert_ok(run("deal", "list", "--json", db=fresh_db)).json() == []
