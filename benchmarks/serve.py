"""Benchmark: the session server (`scxmlc serve`) under concurrent HTTP clients, per store, beside a bare aiohttp server driven alike.

Each configuration runs in a fresh `scxmlc serve` subprocess on loopback (a free port), with a
fresh store: `--store memory`, an SQLite file with `sqlite_synchronous = "FULL"`, and one with
`"NORMAL"` (set through a `--config` TOML file). It serves a temporary folder with one small
ECMAScript chart that counts its events. The client (aiohttp, `--concurrency` connections, in
this process) measures:
1. starts: N sessions started (`POST /scxml/session/start`): sessions/s, p50/p99 latency;
2. events: M events posted to each session (`POST /scxml/session/<id>/event/<name>`; each session's
   events one after another, the sessions concurrently): events/s (to the last 200), p50/p99 of
   the HTTP round trip; then every session is queried until it shows all M events processed, in
   order (the answer to a POST does not wait for that; the wait is reported as "drain"), and the
   run fails loudly on a wrong count, a misordered event or any non-200 answer;
3. memory: the server's RSS (/proc/<pid>/status VmRSS) before and after the starts, per session.
The baseline is a bare aiohttp server in a subprocess that answers the same requests with a dict
counter per session: the cost of the HTTP stack (and of the client) alone. Runs alternate (ours
memory, baseline, ours FULL, baseline, ours NORMAL, baseline) for `--rounds` rounds; the table
shows per-configuration medians over the rounds, and the server's CPU time per start and per
event (/proc/<pid>/stat), which the client's share of the cores does not blur. Afterwards, per
store, a server with a small `idle_evict_s` measures the RSS kept per evicted session (two waves
of `--mem-sessions` sessions, each left idle until /ors/health shows none resident: RSS does not
shrink when Python frees memory, so the second wave shows whether the first wave's was reused),
says when eviction did not happen, and checks that an evicted session comes back with its data.
Targets (reported, not asserted): 2,000 events/s with the memory store, 500 durable with FULL.
The client shares the machine's cores with the server: the baseline shows that ceiling.

With `--redis`, it measures the Redis store instead (ors-server.md §9.10): a redis-server of its
own in a temporary folder (appendonly yes, appendfsync always; or `--redis-url`), and 1, 2 and 3
`scxmlc serve` hosts on it (`--hosts`), each configuration on a fresh cluster name. Sessions are
started round robin over the hosts (each owned by the one that started it); events go to a
random host (`--routing any`: most of them reach the owner through its inbox and a wake) or to
the owner (`sticky`, as a load balancer with the ORSSESSIONID cookie would send them); queries
follow the 307 redirects. Server CPU is summed over the hosts; Redis's own CPU is shown apart.

    python benchmarks/serve.py [--sessions 200] [--events 20] [--concurrency 50] [--rounds 3]
                               [--mem-sessions 1000] [--idle-evict 2] [--no-evict] [--quick] [--json]
    python benchmarks/serve.py --redis [--hosts 1,2,3] [--routing any|sticky] [--redis-url URL] [...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import aiohttp

NAMES = ("tick.a", "tick.b", "tick.c", "tick.d")  # event k is NAMES[k % 4], with k in its data
# one transition per event name; each counts the event, and checks that it comes in order
TRANSITION = """    <transition event="{name}"><assign location="per.{key}" expr="per.{key} + 1"/>
      <script>if (Number(_event.data.k) != count) misordered++; count++;</script></transition>"""
CHART = f"""<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="bench_counter" initial="counting">
  <datamodel>
    <data id="count" expr="0"/>
    <data id="misordered" expr="0"/>
    <data id="per" expr="({{a: 0, b: 0, c: 0, d: 0}})"/>
  </datamodel>
  <state id="counting">
{chr(10).join(TRANSITION.format(name=name, key=name[-1]) for name in NAMES)}
    <transition event="stop" target="done"/>
  </state>
  <final id="done"/>
