"""Parsed Textual CSS kept between runs, as Python keeps compiled modules in ``.pyc`` files.

At every start Textual parses the app's CSS and the ``DEFAULT_CSS`` of every widget class
it mounts (with a tokenizer written in Python), and parses all of it again each time the
CSS variables are set, which the start does once more for the theme. That was ~50 ms of
the way to the first frame, more than the rest of the bare app's start after its imports.

:func:`install` wraps Textual's ``Stylesheet._parse_rules`` with a cache keyed by
everything the parse reads: the CSS text, where it was read from, the defaults flag, the
tie breaker, the scope and the CSS variables. A hit is therefore the rules the same parse
would give. The cache file is a pickle in the user's cache directory, readable by its owner
only, tagged with the installed Textual (the files whose classes it holds): another Textual
starts a new file. Reading a missing, foreign or broken file costs the parse, nothing more.
Rules with errors are never kept: Textual reports them again, as it would.

The file is written at exit (:meth:`StyleCache.save`) when this run parsed anything new
(the first start after an install, the first time a view is opened), with the rules of
the themes this run used only. It is read only if it is the user's own and no one else
may write it: unpickling a file runs what it says.
"""

from __future__ import annotations

import contextlib
import pickle
import threading
from pathlib import Path
from typing import Any

from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

from dealterm.core.private_files import own_private_file, replace_private_file

__all__ = ["StyleCache", "install"]

FORMAT = 1
MAX_ENTRIES = 2000  # far more than the app's sources in a few themes: a bound, not a goal
# The modules whose classes a pickled rule holds: reinstalling or upgrading Textual
# rewrites them, so their sizes and times name the Textual the file was made with.
_TEXTUAL_MODULES = (
    "css/model.py",
    "css/styles.py",
    "css/types.py",
    "css/parse.py",
    "css/tokenize.py",
    "css/_styles_builder.py",
    "css/scalar.py",
    "color.py",
    "geometry.py",
)

_Key = tuple[Any, ...]


def textual_stamp() -> tuple[object, ...]:
    """What tells one installed Textual from another, cheaply (no package metadata)."""
    import textual

    root = Path(textual.__file__).parent
    stamp: list[object] = [str(root)]
    for name in _TEXTUAL_MODULES:
        try:
            info = (root / name).stat()
        except OSError:
            info = None
        stamp.append((name, info.st_size, info.st_mtime_ns) if info else (name, None))
    return (FORMAT, *stamp)


class StyleCache:
    """Parsed rule sets by what they were parsed from, loaded from and saved to ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[_Key, list[RuleSet]] | None = None
        self._stamp: tuple[object, ...] | None = None
        self._lock = threading.Lock()
        self._used: set[object] = set()  # the CSS variables (themes) of this run's parses
        self.hits = 0
        self.parsed = 0

    def _load(self) -> dict[_Key, list[RuleSet]]:
        self._stamp = textual_stamp()
        try:
            with self.path.open("rb") as handle:
                if not own_private_file(handle.fileno()):
                    return {}  # unpickling runs code: only a file no one else could write
                stamp, entries = pickle.load(handle)
        except Exception:  # missing, unreadable, truncated, from another version: parse
            return {}
        if stamp != self._stamp or not isinstance(entries, dict):
            return {}
        return entries

    def get(self, key: _Key) -> list[RuleSet] | None:
        with self._lock:
            if self._entries is None:
                self._entries = self._load()
            rules = self._entries.get(key)
            if rules is not None:
                self.hits += 1
                self._used.add(key[-1])
            return rules

    def put(self, key: _Key, rules: list[RuleSet]) -> None:
        with self._lock:
            if self._entries is None:
                self._entries = self._load()
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()  # CSS edited over and over (a developer): start anew
            self._entries[key] = rules
            self._used.add(key[-1])
            self.parsed += 1

    def save(self) -> None:
        """Write the file if this run parsed anything new, keeping only the rules of the
        themes this run used: other themes' rules would cost every start their loading.
        Never raises: it is a cache."""
        with self._lock:
            if self._entries is None:
                return
            kept = {key: rules for key, rules in self._entries.items() if key[-1] in self._used}
            if not self.parsed and len(kept) == len(self._entries):
                return
            stamp, self.parsed = self._stamp, 0
        with contextlib.suppress(Exception):  # a cache
            data = pickle.dumps((stamp, kept), protocol=pickle.HIGHEST_PROTOCOL)
            replace_private_file(self.path, data)


_installed: StyleCache | None = None


def install(path: Path | None = None) -> StyleCache:
    """Parse Textual CSS through a :class:`StyleCache` at ``path`` (once per process).

    Returns:
        The cache in use (the first one installed, if called again).
    """
    global _installed
    if _installed is not None:
        return _installed
    if path is None:
        from dealterm.config import cache_dir

        path = cache_dir() / "styles.pickle"
    cache = StyleCache(path)
    parse_rules = Stylesheet._parse_rules

    def cached_parse_rules(
        self: Stylesheet,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        key = (css, read_from, is_default_rules, tie_breaker, scope, _variables_key(self))
        rules = cache.get(key)
        if rules is None:
            rules = parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
            if not any(rule.errors for rule in rules):
                cache.put(key, rules)
        return rules

    Stylesheet._parse_rules = cached_parse_rules  # type: ignore[method-assign]
    _installed = cache
    return cache


def _variables_key(stylesheet: Stylesheet) -> tuple[tuple[str, str], ...]:
    """The stylesheet's CSS variables as a key, worked out once per set of variables."""
    variables = stylesheet._variables
    known = stylesheet.__dict__.get("_dealterm_variables_key")
    if known is not None and known[0] is variables:
        return known[1]  # type: ignore[no-any-return]
    key = tuple(sorted(variables.items()))
    stylesheet.__dict__["_dealterm_variables_key"] = (variables, key)
    return key
