# helpers: js_getp, js_global, js_lt, js_mod
(
    _t3 % 3.0
    if type(
        (
            _t3 := (
                _t2["n"]
                if type(
                    (
                        _t2 := (
                            _t1["data"]
                            if type((_t1 := js_global(_dm, "_event"))) is dict
                            and "data" in _t1
                            else js_getp(_t1, "data")
                        )
                    )
                )
                is dict
                and "n" in _t2
                else js_getp(_t2, "n")
            )
        )
    )
    is float
    and _t3 > 0.0
    else js_mod(_t3, 3.0)
) == 0.0 and (
    _t4 < _t5
    if type((_t4 := js_global(_dm, "count")))
    is type((_t5 := js_global(_dm, "limit")))
    is float
    else js_lt(_t4, _t5)
)
