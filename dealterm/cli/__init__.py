"""The ``dealterm`` command line.

A bare ``dealterm`` opens the TUI. Sub-commands (``deal``, ``activity``, ``comment``,
``demo``, ``config``) script the same CRM without importing Textual. Errors are one line
on stderr: exit code 2 for bad input or a broken database, 1 for something not found.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with its status."""
    import typer
    import typer.main

    from dealterm.cli.root import build_app
    from dealterm.core.errors import DealtermError

    command = typer.main.get_command(build_app())
    try:
        result = command.main(
            args=list(argv) if argv is not None else None,
            prog_name="dealterm",
            standalone_mode=False,
        )
    except typer.TyperException as exc:  # usage errors: bad option, missing argument, ...
        context = getattr(exc, "ctx", None)
        hint = f" (see '{context.command_path} --help')" if context is not None else ""
        message = _one_line(exc.format_message())
        if message:  # a bare command group has already printed its help
            print(f"dealterm: {message}{hint}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("dealterm: interrupted", file=sys.stderr)
        sys.exit(130)
    except DealtermError as exc:
        print(f"dealterm: {_one_line(exc.message)}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if os.environ.get("DEALTERM_DEBUG"):
            raise
        print(
            f"dealterm: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
            "(set DEALTERM_DEBUG=1 for details)",
            file=sys.stderr,
        )
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)
