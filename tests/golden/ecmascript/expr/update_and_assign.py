# helpers: js_add, js_getp, js_global, js_mul, js_pos, js_setg, js_setp
(
    ((_t1 := js_pos(js_global(_dm, "count"))), js_setg(_dm, "count", _t1 + 1.0))[0],
    js_setg(
        _dm,
        "total",
        (
            _t2 + _t3
            if type((_t2 := js_global(_dm, "total")))
            is type((_t3 := js_global(_dm, "count")))
            is float
            else js_add(_t2, _t3)
        ),
    ),
    (
        (_t4 := js_global(_dm, "obj")),
        js_setp(
            _t4,
            "n",
            (
                _t5 * 2.0
                if type((_t5 := js_getp(_t4, "n"))) is float
                else js_mul(_t5, 2.0)
            ),
        ),
    )[-1],
    js_setp(
        (
            _t6["b"]
            if type((_t6 := js_global(_dm, "a"))) is dict and "b" in _t6
            else js_getp(_t6, "b")
        ),
        "c",
        5.0,
    ),
)[-1]