</scxml>
"""

BASELINE = textwrap.dedent(
    """
    import asyncio, uuid
    from aiohttp import web
    sessions = {}
    def answer(body, status=200):
        return web.json_response(body, status=status)
    async def start(request):
        form = await request.post()
        if "src" not in form:
            return answer({"error": "missingparameter"}, 400)
        sid = uuid.uuid4().hex[:32].upper()
        sessions[sid] = {"count": 0, "misordered": 0, "per": {"a": 0, "b": 0, "c": 0, "d": 0}}
        return answer({"sessionid": sid, "status": "running"})
    async def event(request):
        form = await request.post()
        sid, name = request.match_info["sid"], request.match_info["name"]
        data = sessions.get(sid)
        if data is None:
            return answer({"error": "notfound"}, 404)
        if int(form.get("k", "-1")) != data["count"]:
            data["misordered"] += 1
        data["count"] += 1
        data["per"][name[-1]] = data["per"].get(name[-1], 0) + 1
        return answer({"sessionid": sid, "status": "queued"})
    async def query(request):
        sid = request.match_info["sid"]
        data = sessions.get(sid)
        if data is None:
            return answer({"error": "notfound"}, 404)
        return answer({"sessionid": sid, "status": "running", "persistent": False, "data": data})
    async def health(request):
        return answer({"status": "ok", "sessions": {"resident": len(sessions)}})
    async def main():
        app = web.Application()
        app.add_routes([web.post("/scxml/session/start", start), web.post("/scxml/session/{sid}/event/{name}", event),
                        web.get("/scxml/session/{sid}/query", query), web.get("/ors/health", health)])
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        print(f"baseline: . on http://127.0.0.1:{port}", flush=True)
        await asyncio.Event().wait()
    asyncio.run(main())
    """
)

CONFIGS = (  # (label, store, sqlite_synchronous)
    ("memory", "memory", None),
    ("sqlite FULL", "sqlite", "FULL"),
    ("sqlite NORMAL", "sqlite", "NORMAL"),
)
BASELINE_LABEL = "bare aiohttp"
TARGETS = {"memory": 2000, "sqlite FULL": 500}  # events/s (the targets)


class BenchError(Exception):
    """A run that went wrong (a wrong count, an error answer, a server that died): no result."""


# -- the servers ------------------------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise BenchError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its threads, ended ones too (/proc/<pid>/stat;
    in clock ticks, 10 ms: fine over a run of thousands of requests, coarse over a --quick one)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Served:
    """A server subprocess (ours or the baseline), its output in files, stopped for sure by stop()."""

    def __init__(self, cmd: list[str], folder: Path, cwd: Path):
        self.folder = folder
        self.out_path, self.err_path = folder / "stdout.txt", folder / "stderr.txt"
        self._out, self._err = open(self.out_path, "wb"), open(self.err_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=self._err, stdin=subprocess.DEVNULL, cwd=cwd)
        try:
            self.url = self._wait_ready()
        except BaseException:
            self.stop()  # (a server that never got ready is not left running either)
            raise

    def _wait_ready(self, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.out_path.read_text(encoding="utf-8", errors="replace").splitlines():
                if " on http://" in line:
                    return line.split(" on ", 1)[1].split()[0]
            if self.proc.poll() is not None:
                raise BenchError(f"the server exited {self.proc.returncode} before it was ready: {self.stderr_tail()}")
            time.sleep(0.02)
        raise BenchError(f"the server did not say where it listens within {timeout:g} s: {self.stderr_tail()}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> None:
        if self.proc.poll() is not None:
            raise BenchError(f"the server died (exit {self.proc.returncode}): {self.stderr_tail()}")

    def rss(self) -> int:
        self.alive()
        return rss_bytes(self.proc.pid)

    def cpu(self) -> float:
        self.alive()
        return cpu_seconds(self.proc.pid)

    def stderr_tail(self, lines: int = 15) -> str:
        try:
            text = self.err_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def log_counts(self) -> dict[str, int]:
        """Lines the server logged at WARNING and above (a load run should have none)."""
        counts: dict[str, int] = {}
        try:
            text = self.err_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return counts
        for line in text.splitlines():
            for level in ("WARNING", "ERROR", "CRITICAL"):
                if f" {level} " in line:
                    counts[level] = counts.get(level, 0) + 1
        return counts

    def stop(self) -> None:
        try:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
        finally:
            if self.proc.poll() is None:  # (never leave it running)
                self.proc.kill()
                self.proc.wait(5)
            self._out.close()
            self._err.close()


def serve_ours(folder: Path, charts: Path, store: str, synchronous: str | None, idle_evict_s: float = 300.0) -> Served:
    config = folder / "serve.toml"
    lines = ["[server]", f"idle_evict_s = {float(idle_evict_s)!r}"]
    if synchronous is not None:
        lines.append(f'sqlite_synchronous = "{synchronous}"')
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store_arg = "memory" if store == "memory" else str(folder / "sessions.db")
    cmd = [sys.executable, "-m", "scxmlc", "serve", str(charts), "--port", "0", "--store", store_arg, "--config", str(config)]
    return Served(cmd, folder, cwd=folder)


def serve_baseline(folder: Path) -> Served:
    return Served([sys.executable, "-c", BASELINE], folder, cwd=folder)


# -- the client ------------------------------------------------------------------------------------


def pct(samples: list[float], p: float) -> float:
    """The p-th percentile of `samples` (seconds) in milliseconds."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


