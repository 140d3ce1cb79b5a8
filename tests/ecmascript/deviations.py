"""Every accepted deviation from JavaScript (V8), by the name of its differential corpus case,
with the reason: the one list (docs/ecmascript.md, "Known deviations", points here).

Every entry must still differ (test_differential checks it), so the list can only shrink as
the implementation improves.
"""

DEVIATIONS: dict[str, str] = {
    "Object.defineProperty non enumerable": (
        "plain objects are Python dicts with no room for attributes; enumerable:false is only "
        "honoured on objects made by Object.create/new (docs/ecmascript.md, Objects)"
    ),
    "deviation: freezing a plain object": (
        "the same reason: Object.freeze has no flag to set on a plain dict, so it leaves plain "
        "objects writable and Object.isFrozen says so"
    ),
    "deviation: strings count code points": (
        "strings are Python str, one character per code point: a character outside the BMP has "
        "length 1, not 2 UTF-16 units (docs/ecmascript.md, Strings)"
    ),
    "deviation: primitive this is not boxed in sloppy functions": (
        "this is passed through as it is; boxing a primitive receiver would allocate a wrapper "
        "object on every method call of a primitive"
    ),
    "deviation: arguments is not mapped to the parameters": (
        "arguments is the unmapped (strict-mode) object: a mapped one would turn every parameter "
        "of such a function into a property access"
    ),
    "deviation: top level const can be reassigned": (
        "top-level let/const of a <script> are datamodel globals like var (charts read them from "
        "other elements); their TDZ and constness hold inside functions and blocks only"
    ),
    "deviation: this before super in a derived constructor": (
        "this exists from the start of a derived constructor; tracking its initialisation would "
        "cost a check on every use of this in every constructor"
    ),
    "deviation: iterators are arrays": (
        "keys()/values()/entries() and for-of iteration use arrays; iterator objects with next() "
        "are not implemented"
    ),
    "deviation: unicode property escapes": (
        "Python's re has no \\p{...}: such a pattern is a SyntaxError"
    ),
}
