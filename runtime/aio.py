"""Asyncio: a real-time clock whose timers fire as event-loop callbacks, for apps that run asyncio."""

from __future__ import annotations

import asyncio

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Callable

from .clock import Clock, Timer


class _LoopTimer(Timer):
    """A timer the loop schedules: cancelling it cancels the loop's handle too. The handle held
    the timer until its due time, so an ended session's hour-long delayed <send> kept a handle
    in the loop for that hour (a server ending sessions all day grew its loop's timer heap);
    asyncio drops cancelled handles from its heap by itself."""

    __slots__ = ("handle",)

    def cancel(self) -> None:
        if not self.cancelled:
            super().cancel()
            self.handle.cancel()


class AsyncioClock(Clock):
    """Loop time; each timer is also scheduled on the loop, so delayed events arrive while the
    application awaits something else (no `run_until_idle` needed)."""

    asynchronous = True  # (nothing may block the loop: Host.asynchronous)

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__()
        self._loop = loop

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    def now(self) -> float:
        return self.loop.time()

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        # The loop keeps the schedule; the clock's own heap stays empty (next_due() is None).
        timer = _LoopTimer(self.now() + max(0.0, delay), next(self._seq), callback, self)
        timer.handle = self.loop.call_at(timer.when, self._fire, timer)
        return timer

    def _fire(self, timer: Timer) -> None:
        if not timer.cancelled:
            timer.cancelled = True
            timer.callback()

    def wait_until(self, when: float) -> None:
        raise RuntimeError("an AsyncioClock fires its timers by itself: await machine.wait_done() instead")
