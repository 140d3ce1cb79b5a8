"""MkDocs hooks of the documentation site (configured by `hooks:` in mkdocs.yml).

Pages hold directives in HTML comments, each replaced at build time:

- `<!-- scxmlc:cli-help -->`: `scxmlc --help` and every subcommand's `--help` (also the
  subcommands of `scxmlc sessions`), rendered from `scxmlc.cli.build_parser()`.
- `<!-- scxmlc:readme-marked NAME -->`: the part of README.md between
  `<!-- NAME:begin -->` and `<!-- NAME:end -->` (the W3C table a test run writes).
- `<!-- scxmlc:readme-section TITLE -->`: README.md's `## TITLE` section, up to the next `## `
  heading (the heading itself is left out: the page has its own).

So the site shows what the code and README say now; nothing is copied by hand. A directive that
cannot be resolved fails the build.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
HELP_WIDTH = 100

_DIRECTIVE = re.compile(r"<!--\s*scxmlc:(?P<kind>[\w-]+)(?:\s+(?P<arg>[^>]*?))?\s*-->")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help(parser: argparse.ArgumentParser) -> str:
    # argparse wraps to the terminal's width ($COLUMNS): fix it, so that builds agree
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(HELP_WIDTH)
    try:
        if hasattr(parser, "color"):  # Python 3.14: no ANSI colours in the page
            parser.color = False
        return parser.format_help().rstrip()
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def _fence(text: str) -> str:
    return "```text\n" + text + "\n```"


def cli_help() -> str:
    from scxmlc.cli import build_parser

    parser = build_parser()
    parts = ["## `scxmlc`", "", _fence(_help(parser))]

    def walk(parent: argparse.ArgumentParser, prefix: str) -> None:
        for name, sub in _subcommands(parent).items():
            command = f"{prefix} {name}"
            parts.extend(["", f"{'#' * (command.count(' ') + 2)} `{command}`", "", _fence(_help(sub))])
            walk(sub, command)

    walk(parser, "scxmlc")
    return "\n".join(parts)


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def readme_marked(name: str) -> str:
    match = re.search(
        rf"<!--\s*{re.escape(name)}:begin\s*-->\n(.*?)<!--\s*{re.escape(name)}:end\s*-->", _readme(), re.S
    )
    if match is None:
        raise PluginError(f"README.md has no block marked <!-- {name}:begin --> ... <!-- {name}:end -->")
    return match.group(1).strip()


def readme_section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}[ \t]*\n(.*?)(?=^## |\Z)", _readme(), re.S | re.M)
    if match is None:
        raise PluginError(f"README.md has no section '## {title}'")
    return match.group(1).strip()


def render(markdown: str, where: str = "") -> str:
    def replace(match: re.Match) -> str:
        kind, arg = match.group("kind"), (match.group("arg") or "").strip()
        if kind == "cli-help":
            return cli_help()
        if kind == "readme-marked" and arg:
            return readme_marked(arg)
        if kind == "readme-section" and arg:
            return readme_section(arg)
        raise PluginError(f"{where}: unknown directive {match.group(0)!r}")

    return _DIRECTIVE.sub(replace, markdown)


def on_page_markdown(markdown: str, page, config, files) -> str:
    return render(markdown, page.file.src_uri)


def on_config(config):
    # `mkdocs serve` rebuilds when README.md (the included sections) changes
    config.watch.append(str(README))
    return config
