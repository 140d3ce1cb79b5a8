# helpers: UNDEFINED, js_add, js_call, js_declare, js_function
js_declare(_dm, ("x", "y"))


def _tf1(_this, j_n=UNDEFINED, *_targs2):
    return (
        _t3 + _t4
        if type((_t3 := j_n)) is type((_t4 := _dm["y"])) is float
        else js_add(_t3, _t4)
    )


_dm["f"] = js_function(_tf1, "f", 1, "function f(n) { return n + y; }")
_dm["x"] = js_call(_dm["f"], "f", 1.0)
_dm["y"] = 2.0
