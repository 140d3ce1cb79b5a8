"""The session server's settings (ors-server.md §9.12): defaults, validation, and a TOML or JSON settings file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting with a wrong name or value; the message names it."""


# --cluster given for a store that is not Redis (scxmlc serve, scxmlc sessions)
CLUSTER_WITHOUT_REDIS = "--cluster names the keys of a Redis store: use it with --store redis://HOST:PORT/DB"


def store_option(value: str) -> dict:
    """The settings a `--store` option stands for (scxmlc serve, scxmlc sessions): `memory`, a
    Redis URL (redis://, rediss://, unix://, redis+cluster://...) or an SQLite file."""
    import re

    from ..store.redis import URL_SCHEMES  # (light: redis itself loads with a RedisStore)

    if value == "memory":
        return {"store": "memory"}
    url = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*)://", value)
    if url is None:
        return {"store": "sqlite", "store_path": value}
    if url.group(1).lower() not in URL_SCHEMES:
        raise SettingsError(f"--store {url.group(1)}://...: not a store (expected PATH.db, memory, or a Redis URL: {', '.join(s + '://' for s in URL_SCHEMES)})")
    return {"store": "redis", "redis_url": value}


_PATH_PREFIX = re.compile(r"^(/(?!\.+(?:/|$))[A-Za-z0-9._~-]+)+$")  # (no "." or ".." segment)

