"""The house rules on who may import what (see ../shared/STYLE.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "dealterm"


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _files(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def test_core_never_imports_textual() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): name
        for path in _files("core")
        for name in _imports(path)
        if name.split(".")[0] in ("textual", "rich")
        or name.startswith("dealterm.app")
        or name.startswith(("dealterm.screens", "dealterm.widgets", "dealterm.cli"))
    }
    assert offenders == {}


def test_only_core_talks_sql() -> None:
    """Screens, widgets and the CLI call core services; they never open sessions or write SQL."""
    outside = [
        p
        for p in PACKAGE.rglob("*.py")
        if p.parts[len(PACKAGE.parts)] not in ("core", "migrations")
    ]
    offenders = {
        str(path.relative_to(PACKAGE)): name
        for path in outside
        for name in _imports(path)
        if name.split(".")[0] in ("sqlalchemy", "sqlmodel", "sqlite3", "psycopg")
    }
    assert offenders == {}


def test_cli_modules_do_not_import_textual_at_load_time() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): name
        for path in _files("cli")
        for name in _imports(path, top_level_only=True)
        if name.split(".")[0] == "textual" or name in ("dealterm.app", "dealterm.tui")
    }
    assert offenders == {}


def test_importing_core_loads_no_textual() -> None:
    code = (
        "import sys, dealterm.core.services, dealterm.core.queries, dealterm.core.demo;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
