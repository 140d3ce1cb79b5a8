"""Command line: `scxmlc compile | check | diagram | run | serve | sessions | simulate`, diagnostics as `path:line: severity: message`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from pathlib import Path

from scxmlc_runtime.documents import module_name_for  # (shared with scxmlc serve --modules)

from . import __version__
from .api import compile_path, load_source
from .diagnostics import CompileError, Diagnostic, Location

EXIT_OK = 0
EXIT_ERRORS = 1  # the input has errors
EXIT_USAGE = 2
EXIT_NOT_FINISHED = 3  # `run`: the machine did not reach a top-level final state
EXIT_INTERNAL = 70  # a bug in scxmlc itself (EX_SOFTWARE)
EXIT_BROKEN_PIPE = 141  # the reader of stdout went away (`| head`): as a shell reports SIGPIPE


def _print_diags(diags: list[Diagnostic]) -> None:
    for d in diags:
        print(d, file=sys.stderr)


def _options(args) -> dict:
    options = {"allow_fetch": args.allow_fetch, "dialect": args.dialect, "include_roots": [Path(r) for r in args.include_root]}
    if args.no_speculate:
        options["speculate"] = False
    return options


def _compile_one(src: Path, out: Path | None, options: dict) -> bool:
    try:
        result = compile_path(src, **options)
    except CompileError as exc:
        _print_diags(exc.diagnostics)
        return False
    _print_diags(result.warnings)
    if out is None:
        sys.stdout.write(result.source)
        return True
    return _write(out, result.source.encode("utf-8"), "module")


def _write(out: Path, data: bytes, what: str) -> bool:
    """Write `data` to `out` through a temporary file, so that a half-written file is never
    left behind; a failure is reported as `out: error: ...`."""
    tmp = out.with_name(out.name + ".tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, out)
    except OSError as exc:
        print(f"{out}: error: cannot write the {what}: {exc.strerror or exc}", file=sys.stderr)
        try:
            tmp.unlink()
        except OSError:
            pass
        return False
    return True


def cmd_compile(args) -> int:
    from .build import build_dir, watch

    src = Path(args.input)
    out = Path(args.output) if args.output else None
    if src.is_dir():
        if out is None:
            print(f"{src}: error: compiling a directory needs -o OUT_DIR", file=sys.stderr)
            return EXIT_USAGE

        def rebuild() -> bool:
            # a build step by content (scxmlc/build.py): only charts whose digest changed
            return build_dir(src, out, _options(args), lambda chart, target: _compile_one(chart, target, _options(args)), force=args.force, prune=args.prune)

    else:
        if not src.exists():
            print(f"{src}: error: no such file", file=sys.stderr)
            return EXIT_ERRORS
        if args.prune:
            print(f"{src}: error: --prune is for a directory of charts", file=sys.stderr)
            return EXIT_USAGE

        def rebuild() -> bool:
            return _compile_one(src, out, _options(args))

    if args.watch:
        if out is None:
            print(f"{src}: error: --watch needs -o (the module is written on every change)", file=sys.stderr)
            return EXIT_USAGE
        return watch([src if src.is_dir() else src.parent], rebuild, output=out)
    return EXIT_OK if rebuild() else EXIT_ERRORS


def cmd_check(args) -> int:
    ok = True
    for name in args.inputs:
        try:
            result = compile_path(name, **_options(args), format=False)  # (nothing is written)
        except CompileError as exc:
            _print_diags([d for d in exc.diagnostics if args.verbose or d.severity != "info"])
            ok = False
            continue
        shown = [d for d in result.diagnostics if d.severity == "warning" or (args.verbose and d.severity == "info")]
        if args.verbose and result.mode:
            shown.insert(0, Diagnostic("info", Location(name, 1), result.mode))  # (which dialect, and why)
        if args.strict:
            shown = [Diagnostic("error", d.location, d.message) if d.severity == "warning" else d for d in shown]
            ok = ok and not result.warnings
        _print_diags(shown)
    return EXIT_OK if ok else EXIT_ERRORS


def cmd_diagram(args) -> int:
    from .diagrams import SUFFIXES, DiagramError, load_chart, render

    out = Path(args.output) if args.output else None
    fmt = args.format or (SUFFIXES.get(out.suffix.lower(), "dot") if out is not None else "dot")
    if fmt == "png" and out is None and sys.stdout.isatty():
        print("scxmlc diagram: error: a PNG is not written to a terminal: use -o FILE.png (or redirect the output)", file=sys.stderr)
        return EXIT_USAGE
    try:
        chart, found = load_chart(Path(args.input), dialect=args.dialect, include_roots=[Path(r) for r in args.include_root], allow_fetch=args.allow_fetch)
    except CompileError as exc:
        _print_diags([d for d in exc.diagnostics if d.severity != "info"])
        return EXIT_ERRORS
    _print_diags(found)
    try:
        result = render(chart, fmt, args.active or None)
    except DiagramError as exc:
        print(f"scxmlc diagram: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    data = result.encode("utf-8") if isinstance(result, str) else result
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return EXIT_OK
    return EXIT_OK if _write(out, data, "diagram") else EXIT_ERRORS


def _parse_event(text: str):
    from scxmlc_runtime.events import valid_event_name

    name, sep, payload = text.partition("=")
    if not name:
        raise ValueError(f"bad --event {text!r}: expected NAME or NAME=JSON")
    if not valid_event_name(name):  # (no transition could take it: SCXML 3.12.1)
        raise ValueError(f"bad --event {text!r}: {name!r} is not an event name (tokens separated by dots, no spaces, no '*')")
    if not sep:
        return name, None
    try:
        return name, json.loads(payload)
    except json.JSONDecodeError as exc:
        raise ValueError(f"bad --event {text[:200]!r}: the data is not JSON ({exc.msg})") from None
    except RecursionError:  # (arrays or objects nested thousands deep)
        raise ValueError(f"bad --event {text[:200]!r}: the data is nested too deeply") from None


def _seconds(text: str) -> float:
    """--max-seconds: a finite number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value < float("inf"):  # (false for nan too)
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds, not {text}")
    return value


