# helpers: js_MAX_STRING, js_add, js_global, js_string_too_long, js_tostr
(
    "id=" + _s4 + ", n=" + _s5
    if 3
    + len((_s4 := js_tostr(js_global(_dm, "id"))))
    + 4
    + len(
        (
            _s5 := js_tostr(
                _t1 + 1.0
                if type((_t1 := js_global(_dm, "n"))) is float
                else js_add(_t1, 1.0)
            )
        )
    )
    <= js_MAX_STRING
    else js_string_too_long()
)
