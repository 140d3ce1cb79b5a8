# helpers: js_getp, js_global, js_invoke, js_regexp, js_strict_eq
not (
    _t2 == -1.0
    if type(
        (
            _t2 := js_invoke(
                (
                    _t1["raw"]
                    if type((_t1 := js_global(_dm, "_event"))) is dict and "raw" in _t1
                    else js_getp(_t1, "raw")
                ),
                "search",
                js_regexp("Var1=2", ""),
            )
        )
    )
    is float
    else js_strict_eq(_t2, -1.0)
)
