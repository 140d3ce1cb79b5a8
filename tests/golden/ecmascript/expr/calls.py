# helpers: js_add, js_call, js_invoke, js_spread
(
    _t3 + _t4
    if type(
        (
            _t3 := (
                _t1 + _t2
                if type((_t1 := js_invoke(_dm["Math"], "max", _dm["a"], 2.0)))
                is type(
                    (
                        _t2 := js_invoke(
                            _dm["obj"], "method", 1.0, *js_spread(_dm["rest"])
                        )
                    )
                )
                is float
                else js_add(_t1, _t2)
            )
        )
    )
    is type((_t4 := js_call(js_call(_dm["fn"], "fn", _dm["x"]), "fn(x)", "y")))
    is float
    else js_add(_t3, _t4)
)
