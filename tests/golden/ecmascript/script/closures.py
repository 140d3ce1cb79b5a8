# helpers: JSFunction, UNDEFINED, js_add, js_declare, js_function, js_global, js_not_callable, js_reraise, js_ticks
_ticks = js_ticks(_dm)
js_declare(_dm, ("c",), ("counter",))


def _tf1(_this, *_targs2):
    next(_ticks)
    try:
        j_n = UNDEFINED
        j_n = 0.0

        def _tf3(_this, *_targs4):
            nonlocal j_n
            next(_ticks)
            try:
                j_n = j_n + 1.0 if type(j_n) is float else js_add(j_n, 1.0)
                return j_n
            except (RecursionError, NameError) as _t5:
                js_reraise(_t5)

        return js_function(_tf3, "", 0, "function () { n += 1; return n; }")
    except (RecursionError, NameError) as _t6:
        js_reraise(_t6)


_dm["counter"] = js_function(
    _tf1,
    "counter",
    0,
    "function counter() { var n = 0; return function () { n += 1; return n; }; }",
)
_dm["c"] = (
    _t7
    if type((_t7 := js_global(_dm, "counter"))) is JSFunction
    else js_not_callable(_t7, "counter")
).fn(UNDEFINED)
(
    _t8
    if type((_t8 := js_global(_dm, "c"))) is JSFunction
    else js_not_callable(_t8, "c")
).fn(UNDEFINED)
_dm["total"] = (
    _t9
    if type((_t9 := js_global(_dm, "c"))) is JSFunction
    else js_not_callable(_t9, "c")
).fn(UNDEFINED)
