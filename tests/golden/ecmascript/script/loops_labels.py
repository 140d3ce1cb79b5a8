# helpers: js_INT_STRINGS, js_MAX_STRING, js_array, js_dec, js_declare, js_eq, js_global, js_gt, js_inc, js_invoke, js_lt, js_str_add, js_string_too_long, js_ticks
_ticks = js_ticks(_dm)
js_declare(_dm, ("out", "j", "i"))
_dm["out"] = js_array()
_dm["i"] = 0.0
_t16 = True
while True:
    next(_ticks)
    if _t16:
        _t16 = False
    else:
        _dm["i"] = (
            _t15 + 1.0 if type((_t15 := js_global(_dm, "i"))) is float else js_inc(_t15)
        )
    if not (
        _t2 < 3.0 if type((_t2 := js_global(_dm, "i"))) is float else js_lt(_t2, 3.0)
    ):
        break
    _dm["j"] = 0.0
    _tjump = None
    while _t4 < 3.0 if type((_t4 := js_global(_dm, "j"))) is float else js_lt(_t4, 3.0):
        next(_ticks)
        if (
            _t5 == 1.0
            if type((_t5 := js_global(_dm, "j"))) is float
            else js_eq(_t5, 1.0)
        ):
            _tjump = "continue:1"
            break
        if (
            _t6 == 2.0
            if type((_t6 := js_global(_dm, "i"))) is float
            else js_eq(_t6, 2.0)
        ):
            _tjump = "break:1"
            break
        js_invoke(
            js_global(_dm, "out"),
            "push",
            (
                _s12 + ":" + _s13
                if len(
                    (
                        _s12 := (
                            _t7
                            if type((_t7 := js_global(_dm, "i"))) is str
                            else (
                                _t8
                                if type(_t7) is float
                                and (_t8 := js_INT_STRINGS.get(_t7)) is not None
                                else js_str_add(_t7)
                            )
                        )
                    )
                )
                + 1
                + len(
                    (
                        _s13 := (
                            _t10
                            if type((_t10 := js_global(_dm, "j"))) is str
                            else (
                                _t11
                                if type(_t10) is float
                                and (_t11 := js_INT_STRINGS.get(_t10)) is not None
                                else js_str_add(_t10)
                            )
                        )
                    )
                )
                <= js_MAX_STRING
                else js_string_too_long()
            ),
        )
        _dm["j"] = (
            _t14 + 1.0 if type((_t14 := js_global(_dm, "j"))) is float else js_inc(_t14)
        )
    if _tjump == "break:1":
        _tjump = None
        break
    if _tjump == "continue:1":
        _tjump = None
        continue
while True:
    next(_ticks)
    _dm["i"] = (
        _t18 - 1.0 if type((_t18 := js_global(_dm, "i"))) is float else js_dec(_t18)
    )
    if not (
        _t19 > 0.0 if type((_t19 := js_global(_dm, "i"))) is float else js_gt(_t19, 0.0)
    ):
        break
