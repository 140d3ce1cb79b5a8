"""The session server (`scxmlc serve`): ORS documents served over the ORS External Interfaces, their sessions kept in a store (ors-server.md).

    server = Server(ServerSettings(roots=["charts"], port=8080, store="memory"))
    await server.start()      # listening; server.url is where
    ...
    await server.stop()

`Server.run()` does the same in the foreground until interrupted (the CLI). The parts:
settings.py (what can be configured), sessions.py (what each operation does), app.py (the HTTP
side), durable.py (the store: every input stored before it is acknowledged, every macrostep
committed before its effects leave, sessions back after a restart), cluster.py (several hosts
on one Redis store: heartbeats, claims of a dead host's sessions, routing to a session's owner).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from .settings import ServerSettings, SettingsError

_log = logging.getLogger("scxmlc_runtime.server")


class Server:
    """One session server: a Host on the server's event loop, its sessions, its HTTP site."""

    def __init__(self, settings: ServerSettings | None = None, *, services: tuple = (), documents: dict | None = None, **adapters: Any) -> None:
        self.settings = settings or ServerSettings()
        self.services = services
        self.documents = documents or {}
        self.adapters = adapters
        self.host = None
        self.service = None
        self.store = None
        self._runner = None
        self.bridge = None
        self.cluster = None
        self.url: str | None = None

    def _token(self) -> str | None:
        return self._secret(self.settings.token_file, "token_file")

    @staticmethod
    def _secret(path: str | None, name: str = "interaction_token_file") -> str | None:
        if path is None:
            return None
        try:
            token = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingsError(f"{name} {path}: {exc.strerror or exc}") from None
        if not token:
            raise SettingsError(f"{name} {path} is empty")
        return token

    async def start(self) -> None:
        """Build the host, open the store, restore what it holds, and listen."""
        from aiohttp import web

        from ..aio import AsyncioClock
        from ..host import Host
        from ..limits import Limits
        from .app import HTTP_LOG, make_app
        from .sessions import SessionService

        token = self._token()
        for root in self.settings.roots:
            if not Path(root).is_dir():
                raise SettingsError(f"roots: {root} is not a folder")
        for folder in self.settings.module_dirs:
            if not Path(folder).is_dir():
                raise SettingsError(f"module_dirs: {folder} is not a folder")
        self.store = self._open_store()
        clock = AsyncioClock(asyncio.get_running_loop())
        adapters = dict(self.adapters)
        self.bridge = None
        if self.settings.interaction_url and "interactions" not in adapters:
            from .bridge import HttpInteractions

            self.bridge = adapters["interactions"] = HttpInteractions(
                self.settings.interaction_url, token=self._secret(self.settings.interaction_token_file), timeout_s=self.settings.interaction_timeout_s
            )
        self.host = Host(
            clock,
            documents=self.documents,
            document_roots=[str(Path(r).resolve()) for r in self.settings.roots],
            module_dirs=[str(Path(d).resolve()) for d in self.settings.module_dirs],
            services=self.services,
            # (a chart's <session:start> counts against max_sessions too)
            limits=Limits(sessions=self.settings.max_sessions, session_memory=self.settings.max_session_bytes),
            **adapters,
        )
        self.service = SessionService(self.settings, self.host, self.store)
        if self.settings.store == "redis":
            from .cluster import Cluster

            self.cluster = self.service.cluster = Cluster(self.service, self.store, self.settings)
            if self.bridge is not None:
                self.bridge.cluster = self.cluster  # (its requests are indexed for the other hosts)
        app = make_app(self.service, token, self.bridge)
        # keepalive_timeout also closes a connection that never completes a request (aiohttp
        # starts that timer as a connection opens; its default is an hour)
        self._runner = web.AppRunner(app, access_log=None, keepalive_timeout=self.settings.idle_timeout_s, logger=HTTP_LOG)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        await site.start()
        sockets = site._server.sockets if site._server is not None else []  # noqa: SLF001 - the bound port
        port = sockets[0].getsockname()[1] if sockets else self.settings.port
        self.url = url = f"http://{self.settings.host}:{port}"
        # (sessions are reached on this port for Basic HTTP too: one HTTP server)
        prefix = self.settings.path_prefix
        self.host.basichttp_location = lambda sid: f"{url}{prefix}/scxml/{sid}"
        if self.cluster is not None:
            # (at once, before a request can come in: this host's identity and epoch, which its
            # commits carry; then the wake channel and the heartbeats)
            from ..store import StoreError

            try:
                self.cluster.register(url)
            except StoreError as exc:
                await self._runner.cleanup()
                self._runner = None
                raise SettingsError(f"store {self.settings.describe_store()}: {exc}") from None
            await self.cluster.start()
            self.host.basichttp_location = lambda sid: f"{self.cluster.url}{prefix}/scxml/{sid}"
        durability = self.service.durability
        if durability is not None:
            # (listening already: a request for a session not restored yet restores it)
            restored = await durability.recover()
            if restored:
                _log.info("%d stored sessions are back", restored)
            durability.start_background()
        if self.cluster is not None:
            self.cluster.start_watch()
        _log.info("serving %s on %s", ", ".join(self.settings.roots), self.url)

    def _open_store(self):
        from ..store import StoreError
        from ..store.memory import MemoryStore

        where = self.settings.describe_store()
        try:
            if self.settings.store == "memory":
                store = MemoryStore()
            elif self.settings.store == "redis":
                from ..store.redis import RedisStore

                store = RedisStore(self.settings.redis_url, self.settings.cluster, session_max_idle_s=self.settings.session_max_idle_s)
            else:
                from ..store.sqlite import SqliteStore

                store = SqliteStore(self.settings.store_path, synchronous=self.settings.sqlite_synchronous, group_commit_ms=self.settings.group_commit_ms)
            store.open()
        except (StoreError, OSError, ValueError) as exc:
            raise SettingsError(f"store {where}: {exc}") from None
        return store

    async def stop(self) -> None:
        if self.service is not None:
            self.service.draining = True  # (§1.8: requests on connections still open are 503 from now on)
        if self.service is not None and self.service.durability is not None:
            await self.service.durability.stop_background()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.cluster is not None:
            await self.cluster.stop()  # (after the last answer: the others may claim its sessions now)
        if self.bridge is not None:
            await self.bridge.close()
        if self.host is not None:
            # the sessions stay as stored: leave them without ending them (no onexit, no
            # tombstones), as a crash would, but in good order
            if self.service is not None and self.service.durability is not None:
                for res in list(self.service.durability.resident.values()):
                    if res.durable:
                        self.service.durability.evict(res.machine)
            self.host.close()
        if self.store is not None:
            self.store.close()
            self.store = None

    def run(self, ready=None) -> None:
        """Serve until interrupted (SIGINT, SIGTERM)."""

        async def main() -> None:
            await self.start()
            if ready is not None:
                ready(self)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            import signal

            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.add_signal_handler(sig, stop.set)
                except (NotImplementedError, RuntimeError):  # pragma: no cover - not on this platform
                    pass
            waits = [asyncio.ensure_future(stop.wait())]
            if self.cluster is not None:
                waits.append(asyncio.ensure_future(self.cluster.fatal.wait()))
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waits:
                    w.cancel()
                await self.stop()
            if self.cluster is not None and self.cluster.fatal.is_set():
                raise SettingsError(f"another process runs with host id {self.cluster.host_id}: this one stopped")

        asyncio.run(main())


__all__ = ["Server", "ServerSettings", "SettingsError"]
