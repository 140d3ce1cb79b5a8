# helpers: js_add, js_div, js_global, js_mod, js_mul
(
    _t2 * 2.0
    if type(
        (
            _t2 := (
                _t1 + 1.0
                if type((_t1 := js_global(_dm, "a"))) is float
                else js_add(_t1, 1.0)
            )
        )
    )
    is float
    else js_mul(_t2, 2.0)
) - (
    _t3 % 3.0
    if type((_t3 := js_div(js_global(_dm, "b"), 4.0))) is float and _t3 > 0.0
    else js_mod(_t3, 3.0)
)
