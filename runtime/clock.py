"""Clocks: real and simulated time with one timer queue, so delayed <send>s are testable."""

from __future__ import annotations

import itertools
import time

# heapq's C half (heapq.py is start-up time), loaded with the first timer: a shared library
# whose loading is a few percent of a generated module's first load (issue 14).
heapq = None


def _heap_ops():
    global heapq
    import _heapq as heapq

    return heapq

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:
    from typing import Callable


class Timer:
    __slots__ = ("when", "seq", "callback", "cancelled", "clock")

    def __init__(self, when: float, seq: int, callback: Callable[[], None], clock: "Clock"):
        self.when = when
        self.seq = seq
        self.callback = callback
        self.cancelled = False
        self.clock = clock

    def __lt__(self, other: "Timer") -> bool:
        return (self.when, self.seq) < (other.when, other.seq)

    def cancel(self) -> None:
        if self.cancelled:
            return
        self.cancelled = True
        # The heap drops cancelled timers lazily; meanwhile hold on to nothing (the callback
        # would keep its machine alive).
        self.callback = None
        self.clock._cancelled += 1


class Clock:
    """A timer queue over some notion of time; subclasses say what `now` is and how to wait."""

    # Whether time passes by itself: while network I/O is in flight a host waits for it in
    # real time, and only a real-time clock's timers fall due meanwhile.
    real_time = True

    def __init__(self) -> None:
        self._heap: list[Timer] = []
        self._seq = itertools.count()
        self._cancelled = 0  # cancelled timers still in the heap (an upper bound)

    def now(self) -> float:
        raise NotImplementedError

    def wait_until(self, when: float) -> None:
        raise NotImplementedError

    def time(self) -> float:
        """Seconds since the Unix epoch, as this clock sees it (ORS `idealtime` is epoch time)."""
        return time.time()

    def compact(self) -> None:
        """Drop cancelled timers from the heap (sessions that ended leave many behind)."""
        live = [t for t in self._heap if not t.cancelled]
        (heapq or _heap_ops()).heapify(live)
        self._heap = live
        self._cancelled = 0

    def _maybe_compact(self) -> None:
        if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
            self.compact()

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        # Timers due at the same instant fire in the order they were set (SCXML 6.2.4
        # does not order them, but users and the W3C tests expect send order).
        timer = Timer(self.now() + max(0.0, delay), next(self._seq), callback, self)
        self._maybe_compact()
        (heapq or _heap_ops()).heappush(self._heap, timer)
        return timer

    def next_due(self) -> float | None:
        self._maybe_compact()
        heap = self._heap
        while heap and heap[0].cancelled:
            (heapq or _heap_ops()).heappop(heap)
            self._cancelled = max(0, self._cancelled - 1)
        return heap[0].when if heap else None

    def fire_due(self) -> int:
        """Run every timer that is due now, in order; returns how many fired."""
        fired = 0
        heap = self._heap
        now = self.now()
        while heap and (heap[0].cancelled or heap[0].when <= now):
            timer = (heapq or _heap_ops()).heappop(heap)
            if timer.cancelled:
                self._cancelled = max(0, self._cancelled - 1)
            else:
                timer.cancelled = True
                timer.callback()
                fired += 1
        return fired

    def pending(self) -> int:
        return sum(1 for t in self._heap if not t.cancelled)


class RealClock(Clock):
    """Wall-clock time (monotonic); waiting sleeps."""

    def now(self) -> float:
        return time.monotonic()

    def wait_until(self, when: float) -> None:
        delay = when - time.monotonic()
        if delay > 0:
            time.sleep(delay)


class SimulatedClock(Clock):
    """Virtual time for tests: waiting jumps straight to the deadline.

    `epoch`: the Unix time (seconds) that simulated time `start` stands for (default: the real
    time when the clock is made); `time()` moves with simulated time from there.
    """

    real_time = False

    def __init__(self, start: float = 0.0, epoch: float | None = None) -> None:
        super().__init__()
        self._now = start
        self._epoch = (time.time() if epoch is None else epoch) - start

    def now(self) -> float:
        return self._now

    def time(self) -> float:
        return self._epoch + self._now

    def wait_until(self, when: float) -> None:
        if when > self._now:
            self._now = when

    def advance(self, seconds: float) -> int:
        """Move time forward, firing every timer due on the way; returns how many fired."""
        target = self._now + seconds
        fired = 0
        while True:
            due = self.next_due()
            if due is None or due > target:
                break
            self.wait_until(due)
            fired += self.fire_due()
        self._now = target
        return fired
