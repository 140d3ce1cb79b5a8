"""Hypothesis-generated programs checked against V8: control flow is where a transpiler to a
language without labels, fall-through or block scope can go wrong, so the generator nests
loops (for/while/do-while, var and let), labels, break/continue (plain and labelled), switch
with fall-through, try/catch/finally with throws, closures created in loops, and returns from
inside all of them. Every program is bounded (loop counters) and records a trace."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .differential import V8, ours_script, same

pytest.importorskip("py_mini_racer")


@st.composite
def statement(draw, depth: int, loops: tuple, labels: tuple, in_switch: bool, in_function: bool, counter: list):
    """One statement; `loops` are the loop variables in scope, `labels` the enclosing loop labels."""
    choices = ["push", "push", "if"]
    if depth < 3:
        choices += ["for", "while", "do", "switch", "try", "block"]
    if loops:
        choices += ["break", "continue", "closure"]
    if in_switch:
        choices += ["break"]
    if labels:
        choices += ["break_label", "continue_label"]
    if in_function:
        choices += ["return", "count"]
    if depth < 2:
        choices += ["inner", "arrow_inner", "forin", "destructure"]
    if depth > 0:
        choices += ["throw"]
    kind = draw(st.sampled_from(choices))
    var = loops[-1] if loops else "0"

    def body(new_loops=loops, new_labels=labels, switch=False):
        n = draw(st.integers(1, 3))
        return " ".join(draw(statement(depth + 1, new_loops, new_labels, switch, in_function, counter)) for _ in range(n))

    def cond():
        v = draw(st.sampled_from(list(loops) + ["k"])) if loops else "k"
        return f"{v} {draw(st.sampled_from(['==', '<', '>', '!=']))} {draw(st.integers(0, 2))}"

    counter[0] += 1
    n = counter[0]
    if kind == "push":
        item = draw(st.sampled_from([f"'{n}'", var, f"'{n}:' + {var}", "k"]))
        return f"out.push({item});"
    if kind == "if":
        return f"if ({cond()}) {{ {body()} }} else {{ out.push('e{n}'); }}"
    if kind in ("for", "while", "do"):
        label = f"L{n}" if draw(st.booleans()) else None
        v = f"i{n}"
        new_loops = loops + (v,)
        new_labels = labels + ((label,) if label else ())
        inner = body(new_loops, new_labels)
        decl = draw(st.sampled_from(["let", "var"])) if kind == "for" else "var"
        if kind == "for":
            text = f"for ({decl} {v} = 0; {v} < 3; {v}++) {{ {inner} }}"
        elif kind == "while":
            text = f"var {v} = 0; while ({v} < 3) {{ {v}++; {inner} }}"
            return text if not label else f"var {v} = 0; {label}: while ({v} < 3) {{ {v}++; {inner} }}"
        else:
            text = f"var {v} = 0; do {{ {v}++; {inner} }} while ({v} < 3);"
            return text if not label else f"var {v} = 0; {label}: do {{ {v}++; {inner} }} while ({v} < 3);"
        return f"{label}: {text}" if label else text
    if kind == "switch":
        cases = " ".join(f"case {c}: {body(switch=True)}" for c in range(draw(st.integers(1, 3))))
        default = f"default: {body(switch=True)}" if draw(st.booleans()) else ""
        return f"switch ({var} % 3) {{ {cases} {default} }}"
    if kind == "try":
        handler = f"catch (e) {{ out.push('c{n}:' + e); {body()} }}" if draw(st.booleans()) else ""
        final = f"finally {{ out.push('f{n}'); }}" if not handler or draw(st.booleans()) else ""
        return f"try {{ {body()} }} {handler} {final}"
    if kind == "block":
        return f"{{ let k = {n}; {body()} }}"
    if kind == "break":
        return f"if ({cond()}) break;"
    if kind == "continue":
        return f"if ({cond()}) continue;"
    if kind == "break_label":
        return f"if ({cond()}) break {draw(st.sampled_from(labels))};"
    if kind == "continue_label":
        return f"if ({cond()}) continue {draw(st.sampled_from(labels))};"
    if kind == "closure":
        return f"fns.push(function () {{ return {var}; }});"
    if kind == "count":
        return f"cnt += {n};"
    if kind in ("inner", "arrow_inner"):
        # A nested function: loops, labels and switch of the enclosing code do not reach in.
        inner = " ".join(draw(statement(depth + 1, (), (), False, True, counter)) for _ in range(draw(st.integers(1, 2))))
        head = "(function () {" if kind == "inner" else "(() => {"
        return f"out.push({head} {inner} return 'in{n}'; }})());"
    if kind == "forin":
        v = f"key{n}"
        inner = body(loops + (v,), labels)
        decl = draw(st.sampled_from(["const", "var", "let"]))
        return f"for ({decl} {v} in {{a: 1, b: 2, 3: 'x'}}) {{ {inner} }}"
    if kind == "destructure":
        return f"var [dA{n}, dB{n} = {n}] = [k, undefined]; var {{p{n}, q{n} = 'q'}} = {{p{n}: {var}}}; out.push(dA{n} + dB{n} + ':' + p{n} + q{n});"
    if kind == "return":
        return f"if ({cond()}) return 'r{n}';"
    if kind == "throw":
        return f"if ({cond()}) throw 't{n}';"
    raise AssertionError(kind)


@st.composite
def programs(draw):
    counter = [0]
    top = " ".join(draw(statement(0, (), (), False, False, counter)) for _ in range(draw(st.integers(1, 3))))
    fn = " ".join(draw(statement(0, (), (), False, True, counter)) for _ in range(draw(st.integers(1, 2))))
    return (
        "var out = [], fns = [], k = 1, cnt = 0;\n"
        f"try {{ {top} }} catch (e) {{ out.push('top:' + e); }}\n"
        f"function f() {{ var cnt = 100; try {{ {fn} }} finally {{ out.push('cnt:' + cnt); }} return 'end'; }}\n"
        "try { out.push(f()); } catch (e) { out.push('f:' + e); }\n"
        "var result = out.concat(fns.map(function (g) { return g(); }), [cnt]);"
    )


_v8: list = []


@settings(max_examples=250, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(programs())
def test_generated_program(src):
    if not _v8:
        _v8.append(V8())
    theirs = _v8[0].script(src)
    ours = ours_script(src)
    assert same(theirs, ours), f"{src}\n  V8:     {theirs}\n  scxmlc: {ours}"
