# helpers: JSFunction, UNDEFINED, js_LENGTH_TYPES, js_function, js_global, js_guarded, js_invoke, js_length, js_not_callable, js_strict_eq, js_ticks
(
    _t5
    if type(
        (
            _t5 := js_function(
                js_guarded(
                    lambda _this, j_str=UNDEFINED, j_starts=UNDEFINED, *_targs1: (
                        next(js_ticks(_dm)),
                        (j_s := UNDEFINED),
                        (
                            True
                            if type(j_starts) is str and j_starts == ""
                            else (
                                (
                                    j_s := (
                                        _t2
                                        if type((_t2 := js_global(_dm, "String")))
                                        is JSFunction
                                        else js_not_callable(_t2, "String")
                                    ).fn(UNDEFINED, j_str)
                                ),
                                (
                                    _t3 == _t4
                                    if type(
                                        (
                                            _t3 := js_invoke(
                                                j_s,
                                                "slice",
                                                0.0,
                                                (
                                                    float(len(j_starts))
                                                    if type(j_starts) in js_LENGTH_TYPES
                                                    else js_length(j_starts)
                                                ),
                                            )
                                        )
                                    )
                                    is type((_t4 := j_starts))
                                    is float
                                    else js_strict_eq(_t3, _t4)
                                ),
                            )[-1]
                        ),
                    )[-1]
                ),
                "",
                2,
                "function (str, starts) { if (starts === '') return true; var s = String(str); return s.slice(0, starts.length) === starts; }",
            )
        )
    )
    is JSFunction
    else js_not_callable(_t5, "function (str, starts) { if (starts =...")
).fn(UNDEFINED, js_global(_dm, "Var1"), js_global(_dm, "Var2"))
