"""The CLI as a real process: no Textual for scripting commands, exit codes, streams."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import Runner, assert_ok

PROBE = """
import json, sys
from dealterm.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = "returned"
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(json.dumps({"code": code, "textual": loaded}), file=sys.stderr)
"""


def _env(db: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DEALTERM_DB"] = str(db)
    env.pop("DEALTERM_DEBUG", None)
    return env


def _probe(db: Path, *args: str) -> tuple[dict, str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=_env(db),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = json.loads(done.stderr.splitlines()[-1])
    return report, done.stdout


def test_deal_list_json_does_not_import_textual(seeded_db: Path) -> None:
    report, stdout = _probe(seeded_db, "deal", "list", "--json")
    assert report == {"code": 0, "textual": []}
    assert [d["title"] for d in json.loads(stdout)] == ["Closed deal", "Base deal"]


def test_python_m_dealterm(seeded_db: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dealterm", "deal", "show", "42"],
        env=_env(seeded_db),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == "dealterm: deal #42 not found\n"


def test_a_fresh_command_tree_behaves_like_the_shared_one(run: Runner, seeded_db: Path) -> None:
    """The tests share one built command tree for speed; building it anew changes nothing."""
    for args in (
        ("deal", "list", "--json"),
        ("deal", "show", "1", "--bogus"),
        ("deal", "edit", "1"),
        ("activity", "list", "--json"),
    ):
        shared = run(*args, db=seeded_db)
        fresh = run(*args, db=seeded_db, fresh_tree=True)
        assert fresh == shared
    assert_ok(run("deal", "add", "--title", "Fresh tree", db=seeded_db, fresh_tree=True))


def test_a_db_option_without_a_value_is_a_usage_error_not_the_app(seeded_db: Path) -> None:
    # `dealterm --db X` and `--demo` open the app without building the command tree; anything
    # else, including a --db with its value missing, still goes through the CLI's checks.
    report, stdout = _probe(seeded_db, "--db")
    assert report == {"code": 2, "textual": []}
    assert stdout == ""


def test_the_app_opens_on_the_database_given_with_db(seeded_db: Path, tmp_path: Path) -> None:
    # The app's own headless run: it opens the file named by --db (not DEALTERM_DB) and quits.
    script = (
        "import sys, dealterm.tui as tui\n"
        "seen = []\n"
        "tui.run_tui = lambda target, demo, settings: seen.append((target, demo)) or 0\n"
        "from dealterm.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as exc:\n    print(exc.code, seen)\n"
    )
    other = tmp_path / "other.db"
    done = subprocess.run(
        [sys.executable, "-c", script, "--db", str(other), "--demo"],
        env=_env(seeded_db),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip() == f"0 [({str(other)!r}, False)]"
