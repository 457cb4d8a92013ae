"""Counts in the CLI's messages take the singular for one: "1 deal", never "1 deals"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dealterm.cli.words import counted
from tests.cli.conftest import Runner, assert_ok

ONE_PLURAL = re.compile(r"(?<![\d,.])1 (deals|rows|product rows|companies|contacts|activities)\b")


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 deals"), (1, "1 deal"), (2, "2 deals"), (1500, "1,500 deals")],
)
def test_counted(count: int, expected: str) -> None:
    assert counted(count, "deal") == expected


def test_counted_irregular_plurals() -> None:
    assert counted(1, "activity", "activities") == "1 activity"
    assert counted(3, "activity", "activities") == "3 activities"


def test_one_of_each(run: Runner, fresh_db: Path, tmp_path: Path) -> None:
    assert_ok(run("deal", "add", "--title", "Only", db=fresh_db))
    products = assert_ok(run("deal", "products", "1", "--row", "A; price=5", db=fresh_db))
    assert "now has 1 product row;" in products.stdout
    exported = assert_ok(run("export", "deals", "-o", str(tmp_path / "d.csv"), db=fresh_db))
    assert exported.stderr == f"Exported 1 deal to {tmp_path / 'd.csv'}\n"
    assert "1 deal" in assert_ok(run("pipeline", "list", db=fresh_db)).stdout
    demo = assert_ok(run("demo", "--deals", "1", "--seed", "3", db=tmp_path / "one.db"))
    assert "1 deal," in demo.stdout
    for result in (products, exported, demo):
        assert not ONE_PLURAL.search(result.stdout + result.stderr), result
