# helpers: UNDEFINED, js_call, js_function, js_invoke, js_length, js_strict_eq
js_call(
    js_function(
        lambda _this, j_str=UNDEFINED, j_starts=UNDEFINED, *_targs1: (
            (j_s := UNDEFINED),
            (
                True
                if (
                    j_starts == ""
                    if type(j_starts) is str
                    else js_strict_eq(j_starts, "")
                )
                else (
                    (j_s := js_call(_dm["String"], "String", j_str)),
                    (
                        _t2 == _t3
                        if type(
                            (
                                _t2 := js_invoke(
                                    j_s,
                                    "slice",
                                    0.0,
                                    (
                                        float(len(j_starts))
                                        if type(j_starts) is str
                                        else js_length(j_starts)
                                    ),
                                )
                            )
                        )
                        is type((_t3 := j_starts))
                        is float
                        else js_strict_eq(_t2, _t3)
                    ),
                )[-1]
            ),
        )[-1],
        "",
        2,
        "function (str, starts) { if (starts === '') return true; var s = String(str); return s.slice(0, starts.length) === starts; }",
    ),
    "function (str, starts) { if (starts =...",
    _dm["Var1"],
    _dm["Var2"],
)
