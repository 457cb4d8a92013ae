"""The ``dealterm`` command line.

A bare ``dealterm`` opens the TUI. Sub-commands (``deal``, ``activity``, ``comment``,
``demo``, ``config``) script the same CRM without importing Textual. Errors are one line
on stderr: exit code 2 for bad input or a broken database, 1 for something not found.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

__all__ = ["main"]


def _one_line(text: str) -> str:
    """A message as one printable line: a driver's message may quote a damaged file's bytes."""
    from dealterm.cli.printable import visible

    return " ".join(visible(text).split())


def _internal_error(exc: Exception) -> NoReturn:
    if os.environ.get("DEALTERM_DEBUG"):
        raise exc
    print(
        f"dealterm: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
        "(set DEALTERM_DEBUG=1 for details)",
        file=sys.stderr,
    )
    sys.exit(1)


def _bare_app_options(args: Sequence[str]) -> tuple[str | None, bool] | None:
    """``(db, demo)`` when the arguments only open the app (``--db X``, ``--demo``), else None."""
    db: str | None = None
    demo = False
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--demo":
            demo = True
        elif arg == "--db" and index + 1 < len(args) and not args[index + 1].startswith("-"):
            db = args[index + 1]
            index += 1
        elif arg.startswith("--db=") and len(arg) > 5:
            db = arg[5:]
        else:
            return None
        index += 1
    return db, demo


def _open_app(db: str | None, demo: bool) -> int:
    """The app, without importing Typer and building the command tree (~0.1 s of start-up)."""
    from dealterm.config import load_settings, resolve_database
    from dealterm.tui import run_tui

    db = db or os.environ.get("DEALTERM_DB") or None
    settings = load_settings()
    target = resolve_database(db, demo=demo, configured=settings.db)
    code = run_tui(target, demo=demo and not db, settings=settings)
    if code:
        print("dealterm: the app stopped with an error", file=sys.stderr)
    return code


def _command_name(args: Sequence[str]) -> str | None:
    """The root command the arguments run (``deal`` in ``--db X deal list``), if plain."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--db":
            index += 2
            continue
        if arg == "--demo" or arg.startswith("--db="):
            index += 1
            continue
        return None if arg.startswith("-") else arg
    return None


@contextmanager
def _exit_codes() -> Iterator[None]:
    """Interrupts, the CRM's refusals and bugs as one line on stderr and an exit code."""
    from dealterm.cli.pipes import reader_gone
    from dealterm.core.errors import DealtermError

    try:
        try:
            yield
        except SystemExit as exc:
            try:
                sys.stdout.flush()  # here: a reader gone meanwhile is handled, not at exit
            except BrokenPipeError:
                reader_gone(exc.code)  # the command's own code stands (an error stays one)
            raise
        # What is still buffered goes out here, not when Python exits: a short output with
        # its reader gone by then (`deal list --json | head -c 10`) meant code 120 and
        # "Exception ignored ... BrokenPipeError".
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`dealterm deal list --json | head -1`): not an error.
        reader_gone()
    except KeyboardInterrupt:
        print("dealterm: interrupted", file=sys.stderr)
        sys.exit(130)
    except DealtermError as exc:
        print(f"dealterm: {_one_line(exc.message)}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except UnicodeEncodeError as exc:
        if exc.reason != "surrogates not allowed":
            _internal_error(exc)
        # Bytes of an argument that are not UTF-8 (`--company $'\xff'`) reach Python as
        # lone surrogates, which no database, file or terminal takes: bad input, not a bug.
        given = exc.object[max(0, exc.start - 20) : exc.end + 20]
        try:  # the bytes as given: "\xff", not Python's "\udcff"
            given = given.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeError:
            given = given.encode("utf-8", "backslashreplace").decode("ascii")
        print(f"dealterm: text that is not UTF-8: {_one_line(given)}", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:
        _internal_error(exc)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with its status."""
    args = list(argv) if argv is not None else sys.argv[1:]
    bare = _bare_app_options(args)
    if bare is not None:
        with _exit_codes():
            sys.exit(_open_app(*bare))
    from dealterm.cli.quick import run_quick

    with _exit_codes():
        if run_quick(args):  # a plain `deal list`, read and printed without Typer
            sys.exit(0)
    import typer
    import typer.main

    from dealterm.cli.root import COMMANDS, build_app

    name = _command_name(args)
    command = typer.main.get_command(build_app(only=name if name in COMMANDS else None))
    with _exit_codes():
        try:
            result = command.main(args=args, prog_name="dealterm", standalone_mode=False)
        except typer.TyperException as exc:  # usage errors: bad option, missing argument, ...
            context = getattr(exc, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context is not None else ""
            message = _one_line(exc.format_message())
            if message:  # a bare command group has already printed its help
                print(f"dealterm: {message}{hint}", file=sys.stderr)
            sys.exit(exc.exit_code)
        except typer.Abort:
            raise KeyboardInterrupt from None
    sys.exit(result if isinstance(result, int) else 0)