@dataclass
class ServerSettings:
    # where it listens and what it serves
    host: str = "127.0.0.1"
    port: int = 8080
    path_prefix: str = ""  # every route below it ("/ors2": /ors2/scxml/session/start), §1.2
    roots: list[str] = field(default_factory=lambda: ["."])
    module_dirs: list[str] = field(default_factory=list)  # build outputs (scxmlc compile SRC -o DIR)
    # durable sessions (§9)
    store: str = "sqlite"  # "sqlite", "memory" or "redis"
    store_path: str = "scxmlc-sessions.db"
    redis_url: str | None = None  # store "redis": redis://HOST:PORT/DB, rediss://..., unix://..., redis+cluster://HOST:PORT
    cluster: str = "default"  # store "redis": the key prefix scxmlc:<cluster>: (several deployments, one Redis)
    session_max_idle_s: float = 2_592_000.0  # store "redis": expiry of an untouched session's keys (§9.10)
    # store "redis": several hosts on one Redis (§9.10; docs/ors.md, Several hosts)
    route_mode: str = "redirect"  # redirect | proxy: a request/query/terminate for a session another host owns
    external_url: str | None = None  # where the other hosts send clients to this one (default: the URL it listens on)
    host_id: str | None = None  # this host's name in the store (default: from external_url, HOST:PORT)
    heartbeat_s: float = 2.0  # how often this host says it is alive
    host_lease_s: float = 10.0  # a host silent that long is dead: the others claim its sessions
    sqlite_synchronous: str = "FULL"
    group_commit_ms: float = 2.0
    persist_mode: str = "document"  # document | always | never (§9.2)
    commit_policy: str = "every"  # every | idle (§9.4)
    commit_max_events: int = 32
    commit_max_delay_ms: float = 50.0
    idle_evict_s: float = 300.0
    restore: str = "lazy"  # lazy | eager (§9.7)
    tombstone_ttl_s: float = 3600.0
    drop_orphan_requests: bool = False
    # the REST API (§1-§7)
    token_file: str | None = None
    max_body_bytes: int = 1_048_576
    request_timeout_s: float = 30.0
    body_timeout_s: float = 30.0  # a request body not in whole by then: 408 (app.whole_body)
    idle_timeout_s: float = 75.0  # a connection without a whole request for this long is closed
    terminate_wait_s: float = 5.0
    start_answer: str = "json"  # json | text (§1.10)
    request_answer: str = "flat"  # flat | envelope
    negative_status: int = 400
    allow_platform_event_names: bool = False
    query_enabled: bool = True
    query_hidden_items: list[str] = field(default_factory=list)
    list_enabled: bool = False
    cookie_name: str = "ORSSESSIONID"
    max_sessions: int = 100_000  # resident sessions at most: a start beyond is 503
    max_session_bytes: int = 256 << 20  # data one session keeps at most (Limits.session_memory; server/memory.py)
    # the interaction bridge (docs/ors.md, "The interaction bridge")
    interaction_url: str | None = None
    interaction_token_file: str | None = None  # a bearer token the bridge sends to the platform
    interaction_timeout_s: float = 10.0
    log_level: str = "INFO"

    _CHOICES = {
        "store": ("sqlite", "memory", "redis"),
        "route_mode": ("redirect", "proxy"),
        "sqlite_synchronous": ("FULL", "NORMAL"),
        "persist_mode": ("document", "always", "never"),
        "commit_policy": ("every", "idle"),
        "restore": ("lazy", "eager"),
        "start_answer": ("json", "text"),
        "request_answer": ("flat", "envelope"),
        "log_level": ("DEBUG", "INFO", "WARNING", "ERROR"),
    }

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        for f in fields(self):
            if f.name.startswith("_"):
                continue
            value = getattr(self, f.name)
            choices = self._CHOICES.get(f.name)
            if choices is not None and value not in choices:
                raise SettingsError(f"{f.name} must be one of {', '.join(choices)}, not {value!r}")
        if not (0 <= self.port <= 65535):
            raise SettingsError(f"port must be 0-65535, not {self.port}")
        if self.path_prefix and not _PATH_PREFIX.match(self.path_prefix):
            raise SettingsError(f"path_prefix must be empty or a path such as /ors2 (letters, digits, '-', '_', '.', '~' between slashes; no slash at the end), not {self.path_prefix!r}")
        for name in ("max_body_bytes", "commit_max_events", "max_sessions", "max_session_bytes"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be at least 1")
        for name in ("request_timeout_s", "terminate_wait_s", "tombstone_ttl_s", "idle_evict_s", "group_commit_ms", "commit_max_delay_ms"):
            if getattr(self, name) < 0:
                raise SettingsError(f"{name} must not be negative")
        if not (200 <= self.negative_status <= 499):
            raise SettingsError(f"negative_status must be a 2xx or 4xx status, not {self.negative_status}")
        if not self.roots:
            raise SettingsError("roots: at least one folder to serve documents from")
        if self.interaction_url is not None and not self.interaction_url.lower().startswith(("http://", "https://")):
            raise SettingsError(f"interaction_url must be an http or https URL, not {self.interaction_url!r}")
        for name in ("interaction_timeout_s", "body_timeout_s", "idle_timeout_s"):
            if not getattr(self, name) > 0:
                raise SettingsError(f"{name} must be more than 0")
        self._validate_redis()

    def _validate_redis(self) -> None:
        from ..store.redis import check_cluster_name, parse_url  # (light: redis itself loads with a RedisStore)

        try:
            check_cluster_name(self.cluster)
        except ValueError as exc:
            raise SettingsError(f"cluster: {exc}") from None
        if not self.session_max_idle_s > 0:
            raise SettingsError("session_max_idle_s must be more than 0")
        if self.store == "redis" and not self.redis_url:
            raise SettingsError("store = redis needs redis_url (redis://HOST:PORT/DB, or redis+cluster://HOST:PORT for a Redis Cluster)")
        if self.redis_url is not None:
            try:
                parse_url(self.redis_url)
            except ValueError as exc:
                raise SettingsError(f"redis_url: {exc}") from None
        if not self.heartbeat_s > 0:
            raise SettingsError(f"heartbeat_s must be more than 0, not {self.heartbeat_s}")
        if not self.host_lease_s >= 2 * self.heartbeat_s:
            raise SettingsError(
                f"host_lease_s ({self.host_lease_s:g}) must be at least twice heartbeat_s ({self.heartbeat_s:g}): "
                "a host would be taken for dead between two of its heartbeats"
            )
        if self.external_url is not None:
            from urllib.parse import urlsplit

            try:
                parts = urlsplit(self.external_url)
                parts.port  # noqa: B018 - raises on a bad port
            except ValueError:
                parts = None
            if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
                raise SettingsError(f"external_url must be an http or https URL (http://HOST:PORT, an optional path), not {self.external_url!r}")
        if self.host_id is not None:
            from ..store.redis import check_host_id

            try:
                check_host_id(self.host_id)
            except ValueError as exc:
                raise SettingsError(f"host_id: {exc}") from None

    def describe_store(self) -> str:
        """The store in a few words, for logs (a Redis URL without its password)."""
        if self.store == "memory":
            return "memory"
        if self.store == "redis":
            from ..store.redis import safe_url

            return f"{safe_url(self.redis_url)}, cluster {self.cluster}"
        return self.store_path

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls) if not f.name.startswith("_")]

    @classmethod
    def from_mapping(cls, data: dict[str, Any], base: "ServerSettings | None" = None) -> "ServerSettings":
        """Settings from a mapping (a settings file's table), over `base`."""
        known = {f.name: f for f in fields(cls) if not f.name.startswith("_")}
        values = {name: getattr(base, name) for name in known} if base is not None else {}
        for key, value in data.items():
            key = key.replace("-", "_")
            if key not in known:
                raise SettingsError(f"unknown setting {key!r}")
            values[key] = _coerce(key, known[key], value)
        return cls(**values)

    @classmethod
    def load(cls, path: str | Path, base: "ServerSettings | None" = None) -> "ServerSettings":
        """Settings from a TOML or JSON file (a `[server]` table, or the top level)."""
        from ..documents import read_limited

        path = Path(path)
        try:
            text = read_limited(path, 1024 * 1024).decode("utf-8")
        except OSError as exc:
            raise SettingsError(f"cannot read {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise SettingsError(f"cannot read {path}: not UTF-8 text") from None
        try:
            if path.suffix.lower() == ".json":
                data = json.loads(text)
            else:
                import tomllib

                data = tomllib.loads(text)
        except ValueError as exc:
            raise SettingsError(f"{path}: {exc}") from None
        if not isinstance(data, dict):
            raise SettingsError(f"{path}: expected a table of settings")
        data = data.get("server", data)
        return cls.from_mapping(data, base)


def _coerce(name: str, f, value: Any) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    if kind.startswith("int") and not isinstance(value, bool) and isinstance(value, int):
        return value
    if kind.startswith("float") and not isinstance(value, bool) and isinstance(value, (int, float)):
        return float(value)
    if kind.startswith("bool") and isinstance(value, bool):
        return value
    if kind.startswith("str") and (isinstance(value, str) or (value is None and "None" in kind)):
        return value
    if kind.startswith("list") and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise SettingsError(f"{name} has the wrong type ({type(value).__name__}; expected {kind})")


__all__ = ["ServerSettings", "SettingsError"]
