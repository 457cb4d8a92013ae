"""Textual's CSS, parsed at one start, is read back at the next (dealterm.style_cache).

Each run is a process of its own: the cache wraps Textual's parser for the whole process.
What a user would notice if the cache were wrong is a different look: the rules, the
widgets' places and colours must be those of a start without the cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]

RUN = """
import asyncio, json, os, sys
from pathlib import Path
if sys.argv[1] == "cache":
    from dealterm.style_cache import install
    cache = install(Path(sys.argv[2]))
else:
    cache = None
from dealterm.app import DealtermApp
from dealterm.config import Settings
from tests.ui.conftest import board_ready
from tests.ui.helpers import settle
from tests.ui.test_list_view import open_list

app = DealtermApp(target=sys.argv[3], settings=Settings(locale="en_US"), poll=False)
# Both runs start the same way (the first board drawn as a picture, then the board): the
# widget classes mounted, and with them the rules, are the same.
app.first_board.wait(30)
looks = {}
css = []

def look():
    return [
        [type(w).__name__, list(w.region), str(w.styles.background), str(w.styles.color)]
        for w in app.screen.walk_children()
    ]

async def main():
    async with app.run_test(size=(120, 36)) as pilot:
        await board_ready(pilot)
        await settle(pilot, timeout=30)
        looks["board"] = look()
        await open_list(pilot)
        await settle(pilot, timeout=30)
        looks["list"] = look()
        css.extend(
            f"{rule.selectors} {sorted(rule.styles.get_rules().items())!r} "
            f"{rule.is_default_rules} {rule.tie_breaker}"
            for rule in app.stylesheet.rules
        )

asyncio.run(main())
parsed = cache.parsed if cache else None
if cache is not None:
    cache.save()
print(json.dumps({
    "parsed": parsed,
    "hits": cache.hits if cache else None,
    "css": css,
    "looks": looks,
}))
"""


def _run(mode: str, cache: Path, db: Path, theme: str | None = None) -> dict:
    env = dict(os.environ)
    if theme:
        env["TEXTUAL_THEME"] = theme
    done = subprocess.run(
        [sys.executable, "-c", RUN, mode, str(cache), str(db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("style-cache") / "demo.db"
    shutil.copy2(demo_template, target)
    return target


@pytest.fixture(scope="module")
def plain(db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A start without the cache: how the app must look."""
    looks = _run("plain", tmp_path_factory.mktemp("unused") / "styles.pickle", db)
    assert len(looks["looks"]["board"]) > 10 and len(looks["looks"]["list"]) > 5
    return looks