class Client:
    """The load: `concurrency` connections to one server, errors collected (a run with any fails)."""

    def __init__(self, url: str, concurrency: int):
        self.url = url
        self.concurrency = concurrency
        self.errors: list[str] = []
        self.http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "Client":
        connector = aiohttp.TCPConnector(limit=self.concurrency, limit_per_host=self.concurrency)
        self.http = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120))
        return self

    async def __aexit__(self, *exc) -> None:
        await self.http.close()

    def base_for(self, path: str) -> str:
        """The server a request goes to (HostsClient: one of several)."""
        return self.url

    def started(self, sid: str, base: str) -> None:
        """A session started on `base`."""

    async def call(self, method: str, path: str, form: dict | None = None) -> dict | None:
        base = self.base_for(path)
        try:
            async with self.http.request(method, base + path, data=form) as r:
                body = await r.read()
                if r.status != 200:
                    self.errors.append(f"{method} {path}: {r.status} {body[:200]!r}")
                    return None
                answer = json.loads(body)
                if path == "/scxml/session/start" and isinstance(answer, dict) and "sessionid" in answer:
                    self.started(answer["sessionid"], base)
                return answer
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            self.errors.append(f"{method} {path}: {type(exc).__name__}: {exc}")
            return None

    def check(self, what: str) -> None:
        if self.errors:
            more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
            raise BenchError(f"{what}: {len(self.errors)} requests failed, e.g. " + "; ".join(self.errors[:5]) + more)

    async def start(self, src: str) -> str | None:
        body = await self.call("POST", "/scxml/session/start", {"src": src})
        return body.get("sessionid") if body else None

    async def starts(self, src: str, n: int) -> tuple[float, list[float], list[str]]:
        """N sessions started by `concurrency` workers: seconds, latencies, session ids."""
        latencies: list[float] = []
        sids: list[str] = []
        left = iter(range(n))

        async def worker() -> None:
            for _ in left:
                t0 = time.perf_counter()
                sid = await self.start(src)
                latencies.append(time.perf_counter() - t0)
                if sid:
                    sids.append(sid)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, n))))
        took = time.perf_counter() - t0
        self.check("starting sessions")
        return took, latencies, sids

    async def events(self, sids: list[str], m: int) -> tuple[float, list[float]]:
        """M events to each session, a session's events one after another, `concurrency`
        sessions at a time: seconds (to the last answer), latencies."""
        latencies: list[float] = []
        left = iter(sids)

        async def worker() -> None:
            for sid in left:
                for k in range(m):
                    t0 = time.perf_counter()
                    await self.call("POST", f"/scxml/session/{sid}/event/{NAMES[k % len(NAMES)]}", {"k": str(k)})
                    latencies.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(sids)))))
        took = time.perf_counter() - t0
        self.check("posting events")
        return took, latencies

    async def query(self, sid: str) -> dict | None:
        return await self.call("GET", f"/scxml/session/{sid}/query")

    async def verify(self, sids: list[str], m: int, timeout: float = 60.0, stall: float = 5.0) -> float:
        """Query the sessions until each shows its M events processed, in order: the seconds
        that took. A count still wrong after `timeout`, or after `stall` seconds without any
        progress, a misordered event: BenchError."""
        want_per = {n[-1]: len(range(i, m, len(NAMES))) for i, n in enumerate(NAMES)}
        t0 = time.perf_counter()
        pending = list(sids)
        sem = asyncio.Semaphore(self.concurrency)

        async def one(sid: str) -> tuple[str, dict | None]:
            async with sem:
                return sid, await self.query(sid)

        last: dict[str, dict | None] = {}
        progress_at, counts = t0, None
        while pending:
            answers = await asyncio.gather(*(one(sid) for sid in pending))
            self.check("querying sessions")
            pending = []
            for sid, body in answers:
                data = (body or {}).get("data", {})
                last[sid] = data
                if data.get("misordered"):
                    raise BenchError(f"session {sid}: {data['misordered']} events processed out of order: {data}")
                if data.get("count") != m:
                    pending.append(sid)
                elif data.get("per") != want_per:
                    raise BenchError(f"session {sid}: events per name {data.get('per')}, expected {want_per}")
            if pending:
                now = time.perf_counter()
                seen = [last[sid].get("count") for sid in pending]
                if seen != counts:
                    progress_at, counts = now, seen
                if now - t0 > timeout or now - progress_at > stall:
                    sample = {sid: last[sid] for sid in pending[:3]}
                    raise BenchError(f"{len(pending)} of {len(sids)} sessions have not processed all {m} events after "
                                     f"{now - t0:.1f} s ({now - progress_at:.1f} s without progress), e.g. {sample}")  # fmt: skip
                await asyncio.sleep(0.01)
        return time.perf_counter() - t0

    async def health(self) -> dict:
        return await self.call("GET", "/ors/health") or {}


class HostsClient(Client):
    """The load spread over several hosts of one Redis store: starts round robin; events and
    queries to a random host (`any`) or to the session's owner (`sticky`)."""

    def __init__(self, urls: list[str], concurrency: int, routing: str):
        super().__init__(urls[0], concurrency)
        self.urls, self.routing = urls, routing
        self.owner: dict[str, str] = {}
        self.turn = 0
        self.rng = random.Random(1)

    def base_for(self, path: str) -> str:
        if path == "/scxml/session/start":
            self.turn += 1
            return self.urls[self.turn % len(self.urls)]
        if self.routing == "sticky" and path.startswith("/scxml/session/"):
            owner = self.owner.get(path.split("/")[3])
            if owner is not None:
                return owner
        return self.rng.choice(self.urls)

    def started(self, sid: str, base: str) -> None:
        self.owner[sid] = base


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    """A redis-server of the benchmark's own on a free loopback port: AOF, appendfsync always."""
    import socket

    exe = shutil.which("redis-server")
    if exe is None:
        raise BenchError("--redis needs redis-server on PATH (apt-get install redis-server), or --redis-url")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(folder / "redis.log", "wb")
    cmd = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", str(folder)]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
                c.sendall(b"PING\r\n")
                if c.recv(16).startswith(b"+PONG"):
                    return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise BenchError(f"redis-server did not start: {(folder / 'redis.log').read_text(errors='replace')[-500:]}")