def _parse_document(text: str) -> tuple[str, str]:
    url, sep, path = text.partition("=")
    if not url or not sep or not path:
        raise ValueError(f"bad --document {text!r}: expected URL=PATH")
    if not Path(path).is_file():
        raise ValueError(f"bad --document {text!r}: no file {path}")
    return url, path


def cmd_run(args) -> int:
    from scxmlc_runtime import Host, RealClock, SimulatedClock

    try:
        events = [_parse_event(e) for e in args.event]
        documents = dict(_parse_document(d) for d in args.document)
    except ValueError as exc:
        print(f"scxmlc run: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    path = Path(args.input)
    try:
        result = compile_path(path, **_options(args), format=False)  # (run in memory: load)
    except CompileError as exc:
        _print_diags([d for d in exc.diagnostics if d.severity != "info"])
        return EXIT_ERRORS
    _print_diags(result.warnings)
    module = load_source(result.source, module_name_for(path), str(path))
    module.Chart.base_dir = str(path.resolve().parent)
    # Several sessions (started by <session:start>): each log line names its session.
    several = bool(documents) or "session:start" in module.Chart.actions

    def log(sessionid, label, text):
        line = f"{label}: {text}" if label else text
        print(f"[{sessionid}] {line}" if several else line, flush=True)

    def trace(record):
        print(record, flush=True)

    runtime_log = logging.getLogger("scxmlc_runtime")
    if args.quiet:
        # (a handler that drops them: with none at all, logging's last resort would print them)
        handler: logging.Handler = logging.NullHandler()
    else:
        # Show the runtime's error events (error.execution with its SCXML line) on stderr.
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        runtime_log.setLevel(logging.INFO)
    runtime_log.addHandler(handler)
    services = []
    if args.ors_config:
        from scxmlc_runtime.ors import Genesys

        try:
            services.append(Genesys.load(args.ors_config))
        except (OSError, ValueError, TypeError) as exc:
            print(f"scxmlc run: error: --ors-config {args.ors_config}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    host = Host(
        SimulatedClock() if args.simulated_clock else RealClock(),
        services=services,
        documents=documents,
        document_roots=[Path(r) for r in args.root],
        # with --trace the log lines are in the trace (its "log" records)
        log=(lambda *_: None) if args.trace else log,
        trace=trace if args.trace else None,
    )
    try:
        sm = host.start(module.Chart)
        for name, data in events:
            sm.send(name, data)
        host.run_until_idle(max_seconds=args.max_seconds)
        config = " ".join(sorted(sm.configuration))
        done = sm.done
    finally:
        runtime_log.removeHandler(handler)
        host.close()
    print(f"configuration ({'done' if done else 'running'}): {config}")
    return EXIT_OK if done else EXIT_NOT_FINISHED


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scxmlc", description="Compile SCXML statecharts into Python modules.")
    p.add_argument("--version", action="version", version=f"scxmlc {__version__}")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks of internal errors")
    sub = p.add_subparsers(dest="command", required=True)
    front = argparse.ArgumentParser(add_help=False)  # how a document is read (every command that reads one)
    front.add_argument(
        "--allow-fetch",
        "--allow-remote-includes",
        dest="allow_fetch",
        action="store_true",
        help="fetch the http(s) resources a document names at compile time: <script src> and xi:include pages "
        "(off: a document never makes scxmlc use the network)",
    )
    front.add_argument(
        "--dialect",
        choices=("ors", "w3c"),
        default=None,
        help="the dialect's rules: ORS (Genesys Composer output) or strict W3C (default: ORS for documents that look like ORS)",
    )
    front.add_argument(
        "--include-root",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder the chart's files (<data src>, <script src>, <invoke src>, xi:include) may be read below, besides its own folder; repeatable",
    )
    fetch = argparse.ArgumentParser(add_help=False, parents=[front])  # ... and how it is compiled
    fetch.add_argument(
        "--no-speculate",
        action="store_true",
        help="the reference mode: the exact code only, no fast paths or compiled steps (also the default when SCXMLC_REFERENCE=1)",
    )
    c = sub.add_parser("compile", parents=[fetch], help="compile a chart (or a directory of charts) to Python")
    c.add_argument("input", help="an .scxml file or a directory")
    c.add_argument("-o", "--output", help="output .py file (default: stdout) or directory")
    c.add_argument("--force", action="store_true", help="with a directory: recompile every chart")
    c.add_argument("--prune", action="store_true", help="with a directory: remove the modules this build wrote whose chart is gone")
    c.add_argument("--watch", action="store_true", help="compile, then again on every change (needs -o; Ctrl-C to stop)")
    c.set_defaults(func=cmd_compile)
    k = sub.add_parser("check", parents=[fetch], help="report diagnostics only")
    k.add_argument("inputs", nargs="+")
    k.add_argument("--verbose", action="store_true", help="also report information (e.g. Genesys metadata attributes)")
    k.add_argument("--strict", action="store_true", help="warnings count as errors (exit 1)")
    k.set_defaults(func=cmd_check)
    dg = sub.add_parser("diagram", parents=[front], help="draw a chart (after its includes are merged) as Mermaid, DOT, SVG or PNG (docs/diagrams.md)")
    dg.add_argument("input", help="an .scxml file")
    dg.add_argument("-f", "--format", choices=("mermaid", "dot", "svg", "png"), help="mermaid or dot (text), svg or png (through Graphviz's dot); "
                    "default: as the -o file's suffix says (.mmd .mermaid .dot .gv .svg .png), else dot")  # fmt: skip
    dg.add_argument("-o", "--output", help="output file (default: stdout)")
    dg.add_argument("--active", action="append", metavar="ID,...", help="highlight these states (a configuration); repeatable")
    dg.set_defaults(func=cmd_diagram)
    r = sub.add_parser("run", parents=[fetch], help="compile and run a chart, printing its log and final configuration")
    r.add_argument("input")
    r.add_argument("--event", action="append", default=[], metavar="NAME[=JSON]", help="send an external event")
    r.add_argument("--simulated-clock", action="store_true", help="jump over delays instead of waiting")
    r.add_argument("--max-seconds", type=_seconds, default=60.0, help="how long to let timers run (default 60)")
    r.add_argument("--quiet", action="store_true", help="do not print the runtime's error events on stderr")
    r.add_argument(
        "--document",
        action="append",
        default=[],
        metavar="URL=PATH",
        help="the chart file to run for a document URL (<session:start src>); repeatable",
    )
    r.add_argument(
        "--ors-config",
        metavar="FILE",
        help="ORS environment data (tenant, lists, options, time zones, ...) from a JSON or TOML file (docs/ors.md)",
    )
    r.add_argument(
        "--trace",
        action="store_true",
        help="print every event, transition, state entered and exited, log line, error and request",
    )
    r.add_argument(
        "--root",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder file: URLs may read below, besides the chart's own; repeatable",
    )
    r.set_defaults(func=cmd_run)
    sv = sub.add_parser("serve", help="serve ORS documents over the ORS REST API, sessions kept in a store (docs/ors.md)")
    sv.add_argument("roots", nargs="*", metavar="ROOT", help="folders of documents to serve (default: the current folder)")
    sv.add_argument("--host", help="the address to listen on (default 127.0.0.1: loopback only)")
    sv.add_argument("--port", type=int, help="the port (default 8080; 0: any free port, printed when ready)")
    sv.add_argument("--path-prefix", metavar="/PATH", help="serve every route below this path (/ors2: /ors2/scxml/session/start; default: none)")
    sv.add_argument("--store", metavar="PATH.db|memory|URL", help="the SQLite file sessions are kept in (default scxmlc-sessions.db), memory, "
                    "or a Redis URL: redis://HOST:PORT/DB, rediss://..., unix:///PATH, redis+cluster://HOST:PORT (docs/ors.md, Redis store)")  # fmt: skip
    sv.add_argument("--cluster", metavar="NAME", help="with a Redis store: the name in its keys' prefix scxmlc:NAME: (default: default)")
    hosts = sv.add_argument_group("several hosts on one Redis store (docs/ors.md, Several hosts)")
    hosts.add_argument("--route-mode", choices=("redirect", "proxy"), help="a request, query or terminate for a session another host owns: "
                       "answer 307 to that host (redirect, the default) or forward it there (proxy)")  # fmt: skip
    hosts.add_argument("--external-url", metavar="URL", help="where the other hosts send clients to this one (default: the URL it listens on)")
    hosts.add_argument("--host-id", metavar="NAME", help="this host's name in the store (default: HOST:PORT of its external URL)")
    hosts.add_argument("--heartbeat-s", type=float, metavar="S", help="how often this host says it is alive (default 2)")
    hosts.add_argument("--host-lease-s", type=float, metavar="S", help="a host silent that long is dead and its sessions are claimed (default 10)")
    sv.add_argument("--persist-mode", choices=("document", "always", "never"), help="which sessions are stored (default: as each document's _persist says)")
    sv.add_argument("--token-file", metavar="FILE", help="require Authorization: Bearer <the token in FILE> on every request")
    sv.add_argument("--config", metavar="FILE", help="settings from a TOML or JSON file (docs/ors.md, The session server)")
    sv.add_argument("--log-level", type=str.upper, choices=("DEBUG", "INFO", "WARNING", "ERROR"), help="default INFO")
    sv.add_argument("--document", action="append", default=[], metavar="URL=PATH", help="the chart file for a document URL; repeatable")
    sv.add_argument("--modules", action="append", default=[], metavar="DIR", help="modules of a build step (scxmlc compile ROOT -o DIR), used instead of compiling when up to date; repeatable")
    sv.add_argument("--interaction-url", metavar="URL", help="the interaction bridge: POST ixn: requests as JSON to URL (docs/ors.md, The interaction bridge)")
    sv.set_defaults(func=cmd_serve)
    _sessions_parser(sub)
    sim = sub.add_parser("simulate", help="run an ORS scenario (TOML) offline and check its expectations")
    sim.add_argument("scenario", help="a scenario file (docs/ors.md, Scenarios)")
    sim.add_argument("--quiet", action="store_true", help="print the verdict only, not the trace")
    sim.set_defaults(func=cmd_simulate)
    co = sub.add_parser("completion", help="print a shell completion script (bash, zsh or tcsh): eval \"$(scxmlc completion bash)\"")
    co.add_argument("shell", choices=("bash", "zsh", "tcsh"))
    co.set_defaults(func=cmd_completion)
    return p


# Positional arguments that name files or folders, for shell completion: (command, dest) -> kind
_COMPLETE_PATHS = {("compile", "input"): "file", ("check", "inputs"): "file", ("diagram", "input"): "file", ("run", "input"): "file",
                   ("simulate", "scenario"): "file", ("serve", "roots"): "directory"}  # fmt: skip


def cmd_completion(args) -> int:
    """The completion script of this command line for a shell, made by shtab from the parser
    itself (so it never falls behind the options), with file and folder completion where an
    argument names one."""
    import shtab

    parser = build_parser()
    for action in parser._subparsers._group_actions:  # (argparse keeps the subcommands there)
        for command, sub in action.choices.items():
            for arg in sub._actions:
                kind = _COMPLETE_PATHS.get((command, arg.dest))
                if kind is not None:
                    arg.complete = shtab.FILE if kind == "file" else shtab.DIRECTORY
    print(shtab.complete(parser, shell=args.shell, root_prefix="scxmlc"), end="")
    return EXIT_OK


SESSIONS_EPILOG = """\
exit status:
  0  done (also: resume of a session that is already running, or already forced with --force)
  1  no such session (a tombstone, if kept, says when and why it ended), or a session that is
     not in a state for that (resume of a session that is not orphaned)
  2  bad options or settings, or no usable store: no such file, not a session store, a damaged
     database, a schema newer than this scxmlc
"""


def _sessions_parser(sub) -> None:
    from scxmlc_runtime.store import SESSION_STATUSES

    formatter = argparse.RawDescriptionHelpFormatter
    # --store and --config may come before or after the subcommand
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--store", metavar="PATH.db|URL", default=argparse.SUPPRESS,
                       help="the SQLite file or the Redis URL (redis://HOST:PORT/DB, rediss://..., unix:///PATH, redis+cluster://HOST:PORT) "
                       "of the store (default: as `scxmlc serve` with the same --config would use)")  # fmt: skip
    where.add_argument("--cluster", metavar="NAME", default=argparse.SUPPRESS,
                       help="a Redis store: the cluster name its server runs with (default: the --config's, else default)")  # fmt: skip
    where.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="the server's settings file (TOML or JSON): its store_path")
    ss = sub.add_parser(
        "sessions",
        parents=[where],
        help="list, show, resume or drop the sessions a `scxmlc serve` store keeps",
        description="Operate on the sessions stored by `scxmlc serve` (best while the server is stopped). "
        "The store is --store (an SQLite file or a Redis URL), else the store of --config, else scxmlc-sessions.db; "
        "it is never created.",
        epilog=SESSIONS_EPILOG,
        formatter_class=formatter,
    )
    ss.set_defaults(func=cmd_sessions)  # (not store=/config=: set_defaults would change the shared actions)
    act = ss.add_subparsers(dest="action", required=True, metavar="SUBCOMMAND")
    ls = act.add_parser("list", parents=[where], help="one line per stored session", epilog=SESSIONS_EPILOG, formatter_class=formatter,
                        description="One line per stored session: id, status, version, last update (UTC), inputs waiting in its inbox, "
                        "timers, requests, src. Ended sessions are not stored (only their tombstones). Then, without --status, "
                        "the sessions that start later: id, when (UTC), the session that started it (- for a REST start), src.")  # fmt: skip
    ls.add_argument("--status", choices=SESSION_STATUSES, help="only the sessions with this status")
    ls.add_argument("--json", action="store_true", help='print {"sessions": [...], "count": N, "scheduled": [...]} as JSON')
    sh = act.add_parser("show", parents=[where], help="a stored session: header, snapshot summary, timers, requests, inbox",
                        epilog=SESSIONS_EPILOG, formatter_class=formatter)  # fmt: skip
    sh.add_argument("id", help="the session id")
    sh.add_argument("--json", action="store_true", help="print everything as JSON, with the whole decoded snapshot document")
    rs = act.add_parser(
        "resume",
        parents=[where],
        help="let the server restore an orphaned session again",
        description="An orphaned session (its document changed, or could not be loaded) back to `running`: the server "
        "restores it on its next input, and orphans it again if the document's hash still differs. With --force "
        "its status becomes `forced`: the server restores it with the document as it is now, and its next commit "
        "stores the new document hash (status running again).",
        epilog=SESSIONS_EPILOG,
        formatter_class=formatter,
    )
    rs.add_argument("id", help="the session id")
    rs.add_argument("--force", action="store_true", help="accept the document as it is now, even though it changed")
    dr = act.add_parser("drop", parents=[where], help="remove a stored session, its timers, requests and inbox; leave a tombstone",
                        epilog=SESSIONS_EPILOG, formatter_class=formatter)  # fmt: skip
    dr.add_argument("id", help="the session id")
    dr.add_argument("--reason", default="dropped", help="the tombstone's reason (default: dropped)")


