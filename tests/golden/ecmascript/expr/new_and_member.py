# helpers: js_add, js_get, js_getp, js_global, js_invoke, js_new
(
    _t6 + _t7
    if type(
        (
            _t6 := (
                _t4 + _t5
                if type(
                    (
                        _t4 := (
                            _t1 + _t2
                            if type(
                                (
                                    _t1 := js_invoke(
                                        js_new(js_global(_dm, "Date"), "Date", 0.0),
                                        "getTime",
                                    )
                                )
                            )
                            is type(
                                (
                                    _t2 := js_get(
                                        js_global(_dm, "arr"), js_global(_dm, "i")
                                    )
                                )
                            )
                            is float
                            else js_add(_t1, _t2)
                        )
                    )
                )
                is type(
                    (
                        _t5 := (
                            _t3["key"]
                            if type((_t3 := js_global(_dm, "obj"))) is dict
                            and "key" in _t3
                            else js_getp(_t3, "key")
                        )
                    )
                )
                is float
                else js_add(_t4, _t5)
            )
        )
    )
    is type((_t7 := js_get(js_global(_dm, "obj"), js_global(_dm, "k"))))
    is float
    else js_add(_t6, _t7)
)
