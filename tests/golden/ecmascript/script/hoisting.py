# helpers: JSFunction, UNDEFINED, js_add, js_declare, js_function, js_global, js_not_callable, js_reraise, js_ticks
_ticks = js_ticks(_dm)
js_declare(_dm, ("x", "y"), ("f",))


def _tf1(_this, j_n=UNDEFINED, *_targs2):
    next(_ticks)
    try:
        return (
            _t3 + _t4
            if type((_t3 := j_n)) is type((_t4 := js_global(_dm, "y"))) is float
            else js_add(_t3, _t4)
        )
    except (RecursionError, NameError) as _t5:
        js_reraise(_t5)


_dm["f"] = js_function(_tf1, "f", 1, "function f(n) { return n + y; }")
_dm["x"] = (
    _t6
    if type((_t6 := js_global(_dm, "f"))) is JSFunction
    else js_not_callable(_t6, "f")
).fn(UNDEFINED, 1.0)
_dm["y"] = 2.0