def serve_redis_hosts(folder: Path, charts: Path, url: str, count: int) -> list[Served]:
    import uuid

    cluster = f"bench{uuid.uuid4().hex[:8]}"
    hosts: list[Served] = []
    try:
        for i in range(count):
            sub = folder / f"host{i}"
            sub.mkdir()
            cmd = [sys.executable, "-m", "scxmlc", "serve", str(charts), "--port", "0", "--store", url, "--cluster", cluster, "--log-level", "warning"]
            hosts.append(Served(cmd, sub, cwd=sub))
    except BaseException:
        for h in hosts:
            h.stop()
        raise
    return hosts


async def hosts_run(hosts: list[Served], n: int, m: int, concurrency: int, routing: str, redis_pid: int | None) -> dict:
    """one_run for several hosts of one Redis store."""

    def cpu() -> float:
        return sum(h.cpu() for h in hosts)

    def redis_cpu() -> float:
        return cpu_seconds(redis_pid) if redis_pid is not None else float("nan")

    async with HostsClient([h.url for h in hosts], concurrency, routing) as client:
        for _ in hosts:  # warm up every host (round robin), each session's event through any host
            sid = await client.start("counter.scxml")
            if sid is None:
                client.check("warm-up start")
            await client.call("POST", f"/scxml/session/{sid}/event/tick.a", {"k": "0"})
            await client.verify([sid], 1)
        warm = await client.query(sid)
        cpu0, rcpu0 = cpu(), redis_cpu()
        start_s, start_lat, sids = await client.starts("counter.scxml", n)
        if len(sids) != n:
            raise BenchError(f"{len(sids)} of {n} sessions started")
        cpu1, rcpu1 = cpu(), redis_cpu()
        event_s, event_lat = await client.events(sids, m)
        cpu2, rcpu2 = cpu(), redis_cpu()
        drain_s = await client.verify(sids, m)
        healths = []
        for h in hosts:
            async with client.http.get(h.url + "/ors/health") as r:
                healths.append(await r.json())
    return {
        "hosts": len(hosts),
        "routing": routing,
        "persistent": bool((warm or {}).get("persistent")),
        "starts_per_s": n / start_s,
        "start_p50_ms": pct(start_lat, 50),
        "start_p99_ms": pct(start_lat, 99),
        "events_per_s": n * m / event_s,
        "event_p50_ms": pct(event_lat, 50),
        "event_p99_ms": pct(event_lat, 99),
        "drain_ms": drain_s * 1000,
        "server_cpu_per_event_ms": (cpu2 - cpu1) / (n * m) * 1000,
        "redis_cpu_per_event_ms": (rcpu2 - rcpu1) / (n * m) * 1000,
        "server_cpu_per_start_ms": (cpu1 - cpu0) / n * 1000,
        "redis_cpu_per_start_ms": (rcpu1 - rcpu0) / n * 1000,
        "live_hosts": [len((hh.get("cluster") or {}).get("live_hosts", [])) for hh in healths],
        "server_log": {k: v for h in hosts for k, v in h.log_counts().items()},
    }


REDIS_KEYS = ("starts_per_s", "start_p99_ms", "events_per_s", "event_p50_ms", "event_p99_ms", "drain_ms",
              "server_cpu_per_event_ms", "redis_cpu_per_event_ms", "server_cpu_per_start_ms", "redis_cpu_per_start_ms")  # fmt: skip


def redis_main(args, charts: Path) -> tuple[dict, list[str]]:
    """The --redis runs: {hosts: [results per round]}, failures."""
    results: dict[int, list[dict]] = {}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="scxmlc-bench-redis-") as tmp:
        folder = Path(tmp)
        redis_proc, url = (None, args.redis_url) if args.redis_url else start_redis(folder)
        try:
            for rnd in range(args.rounds):
                for count in args.hosts:
                    run_folder = folder / f"r{rnd}h{count}"
                    run_folder.mkdir()
                    hosts: list[Served] = []
                    try:
                        hosts = serve_redis_hosts(run_folder, charts, url, count)
                        r = asyncio.run(hosts_run(hosts, args.sessions, args.events, args.concurrency, args.routing,
                                                  None if redis_proc is None else redis_proc.pid))  # fmt: skip
                    except BenchError as exc:
                        tails = "".join(textwrap.indent(h.stderr_tail(), "    ") for h in hosts)
                        failures.append(f"redis, {count} host(s): {exc}\n{tails}")
                        progress(f"round {rnd + 1}: redis {count} host(s): FAILED: {exc}")
                        continue
                    finally:
                        for h in hosts:
                            h.stop()
                    results.setdefault(count, []).append(r)
                    progress(f"round {rnd + 1}: redis {count} host(s) {r['starts_per_s']:7,.0f} starts/s {r['events_per_s']:7,.0f} events/s "
                             f"p50 {r['event_p50_ms']:5.1f} ms p99 {r['event_p99_ms']:6.1f} ms drain {r['drain_ms']:6.1f} ms")  # fmt: skip
        finally:
            if redis_proc is not None:
                redis_proc.terminate()
                redis_proc.wait(10)
    return results, failures


