# helpers: js_INT_STRINGS, js_MAX_STRING, js_getp, js_global, js_str_add, js_string_too_long
(
    "n" + _s9 + ":" + _s10
    if 1
    + len(
        (
            _s9 := (
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
                    if type(_t2) is float
                    and (_t3 := js_INT_STRINGS.get(_t2)) is not None
                    else js_str_add(_t2)
                )
            )
        )
    )
    + 1
    + len(
        (
            _s10 := (
                _t7
                if type(
                    (
                        _t7 := (
                            _t6["s"]
                            if type((_t6 := js_global(_dm, "x"))) is dict and "s" in _t6
                            else js_getp(_t6, "s")
                        )
                    )
                )
                is str
                else (
                    _t8
                    if type(_t7) is float
                    and (_t8 := js_INT_STRINGS.get(_t7)) is not None
                    else js_str_add(_t7)
                )
            )
        )
    )
    <= js_MAX_STRING
    else js_string_too_long()
)
