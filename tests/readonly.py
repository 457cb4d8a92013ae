"""Making a database file read-only for whoever runs the tests (root ignores permissions)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

__all__ = ["read_only_file"]


def _writable(path: Path) -> bool:
    try:
        with path.open("ab"):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def read_only_file(path: Path) -> Iterator[Path]:
    """``path`` cannot be written while the block runs: mode 0400, and for root the
    immutable attribute (``chattr +i``), which root cannot write through either."""
    path.chmod(0o400)
    immutable = False
    if _writable(path) and shutil.which("chattr"):
        immutable = subprocess.run(["chattr", "+i", str(path)], check=False).returncode == 0
    try:
        if _writable(path):
            raise RuntimeError(
                f"cannot make {path} read-only here (root without chattr): the test would "
                "prove nothing"
            )
        yield path
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        path.chmod(0o600)
