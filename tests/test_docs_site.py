"""The documentation site (mkdocs.yml, docs/) builds with `mkdocs build --strict`, and its
generated pages show what the code and README.md say: every subcommand's --help, the public API
and the W3C conformance table."""

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# (the test extra installs mkdocs, mkdocs-material and mkdocstrings: a missing one fails here)
import material  # noqa: E402,F401
import mkdocs  # noqa: E402,F401
import mkdocstrings_handlers.python  # noqa: E402,F401


def _text(page: Path) -> str:
    """The visible text of a built page, tags removed and whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", html.unescape(body))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    return out


def test_build_strict(site):
    assert (site / "index.html").is_file()
    assert (site / "tutorial" / "index.html").is_file()


def test_cli_page_has_every_subcommand(site):
    from scxmlc.cli import build_parser
    import argparse

    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    names = set(subparsers.choices)
    assert {"compile", "check", "diagram", "run", "serve", "sessions", "simulate", "completion"} <= names
    text = _text(site / "reference" / "cli" / "index.html")
    assert "usage: scxmlc [-h]" in text
    for name in names:
        # each subcommand's own --help, rendered from the parser at build time
        assert f"usage: scxmlc {name} " in text, name
        # and its help options: the option strings of the parser, as argparse prints them
        for action in subparsers.choices[name]._actions:
            for option in action.option_strings:
                assert option in text, (name, option)


def test_api_page_documents_the_public_api(site):
    page = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    for ident in ("scxmlc.compile_source", "scxmlc.load", "scxmlc.compile_file", "scxmlc_runtime.Machine",
                  "scxmlc_runtime.Host", "scxmlc_runtime.SimulatedClock", "scxmlc_runtime.Limits"):
        assert f'id="{ident}"' in page, ident
    text = _text(site / "reference" / "api" / "index.html")
    assert "compile_source" in text and "Machine" in text


def test_w3c_and_performance_tables_come_from_readme(site):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- w3c-status:begin -->\n(.*?)<!-- w3c-status:end -->", readme, re.S).group(1)
    rows = [line for line in block.splitlines() if line.startswith("| mandatory") or line.startswith("| **all**")]
    assert rows
    page = (site / "reference" / "w3c" / "index.html").read_text(encoding="utf-8")
    assert "<table>" in page
    text = _text(site / "reference" / "w3c" / "index.html")
    for row in rows:
        cells = [c.strip().strip("*") for c in row.strip("|").split("|")]
        assert " ".join(cells) in text, row
    perf = (site / "reference" / "performance" / "index.html").read_text(encoding="utf-8")
    assert "<table>" in perf and "scxmlc slowdown vs hand-written" in perf
