# helpers: js_INT_STRINGS, js_getp, js_global, js_str_add
(
    "n"
    + (
        _t2
        if type(
            (
                _t2 := (
                    _t1["n"]
                    if type((_t1 := js_global(_dm, "x"))) is dict and "n" in _t1
                    else js_getp(_t1, "n")
                )
            )
        )
        is str
        else (
            _t3
            if type(_t2) is float and (_t3 := js_INT_STRINGS.get(_t2)) is not None
            else js_str_add(_t2)
        )
    )
    + ":"
    + (
        _t5
        if type(
            (
                _t5 := (
                    _t4["s"]
                    if type((_t4 := js_global(_dm, "x"))) is dict and "s" in _t4
                    else js_getp(_t4, "s")
                )
            )
        )
        is str
        else (
            _t6
            if type(_t5) is float and (_t6 := js_INT_STRINGS.get(_t5)) is not None
            else js_str_add(_t5)
        )
    )
)
