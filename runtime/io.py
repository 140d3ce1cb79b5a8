"""I/O: network coroutines on an asyncio loop, their results handed to the host between macrosteps.

Sessions are not thread-safe, and nothing here adds a thread:
- a host whose clock is an `AsyncioClock` runs its network coroutines on that clock's loop (the
  application's own, which is running anyway);
- any other host has a private event loop that it *drives itself* while it waits for network
  I/O in `run_until_idle` (`HostIO.drive`). Like its timers, such a host's network I/O makes
  progress inside `run_until_idle` and nowhere else: a request a chart makes in `send()` goes out
  when the host next runs.

Either way a coroutine's outcome comes back through `Host.call_soon_threadsafe`, so the code that
delivers a result event runs on the host's thread, between macrosteps.
"""

from __future__ import annotations

import asyncio

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, Awaitable, Callable
    from .host import Host


class IOHandle:
    """A running coroutine or a real-time timer: `cancel()` stops it; afterwards its callback
    is never called."""

    __slots__ = ("_task", "cancelled", "done")

    def __init__(self) -> None:
        self._task: Any = None  # an asyncio Task, or a TimerHandle (call_later)
        self.cancelled = False
        self.done = False

    def cancel(self) -> None:
        if self.cancelled or self.done:
            return
        self.cancelled = True
        if self._task is not None:
            self._task.cancel()


class HostIO:
    """The event loop that runs a host's network coroutines, and the resources kept on it
    (connection pools), closed with the host."""

    def __init__(self, host: "Host") -> None:
        self.host = host
        self._own_loop: asyncio.AbstractEventLoop | None = None
        self._resources: dict[str, Any] = {}
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self.driving = False
        self._drives = 0  # how many times drive() ran (a wake-up belongs to one of them)
        self._woken = False

    # -- the loop ---------------------------------------------------------------------------

    @property
    def shared(self) -> bool:
        """Whether the loop is the application's (an AsyncioClock host)."""
        return getattr(self.host.clock, "_loop", False) is not False

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self.shared:
            return self.host.clock.loop
        if self._own_loop is None:
            self._own_loop = asyncio.new_event_loop()
        return self._own_loop

    def drive(self, timeout: float) -> None:
        """Run the private loop for at most `timeout` seconds of real time, or until a result
        is handed to the host (`wake`). For hosts not on asyncio; called by Host.pump."""
        if self.shared:
            raise RuntimeError("an AsyncioClock host runs on the application's loop")
        loop = self.loop
        if asyncio._get_running_loop() is not None:
            raise RuntimeError(
                "this Host (not on an AsyncioClock) waits for network I/O by running an event loop, "
                "and an asyncio loop is already running in this thread: use Host(AsyncioClock()) there"
            )
        stop = loop.call_later(max(0.0, timeout), loop.stop)
        self._drives += 1
        self.driving = True
        self._woken = False
        try:
            loop.run_forever()
        finally:
            self.driving = False
            stop.cancel()

    def wake(self) -> None:
        """A result is waiting for the host (from any thread): stop driving the loop."""
        loop = self._own_loop
        if self.driving and not self._woken and loop is not None:
            self._woken = True
            drive = self._drives

            def stop() -> None:
                # only the drive it was meant for (a stale stop would end the next one)
                if self.driving and self._drives == drive:
                    loop.stop()

            loop.call_soon_threadsafe(stop)

    def run(
        self,
        make: Callable[[], Awaitable[Any]],
        on_done: Callable[[Any, BaseException | None], None],
    ) -> IOHandle:
        """Run the coroutine `make()` on the loop; `on_done(result, error)` is called on the
        host's thread when it ends, unless the handle was cancelled first."""
        handle = IOHandle()
        host = self.host

        def finished(task: asyncio.Future) -> None:
            if task.cancelled():
                return
            exc = task.exception()
            host.call_soon_threadsafe(deliver, None if exc is not None else task.result(), exc)

        def deliver(result: Any, exc: BaseException | None) -> None:
            if handle.cancelled or handle.done:
                return
            handle.done = True
            on_done(result, exc)

        task = self.loop.create_task(make())
        handle._task = task
        task.add_done_callback(finished)
        return handle

    def call_later(self, delay: float, fn: Callable[[], None]) -> IOHandle:
        """Call fn() on the host's thread after `delay` seconds of *real* time, whatever the
        host's clock (time limits of network I/O: the network runs in real time)."""
        handle = IOHandle()
        host = self.host

        def fire() -> None:
            if not handle.cancelled and not handle.done:
                handle.done = True
                fn()

        handle._task = self.loop.call_later(max(0.0, delay), host.call_soon_threadsafe, fire)
        return handle

    # -- resources --------------------------------------------------------------------------

    def resource(self, key: str, factory: Callable[[], Any], closer: Callable[[Any], Awaitable[None]] | None = None) -> Any:
        """A per-loop resource (an HTTP connection pool), made on first use, from the loop."""
        found = self._resources.get(key)
        if found is None:
            found = self._resources[key] = factory()
            if closer is not None:
                self._closers.append(lambda: closer(found))
        return found

    def close(self) -> None:
        """Close the resources; a private loop's pending work is cancelled and it is closed."""
        closers, self._closers = self._closers, []
        self._resources.clear()
        if self.shared:
            loop = self.host.clock._loop
            if loop is not None and loop.is_running():
                for closer in closers:
                    loop.create_task(closer())
            return
        loop, self._own_loop = self._own_loop, None
        if loop is None or loop.is_closed():
            return
        if loop.is_running() or asyncio._get_running_loop() is not None:
            return  # (closed from inside a callback: the loop ends with the process)

        async def shutdown() -> None:
            for task in asyncio.all_tasks(loop):
                if task is not asyncio.current_task():
                    task.cancel()
            for closer in closers:
                try:
                    await closer()
                except Exception:  # noqa: BLE001 - closing is best effort
                    pass

        try:
            loop.run_until_complete(shutdown())
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


__all__ = ["HostIO", "IOHandle"]