def redis_table(args, results: dict) -> str:
    lines = [
        f"scxmlc serve on one Redis (appendfsync always): {args.sessions} sessions x {args.events} events per run, {args.concurrency} "
        f"concurrent clients, events routed {args.routing}; medians of {args.rounds} round(s); {os.cpu_count()} CPUs for everything",
        "",
        f"{'hosts':>5} {'starts/s':>8} {'start p99 ms':>12} {'events/s':>9} {'event p50/p99 ms':>17} {'drain ms':>8} "
        f"{'CPU ms/event':>13} {'Redis CPU':>9}",
    ]
    for count in sorted(results):
        md = {k: statistics.median(r[k] for r in results[count]) for k in REDIS_KEYS}
        lines.append(
            f"{count:>5} {md['starts_per_s']:>8,.0f} {md['start_p99_ms']:>12.1f} {md['events_per_s']:>9,.0f} "
            f"{md['event_p50_ms']:>8.1f}/{md['event_p99_ms']:<8.1f} {md['drain_ms']:>8.1f} {md['server_cpu_per_event_ms']:>13.2f} "
            f"{md['redis_cpu_per_event_ms']:>9.2f}"
        )
    lines += [
        "  CPU ms/event: all the hosts' (user + system); Redis CPU: redis-server's, ms per event (nan with --redis-url);",
        "  events/s per run: " + "; ".join(f"{c} host(s) " + ", ".join(f"{r['events_per_s']:,.0f}" for r in results[c]) for c in sorted(results)),
    ]
    for count in sorted(results):
        logged: dict[str, int] = {}
        for r in results[count]:
            for k, v in r["server_log"].items():
                logged[k] = logged.get(k, 0) + v
        if logged:
            lines.append(f"  {count} host(s): the servers logged {', '.join(f'{v} {k}' for k, v in sorted(logged.items()))} line(s)")
    return "\n".join(lines)


async def one_run(served: Served, n: int, m: int, concurrency: int) -> dict:
    """Starts, events and their check on one server; the numbers of the run."""
    async with Client(served.url, concurrency) as client:
        # warm up: the chart compiled and loaded, the code paths taken once (not counted)
        sid = await client.start("counter.scxml")
        if sid is None:
            client.check("warm-up start")
        await client.call("POST", f"/scxml/session/{sid}/event/tick.a", {"k": "0"})
        await client.verify([sid], 1)
        warm = await client.query(sid)
        await asyncio.sleep(0.1)
        rss0 = served.rss()
        cpu0, own0 = served.cpu(), time.process_time()
        start_s, start_lat, sids = await client.starts("counter.scxml", n)
        if len(sids) != n:
            raise BenchError(f"{len(sids)} of {n} sessions started")
        cpu1, own1 = served.cpu(), time.process_time()
        rss1 = served.rss()
        event_s, event_lat = await client.events(sids, m)
        cpu2, own2 = served.cpu(), time.process_time()
        drain_s = await client.verify(sids, m)
        rss2 = served.rss()
        health = await client.health()
    return {
        "persistent": bool((warm or {}).get("persistent")),
        "starts_per_s": n / start_s,
        "start_p50_ms": pct(start_lat, 50),
        "start_p99_ms": pct(start_lat, 99),
        "events_per_s": n * m / event_s,
        "event_p50_ms": pct(event_lat, 50),
        "event_p99_ms": pct(event_lat, 99),
        "event_s": event_s,
        "drain_ms": drain_s * 1000,
        "server_cpu_per_start_ms": (cpu1 - cpu0) / n * 1000,
        "server_cpu_per_event_ms": (cpu2 - cpu1) / (n * m) * 1000,
        "client_cpu_per_event_ms": (own2 - own1) / (n * m) * 1000,
        "server_cores_in_events": (cpu2 - cpu1) / event_s,
        "rss_before_mb": rss0 / 2**20,
        "rss_after_starts_mb": rss1 / 2**20,
        "rss_after_events_mb": rss2 / 2**20,
        "rss_per_session_kb": (rss1 - rss0) / n / 1024,
        "resident": (health.get("sessions") or {}).get("resident"),
        "server_log": served.log_counts(),
    }


