"""Text from the database or a driver, made safe to print on a terminal.

Values stored before dealterm removed control characters where text enters (or written
by another program) may hold an escape sequence: printed as they are, they would recolour
or retitle the user's terminal, or worse. Every control character is shown instead the
way Python writes it (``\\x1b``), so the value is still recognisable. Nothing here
imports Typer or Rich: the quick ``deal list`` path and the error handler use it too.
"""

from __future__ import annotations

import re

__all__ = ["visible"]

# C0 controls but tab and newline, DEL, C1 controls, and the lone surrogates a file name
# or message read with "surrogateescape" may carry (they cannot even be encoded).
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"[\t\n]")


def _shown(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]  # "\x1b", "\r", "\x85", "\udcfe"


def visible(text: object, *, one_line: bool = False) -> str:
    """``text`` with every control character written out (``\\x1b``) instead of sent.

    Args:
        one_line: also turn tabs and newlines into spaces (a table cell, a message line).
    """
    shown = _UNPRINTABLE.sub(_shown, str(text))
    return _LINE_BREAKS.sub(" ", shown) if one_line else shown
