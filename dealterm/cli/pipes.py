"""Standard output whose reader has gone: ``dealterm deal list | head -1``.

``head`` closes the pipe once it has its line; the next write fails with BrokenPipeError.
The command has done nothing wrong, so it ends at once, quietly, with exit code 0: every
command, however it writes (``typer.echo``, Rich, ``sys.stdout``), ends here.
Nothing here imports Typer: the quick ``deal list`` path uses it too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

__all__ = ["quiet_when_reader_goes", "reader_gone"]


def reader_gone(code: int | str | None = 0) -> NoReturn:
    """End the command quietly: no one reads standard output any more.

    What is still buffered must go nowhere: Python flushes stdout again at exit, and a
    failing flush there means code 120 and "Exception ignored ... BrokenPipeError".

    Args:
        code: the exit code; 0 unless the command had already failed with another.
    """
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # not a file (captured output)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (until the process ends)
    sys.exit(code)


@contextmanager
def quiet_when_reader_goes() -> Iterator[None]:
    """Run a block that writes to stdout; a reader gone meanwhile ends the command with 0."""
    try:
        yield
    except BrokenPipeError:
        reader_gone()
