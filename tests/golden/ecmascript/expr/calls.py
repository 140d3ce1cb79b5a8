# helpers: JSFunction, UNDEFINED, js_add, js_global, js_invoke, js_not_callable, js_spread
(
    _t5 + _t6
    if type(
        (
            _t5 := (
                _t1 + _t2
                if type(
                    (
                        _t1 := js_invoke(
                            js_global(_dm, "Math"), "max", js_global(_dm, "a"), 2.0
                        )
                    )
                )
                is type(
                    (
                        _t2 := js_invoke(
                            js_global(_dm, "obj"),
                            "method",
                            1.0,
                            *js_spread(js_global(_dm, "rest")),
                        )
                    )
                )
                is float
                else js_add(_t1, _t2)
            )
        )
    )
    is type(
        (
            _t6 := (
                _t4
                if type(
                    (
                        _t4 := (
                            _t3
                            if type((_t3 := js_global(_dm, "fn"))) is JSFunction
                            else js_not_callable(_t3, "fn")
                        ).fn(UNDEFINED, js_global(_dm, "x"))
                    )
                )
                is JSFunction
                else js_not_callable(_t4, "fn(x)")
            ).fn(UNDEFINED, "y")
        )
    )
    is float
    else js_add(_t5, _t6)
)