def cmd_sessions(args) -> int:
    from scxmlc_runtime.server import ServerSettings, SettingsError
    from scxmlc_runtime.server import admin
    from scxmlc_runtime.store import StoreError

    def fail(message: str, code: int) -> int:
        print(f"scxmlc: error: {message}", file=sys.stderr)
        return code

    try:
        config, given = getattr(args, "config", None), getattr(args, "store", None)
        settings = ServerSettings.load(config) if config else ServerSettings()
        store = admin.open_store(admin.store_location(settings, given, getattr(args, "cluster", None)))
    except SettingsError as exc:
        return fail(str(exc), admin.EXIT_STORE)
    except admin.AdminError as exc:
        return fail(str(exc), exc.code)
    try:
        if args.action == "list":
            summaries = list(admin.list_sessions(store, args.status))
            scheduled = admin.list_scheduled(store) if args.status is None else []
            if args.json:
                doc = {"sessions": [s.to_json() for s in summaries], "count": len(summaries)}
                if args.status is None:
                    doc["scheduled"] = [admin.scheduled_json(r) for r in scheduled]
                print(json.dumps(doc, indent=2))
            else:
                lines = admin.list_lines(summaries, args.status)
                if scheduled:
                    lines += [""] + admin.scheduled_lines(scheduled)
                print("\n".join(lines))
        elif args.action == "show":
            details = admin.session_details(store, args.id)
            print(json.dumps(details, indent=2) if args.json else "\n".join(admin.show_lines(details)))
        elif args.action == "resume":
            print(admin.resume(store, args.id, force=args.force).message)
        else:
            ttl_ms = int(settings.tombstone_ttl_s * 1000)
            print(admin.drop(store, args.id, reason=args.reason, ttl_ms=ttl_ms).message)
    except admin.AdminError as exc:
        return fail(str(exc), exc.code)
    except StoreError as exc:
        return fail(str(exc), admin.EXIT_STORE)
    except ValueError as exc:  # an argument the store refuses (an empty id)
        return fail(str(exc), admin.EXIT_STORE)
    except BrokenPipeError:  # `scxmlc sessions list | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        store.close()
    return EXIT_OK