async def wait_evicted(client: Client, timeout: float) -> tuple[int | None, float]:
    """Poll /ors/health until no session is resident: (resident at the end, seconds waited)."""
    t0 = time.perf_counter()
    resident = None
    while time.perf_counter() - t0 < timeout:
        resident = ((await client.health()).get("sessions") or {}).get("resident")
        if resident == 0:
            break
        await asyncio.sleep(0.1)
    return resident, time.perf_counter() - t0


async def eviction_run(served: Served, n: int, concurrency: int, idle_evict_s: float) -> dict:
    """Two waves of N sessions (started, one event each, checked), each wave left idle until
    evicted; the server's RSS before each wave, with it resident, and once it is evicted."""
    timeout = 4 * idle_evict_s + 10
    out: dict = {"idle_evict_s": idle_evict_s, "sessions": n}
    async with Client(served.url, concurrency) as client:
        sid = await client.start("counter.scxml")  # warm up
        await client.call("POST", f"/scxml/session/{sid}/event/tick.a", {"k": "0"})
        await client.verify([sid], 1)
        out["persistent"] = bool((await client.query(sid) or {}).get("persistent"))
        rss = [served.rss()]
        waves = []
        for _ in range(2):
            _, _, sids = await client.starts("counter.scxml", n)
            await client.events(sids, 1)
            await client.verify(sids, 1)
            resident_now = ((await client.health()).get("sessions") or {}).get("resident")
            rss.append(served.rss())
            resident, waited = await wait_evicted(client, timeout)
            rss.append(served.rss())
            waves.append({"sids": sids, "resident_before_wait": resident_now, "resident_after_wait": resident, "waited_s": waited})
        # an evicted session comes back with its data, and takes events again
        back = waves[0]["sids"][0]
        await client.call("POST", f"/scxml/session/{back}/event/tick.b", {"k": "1"})
        await client.verify([back], 2, timeout=10)
        client.check("bringing an evicted session back")
        out["restored_ok"] = True
    r0, r1, r2, r3, r4 = rss
    out.update(
        evicted=all(w["resident_after_wait"] == 0 for w in waves),
        resident_after_wait=[w["resident_after_wait"] for w in waves],
        resident_before_wait=[w["resident_before_wait"] for w in waves],
        waited_s=[w["waited_s"] for w in waves],
        rss_mb=[r / 2**20 for r in rss],
        resident_kb=[(r1 - r0) / n / 1024, (r3 - r2) / n / 1024],
        evicted_kb=[(r2 - r0) / n / 1024, (r4 - r2) / n / 1024],
        server_log=served.log_counts(),
    )
    return out


# -- the runs ---------------------------------------------------------------------------------------


def run_config(label: str, charts: Path, n: int, m: int, concurrency: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="scxmlc-bench-serve-") as tmp:
        folder = Path(tmp)
        if label == BASELINE_LABEL:
            served = serve_baseline(folder)
        else:
            _, store, sync = next(c for c in CONFIGS if c[0] == label)
            served = serve_ours(folder, charts, store, sync)
        try:
            result = asyncio.run(one_run(served, n, m, concurrency))
        except BenchError as exc:
            raise BenchError(f"{label}: {exc}\n  server stderr (tail):\n{textwrap.indent(served.stderr_tail(), '    ')}") from None
        finally:
            served.stop()
    if label != BASELINE_LABEL and not result["persistent"]:
        raise BenchError(f"{label}: the sessions are not persistent (query says persistent: false): the store is not in the path")
    return result


def run_eviction(label: str, charts: Path, n: int, concurrency: int, idle_evict_s: float) -> dict:
    _, store, sync = next(c for c in CONFIGS if c[0] == label)
    with tempfile.TemporaryDirectory(prefix="scxmlc-bench-serve-") as tmp:
        served = serve_ours(Path(tmp), charts, store, sync, idle_evict_s=idle_evict_s)
        try:
            return asyncio.run(eviction_run(served, n, concurrency, idle_evict_s))
        except BenchError as exc:
            raise BenchError(f"{label} (eviction): {exc}\n  server stderr (tail):\n{textwrap.indent(served.stderr_tail(), '    ')}") from None
        finally:
            served.stop()


MEDIAN_KEYS = ("starts_per_s", "start_p50_ms", "start_p99_ms", "events_per_s", "event_p50_ms", "event_p99_ms", "drain_ms",
               "server_cpu_per_start_ms", "server_cpu_per_event_ms", "client_cpu_per_event_ms", "server_cores_in_events",
               "rss_before_mb", "rss_per_session_kb", "rss_after_events_mb")  # fmt: skip


