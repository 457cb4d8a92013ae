"""Frames drawn as soon as one is due: a screen update timer without Textual's extra wait.

Textual draws a screen from a timer that ticks on a fixed 1/60 s grid while it has work.
After a pause, the first change is drawn at once, but the timer then skips past the next
grid point to the one after: a second change within the next ~33 ms waits for it. That is
the common case here: a key shows something at once (a "loading…" title, the typed
letter, the card leaving its column) and the answer of a database read follows 10-30 ms
later, then waits up to 33 ms more for its frame (the calendar month flip: read answered
at ~19 ms, drawn at ~33-36 ms).

:class:`FrameTimer` keeps the limit of one frame per interval, measured from the last
frame, and draws a change as soon as that interval has passed. :class:`PromptFrames` puts
it under a screen (Textual creates its update timer lazily, through the
``_update_timer`` property this overrides; Textual is pinned, and a test checks that the
screens use it).
"""

from __future__ import annotations

from typing import Any

from textual import _time
from textual.screen import UPDATE_PERIOD
from textual.timer import EventTargetGone, Timer

__all__ = ["FrameTimer", "PromptFrames"]


class FrameTimer(Timer):
    """A paused-when-idle repeating timer that ticks at most once per interval.

    Resumed, it ticks as soon as one interval has passed since its last tick (at once
    after a longer pause). Its callback pauses it again, as the screen's does.
    """

    _last_tick: float | None = None

    def delay(self, now: float) -> float:
        """Seconds to wait at ``now`` before the next tick may run."""
        if self._last_tick is None:
            return 0.0
        return max(0.0, self._last_tick + self._interval - now)

    async def _run(self) -> None:
        while True:
            await self._active.wait()
            wait = self.delay(_time.get_time())
            if wait > 0:
                await _time.sleep(wait)
                await self._active.wait()
            self._last_tick = now = _time.get_time()
            try:
                await self._tick(next_timer=now, count=0)
            except EventTargetGone:
                break


class PromptFrames:
    """Mixin for a :class:`~textual.screen.Screen`: its updates run on a :class:`FrameTimer`."""

    _frame_timer: FrameTimer | None = None
    _timers: Any  # provided by Textual's MessagePump
    _on_timer_update: Any  # provided by Textual's Screen

    @property
    def _update_timer(self) -> Timer:
        if self._frame_timer is None:
            timer = FrameTimer(
                self,  # type: ignore[arg-type]
                UPDATE_PERIOD,
                name="screen_update",
                callback=self._on_timer_update,
                pause=True,
            )
            timer._start()
            self._timers.add(timer)
            self._frame_timer = timer
        return self._frame_timer
