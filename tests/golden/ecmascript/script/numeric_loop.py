# helpers: js_add, js_declare, js_global, js_inc, js_lt, js_mul, js_ticks
_ticks = js_ticks(_dm)
js_declare(_dm, ("acc", "i"))
_dm["acc"] = 0.0
_dm["i"] = 0.0
while (
    _t2 < 1000.0 if type((_t2 := js_global(_dm, "i"))) is float else js_lt(_t2, 1000.0)
):
    next(_ticks)
    _dm["acc"] = (
        _t4 + _t5
        if type((_t4 := js_global(_dm, "acc")))
        is type(
            (
                _t5 := (
                    _t3 * 2.0
                    if type((_t3 := js_global(_dm, "i"))) is float
                    else js_mul(_t3, 2.0)
                )
            )
        )
        is float
        else js_add(_t4, _t5)
    )
    _dm["i"] = _t6 + 1.0 if type((_t6 := js_global(_dm, "i"))) is float else js_inc(_t6)
