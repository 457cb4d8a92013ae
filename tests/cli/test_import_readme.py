"""The README quotes `dealterm import deals ... --dry-run`: the quote is what it prints."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Runner, assert_ok
from tests.core.importing_helpers import EXAMPLES

README = Path(__file__).resolve().parents[2] / "README.md"
COMMAND = "    $ dealterm import deals data/examples/bitrix24.csv --dry-run"


def _quoted_output() -> list[str]:
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(COMMAND) + 1
    end = lines.index("", start)
    return [line.removeprefix("    ") for line in lines[start:end]]


def test_the_readme_quotes_the_real_dry_run_output(run: Runner, fresh_db: Path) -> None:
    result = assert_ok(
        run("import", "deals", str(EXAMPLES / "bitrix24.csv"), "--dry-run", db=fresh_db)
    )
    assert result.stdout.splitlines() == _quoted_output()
