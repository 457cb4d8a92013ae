"""Figures 1 and 7: the real app in a real terminal (tmux).

A private tmux server (``tmux -L dealterm-bench``) is driven through one control-mode
client, so polling the screen every 10 ms costs a line on a pipe, not a new process per
look. Each app runs as the command of a new detached 160x45 session; the clock starts
just before the ``new-session`` command and stops at the first ``capture-pane`` that shows
what we wait for.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import ROOT, bench_env, dealterm_command

__all__ = ["BARE_APP", "Tmux", "launch_time", "peak_memory", "shell_script", "terminal_env"]

SOCKET = "dealterm-bench"
WIDTH, HEIGHT = 160, 45
POLL = 0.01
BARE_APP = Path(__file__).with_name("bare_app.py")
BARE_READY = "bare app ready"
# A board column header's second line: "7,531 · $12,345.00" (a count, then money).
BOARD_READY = re.compile(r"\d[\d,]* · [^\s\d]")
LIST_READY = re.compile(r"\d[\d,]* deals · ")
ACTIVITIES_READY = re.compile(r"\d[\d,]* open deals")
CALENDAR_READY = re.compile(r"deals by ")
# The board's first frame, before the database is open (or, if that was quick, the board).
FIRST_FRAME = re.compile(r"Opening the database|\d[\d,]* · [^\s\d]")
PROBLEM = re.compile(r"Something went wrong|Traceback|internal error")


class Tmux:
    """One control-mode client of a private tmux server."""

    def __init__(self, env: dict[str, str]) -> None:
        tmux = shutil.which("tmux")
        if tmux is None:
            raise RuntimeError("tmux is not installed")
        self.tmux = tmux
        subprocess.run([tmux, "-L", SOCKET, "kill-server"], capture_output=True, check=False)
        control = ["-f", "/dev/null", "-C", "new-session", "-s", "ctl", "-x", "80", "-y", "24"]
        self.client = subprocess.Popen(
            [tmux, "-L", SOCKET, *control, "sleep 1000000"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            env=env,
        )
        self.command("set-option -g status off")
        self.command("set-option -g remain-on-exit off")
        self.sessions = 0

    def command(self, line: str) -> tuple[bool, list[str]]:
        """Run a tmux command; returns (ok, output lines)."""
        assert self.client.stdin is not None and self.client.stdout is not None
        self.client.stdin.write(line + "\n")
        self.client.stdin.flush()
        output: list[str] = []
        inside = False
        while True:
            text = self.client.stdout.readline()
            if not text:
                raise RuntimeError("the tmux control client went away")
            text = text.rstrip("\n")
            if not inside:
                # "%begin TIME NUMBER FLAGS": flags 1 = a command this client sent
                if text.startswith("%begin ") and text.endswith(" 1"):
                    inside = True
                continue
            if text.startswith(("%end ", "%error ")):
                return text.startswith("%end "), output
            output.append(text)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, BrokenPipeError, OSError):
            self.command("kill-server")
        self.client.wait(timeout=5)

    # --- sessions -----------------------------------------------------------------------
    def start(self, script: Path) -> tuple[str, float]:
        """Run ``sh script`` in a new session; returns its name and the time it was asked."""
        self.sessions += 1
        name = f"run{self.sessions}"
        started = time.perf_counter()
        ok, output = self.command(f"new-session -d -s {name} -x {WIDTH} -y {HEIGHT} 'sh {script}'")
        if not ok:
            raise RuntimeError(f"tmux new-session failed: {output}")
        return name, started

    def screen(self, name: str) -> str:
        ok, output = self.command(f"capture-pane -p -t {name}")
        return "\n".join(output) if ok else ""

    def alive(self, name: str) -> bool:
        ok, _ = self.command(f"has-session -t {name}")
        return ok

    def keys(self, name: str, *keys: str) -> None:
        self.command(f"send-keys -t {name} {' '.join(keys)}")

    def wait_for(
        self, name: str, found: Callable[[str], bool], timeout: float = 120.0
    ) -> tuple[float, str]:
        """Poll the screen until ``found(text)``; returns the time and the screen."""
        deadline = time.perf_counter() + timeout
        while True:
            text = self.screen(name)
            now = time.perf_counter()
            if found(text):
                return now, text
            if PROBLEM.search(text):
                raise RuntimeError(f"the app reported a problem:\n{text}")
            if not self.alive(name):
                raise RuntimeError(f"the app in {name} exited early; last screen:\n{text}")
            if now > deadline:
                raise TimeoutError(f"timed out in {name}; last screen:\n{text}")
            time.sleep(POLL)

    def stop(self, name: str, *quit_keys: str, timeout: float = 15.0) -> None:
        """Quit the app with its keys and wait until its session is gone."""
        if self.alive(name):
            self.keys(name, *quit_keys)
        deadline = time.perf_counter() + timeout
        while self.alive(name):
            if time.perf_counter() > deadline:
                self.command(f"kill-session -t {name}")
                break
            time.sleep(0.05)


def shell_script(folder: Path, name: str, command: list[str], env: dict[str, str]) -> Path:
    """A shell script that runs ``command`` with exactly ``env`` (tmux adds its own)."""
    path = folder / f"{name}.sh"
    assignments = " ".join(f"{key}={shlex.quote(value)}" for key, value in sorted(env.items()))
    path.write_text(
        f"cd {shlex.quote(str(ROOT))}\nexec env -i {assignments} {shlex.join(command)}\n"
    )
    return path


def terminal_env(home: Path) -> dict[str, str]:
    env = bench_env(home, TERM="xterm-256color", COLORTERM="truecolor")
    return {k: v for k, v in env.items() if k not in ("TMUX", "TMUX_PANE")}


# --- figure 1 -----------------------------------------------------------------------------
def launch_time(
    db: Path, folder: Path, runs: int, log: Callable[[str], None]
) -> tuple[list[float], list[float], list[float]]:
    """Start to a usable board vs start of a bare Textual app, interleaved.

    Returns:
        (dealterm seconds, bare app seconds, dealterm's first frame in seconds), one of
        each per run. The first frame is the board screen saying "Opening the database…":
        Textual and the app's screen are up, the database is not read yet.
    """
    env = terminal_env(folder)
    tmux = Tmux(env)
    app = shell_script(folder, "dealterm", [*dealterm_command(), "--db", str(db)], env)
    bare = shell_script(folder, "bare", [sys.executable, str(BARE_APP)], env)
    ours: list[float] = []
    baseline: list[float] = []
    first: list[float] = []
    try:
        # one untimed start of each: the copy's WAL and the OS page cache are as in use
        for script, ready, keys in (
            (app, lambda s: bool(BOARD_READY.search(s)), ("q",)),
            (bare, lambda s: BARE_READY in s, ("C-q",)),
        ):
            name, _ = tmux.start(script)
            tmux.wait_for(name, ready)
            tmux.stop(name, *keys)
        for index in range(runs):
            order = [("bare", bare), ("dealterm", app)]
            if index % 2:
                order.reverse()
            for kind, script in order:
                name, started = tmux.start(script)
                if kind == "bare":
                    shown, _ = tmux.wait_for(name, lambda s: BARE_READY in s)
                    baseline.append(shown - started)
                    tmux.stop(name, "C-q")
                else:
                    painted, _ = tmux.wait_for(name, lambda s: bool(FIRST_FRAME.search(s)))
                    first.append(painted - started)
                    shown, _ = tmux.wait_for(name, lambda s: bool(BOARD_READY.search(s)))
                    ours.append(shown - started)
                    tmux.stop(name, "q")
            log(
                f"  start run {index + 1}/{runs}: dealterm {ours[-1]:.2f} s "
                f"(first frame {first[-1]:.2f} s), bare {baseline[-1]:.2f} s"
            )
    finally:
        tmux.close()
    return ours, baseline, first


# --- figure 7 -----------------------------------------------------------------------------
def peak_memory(db: Path, folder: Path, runs: int, log: Callable[[str], None]) -> list[float]:
    """Peak RSS (MB) of the app browsing the board, list, activities and calendar."""
    env = terminal_env(folder)
    tmux = Tmux(env)
    peaks: list[float] = []
    try:
        for index in range(runs):
            report = folder / f"time-{index}.txt"
            script = shell_script(
                folder,
                "memory",
                ["/usr/bin/time", "-v", "-o", str(report), *dealterm_command(), "--db", str(db)],
                env,
            )
            name, _ = tmux.start(script)
            tmux.wait_for(name, lambda s: bool(BOARD_READY.search(s)))
            for _ in range(3):
                tmux.keys(name, "Down")
                time.sleep(0.1)
            tmux.keys(name, "2")
            tmux.wait_for(
                name, lambda s: bool(LIST_READY.search(s)) and "loading the order" not in s
            )
            time.sleep(0.5)
            for _ in range(10):
                tmux.keys(name, "PageDown")
                time.sleep(0.1)
            tmux.keys(name, "End")
            time.sleep(1.0)
            tmux.keys(name, "3")
            tmux.wait_for(name, lambda s: bool(ACTIVITIES_READY.search(s)))
            time.sleep(0.5)
            for _ in range(10):
                tmux.keys(name, "Down")
                time.sleep(0.05)
            tmux.keys(name, "4")
            tmux.wait_for(name, lambda s: bool(CALENDAR_READY.search(s)) and "loading" not in s)
            for _ in range(3):
                tmux.keys(name, "PageDown")
                time.sleep(0.3)
            tmux.keys(name, "1")
            time.sleep(1.0)
            tmux.stop(name, "q")
            deadline = time.perf_counter() + 10
            while "Maximum resident" not in (report.read_text() if report.exists() else ""):
                if time.perf_counter() > deadline:
                    raise RuntimeError("no report from /usr/bin/time")
                time.sleep(0.05)
            kb = int(
                re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text())[1]
            )
            peaks.append(kb / 1024)
            log(f"  memory run {index + 1}/{runs}: {kb / 1024:.0f} MB")
    finally:
        tmux.close()
    return peaks
