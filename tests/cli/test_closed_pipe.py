"""A reader that goes away (`dealterm ... | head -1`) ends any command quietly, with 0.

Each command runs as a real process whose standard output is a pipe closed before it
writes: the first write or the final flush meets the broken pipe.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_ok


@pytest.fixture(scope="module")
def many_deals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough deals that a listing outgrows the pipe's buffer (it fails while writing)."""
    folder = tmp_path_factory.mktemp("pipe")
    path = folder / "many.db"
    # Module-scoped: made before the per-test isolation, so isolated here.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEALTERM_")}
    env |= {"XDG_CONFIG_HOME": str(folder / "config"), "XDG_DATA_HOME": str(folder / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "dealterm", "--db", str(path), "demo", "--deals", "300"],
        capture_output=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return path


def _closed_pipe(db: Path, *args: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as in a shell
    command = [sys.executable, "-m", "dealterm", "--db", str(db), *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None
    process.stdout.close()
    _, errors = process.communicate(timeout=60)
    return process.returncode, errors.decode()


@pytest.mark.parametrize(
    "args",
    [
        ("deal", "list", "--limit", "300"),  # the quick path, a Rich table
        ("deal", "list", "--limit", "300", "--search", "a"),  # through Typer, a Rich table
        ("deal", "list", "--json", "--limit", "300", "--open"),
        ("deal", "show", "1"),
        ("activity", "list"),
        ("export", "deals"),
        ("export", "deals", "--encoding", "cp1251"),  # spooled, then copied out
        ("export", "activities", "--all"),
        ("pipeline", "list"),
        ("config", "show"),
    ],
    ids=lambda args: " ".join(args),
)
def test_a_closed_pipe_ends_the_command_quietly(many_deals: Path, args: tuple[str, ...]) -> None:
    code, errors = _closed_pipe(many_deals, *args)
    assert (code, errors) == (0, "")


def test_the_database_is_still_written_when_the_reader_has_gone(
    run: Runner, fresh_db: Path
) -> None:
    code, errors = _closed_pipe(fresh_db, "deal", "add", "--title", "Piped", "--json")
    assert (code, errors) == (0, "")
    titles = [d["title"] for d in assert_ok(run("deal", "list", "--json", db=fresh_db)).json()]
    assert titles == ["Piped"]
