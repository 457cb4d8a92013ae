"""Text that enters the CRM loses its terminal escape sequences and control characters."""

from __future__ import annotations

import pytest

from dealterm.core.errors import ValidationError
from dealterm.core.validation import clean_text, parse_text, parse_title

ESC = "\x1b"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (f"a{ESC}[31mred{ESC}[0m", "ared"),  # SGR colours, removed whole
        (f"a{ESC}[2J{ESC}[H", "a"),  # clear the screen, cursor home
        (f"x{ESC}]0;owned{ESC}\\y", "xy"),  # OSC window title, ended by ST
        (f"x{ESC}]8;;http://evil{ESC}\\link{ESC}]8;;{ESC}\\", "xlink"),  # a hyperlink
        (f"x{ESC}]0;title\x07y", "xy"),  # OSC ended by BEL
        ("x\x9b31my", "xy"),  # the 8-bit CSI
        (f"x{ESC}]unterminated", "xunterminated"),  # no end: only ESC ] goes
        ("a\x00b\x07c\x08d\x7fe\x85f\x9fg", "abcdefg"),  # C0, DEL, C1
        ("bad byte \udcff here", "bad byte  here"),  # not UTF-8 on the command line
        ("Котельная «Север» — 10 %, 👍🏽 café", "Котельная «Север» — 10 %, 👍🏽 café"),
    ],
)
def test_escape_sequences_and_controls_are_removed(given: str, kept: str) -> None:
    assert clean_text(given) == kept
    assert clean_text(given, multiline=False) == kept
    assert parse_title(given) == kept.strip()


def test_multiline_text_keeps_tabs_and_line_breaks() -> None:
    given = f"line 1\r\nline\t2\rline 3{ESC}[1m\n"
    assert clean_text(given) == "line 1\nline\t2\nline 3\n"
    assert clean_text(given, multiline=False) == "line 1 line 2 line 3 "
    assert parse_text(f"  {given}  ", field="comments", label="Comments") == (
        "line 1\nline\t2\nline 3"
    )
    assert parse_text(f"{ESC}[0m \x07", field="comments", label="Comments") is None
    assert parse_text(None, field="comments", label="Comments") is None
    with pytest.raises(ValidationError, match="Comments is 6 characters long; the limit is 5"):
        parse_text("abcdef", field="comments", label="Comments", limit=5)


def test_a_title_is_one_line() -> None:
    assert parse_title(f" Server\troom{ESC}[31m ") == "Server room"
    assert parse_title("Two\r\nlines  here") == "Two lines here"
    assert parse_title(f"{ESC}[31m") == ""
    assert parse_title(f"{'x' * 255}{ESC}[31m") == "x" * 255  # the escape does not count
