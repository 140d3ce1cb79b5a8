"""Speed of transpiled expressions against hand-written Python (run: python -m tests.ecmascript.bench).

Each case pairs a JS expression with the Python a person would write for the same data
(plain dicts and lists, the datamodel as a dict). Prints ns per evaluation and the ratio.
"""

from __future__ import annotations

import ast
import timeit

import scxmlc_runtime.js as rt
from scxmlc.ecmascript import Transpiler


CASES = [
    ("count >= limit", "cond", "dm['count'] >= dm['limit']"),
    ("_event.data.n % 3 == 0 && count < limit", "cond", "dm['_event']['data']['n'] % 3 == 0 and dm['count'] < dm['limit']"),
    ("'n' + x.n + ':' + x.s", "expr", "'n' + str(int(dm['x']['n'])) + ':' + dm['x']['s']"),
    ("acc + x.arr[1] + tag.length", "expr", "dm['acc'] + dm['x']['arr'][1] + len(dm['tag'])"),
    ("a * b + c", "expr", "dm['a'] * dm['b'] + dm['c']"),
    ("s === 'ready' || n > 10", "cond", "dm['s'] == 'ready' or dm['n'] > 10"),
]


def datamodel():
    return rt.new_globals(
        {
            "count": 5.0,
            "limit": 10.0,
            "_event": rt.to_js({"name": "tick", "data": {"n": 9}}),  # the runtime's events are plain objects
            "x": rt.to_js({"n": 7, "s": "seven", "arr": [1, 2, 3]}),
            "acc": 1.5,
            "tag": "abcd",
            "a": 2.0,
            "b": 3.0,
            "c": 4.0,
            "s": "waiting",
            "n": 11.0,
        }
    )


def compile_case(src: str, kind: str):
    t = Transpiler()
    node = t.cond(src) if kind == "cond" else t.expr(src)
    code = f"def _f(_dm):\n    return {ast.unparse(node)}\n"
    ns = {n: getattr(rt, n) for n in t.helpers}
    exec(code, ns)
    return ns["_f"], code


def main(number: int = 200_000) -> list[tuple[str, float, float]]:
    dm = datamodel()
    plain = {k: rt.to_py(v) for k, v in dm.items()}
    results = []
    for src, kind, hand in CASES:
        fn, _ = compile_case(src, kind)
        ns: dict = {}
        exec(f"def _h(dm):\n    return {hand}\n", ns)
        h = ns["_h"]
        assert (fn(dm) == h(plain)) or kind == "expr", src
        t_js = min(timeit.repeat(lambda: fn(dm), number=number, repeat=3)) / number * 1e9
        t_py = min(timeit.repeat(lambda: h(plain), number=number, repeat=3)) / number * 1e9
        results.append((src, t_js, t_py))
        print(f"{src:45s} {t_js:7.0f} ns  hand-written {t_py:6.0f} ns  ratio {t_js / t_py:4.2f}")
    return results


if __name__ == "__main__":
    main()
