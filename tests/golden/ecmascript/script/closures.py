# helpers: UNDEFINED, js_add, js_call, js_declare, js_function
js_declare(_dm, ("c",))


def _tf1(_this, *_targs2):
    j_n = UNDEFINED
    j_n = 0.0

    def _tf3(_this, *_targs4):
        nonlocal j_n
        j_n = j_n + 1.0 if type(j_n) is float else js_add(j_n, 1.0)
        return j_n

    return js_function(_tf3, "", 0, "function () { n += 1; return n; }")


_dm["counter"] = js_function(
    _tf1,
    "counter",
    0,
    "function counter() { var n = 0; return function () { n += 1; return n; }; }",
)
_dm["c"] = js_call(_dm["counter"], "counter")
js_call(_dm["c"], "c")
_dm["total"] = js_call(_dm["c"], "c")