def serve_settings(args):
    """The server's settings: defaults, then --config, then the options given."""
    from scxmlc_runtime.server import ServerSettings, SettingsError
    from scxmlc_runtime.server.settings import CLUSTER_WITHOUT_REDIS, store_option

    settings = ServerSettings.load(args.config) if args.config else ServerSettings()
    given: dict = {}
    if args.roots:
        given["roots"] = list(args.roots)
    if args.modules:
        given["module_dirs"] = list(args.modules)
    for name in ("host", "port", "path_prefix", "persist_mode", "token_file", "log_level", "interaction_url"):
        value = getattr(args, name)
        if value is not None:
            given[name] = value
    if args.store is not None:
        given.update(store_option(args.store))
    if args.cluster is not None:
        given["cluster"] = args.cluster
    multi = {"route_mode": "--route-mode", "external_url": "--external-url", "host_id": "--host-id", "heartbeat_s": "--heartbeat-s", "host_lease_s": "--host-lease-s"}
    for name in multi:
        value = getattr(args, name)
        if value is not None:
            given[name] = value
    merged = ServerSettings.from_mapping(given, settings)
    if args.cluster is not None and merged.store != "redis":
        raise SettingsError(CLUSTER_WITHOUT_REDIS)
    for name, option in multi.items():
        if getattr(args, name) is not None and merged.store != "redis":
            raise SettingsError(f"{option} is about several hosts sharing a Redis store: use it with --store redis://HOST:PORT/DB")
    return merged