@pytest.fixture(scope="module")
def first(db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """A first start with the cache: it parses and writes the file."""
    cache = tmp_path_factory.mktemp("cache") / "styles.pickle"
    return _run("cache", cache, db), cache


def _same(run: dict, plain: dict) -> None:
    assert run["looks"] == plain["looks"]
    # the same rules (in the order widget classes happened to mount, which varies)
    assert sorted(run["css"]) == sorted(plain["css"])


def test_a_second_start_reads_the_styles_the_first_parsed_and_looks_the_same(
    db: Path, plain: dict, first: tuple[dict, Path]
) -> None:
    run, cache = first
    assert run["parsed"] > 10  # the app's CSS and every widget class's defaults
    assert cache.stat().st_mode & 0o777 == 0o600  # the user's own, like the database
    written = cache.stat().st_mtime_ns
    _same(run, plain)

    second = _run("cache", cache, db)
    assert second["parsed"] == 0
    assert second["hits"] > 10
    assert cache.stat().st_mtime_ns == written  # nothing new: the file is not written again
    _same(second, plain)


@pytest.mark.parametrize("content", ["garbage", "truncated", "other Textual"])
def test_a_broken_or_foreign_file_is_parsed_again_and_replaced(
    db: Path, plain: dict, first: tuple[dict, Path], tmp_path: Path, content: str
) -> None:
    good = first[1].read_bytes()
    stamp, entries = pickle.loads(good)
    cache = tmp_path / "styles.pickle"
    if content == "garbage":
        cache.write_bytes(b"\x00not a pickle at all")
    elif content == "truncated":
        cache.write_bytes(good[: len(good) // 2])
    else:
        cache.write_bytes(pickle.dumps((("another Textual", *stamp[1:]), entries)))

    again = _run("cache", cache, db)
    assert again["parsed"] > 10
    _same(again, plain)
    replaced, kept = pickle.loads(cache.read_bytes())  # the file was replaced, and reads
    assert replaced == stamp and len(kept) >= again["parsed"]


def test_another_theme_is_parsed_for_itself(
    db: Path, first: tuple[dict, Path], tmp_path: Path
) -> None:
    """The CSS variables (a theme's colours) are part of what a parse depends on."""
    cache = tmp_path / "styles.pickle"
    shutil.copy2(first[1], cache)  # what a start in the default (dark) theme kept
    light = _run("plain", tmp_path / "unused.pickle", db, theme="textual-light")
    assert light["looks"] != first[0]["looks"]  # the colours differ from the dark theme's

    again = _run("cache", cache, db, theme="textual-light")
    assert again["parsed"] > 10
    _same(again, light)


ERRORS = """
import sys
from pathlib import Path
from dealterm.style_cache import install
from textual.css.stylesheet import Stylesheet, StylesheetParseError
cache = install(Path(sys.argv[1]))
outcomes = []
for _ in range(2):
    sheet = Stylesheet()
    sheet.add_source("Static { colour: red; }", read_from=("test", "bad"))
    try:
        sheet.parse()
        outcomes.append("parsed")
    except StylesheetParseError:
        outcomes.append("error")
print(outcomes, cache.parsed)
"""


def test_css_with_errors_is_reported_every_time_never_kept(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", ERRORS, str(tmp_path / "styles.pickle")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.split("\n")[0] == "['error', 'error'] 0"


# --- the real start: `dealterm --db FILE` in a terminal ------------------------------------
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")
HEADER = re.compile(r"\d[\d,]* · [^\s\d]")  # a column's count and sum: the board is read


def _start_in_a_terminal(db: Path, env: dict[str, str]) -> int:
    """Run ``dealterm --db db`` on a pseudo-terminal until its board is drawn, then quit
    with ``q``; the exit code."""
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "dealterm", "--db", str(db)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    screen = ""
    try:
        deadline = time.monotonic() + 60
        while not HEADER.search(ANSI.sub("", screen)):
            assert time.monotonic() < deadline, ANSI.sub("", screen)[-2000:]
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    screen += os.read(master, 65536).decode("utf-8", "replace")
                except OSError:
                    break
        os.write(master, b"q")
        end = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                with contextlib.suppress(OSError):
                    os.read(master, 65536)
        return process.wait(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)


def test_the_app_keeps_its_parsed_styles_for_the_next_start(db: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEALTERM_")}
    env.update(DEALTERM_CACHE_DIR=str(cache_dir), TERM="xterm-256color", DEALTERM_USER="tester")
    assert _start_in_a_terminal(db, env) == 0
    cache = cache_dir / "styles.pickle"
    assert cache.stat().st_mode & 0o777 == 0o600
    written = cache.stat().st_mtime_ns

    assert _start_in_a_terminal(db, env) == 0
    assert cache.stat().st_mtime_ns == written  # the second start parsed nothing new


# --- the file itself (no Textual parser wrapped: StyleCache alone) --------------------------
def _file(path: Path, entries: dict) -> None:
    from dealterm.style_cache import textual_stamp

    path.write_bytes(pickle.dumps((textual_stamp(), entries)))
    path.chmod(0o600)


def test_only_the_themes_of_the_last_run_are_kept(tmp_path: Path) -> None:
    """Each theme tried once would otherwise stay in the file, loaded by every start."""
    from dealterm.style_cache import StyleCache

    path = tmp_path / "styles.pickle"
    dark, light = (("primary", "#0178D4"),), (("primary", "#004578"),)
    entries = {("css", "dark", dark): [], ("more", "dark", dark): [], ("css", "light", light): []}
    _file(path, entries)
    cache = StyleCache(path)
    assert cache.get(("css", "dark", dark)) == []  # this run used the dark theme only
    cache.save()
    _, kept = pickle.loads(path.read_bytes())
    assert sorted(kept) == [("css", "dark", dark), ("more", "dark", dark)]
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_file_others_could_write_is_not_read(tmp_path: Path) -> None:
    """Unpickling runs what the file says: a file anyone may write is ignored."""
    from dealterm.style_cache import StyleCache

    path = tmp_path / "styles.pickle"
    key = ("css", "origin", (("primary", "#0178D4"),))
    _file(path, {key: []})
    assert StyleCache(path).get(key) == []
    path.chmod(0o666)
    assert StyleCache(path).get(key) is None


def test_saving_where_no_file_can_be_written_is_quiet(tmp_path: Path) -> None:
    """The cache directory is a file (DEALTERM_CACHE_DIR set wrong): the app still quits
    cleanly, with nothing written."""
    from dealterm.style_cache import StyleCache

    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    cache = StyleCache(blocker / "styles.pickle")
    cache.put(("css", "origin", ()), [])
    cache.save()  # no exception
    assert blocker.read_text() == ""
