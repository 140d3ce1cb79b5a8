"""I/O: network coroutines on an asyncio loop, their results handed back to the host's thread.

Sessions are not thread-safe: everything that touches a machine runs on the host's thread.
Network work (HTTP fetches, documents over HTTP) runs as coroutines:
- on a host whose clock is an `AsyncioClock`, on that clock's loop (the application's own);
- on any other host, on a loop in a daemon thread that the host starts when it first needs it.

Either way the coroutine's outcome comes back through `Host.call_soon_threadsafe`, so the code
that delivers a result event runs on the host's thread, between macrosteps.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any, Awaitable, Callable

if TYPE_CHECKING:  # pragma: no cover
    from .host import Host


class IOHandle:
    """A running coroutine: `cancel()` aborts it; afterwards its callback is never called."""

    __slots__ = ("_io", "_task", "cancelled", "done")

    def __init__(self, io: "HostIO") -> None:
        self._io = io
        self._task: Any = None
        self.cancelled = False
        self.done = False

    def cancel(self) -> None:
        if self.cancelled or self.done:
            return
        self.cancelled = True
        task = self._task  # an asyncio Task, or a TimerHandle (call_later)
        if task is not None:
            self._io.call_in_loop(task.cancel)


class HostIO:
    """The event loop that runs a host's network coroutines, and the resources kept on it
    (connection pools), closed with the host."""

    def __init__(self, host: "Host") -> None:
        self.host = host
        self._thread: threading.Thread | None = None
        self._own_loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._resources: dict[str, Any] = {}
        self._closers: list[Callable[[], Awaitable[None]]] = []

    # -- the loop ---------------------------------------------------------------------------

    @property
    def shared(self) -> bool:
        """Whether the loop is the application's (an AsyncioClock host)."""
        return getattr(self.host.clock, "_loop", False) is not False

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self.shared:
            return self.host.clock.loop
        with self._lock:
            if self._own_loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                self._thread = threading.Thread(target=run, name="scxmlc-io", daemon=True)
                self._thread.start()
                ready.wait()
                self._own_loop = loop
            return self._own_loop

    def call_in_loop(self, fn: Callable, *args: Any) -> None:
        loop = self.loop
        if self.shared:
            fn(*args)
        else:
            loop.call_soon_threadsafe(fn, *args)

    def run(
        self,
        make: Callable[[], Awaitable[Any]],
        on_done: Callable[[Any, BaseException | None], None],
    ) -> IOHandle:
        """Run the coroutine `make()` on the loop; `on_done(result, error)` is called on the
        host's thread when it ends, unless the handle was cancelled first."""
        handle = IOHandle(self)
        host = self.host

        def finished(task: asyncio.Future) -> None:
            if task.cancelled():
                return
            exc = task.exception()
            result = None if exc is not None else task.result()
            host.call_soon_threadsafe(deliver, result, exc)

        def deliver(result: Any, exc: BaseException | None) -> None:
            if handle.cancelled or handle.done:
                return
            handle.done = True
            on_done(result, exc)

        def start() -> None:
            if handle.cancelled:
                return
            task = asyncio.ensure_future(make(), loop=self.loop)
            handle._task = task
            task.add_done_callback(finished)

        self.call_in_loop(start)
        return handle

    def call_later(self, delay: float, fn: Callable[[], None]) -> IOHandle:
        """Call fn() on the host's thread after `delay` seconds of *real* time, whatever the
        host's clock (time limits of network I/O: the network runs in real time)."""
        handle = IOHandle(self)
        host = self.host

        def fire() -> None:
            if not handle.cancelled and not handle.done:
                handle.done = True
                fn()

        def arm() -> None:
            if not handle.cancelled:
                handle._task = self.loop.call_later(max(0.0, delay), host.call_soon_threadsafe, fire)

        self.call_in_loop(arm)
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

    def close(self, timeout: float = 5.0) -> None:
        closers, self._closers = self._closers, []
        self._resources.clear()
        if self.shared:
            loop = self.host.clock._loop
            if loop is not None and not loop.is_closed():
                for closer in closers:
                    if loop.is_running():
                        loop.create_task(closer())
            return
        with self._lock:
            loop, thread = self._own_loop, self._thread
            self._own_loop = self._thread = None
        if loop is None:
            return

        async def shutdown() -> None:
            for closer in closers:
                try:
                    await closer()
                except Exception:  # noqa: BLE001 - closing is best effort
                    pass

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout)
        except Exception:  # noqa: BLE001
            pass
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout)
        if not loop.is_running():
            loop.close()


__all__ = ["HostIO", "IOHandle"]