def cmd_serve(args) -> int:
    from scxmlc_runtime.server import Server, SettingsError

    try:
        settings = serve_settings(args)
        documents = {}
        for item in args.document:
            url, sep, path = item.partition("=")
            if not sep or not url or not Path(path).is_file():
                print(f"scxmlc serve: error: bad --document {item!r} (expected URL=PATH of a chart file)", file=sys.stderr)
                return EXIT_USAGE
            documents[url] = path
        logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        server = Server(settings, documents=documents)

        def ready(s) -> None:
            print(f"scxmlc serve: {', '.join(settings.roots)} on {s.url} (store: {settings.describe_store()})", flush=True)

        server.run(ready)
    except SettingsError as exc:
        print(f"scxmlc serve: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"scxmlc serve: error: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def cmd_simulate(args) -> int:
    from scxmlc_runtime.ors.scenario import Scenario, ScenarioError

    try:
        scenario = Scenario.load(args.scenario)
        result = scenario.run(trace=None if args.quiet else (lambda record: print(record, flush=True)))
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return EXIT_ERRORS
    for line in result.checks:
        print(line)
    verdict = "PASS" if result.passed else "FAIL"
    print(f"{verdict}: {len(result.checks) - len(result.failures)} of {len(result.checks)} expectations hold ({args.scenario})")
    for failure in result.failures:
        print(f"  {failure}", file=sys.stderr)
    return EXIT_OK if result.passed else EXIT_ERRORS


def main(argv: list[str] | None = None) -> int:
    # (what a chart logs may hold a lone surrogate, which no encoding has bytes for: printed
    # as its escape, where it stopped the <log> with an error.execution named UnicodeEncodeError)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `scxmlc run --trace | head`: the reader has gone. Nothing more is printed (nor at
        # exit, when Python flushes stdout), and the exit status is a shell's for SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception:  # noqa: BLE001 - a bug of ours must not look like the user's error
        if args.debug:
            from scxmlc_runtime.actions import add_scxml_notes

            add_scxml_notes(sys.exc_info()[1])  # (the SCXML lines of generated frames, if any)
            traceback.print_exc()
        else:
            exc = sys.exc_info()[1]
            print(f"scxmlc: internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
