# helpers: js_getp, js_str_add
(
    "n"
    + (
        _t2
        if type(
            (
                _t2 := (
                    _t1["n"]
                    if type((_t1 := _dm["x"])) is dict and "n" in _t1
                    else js_getp(_t1, "n")
                )
            )
        )
        is str
        else js_str_add(_t2)
    )
    + ":"
    + (
        _t4
        if type(
            (
                _t4 := (
                    _t3["s"]
                    if type((_t3 := _dm["x"])) is dict and "s" in _t3
                    else js_getp(_t3, "s")
                )
            )
        )
        is str
        else js_str_add(_t4)
    )
)
