# helpers: UNDEFINED, js_arrow, js_getp, js_global, js_guarded, js_invoke, js_mul, js_ticks
js_invoke(
    js_invoke(
        js_global(_dm, "items"),
        "filter",
        js_arrow(
            js_guarded(
                lambda _tthis1, j_x=UNDEFINED, *_targs2: (
                    next(js_ticks(_dm)),
                    (
                        j_x["ok"]
                        if type(j_x) is dict and "ok" in j_x
                        else js_getp(j_x, "ok")
                    ),
                )[-1]
            ),
            "",
            1,
            "x => x.ok",
        ),
    ),
    "map",
    js_arrow(
        js_guarded(
            lambda _tthis3, j_x_1=UNDEFINED, j_i=UNDEFINED, *_targs4: (
                next(js_ticks(_dm)),
                (
                    _t5 * _t6
                    if type(
                        (
                            _t5 := (
                                j_x_1["v"]
                                if type(j_x_1) is dict and "v" in j_x_1
                                else js_getp(j_x_1, "v")
                            )
                        )
                    )
                    is type((_t6 := j_i))
                    is float
                    else js_mul(_t5, _t6)
                ),
            )[-1]
        ),
        "",
        2,
        "(x, i) => x.v * i",
    ),
)
