# helpers: js_array, js_declare, js_function, js_global, js_inc, js_invoke, js_lt, js_reraise, js_strict_eq, js_ticks
_ticks = js_ticks(_dm)
try:
    js_declare(_dm, ("handlers",))
    _dm["handlers"] = js_array()
    j_i = 0.0
    _t7 = True
    while True:
        next(_ticks)
        if _t7:
            _t7 = False
        else:
            j_i = j_i + 1.0 if type(j_i) is float else js_inc(j_i)
        if not (j_i < 3.0 if type(j_i) is float else js_lt(j_i, 3.0)):
            break

        def _tbody2(j_i_1):
            if j_i_1 == 1.0 if type(j_i_1) is float else js_strict_eq(j_i_1, 1.0):
                return ("continue:1", j_i_1)

            def _tf3(_this, *_targs4):
                next(_ticks)
                try:
                    return j_i_1
                except (RecursionError, NameError) as _t5:
                    js_reraise(_t5)

            js_invoke(
                js_global(_dm, "handlers"),
                "push",
                js_function(_tf3, "", 0, "function () { return i; }"),
            )
            return (None, j_i_1)

        _t6, j_i = _tbody2(j_i)
        if _t6 == "continue:1":
            continue
except (RecursionError, NameError) as _t8:
    js_reraise(_t8)
