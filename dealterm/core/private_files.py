"""Files only their owner may read or write: the caches a start reads back.

A cache a start trusts must be the user's own and writable by no one else (another user
could otherwise choose what the app draws), and it is written whole or not at all.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["own_private_file", "replace_private_file"]


def own_private_file(fd: int) -> bool:
    """The open file is the user's own and no one else may write it (always so on
    Windows)."""
    if not hasattr(os, "getuid"):
        return True
    info = os.fstat(fd)
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def replace_private_file(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` whole: a temporary file readable by the user only, then
    renamed over ``path`` (its folder is made, private, if missing).

    Returns:
        False if it could not be written (nothing is left half-written).
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return False
    return True
