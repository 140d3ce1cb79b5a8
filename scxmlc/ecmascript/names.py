"""JavaScript identifiers: validity, reserved words, and their injective Python spelling."""

from __future__ import annotations

# ES5.1 7.6.1.1/7.6.1.2 keywords and future reserved words (strict-mode ones included:
# charts are small, and rejecting `let`/`static` & co as variable names avoids surprises),
# plus the literals null/true/false (7.8.1, 7.8.2).
RESERVED = frozenset(
    """break case catch continue debugger default delete do else finally for function if in
    instanceof new return switch this throw try typeof var void while with class const enum
    export extends import super implements interface let package private protected public
    static yield null true false""".split()
)

# SCXML 5.10: system variables; scripts may read them, never assign them (one definition,
# the runtime's, which also guards the routes through the global object).
from scxmlc_runtime.js.values import SYSTEM_VARIABLES as READONLY_GLOBALS  # noqa: E402


def is_identifier_name(name: str) -> bool:
    """IdentifierName (ES5.1 7.6): Unicode ID_Start/ID_Continue, `$` and `_` (Python's
    isidentifier implements the same Unicode properties, XID_Start/XID_Continue)."""
    if not name:
        return False
    probe = name.replace("$", "_").replace("\u200c", "_").replace("\u200d", "_")
    return probe.isidentifier() and name[0] not in "\u200c\u200d"


def identifier_ok(name: str) -> bool:
    """True when `name` is an Identifier a script may assign (not reserved, not read-only)."""
    return is_identifier_name(name) and name not in RESERVED and name not in READONLY_GLOBALS


def py_local(name: str) -> str:
    """The Python name for JS local `name`: `j_<name>` for ASCII word names; anything else
    (`$`, non-ASCII: Python would NFKC-normalise and merge distinct JS names) is spelled
    `jX_` with every other character as `_<hex>_`, which is injective."""
    if name.isascii() and name.replace("_", "a").isalnum():
        return "j_" + name
    return "jX_" + "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}_" for c in name)
