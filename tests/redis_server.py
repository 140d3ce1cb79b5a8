"""Real `redis-server` processes on loopback for the tests: one server, or a three-node Redis Cluster, started in a temporary folder and killed at teardown."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

REQUIRE = "SCXMLC_REQUIRE_REDIS"
MISSING = "redis-server not installed (apt-get install redis-server); set SCXMLC_REQUIRE_REDIS=1 to make this a failure"


def require_redis() -> str:
    """The redis-server executable, or skip the test (fail it when SCXMLC_REQUIRE_REDIS=1)."""
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get(REQUIRE) == "1":
            pytest.fail("SCXMLC_REQUIRE_REDIS=1 but redis-server is not on PATH: the Redis store's tests cannot run (apt-get install redis-server)", pytrace=False)
        pytest.skip(MISSING)
    try:
        import redis  # noqa: F401
    except ImportError:
        message = "the redis package (redis-py) is not installed: pip install -e '.[test]'"
        if os.environ.get(REQUIRE) == "1":
            pytest.fail(f"SCXMLC_REQUIRE_REDIS=1 but {message}", pytrace=False)
        pytest.skip(message)
    return exe


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(bus: bool = False) -> int:
    """A free loopback port; with `bus`, port + 10000 (a cluster node's bus) is free too."""
    rng = random.Random()
    for _ in range(1000):
        port = rng.randrange(20000, 50000)
        if _port_free(port) and (not bus or _port_free(port + 10000)):
            return port
    raise RuntimeError("no free loopback port found")


def _ask(port: int, command: bytes, timeout: float = 1.0) -> bytes:
    """One inline command to a server, its first reply bytes ('' when it does not answer)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(command + b"\r\n")
            return s.recv(65536)
    except OSError:
        return b""


class RedisServer:
    """One redis-server on 127.0.0.1:`port` with its data in `folder`: AOF with appendfsync
    always, no RDB snapshots. `options` add to or replace the command line's (`{"appendfsync":
    "everysec"}`). It can be killed and started again on the same folder."""

    def __init__(self, folder: Path, port: int | None = None, **options: str) -> None:
        self.exe = require_redis()
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port(bus=options.get("cluster_enabled") == "yes")
        self.options = {"bind": "127.0.0.1", "save": "", "appendonly": "yes", "appendfsync": "always", "dir": str(self.folder)}
        self.options.update({k.replace("_", "-"): v for k, v in options.items()})
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log(self) -> Path:
        return self.folder / "redis.log"

    def start(self, timeout: float = 30.0) -> RedisServer:
        cmd = [self.exe, "--port", str(self.port)]
        for name, value in self.options.items():
            cmd += [f"--{name}", value]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=self.folder, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"redis-server exited {self.proc.returncode} on port {self.port}:\n{self.tail()}", pytrace=False)
            if _ask(self.port, b"PING").startswith(b"+PONG"):
                return self
            time.sleep(0.05)
        self.kill()
        pytest.fail(f"redis-server on port {self.port} did not answer PING within {timeout} s:\n{self.tail()}", pytrace=False)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop it with `sig` (SIGKILL by default: a crash) and wait for the process to go."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port)


class RedisCluster:
    """Three redis-server nodes with --cluster-enabled yes, joined by `redis-cli --cluster
    create` (no replicas), ready when every node says cluster_state:ok."""

    def __init__(self, folder: Path, nodes: int = 3) -> None:
        options = dict(cluster_enabled="yes", cluster_config_file="nodes.conf", cluster_node_timeout="5000")
        self.nodes = [RedisServer(Path(folder) / f"node{i}", **options) for i in range(nodes)]

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def start(self, timeout: float = 60.0) -> RedisCluster:
        cli = shutil.which("redis-cli")
        if cli is None:
            pytest.fail("redis-cli is not on PATH (it comes with redis-server: apt-get install redis-server)", pytrace=False)
        for node in self.nodes:
            node.start()
        addresses = [f"127.0.0.1:{n.port}" for n in self.nodes]
        create = [cli, "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"]
        done = subprocess.run(create, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            self.stop()
            pytest.fail(f"redis-cli --cluster create failed ({done.returncode}):\n{done.stdout}\n{done.stderr}", pytrace=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(b"cluster_state:ok" in _ask(n.port, b"CLUSTER INFO") for n in self.nodes):
                return self
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"the Redis Cluster on {', '.join(addresses)} did not reach cluster_state:ok within {timeout} s", pytrace=False)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def flushall(self) -> None:
        for node in self.nodes:
            node.client().flushall()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One redis-server for the whole test session (tests keep apart by cluster name)."""
    require_redis()
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    """One three-node Redis Cluster for the whole test session."""
    require_redis()
    cluster = RedisCluster(tmp_path_factory.mktemp("redis-cluster")).start()
    yield cluster
    cluster.stop()


def unique_cluster() -> str:
    """A cluster name (key prefix) no other test uses: a fresh, empty store."""
    return f"t{uuid.uuid4().hex[:12]}"
