"""Shared pytest options: --update-golden and --w3c-status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

W3C_BEGIN = "<!-- w3c-status:begin -->"
W3C_END = "<!-- w3c-status:end -->"


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files whose expected output differs (never creates missing ones)",
    )
    parser.addoption(
        "--w3c-status",
        metavar="FILE",
        default=None,
        help="write the W3C conformance table into FILE (between the w3c-status markers if present)",
    )


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


class GoldenReport:
    def __init__(self):
        self.updated: list[str] = []


_golden = GoldenReport()


@pytest.fixture
def golden_report() -> GoldenReport:
    return _golden


def check_golden(path: Path, actual: str, update: bool) -> None:
    """Compare with a golden file; with --update-golden rewrite it when it differs."""
    if not path.exists():
        pytest.fail(f"golden file {path} is missing: create it deliberately (it is never created silently)")
    expected = path.read_text(encoding="utf-8")
    if expected == actual:
        return
    if update:
        path.write_text(actual, encoding="utf-8")
        _golden.updated.append(str(path))
        return
    import difflib

    diff = "".join(
        difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), str(path), "actual", n=2)
    )
    pytest.fail(f"output differs from {path} (run pytest --update-golden to accept):\n{diff[:4000]}")


# -- W3C status table --------------------------------------------------------------------

W3C_RESULTS: dict[str, tuple[dict, str]] = {}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _golden.updated:
        terminalreporter.write_line("golden files rewritten:")
        for p in _golden.updated:
            terminalreporter.write_line(f"  {p}")
    target = config.getoption("--w3c-status")
    if target and W3C_RESULTS:
        table = w3c_table(W3C_RESULTS)
        path = Path(target)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if W3C_BEGIN in text and W3C_END in text:
            text = re.sub(
                re.escape(W3C_BEGIN) + ".*?" + re.escape(W3C_END),
                lambda _m: f"{W3C_BEGIN}\n{table}{W3C_END}",
                text,
                flags=re.S,
            )
        else:
            text = table
        path.write_text(text, encoding="utf-8")
        terminalreporter.write_line(f"W3C status table written to {path}")


def w3c_table(results: dict[str, tuple[dict, str]]) -> str:
    counts: dict[str, dict[str, int]] = {}
    for entry, outcome in results.values():
        row = counts.setdefault(entry["conformance"], {"passed": 0, "vacuous": 0, "failed": 0})
        row[outcome] += 1
    lines = [
        "| conformance | automatic tests | pass | pass, but vacuously | not passing (xfail) |",
        "| --- | --- | --- | --- | --- |",
    ]
    total = {"passed": 0, "vacuous": 0, "failed": 0}
    for key in ("mandatory", "optional"):
        row = counts.get(key, {"passed": 0, "vacuous": 0, "failed": 0})
        for k in total:
            total[k] += row[k]
        lines.append(f"| {key} | {sum(row.values())} | {row['passed']} | {row['vacuous']} | {row['failed']} |")
    lines.append(
        f"| **all** | {sum(total.values())} | {total['passed']} | {total['vacuous']} | {total['failed']} |"
    )

    def ids(outcome):
        found = sorted((e["id"] for e, o in results.values() if o == outcome), key=lambda s: (len(s), s))
        return ", ".join(found) if found else "none"

    lines.append("")
    lines.append(f"Passing vacuously (see `VACUOUS` in tests/w3c_xfail.py): {ids('vacuous')}.")
    lines.append("")
    lines.append(f"Not passing yet: {ids('failed')}.")
    return "\n".join(lines) + "\n"


def pytest_collection_modifyitems(config, items):
    """Under SCXMLC_REFERENCE=1 (the reference mode: runtime/reference.py) the tests of a plan,
    cache or fast path have nothing to test: each is skipped, saying why (never silently)."""
    from scxmlc_runtime.reference import reference_mode

    if not reference_mode():
        return
    skip = pytest.mark.skip(reason="tests a plan, cache or fast path; the reference mode has none")
    for item in items:
        if item.get_closest_marker("plans") is not None:
            item.add_marker(skip)
