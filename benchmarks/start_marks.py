"""Run ``dealterm`` (or the bare app) noting when each step of the start happens.

Used by :mod:`benchmarks.start_timeline` in tmux: ``python -m benchmarks.start_marks
OUT.jsonl dealterm --db FILE`` or ``... OUT.jsonl bare``. Marks are milliseconds from the
first line of this script (Python's own start-up is before it) and are appended to
OUT.jsonl as one JSON object per run, when the process exits. Textual and dealterm are
patched as their modules load, so nothing is imported earlier than in a real start.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import atexit  # noqa: E402  (the clock starts first)
import importlib.abc  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import runpy  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

BIG_WRITE = 5000  # bytes: a write this long is a frame of the whole screen
marks: dict[str, float] = {}
renders: list[float] = []


def mark(name: str) -> None:
    """Note the first time ``name`` happens."""
    marks.setdefault(name, round((time.perf_counter() - STARTED) * 1000, 1))


class _Patcher(importlib.abc.MetaPathFinder):
    """Patch a module right after it is executed, the first time it is imported."""

    def __init__(self, patches: dict[str, Callable[[ModuleType], None]]) -> None:
        self.patches = patches

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        patch = self.patches.pop(name, None)
        if patch is None:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        assert spec is not None and spec.loader is not None
        execute = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            patch(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _driver(module: ModuleType) -> None:
    mark("Textual imported")
    write = module.LinuxDriver.write

    def noted(self: Any, data: str) -> None:
        if len(data) > BIG_WRITE:
            mark("first frame sent to the terminal")
        write(self, data)

    module.LinuxDriver.write = noted


def _compositor(module: ModuleType) -> None:
    render = module.Compositor.render_update

    def noted(self: Any, *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        result = render(self, *args, **kwargs)
        spent = (time.perf_counter() - began) * 1000
        if spent > 1:
            mark("first render done")
            renders.append(round(spent, 1))
        return result

    module.Compositor.render_update = noted


def _app(module: ModuleType) -> None:
    end_batch = module.App._end_batch

    def noted(self: Any) -> None:
        end_batch(self)
        if not self._batch_count:
            mark("start-up batch over")

    module.App._end_batch = noted


def _board(module: ModuleType) -> None:
    compose = module.BoardScreen.compose

    def noted(self: Any) -> Any:
        mark("board screen composed")
        return compose(self)

    module.BoardScreen.compose = noted


def _quickread(module: ModuleType) -> None:
    quick_board = module.quick_board

    def noted(*args: Any, **kwargs: Any) -> Any:
        try:
            return quick_board(*args, **kwargs)
        finally:
            mark("first board's SQL done (thread)")

    module.quick_board = noted


def _tui(module: ModuleType) -> None:
    read = module.FirstBoard._read

    def noted(self: Any, *args: Any) -> None:
        mark("first board read started (thread)")
        try:
            read(self, *args)
        finally:
            mark("first board read done (thread)")

    module.FirstBoard._read = noted


def _dump(out: Path) -> None:
    with out.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"marks": marks, "renders": renders}) + "\n")


def main() -> None:
    out, what, *rest = sys.argv[1:]
    patches: dict[str, Callable[[ModuleType], None]] = {
        "textual.drivers.linux_driver": _driver,
        "textual._compositor": _compositor,
        "textual.app": _app,
        "dealterm.screens.board": _board,
        "dealterm.core.quickread": _quickread,
        "dealterm.tui": _tui,
    }
    sys.meta_path.insert(0, _Patcher(patches))
    atexit.register(_dump, Path(out))
    if what == "bare":
        runpy.run_path(str(Path(__file__).with_name("bare_app.py")), run_name="__main__")
        return
    sys.argv = ["dealterm", *rest]
    from dealterm.cli import main as dealterm

    dealterm()


if __name__ == "__main__":
    main()