def medians(runs: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in runs) for k in MEDIAN_KEYS}


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def table(args, results: dict, evictions: dict) -> str:
    labels = [label for label in [c[0] for c in CONFIGS] + [BASELINE_LABEL] if label in results]
    meds = {label: medians(results[label]) for label in labels}
    lines = [
        f"scxmlc serve: {args.sessions} sessions x {args.events} events = {args.sessions * args.events} event POSTs per run, "
        f"{args.concurrency} concurrent clients; medians of {args.rounds} round(s); a baseline run after each of ours",
        "",
        f"{'configuration':<14} {'starts/s':>8} {'start p50/p99 ms':>17} {'events/s':>9} {'event p50/p99 ms':>17} {'drain ms':>8} {'vs bare':>7}  target",
    ]
    for label in labels:
        md = meds[label]
        target = TARGETS.get(label)
        verdict = "" if target is None else f"{target:,} ev/s: {'met' if md['events_per_s'] >= target else 'MISSED'}"
        ratios = [r["vs_bare"] for r in results[label] if r.get("vs_bare")]
        ratio = f"{statistics.median(ratios):6.2f}x" if ratios else ("  1.00x" if label == BASELINE_LABEL else "      -")
        lines.append(
            f"{label:<14} {md['starts_per_s']:>8,.0f} {md['start_p50_ms']:>8.1f}/{md['start_p99_ms']:<8.1f} {md['events_per_s']:>9,.0f} "
            f"{md['event_p50_ms']:>8.1f}/{md['event_p99_ms']:<8.1f} {md['drain_ms']:>8.1f} {ratio:>7}  {verdict}"
        )
    lines += [
        "",
        f"{'configuration':<14} {'server CPU ms':>13} {'server CPU ms':>13} {'server cores':>12} {'client CPU ms':>13} "
        f"{'RSS idle':>9} {'RSS per':>8} {'RSS after':>9}",
        f"{'':<14} {'per start':>13} {'per event':>13} {'in events':>12} {'per event':>13} {'MB':>9} {'session':>8} {'events MB':>9}",
    ]
    for label in labels:
        md = meds[label]
        lines.append(
            f"{label:<14} {md['server_cpu_per_start_ms']:>13.2f} {md['server_cpu_per_event_ms']:>13.2f} {md['server_cores_in_events']:>12.2f} "
            f"{md['client_cpu_per_event_ms']:>13.2f} {md['rss_before_mb']:>9.1f} {md['rss_per_session_kb']:>5.1f} KB {md['rss_after_events_mb']:>9.1f}"
        )
    lines += [
        "  events/s: to the last 200 answer; drain: from then until every session showed all its events processed;",
        "  vs bare: events/s over those of the baseline run right after; CPU: /proc/<pid>/stat of the server (all its",
        "  threads) and this process's (the client); RSS idle: after one warm-up session; RSS per session: growth over the starts",
        "  events/s per run: " + "; ".join(f"{label} " + ", ".join(f"{r['events_per_s']:,.0f}" for r in results[label]) for label in labels),
    ]
    for label in labels:
        logged: dict[str, int] = {}
        for r in results[label]:
            for k, v in r["server_log"].items():
                logged[k] = logged.get(k, 0) + v
        if logged:
            lines.append(f"  {label}: the server logged {', '.join(f'{v} {k}' for k, v in sorted(logged.items()))} line(s)")
    if evictions:
        lines.append(f"memory per session, RSS of the server (idle_evict_s = {args.idle_evict:g}; {args.mem_sessions} sessions per wave, 2 waves):")
        for label, ev in evictions.items():
            if "error" in ev:
                lines.append(f"  {label:<14} FAILED: {ev['error']}")
                continue
            how = ("evicted: yes" if ev["evicted"] else
                   f"NOT all evicted: {ev['resident_after_wait']} still resident after {max(ev['waited_s']):.1f} s")  # fmt: skip
            lines.append(
                f"  {label:<14} resident {ev['resident_kb'][0]:6.1f} / {ev['resident_kb'][1]:6.1f} KB   "
                f"kept after eviction {ev['evicted_kb'][0]:6.1f} / {ev['evicted_kb'][1]:6.1f} KB   "
                f"({how}, after {', '.join(f'{w:.1f}' for w in ev['waited_s'])} s; brought back: {'ok' if ev.get('restored_ok') else 'NO'})"
            )
            if not ev["persistent"]:
                lines.append(f"  {'':<14} (the sessions were not persistent: they cannot be evicted)")
            if any(r is not None and r < ev["sessions"] for r in ev["resident_before_wait"]):
                lines.append(f"  {'':<14} (resident when the RSS was read: {ev['resident_before_wait']}: some had gone already)")
        lines.append("  (first / second wave, per session: resident = RSS growth over the wave's starts and events; kept after")
        lines.append("   eviction = RSS growth over the wave once it was evicted:")
        lines.append("   Python seldom gives freed memory back to the system, so a first wave's RSS stays; a second wave that")
        lines.append("   grows as much again did not reuse it, i.e. the evicted sessions were not freed yet, or are still held;")
        lines.append("   with the memory store an evicted session's snapshot stays in the server process by design)")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=200, help="sessions started per run (N)")
    ap.add_argument("--events", type=int, default=20, help="events posted to each session (M)")
    ap.add_argument("--concurrency", type=int, default=50, help="client connections at once")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of (each configuration, then the baseline)")
    ap.add_argument("--mem-sessions", type=int, default=None, help="sessions per eviction wave (default 1000; --quick: --sessions)")
    ap.add_argument("--idle-evict", type=float, default=2.0, help="idle_evict_s of the eviction runs")
    ap.add_argument("--no-evict", action="store_true", help="leave out the eviction runs")
    ap.add_argument("--quick", action="store_true", help="small numbers, one round: a smoke run")
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of the table")
    ap.add_argument("--redis", action="store_true", help="measure the Redis store with 1..3 hosts instead (see above)")
    ap.add_argument("--hosts", default="1,2,3", help="with --redis: the numbers of hosts to run (default 1,2,3)")
    ap.add_argument("--routing", choices=("any", "sticky"), default="any", help="with --redis: events to any host, or to the owner")
    ap.add_argument("--redis-url", help="with --redis: an existing Redis (its data is not removed) instead of one of our own")
    args = ap.parse_args(argv)
    try:
        args.hosts = [int(x) for x in args.hosts.split(",") if x.strip()]
    except ValueError:
        ap.error("--hosts must be numbers separated by commas, e.g. 1,2,3")
    if not args.hosts or min(args.hosts) < 1:
        ap.error("--hosts must be numbers of at least 1")
    if args.quick:
        args.sessions, args.events, args.concurrency, args.rounds = 30, 5, 10, 1
        args.idle_evict = 0.3
    if args.mem_sessions is None:
        args.mem_sessions = args.sessions if args.quick else 1000
    if min(args.sessions, args.events, args.concurrency, args.rounds, args.mem_sessions) < 1:
        ap.error("--sessions, --events, --concurrency, --rounds and --mem-sessions must be at least 1")

    if args.redis:
        t_all = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="scxmlc-bench-serve-charts-") as tmp:
            charts = Path(tmp)
            (charts / "counter.scxml").write_text(CHART, encoding="utf-8")
            try:
                redis_results, failures = redis_main(args, charts)
            except BenchError as exc:
                redis_results, failures = {}, [str(exc)]
        if args.json:
            print(json.dumps({"parameters": {k: getattr(args, k) for k in ("sessions", "events", "concurrency", "rounds", "hosts", "routing")},
                              "cpus": os.cpu_count(), "runs": redis_results, "failures": failures, "seconds": time.perf_counter() - t_all}, indent=2))  # fmt: skip
        else:
            if redis_results:
                print(redis_table(args, redis_results))
            for f in failures:
                print(f"FAILED: {f}")
            print(f"({time.perf_counter() - t_all:.1f} s in all, {os.cpu_count()} CPUs)")
        return 1 if failures else 0

    results: dict[str, list[dict]] = {}
    evictions: dict[str, dict] = {}
    failures: list[str] = []
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="scxmlc-bench-serve-charts-") as tmp:
        charts = Path(tmp)
        (charts / "counter.scxml").write_text(CHART, encoding="utf-8")
        for rnd in range(args.rounds):
            for label, _, _ in CONFIGS:
                pair: list[dict | None] = []
                for which in (label, BASELINE_LABEL):
                    try:
                        r = run_config(which, charts, args.sessions, args.events, args.concurrency)
                    except BenchError as exc:
                        failures.append(str(exc))
                        progress(f"round {rnd + 1}: {which}: FAILED: {exc}")
                        pair.append(None)
                        continue
                    pair.append(r)
                    results.setdefault(which, []).append(r)
                    progress(f"round {rnd + 1}: {which:<14} {r['starts_per_s']:7,.0f} starts/s {r['events_per_s']:7,.0f} events/s "
                             f"p50 {r['event_p50_ms']:5.1f} ms p99 {r['event_p99_ms']:6.1f} ms drain {r['drain_ms']:6.1f} ms "
                             f"server {r['server_cpu_per_event_ms']:.2f} ms CPU/event")  # fmt: skip
                if pair[0] is not None and pair[1] is not None:
                    pair[0]["vs_bare"] = pair[0]["events_per_s"] / pair[1]["events_per_s"]
        if not args.no_evict:
            for label, _, _ in CONFIGS:
                try:
                    evictions[label] = run_eviction(label, charts, args.mem_sessions, args.concurrency, args.idle_evict)
                    progress(f"eviction: {label}: done")
                except BenchError as exc:
                    failures.append(str(exc))
                    evictions[label] = {"error": str(exc).splitlines()[0]}
                    progress(f"eviction: {label}: FAILED: {exc}")
    took = time.perf_counter() - t_all
    if args.json:
        out = {
            "parameters": {k: getattr(args, k) for k in ("sessions", "events", "concurrency", "rounds", "mem_sessions", "idle_evict", "quick")},
            "cpus": os.cpu_count(),
            "runs": results,
            "medians": {label: medians(runs) for label, runs in results.items()},
            "targets_events_per_s": TARGETS,
            "eviction": {label: {k: v for k, v in ev.items() if k != "sids"} for label, ev in evictions.items()},
            "failures": failures,
            "seconds": took,
        }
        print(json.dumps(out, indent=2))
    else:
        if results or evictions:
            print(table(args, results, evictions))
        for f in failures:
            print(f"FAILED: {f}")
        print(f"({took:.1f} s in all, {os.cpu_count()} CPUs)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
